/**
 * The captured-snapshots list: its URL filters, its order, and where each live snapshot goes. Like
 * the trace list (ARCHITECTURE.md, "The web app"), rows never move under the reader: while the
 * reader is scrolled down, pointing at the list or has paused, new snapshots wait as "N new".
 */
import type { SnapshotSummaryJson } from "../../../../src/protocol";
import { OrderedList } from "../../lib/ordered-list";

export interface SnapshotFilters {
  service?: string;
  breakpointId?: string;
}

export function snapshotFiltersFromSearch(search: string | URLSearchParams): SnapshotFilters {
  const params = typeof search === "string" ? new URLSearchParams(search) : search;
  const filters: SnapshotFilters = {};
  const service = params.get("service");
  if (service) filters.service = service;
  const breakpoint = params.get("breakpoint");
  if (breakpoint) filters.breakpointId = breakpoint;
  return filters;
}

/** The URL query for some filters ("" when there are none), in a stable order. */
export function snapshotFiltersToSearch(filters: SnapshotFilters): string {
  const params = new URLSearchParams();
  if (filters.service) params.set("service", filters.service);
  if (filters.breakpointId) params.set("breakpoint", filters.breakpointId);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

export function matchesSnapshotFilters(snapshot: SnapshotSummaryJson, filters: SnapshotFilters): boolean {
  if (filters.service !== undefined && snapshot.service !== filters.service) return false;
  if (filters.breakpointId !== undefined && snapshot.breakpointId !== filters.breakpointId) return false;
  return true;
}

/** Milliseconds of an RFC 3339 time; SDKs differ in precision and zone, so strings do not compare. */
export function capturedAtMs(snapshot: Pick<SnapshotSummaryJson, "capturedAt">): number {
  const ms = Date.parse(snapshot.capturedAt);
  return Number.isFinite(ms) ? ms : 0;
}

/** Stored traces remembered for the rows' links: every row's, with room for traces that come before their capture. */
const MAX_STORED_TRACES = 20_000;

/** Beyond this many rows the oldest are dropped from the page (they stay on the server). */
export const MAX_SNAPSHOT_ROWS = 5000;

/**
 * The rows on screen and the live snapshots held back from them, in the server's order: newest
 * arrival first. Summaries carry no arrival time (and SDK clocks disagree, so `capturedAt` cannot
 * stand in for it), so each row gets a rank: pages count down from their first row, live arrivals
 * count up above everything loaded.
 */
export class SnapshotFeed {
  private rank = new Map<string, number>();
  private top = 0;
  private bottom = 0;
  readonly rows = new OrderedList<SnapshotSummaryJson>(
    (s) => s.id,
    (a, b) => (this.rank.get(b.id) ?? 0) - (this.rank.get(a.id) ?? 0),
  );
  private pending = new Map<string, SnapshotSummaryJson>();
  /** Traces known to be stored here, newest last: from each page's answer and the live trace updates. */
  private stored = new Set<string>();

  constructor(private filters: SnapshotFilters = {}) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  /** A fresh first page (new filters, a reconnect): replaces everything. */
  reset(page: readonly SnapshotSummaryJson[], filters: SnapshotFilters): void {
    this.filters = filters;
    this.rows.clear();
    this.pending.clear();
    this.rank.clear();
    this.top = 0;
    this.bottom = 0;
    this.append(page);
  }

  /** An older page, loaded by scrolling: appended below (never held). */
  append(page: readonly SnapshotSummaryJson[]): void {
    for (const snapshot of page) {
      if (this.pending.has(snapshot.id) || this.rows.has(snapshot.id)) continue;
      this.rank.set(snapshot.id, --this.bottom);
      this.rows.upsert(snapshot);
    }
  }

  /**
   * Live snapshots: those that match go on top, or wait while `holding`. A snapshot already on
   * screen is updated in place. Says whether the rows changed and whether any were held.
   */
  receive(snapshots: readonly SnapshotSummaryJson[], holding: boolean): { changed: boolean; held: boolean } {
    let changed = false;
    let held = false;
    for (const snapshot of snapshots) {
      if (!matchesSnapshotFilters(snapshot, this.filters)) continue;
      if (this.rows.has(snapshot.id)) {
        this.rows.upsert(snapshot);
        changed = true;
        continue;
      }
      if (!this.rank.has(snapshot.id)) this.rank.set(snapshot.id, ++this.top);
      if (holding) {
        this.pending.set(snapshot.id, snapshot);
        held = true;
      } else {
        this.rows.upsert(snapshot);
        changed = true;
      }
    }
    if (changed) this.trim();
    return { changed, held };
  }

  /** Puts the held snapshots on screen; false when none were waiting. */
  release(): boolean {
    if (this.pending.size === 0) return false;
    for (const snapshot of this.pending.values()) this.rows.upsert(snapshot);
    this.pending.clear();
    this.trim();
    return true;
  }

  clear(): void {
    this.rows.clear();
    this.pending.clear();
    this.rank.clear();
    this.stored.clear();
  }

  /** Whether a snapshot's trace is stored here, so its row links to it. */
  traceStored(snapshot: Pick<SnapshotSummaryJson, "traceId">): boolean {
    return snapshot.traceId !== null && this.stored.has(snapshot.traceId);
  }

  /**
   * Traces now stored (a page's answer, a live update: spans often come seconds after the capture).
   * Says whether a row on screen gained its link. Remembers the newest MAX_STORED_TRACES.
   */
  tracesStored(traceIds: readonly string[]): boolean {
    let fresh: Set<string> | null = null;
    for (const id of traceIds) {
      if (this.stored.has(id)) continue;
      this.stored.add(id);
      fresh ??= new Set();
      fresh.add(id);
    }
    for (const id of this.stored) {
      if (this.stored.size <= MAX_STORED_TRACES) break;
      this.stored.delete(id);
    }
    if (fresh === null) return false;
    const added = fresh;
    return this.rows.list.some((s) => s.traceId !== null && added.has(s.traceId));
  }

  private trim(): void {
    const dropped = this.rows.list.slice(MAX_SNAPSHOT_ROWS);
    if (dropped.length === 0) return;
    this.rows.trimTo(MAX_SNAPSHOT_ROWS);
    for (const snapshot of dropped) this.rank.delete(snapshot.id);
  }
}
