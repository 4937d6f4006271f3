/**
 * The Logs page's list: newest first, live. Like the trace list (ARCHITECTURE.md, "The web app"),
 * rows never move under the reader: while the reader is scrolled down, points at the list, has a
 * record open or has paused, new records wait as "N new". Pure, so it is tested without a browser.
 */
import type { LogRecordJson } from "../../../../src/protocol";
import { OrderedList } from "../../lib/ordered-list";
import { compareDecimal } from "../../state/trace-list-model";
import { type LogFilters, matchesLogFilters } from "./log-filters";

/** Beyond this many rows the oldest are dropped from the page (they stay on the server). */
export const MAX_LOG_ROWS = 10_000;
/** Beyond this many held records the rest are only counted; showing them loads the list afresh. */
export const MAX_HELD_LOGS = 5_000;

/**
 * The list's order: newest time first; among equal times the later arrival first (the server
 * assigns ids on arrival; compared as decimals, which orders numeric ids and is total for any).
 */
export function compareLogsNewestFirst(a: LogRecordJson, b: LogRecordJson): number {
  return compareDecimal(b.timeUnixNano, a.timeUnixNano) || compareDecimal(b.id, a.id);
}

/** The trace view's order: oldest first. */
export function compareLogsOldestFirst(a: LogRecordJson, b: LogRecordJson): number {
  return -compareLogsNewestFirst(a, b);
}

/**
 * The server's cursor for the page after a record ("<time>_<id>": its position in the order), so
 * scrolling goes on from the last row kept once the oldest rows were dropped from the page.
 */
export function cursorAfter(record: Pick<LogRecordJson, "timeUnixNano" | "id">): string {
  return `${record.timeUnixNano}_${record.id}`;
}

/**
 * The cursor whose (newest first) page starts at the record itself: the place just above it in the
 * order (its time, the next arrival), so a list can be loaded from a record down.
 */
export function cursorAt(record: Pick<LogRecordJson, "timeUnixNano" | "id">): string {
  return `${record.timeUnixNano}_${Number(record.id) + 1}`;
}

export interface ReceiveResult {
  /** The rows on screen changed. */
  changed: boolean;
  /** Some records were held back. */
  held: boolean;
  /** Some records could only be placed by the server (a text filter): ask it. */
  unknown: boolean;
  /**
   * A record named a service no record before it had: the filter menu gains it, even when no row
   * changed (the record is of another service than the one filtered to, say).
   */
  newService: boolean;
}

export class LogFeed {
  readonly rows = new OrderedList<LogRecordJson>((record) => record.id, compareLogsNewestFirst);
  /** Every service seen on any record, for the filter menu. */
  readonly services = new Set<string>();
  private pending = new Map<string, LogRecordJson>();
  private heldBeyondBound = 0;
  /** Rows dropped from the bottom since the last reset (the older pages must start after the new last row). */
  trimmed = 0;
  /**
   * The list was loaded around one record (a link to a record far down): newer records than its top
   * row are stored but not loaded. New records cannot go on top without a gap, so they are only
   * counted, and showing them loads the list afresh from the newest, only when the reader asks.
   */
  newerNotLoaded = false;

  constructor(private filters: LogFilters = {}) {}

  /** How many new records wait behind "N new" (including those only counted). */
  get pendingCount(): number {
    return this.pending.size + this.heldBeyondBound;
  }

  /** A fresh first page (new filters, a reconnect, a reload): replaces everything. */
  reset(page: readonly LogRecordJson[], filters: LogFilters, newerNotLoaded = false): void {
    this.filters = filters;
    this.rows.clear();
    this.pending.clear();
    this.heldBeyondBound = 0;
    this.trimmed = 0;
    this.newerNotLoaded = newerNotLoaded;
    this.append(page);
  }

  /** An older page, loaded by scrolling: it goes below (never held). */
  append(page: readonly LogRecordJson[]): void {
    for (const record of page) {
      this.services.add(record.service);
      if (!this.pending.has(record.id)) this.rows.upsert(record);
    }
  }

  /** Live records (oldest first, as pushed): those that match go in, or wait while `holding`. */
  receive(records: readonly LogRecordJson[], holding: boolean): ReceiveResult {
    const result: ReceiveResult = { changed: false, held: false, unknown: false, newService: false };
    const matching: LogRecordJson[] = [];
    for (const record of records) {
      if (!this.services.has(record.service)) {
        this.services.add(record.service);
        result.newService = true;
      }
      const match = matchesLogFilters(record, this.filters);
      // Above a list loaded around a record new records are only counted: those only the server can
      // place (a text filter) are counted as if they matched, as asking it would count older ones too.
      if (match === "unknown" && this.newerNotLoaded) matching.push(record);
      else if (match === "unknown") result.unknown = true;
      else if (match === "yes") matching.push(record);
    }
    const placed = this.place(matching, holding);
    result.changed = placed.changed;
    result.held = placed.held;
    return result;
  }

  /** Records known to match (the server said so): in, or held while `holding`. */
  place(records: readonly LogRecordJson[], holding: boolean): { changed: boolean; held: boolean } {
    let changed = false;
    let held = false;
    for (const record of records) {
      if (this.rows.has(record.id)) {
        this.rows.upsert(record);
        changed = true;
      } else if (this.newerNotLoaded) {
        this.heldBeyondBound++;
        held = true;
      } else if (holding || this.pending.has(record.id)) {
        this.hold(record);
        held = true;
      } else {
        this.rows.upsert(record);
        changed = true;
      }
    }
    if (changed) this.trim();
    return { changed, held };
  }

  /**
   * Puts the held records on screen. "reload" when more were held than kept: the list must be
   * loaded afresh, as showing only some of them would leave a gap. A list loaded around a record
   * ("newerNotLoaded") only reloads when the reader `asked` ("N new"): loading it from the newest
   * loses the records around the linked one, which reaching the top or leaving the list must not do.
   */
  release(asked = false): "none" | "released" | "reload" {
    if (this.newerNotLoaded && !asked) return "none";
    if (this.heldBeyondBound > 0) return "reload";
    if (this.pending.size === 0) return "none";
    for (const record of this.pending.values()) this.rows.upsert(record);
    this.pending.clear();
    this.trim();
    return "released";
  }

  /**
   * The server stored `count` records that no live message carried (more arrived within a tick than
   * one message holds): the list has a gap below the records pushed with them. While `holding` they
   * wait as records only counted, so showing them loads the list afresh; else "reload": load it now.
   * Above a list loaded around a record they are only counted too, as every new record is there.
   * They may not all match the filters; only the server can say, so they are counted as if they did.
   */
  missed(count: number, holding: boolean): "none" | "held" | "reload" {
    if (count <= 0) return "none";
    if (!holding && !this.newerNotLoaded) return "reload";
    this.heldBeyondBound += count;
    return "held";
  }

  clear(): void {
    this.rows.clear();
    this.pending.clear();
    this.services.clear();
    this.heldBeyondBound = 0;
    this.trimmed = 0;
    this.newerNotLoaded = false;
  }

  private hold(record: LogRecordJson): void {
    if (this.pending.has(record.id)) this.pending.set(record.id, record);
    else if (this.pending.size < MAX_HELD_LOGS && this.heldBeyondBound === 0) this.pending.set(record.id, record);
    else this.heldBeyondBound++;
  }

  private trim(): void {
    this.trimmed += this.rows.trimTo(MAX_LOG_ROWS);
  }
}
