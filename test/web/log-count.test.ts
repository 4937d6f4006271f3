import { describe, expect, it } from "vitest";
import { LOG_COUNT_BOUND } from "../../src/domain/log";
import { LOG_COUNT_BUDGET } from "../../src/store/log-store";
import { logCount } from "../../web/src/features/logs/log-count";

const traceId = "0af7651916cd43dd8448eb211c80319c";

describe("the Logs page's count", () => {
  it("is every record stored while nothing is filtered", () => {
    expect(logCount({}, 200, { storedCount: 1250, matchedCount: null, hasMore: true }).text).toBe("1,250 records");
  });

  it("is every match the server counted (a trace's, a span's, a window's), never fewer than the rows shown", () => {
    const trace = logCount({ traceId }, 200, { storedCount: 9000, matchedCount: 400, hasMore: true });
    expect(trace).toEqual({
      text: "400 records",
      title: "Every one of this trace's records that the filters let through",
    });
    const span = logCount({ traceId, spanId: "b7ad6b7169203331" }, 1, {
      storedCount: 9,
      matchedCount: 1,
      hasMore: false,
    });
    expect(span.text).toBe("1 record");
    expect(span.title).toContain("this span's");
    expect(logCount({ severity: "ERROR" }, 25, { storedCount: 9, matchedCount: 25, hasMore: false }).title).toBe(
      "Every one of the records that the filters let through",
    );
    // A live record in the rows before the count is asked again.
    expect(logCount({ traceId }, 401, { storedCount: 9, matchedCount: 400, hasMore: true }).text).toBe("401 records");
  });

  it("is the rows loaded otherwise, a lower bound while more follow, saying how to reach the rest", () => {
    const bound = logCount({ severity: "ERROR" }, 200, { storedCount: 9000, matchedCount: null, hasMore: true });
    expect(bound.text).toBe("200+ records");
    expect(bound.title).toMatch(
      /^The first 200 records that the filters let through: more match than the server counts/,
    );
    expect(bound.title).toContain("(2,000 in all). Scrolling down loads more and counts them");
    expect(LOG_COUNT_BOUND).toBe(LOG_COUNT_BUDGET);
    const all = logCount({ severity: "ERROR" }, 25, { storedCount: 9000, matchedCount: null, hasMore: false });
    expect(all).toEqual({ text: "25 records", title: "Every record that the filters let through" });
  });
});
