import { describe, expect, it } from "vitest";
import {
  clockSkewHint,
  compareText,
  endBeforeStartHint,
  formatAbsolute,
  formatCount,
  formatDuration,
  formatDurationInput,
  formatPercent,
  formatRelative,
  formatStamp,
  formatTimeZone,
  formatUsd,
  nanosDiffMs,
  nanosToMillis,
  parseDurationMs,
  stampColumnDate,
  timeTickLabels,
  usdText,
} from "../../web/src/lib/format";
import { visibleRange } from "../../web/src/lib/virtual-range";

describe("formatDuration", () => {
  it("picks a unit and precision a developer reads at a glance", () => {
    expect(formatDuration(0)).toBe("0ms");
    expect(formatDuration(0.0004)).toBe("400ns");
    expect(formatDuration(0.42)).toBe("420µs");
    expect(formatDuration(1)).toBe("1ms");
    expect(formatDuration(2.345)).toBe("2.35ms");
    expect(formatDuration(12.34)).toBe("12.3ms");
    expect(formatDuration(250)).toBe("250ms");
    expect(formatDuration(1534)).toBe("1.53s");
    expect(formatDuration(12_000)).toBe("12s");
    expect(formatDuration(95_000)).toBe("1m 35s");
    expect(formatDuration(3_600_000 * 2 + 60_000 * 5)).toBe("2h 5m");
    expect(formatDuration(3_600_000 * 2)).toBe("2h");
    expect(formatDuration(3_600_000 * 47 + 60_000 * 59)).toBe("47h 59m");
    // From two days on in days and hours, as "2d ago" reads: a 2018 example beside today's traffic left
    // "69942h 42m" idle.
    expect(formatDuration(3_600_000 * 48)).toBe("2d");
    expect(formatDuration(3_600_000 * 54 + 60_000 * 20)).toBe("2d 6h");
    expect(formatDuration((69_942 * 60 + 42) * 60_000)).toBe("2914d 6h");
    // A value that rounds up to the next unit is written in it.
    expect(formatDuration(0.99999)).toBe("1ms");
    expect(formatDuration(999.6)).toBe("1s");
    expect(formatDuration(59_999)).toBe("1m");
    expect(formatDuration(3_599_600)).toBe("1h");
    expect(formatDuration(-1)).toBe("–");
    expect(formatDuration(Number.NaN)).toBe("–");
  });
});

describe("formatTimeZone", () => {
  it("says the zone as the Logs page does (UTC, UTC+5:30, UTC−3), whatever Intl's short offset names look like", () => {
    const zone = process.env.TZ;
    try {
      const at = Date.UTC(2026, 0, 15, 12);
      process.env.TZ = "UTC";
      expect(formatTimeZone(at)).toBe("UTC");
      process.env.TZ = "Asia/Kolkata";
      expect(formatTimeZone(at)).toBe("UTC+5:30");
      process.env.TZ = "America/Sao_Paulo";
      expect(formatTimeZone(at)).toBe("UTC−3");
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});

describe("nanosecond times", () => {
  it("keeps precision beyond 2^53 when differencing", () => {
    expect(nanosDiffMs("1700000000000000001", "1700000000001500002")).toBe(1.500001);
    expect(nanosToMillis("1700000000123456789")).toBeCloseTo(1700000000123.4568, 3);
    expect(nanosToMillis("5000000")).toBe(5);
  });
  it("formats absolute and relative times", () => {
    const at = new Date(2026, 10, 28, 9, 5, 7, 42).getTime();
    expect(formatAbsolute(at)).toBe("2026-11-28 09:05:07.042");
    expect(formatRelative(at, at + 2000)).toBe("just now");
    expect(formatRelative(at, at - 5000)).toBe("just now");
    expect(formatRelative(at, at + 42_000)).toBe("42s ago");
    expect(formatRelative(at, at + 5 * 60_000)).toBe("5m ago");
    expect(formatRelative(at, at + 3 * 3_600_000)).toBe("3h ago");
    expect(formatRelative(at, at + 3 * 86_400_000)).toBe("3d ago");
  });
  it("says how far ahead a time from a clock ahead of this one is, and a few seconds ahead is just now", () => {
    const now = new Date(2026, 11, 5, 12, 0, 0).getTime();
    expect(formatRelative(now + 3_600_000, now)).toBe("in 1h");
    expect(formatRelative(now + 42_000, now)).toBe("in 42s");
    expect(formatRelative(now + 5 * 60_000 + 500, now)).toBe("in 5m");
    expect(formatRelative(now + 3 * 86_400_000, now)).toBe("in 3d");
    expect(formatRelative(now + 4_999, now)).toBe("just now");
    expect(clockSkewHint(now + 3_600_000, now)).toMatch(/ahead of this browser's clock/);
    expect(clockSkewHint(now + 2_000, now)).toBe("");
    expect(clockSkewHint(now - 3_600_000, now)).toBe("");
  });
  it("writes a column's times with the date when not of today, the year when not of this year", () => {
    const now = new Date(2026, 11, 5, 12, 0, 0).getTime();
    const yesterday = new Date(2026, 11, 4, 23, 0, 0, 5).getTime();
    const old = new Date(2018, 5, 1, 14, 51, 0).getTime();
    expect(formatStamp(new Date(2026, 11, 5, 0, 0, 1).getTime(), now)).toBe("00:00:01.000");
    expect(formatStamp(yesterday, now)).toBe("12-04 23:00:00.005");
    expect(formatStamp(new Date(2026, 11, 6, 1, 0).getTime(), now)).toBe("12-06 01:00:00.000");
    expect(formatStamp(old, now)).toBe("2018-06-01 14:51:00.000");
    expect(stampColumnDate([now, now - 1000], now)).toBe("none");
    expect(stampColumnDate([now, yesterday], now)).toBe("day");
    expect(stampColumnDate([yesterday, old, now], now)).toBe("year");
    expect(stampColumnDate([], now)).toBe("none");
  });
  it("formats ratios as percentages", () => {
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(1)).toBe("100%");
    expect(formatPercent(0.0345)).toBe("3.5%");
    expect(formatPercent(0.5)).toBe("50%");
  });
});

describe("visibleRange", () => {
  it("covers the viewport plus overscan, clamped to the list", () => {
    expect(visibleRange(0, 100, 20, 1000, 5)).toEqual({ start: 0, end: 11 });
    expect(visibleRange(2000, 100, 20, 1000, 5)).toEqual({ start: 95, end: 111 });
    expect(visibleRange(19_990, 100, 20, 1000, 5)).toEqual({ start: 994, end: 1000 });
    expect(visibleRange(0, 100, 20, 0, 5)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(-50, 100, 20, 3, 5)).toEqual({ start: 0, end: 3 });
  });
});

describe("formatDurationInput", () => {
  it("writes a duration filter back as typed (2s stays 2s), and parseDurationMs reads each back exactly", () => {
    expect(formatDurationInput(parseDurationMs("2s") as number)).toBe("2s");
    expect(formatDurationInput(parseDurationMs("1.5s") as number)).toBe("1.5s");
    expect(formatDurationInput(parseDurationMs("1.005s") as number)).toBe("1.005s");
    expect(formatDurationInput(parseDurationMs("2m") as number)).toBe("2m");
    expect(formatDurationInput(parseDurationMs("250ms") as number)).toBe("250ms");
    expect(formatDurationInput(parseDurationMs("300µs") as number)).toBe("300µs");
    expect(formatDurationInput(1234.5)).toBe("1234.5ms");
    for (const ms of [0.001, 0.3, 1, 12.75, 999, 1000, 1001, 61_000, 90_000, 3_600_000, 4321.123]) {
      expect(parseDurationMs(formatDurationInput(ms)), String(ms)).toBe(ms);
    }
  });
});

describe("parseDurationMs", () => {
  it("reads plain milliseconds and common units; blank means no filter; nonsense is refused", () => {
    expect(parseDurationMs("250")).toBe(250);
    expect(parseDurationMs(" 250ms ")).toBe(250);
    expect(parseDurationMs("1.5s")).toBe(1500);
    expect(parseDurationMs("1S")).toBe(1000);
    expect(parseDurationMs("2m")).toBe(120_000);
    expect(parseDurationMs("300µs")).toBeCloseTo(0.3);
    expect(parseDurationMs("300us")).toBeCloseTo(0.3);
    expect(parseDurationMs(".5s")).toBe(500);
    expect(parseDurationMs("")).toBeUndefined();
    expect(parseDurationMs("   ")).toBeUndefined();
    expect(parseDurationMs("fast")).toBeNull();
    expect(parseDurationMs("-5")).toBeNull();
    expect(parseDurationMs("1h")).toBeNull();
    expect(parseDurationMs("1e400")).toBeNull();
  });
});

describe("formatCount and compareText (no locale data needed)", () => {
  it("groups digits as en-US does", () => {
    for (const n of [0, 7, 999, 1000, 12_345, 1_234_567, -1_234_567, 999_999.6, 2 ** 53 - 1])
      expect(formatCount(n)).toBe(Math.round(n).toLocaleString("en-US"));
    expect(formatCount(1e21)).toBe((1e21).toLocaleString("en-US"));
    expect(formatCount(-0.4)).toBe("0");
  });

  it("orders letters whatever their case, then by code unit, and equal text as equal", () => {
    const names = ["http.server.duration", "HTTP.client", "db.query", "Db.query", "a", "http.server", "_x"];
    expect([...names].sort(compareText)).toEqual([
      "_x",
      "a",
      "Db.query",
      "db.query",
      "HTTP.client",
      "http.server",
      "http.server.duration",
    ]);
    expect(compareText("route=/a", "route=/a")).toBe(0);
  });
});

describe("timeTickLabels", () => {
  // Local times, so the expectations hold in any time zone.
  const at = (day: number, h: number, m: number, s = 0, ms = 0) =>
    new Date(2026, 11, day, h, m, s, ms).getTime() / 1000;

  it("writes the 24-hour clock, the date under the first tick and where the day changes", () => {
    expect(timeTickLabels([at(3, 23, 58), at(3, 23, 59), at(4, 0, 0), at(4, 0, 1)], 60)).toEqual([
      "23:58\nDec 3",
      "23:59",
      "00:00\nDec 4",
      "00:01",
    ]);
    expect(timeTickLabels([at(3, 19, 8, 30), at(3, 19, 8, 45)], 15)).toEqual(["19:08:30\nDec 3", "19:08:45"]);
    expect(timeTickLabels([at(3, 19, 8, 30, 250), at(3, 19, 8, 30, 500)], 0.25)).toEqual([
      "19:08:30.25\nDec 3",
      "19:08:30.50",
    ]);
    expect(timeTickLabels([at(3, 19, 8, 30, 500), at(3, 19, 8, 31)], 0.5)).toEqual(["19:08:30.5\nDec 3", "19:08:31.0"]);
    expect(timeTickLabels([at(3, 19, 8, 30, 250), at(3, 19, 8, 30, 300)], 0.05)).toEqual([
      "19:08:30.25\nDec 3",
      "19:08:30.30",
    ]);
    expect(timeTickLabels([at(3, 19, 8, 30, 5)], 0.005)).toEqual(["19:08:30.005\nDec 3"]);
  });

  it("writes dates alone for ticks a day or more apart", () => {
    expect(timeTickLabels([at(1, 0, 0), at(2, 0, 0)], 86_400)).toEqual(["Dec 1", "Dec 2"]);
  });

  it("says the year where the ticks cross one", () => {
    const on = (year: number, month: number, day: number, h = 0) => new Date(year, month, day, h).getTime() / 1000;
    // Dates: the year under the first tick and where it changes.
    expect(timeTickLabels([on(2025, 11, 30), on(2025, 11, 31), on(2026, 0, 1), on(2026, 0, 2)], 86_400)).toEqual([
      "Dec 30\n2025",
      "Dec 31",
      "Jan 1\n2026",
      "Jan 2",
    ]);
    // Months apart over years (they all read "Jan 1" before).
    expect(timeTickLabels([on(2024, 0, 1), on(2024, 6, 1), on(2025, 0, 1)], 182 * 86_400)).toEqual([
      "Jan 1\n2024",
      "Jul 1",
      "Jan 1\n2025",
    ]);
    // Clock times: the date line carries the year.
    expect(timeTickLabels([on(2025, 11, 31, 23), on(2026, 0, 1, 0), on(2026, 0, 1, 1)], 3600)).toEqual([
      "23:00\nDec 31 2025",
      "00:00\nJan 1 2026",
      "01:00",
    ]);
  });

  it("writes years alone for ticks a year or more apart", () => {
    const jan1 = (year: number) => new Date(year, 0, 1).getTime() / 1000;
    expect(timeTickLabels([jan1(2023), jan1(2024), jan1(2025)], 365 * 86_400)).toEqual(["2023", "2024", "2025"]);
    expect(timeTickLabels([jan1(2020), jan1(2030)], 10 * 365 * 86_400)).toEqual(["2020", "2030"]);
  });

  it("leaves the year out within one year", () => {
    expect(timeTickLabels([at(1, 0, 0), at(2, 0, 0)], 86_400)).toEqual(["Dec 1", "Dec 2"]);
  });
});

describe("formatUsd and usdText: LLM costs", () => {
  it("writes a cheap call's cost with its significant digits, as the chart's axis does, never '<$0.0001'", () => {
    expect(formatUsd(0.0000048)).toBe("$0.0000048");
    expect(formatUsd(0.000015)).toBe("$0.000015");
    expect(formatUsd(0.00001534)).toBe("$0.0000153");
    expect(formatUsd(0.0000999)).toBe("$0.0000999");
    expect(formatUsd(1.5e-9)).toBe("$0.0000000015");
    expect(formatUsd(0.0021)).toBe("$0.0021");
    expect(formatUsd(0.5)).toBe("$0.5");
    expect(formatUsd(0.123456)).toBe("$0.123");
    expect(formatUsd(0.9999)).toBe("$1");
    expect(formatUsd(0)).toBe("$0");
    expect(formatUsd(1)).toBe("$1.00");
    expect(formatUsd(12.345)).toBe("$12.35");
  });

  it("writes a fixed number of places for the axis, out in full", () => {
    expect(usdText(0.000015, 6)).toBe("$0.000015");
    expect(usdText(1.5e-7, 8)).toBe("$0.00000015");
    expect(usdText(0, 5)).toBe("$0");
  });
});

describe("endBeforeStartHint", () => {
  it("says why a duration reads 0: no end sent, or an end before the start; nothing for a span that ends after it starts", () => {
    const start = "1767225600000000000";
    expect(endBeforeStartHint(start, "1767225600005000000")).toBe("");
    expect(endBeforeStartHint(start, start)).toBe("");
    expect(endBeforeStartHint(start, "0")).toBe("no end time was sent");
    const end = "1767225599997500000";
    expect(endBeforeStartHint(start, end)).toBe(
      `ends 2.5ms before it starts (at ${formatAbsolute(nanosToMillis(end))})`,
    );
    expect(endBeforeStartHint(start, "not a number")).toBe("");
  });
});
