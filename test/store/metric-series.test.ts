/**
 * A series folds its raw entries into its rollups in batches (see FOLD_BATCH): once settled, it must
 * hold exactly what folding every entry as soon as it passed the raw capacity leaves, and tell its
 * journal about the same entries.
 */
import { describe, expect, it } from "vitest";
import type { MetricDescriptor, MetricKind } from "../../src/domain/metric.js";
import { newObservation, newReadingState } from "../../src/domain/metric-reading.js";
import { type EntryJournal, FOLD_BATCH, MetricSeries, TIERS } from "../../src/store/metric-series.js";
import { rowsOf } from "../../src/store/metric-tier.js";
import { prng } from "../otlp/helpers.js";
import { T0_MS } from "./metric-fixtures.js";

const BOUNDS = [1, 5, 10];

class KeyJournal implements EntryJournal {
  readonly keys = TIERS.map(() => new Set<number>());
  entryChanged(_series: MetricSeries, tier: number, key: number): void {
    this.keys[tier]?.add(key);
  }
}

function seriesOf(kind: MetricKind): MetricSeries {
  const descriptor: MetricDescriptor = { name: "m", description: "", unit: "", kind, tracekit: false };
  return new MetricSeries(1, "m", 0, "svc", {}, descriptor, newReadingState());
}

/** Every entry of every tier, as values. */
function contents(series: MetricSeries): unknown[][] {
  return series.tiers.map((tier) => {
    const entries: unknown[] = [];
    for (let p = tier.begin; p < tier.end; p++)
      entries.push({ key: tier.keyAt(p), ...tier.fieldsAt(p, series.bounds) });
    return entries;
  });
}

/** Random points of one kind: mostly a regular schedule, with jitter, bursts, gaps and late arrivals. */
function* points(kind: MetricKind, rand: () => number, count: number) {
  let at = T0_MS;
  const o = newObservation();
  for (let i = 0; i < count; i++) {
    const r = rand();
    if (r < 0.6) at += 10_000;
    else if (r < 0.75) at += Math.floor(rand() * 3000);
    else if (r < 0.85) at += Math.floor(rand() * 900_000);
    else if (r < 0.95) at -= Math.floor(rand() * 120_000);
    else at += 3_600_000 * Math.floor(1 + rand() * 3);
    o.timeMs = at;
    o.increase = Number.NaN;
    o.increaseFromMs = at;
    o.value = Number.NaN;
    o.distribution = null;
    o.distributionFromMs = Number.NaN;
    o.quantiles = null;
    if (kind === "sum") {
      o.value = Math.floor(rand() * 1000);
      if (rand() < 0.9) {
        o.increase = Math.floor(rand() * 50);
        // Now and then a first point's increase, counted since a start up to 30 hours before it.
        o.increaseFromMs = at - Math.floor(rand() * (rand() < 0.03 ? 30 * 3_600_000 : 40_000));
      }
    } else if (kind === "gauge") {
      o.value = rand() * 100 - 50;
    } else {
      const counts = BOUNDS.map(() => Math.floor(rand() * 5));
      counts.push(Math.floor(rand() * 2));
      const count = counts.reduce((a, b) => a + b, 0);
      const min = rand() < 0.5 ? Number.NaN : rand();
      o.distribution = { type: "explicit", bounds: BOUNDS, counts, count, sum: count * 3.5, min, max: min + 9 };
      // Now and then a cumulative histogram's first point, recorded since a start up to 30 hours before it.
      if (rand() < 0.03) o.distributionFromMs = at - 1 - Math.floor(rand() * 30 * 3_600_000);
    }
    yield o;
  }
}

describe("a series' batched folding", () => {
  for (const kind of ["sum", "gauge", "histogram"] as const) {
    it(`holds what folding at once holds, for random ${kind} points (seeded)`, () => {
      for (let seed = 1; seed <= 6; seed++) {
        const rand = prng(seed * 31 + kind.length);
        const batched = seriesOf(kind);
        const atOnce = seriesOf(kind);
        const batchedJournal = new KeyJournal();
        const atOnceJournal = new KeyJournal();
        const raw = TIERS[0]?.capacity ?? 0;
        let i = 0;
        for (const o of points(kind, rand, 2500)) {
          batched.add(o, batchedJournal);
          atOnce.add(o, atOnceJournal);
          atOnce.settle(atOnceJournal);
          expect(atOnce.tiers[0]?.size).toBeLessThanOrEqual(raw);
          expect(batched.tiers[0]?.size).toBeLessThanOrEqual(raw + FOLD_BATCH);
          // Readers settle at any moment: compare there.
          if (++i % 97 === 0 || rand() < 0.01) {
            batched.settle(batchedJournal);
            expect(contents(batched)).toStrictEqual(contents(atOnce));
          }
        }
        batched.settle(batchedJournal);
        expect(contents(batched)).toStrictEqual(contents(atOnce));
        expect(batchedJournal.keys).toStrictEqual(atOnceJournal.keys);
        // However far back a point's increase or values began, no rollup holds more than its capacity.
        for (const tier of batched.tiers.slice(1)) expect(tier.size).toBeLessThanOrEqual(tier.spec.capacity);
        // The last tier is full: points went all the way down.
        expect(batched.tiers.at(-1)?.size).toBeGreaterThan(0);
      }
    });
  }
});

describe("a series' tiers in memory", () => {
  for (const kind of ["gauge", "histogram"] as const) {
    it(`grow to all their rows, then move rows back at most once per eighth of their capacity (${kind})`, () => {
      const series = seriesOf(kind);
      const rand = prng(5);
      const o = newObservation();
      o.timeMs = T0_MS;
      const regular = (count: number) => {
        for (let i = 0; i < count; i++) {
          o.timeMs += 10_000;
          o.value = rand();
          if (kind === "histogram") {
            o.distribution = {
              type: "explicit",
              bounds: BOUNDS,
              counts: [1, 0, 2, 1],
              count: 4,
              sum: 9,
              min: 0.5,
              max: 20,
            };
          }
          series.add(o, null);
        }
      };
      // A day of points 10 s apart: every tier full.
      regular(9000);
      const moves = series.tiers.map(() => 0);
      const added = series.tiers.map(() => 0);
      series.tiers.forEach((tier, k) => {
        expect(tier.data.length / tier.stride).toBe(rowsOf(tier.spec));
        const copyWithin = tier.data.copyWithin.bind(tier.data);
        tier.data.copyWithin = (...args: Parameters<Float64Array["copyWithin"]>) => {
          moves[k] = (moves[k] ?? 0) + 1;
          return copyWithin(...args);
        };
        const insertAt = tier.insertAt.bind(tier);
        tier.insertAt = (at: number, t: number) => {
          added[k] = (added[k] ?? 0) + 1;
          return insertAt(at, t);
        };
      });
      regular(3000);
      series.tiers.forEach((tier, k) => {
        // Never grown again, and moved once per slack's worth of entries.
        expect(tier.data.length / tier.stride).toBe(rowsOf(tier.spec));
        expect(moves[k]).toBeLessThanOrEqual(Math.ceil((added[k] ?? 0) / (tier.spec.capacity >> 3)));
      });
      expect(added[1]).toBeGreaterThan(2500);
    });
  }
});
