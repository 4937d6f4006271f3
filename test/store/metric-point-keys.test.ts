import { describe, expect, it } from "vitest";
import { DUPLICATE, FORGOT, KEPT, MAX_POINT_KEYS, PointKeys } from "../../src/store/metric-point-keys.js";
import { prng } from "../otlp/helpers.js";

/** The rule PointKeys keeps, by brute force: every key in a sorted list, the oldest time dropped past the bound. */
class Model {
  keys: [bigint, bigint, number][] = [];
  forgotten = -1n;
  receive(time: bigint, start: bigint, source: number): number {
    if (time <= this.forgotten) return DUPLICATE;
    if (this.keys.some(([t, s, o]) => t === time && s === start && o === source)) return DUPLICATE;
    this.keys.push([time, start, source]);
    this.keys.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (this.keys.length <= MAX_POINT_KEYS) return KEPT;
    const oldest = (this.keys[0] as [bigint, bigint, number])[0];
    this.keys = this.keys.filter(([t]) => t > oldest);
    this.forgotten = oldest;
    return FORGOT;
  }
}

describe("a series' point keys", () => {
  it("tell a point received from a new one, late points and equal times included, within bounded room", () => {
    const rand = prng(7);
    const base = 1_767_225_600_000_000_000n;
    for (let round = 0; round < 20; round++) {
      const keys = new PointKeys();
      const model = new Model();
      let clock = 0;
      for (let i = 0; i < 2000; i++) {
        // Mostly newer points, some late ones (a few seconds back), some sent again, some sharing a time.
        const r = rand();
        if (r < 0.6) clock += 1 + Math.floor(rand() * 3);
        const back = r > 0.85 ? Math.floor(rand() * 400) : 0;
        const time = base + BigInt(clock - back) * 1_000_000_000n;
        const start = rand() < 0.9 ? base : base + 1n;
        const source = rand() < 0.9 ? 1 : -5;
        expect(keys.receive(time, start, source), `round ${round}, point ${i}`).toBe(
          model.receive(time, start, source),
        );
        expect(keys.forgottenThrough).toBe(model.forgotten);
        expect(keys.size).toBe(model.keys.length);
      }
      expect(keys.size).toBeLessThanOrEqual(MAX_POINT_KEYS);
    }
  });

  it("takes everything up to a restored time as received", () => {
    const keys = new PointKeys();
    keys.restoreForgotten(100n);
    expect(keys.receive(100n, 0n, 0)).toBe(DUPLICATE);
    expect(keys.receive(101n, 0n, 0)).toBe(KEPT);
    expect(keys.receive(101n, 0n, 0)).toBe(DUPLICATE);
    expect(keys.receive(99n, 1n, 0)).toBe(DUPLICATE);
  });
});
