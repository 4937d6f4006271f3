import type { TraceSummaryJson } from "../../../src/protocol";

/** The trace list's filters; they live in the page URL and map onto `GET /api/traces`. */
export interface ListFilters {
  service?: string;
  /** Text in the trace's name (its root span's). */
  name?: string;
  /** Text anywhere in span names and attribute values; only the server can decide it. */
  q?: string;
  minDurationMs?: number;
  errorsOnly?: boolean;
}

export function filtersFromSearch(search: string | URLSearchParams): ListFilters {
  const params = typeof search === "string" ? new URLSearchParams(search) : search;
  const filters: ListFilters = {};
  const service = params.get("service");
  if (service) filters.service = service;
  const name = params.get("name")?.trim();
  if (name) filters.name = name;
  const q = params.get("q")?.trim();
  if (q) filters.q = q;
  const min = params.get("minDurationMs");
  if (min !== null && min.trim() !== "") {
    const n = Number(min);
    if (Number.isFinite(n) && n > 0) filters.minDurationMs = n;
  }
  const errors = params.get("errors");
  if (errors === "1" || errors === "true") filters.errorsOnly = true;
  return filters;
}

/** The URL query for some filters ("" when there are none), in a stable order. */
export function filtersToSearch(filters: ListFilters): string {
  const params = new URLSearchParams();
  if (filters.service) params.set("service", filters.service);
  if (filters.name) params.set("name", filters.name);
  if (filters.q) params.set("q", filters.q);
  if (filters.minDurationMs !== undefined && filters.minDurationMs > 0) {
    params.set("minDurationMs", String(filters.minDurationMs));
  }
  if (filters.errorsOnly) params.set("errors", "1");
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

export function hasFilters(filters: ListFilters): boolean {
  return filtersToSearch(filters) !== "";
}

export function sameFilters(a: ListFilters, b: ListFilters): boolean {
  return filtersToSearch(a) === filtersToSearch(b);
}

/**
 * Whether a pushed summary belongs in the filtered list. Free text cannot be decided from a
 * summary ("unknown": ask the server); the other filters can.
 */
export function matchesFilters(summary: TraceSummaryJson, filters: ListFilters): "yes" | "no" | "unknown" {
  if (filters.service !== undefined && !summary.services.includes(filters.service)) return "no";
  if (filters.errorsOnly && summary.errorCount === 0) return "no";
  if (filters.minDurationMs !== undefined && summary.durationMs < filters.minDurationMs) return "no";
  if (filters.name !== undefined && !summary.name.toLowerCase().includes(filters.name.toLowerCase())) return "no";
  return filters.q !== undefined ? "unknown" : "yes";
}

/** Compares two decimal strings of non-negative integers without losing precision. */
function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The server's order: newest start first, then trace id descending. */
export function compareNewestFirst(a: TraceSummaryJson, b: TraceSummaryJson): number {
  const byStart = compareDecimal(b.startTimeUnixNano, a.startTimeUnixNano);
  if (byStart !== 0) return byStart;
  return a.traceId < b.traceId ? 1 : a.traceId > b.traceId ? -1 : 0;
}

/** The traces on screen, newest first, updated in place as summaries change. */
export class TraceListModel {
  private items: TraceSummaryJson[] = [];
  private byId = new Map<string, TraceSummaryJson>();

  get list(): readonly TraceSummaryJson[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }

  has(traceId: string): boolean {
    return this.byId.has(traceId);
  }

  get(traceId: string): TraceSummaryJson | undefined {
    return this.byId.get(traceId);
  }

  indexOf(traceId: string): number {
    const summary = this.byId.get(traceId);
    return summary === undefined ? -1 : this.position(summary);
  }

  /** Adds or replaces a summary, keeping the order; says which it was. */
  upsert(summary: TraceSummaryJson): "added" | "updated" {
    const old = this.byId.get(summary.traceId);
    if (old !== undefined) {
      const index = this.position(old);
      if (old.startTimeUnixNano === summary.startTimeUnixNano) {
        this.items[index] = summary;
        this.byId.set(summary.traceId, summary);
        return "updated";
      }
      this.items.splice(index, 1);
    }
    this.items.splice(this.insertionPoint(summary), 0, summary);
    this.byId.set(summary.traceId, summary);
    return old === undefined ? "added" : "updated";
  }

  remove(traceId: string): boolean {
    const old = this.byId.get(traceId);
    if (old === undefined) return false;
    this.items.splice(this.position(old), 1);
    this.byId.delete(traceId);
    return true;
  }

  /** Keeps the newest `max` traces; returns how many older ones were dropped. */
  trimTo(max: number): number {
    if (this.items.length <= max) return 0;
    const dropped = this.items.splice(max);
    for (const summary of dropped) this.byId.delete(summary.traceId);
    return dropped.length;
  }

  clear(): void {
    this.items = [];
    this.byId.clear();
  }

  /** Index of a summary that is in the list (binary search on the sort key). */
  private position(summary: TraceSummaryJson): number {
    const at = this.insertionPoint(summary);
    if (this.items[at]?.traceId === summary.traceId) return at;
    // Not found by key (should not happen): fall back to a scan rather than corrupt the list.
    return this.items.findIndex((s) => s.traceId === summary.traceId);
  }

  private insertionPoint(summary: TraceSummaryJson): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareNewestFirst(this.items[mid] as TraceSummaryJson, summary) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
