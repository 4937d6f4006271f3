import { describe, expect, it } from "vitest";
import type { PlacedEdge, PlacedNode } from "../../web/src/features/map/map-layout";
import { mapRates } from "../../web/src/features/map/map-rates";
import { formatRate, formatRateIn, rateBasisNote, rateUnitFor } from "../../web/src/features/services/request-rate";

describe("request rates", () => {
  it("writes a whole column in one unit, chosen so its busiest row reads at least 1", () => {
    // The demo's services: 8/s beside a job's 17/min used to read "8.0/s" beside "17/min".
    const rates = [8.0, 2.1, 17 / 60, 2.5, 1.4, 8.9, 0];
    const unit = rateUnitFor(rates);
    expect(unit.suffix).toBe("/s");
    expect(rates.map((rate) => formatRateIn(rate, unit))).toEqual([
      "8.0/s",
      "2.1/s",
      "0.28/s",
      "2.5/s",
      "1.4/s",
      "8.9/s",
      "–",
    ]);
  });

  it("moves to a slower unit when even the busiest row is below one of the faster", () => {
    const rates = [2 / 60, 0.3 / 60, 1 / 3600];
    const unit = rateUnitFor(rates);
    expect(unit.suffix).toBe("/min");
    expect(unit.words).toBe("per minute");
    expect(rates.map((rate) => formatRateIn(rate, unit))).toEqual(["2.0/min", "0.30/min", "0.017/min"]);
    expect(rateUnitFor([1 / 3600]).suffix).toBe("/h");
    expect(rateUnitFor([1 / 86_400 / 10]).suffix).toBe("/day");
    expect(rateUnitFor([]).suffix).toBe("/s");
    expect(rateUnitFor([0, 0]).suffix).toBe("/s");
  });

  it("keeps slow rows distinct with two significant digits, and says when one is too slow to show", () => {
    const unit = rateUnitFor([1234.4]);
    expect(formatRateIn(1234.4, unit)).toBe("1,234/s");
    expect(formatRateIn(25.4, unit)).toBe("25/s");
    expect(formatRateIn(0.047, unit)).toBe("0.047/s");
    expect(formatRateIn(0.0012, unit)).toBe("0.0012/s");
    expect(formatRateIn(1 / 86_400, unit)).toBe("< 0.001/s");
  });

  it("writes one rate on its own in its natural unit", () => {
    expect(formatRate(0)).toBe("–");
    expect(formatRate(25.4)).toBe("25/s");
    expect(formatRate(2.345)).toBe("2.3/s");
    expect(formatRate(0.5)).toBe("30/min");
    expect(formatRate(1 / 60)).toBe("1.0/min");
    // A few old traces spread over years: per hour or day, never "0.0/min".
    expect(formatRate(1 / 3600)).toBe("1.0/h");
    expect(formatRate(3 / 86_400)).toBe("3.0/day");
    expect(formatRate(1e-9)).toBe("< 0.1/day");
  });
});

describe("what the rates are per", () => {
  it("says over everything stored that rates are per the time the spans cover, and over a window the window", () => {
    const from = new Date(2026, 11, 4, 20, 20, 1, 200).getTime();
    const burst = rateBasisNote({ seconds: 1.5, fromMs: from, toMs: from + 1500, idleSeconds: 0 }, true);
    expect(burst).toBe(
      "Rates are per the 1.5s the stored spans cover (20:20:01.200 – 20:20:02.700), not per the time since.",
    );
    // One request of 120 ms: rates are over a second at least, and the line does not call that the spans' time.
    expect(rateBasisNote({ seconds: 1, fromMs: from, toMs: from + 120, idleSeconds: 0 }, true)).toBe(
      "Rates are per 1s, the least they are taken over: the stored spans cover only 120ms (20:20:01.200 – 20:20:01.320).",
    );
    expect(rateBasisNote({ seconds: 900, fromMs: from, toMs: from + 900_000, idleSeconds: 0 }, false)).toBe(
      "Rates are per the window's 15m, idle time included.",
    );
    expect(rateBasisNote({ seconds: 1, fromMs: null, toMs: null, idleSeconds: 0 }, true)).toBeNull();
    // An old trace and today's hour: dates on both ends, and the idle time between left out.
    const old = new Date(2018, 11, 13, 14, 51, 0, 0).getTime();
    const now = new Date(2026, 11, 5, 11, 0, 0, 0).getTime();
    const spread = rateBasisNote(
      { seconds: 3600, fromMs: old, toMs: now, idleSeconds: (now - old) / 1000 - 3600 },
      true,
    );
    expect(spread).toMatch(
      /^Rates are per the 1h the stored spans cover \(2018-12-13 14:51:00\.000 – 2026-12-05 11:00:00\.000, less \d+d( \d+h)? in which nothing ran\), not per the time since\.$/,
    );
  });
});

describe("mapRates", () => {
  it("writes every box's and edge's rate on the map in one unit: the busiest's", () => {
    const calls = (n: number) => ({ calls: n }) as PlacedNode & PlacedEdge;
    // Over a minute: 8/s into the busiest service, 18 calls a minute along one edge.
    const rates = mapRates([calls(480), calls(3)], [calls(18)], 60);
    expect(rates.unit.suffix).toBe("/s");
    expect(formatRateIn(480 / 60, rates.unit)).toBe("8.0/s");
    expect(formatRateIn(18 / 60, rates.unit)).toBe("0.30/s");
    // A quiet map reads per minute throughout.
    expect(mapRates([calls(30)], [calls(2)], 60).unit.suffix).toBe("/min");
    expect(mapRates([], [], 60).unit.suffix).toBe("/s");
  });
});
