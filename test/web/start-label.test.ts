import { describe, expect, it } from "vitest";
import { formatClock } from "../../web/src/lib/format";
import { startLabel } from "../../web/src/lib/start-label";

describe("startLabel", () => {
  const now = Date.UTC(2026, 11, 2, 12, 0, 0);
  const t = now - 150_000; // 2m ago
  it("says 'ago' alone, the clock time in a burst of rows that would read the same, or what was chosen", () => {
    expect(startLabel("auto", t, now, [now - 20_000])).toBe("2m ago");
    expect(startLabel("auto", t, now, [now - 20_000, t - 5_000])).toBe(formatClock(t));
    expect(startLabel("auto", t, now, [])).toBe("2m ago");
    expect(startLabel("clock", t, now, [])).toBe(formatClock(t));
    expect(startLabel("relative", t, now, [t])).toBe("2m ago");
  });
});
