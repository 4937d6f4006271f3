import { type Attributes, type InstrumentationScope, SPAN_KINDS, type Span, STATUS_CODES } from "../domain/span.js";
import type { TraceSummary } from "../domain/trace-summary.js";
import { decodeJson } from "./sqlite-json.js";
import type { SpanLookups } from "./sqlite-lookups.js";
import { SPAN_SLOTS, type SpanRow, type Statements } from "./sqlite-schema.js";
import { eventsFromStored, fromStoredNs, type SpanBody } from "./sqlite-span-codec.js";
import type { StoredTraces } from "./sqlite-traces.js";
import type { ServiceStats } from "./store.js";

export interface SpanQueryDeps {
  stmts: Statements;
  traces: StoredTraces;
  lookups: SpanLookups;
  /** Writes pending spans, so reads see every accepted span. */
  flush(): void;
  assertOpen(): void;
}

export interface SpanQueries {
  getTrace(traceId: string): Span[] | undefined;
  getSummaries(traceIds: readonly string[]): TraceSummary[];
  listServices(): ServiceStats[];
}

/** The SQLite span store's reads other than the trace list: one trace, summaries, services. */
export function createSpanQueries(deps: SpanQueryDeps): SpanQueries {
  const { stmts, traces, lookups, flush, assertOpen } = deps;
  const attributesOf = (body: SpanBody) => lookups.attributesOf(body);

  function getTrace(traceId: string): Span[] | undefined {
    assertOpen();
    const entry = traces.entries.get(traceId);
    if (entry === undefined) return undefined;
    flush();
    if (entry.evicted) return undefined;
    const low = entry.seq * SPAN_SLOTS;
    const rows = stmts.spansOfTrace.all(low, low + SPAN_SLOTS) as SpanRow[];
    const resources = new Map<bigint, Attributes>();
    const scopes = new Map<bigint, InstrumentationScope>();
    return rows.map((row) => {
      const [serviceIdValue, startNs, endNs, statusCode, resourceIdValue, scopeIdValue, bodyText] = row;
      const body = decodeJson<SpanBody>(bodyText);
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
      const status: Span["status"] = { code: STATUS_CODES[Number(statusCode)] ?? "UNSET" };
      if (statusMessage !== null) status.message = statusMessage;
      const span: Span = {
        traceId,
        spanId,
        parentSpanId,
        name,
        kind: SPAN_KINDS[kind] ?? "UNSPECIFIED",
        service: lookups.serviceNameById.get(Number(serviceIdValue)) ?? "",
        startTimeUnixNano: fromStoredNs(startNs),
        endTimeUnixNano: fromStoredNs(endNs),
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
    });
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

  function listServices(): ServiceStats[] {
    assertOpen();
    flush();
    const traceCounts = new Map<string, number>();
    for (const entry of traces.entries.values()) {
      for (const name of entry.aggregate.services) traceCounts.set(name, (traceCounts.get(name) ?? 0) + 1);
    }
    const byService = new Map<number, ServiceStats>();
    for (const [name, traceCount] of traceCounts) {
      const id = lookups.serviceIdByName.get(name);
      if (id === undefined) continue;
      byService.set(id, {
        name,
        spanCount: 0,
        errorCount: 0,
        traceCount,
        p50Ms: 0,
        p95Ms: 0,
        p99Ms: 0,
      });
    }
    for (const [id, n, errors, rank, duration] of stmts.serviceSpanStats.all() as bigint[][] as [
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
    ][]) {
      const entry = byService.get(Number(id));
      if (entry === undefined) continue;
      const count = Number(n);
      entry.spanCount = count;
      entry.errorCount = Number(errors);
      // The SQL returns the rows at the nearest ranks; percentile() over ranks picks the same ones.
      const ms = Number(duration) / 1e6;
      const at = Number(rank);
      if (at === rankOf(50, count)) entry.p50Ms = ms;
      if (at === rankOf(95, count)) entry.p95Ms = ms;
      if (at === rankOf(99, count)) entry.p99Ms = ms;
    }
    return [...byService.values()].filter((entry) => entry.spanCount > 0).sort((a, b) => a.name.localeCompare(b.name));
  }

  return { getTrace, getSummaries, listServices };
}

/** 1-based nearest rank of percentile p among n sorted values, as domain/percentile.ts picks it. */
function rankOf(p: number, n: number): number {
  return Math.min(Math.max(Math.ceil((p / 100) * n), 1), n);
}
