import type { RateBasis } from "../domain/rate-window.js";
import { type Attributes, type InstrumentationScope, SPAN_KINDS, type Span, STATUS_CODES } from "../domain/span.js";
import type { TraceSummary } from "../domain/trace-summary.js";
import { pickSpanContext, type SpanContext, type SpanContextLimits, spanContextOf } from "./span-context.js";
import { decodeJson } from "./sqlite-json.js";
import type { SpanLookups } from "./sqlite-lookups.js";
import { SPAN_SLOTS, type SpanRowJson, type Statements } from "./sqlite-schema.js";
import { eventsFromStored, fromStoredNs, idsOfBodyHead, type SpanBody } from "./sqlite-span-codec.js";
import type { StoredTraces, TraceEntry } from "./sqlite-traces.js";
import type { ServiceOperations, ServiceStats, StatsWindow, TraceInSlices } from "./store.js";
import { createTraceVersions } from "./trace-versions.js";

export interface SpanQueryDeps {
  stmts: Statements;
  traces: StoredTraces;
  lookups: SpanLookups;
  /** Writes pending spans, so reads see every accepted span. */
  flush(): void;
  /** Takes the traces the next commit evicts out of the statistics now (see StoredTraces.subtractStats). */
  retireFromStats(): void;
  assertOpen(): void;
}

export interface SpanQueries {
  getTrace(traceId: string): Span[] | undefined;
  getTraceInSlices(traceId: string): TraceInSlices | undefined;
  traceVersion(traceId: string): string | undefined;
  getSummaries(traceIds: readonly string[]): TraceSummary[];
  traceIdOfSpan(spanId: string): string | undefined;
  traceHoldsSpan(traceId: string, spanId: string): boolean;
  spanContext(spanId: string, limits: SpanContextLimits): SpanContext | undefined;
  listServices(window?: StatsWindow): ServiceStats[];
  rateBasis(window?: StatsWindow): RateBasis;
  listOperations(service: string, window?: StatsWindow): ServiceOperations | undefined;
}

/** A row's head as spansOfTrace writes it: its stored start and a plain span id (any other form is read from the JSON). */
const ROW_HEAD = /^!?\[\d+,"(-?\d+)","-?\d+",\d+,\d+,\d+,\["([0-9A-Za-z]*)",/;

/** A row's stored start and span id, read from its JSON (see ROW_HEAD). */
function storedHead(text: string): [start: string, spanId: string] {
  const row = decodeJson<SpanRowJson>(text);
  return [row[1], row[6][0]];
}

/** The SQLite span store's reads other than the trace list: one trace, summaries, services and operations. */
/**
 * A stored span's id and its parent's, from the head of its body (see spanOutlineOfTrace), else from
 * its row's body read whole.
 */
export function spanIdsOfRow(
  stmts: Statements,
  row: number,
  head: string,
): { spanId: string; parentSpanId: string | null } {
  const ids = idsOfBodyHead(head);
  if (ids !== null) return ids;
  const [spanId, parentSpanId] = stmts.spanIdsOfRow.get(row) as [string, string | null];
  return { spanId, parentSpanId };
}

export function createSpanQueries(deps: SpanQueryDeps): SpanQueries {
  const { stmts, traces, lookups, flush, retireFromStats, assertOpen } = deps;
  const attributesOf = (body: SpanBody) => lookups.attributesOf(body);

  /** A span from its row as spansOfTrace writes it; `caches` keeps each resource and scope decoded once per read. */
  function spanOfRow(
    traceId: string,
    text: string,
    caches: { resources: Map<number, Attributes>; scopes: Map<number, InstrumentationScope> },
  ): Span {
    const { resources, scopes } = caches;
    const [serviceIdValue, startNs, endNs, statusCode, resourceIdValue, scopeIdValue, body] =
      decodeJson<SpanRowJson>(text);
    const [spanId, parentSpanId, name, kind, statusMessage, flags, traceState, , events, links, extra] = body;
    const attributes = attributesOf(body);
    let resource = resources.get(resourceIdValue);
    if (resource === undefined) {
      resource = decodeJson<Attributes>(stmts.resourceJsonById.get(resourceIdValue) as string);
      resources.set(resourceIdValue, resource);
    }
    let scope = scopes.get(scopeIdValue);
    if (scope === undefined) {
      scope = decodeJson<InstrumentationScope>(stmts.scopeJsonById.get(scopeIdValue) as string);
      scopes.set(scopeIdValue, scope);
    }
    const status: Span["status"] = { code: STATUS_CODES[statusCode] ?? "UNSET" };
    if (statusMessage !== null) status.message = statusMessage;
    const span: Span = {
      traceId,
      spanId,
      parentSpanId,
      name,
      kind: SPAN_KINDS[kind] ?? "UNSPECIFIED",
      service: lookups.serviceNameById.get(serviceIdValue) ?? "",
      startTimeUnixNano: fromStoredNs(BigInt(startNs)),
      endTimeUnixNano: fromStoredNs(BigInt(endNs)),
      status,
      attributes,
      events: eventsFromStored(events),
      links: links ?? [],
      resource,
      scope,
    };
    if (traceState !== null) span.traceState = traceState;
    if (flags !== null) span.flags = flags;
    if (extra !== null) Object.assign(span, extra);
    return span;
  }

  /** The trace's entry when it is stored and not evicted, pending spans written. */
  function storedEntry(traceId: string): TraceEntry | undefined {
    assertOpen();
    const entry = traces.entries.get(traceId);
    if (entry === undefined) return undefined;
    flush();
    return entry.evicted ? undefined : entry;
  }

  function getTrace(traceId: string): Span[] | undefined {
    const entry = storedEntry(traceId);
    if (entry === undefined) return undefined;
    const low = entry.seq * SPAN_SLOTS;
    const rows = stmts.spansOfTrace.all(low, low + SPAN_SLOTS) as string[];
    const caches = { resources: new Map<number, Attributes>(), scopes: new Map<number, InstrumentationScope>() };
    return rows.map((text) => spanOfRow(traceId, text, caches));
  }

  function getTraceInSlices(traceId: string): TraceInSlices | undefined {
    const entry = storedEntry(traceId);
    if (entry === undefined) return undefined;
    const low = entry.seq * SPAN_SLOTS;
    const rows = stmts.spansOfTrace.all(low, low + SPAN_SLOTS) as string[];
    const caches = { resources: new Map<number, Attributes>(), scopes: new Map<number, InstrumentationScope>() };
    // Only the ids and the earliest start are read now; each row is decoded when its slice is asked for.
    // Rows come in stored order: times past 2^63 are stored negative (see toStoredNs) and come first,
    // so the earliest start is the first one stored non-negative, or else the first one.
    const spanIds = new Array<string>(rows.length);
    let earliest: string | undefined;
    for (let i = 0; i < rows.length; i++) {
      const text = rows[i] as string;
      const head = ROW_HEAD.exec(text);
      const [start, spanId] = head === null ? storedHead(text) : [head[1] as string, head[2] as string];
      spanIds[i] = spanId;
      if (earliest === undefined || (earliest.startsWith("-") && !start.startsWith("-"))) earliest = start;
    }
    return {
      spanIds,
      earliestStart: earliest === undefined ? 0n : fromStoredNs(BigInt(earliest)),
      slice: (from, to) => rows.slice(from, to).map((text) => spanOfRow(traceId, text, caches)),
    };
  }

  function spanContext(spanId: string, limits: SpanContextLimits): SpanContext | undefined {
    const traceId = traceIdOfSpan(spanId);
    const entry = traceId === undefined ? undefined : storedEntry(traceId);
    if (entry === undefined) return undefined;
    // The outline (row key, id, parent, start) of every span, then only the picked spans' rows whole:
    // a 100,000-span trace decoded whole took about a second.
    const low = entry.seq * SPAN_SLOTS;
    const rows = stmts.spanOutlineOfTrace.all(low, low + SPAN_SLOTS) as [number, string, string][];
    const outline = rows.map(([row, startNs, head]) => ({
      ...spanIdsOfRow(stmts, row, head),
      startTimeUnixNano: fromStoredNs(BigInt(startNs)),
    }));
    const pick = pickSpanContext(outline, spanId, limits);
    if (pick === undefined) return undefined;
    const caches = { resources: new Map<number, Attributes>(), scopes: new Map<number, InstrumentationScope>() };
    return spanContextOf(entry.traceId, rows.length, pick, (index) =>
      spanOfRow(entry.traceId, stmts.spanRowById.get(rows[index]![0]) as string, caches),
    );
  }

  const versionOf = createTraceVersions<TraceEntry>();

  function traceVersion(traceId: string): string | undefined {
    assertOpen();
    const entry = traces.entries.get(traceId);
    if (entry === undefined) return undefined;
    // As getTrace: a commit due may evict the trace.
    flush();
    return entry.evicted ? undefined : versionOf(entry, entry.aggregate.spanCount);
  }

  function getSummaries(traceIds: readonly string[]): TraceSummary[] {
    assertOpen();
    // Pending spans are in the in-memory summaries already, so this never cuts writes short.
    const out: TraceSummary[] = [];
    for (const traceId of traceIds) {
      const entry = traces.entries.get(traceId);
      if (entry !== undefined) out.push(entry.aggregate.toSummary());
    }
    return out;
  }

  function traceIdOfSpan(spanId: string): string | undefined {
    assertOpen();
    flush();
    const start = `[${JSON.stringify(spanId)},`.replace(/[\\%_]/g, "\\$&");
    // Newest first, and no further than the first row that is the span's (of a stored trace).
    for (const row of stmts.spanRowsWithId.iterate(`${start}%`, `!${start}%`) as IterableIterator<number | bigint>) {
      if (stmts.spanIdOfRow.get(row) !== spanId) continue;
      const traceId = stmts.traceIdOfSeq.get(Math.floor(Number(row) / SPAN_SLOTS)) as string | undefined;
      const entry = traceId === undefined ? undefined : traces.entries.get(traceId);
      if (entry !== undefined && !entry.evicted) return entry.traceId;
    }
    return undefined;
  }

  function traceHoldsSpan(traceId: string, spanId: string): boolean {
    const entry = storedEntry(traceId);
    // Its ids, as a re-sent span is looked for: cached for recent traces, else read from its rows once.
    return entry !== undefined && traces.spanIdsOf(entry, 0).has(spanId);
  }

  // Statistics count pending spans already; retention shows in them ahead of the commit, as the
  // memory store applies it on insert. A read does not wait for the commit.
  function listServices(window?: StatsWindow): ServiceStats[] {
    assertOpen();
    retireFromStats();
    return traces.stats.listServices(window);
  }

  function rateBasis(window?: StatsWindow): RateBasis {
    assertOpen();
    retireFromStats();
    return traces.stats.rateBasis(window);
  }

  function listOperations(service: string, window?: StatsWindow): ServiceOperations | undefined {
    assertOpen();
    retireFromStats();
    return traces.stats.listOperations(service, window);
  }

  return {
    getTrace,
    getTraceInSlices,
    traceVersion,
    getSummaries,
    traceIdOfSpan,
    traceHoldsSpan,
    spanContext,
    listServices,
    rateBasis,
    listOperations,
  };
}
