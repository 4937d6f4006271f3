import { idOfQuery } from "../../../src/domain/query-ids";
import type { TraceSummaryJson } from "../../../src/protocol";
import { OrderedList } from "../lib/ordered-list";

/** The trace list's filters; they live in the page URL and map onto `GET /api/traces`. */
export interface ListFilters {
  service?: string;
  /** Text in the trace's name (its root span's). */
  name?: string;
  /** Text anywhere in span names and attribute values; only the server can decide it. */
  q?: string;
  /** The Min duration box's. */
  minDurationMs?: number;
  /**
   * The least duration of a rectangle brushed on the latency chart: the list holds traces at least
   * the greater of this and `minDurationMs` long (effectiveMinMs), so a brush narrows the box's
   * minimum but never widens it, and clearing the selection leaves the box's.
   */
  brushMinMs?: number;
  /** Only traces at most this long (set by brushing the latency chart). */
  maxDurationMs?: number;
  errorsOnly?: boolean;
  /** Only traces that start in this window (unix ms, inclusive), e.g. one `tracekit-local run`. */
  since?: number;
  until?: number;
  /** The list's order; absent for the default, newest first (start, descending). */
  sort?: ListSortKey;
  /** Absent for descending. */
  order?: "asc";
}

export const LIST_SORT_KEYS = ["start", "duration", "spans", "errors"] as const;
export type ListSortKey = (typeof LIST_SORT_KEYS)[number];

/** The order a list is in: by a key, descending unless `ascending`. */
export interface ListSort {
  by: ListSortKey;
  ascending: boolean;
}

export function sortOf(filters: ListFilters): ListSort {
  return { by: filters.sort ?? "start", ascending: filters.order === "asc" };
}

/** Newest first: the order that stays live (other orders hold new traces behind "N new"). */
export function isDefaultSort(sort: ListSort): boolean {
  return sort.by === "start" && !sort.ascending;
}

/** The filters' `sort` and `order` for a sort, the default written as nothing. */
export function sortFields(sort: ListSort): Pick<ListFilters, "sort" | "order"> {
  if (isDefaultSort(sort)) return { sort: undefined, order: undefined };
  return { sort: sort.by, order: sort.ascending ? "asc" : undefined };
}

/**
 * The sort after clicking a column's header: a new column sorts descending (longest, most, newest
 * first), the same column then ascending, then the list goes back to newest first.
 */
export function nextSort(current: ListSort, column: ListSortKey): ListSort {
  if (current.by !== column) return { by: column, ascending: false };
  if (!current.ascending) return { by: column, ascending: true };
  return { by: "start", ascending: false };
}

/** What a column header tells assistive technology (`aria-sort`). */
export function ariaSortOf(current: ListSort, column: ListSortKey): "ascending" | "descending" | "none" {
  if (current.by !== column) return "none";
  return current.ascending ? "ascending" : "descending";
}

function unixMsParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name)?.trim();
  return raw && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
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
  const brushMin = params.get("brushMinMs");
  if (brushMin !== null && brushMin.trim() !== "") {
    const n = Number(brushMin);
    if (Number.isFinite(n) && n > 0) filters.brushMinMs = n;
  }
  const max = params.get("maxDurationMs");
  if (max !== null && max.trim() !== "") {
    const n = Number(max);
    if (Number.isFinite(n) && n >= 0) filters.maxDurationMs = n;
  }
  const sort = params.get("sort");
  const order = params.get("order");
  if ((LIST_SORT_KEYS as readonly string[]).includes(sort ?? "")) {
    Object.assign(filters, sortFields({ by: sort as ListSortKey, ascending: order === "asc" }));
    if (filters.sort === undefined) delete filters.sort;
    if (filters.order === undefined) delete filters.order;
  }
  const errors = params.get("errors");
  if (errors === "1" || errors === "true") filters.errorsOnly = true;
  const since = unixMsParam(params, "since");
  if (since !== undefined) filters.since = since;
  const until = unixMsParam(params, "until");
  if (until !== undefined) filters.until = until;
  return filters;
}

/** The least duration the list holds: the Min box's and a brushed rectangle's, whichever is greater. */
export function effectiveMinMs(filters: Pick<ListFilters, "minDurationMs" | "brushMinMs">): number | undefined {
  const { minDurationMs, brushMinMs } = filters;
  if (minDurationMs === undefined) return brushMinMs;
  return brushMinMs === undefined ? minDurationMs : Math.max(minDurationMs, brushMinMs);
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
  if (filters.brushMinMs !== undefined && filters.brushMinMs > 0) params.set("brushMinMs", String(filters.brushMinMs));
  if (filters.maxDurationMs !== undefined) params.set("maxDurationMs", String(filters.maxDurationMs));
  if (filters.errorsOnly) params.set("errors", "1");
  if (filters.since !== undefined) params.set("since", String(filters.since));
  if (filters.until !== undefined) params.set("until", String(filters.until));
  if (filters.sort !== undefined) params.set("sort", filters.sort);
  if (filters.order !== undefined) params.set("order", filters.order);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

/**
 * The filters after one edit. `drafts` holds what is typed into text boxes but not yet committed
 * (their commit waits for typing to pause): another filter's change keeps those edits instead of
 * bringing back the committed text, and empty or false values are dropped.
 */
export function editFilters(
  current: ListFilters,
  drafts: Partial<ListFilters>,
  patch: Partial<ListFilters>,
): ListFilters {
  const next: ListFilters = { ...current, ...drafts, ...patch };
  for (const key of Object.keys(next) as (keyof ListFilters)[]) {
    if (next[key] === undefined || next[key] === "" || next[key] === false) delete next[key];
  }
  return next;
}

export function hasFilters(filters: ListFilters): boolean {
  return filtersToSearch(filters) !== "";
}

export function sameFilters(a: ListFilters, b: ListFilters): boolean {
  return filtersToSearch(a) === filtersToSearch(b);
}

/**
 * Whether a pushed summary belongs in the filtered list. Free text cannot be decided from a
 * summary ("unknown": ask the server), nor a name it does not hold: the server finds a trace by the
 * routes of the requests in it as well (its entry operations, as the Services page lists them), and by
 * the rest of a long name the summary carries the beginning of; the other filters can.
 */
export function matchesFilters(summary: TraceSummaryJson, filters: ListFilters): "yes" | "no" | "unknown" {
  if (filters.service !== undefined && !summary.services.includes(filters.service)) return "no";
  if (filters.errorsOnly && summary.errorCount === 0) return "no";
  const min = effectiveMinMs(filters);
  if (min !== undefined && summary.durationMs < min) return "no";
  if (filters.maxDurationMs !== undefined && summary.durationMs > filters.maxDurationMs) return "no";
  if (!startsInWindow(summary.startTimeUnixNano, filters)) return "no";
  if (filters.name !== undefined && !summary.name.toLowerCase().includes(filters.name.toLowerCase())) {
    return "unknown";
  }
  return filters.q !== undefined ? "unknown" : "yes";
}

const NANOS_PER_MS = 1_000_000n;

/** Whether a start time falls in the filters' window, as the server decides it (`until` covers its whole millisecond). */
function startsInWindow(startTimeUnixNano: string, filters: ListFilters): boolean {
  if (filters.since === undefined && filters.until === undefined) return true;
  const start = BigInt(startTimeUnixNano);
  if (filters.since !== undefined && start < BigInt(filters.since) * NANOS_PER_MS) return false;
  if (filters.until !== undefined && start >= (BigInt(filters.until) + 1n) * NANOS_PER_MS) return false;
  return true;
}

/** Compares two decimal strings of non-negative integers without losing precision. */
export function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The server's order: newest start first, then trace id descending. */
export function compareNewestFirst(a: TraceSummaryJson, b: TraceSummaryJson): number {
  const byStart = compareDecimal(b.startTimeUnixNano, a.startTimeUnixNano);
  if (byStart !== 0) return byStart;
  return a.traceId < b.traceId ? 1 : a.traceId > b.traceId ? -1 : 0;
}

function sortKeyOf(summary: TraceSummaryJson, by: Exclude<ListSortKey, "start">): number {
  return by === "duration" ? summary.durationMs : by === "spans" ? summary.spanCount : summary.errorCount;
}

/** Where a trace sits in a keyed order: its key and start when it was placed. */
interface Placed {
  key: number;
  start: string;
  traceId: string;
}

/** The server's order for a sort: the key (or start) both ways, ties newest first. */
function comparePlaced(sort: ListSort): (a: Placed, b: Placed) => number {
  return (a, b) => {
    if (sort.by === "start") {
      const newest = compareDecimal(b.start, a.start) || (a.traceId < b.traceId ? 1 : a.traceId > b.traceId ? -1 : 0);
      return sort.ascending ? -newest : newest;
    }
    if (a.key !== b.key) return sort.ascending ? a.key - b.key : b.key - a.key;
    return compareDecimal(b.start, a.start) || (a.traceId < b.traceId ? 1 : a.traceId > b.traceId ? -1 : 0);
  };
}

/**
 * The traces on screen in the list's order, updated in place as summaries change. Newest first, a
 * trace moves when an earlier span moves its start (as the server would place it); in any other
 * order a trace stays where it was placed while it grows, so rows never reorder under the reader
 * (a fresh load places them anew).
 */
export class TraceListModel extends OrderedList<TraceSummaryJson> {
  constructor(readonly sort: ListSort = { by: "start", ascending: false }) {
    const placed = new Map<string, Placed>();
    const placeOf = (summary: TraceSummaryJson): Placed => {
      let at = placed.get(summary.traceId);
      if (at === undefined) {
        at = {
          key: sort.by === "start" ? 0 : sortKeyOf(summary, sort.by),
          start: summary.startTimeUnixNano,
          traceId: summary.traceId,
        };
        placed.set(summary.traceId, at);
      }
      return at;
    };
    const compare = comparePlaced(sort);
    super(
      (summary) => summary.traceId,
      isDefaultSort(sort) ? compareNewestFirst : (a, b) => compare(placeOf(a), placeOf(b)),
    );
    this.placed = placed;
  }

  private readonly placed: Map<string, Placed>;

  override remove(id: string): boolean {
    const removed = super.remove(id);
    this.placed.delete(id);
    return removed;
  }

  override clear(): void {
    this.placed.clear();
    super.clear();
  }
}

/**
 * Where a search that is a trace id leads: a trace id (any case, quoted or as `trace_id=` / `traceId=`,
 * as log lines print it) opens its trace, a W3C `traceparent` value (`00-<trace id>-<span id>-01`)
 * its trace on that span; null for any other query. The query language reads span fields and
 * attributes, not ids, so such a search would list nothing.
 */
export function traceLinkOfQuery(q: string | undefined): string | null {
  const id = q === undefined ? null : idOfQuery(q);
  if (id?.traceId === undefined) return null;
  return id.spanId === undefined ? `/traces/${id.traceId}` : spanLinkOf(id.traceId, id.spanId);
}

/** Where a trace opens on one of its spans. */
export function spanLinkOf(traceId: string, spanId: string): string {
  return `/traces/${traceId}?span=${spanId}`;
}

/**
 * The span id a search is, lower-cased: 16 hex digits (any case, quoted or as `span_id=` / `spanId=`,
 * as log lines print it), not all zero; null for any other query. Which trace holds it is the
 * server's to say (`GET /api/spans/:spanId`); one that no stored span has stays a text search.
 */
export function spanIdOfQuery(q: string | undefined): string | null {
  const id = q === undefined ? null : idOfQuery(q);
  return id === null || id.traceId !== undefined ? null : id.spanId;
}
