import { describe, expect, it } from "vitest";
import { appendRuns, DURATION_BUCKETS, Durations, durationBucket } from "../../src/domain/durations.js";
import { percentile } from "../../src/domain/percentile.js";
import { seededRandom } from "../helpers/random.js";

/** Sorted values as a segment of a larger array (with other values around it) and its runs. */
function segment(values: number[]): { values: Float64Array; from: number; to: number; runs: Int32Array } {
  const all = Float64Array.from([-1, 5, ...[...values].sort((a, b) => a - b), 7]);
  const runs: number[] = [99, 99];
  appendRuns(all, 2, 2 + values.length, runs);
  return { values: all, from: 2, to: 2 + values.length, runs: Int32Array.from(runs) };
}

describe("Durations", () => {
  it("buckets durations in order: never a lower bucket for a longer one", () => {
    const random = seededRandom(3);
    const values = [0, 1e-9, 1e-6, 0.001, 1, 1.0000001, 60_000, 1e15, Number.POSITIVE_INFINITY];
    for (let i = 0; i < 2000; i++) values.push(random() * 10 ** Math.floor(random() * 12 - 4));
    values.sort((a, b) => a - b);
    for (let i = 1; i < values.length; i++) {
      expect(durationBucket(values[i] as number)).toBeGreaterThanOrEqual(durationBucket(values[i - 1] as number));
    }
    expect(durationBucket(0)).toBe(0);
    expect(durationBucket(Number.POSITIVE_INFINITY)).toBe(DURATION_BUCKETS - 1);
    // About 9% wide: 100 ms and 110 ms apart, 100 and 101 together.
    expect(durationBucket(100)).toBe(durationBucket(101));
    expect(durationBucket(110)).toBeGreaterThan(durationBucket(100));
  });

  it("gives the exact nearest-rank percentiles of segments and loose values together", () => {
    const random = seededRandom(11);
    const ps = [0, 1, 50, 90, 95, 99, 100];
    const shapes: [string, () => number][] = [
      ["continuous", () => random() * random() * 3000],
      ["whole milliseconds", () => Math.floor(random() * 40) + 100],
      ["one value", () => 1],
      ["narrow", () => 250 + random() * 2],
      ["with zeros", () => (random() < 0.3 ? 0 : random() * 5)],
    ];
    for (const [name, draw] of shapes) {
      for (const [segments, perSegment, loose] of [
        [0, 0, 7],
        [1, 500, 0],
        [1, 3, 2],
        [3, 1, 0],
        [60, 200, 13],
        [200, 50, 0],
        [5, 3000, 40],
      ] as const) {
        const all: number[] = [];
        const durations = new Durations();
        for (let s = 0; s < segments; s++) {
          const values = Array.from({ length: Math.max(1, Math.round(perSegment * random() * 2)) }, draw);
          all.push(...values);
          const { values: array, from, to, runs } = segment(values);
          durations.addSorted(array, from, to, runs, 2, runs.length);
        }
        for (let i = 0; i < loose; i++) {
          const value = draw();
          all.push(value);
          durations.add(value);
        }
        const sorted = [...all].sort((a, b) => a - b);
        expect(durations.count, name).toBe(all.length);
        expect(durations.percentiles(ps), `${name}: ${segments} × ${perSegment} + ${loose}`).toEqual(
          ps.map((p) => percentile(sorted, p)),
        );
        // Merged into another set, and asked twice: the segments are read, never reordered.
        const merged = new Durations();
        merged.add(-0.5);
        merged.addAll(durations);
        expect(merged.percentiles([0, 50])).toEqual([-0.5, percentile([-0.5, ...sorted], 50)]);
        expect(durations.percentiles(ps)).toEqual(ps.map((p) => percentile(sorted, p)));
      }
    }
    expect(new Durations().percentiles([50, 95])).toEqual([0, 0]);
  });
});
