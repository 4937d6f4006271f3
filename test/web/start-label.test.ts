import { describe, expect, it } from "vitest";
import { formatAbsolute, formatClock } from "../../web/src/lib/format";
import { readStartMode, startLabel, startTitle } from "../../web/src/lib/start-label";

describe("startLabel", () => {
  const now = Date.UTC(2026, 11, 2, 12, 0, 0);
  // A lone trace from 3 minutes ago, then a burst within one second.
  const column = [now - 180_000, now - 20_000, now - 20_400, now - 20_900];

  it("reads the whole column one way: clock times unless 'ago' times were chosen, never a mix", () => {
    expect(readStartMode()).toBe("clock"); // nothing saved (no storage here)
    expect(column.map((ms) => startLabel("clock", ms, now))).toEqual(column.map(formatClock));
    expect(column.map((ms) => startLabel("relative", ms, now))).toEqual(["3m ago", "20s ago", "20s ago", "20s ago"]);
  });

  it("gives the date, the time zone and how long ago in the tooltip", () => {
    const title = startTitle(now - 180_000, now);
    expect(title.startsWith(formatAbsolute(now - 180_000))).toBe(true);
    expect(title.endsWith(" · 3m ago")).toBe(true);
  });
});
