import { describe, expect, it } from "vitest";
import { openEvictionLine } from "../../src/cli/eviction-note.js";

describe("the start's line on what opening a --db file evicted", () => {
  const bounds = { maxSpans: 1_000, maxLogs: 200 };
  it("names the traces, their spans and the bound, and the flag to raise", () => {
    expect(openEvictionLine("keep.db", { traces: 1, spans: 1_200, logs: 0 }, bounds)).toBe(
      "  ! keep.db: evicted 1 trace (1,200 spans) to stay within 1,000 spans as it opened; pass a larger --max-spans to keep more",
    );
  });
  it("names log records evicted to a smaller --max-logs too, and both flags", () => {
    expect(openEvictionLine("keep.db", { traces: 0, spans: 0, logs: 1 }, bounds)).toBe(
      "  ! keep.db: evicted 1 log record to stay within 200 as it opened; pass a larger --max-logs to keep more",
    );
    expect(openEvictionLine("keep.db", { traces: 3, spans: 30, logs: 5 }, bounds)).toBe(
      "  ! keep.db: evicted 3 traces (30 spans) to stay within 1,000 spans and 5 log records to stay within 200 as it opened; pass a larger --max-spans / --max-logs to keep more",
    );
  });
  it("is left out when opening evicted nothing", () => {
    expect(openEvictionLine("keep.db", { traces: 0, spans: 0, logs: 0 }, bounds)).toBeNull();
  });
});
