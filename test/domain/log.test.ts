import { describe, expect, it } from "vitest";
import {
  logContainsText,
  logTimes,
  severityFromText,
  severityLevelText,
  severityOf,
  severityRank,
  severityShown,
  textMatcher,
} from "../../src/domain/log.js";
import { makeLog } from "../store/log-fixtures.js";

describe("severityOf", () => {
  it("puts every severity number in its range of four", () => {
    const expected = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
    for (let n = 1; n <= 24; n++) {
      expect(severityOf(n, ""), `number ${n}`).toBe(expected[Math.floor((n - 1) / 4)]);
      // A number wins over a text that says otherwise.
      expect(severityOf(n, "fatal")).toBe(expected[Math.floor((n - 1) / 4)]);
    }
  });

  it("takes the level a text names when the number is 0 or out of range", () => {
    expect(severityOf(0, "WARNING")).toBe("WARN");
    expect(severityOf(0, "Information")).toBe("INFO");
    expect(severityOf(0, "CRITICAL")).toBe("FATAL");
    expect(severityOf(0, " error ")).toBe("ERROR");
    expect(severityOf(25, "debug")).toBe("DEBUG");
    expect(severityOf(-3, "trace")).toBe("TRACE");
  });

  it("is UNSPECIFIED without a usable number or a level name", () => {
    expect(severityOf(0, "")).toBe("UNSPECIFIED");
    expect(severityOf(0, "test severity text")).toBe("UNSPECIFIED");
    expect(severityOf(99, "")).toBe("UNSPECIFIED");
    expect(severityOf(1.5, "")).toBe("UNSPECIFIED");
  });
});

describe("severityFromText", () => {
  it("reads level names of common loggers and OpenTelemetry's short names with digits", () => {
    const cases: [string, string | undefined][] = [
      ["TRACE", "TRACE"],
      ["finest", "TRACE"],
      ["Debug", "DEBUG"],
      ["FINE", "DEBUG"],
      ["INFO3", "INFO"],
      ["notice", "INFO"],
      ["WARN2", "WARN"],
      ["warning", "WARN"],
      ["ERR", "ERROR"],
      ["SEVERE", "ERROR"],
      ["FATAL4", "FATAL"],
      ["emerg", "FATAL"],
      ["panic", "FATAL"],
      ["INFO5", undefined],
      ["informative", undefined],
      ["", undefined],
      ["w".repeat(100), undefined],
    ];
    for (const [text, level] of cases) expect(severityFromText(text), text).toBe(level);
  });

  it("ranks levels from UNSPECIFIED (0) to FATAL (6)", () => {
    expect(severityRank("UNSPECIFIED")).toBe(0);
    expect(severityRank("WARN")).toBeLessThan(severityRank("ERROR"));
    expect(severityRank("FATAL")).toBe(6);
  });
});

describe("logTimes", () => {
  it("keeps both times when the record has them", () => {
    expect(logTimes(5n, 7n, 9n)).toEqual({ time: 5n, observed: 7n, observedOnArrival: false });
  });

  it("places a record without a time at its observed time, and observes it on receipt when the sender did not", () => {
    expect(logTimes(0n, 7n, 9n)).toEqual({ time: 7n, observed: 7n, observedOnArrival: false });
    expect(logTimes(5n, 0n, 9n)).toEqual({ time: 5n, observed: 9n, observedOnArrival: true });
    expect(logTimes(0n, 0n, 9n)).toEqual({ time: 9n, observed: 9n, observedOnArrival: true });
  });
});

describe("logContainsText", () => {
  it("looks in the body (its keys too) and attribute values at any depth, never in attribute keys", () => {
    const record = makeLog({
      body: { outer: [{ message: "Card DECLINED" }] },
      attributes: { "http.status": 402, flag: true, secretKey: "value" },
    });
    const has = (needle: string, log = record) => logContainsText(log, textMatcher(needle));
    expect(has("DECLINED")).toBe(true);
    expect(has("card declined")).toBe(true);
    expect(has("402")).toBe(true);
    expect(has("TRUE")).toBe(true);
    expect(has("value")).toBe(true);
    expect(has("secretkey")).toBe(false);
    expect(has("outer")).toBe(true);
    expect(has("MESSAGE")).toBe(true);
    expect(has("http.status")).toBe(false);
    expect(has("null", makeLog({ body: null }))).toBe(false);
  });

  it("takes a needle literally, regular-expression characters and non-ASCII text included", () => {
    const record = makeLog({ body: "cost (USD) is $4.50 * 2 [approx] a|b ^start\\end — Größe ÉTÉ" });
    for (const needle of [
      "(usd)",
      "$4.50 * 2",
      "[APPROX]",
      "a|b",
      "^start",
      "\\end",
      "größe",
      "GRÖSSE".toLowerCase(),
      "été",
    ]) {
      expect(logContainsText(record, textMatcher(needle)), needle).toBe(needle !== "grösse");
    }
    expect(logContainsText(record, textMatcher("4.5."))).toBe(false);
  });

  it("looks in numbers and booleans only for a needle that can be in one", () => {
    const record = makeLog({
      body: null,
      attributes: { n: -1.5e-7, big: 12345, ok: false, inf: Number.POSITIVE_INFINITY },
    });
    for (const needle of ["-1.5E-7", "234", "FAL", "alse", "infin", "1.5e"]) {
      expect(textMatcher(needle).inScalars, needle).toBe(true);
      expect(logContainsText(record, textMatcher(needle)), needle).toBe(true);
    }
    for (const needle of ["12345x", "user", "fals e"]) {
      expect(textMatcher(needle).inScalars, needle).toBe(false);
      expect(logContainsText(record, textMatcher(needle)), needle).toBe(false);
    }
  });
});

describe("severityShown", () => {
  it("is the sender's own text when it gave one, else the level and its step, else nothing", () => {
    expect(severityShown({ severityNumber: 12, severity: "INFO", severityText: " NOTICE " })).toBe("NOTICE");
    expect(severityShown({ severityNumber: 10, severity: "INFO", severityText: "" })).toBe("INFO2");
    expect(severityShown({ severityNumber: 9, severity: "INFO", severityText: "" })).toBe("INFO");
    expect(severityShown({ severityNumber: 0, severity: "UNSPECIFIED", severityText: "" })).toBe("");
    // A level read from the text alone has no step.
    expect(severityLevelText({ severityNumber: 0, severity: "WARN" })).toBe("WARN");
    expect(severityLevelText({ severityNumber: 24, severity: "FATAL" })).toBe("FATAL4");
  });
});
