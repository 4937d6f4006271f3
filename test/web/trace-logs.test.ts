import { describe, expect, it } from "vitest";
import {
  formatOffset,
  logMarks,
  logsBySpan,
  offsetInTraceMs,
  TraceLogList,
} from "../../web/src/features/logs/trace-logs";
import { formatDuration } from "../../web/src/lib/format";
import { logRecord } from "./log-fixtures";

const TRACE = "5b8efff798038103d269b633813fc60c";
const A = "aaaaaaaaaaaaaaaa";
const B = "bbbbbbbbbbbbbbbb";

describe("a trace's logs", () => {
  it("are kept oldest first, each once, whichever way they arrive", () => {
    const list = new TraceLogList();
    expect(list.addAll([logRecord("2", 20, { traceId: TRACE }), logRecord("1", 10, { traceId: TRACE })], TRACE)).toBe(
      true,
    );
    // A live push repeats one the page had, and brings a record of another trace.
    expect(
      list.addAll([logRecord("2", 20, { traceId: TRACE }), logRecord("9", 5, { traceId: "f".repeat(32) })], TRACE),
    ).toBe(false);
    list.addAll([logRecord("3", 15, { traceId: TRACE })], TRACE);
    expect(list.list.map((r) => r.id)).toEqual(["1", "3", "2"]);
  });

  it("are grouped per span, in time order, leaving out those outside any span", () => {
    const logs = [
      logRecord("1", 1, { traceId: TRACE, spanId: A }),
      logRecord("2", 2, { traceId: TRACE, spanId: B }),
      logRecord("3", 3, { traceId: TRACE, spanId: A }),
      logRecord("4", 4, { traceId: TRACE, spanId: null }),
    ];
    const bySpan = logsBySpan(logs);
    expect([...bySpan.keys()]).toEqual([A, B]);
    expect(bySpan.get(A)?.map((r) => r.id)).toEqual(["1", "3"]);
  });

  it("mark each span with its count and its worst level", () => {
    const bySpan = logsBySpan([
      logRecord("1", 1, { spanId: A, severityNumber: 9 }),
      logRecord("2", 2, { spanId: A, severityNumber: 17 }),
      logRecord("3", 3, { spanId: A, severityNumber: 13 }),
      logRecord("4", 4, { spanId: B, severityNumber: 0 }),
    ]);
    const marks = logMarks(bySpan);
    expect(marks.get(A)).toEqual({ count: 3, worst: "ERROR" });
    expect(marks.get(B)).toEqual({ count: 1, worst: "UNSPECIFIED" });
  });

  it("place each record on the trace's clock", () => {
    const start = logRecord("0", 100).timeUnixNano;
    expect(offsetInTraceMs(logRecord("1", 112.5), start)).toBeCloseTo(12.5, 6);
    expect(offsetInTraceMs(logRecord("2", 96), start)).toBeCloseTo(-4, 6);
    expect(formatOffset(12.5, formatDuration)).toBe("+12.5ms");
    expect(formatOffset(-4, formatDuration)).toBe("−4ms");
  });
});
