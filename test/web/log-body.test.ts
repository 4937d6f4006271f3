import { describe, expect, it } from "vitest";
import { MAX_VALUE_DEPTH } from "../../src/otlp/attributes";
import { MAX_ATTRIBUTES_PER_LIST, MAX_ENTRIES_PER_VALUE, MAX_VALUES_PER_ITEM } from "../../src/otlp/limits";
import {
  bodyLine,
  bodyView,
  cutText,
  droppedAttributesText,
  droppedBodyText,
  indentedLines,
  logFlagsText,
  NEWLINE_MARK,
  showAllLabel,
} from "../../web/src/features/logs/log-body";
import {
  localTimeZoneLabel,
  logClock,
  logClockDate,
  logStamp,
  logTimeExact,
  startOfLocalDay,
  timeZoneLabel,
  utcOffsetLabel,
} from "../../web/src/features/logs/log-time";
import { formatCount } from "../../web/src/lib/format";

describe("log body on one line", () => {
  it("keeps a short string as it is", () => {
    expect(bodyLine("user 42 signed in")).toBe("user 42 signed in");
  });

  it("marks line breaks and squeezes indentation, so a stack trace reads on one line", () => {
    const trace = "Error: card declined\n    at charge (pay.js:10:5)\r\n    at main (app.js:3:1)\n";
    expect(bodyLine(trace)).toBe(
      `Error: card declined${NEWLINE_MARK}at charge (pay.js:10:5)${NEWLINE_MARK}at main (app.js:3:1)`,
    );
    expect(bodyLine("a\t\t  b")).toBe("a b");
  });

  it("writes structured bodies as compact JSON in the order sent", () => {
    expect(bodyLine({ type: 0, url: "https://example.com/", tags: ["a", "b"] })).toBe(
      '{"type":0,"url":"https://example.com/","tags":["a","b"]}',
    );
    expect(bodyLine([1, "two", null])).toBe('[1,"two",null]');
  });

  it("shows numbers and booleans as themselves, and no body as nothing", () => {
    expect(bodyLine(42)).toBe("42");
    expect(bodyLine(false)).toBe("false");
    expect(bodyLine(null)).toBe("");
  });

  it("cuts long bodies with an ellipsis", () => {
    const line = bodyLine("x".repeat(10_000), 50);
    expect(line).toBe(`${"x".repeat(50)}…`);
    expect(bodyLine({ big: "y".repeat(500) }, 20)).toBe(`{"big":"yyyyyyyyyyyy…`);
  });

  it("never interprets markup: HTML stays text", () => {
    expect(bodyLine("<img src=x onerror=alert(1)>")).toBe("<img src=x onerror=alert(1)>");
  });
});

describe("log record flags", () => {
  it("says what the trace flags mean: bit 0 is sampled, other bits in hex", () => {
    expect(logFlagsText(1)).toBe("1 · sampled");
    expect(logFlagsText(2)).toBe("2 · other bits 0x2");
    expect(logFlagsText(3)).toBe("3 · sampled · other bits 0x2");
  });
});

describe("log body in full", () => {
  it("keeps text as sent, line breaks included", () => {
    expect(bodyView("line one\n  line two")).toEqual({ kind: "text", text: "line one\n  line two" });
  });

  it("pretty-prints structured bodies", () => {
    expect(bodyView({ a: 1, b: { c: [true] } })).toEqual({
      kind: "json",
      fromString: false,
      text: '{\n  "a": 1,\n  "b": {\n    "c": [\n      true\n    ]\n  }\n}',
    });
  });

  it("pretty-prints a string that holds a JSON object (as many loggers write), and only then", () => {
    expect(bodyView(' {"level":"info","msg":"hi"} ')).toEqual({
      kind: "json",
      fromString: true,
      text: '{\n  "level": "info",\n  "msg": "hi"\n}',
    });
    // As written: an integer past 2^53 keeps every digit (JSON.parse would round it).
    expect(bodyView('{"orderId":12345678901234567890,"total":89.90}')).toEqual({
      kind: "json",
      fromString: true,
      text: '{\n  "orderId": 12345678901234567890,\n  "total": 89.90\n}',
    });
    expect(bodyView("{not json}")).toEqual({ kind: "text", text: "{not json}" });
    expect(bodyView("42")).toEqual({ kind: "text", text: "42" });
  });

  it("says what a scalar or missing body is", () => {
    expect(bodyView(3.5)).toEqual({ kind: "scalar", text: "3.5" });
    expect(bodyView(null)).toEqual({ kind: "empty" });
  });
});

describe("cutting long text for 'show all'", () => {
  it("leaves short text whole", () => {
    expect(cutText("a\nb", 100, 10)).toEqual({ shown: "a\nb", cut: false, totalChars: 3, totalLines: 2 });
  });

  it("cuts at a line limit", () => {
    const text = Array.from({ length: 10 }, (_, i) => `line ${i}`).join("\n");
    const cut = cutText(text, 10_000, 3);
    expect(cut.shown).toBe("line 0\nline 1\nline 2");
    expect(cut).toMatchObject({ cut: true, totalLines: 10, totalChars: text.length });
  });

  it("cuts at a character limit", () => {
    expect(cutText("abcdefghij", 4, 100)).toMatchObject({ shown: "abcd", cut: true, totalLines: 1 });
  });

  it("says the size in lines only when there is more than one", () => {
    expect(showAllLabel(cutText("x".repeat(1_048_579), 4000, 60))).toBe("show all (1,048,579 chars)");
    expect(showAllLabel(cutText("a\nb", 1, 60))).toBe("show all (2 lines, 3 chars)");
  });
});

describe("log times", () => {
  it("says the zone as an offset from UTC", () => {
    expect(utcOffsetLabel(0)).toBe("UTC");
    expect(utcOffsetLabel(60)).toBe("UTC+1");
    expect(utcOffsetLabel(330)).toBe("UTC+5:30");
    expect(utcOffsetLabel(-180)).toBe("UTC−3");
    expect(utcOffsetLabel(-570)).toBe("UTC−9:30");
  });

  it("names the zone when it has a name", () => {
    const date = new Date();
    const offset = utcOffsetLabel(-date.getTimezoneOffset());
    expect(timeZoneLabel(date, "Europe/Berlin")).toBe(`Europe/Berlin, ${offset}`);
    expect(timeZoneLabel(date, undefined)).toBe(offset);
    expect(localTimeZoneLabel(date)).toContain(offset);
  });

  it("writes the date in a row's time when the record is not from today", () => {
    const now = new Date(2026, 11, 4, 15, 30).getTime();
    const today = startOfLocalDay(now);
    expect(today).toBe(new Date(2026, 11, 4).getTime());
    const nanos = (ms: number) => `${ms}000000`;
    expect(logStamp(nanos(new Date(2026, 11, 4, 9, 5, 7, 123).getTime()), today)).toBe("09:05:07.123");
    expect(logStamp(nanos(new Date(2026, 11, 3, 23, 59, 59, 999).getTime()), today)).toBe("2026-12-03 23:59:59.999");
    expect(logStamp(nanos(new Date(2018, 11, 13, 14, 51).getTime()), today)).toBe("2018-12-13 14:51:00.000");
    expect(logStamp(nanos(new Date(2026, 11, 5, 0, 0, 1).getTime()), today)).toBe("2026-12-05 00:00:01.000");
  });

  it("dates a trace's log times of another day, and widens their column to the date", () => {
    const now = new Date(2026, 11, 5, 12, 0).getTime();
    const nanos = (ms: number) => `${ms}000000`;
    const today = nanos(new Date(2026, 11, 5, 9, 5, 7, 123).getTime());
    const yesterday = nanos(new Date(2026, 11, 4, 23, 0).getTime());
    const old = nanos(new Date(2018, 5, 1, 14, 51).getTime());
    expect(logClock(today, now)).toBe("09:05:07.123");
    expect(logClock(yesterday, now)).toBe("12-04 23:00:00.000");
    expect(logClock(old, now)).toBe("2018-06-01 14:51:00.000");
    expect(logClockDate([{ timeUnixNano: today }], now)).toBe("none");
    expect(logClockDate([{ timeUnixNano: today }, { timeUnixNano: yesterday }], now)).toBe("day");
    expect(logClockDate([{ timeUnixNano: old }], now)).toBe("year");
  });

  it("shows exact times to the nanosecond", () => {
    const ms = Date.UTC(2026, 11, 2, 10, 0, 0, 123);
    const nanos = `${ms}456789`;
    const text = logTimeExact(nanos);
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.123456789$/);
    expect(logTimeExact("0")).toMatch(/\.000$/);
  });
});

describe("indentedLines", () => {
  it("gives each line of indented JSON its indentation, blanks kept, and gives up past the bound", () => {
    const text = JSON.stringify({ url: "https://example.com", nested: { a: 1 } }, null, 2);
    expect(indentedLines(text)).toEqual([
      { indent: 0, text: "{" },
      { indent: 2, text: '  "url": "https://example.com",' },
      { indent: 2, text: '  "nested": {' },
      { indent: 4, text: '    "a": 1' },
      { indent: 2, text: "  }" },
      { indent: 0, text: "}" },
    ]);
    expect(indentedLines("[\n  1,\n  2\n]", 3)).toBeNull();
  });
});

describe("what the details say of data dropped", () => {
  it("names the attributes dropped, and the bound this server keeps", () => {
    expect(droppedAttributesText(1)).toMatch(
      /^1 dropped: attributes the SDK dropped or past the 1,000 this server keeps of a record, and entries this server cut from attribute values/,
    );
    // Entries cut from one attribute's value are counted too: the number is not of attributes.
    expect(droppedAttributesText(4000)).not.toMatch(/4,000 attributes/);
    expect(droppedAttributesText(1500)).toMatch(/^1,500 dropped: /);
    expect(droppedAttributesText(2)).toContain(formatCount(MAX_ATTRIBUTES_PER_LIST));
  });

  it("says a body was cut, by how many entries, and by the bounds the decoders keep", () => {
    expect(droppedBodyText(1)).toMatch(/^Cut by this server: 1 entry /);
    const text = droppedBodyText(500);
    expect(text).toMatch(/^Cut by this server: 500 entries /);
    expect(text).toContain(`${formatCount(MAX_ENTRIES_PER_VALUE)} entries`);
    expect(text).toContain(`${formatCount(MAX_VALUES_PER_ITEM)} values`);
    expect(text).toContain(`${MAX_VALUE_DEPTH} levels`);
  });
});
