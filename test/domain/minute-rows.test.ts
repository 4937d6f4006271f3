import { describe, expect, it } from "vitest";
import { type MinuteLog, MinuteRows, minuteLog } from "../../src/domain/minute-rows.js";
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

/** Each minute's cells (its live rows counted) and its rows, by minute. */
function cellsOf(rows: MinuteRows<number>): Map<number, { cells: number | null; rows: number[] }> {
  return new Map(
    [...rows.minutes.values()].map((m) => [m.minute, { cells: m.cells, rows: [...m.rows.subarray(0, m.n)] }]),
  );
}

const noCompaction = () => {};
/** A read's whole sync of `rows` over `log`. */
const syncAll = (rows: MinuteRows<number>, log: MinuteLog) => rows.sync(log.startCol, noCompaction, () => log);
/** One step of the work done ahead (a deadline already passed); true once nothing is left. */
const step = (rows: MinuteRows<number>, log: MinuteLog) =>
  rows.syncUntil(log.startCol, noCompaction, () => log, Number.NEGATIVE_INFINITY);

describe("MinuteRows: a read's work done ahead in steps", () => {
  it("folds a share of the new rows or rebuilds one minute per step, and ends as one whole sync does", () => {
    const random = seededRandom(5);
    const whole = new MinuteRows<number>((_rows, n) => n);
    const stepped = new MinuteRows<number>((_rows, n) => n);
    // The first 200,000 rows of a log: four steps of folding, then one step per changed minute.
    const more = log(260_000, 150, random);
    const rows = minuteLog(200_000, 200_000, more.startCol, more.slotCol, more.deadSlots);
    syncAll(whole, rows);
    expect(stepped.upToDate(rows.size)).toBe(false);
    let steps = 0;
    while (!step(stepped, rows)) {
      steps++;
      if (steps === 1) expect([...stepped.minutes.values()].every((m) => m.cells === null)).toBe(true);
    }
    expect(steps).toBeGreaterThanOrEqual(3 + 110);
    expect(stepped.upToDate(rows.size)).toBe(true);
    expect(cellsOf(stepped)).toEqual(cellsOf(whole));
    // Rows that die and rows that arrive between steps: still what one sync of the end state gives.
    for (let row = 0; row < 50_000; row += 7) {
      more.deadSlots[row] = 1;
      whole.slotDied(row);
      stepped.slotDied(row);
    }
    step(stepped, more);
    syncAll(whole, more);
    while (!step(stepped, more)) steps++;
    expect(cellsOf(stepped)).toEqual(cellsOf(whole));
    const fresh = new MinuteRows<number>((_rows, n) => n);
    syncAll(fresh, more);
    expect(cellsOf(stepped)).toEqual(cellsOf(fresh));
  });

  it("stops at the deadline, and a read's sync finishes what is left", () => {
    const random = seededRandom(9);
    const rows = log(100_000, 60, random);
    const index = new MinuteRows<number>((_rows, n) => n);
    expect(index.syncUntil(rows.startCol, noCompaction, () => rows, performance.now() - 1)).toBe(false);
    expect(index.upToDate(rows.size)).toBe(false);
    syncAll(index, rows);
    expect(index.upToDate(rows.size)).toBe(true);
    let total = 0;
    for (const m of index.minutes.values()) total += m.cells ?? 0;
    expect(total).toBe(100_000);
  });
});
