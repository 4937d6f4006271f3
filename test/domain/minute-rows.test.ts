import { describe, expect, it } from "vitest";
import { type MinuteLog, MinuteRows, minuteLog, PART_ROWS } from "../../src/domain/minute-rows.js";
import { seededRandom } from "../helpers/random.js";

const MINUTE_MS = 60_000;

/** A log of `size` rows starting over `minutes` minutes, in arrival order (mostly ascending), each row its own slot. */
function log(size: number, minutes: number, random: () => number): MinuteLog {
  const startCol = new Float64Array(size);
  const slotCol = new Int32Array(size);
  for (let row = 0; row < size; row++) {
    startCol[row] = Math.floor((row / size) * minutes * MINUTE_MS + random() * 5_000);
    slotCol[row] = row;
  }
  return minuteLog(size, size, startCol, slotCol, new Uint8Array(size));
}

/** Each minute's cells (its live rows counted, over its parts) and its rows, by minute. */
function cellsOf(rows: MinuteRows<number>): Map<number, { cells: number | null; rows: number[] }> {
  return new Map(
    [...rows.minutes].map(([minute, parts]) => [
      minute,
      {
        cells: parts.some((m) => m.cells === null) ? null : parts.reduce((sum, m) => sum + (m.cells ?? 0), 0),
        rows: parts.flatMap((m) => [...m.rows.subarray(0, m.n)]).sort((a, b) => a - b),
      },
    ]),
  );
}

/** Minutes over the log `reading.log` holds (the test moves it on), each counting its live rows. */
function minutesOver(reading: { log: MinuteLog }): MinuteRows<number> {
  return new MinuteRows<number>((_rows, n) => n, { log: () => reading.log, compact: () => {} });
}

describe("MinuteRows: a read's work done ahead in steps", () => {
  it("folds a share of the new rows or rebuilds one minute per step, and ends as one whole sync does", () => {
    const random = seededRandom(5);
    // The first 200,000 rows of a log: four steps of folding, then one step per changed minute.
    const more = log(260_000, 150, random);
    const reading = { log: minuteLog(200_000, 200_000, more.startCol, more.slotCol, more.deadSlots) };
    const whole = minutesOver(reading);
    const stepped = minutesOver(reading);
    // One step of the work done ahead: a deadline already passed.
    const step = () => stepped.syncUntil(Number.NEGATIVE_INFINITY);
    whole.sync();
    expect(stepped.upToDate()).toBe(false);
    let steps = 0;
    while (!step()) {
      steps++;
      if (steps === 1) expect([...stepped.minutes.values()].flat().every((m) => m.cells === null)).toBe(true);
    }
    expect(steps).toBeGreaterThanOrEqual(3 + 110);
    expect(stepped.upToDate()).toBe(true);
    expect(cellsOf(stepped)).toEqual(cellsOf(whole));
    // Rows that die and rows that arrive between steps: still what one sync of the end state gives.
    for (let row = 0; row < 50_000; row += 7) {
      more.deadSlots[row] = 1;
      whole.slotDied(row);
      stepped.slotDied(row);
    }
    reading.log = more;
    step();
    whole.sync();
    while (!step()) steps++;
    expect(cellsOf(stepped)).toEqual(cellsOf(whole));
    const fresh = minutesOver({ log: more });
    fresh.sync();
    expect(cellsOf(stepped)).toEqual(cellsOf(fresh));
  });

  it("keeps a minute of many rows in parts, so that no step builds more than one part's rows", () => {
    const random = seededRandom(11);
    // 50,000 rows in one minute (one large request), in arrival order, then some of them dying.
    const size = 50_000;
    const startCol = new Float64Array(size).map(() => 3 * MINUTE_MS + Math.floor(random() * 50_000));
    const slotCol = new Int32Array(size).map((_, row) => row);
    const reading = { log: minuteLog(size, size, startCol, slotCol, new Uint8Array(size)) };
    const built: number[] = [];
    const index = new MinuteRows<number>(
      (_rows, n) => {
        built.push(n);
        return n;
      },
      { log: () => reading.log, compact: () => {} },
    );
    while (!index.syncUntil(Number.NEGATIVE_INFINITY));
    const parts = index.minutes.get(3) ?? [];
    expect(parts.map((m) => m.n)).toEqual([PART_ROWS, PART_ROWS, PART_ROWS, size - 3 * PART_ROWS]);
    expect(Math.max(...built)).toBeLessThanOrEqual(PART_ROWS);
    for (let row = 0; row < size; row += 3) {
      reading.log.deadSlots[row] = 1;
      index.slotDied(row);
    }
    built.length = 0;
    while (!index.syncUntil(Number.NEGATIVE_INFINITY));
    expect(built.length).toBe(4);
    expect(Math.max(...built)).toBeLessThanOrEqual(PART_ROWS);
    // A read sees every live row once, each part whole in a window over the minute.
    let total = 0;
    index.each(0, Number.POSITIVE_INFINITY, (m, whole) => {
      expect(whole).toBe(true);
      total += m.cells ?? 0;
    });
    expect(total).toBe(size - Math.ceil(size / 3));
    const fresh = minutesOver({ log: reading.log });
    fresh.sync();
    expect(cellsOf(index)).toEqual(cellsOf(fresh));
  });

  it("stops at the deadline, and a read's sync finishes what is left", () => {
    const random = seededRandom(9);
    const index = minutesOver({ log: log(100_000, 60, random) });
    expect(index.syncUntil(performance.now() - 1)).toBe(false);
    expect(index.upToDate()).toBe(false);
    index.sync();
    expect(index.upToDate()).toBe(true);
    let total = 0;
    for (const m of [...index.minutes.values()].flat()) total += m.cells ?? 0;
    expect(total).toBe(100_000);
  });
});
