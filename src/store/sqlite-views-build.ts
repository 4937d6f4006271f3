/**
 * Reads the spans a SQLite file already held when it was opened into the span views (the service
 * map's and the LLM page's indexes) without stopping the server: in slices of at most SLICE_MS,
 * each one followed by a turn of the event loop, trace by trace in arrival order. Meanwhile spans
 * keep arriving: those of traces the build has not reached yet are left to it (it reads them from
 * the file, once written); every other span goes to the views at once. The views answer all along
 * from what they hold, with `building` telling how far the reading got. Each trace's spans read are
 * handed on (`learnCalls`), so `peer=` queries need not read them again.
 */
import { SPAN_KINDS, type Span, STATUS_CODES } from "../domain/span.js";
import type { SpanViews } from "./span-views.js";
import { decodeJson } from "./sqlite-json.js";
import type { SpanLookups } from "./sqlite-lookups.js";
import { SPAN_SLOTS, type SqliteDatabase } from "./sqlite-schema.js";
import { fromStoredNs, type SpanBody } from "./sqlite-span-codec.js";
import type { StoredTraces, TraceEntry } from "./sqlite-traces.js";

/** Longest a slice keeps the event loop (ms). */
export const SLICE_MS = 12;
/** Spans read per statement inside a slice. */
const SPANS_PER_READ = 100;

export interface ViewsBuildDeps {
  db: SqliteDatabase;
  traces: StoredTraces;
  lookups: SpanLookups;
  views: SpanViews;
  /** Writes pending spans, so the rows of traces ahead of the build are in the file. */
  flush(): void;
  /** Handed each trace's whole spans as they are read: what `peer=` needs of them (see TraceCallCache.learn). */
  learnCalls?(entry: TraceEntry, spans: readonly Span[]): void;
}

export interface ViewsBuild {
  /** Whether a just-accepted span of `entry`'s trace goes to the views now (else the build reads it later). */
  takesLive(entry: TraceEntry): boolean;
  /** Stops reading (the store closes or is read again from its file). */
  stop(): void;
  /** Resolves once every stored span is read (or the build stopped). */
  readonly done: Promise<void>;
}

const EMPTY = Object.freeze({}) as Span["resource"];
const NO_SCOPE = Object.freeze({ name: "" }) as Span["scope"];

export function startViewsBuild(deps: ViewsBuildDeps): ViewsBuild {
  const { db, traces, lookups, views } = deps;
  const rangeSpans = db
    .prepare(
      "SELECT id, service_id, start_ns, end_ns, status_code, scope_id, body FROM spans WHERE id >= ? AND id < ? ORDER BY id",
    )
    .raw()
    .safeIntegers(true);
  // An LLM call's scope tells how it counts its input tokens (see llmUsageOf); there are few scopes.
  const scopeJson = db.prepare("SELECT json FROM scopes WHERE id = ?").pluck();
  const scopes = new Map<bigint, Span["scope"]>();
  const scopeOf = (id: bigint): Span["scope"] => {
    let scope = scopes.get(id);
    if (scope === undefined) {
      const json = scopeJson.get(id) as string | undefined;
      scope = json === undefined ? NO_SCOPE : decodeJson<Span["scope"]>(json);
      scopes.set(id, scope);
    }
    return scope;
  };
  const lastSeq = traces.nextSeq - 1;
  // Map iterators survive inserts and deletes; entries come in arrival (seq) order.
  const pending = traces.entries.values();
  let readSeq = 0;
  let stopped = false;
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  views.building = { spansRead: 0, spansTotal: traces.spanTotal };

  function end(): void {
    stopped = true;
    views.building = null;
    finish();
  }

  /** The next entries up to about SPANS_PER_READ spans, read and added; false when none are left. */
  function readSome(): boolean {
    const bySeq = new Map<number, TraceEntry>();
    let first = -1;
    let last = -1;
    let spans = 0;
    while (spans < SPANS_PER_READ) {
      const next = pending.next();
      if (next.done === true || next.value.seq > lastSeq) break;
      const entry = next.value;
      if (first < 0) first = entry.seq;
      last = entry.seq;
      if (!entry.evicted) bySeq.set(entry.seq, entry);
      spans += entry.aggregate.spanCount;
    }
    if (first < 0) return false;
    const slots = BigInt(SPAN_SLOTS);
    const rows = rangeSpans.all(BigInt(first) * slots, BigInt(last + 1) * slots) as [
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      string,
    ][];
    /** The trace whose spans are being read, and those read so far (rows come trace by trace). */
    let reading: TraceEntry | undefined;
    let readSpans: Span[] = [];
    const learn = () => {
      if (reading !== undefined) deps.learnCalls?.(reading, readSpans);
      readSpans = [];
    };
    for (const [id, serviceId, startNs, endNs, statusCode, scopeId, bodyText] of rows) {
      const entry = bySeq.get(Number(id / slots));
      if (entry === undefined) continue;
      if (entry !== reading) {
        learn();
        reading = entry;
      }
      const traceId = entry.traceId;
      const body = decodeJson<SpanBody>(bodyText);
      const [spanId, parentSpanId, name, kind, statusMessage] = body;
      const status: Span["status"] = { code: STATUS_CODES[Number(statusCode)] ?? "UNSET" };
      if (statusMessage !== null) status.message = statusMessage;
      const span: Span = {
        traceId,
        spanId,
        parentSpanId,
        name,
        kind: SPAN_KINDS[kind] ?? "UNSPECIFIED",
        service: lookups.serviceNameById.get(Number(serviceId)) ?? "",
        startTimeUnixNano: fromStoredNs(startNs),
        endTimeUnixNano: fromStoredNs(endNs),
        status,
        attributes: lookups.attributesOf(body),
        events: [],
        links: [],
        resource: EMPTY,
        scope: scopeOf(scopeId),
      };
      views.add(span);
      readSpans.push(span);
    }
    learn();
    readSeq = last;
    if (views.building !== null) views.building.spansRead += rows.length;
    return true;
  }

  function slice(): void {
    if (stopped) return;
    try {
      deps.flush();
      const started = performance.now();
      do {
        if (!readSome()) {
          end();
          return;
        }
      } while (performance.now() - started < SLICE_MS);
    } catch {
      // A failed write reloads the store, which starts a new build; anything else: try again shortly.
      if (!stopped) setTimeout(slice, 1000).unref();
      return;
    }
    setImmediate(slice);
  }

  if (lastSeq < 1 || traces.entries.size === 0) end();
  else setImmediate(slice);

  return {
    takesLive: (entry) => stopped || entry.seq <= readSeq || entry.seq > lastSeq,
    stop() {
      if (!stopped) end();
    },
    done,
  };
}
