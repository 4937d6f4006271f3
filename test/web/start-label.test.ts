import { describe, expect, it } from "vitest";
import { formatAbsolute, formatClock } from "../../web/src/lib/format";
import { readStartMode, startColumnDate, startLabel, startTitle } from "../../web/src/lib/start-label";

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

  it("puts the date before the clock for a trace of another day, and the year for another year", () => {
    const noon = new Date(2026, 11, 5, 12, 0, 0).getTime();
    const yesterday = new Date(2026, 11, 4, 23, 0, 0).getTime();
    const old = new Date(2018, 5, 1, 14, 51, 0).getTime();
    expect(startLabel("clock", yesterday, noon)).toBe("12-04 23:00:00.000");
    expect(startLabel("clock", old, noon)).toBe("2018-06-01 14:51:00.000");
    expect(startColumnDate("clock", [noon, yesterday], noon)).toBe("day");
    expect(startColumnDate("clock", [noon, old], noon)).toBe("year");
    expect(startColumnDate("relative", [old], noon)).toBe("none");
  });

  it("reads a trace from a clock an hour ahead as in 1h, and says so in the tooltip", () => {
    expect(startLabel("relative", now + 3_600_000, now)).toBe("in 1h");
    expect(startTitle(now + 3_600_000, now)).toMatch(/· in 1h \(ahead of this browser's clock/);
    expect(startLabel("relative", now + 2_000, now)).toBe("just now");
  });
});
