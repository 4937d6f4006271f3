import type { Span } from "../domain/span.js";
import { FlushTimer } from "./flush-timer.js";
import type { GroupCommit } from "./sqlite-group-commit.js";
import { decodeJson } from "./sqlite-json.js";
import type { SpanLookups } from "./sqlite-lookups.js";
import {
  SPAN_HEAD_CHARS,
  SPAN_INSERT_CHUNK,
  SPAN_SLOTS,
  SPAN_WIDTH,
  type SqliteDatabase,
  type Statements,
} from "./sqlite-schema.js";
import {
  idsOfBodyHead,
  llmToStored,
  type SpanBody,
  SpanBodyEncoder,
  STATUS_CODE_NUMBERS,
  toStoredNs,
} from "./sqlite-span-codec.js";
import type { StoredTraces, TraceEntry } from "./sqlite-traces.js";

export interface SpanWriterDeps {
  db: SqliteDatabase;
  stmts: Statements;
  traces: StoredTraces;
  lookups: SpanLookups;
  /** Commits this writer's spans together with the companions' pending writes. */
  commits: GroupCommit;
  /** Longest an accepted span waits before it is written. */
  flushIntervalMs: number;
  /**
   * Rereads everything kept in memory from the file, after the group's commit rolled back; one that
   * fails leaves the store unread (see `unread`) instead of throwing.
   */
  reload(): void;
  /** Whether memory is not what the file holds (a read after a rollback failed): nothing is written then. */
  unread(): boolean;
  /** Traces retention just removed (the commit may still roll back: then `reload` reads them back). */
  evicted?(traceIds: readonly string[]): void;
  /** Traces retention removed, once the commit that deleted them is done (what may be told outside). */
  evictionCommitted?(traceIds: readonly string[]): void;
}

/** What a write evicted: its traces, their spans, and the fingerprints of their ids (as the file keeps them). */
interface Evicted {
  traces: TraceEntry[];
  spans: number;
  fingerprints: Float64Array;
}

const NO_FINGERPRINTS = new Float64Array(0);

/** A span's id and its parent's (see TraceAggregate.linkSpans). */
export interface SpanLink {
  spanId: string;
  parentSpanId: string | null;
}

/** Values in a full chunk of pending span rows. */
const CHUNK_VALUES = SPAN_INSERT_CHUNK * SPAN_WIDTH;

/**
 * The SQLite span store's write path: accepted spans wait as rows, and the group's commit writes
 * them with their traces' rows, new lookup ids and shapes, then applies retention.
 */
export class SpanWriter {
  /**
   * Pending span rows, SPAN_WIDTH values each, in chunks of SPAN_INSERT_CHUNK rows that are bound
   * to one multi-row INSERT as they are. Service, resource and scope hold names/JSON until the flush;
   * the body is UTF-8 bytes (SpanBodyEncoder), or text for a body with a boxed number. Each chunk is
   * allocated whole and filled by index: grown by push, a chunk allocated about three times its size.
   */
  private pendingChunks: unknown[][] = [];
  /** Values filled in the last chunk. */
  private lastChunkFill = 0;
  /** Whether the pending rows' keys ascend in the order they came (then they are written as they are). */
  private pendingInKeyOrder = true;
  private lastPendingKey = -1;
  pendingSpans = 0;
  readonly flushTimer: FlushTimer;
  /** Writes the pending rows' bodies. */
  private readonly bodies = new SpanBodyEncoder();
  /** Writes a batch in one transaction: what it evicted, their spans and the fingerprints of their ids. */
  private readonly writeBatch: (
    chunks: unknown[][],
    count: number,
    dirty: TraceEntry[],
    evict: TraceEntry[],
  ) => Evicted;
  /** Trace ids evicted by the writes of the commit under way. */
  private evicted: string[] = [];
  /** What the last write evicted, counted once the group's transaction commits (null: nothing waits). */
  private evictedUncommitted: Evicted | null = null;

  constructor(private readonly deps: SpanWriterDeps) {
    this.flushTimer = new FlushTimer(
      deps.flushIntervalMs,
      () => this.flush(),
      (error) => deps.commits.told(error),
    );
    deps.commits.join({
      hasPending: () =>
        !deps.unread() &&
        (this.pendingSpans > 0 || deps.traces.spanTotal > deps.traces.maxSpans || deps.traces.statsRows.pending),
      write: () => this.write(),
      rolledBack: () => {
        this.evictedUncommitted = null;
        deps.reload();
      },
      committed: () => {
        if (this.evictedUncommitted === null) return;
        const { traces, spans, fingerprints } = this.evictedUncommitted;
        deps.traces.evictionCommitted(traces, spans, fingerprints);
        this.evictedUncommitted = null;
        deps.evictionCommitted?.(traces.map((entry) => entry.traceId));
      },
    });
    const { stmts, traces, lookups } = deps;
    this.writeBatch = deps.db.transaction(
      (chunks: unknown[][], count: number, dirty: TraceEntry[], evict: TraceEntry[]) => {
        for (const [id, json] of lookups.pendingShapes) stmts.shapeInsert.run(id, json);
        traces.statsRows.write(dirty);
        this.writeSpans(chunks);
        for (const entry of dirty) this.writeTrace(entry);
        let evictedSpanCount = 0;
        let fingerprints: Float64Array = NO_FINGERPRINTS;
        const last = evict[evict.length - 1];
        if (last !== undefined) {
          for (const entry of evict) evictedSpanCount += entry.aggregate.spanCount;
          stmts.deleteSpansBelow.run((last.seq + 1) * SPAN_SLOTS);
          stmts.deleteSpanStatsBelow.run((last.seq + 1) * SPAN_SLOTS);
          stmts.deleteTracesUpTo.run(last.seq);
          fingerprints = traces.writeEvicted(evict);
        }
        stmts.countersUpdate.run(
          traces.spanTotal + count - evictedSpanCount,
          traces.entries.size - evict.length,
          traces.evictedTraces + evict.length,
          traces.evictedSpans + evictedSpanCount,
        );
        return { traces: evict, spans: evictedSpanCount, fingerprints };
      },
    );
  }

  /** Forgets every pending row (they were rolled back, or the store was cleared). */
  reset(): void {
    this.pendingChunks = [];
    this.lastChunkFill = 0;
    this.pendingInKeyOrder = true;
    this.lastPendingKey = -1;
    this.pendingSpans = 0;
  }

  appendPendingRow(rowId: number, span: Span): void {
    const lookups = this.deps.lookups;
    let rows = this.pendingChunks[this.pendingChunks.length - 1];
    if (rows === undefined || this.lastChunkFill === CHUNK_VALUES) {
      rows = new Array(CHUNK_VALUES);
      this.pendingChunks.push(rows);
      this.lastChunkFill = 0;
    }
    let at = this.lastChunkFill;
    rows[at++] = rowId;
    rows[at++] = span.service;
    rows[at++] = toStoredNs(span.startTimeUnixNano);
    rows[at++] = toStoredNs(span.endTimeUnixNano);
    rows[at++] = STATUS_CODE_NUMBERS.get(span.status.code) ?? 0;
    rows[at++] = lookups.resourceJson(span.resource);
    rows[at++] = lookups.scopeJson(span.scope);
    rows[at++] = this.bodies.encode(span, lookups.shapeOf(span.attributes));
    this.lastChunkFill = at;
    if (rowId < this.lastPendingKey) this.pendingInKeyOrder = false;
    this.lastPendingKey = rowId;
    this.pendingSpans++;
  }

  /** The ids and parent ids of the pending spans whose row ids are in [low, high) (read from their bodies). */
  pendingLinksIn(low: number, high: number): SpanLink[] {
    const links: SpanLink[] = [];
    const last = this.pendingChunks.length - 1;
    this.pendingChunks.forEach((rows, chunk) => {
      const filled = chunk === last ? this.lastChunkFill : rows.length;
      for (let base = 0; base < filled; base += SPAN_WIDTH) {
        const rowId = rows[base] as number;
        if (rowId < low || rowId >= high) continue;
        const body = rows[base + SPAN_WIDTH - 1] as string | Uint8Array;
        const text = (length: number) =>
          typeof body === "string"
            ? body.slice(0, length)
            : Buffer.from(body.buffer, body.byteOffset, Math.min(length, body.byteLength)).toString();
        // Its head says both ids (the body is parsed whole only when it does not).
        const ids = idsOfBodyHead(text(SPAN_HEAD_CHARS));
        if (ids !== null) {
          links.push(ids);
          continue;
        }
        const [spanId, parentSpanId] = decodeJson<SpanBody>(text(body.length));
        links.push({ spanId, parentSpanId });
      }
    });
    return links;
  }

  private writeSpans(pending: unknown[][]): void {
    const lookups = this.deps.lookups;
    for (const rows of pending) {
      // Services, resources and scopes become ids here, inside the transaction that stores them.
      for (let base = 0; base < rows.length; base += SPAN_WIDTH) {
        rows[base + 1] = lookups.serviceId(rows[base + 1] as string);
        rows[base + 5] = lookups.resourceId(rows[base + 5] as string);
        rows[base + 6] = lookups.scopeId(rows[base + 6] as string);
      }
      this.deps.stmts.spanInsert(rows.length / SPAN_WIDTH).run(rows);
    }
  }

  private writeTrace(entry: TraceEntry): void {
    const stmts = this.deps.stmts;
    const a = entry.aggregate;
    const start = toStoredNs(a.startTimeUnixNano);
    const end = toStoredNs(a.endTimeUnixNano);
    const services = JSON.stringify(a.services);
    const llm = llmToStored(a.llm());
    const origin = a.errorOrigin();
    // The same columns in both statements; the insert names the trace first, the update selects it last.
    const columns = [
      start,
      end,
      a.spanCount,
      a.errorCount,
      a.rootName,
      a.rootService,
      a.firstName,
      a.firstService,
      services,
      a.errorMessage,
      llm,
      origin === null ? null : origin.exception ? 1 : 0,
      origin === null ? null : toStoredNs(origin.start),
      origin?.span == null
        ? null
        : JSON.stringify([
            origin.span.spanId,
            origin.span.parentSpanId,
            origin.span.kind,
            origin.span.service,
            origin.span.endTimeUnixNano.toString(),
          ]),
    ];
    if (entry.stored) stmts.traceUpdate.run(...columns, entry.seq);
    else stmts.traceInsert.run(entry.seq, a.traceId, ...columns);
  }

  /** Commits every pending write on the connection (spans and companions'); returns the evicted trace ids. */
  flush(): string[] {
    this.evicted = [];
    this.deps.commits.commit();
    const evicted = this.evicted;
    this.evicted = [];
    return evicted;
  }

  /** Writes every pending span (inside the group's transaction), then applies retention. */
  private write(): void {
    const { traces, lookups } = this.deps;
    this.flushTimer.cancel();
    if (this.deps.unread()) return;
    const overBound = traces.spanTotal > traces.maxSpans;
    if (this.pendingSpans === 0 && !overBound && !traces.statsRows.pending) return;
    const count = this.pendingSpans;
    const last = this.pendingChunks[this.pendingChunks.length - 1];
    if (last !== undefined) last.length = this.lastChunkFill;
    const chunks = this.pendingInKeyOrder ? this.pendingChunks : inKeyOrder(this.pendingChunks, count);
    const dirty = traces.dirtyEntries;
    const evict = traces.toEvict(traces.spanTotal + count);
    // Before the transaction, so the operations this empties are deleted in it (a rollback reloads all).
    traces.subtractStats(evict);
    // Failing, it rolls back with the group's transaction, whose rollback reads memory back (rolledBack).
    const evicted = this.writeBatch(chunks, count, dirty, evict);
    this.reset();
    lookups.pendingShapes = [];
    traces.dirtyEntries = [];
    traces.spanTotal += count - evicted.spans;
    // Counted once the group's transaction commits: another participant's write may still roll it back.
    if (evict.length > 0) this.evictedUncommitted = evicted;
    traces.written(dirty, evict);
    this.evicted = evict.map((entry) => entry.traceId);
    if (this.evicted.length > 0) this.deps.evicted?.(this.evicted);
  }
}

/**
 * The pending rows (`count` of them) re-chunked in ascending key order. A request lists spans by
 * resource, so one trace's spans (neighbouring keys) arrive spread over the batch; inserted as they
 * came, most went into the middle of pages just written, splitting them. In key order every insert appends.
 */
function inKeyOrder(chunks: unknown[][], count: number): unknown[][] {
  const keys = new Float64Array(count);
  let row = 0;
  for (const rows of chunks) {
    for (let base = 0; base < rows.length; base += SPAN_WIDTH) keys[row++] = rows[base] as number;
  }
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => (keys[a] as number) - (keys[b] as number));
  const out: unknown[][] = [];
  let current: unknown[] = [];
  let fill = 0;
  for (let k = 0; k < count; k++) {
    if (fill === 0) current = new Array(Math.min(CHUNK_VALUES, (count - k) * SPAN_WIDTH));
    const index = order[k] as number;
    const rows = chunks[Math.floor(index / SPAN_INSERT_CHUNK)] as unknown[];
    const base = (index % SPAN_INSERT_CHUNK) * SPAN_WIDTH;
    for (let i = 0; i < SPAN_WIDTH; i++) current[fill++] = rows[base + i];
    if (fill === current.length) {
      out.push(current);
      fill = 0;
    }
  }
  return out;
}
