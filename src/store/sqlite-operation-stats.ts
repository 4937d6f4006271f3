import { EntryNesting, entryTellings, type NestingSpan } from "../domain/operation.js";
import { SPAN_KINDS, type Span, type SpanStatus, STATUS_CODES } from "../domain/span.js";
import { type LoadSteps, ROWS_PER_STEP } from "./load-steps.js";
import {
  CODE_MINUTE,
  emptyTokens,
  FAILED_INSIDE,
  isFailedInsideCode,
  negatedCode,
  type OperationEntry,
  type OperationJournal,
  type OperationRecord,
  type OperationStatsIndex,
  type StatsSpan,
  type StatsTokens,
} from "./operation-stats.js";
import { decodeJson } from "./sqlite-json.js";
import type { SpanLookups } from "./sqlite-lookups.js";
import { SPAN_SLOTS, type SqliteDatabase, type Statements } from "./sqlite-schema.js";
import { fromStoredNs, type SpanBody } from "./sqlite-span-codec.js";
import type { StoredTraces, TraceEntry } from "./sqlite-traces.js";
import type { StatsSeries } from "./stats-series.js";
import { countedOperationName, nameOfOperation, noteOperation } from "./trace-operations.js";

/**
 * Bytes per stored token: operation id (u32), start minute (u32), latency bucket and flags (u16),
 * little-endian. NEGATED in the last marks a token that takes its span out again (see
 * OperationStatsIndex.renest), FAILED_INSIDE_FLAG one that counts a request failed inside (see
 * OperationStatsIndex.failInside).
 *
 * A row's tokens end with one byte more, TELLS_FAILED_INSIDE: its writer counted requests failed
 * inside. A row without it (a multiple of TOKEN_BYTES long) is from a version that did not, whose
 * tokens count none of its traces' failed-inside requests; a file with one is filled in again from
 * its span rows at open. Versions before read whole tokens only, so they pass over that byte.
 */
const TOKEN_BYTES = 10;
const NEGATED = 0x8000;
const FAILED_INSIDE_FLAG = 0x4000;
const TELLS_FAILED_INSIDE = 1;

/**
 * An entry span of a trace as telling nested ones apart across inserts reads it, whether it is
 * counted nested, and whether counted a request failed inside (see EntryTellings).
 */
export interface EntryMark extends StatsSpan, NestingSpan {
  nested: boolean;
  failedInside: boolean;
}

export function entryMarkOf(span: Span, nested: boolean, failedInside: boolean): EntryMark {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    kind: span.kind,
    service: span.service,
    name: span.name,
    attributes: span.attributes,
    scope: span.scope,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    status: span.status,
    nested,
    failedInside,
  };
}

/**
 * A written trace's entry spans from its rows, told apart together as at their inserts (an insert
 * that added to them told them apart again, see EntryNesting).
 */
export function readEntryNesting(stmts: Statements, lookups: SpanLookups, entry: TraceEntry): EntryNesting<EntryMark> {
  const low = entry.seq * SPAN_SLOTS;
  const marks: EntryMark[] = [];
  for (const row of stmts.entrySpanFieldsOfTrace.iterate(low, low + SPAN_SLOTS) as Iterable<SpanStatsFieldsRow>) {
    marks.push({ ...statsSpanOf(row, entry.traceId, lookups), nested: false, failedInside: false });
  }
  const nesting = new EntryNesting<EntryMark>();
  const changes = nesting.add(marks, null);
  if (changes !== null) {
    for (const mark of changes.nested.keys()) mark.nested = true;
    for (const mark of changes.failedInside.keys()) mark.failedInside = true;
  }
  return nesting;
}

/** A span row as per-operation statistics and nestedEntrySpans read it. */
function statsSpanOf(row: SpanStatsFieldsRow, traceId: string, lookups: SpanLookups): StatsSpan & NestingSpan {
  const [, serviceId, startNs, endNs, statusCode, bodyText, scopeId] = row;
  const body = decodeJson<SpanBody>(bodyText);
  return {
    traceId,
    spanId: body[0],
    name: body[2],
    kind: SPAN_KINDS[body[3]] ?? "UNSPECIFIED",
    attributes: lookups.attributesOf(body),
    // Entry spans' rows (entrySpanFieldsOfTrace) come without it: the rule of calls reads no entry span's scope.
    ...(scopeId === undefined ? {} : { scope: lookups.scopeNamed(Number(scopeId)) }),
    service: lookups.serviceNameById.get(Number(serviceId)) ?? "",
    parentSpanId: body[1],
    startTimeUnixNano: fromStoredNs(startNs),
    endTimeUnixNano: fromStoredNs(endNs),
    status: STATUSES[Number(statusCode)] ?? (STATUSES[0] as SpanStatus),
  };
}

const KIND_NUMBERS = new Map(SPAN_KINDS.map((kind, index) => [kind, index]));
const STATUSES: readonly SpanStatus[] = STATUS_CODES.map((code) => ({ code }));

type OperationRow = [
  id: bigint,
  service: string,
  kind: bigint,
  name: string,
  peer: string | null,
  query: string,
  overflow: bigint,
  nested: bigint,
];
type SpanStatsRow = [id: bigint, tokens: Uint8Array];
type StatsBoundsRow = [service: string, series: bigint, minute: bigint, lowNs: number, highNs: number];

/** A series whose minutes' bounds moved since the last commit: its row key, and those minutes. */
interface MovedBounds {
  service: string;
  series: number;
  minutes: Set<number>;
}
type SpanStatsFieldsRow = [
  id: bigint,
  serviceId: bigint,
  startNs: bigint,
  endNs: bigint,
  statusCode: bigint,
  body: string,
  scopeId?: bigint,
];

/** What a fill of an older file's statistics reports: before it starts (ms null), and when done. */
export interface StatisticsFill {
  spans: number;
  ms: number | null;
}

/**
 * Keeps the per-operation statistics (operation-stats.ts) in the file, so opening it reads a few
 * bytes per span instead of every span row: the operations in `stats_operations`, and per trace the
 * tokens its spans added, appended in `span_stats` with each commit that writes the spans (a row
 * per trace and commit, keyed `seq * SPAN_SLOTS` + the first token's place). Only tokens not yet
 * written stay in memory; eviction reads its traces' rows (the front of the table) and subtracts
 * exactly what was added, in the commit that deletes them.
 *
 * Persisting tokens rather than the aggregate cells: a commit appends a few bytes per new span
 * instead of rewriting every cell it touched, and eviction reads back what to subtract; opening
 * counts alike tokens together and adds each distinct one once.
 *
 * Tokens keep no duration, so each minute cell's shortest and longest duration (see StatsCell) are
 * kept beside them in `stats_bounds`, a row per series and minute: a commit writes again the rows of
 * the minutes whose bounds moved (a minute's first spans, then only a new extreme, or a read that
 * held a minute that lost spans within its buckets' edges) and deletes those
 * of the minutes that went, so opening gives each minute the bounds it had, as memory kept them.
 */
export class OperationStatsRows implements OperationJournal {
  private pendingRecords: OperationRecord[] = [];
  private pendingDrops: number[] = [];
  private movedBounds = new Map<StatsSeries, MovedBounds>();

  constructor(private readonly stmts: Statements) {}

  created(record: OperationRecord): void {
    this.pendingRecords.push(record);
  }

  dropped(id: number): void {
    this.pendingDrops.push(id);
  }

  minuteBounds(service: string, series: number, cells: StatsSeries, minute: number): void {
    let moved = this.movedBounds.get(cells);
    if (moved === undefined) {
      moved = { service, series, minutes: new Set() };
      this.movedBounds.set(cells, moved);
    }
    moved.minutes.add(minute);
  }

  /** Operations made or dropped, or minutes' bounds moved, wait for the next commit. */
  get pending(): boolean {
    return this.pendingRecords.length > 0 || this.pendingDrops.length > 0 || this.movedBounds.size > 0;
  }

  /** Forgets what was not written (rolled back, or read again from the file). */
  reset(): void {
    this.pendingRecords = [];
    this.pendingDrops = [];
    this.forgetBounds();
  }

  /** Forgets the minutes whose bounds moved: read back from the file, they are as it has them. */
  forgetBounds(): void {
    if (this.movedBounds.size > 0) this.movedBounds = new Map();
  }

  /** Inside the commit's transaction: operations made and dropped since the last, and the dirty traces' new tokens. */
  write(dirty: readonly TraceEntry[]): void {
    const stmts = this.stmts;
    for (const id of this.pendingDrops) stmts.statsOperationDelete.run(id);
    for (const record of this.pendingRecords) {
      stmts.statsOperationInsert.run(
        record.id,
        record.service,
        KIND_NUMBERS.get(record.kind) ?? 0,
        record.name,
        record.peer,
        record.query,
        record.overflow ? 1 : 0,
        record.nested ? 1 : 0,
      );
    }
    for (const entry of dirty) {
      if (entry.stats.codes.length > 0) {
        stmts.spanStatsInsert.run(entry.seq * SPAN_SLOTS + entry.statsWritten, encodeTokens(entry.stats));
      }
    }
    // In the order told: a series gone (its service or operation dropped) before one made again under its key.
    for (const [cells, { service, series, minutes }] of this.movedBounds) {
      for (const minute of minutes) {
        const bounds = cells.minuteBounds(minute);
        if (bounds === undefined) stmts.statsBoundsDelete.run(service, series, minute);
        else stmts.statsBoundsUpsert.run(service, series, minute, bounds.lowNs, bounds.highNs);
      }
    }
  }

  /** After the commit: what `write` wrote is in the file, and leaves memory. */
  written(dirty: readonly TraceEntry[]): void {
    this.reset();
    for (const entry of dirty) {
      entry.statsWritten += entry.stats.codes.length;
      entry.stats.ops.length = 0;
      entry.stats.codes.length = 0;
    }
  }

  /**
   * Before the commit that evicts every trace keyed below `below`: the written tokens keyed from
   * `from` (those below it are out already) leave `index`, newest first (as
   * OperationStatsIndex.removeTrace takes them).
   */
  subtractStored(index: OperationStatsIndex, from: number, below: number): void {
    for (const tokens of this.stmts.spanStatsBetween.iterate(from, below) as Iterable<Uint8Array>) {
      const view = new DataView(tokens.buffer, tokens.byteOffset, tokens.byteLength);
      const n = Math.floor(tokens.byteLength / TOKEN_BYTES);
      for (let at = (n - 1) * TOKEN_BYTES; at >= 0; at -= TOKEN_BYTES) {
        index.removeStoredSpan(view.getUint32(at, true), tokenCode(view, at));
      }
    }
  }
}

/**
 * Restores the statistics of every stored span from the file, after `traces.load()` (which counted
 * the traces): the operations, then the tokens, whose rows come in key order, the traces' arrival
 * order, so each row's trace is found by walking the entries alongside. A file without tokens for
 * every stored span, or whose tokens count no request failed inside (both written by an older
 * version), is filled in from its span rows, once (in one step: it writes the file). In steps (see
 * load-steps.ts).
 */
export function* loadingOperationStats(
  db: SqliteDatabase,
  stmts: Statements,
  traces: StoredTraces,
  lookups: SpanLookups,
  onFill: (fill: StatisticsFill) => void,
): LoadSteps {
  const index = traces.stats;
  traces.statsRows.reset();
  for (const row of stmts.allStatsOperations.iterate() as Iterable<OperationRow>) {
    const [id, service, kind, name, peer, query, overflow, nested] = row;
    index.restoreOperation({
      id: Number(id),
      service,
      kind: SPAN_KINDS[Number(kind)] ?? "UNSPECIFIED",
      name,
      peer,
      query,
      overflow: overflow !== 0n,
      nested: nested !== 0n,
    });
  }
  // Alike tokens (same operation, minute, bucket and flags) are counted first, then added at once:
  // a few thousand distinct ones stand for a million spans.
  const counts = new Map<number, Map<number, number>>();
  /** Requests counted failed inside, per operation and code: added once every span is (see failInside). */
  const failedInside = new Map<number, Map<number, number>>();
  let base = Number.NaN;
  let tokenCount = 0;
  /**
   * Whether every stored trace's tokens were written by a version that counts requests failed inside
   * (see TELLS_FAILED_INSIDE). Without, their tokens match their spans' count all the same, yet a
   * trace's entry spans told apart again from its rows (readEntryNesting) would take back failures
   * never counted, below zero: filled in from the span rows instead.
   */
  let failedInsideTold = true;
  const entries = traces.entries.values();
  let entry: TraceEntry | undefined = entries.next().value;
  // A trace's operations are read from its tokens too; they tell them only when they count each of
  // its spans (a move's two tokens count none) and none is in an "(other operations)" row.
  let named: TraceEntry | undefined;
  let namedSpans = 0;
  const nameEnd = () => {
    if (named !== undefined && namedSpans !== named.aggregate.spanCount) named.operations = null;
  };
  let rows = 0;
  for (const [id, tokens] of stmts.allSpanStats.iterate() as Iterable<SpanStatsRow>) {
    if (++rows % ROWS_PER_STEP === 0) yield;
    const seq = Math.floor(Number(id) / SPAN_SLOTS);
    while (entry !== undefined && entry.seq < seq) entry = entries.next().value;
    if (entry === undefined) break;
    if (entry.seq !== seq) continue;
    if (entry !== named) {
      nameEnd();
      named = entry;
      namedSpans = 0;
      entry.operations = [];
    }
    const view = new DataView(tokens.buffer, tokens.byteOffset, tokens.byteLength);
    const n = Math.floor(tokens.byteLength / TOKEN_BYTES);
    if (!tellsFailedInside(tokens, n)) failedInsideTold = false;
    for (let at = 0; at < n * TOKEN_BYTES; at += TOKEN_BYTES) {
      const op = view.getUint32(at, true);
      let code = tokenCode(view, at);
      if (isFailedInsideCode(code)) {
        const sign = code < 0 ? -1 : 1;
        if (code < 0) code = negatedCode(code);
        let byCode = failedInside.get(op);
        if (byCode === undefined) {
          byCode = new Map();
          failedInside.set(op, byCode);
        }
        byCode.set(code, (byCode.get(code) ?? 0) + sign);
        continue;
      }
      let sign = 1;
      if (code < 0) {
        // A move (see OperationStatsIndex.renest): takes its span out of this operation again.
        code = negatedCode(code);
        sign = -1;
      }
      // Codes relative to the first one stay small integers, which maps key fastest.
      if (Number.isNaN(base)) base = code;
      let byCode = counts.get(op);
      if (byCode === undefined) {
        byCode = new Map();
        counts.set(op, byCode);
      }
      byCode.set(code - base, (byCode.get(code - base) ?? 0) + sign);
      tokenCount += sign;
      namedSpans += sign;
      const name = nameOfOperation(index.operationById(op));
      if (name === undefined) entry.operations = null;
      else entry.operations = noteOperation(entry.operations, name);
    }
    entry.statsWritten += n;
  }
  nameEnd();
  let complete = failedInsideTold && tokenCount === traces.spanTotal;
  for (const [op, byCode] of counts) {
    yield;
    for (const [code, count] of byCode) {
      if (count < 0) complete = false;
      else if (count > 0 && !index.restoreSpans(op, code + base, count)) complete = false;
    }
  }
  for (const [op, byCode] of failedInside) {
    for (const [code, count] of byCode) {
      if (count < 0) complete = false;
      else if (count > 0 && !index.restoreFailedInside(op, code, count)) complete = false;
    }
  }
  if (complete) {
    // Restored without their durations, the minutes are bounded by their buckets' edges; a file
    // from before the bounds were kept has no rows, and they stay so.
    const left: StatsBoundsRow[] = [];
    let boundsRows = 0;
    for (const row of stmts.allStatsBounds.iterate() as Iterable<StatsBoundsRow>) {
      if (++boundsRows % ROWS_PER_STEP === 0) yield;
      const [service, series, minute, lowNs, highNs] = row;
      if (!index.restoreBounds(service, Number(series), Number(minute), lowNs, highNs)) left.push(row);
    }
    // Rows of minutes or series the file no longer has (left by its older writes): no later write
    // would delete them, so they go now.
    if (left.length > 0) {
      db.transaction(() => {
        for (const [service, series, minute] of left) stmts.statsBoundsDelete.run(service, series, minute);
      })();
    }
    yield;
    traces.statsRows.forgetBounds();
    index.dropUnused();
    traces.recountOperations();
    return;
  }
  const started = performance.now();
  onFill({ spans: traces.spanTotal, ms: null });
  fillFromSpans(stmts, traces, lookups);
  db.transaction(() => {
    stmts.clearStats();
    traces.statsRows.write([...traces.entries.values()]);
  })();
  traces.statsRows.written([...traces.entries.values()]);
  traces.recountOperations();
  onFill({ spans: traces.spanTotal, ms: performance.now() - started });
}

/** Rebuilds the statistics from every span row (a file written before tokens were kept). */
function fillFromSpans(stmts: Statements, traces: StoredTraces, lookups: SpanLookups): void {
  const index = traces.stats;
  index.clear();
  traces.statsRows.reset();
  for (const entry of traces.entries.values()) {
    entry.stats = emptyTokens();
    entry.operations = [];
    entry.statsWritten = 0;
    index.countTrace(entry.aggregate.services, entry.sortStart);
  }
  // A trace's spans are added together, so an entry span nested in another of its service's is told
  // apart as at insert (nestedEntrySpans).
  let spans: (StatsSpan & NestingSpan)[] = [];
  let spansOf: TraceEntry | undefined;
  const addTrace = () => {
    if (spansOf === undefined) return;
    const tellings = entryTellings(spans);
    const entry = spansOf as TraceEntry;
    for (const span of spans) {
      index.add(span, entry.stats, tellings?.nested.has(span) === true);
      entry.operations = noteOperation(entry.operations, countedOperationName(entry.stats, span));
      if (tellings?.failedInside.has(span) === true) index.failInside(span, entry.stats, true);
    }
    spans = [];
  };
  const entries = traces.entries.values();
  let entry: TraceEntry | undefined = entries.next().value;
  for (const row of stmts.allSpanStatsFields.iterate() as Iterable<SpanStatsFieldsRow>) {
    const seq = Math.floor(Number(row[0]) / SPAN_SLOTS);
    while (entry !== undefined && entry.seq < seq) entry = entries.next().value;
    if (entry === undefined) break;
    if (entry.seq !== seq) continue;
    if (entry !== spansOf) {
      addTrace();
      spansOf = entry;
    }
    spans.push(statsSpanOf(row, entry.traceId, lookups));
  }
  addTrace();
}

/** A stored token's code; negative for a negated one (see negatedCode). */
function tokenCode(view: DataView, at: number): number {
  const low = view.getUint16(at + 8, true);
  let code = view.getUint32(at + 4, true) * CODE_MINUTE + (low & (CODE_MINUTE - 1));
  if ((low & FAILED_INSIDE_FLAG) !== 0) code += FAILED_INSIDE;
  return (low & NEGATED) === 0 ? code : negatedCode(code);
}

/** Whether a row of `n` tokens was written counting requests failed inside (see TELLS_FAILED_INSIDE). */
function tellsFailedInside(tokens: Uint8Array, n: number): boolean {
  return tokens.byteLength > n * TOKEN_BYTES && tokens[n * TOKEN_BYTES] === TELLS_FAILED_INSIDE;
}

function encodeTokens(tokens: StatsTokens): Buffer {
  const { ops, codes } = tokens;
  const bytes = Buffer.alloc(codes.length * TOKEN_BYTES + 1);
  bytes[codes.length * TOKEN_BYTES] = TELLS_FAILED_INSIDE;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0, at = 0; i < codes.length; i++, at += TOKEN_BYTES) {
    const stored = codes[i] as number;
    let code = stored < 0 ? negatedCode(stored) : stored;
    const inside = isFailedInsideCode(code);
    if (inside) code -= FAILED_INSIDE;
    const low = code % CODE_MINUTE;
    view.setUint32(at, (ops[i] as OperationEntry).id, true);
    view.setUint32(at + 4, (code - low) / CODE_MINUTE, true);
    view.setUint16(at + 8, low | (stored < 0 ? NEGATED : 0) | (inside ? FAILED_INSIDE_FLAG : 0), true);
  }
  return bytes;
}
