/**
 * The rows of an append-only log (the service map's entries, the LLM calls) grouped by the minute their
 * span starts in, with what an index adds up over each minute's rows (its cells), so that a window
 * over a million rows sums a few thousand cells and reads only the rows of the minutes it cuts
 * through. Nothing happens here while rows are written: a read first folds the rows that arrived since
 * the last one into their minutes, and rebuilds the cells of exactly the minutes that changed (rows
 * arrived, or died: a row the index marks dead, a trace it evicts). The same work can be done ahead in
 * bounded steps (`syncUntil`), which a quiet moment does so that a read finds it done. Pure; no I/O.
 *
 * A minute's rows are kept in parts of at most PART_ROWS, each with its own cells, so that no step
 * rebuilds more than that: one large request puts all its spans in one minute, and rebuilding that
 * minute whole (70,000 rows) held the event loop for 25-50 ms at a time on a slow machine.
 */
import { resized } from "./typed-arrays.js";

const MINUTE_MS = 60_000;
const NO_SLOTS = new Int32Array(0);
/** Rows folded per step of a bounded sync (a few milliseconds' work). */
const FOLD_ROWS = 16_384;
/** The most rows a part of a minute holds: rebuilding one is a few milliseconds' work. */
export const PART_ROWS = 16_384;

/** One part of a minute's rows (a minute with more than PART_ROWS rows has several). */
export interface Minute<C> {
  readonly minute: number;
  /** Its rows, ascending; once synced, only live ones. */
  rows: Int32Array;
  n: number;
  /** The distinct slots (traces) of its rows. */
  slots: Int32Array;
  /** Earliest and latest start of its rows (unix ms). */
  minStart: number;
  maxStart: number;
  /** What the index built over its rows; null only while it waits to be built. */
  cells: C | null;
  dirty: boolean;
}

/** What a minute is built from: a row is dead when its slot is (`deadSlots[slot]` 1), or its flags have `deadFlag`. */
export interface MinuteLog {
  size: number;
  /** Slots in use: every row's slot is below. */
  slots: number;
  startCol: Float64Array;
  slotCol: Int32Array;
  deadSlots: Uint8Array;
  flagCol: Uint8Array | null;
  deadFlag: number;
}

/** A MinuteLog; rows die only with their slot unless `rowFlags` says how a dead row is flagged. */
export function minuteLog(
  size: number,
  slots: number,
  startCol: Float64Array,
  slotCol: Int32Array,
  deadSlots: Uint8Array,
  rowFlags: { flagCol: Uint8Array; deadFlag: number } | null = null,
): MinuteLog {
  return {
    size,
    slots,
    startCol,
    slotCol,
    deadSlots,
    flagCol: rowFlags?.flagCol ?? null,
    deadFlag: rowFlags?.deadFlag ?? 0,
  };
}

/** Where a MinuteRows reads its rows from: the index's log as it is now, and the compaction it may run. */
export interface MinuteSource {
  log(): MinuteLog;
  /** Compacts the log when it is mostly dead (calling `renumber`); called before new rows are folded. */
  compact(): void;
}

export class MinuteRows<C> {
  /** Each minute's parts, by minute; rows arrive in its last part until that is full. Never an empty list. */
  readonly minutes = new Map<number, Minute<C>[]>();
  /** Rows [0, folded) are in their minutes. */
  private folded = 0;
  private dirty: Minute<C>[] = [];
  /** Folded rows and slots that died since the last read. */
  private diedRows: number[] = [];
  private diedSlots: number[] = [];
  /** First and last minute of each slot's folded rows (Infinity and -Infinity: none). */
  private slotFirst = new Float64Array(0);
  private slotLast = new Float64Array(0);
  /** Distinct slots are counted by marking them with the current `generation`. */
  private marks = new Int32Array(0);
  private generation = 0;
  /** The log's capacity when `beforeAppend` last found it three quarters full and still mostly alive (-1: none). */
  private checkedCapacity = -1;

  /** `build` adds up a minute's live rows `rows[0, n)` into its cells. */
  constructor(
    private readonly build: (rows: Int32Array, n: number) => C,
    private readonly source: MinuteSource,
  ) {}

  /** A row the index marked dead. */
  rowDied(row: number): void {
    if (row < this.folded) this.diedRows.push(row);
  }

  /** A row whose flags the index changed (a request found failed): its minute is built again, as for a death. */
  rowChanged(row: number): void {
    this.rowDied(row);
  }

  /** A slot (trace) the index evicted. */
  slotDied(slot: number): void {
    if (slot < this.slotFirst.length && (this.slotFirst[slot] as number) !== Infinity) this.diedSlots.push(slot);
  }

  clear(): void {
    this.minutes.clear();
    this.folded = 0;
    this.dirty = [];
    this.diedRows = [];
    this.diedSlots = [];
    this.slotFirst.fill(Infinity);
    this.slotLast.fill(-Infinity);
    this.checkedCapacity = -1;
  }

  /**
   * Brings the minutes up to date before a read: the minutes that lost rows are marked, then the
   * source may compact its log (calling `renumber`), then new rows are folded in and every changed
   * minute is rebuilt from the log (read again after compacting, which may replace the columns).
   */
  sync(): void {
    this.syncUntil(Number.POSITIVE_INFINITY);
  }

  /**
   * The same work as `sync` in part, for a quiet moment ahead of a read (see span-views.ts): it stops
   * once `deadline` (performance.now()) has passed, after at least one step (a share of the new rows
   * folded, or one changed minute rebuilt). True when nothing is left, so a read's `sync` finds
   * nothing to do.
   */
  syncUntil(deadline: number): boolean {
    this.compactLog();
    return this.update(this.source.log(), deadline);
  }

  /**
   * Called by the index before it appends a row, where it holds no row or slot number: once its log
   * is three quarters full, lets the source compact it (which it does when mostly dead). Under steady
   * ingest with nothing read, nothing else would: evicted traces' rows piled up and every column was
   * copied to one twice its size again and again (one such copy held the event loop ~100 ms at a few
   * million rows). A log still mostly alive is looked at again once it has grown or shrunk.
   */
  beforeAppend(size: number, capacity: number): void {
    if (size * 4 < capacity * 3 || capacity === this.checkedCapacity) return;
    this.compactLog();
    this.checkedCapacity = this.source.log().size < size ? -1 : capacity;
  }

  /** Marks the minutes that lost rows, then lets the source compact its log (rows still where they died when marked). */
  private compactLog(): void {
    this.noteDeaths(this.source.log().startCol);
    this.source.compact();
  }

  /** `syncUntil`, unless a read would find nothing to do already (then not even compaction is looked at). */
  warm(deadline: number): boolean {
    return this.upToDate() || this.syncUntil(deadline);
  }

  /** Whether every row of the log is folded and every minute is built (a read would find nothing to do). */
  upToDate(): boolean {
    return (
      this.folded === this.source.log().size &&
      this.dirty.length === 0 &&
      this.diedRows.length === 0 &&
      this.diedSlots.length === 0
    );
  }

  /** Marks the minutes that lost rows since the last read; before the log is compacted (rows still where they died). */
  private noteDeaths(startCol: Float64Array): void {
    for (const row of this.diedRows) this.markDirty(Math.floor((startCol[row] as number) / MINUTE_MS));
    for (const slot of this.diedSlots) {
      const first = this.slotFirst[slot] as number;
      const last = this.slotLast[slot] as number;
      if (last - first < this.minutes.size) {
        for (let minute = first; minute <= last; minute++) this.markDirty(minute);
      } else {
        for (const minute of this.minutes.keys()) if (minute >= first && minute <= last) this.markDirty(minute);
      }
      this.slotFirst[slot] = Infinity;
      this.slotLast[slot] = -Infinity;
    }
    this.diedRows = [];
    this.diedSlots = [];
  }

  /**
   * The log was compacted: row `r` is now `newRow[r]` and slot `s` is `newSlot[s]` (-1: dropped). Only
   * dead rows and slots are dropped, which only minutes marked by `noteDeaths` hold: the cells of the
   * others stay right.
   */
  renumber(newRow: Int32Array, newSlot: Int32Array, slots: number): void {
    for (const m of this.parts()) {
      let n = 0;
      for (let i = 0; i < m.n; i++) {
        const row = newRow[m.rows[i] as number] as number;
        if (row >= 0) m.rows[n++] = row;
      }
      let kept = 0;
      const renamed = new Int32Array(m.slots.length);
      for (const slot of m.slots) if ((newSlot[slot] as number) >= 0) renamed[kept++] = newSlot[slot] as number;
      m.slots = renamed.subarray(0, kept);
      m.n = n;
    }
    let last = this.folded - 1;
    while (last >= 0 && (newRow[last] as number) < 0) last--;
    this.folded = last < 0 ? 0 : (newRow[last] as number) + 1;
    const first = new Float64Array(Math.max(slots, 16)).fill(Infinity);
    const lastMinute = new Float64Array(first.length).fill(-Infinity);
    for (let slot = 0; slot < newSlot.length && slot < this.slotFirst.length; slot++) {
      const to = newSlot[slot] as number;
      if (to < 0) continue;
      first[to] = this.slotFirst[slot] as number;
      lastMinute[to] = this.slotLast[slot] as number;
    }
    this.slotFirst = first;
    this.slotLast = lastMinute;
    if (this.marks.length < first.length) this.marks = resized(this.marks, first.length);
  }

  /**
   * The log dropped its first `rows` rows and first `slots` slots, all dead (which only minutes marked
   * by `noteDeaths` hold), and kept `keptSlots` slots: every other row and slot is that much lower.
   */
  dropFront(rows: number, slots: number, keptSlots: number): void {
    for (const m of this.parts()) {
      let n = 0;
      for (let i = 0; i < m.n; i++) {
        const row = (m.rows[i] as number) - rows;
        if (row >= 0) m.rows[n++] = row;
      }
      m.n = n;
      let kept = 0;
      for (let i = 0; i < m.slots.length; i++) {
        const slot = (m.slots[i] as number) - slots;
        if (slot >= 0) m.slots[kept++] = slot;
      }
      if (kept < m.slots.length) m.slots = m.slots.subarray(0, kept);
    }
    this.folded = Math.max(this.folded - rows, 0);
    const end = Math.min(this.slotFirst.length, slots + keptSlots);
    this.slotFirst.copyWithin(0, slots, end);
    this.slotLast.copyWithin(0, slots, end);
    this.slotFirst.fill(Infinity, Math.max(end - slots, 0));
    this.slotLast.fill(-Infinity, Math.max(end - slots, 0));
  }

  /**
   * Folds the rows that arrived since the last call into their minutes and rebuilds every changed
   * minute; with a finite `deadline`, folds FOLD_ROWS at a time and stops at the first step past it.
   */
  private update(log: MinuteLog, deadline: number): boolean {
    if (log.slots > this.slotFirst.length) this.growSlots(log.slots);
    const bounded = deadline !== Number.POSITIVE_INFINITY;
    while (this.folded < log.size) {
      this.fold(log, bounded ? Math.min(log.size, this.folded + FOLD_ROWS) : log.size);
      if (bounded && performance.now() >= deadline) return false;
    }
    for (let m = this.dirty.pop(); m !== undefined; m = this.dirty.pop()) {
      this.rebuild(m, log);
      if (bounded && this.dirty.length > 0 && performance.now() >= deadline) return false;
    }
    return true;
  }

  /**
   * Folds rows [folded, end) into their minutes' last parts (a new part as each fills), marking those
   * parts changed. A part's list grows to twice its size at most (up to PART_ROWS).
   */
  private fold(log: MinuteLog, end: number): void {
    const startCol = log.startCol;
    let from = this.folded;
    while (from < end) {
      const minute = Math.floor((startCol[from] as number) / MINUTE_MS);
      let to = from + 1;
      while (to < end && Math.floor((startCol[to] as number) / MINUTE_MS) === minute) to++;
      let parts = this.minutes.get(minute);
      if (parts === undefined) {
        parts = [];
        this.minutes.set(minute, parts);
      }
      while (from < to) {
        let m = parts[parts.length - 1];
        if (m === undefined || m.n >= PART_ROWS) {
          const start = startCol[from] as number;
          m = {
            minute,
            rows: NO_SLOTS,
            n: 0,
            slots: NO_SLOTS,
            minStart: start,
            maxStart: start,
            cells: null,
            dirty: false,
          };
          parts.push(m);
        }
        const take = Math.min(to - from, PART_ROWS - m.n);
        if (m.n + take > m.rows.length) {
          m.rows = resized(m.rows, Math.min(PART_ROWS, Math.max(m.n + take, 2 * m.rows.length)));
        }
        for (let row = from; row < from + take; row++) m.rows[m.n++] = row;
        if (!m.dirty) {
          m.dirty = true;
          this.dirty.push(m);
        }
        from += take;
      }
    }
    this.folded = end;
  }

  /** Every part of every minute. */
  private *parts(): Generator<Minute<C>> {
    for (const parts of this.minutes.values()) yield* parts;
  }

  /**
   * Calls `visit` for each part of a minute with rows that start in [sinceMs, untilMs] (either may be
   * infinite), telling whether all its rows do (then its cells answer for it).
   */
  each(sinceMs: number, untilMs: number, visit: (minute: Minute<C>, whole: boolean) => void): void {
    // One minute of margin each side: which minute a start falls in is decided by a rounded division.
    const first = Math.floor(sinceMs / MINUTE_MS) - 1;
    const last = Math.floor(untilMs / MINUTE_MS) + 1;
    const one = (m: Minute<C>) => {
      if (m.maxStart < sinceMs || m.minStart > untilMs) return;
      visit(m, m.minStart >= sinceMs && m.maxStart <= untilMs);
    };
    if (last - first < this.minutes.size) {
      for (let minute = first; minute <= last; minute++) {
        const parts = this.minutes.get(minute);
        if (parts !== undefined) for (const m of parts) one(m);
      }
    } else {
      for (const [minute, parts] of this.minutes) if (minute >= first && minute <= last) for (const m of parts) one(m);
    }
  }

  /** Starts counting distinct slots afresh (see countSlot). */
  startCount(): void {
    this.nextGeneration();
  }

  /** 1 the first time `slot` is counted since `startCount`, else 0. */
  countSlot(slot: number): number {
    if (this.marks[slot] === this.generation) return 0;
    this.marks[slot] = this.generation;
    return 1;
  }

  /** The slots of `minute` not counted yet since `startCount`. */
  countSlots(minute: Minute<C>): number {
    let counted = 0;
    for (const slot of minute.slots) counted += this.countSlot(slot);
    return counted;
  }

  private markDirty(minute: number): void {
    for (const m of this.minutes.get(minute) ?? []) {
      if (m.dirty) continue;
      m.dirty = true;
      this.dirty.push(m);
    }
  }

  /** Drops a changed part's dead rows and builds its cells again; an emptied part is deleted. */
  private rebuild(m: Minute<C>, log: MinuteLog): void {
    const { startCol, slotCol, deadSlots, flagCol, deadFlag } = log;
    this.nextGeneration();
    const slots: number[] = [];
    let minStart = Number.POSITIVE_INFINITY;
    let maxStart = Number.NEGATIVE_INFINITY;
    let n = 0;
    for (let i = 0; i < m.n; i++) {
      const row = m.rows[i] as number;
      const slot = slotCol[row] as number;
      if (deadSlots[slot] === 1 || (flagCol !== null && ((flagCol[row] as number) & deadFlag) !== 0)) continue;
      m.rows[n++] = row;
      const start = startCol[row] as number;
      if (start < minStart) minStart = start;
      if (start > maxStart) maxStart = start;
      if (this.countSlot(slot) === 1) slots.push(slot);
    }
    m.n = n;
    m.dirty = false;
    if (n === 0) {
      const parts = this.minutes.get(m.minute) ?? [];
      const at = parts.indexOf(m);
      if (at >= 0) parts.splice(at, 1);
      if (parts.length === 0) this.minutes.delete(m.minute);
      return;
    }
    // Where each slot has rows, for its eviction (a range that may hold minutes it left: those are rebuilt for nothing).
    for (const slot of slots) {
      if (m.minute < (this.slotFirst[slot] as number)) this.slotFirst[slot] = m.minute;
      if (m.minute > (this.slotLast[slot] as number)) this.slotLast[slot] = m.minute;
    }
    if (m.rows.length > 2 * n + 16) m.rows = resized(m.rows, n);
    m.slots = Int32Array.from(slots);
    m.minStart = minStart;
    m.maxStart = maxStart;
    m.cells = this.build(m.rows, n);
  }

  private growSlots(size: number): void {
    const capacity = Math.max(size, this.slotFirst.length * 2, 16);
    const from = this.slotFirst.length;
    this.slotFirst = resized(this.slotFirst, capacity);
    this.slotLast = resized(this.slotLast, capacity);
    this.slotFirst.fill(Infinity, from);
    this.slotLast.fill(-Infinity, from);
    this.marks = resized(this.marks, capacity);
  }

  private nextGeneration(): void {
    this.generation++;
    if (this.generation === 0x7fffffff) {
      this.marks.fill(0);
      this.generation = 1;
    }
  }
}
