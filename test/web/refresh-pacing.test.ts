import { describe, expect, it } from "vitest";
import {
  MAX_REFRESH_DELAY_MS,
  REFRESH_DELAY_MS,
  REFRESH_SHARE,
  refreshDelayMs,
} from "../../web/src/features/trace-view/refresh-pacing";

describe("refreshDelayMs", () => {
  it("refreshes a small trace after the short coalescing delay, as before", () => {
    expect(refreshDelayMs(1000, null)).toBe(REFRESH_DELAY_MS);
    expect(refreshDelayMs(1000, { endedAt: 990, costMs: 12 })).toBe(REFRESH_DELAY_MS);
    expect(refreshDelayMs(1000, { endedAt: 990, costMs: 50 })).toBe(REFRESH_DELAY_MS);
  });

  it("waits longer after a costly refresh, so refreshing takes a bounded share of the time", () => {
    // A 370 ms refresh that just ended: the next starts 1,480 ms later, 370 / (370 + 1480) = 20%.
    const delay = refreshDelayMs(10_000, { endedAt: 10_000, costMs: 370 });
    expect(delay).toBe(1480);
    expect(370 / (370 + delay)).toBeCloseTo(REFRESH_SHARE);
  });

  it("counts the time already passed since the last refresh ended", () => {
    expect(refreshDelayMs(11_000, { endedAt: 10_000, costMs: 370 })).toBe(480);
    expect(refreshDelayMs(20_000, { endedAt: 10_000, costMs: 370 })).toBe(REFRESH_DELAY_MS);
  });

  it("still refreshes now and then however costly the last refresh was", () => {
    expect(refreshDelayMs(0, { endedAt: 0, costMs: 60_000 })).toBe(MAX_REFRESH_DELAY_MS);
  });

  it("keeps a bounded share over a run of refreshes of a 100,000-span trace", () => {
    let now = 0;
    let busy = 0;
    let last = null;
    for (let i = 0; i < 20; i++) {
      now += refreshDelayMs(now, last); // a live message is always waiting
      const costMs = 110 + (i % 3) * 130; // 110, 240, 370 ms
      busy += costMs;
      now += costMs;
      last = { endedAt: now, costMs };
    }
    expect(busy / now).toBeLessThanOrEqual(REFRESH_SHARE + 0.01);
  });
});
