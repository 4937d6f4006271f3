import { describe, expect, it } from "vitest";
import { storedNote } from "../../src/cli/start.js";

describe("the Store line's note on what a --db file holds", () => {
  const none = { traces: 0, spans: 0, logs: 0, metricSeries: 0, snapshots: 0, breakpoints: 0 };
  it("names what the file brought back, in the singular where there is one", () => {
    expect(storedNote({ ...none, traces: 1, spans: 12_345, metricSeries: 1, breakpoints: 2 })).toBe(
      " (holds 1 trace, 12,345 spans, 1 metric series, 2 breakpoints)",
    );
    expect(storedNote({ ...none, logs: 3, snapshots: 1 })).toBe(" (holds 3 log records, 1 snapshot)");
  });
  it("says a new or emptied file is empty", () => {
    expect(storedNote(none)).toBe(" (empty)");
  });
});
