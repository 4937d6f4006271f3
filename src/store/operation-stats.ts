import {
  groupOfStoredOperation,
  isEntrySpan,
  type Operation,
  type OperationGroup,
  type OperationSpan,
  operationGroupOf,
  operationOf,
  operationQuery,
  peerNameOf,
  quoteQueryValue,
  type TellingChanges,
} from "../domain/operation.js";
import { ascending } from "../domain/order.js";
import { idleMsBetween, type RateBasis, rateBasis } from "../domain/rate-window.js";
import type { Span, SpanKind } from "../domain/span.js";
import { durationNanos } from "../domain/time.js";
import { bareHttpMethod, namesNonHttpSystem, routeSourceOf } from "../domain/trace-name.js";
import { histogramPercentiles, latencyBucket } from "./latency-histogram.js";
import { emptyCell, type MinuteBoundsListener, type StatsCell, StatsSeries } from "./stats-series.js";
import type { OperationStats, ServiceOperations, ServiceStats, StatsWindow } from "./store.js";

/** What the index reads of a span. */
export type StatsSpan = OperationSpan &
  Pick<Span, "service" | "parentSpanId" | "startTimeUnixNano" | "endTimeUnixNano" | "status">;

/**
 * What one trace's spans added, so eviction takes exactly that away again: per span its operation
 * and a number packing the minute, latency bucket, root and error flags. Two flat arrays cost ~12
 * bytes per span.
 */
export interface StatsTokens {
  ops: OperationEntry[];
  codes: number[];
}

export function emptyTokens(): StatsTokens {
  return { ops: [], codes: [] };
}

/** Lists of operations that quiet traces' tokens share (see OperationStatsIndex.compactTokens), at most this many. */
const SHARED_OPERATION_LISTS = 4_096;
/** Operation lists longer than this are not shared (see compactTokens). */
const SHARED_OPERATION_LIST_LENGTH = 64;

/** Gives a trace's tokens that compactTokens compacted lists of their own again, to take more tokens. */
export function thawTokens(tokens: StatsTokens): void {
  tokens.ops = tokens.ops.slice();
}

/**
 * A quiet trace's token codes as one string of 16-bit units (see packCodes): ~48 bytes for ten spans'
 * codes, where an array of them takes ~130 (8 bytes a number in its store, and the array an object more).
 */
export type PackedCodes = string;

/** A code within this of the first is one unit (the unit minus the bias); ESCAPE and four units stand for any other. */
const CODE_DELTA_BIAS = 0x7fff;
const CODE_ESCAPE = 0xffff;
/** Units packCodes turns into a string in one call. */
const PACK_SLICE = 8_192;
/** Added to a whole code so that every code (negated ones, times before 1970) is a positive 53-bit integer. */
const CODE_OFFSET = 2 ** 52;

function pushWholeCode(units: number[], code: number): void {
  let rest = code + CODE_OFFSET;
  for (let i = 0; i < 4; i++) {
    const unit = rest % 0x10000;
    units.push(unit);
    rest = (rest - unit) / 0x10000;
  }
}

function wholeCodeAt(packed: PackedCodes, at: number): number {
  let value = 0;
  for (let i = 3; i >= 0; i--) value = value * 0x10000 + packed.charCodeAt(at + i);
  return value - CODE_OFFSET;
}

/**
 * `codes` (a trace's tokens' codes) as one string: the first whole, then each as its difference from
 * the first in one unit (a trace's spans mostly fall in one minute), else whole behind CODE_ESCAPE.
 */
export function packCodes(codes: readonly number[]): PackedCodes {
  if (codes.length === 0) return "";
  const first = codes[0] as number;
  const units: number[] = [];
  pushWholeCode(units, first);
  for (let i = 1; i < codes.length; i++) {
    const code = codes[i] as number;
    const unit = code - first + CODE_DELTA_BIAS;
    if (unit >= 0 && unit < CODE_ESCAPE) units.push(unit);
    else {
      units.push(CODE_ESCAPE);
      pushWholeCode(units, code);
    }
  }
  // In slices: a call takes its units as arguments, and a very large trace has more than a call takes.
  let packed = "";
  for (let at = 0; at < units.length; at += PACK_SLICE) {
    packed += String.fromCharCode(...units.slice(at, at + PACK_SLICE));
  }
  return packed;
}

/** The codes packCodes packed, as an array that can take more. */
export function unpackCodes(packed: PackedCodes): number[] {
  if (packed.length === 0) return [];
  const codes: number[] = [];
  const first = wholeCodeAt(packed, 0);
  codes.push(first);
  for (let at = 4; at < packed.length; ) {
    const unit = packed.charCodeAt(at);
    if (unit === CODE_ESCAPE) {
      codes.push(wholeCodeAt(packed, at + 1));
      at += 5;
    } else {
      codes.push(first + unit - CODE_DELTA_BIAS);
      at++;
    }
  }
  return codes;
}

/** Operations kept per service; later ones are counted in one "(other operations)" row per group. */
export const MAX_OPERATIONS_PER_SERVICE = 500;
export const OTHER_OPERATIONS = "(other operations)";

const NS_PER_MINUTE = 60e9;
/** A token's code: minute * CODE_MINUTE + latency bucket * 4 + root (2) + error (1). */
export const CODE_MINUTE = 4096;

export interface OperationEntry extends Operation {
  /** Numbers operations for files that persist tokens (see OperationJournal). */
  readonly id: number;
  /** Entry spans inside another entry span of their service (see nestedEntrySpans): not counted as requests. */
  readonly nested: boolean;
  readonly service: ServiceEntry;
  readonly key: string;
  readonly query: string;
  readonly series: StatsSeries;
}

interface ServiceEntry {
  readonly name: string;
  traces: number;
  /**
   * Its traces by the minute the trace starts in (counts only): a window counts the traces that start
   * in it, as the trace list filtered by the service and that window lists them.
   */
  readonly traceStarts: StatsSeries;
  /** Every span of the service (counts only); its entry spans; its root spans. */
  readonly all: StatsSeries;
  readonly entry: StatsSeries;
  readonly root: StatsSeries;
  /** By kind (and nesting, see slotOf), then by name (outgoing: name and peer). */
  readonly ops: Map<OperationSlot, Map<string, OperationEntry>>;
  opCount: number;
  /** The "(other operations)" rows, by group (nested entry spans apart, see overflowKey). */
  readonly overflow: Map<string, OperationEntry>;
  /**
   * The operations (slot and key) counted in each "(other operations)" row while it lasts: they stay
   * there when room is made, so that a span counted there is found there again (see renest).
   */
  readonly overflowed: Map<string, Set<string>>;
  /**
   * Operations found so far by span kind and name, then by detail: what `operationEntry` looks up
   * first. Emptied whenever an operation of the service is dropped or restored, and when it grows
   * past MAX_FOUND entries.
   */
  readonly found: Map<OperationSlot, Map<string, FoundName>>;
  foundCount: number;
}

/**
 * A span kind, or an entry kind with "/nested" for entry spans inside another of their service, or
 * "INTERNAL/call" for a TraceKit SDK's INTERNAL spans that are calls (see operationGroupOf): apart
 * from other INTERNAL spans of the same name.
 */
type OperationSlot = SpanKind | `${SpanKind}/nested` | "INTERNAL/call";

function slotOf(kind: SpanKind, nested: boolean, group: OperationGroup): OperationSlot {
  if (kind === "INTERNAL" && group === "outgoing") return "INTERNAL/call";
  return nested ? `${kind}/nested` : kind;
}

function overflowKey(group: OperationGroup, nested: boolean): string {
  return nested ? `${group}/nested` : group;
}

/** Spans of one kind and name: how their detail is read, and the operation of each detail seen. */
interface FoundName {
  detail: ((span: StatsSpan) => string | null) | typeof NO_DETAIL;
  ops: Map<string | null, OperationEntry>;
}

/** Names and details kept in a service's `found` before it is emptied (bounds it when names or routes hold ids). */
const MAX_FOUND = 4 * MAX_OPERATIONS_PER_SERVICE;

/** The operation of a span is its name alone (see operationOf). */
const NO_DETAIL = 0;

/** What besides kind and name decides a span's operation (see operationOf): the route, the peer, or nothing. */
function detailOf(span: StatsSpan, group: OperationGroup): FoundName["detail"] {
  if (group === "outgoing") return bareHttpMethod(span.name, NO_ATTRIBUTES) === undefined ? peerNameOf : methodCallOf;
  if (group === "entry" && bareHttpMethod(span.name, span.attributes) !== undefined) return routeOf;
  return NO_DETAIL;
}

const NO_ATTRIBUTES = Object.freeze({});

/**
 * An outgoing span named as an HTTP method: its peer, and whether it calls a database, queue or RPC
 * system (a Redis `GET`), which operationOf names by the span's name alone, not as an HTTP call.
 */
function methodCallOf(span: StatsSpan): string | null {
  const peer = peerNameOf(span);
  return namesNonHttpSystem(span.attributes) ? `\u0000${peer ?? ""}` : peer;
}

/** The route routeNameOf names a bare-method server span by (templated), or null. */
function routeOf(span: StatsSpan): string | null {
  return routeSourceOf(span.attributes)?.route ?? null;
}

/** An operation as a file keeps it: enough to rebuild its entry, under the same id, at open. */
export interface OperationRecord {
  id: number;
  service: string;
  kind: SpanKind;
  name: string;
  peer: string | null;
  query: string;
  /** The "(other operations)" row of its kind's group. */
  overflow: boolean;
  /** Its spans are entry spans inside another of their service's (see OperationEntry.nested). */
  nested: boolean;
}

/**
 * Which of a service's series with latency a file's row of minute bounds is of: an operation's (its
 * id, from 1), or the service's entry spans' or root spans'.
 */
export const ENTRY_SERIES = 0;
export const ROOT_SERIES = -1;

/**
 * Told of operations made and dropped, and of minute cells whose duration bounds moved or that went,
 * so a store that persists tokens can keep their records and the minutes' bounds.
 */
export interface OperationJournal {
  created(record: OperationRecord): void;
  dropped(id: number): void;
  /** `cells`' minute `minute` (of `service`'s series `series`, see ENTRY_SERIES) moved its bounds or went. */
  minuteBounds(service: string, series: number, cells: StatsSeries, minute: number): void;
}

/**
 * Per-service and per-operation statistics kept up to date as spans are inserted and traces evicted,
 * so reading them costs what the window holds, not what the store holds. Memory is bounded by the
 * store: every cell holds at least one stored span, and operations per service are capped.
 */
export class OperationStatsIndex {
  private services = new Map<string, ServiceEntry>();
  /**
   * Per start minute, over every service: the spans counted, and the earliest start and latest end
   * of those added since the minute was new (unix ms; a file's restored tokens give the minute's
   * bounds). What a rate over everything stored is per (see rateBasis).
   */
  private readonly minutes = new Map<number, MinuteTimes>();
  private readonly byId = new Map<number, OperationEntry>();
  private nextId = 1;
  /** Quiet traces' operation lists by their operations' ids, each kept once (see compactTokens). */
  private sharedOps = new Map<string, readonly OperationEntry[]>();
  /** Operations emptied during `removing`, dropped at its end when still empty. */
  private emptied: Set<OperationEntry> | null = null;
  /**
   * The store's oldest stored trace start (unix ms), when it can tell: where a rate over everything
   * stored begins. The minutes' first starts keep those of spans evicted since (a minute only loses
   * its count), up to a minute too early.
   */
  oldestStartMs: (() => number | null) | null = null;

  constructor(
    private readonly nowMs: () => number = Date.now,
    private readonly journal: OperationJournal | null = null,
  ) {}

  clear(): void {
    this.services = new Map();
    this.minutes.clear();
    this.byId.clear();
    this.nextId = 1;
    this.sharedOps = new Map();
  }

  /**
   * Gives a trace's tokens arrays of their exact size, once it takes no more spans for a while: arrays
   * that grew by push keep room for 17 or more entries, which a store of 100,000 quiet traces pays for.
   * Its operations become a frozen list shared with the traces whose spans were counted in the same
   * operations in the same order (most traces of one endpoint): thawTokens before it takes a token again.
   */
  compactTokens(tokens: StatsTokens): void {
    tokens.codes = tokens.codes.slice();
    const ops = tokens.ops;
    // A long list is seldom another trace's too, and a shared one outlives its trace (kept until the
    // map is full): 4,096 lists of a 2,000-span trace's tokens held ~470 MB after those traces went.
    if (ops.length > SHARED_OPERATION_LIST_LENGTH) {
      tokens.ops = ops.slice();
      return;
    }
    let key = "";
    for (const op of ops) key += `${op.id},`;
    const shared = this.sharedOps.get(key);
    if (shared !== undefined) {
      // Equal ids are the same operations: ids are not used again until `clear`, which forgets these lists.
      tokens.ops = shared as OperationEntry[];
      return;
    }
    const kept = Object.freeze(ops.slice());
    if (this.sharedOps.size >= SHARED_OPERATION_LISTS) this.sharedOps = new Map();
    this.sharedOps.set(key, kept);
    tokens.ops = kept as OperationEntry[];
  }

  /**
   * Counts a trace for `service`, under the start it is filed by (`startNs`): call when a counted
   * trace's summary gains the service. A trace not yet counted is counted by countTrace.
   */
  addTrace(service: string, startNs: bigint): void {
    const entry = this.serviceEntry(service);
    entry.traces++;
    entry.traceStarts.add(startMinute(startNs), 0, false);
  }

  /** Counts a trace new to the statistics for each of its `services`, under its start. */
  countTrace(services: readonly string[], startNs: bigint): void {
    for (const service of services) this.addTrace(service, startNs);
  }

  /**
   * Moves a counted trace's count in each of its `services` from the minute of its old start to that
   * of its new one: an earlier span arrived (children often come before their parent).
   */
  moveTrace(services: readonly string[], fromNs: bigint, toNs: bigint): void {
    const from = startMinute(fromNs);
    const to = startMinute(toNs);
    if (from === to) return;
    for (const name of services) {
      const starts = this.services.get(name)?.traceStarts;
      if (starts === undefined) continue;
      starts.remove(from, 0, false);
      starts.add(to, 0, false);
    }
  }

  /** Counts a span; `nested` for an entry span inside another of its service's (see nestedEntrySpans). */
  /** `startNs` and `durationNs`: the span's start and durationNanos as numbers, when the caller has them already. */
  add(
    span: StatsSpan,
    tokens: StatsTokens,
    nested = false,
    startNs: number = Number(span.startTimeUnixNano),
    durationNs: number = durationNanos(span.startTimeUnixNano, span.endTimeUnixNano),
  ): void {
    const service = this.serviceEntry(span.service);
    const op = this.operationEntry(service, span, nested && isEntrySpan(span));
    const code = codeAt(span, startNs, durationNs);
    applyCode(op, code, true, 1, durationNs);
    tokens.ops.push(op);
    tokens.codes.push(code);
    const times = this.minuteTimes(Math.floor(code / CODE_MINUTE));
    times.count++;
    const startMs = startNs / 1e6;
    if (startMs < times.firstMs) times.firstMs = startMs;
    noteEnd(times, span.endTimeUnixNano);
  }

  /**
   * Moves a counted entry span to the nested ones (`nested`) or back to the requests: its parent, or
   * another telling of its request, came in a later insert (see EntryNesting). Two tokens
   * record the move (taken out of the old operation, added to the new one), so eviction and a file's
   * reopening undo or repeat exactly that.
   */
  renest(span: StatsSpan, tokens: StatsTokens, nested: boolean): void {
    const service = this.serviceEntry(span.service);
    const from = this.countedOperationEntry(service, span, !nested);
    const to = this.operationEntry(service, span, nested);
    const durationNs = durationNanos(span.startTimeUnixNano, span.endTimeUnixNano);
    const code = codeAt(span, Number(span.startTimeUnixNano), durationNs);
    applyCode(from, code, false);
    applyCode(to, code, true, 1, durationNs);
    tokens.ops.push(from, to);
    tokens.codes.push(negatedCode(code), code);
  }

  /**
   * Counts a request failed (`failed`) or no longer failed because of another telling of it, nested
   * in it (see EntryTellings): its own span did not fail. Its operation and its service's requests
   * count one failure more or less; its service's spans do not (the failed telling is counted there).
   * A token records it, so eviction and a file's reopening undo or repeat exactly that.
   */
  failInside(span: StatsSpan, tokens: StatsTokens, failed: boolean): void {
    const op = this.countedOperationEntry(this.serviceEntry(span.service), span, false);
    const durationNs = durationNanos(span.startTimeUnixNano, span.endTimeUnixNano);
    const code = FAILED_INSIDE + codeAt(span, Number(span.startTimeUnixNano), durationNs);
    applyFailedInside(op, code, failed);
    tokens.ops.push(op);
    tokens.codes.push(failed ? code : negatedCode(code));
  }

  /**
   * Takes a trace's tellings as EntryNesting.add changed them into the statistics: a request no longer
   * failed inside before its span moves among the nested ones, one that now is after its span moved
   * among the requests.
   */
  retell<S extends StatsSpan>(changes: TellingChanges<S>, tokens: StatsTokens): void {
    for (const [span, failed] of changes.failedInside) if (!failed) this.failInside(span, tokens, false);
    for (const [span, nested] of changes.nested) this.renest(span, tokens, nested);
    for (const [span, failed] of changes.failedInside) if (failed) this.failInside(span, tokens, true);
  }

  private minuteTimes(minute: number): MinuteTimes {
    let times = this.minutes.get(minute);
    if (times === undefined) {
      times = { count: 0, firstMs: Number.POSITIVE_INFINITY, lastMs: Number.NEGATIVE_INFINITY, lastEnd: null };
      this.minutes.set(minute, times);
    }
    return times;
  }

  /** `n` spans of the token `code` left (evicted). */
  private untime(code: number, n = 1): void {
    const minute = Math.floor(code / CODE_MINUTE);
    const times = this.minutes.get(minute);
    if (times === undefined) return;
    times.count -= n;
    if (times.count <= 0) this.minutes.delete(minute);
  }

  /** The operation numbered `id` (a file's token names it so), or undefined. */
  operationById(id: number): OperationEntry | undefined {
    return this.byId.get(id);
  }

  /** Adds `count` spans again from their stored tokens (at open); false when no operation has that id. */
  restoreSpans(id: number, code: number, count: number): boolean {
    const op = this.byId.get(id);
    if (op === undefined) return false;
    applyCode(op, code, true, count);
    this.minuteTimes(Math.floor(code / CODE_MINUTE)).count += count;
    return true;
  }

  /**
   * Counts `count` requests failed inside again from their stored tokens (at open, after every span's
   * token, see failInside); false when no operation has that id.
   */
  restoreFailedInside(id: number, code: number, count: number): boolean {
    const op = this.byId.get(id);
    if (op === undefined) return false;
    applyFailedInside(op, code, true, count);
    return true;
  }

  /**
   * A stored trace's start and end (at open, before its spans' tokens): what the times of a rate
   * over everything stored come from, as its spans' own times are not kept in the file's tokens.
   */
  restoreTimes(start: bigint, end: bigint): void {
    const times = this.minuteTimes(startMinute(start));
    const startMs = Number(start) / 1e6;
    if (startMs < times.firstMs) times.firstMs = startMs;
    noteEnd(times, end);
  }

  /**
   * Takes out a span whose token was kept in a file rather than in memory (at eviction); a negated
   * token (see renest) is added back. A trace's tokens are taken out newest first, so a move is undone
   * before the span it moved.
   */
  removeStoredSpan(id: number, code: number): void {
    const op = this.byId.get(id);
    if (op === undefined) return;
    this.removeToken(op, code);
  }

  private removeToken(op: OperationEntry, code: number): void {
    if (isFailedInsideCode(code)) {
      if (code < 0) applyFailedInside(op, negatedCode(code), true);
      else applyFailedInside(op, code, false);
    } else if (code < 0) {
      const added = negatedCode(code);
      applyCode(op, added, true);
      this.untime(added, -1);
      return;
    } else {
      applyCode(op, code, false);
      this.untime(code);
    }
    // Emptied, it goes: one that a failed-inside token alone kept (no span counted in it) too.
    if (op.series.total.count > 0) return;
    if (this.emptied !== null) this.emptied.add(op);
    else this.dropOperation(op);
  }

  /**
   * Runs `removals` (tokens taken out in several passes: a file's and memory's), dropping the
   * operations they empty only at the end, those still empty then: a count can touch 0 between two
   * passes (a move's token out before the span it moved), and a dropped operation took no more tokens.
   */
  removing(removals: () => void): void {
    if (this.emptied !== null) {
      removals();
      return;
    }
    this.emptied = new Set();
    try {
      removals();
    } finally {
      const emptied = this.emptied;
      this.emptied = null;
      for (const op of emptied) if (op.series.total.count <= 0) this.dropOperation(op);
    }
  }

  /** Makes a stored operation's entry again, under its id (at open, before its spans' tokens). */
  restoreOperation(record: OperationRecord): void {
    const service = this.serviceEntry(record.service);
    const group = groupOfStoredOperation(record.kind, record.peer);
    const op: OperationEntry = {
      id: record.id,
      nested: record.nested,
      group,
      kind: record.kind,
      name: record.name,
      peer: record.peer,
      service,
      key: record.overflow ? "" : operationKey(record.name, record.peer),
      // Written again from the operation: a file written before `operation=` holds a query of span
      // names, routes and peers, which missed the operation's spans named otherwise.
      query: record.overflow ? record.query : operationQuery(record.service, record.kind, record.name, record.peer),
      series: this.latencySeries(record.service, record.id),
    };
    if (record.overflow) {
      service.overflow.set(overflowKey(group, record.nested), op);
    } else {
      const slot = slotOf(record.kind, record.nested, group);
      let byName = service.ops.get(slot);
      if (byName === undefined) {
        byName = new Map();
        service.ops.set(slot, byName);
      }
      byName.set(op.key, op);
      service.opCount++;
    }
    service.found.clear();
    service.foundCount = 0;
    this.byId.set(op.id, op);
    if (op.id >= this.nextId) this.nextId = op.id + 1;
  }

  /** Drops restored operations that no stored span has (their drop was not written before the file closed). */
  dropUnused(): void {
    for (const op of [...this.byId.values()]) if (op.series.total.count <= 0) this.dropOperation(op);
    for (const [minute, times] of this.minutes) if (times.count <= 0) this.minutes.delete(minute);
    for (const [name, service] of this.services) {
      if (service.traces <= 0 && service.all.total.count <= 0) this.services.delete(name);
    }
  }

  /**
   * Takes an evicted trace out: its spans (by their tokens) and its count in each of its services,
   * counted under `startNs` (the start it was last counted or moved under).
   */
  removeTrace(services: readonly string[], tokens: StatsTokens, startNs: bigint): void {
    const { ops, codes } = tokens;
    // Newest first: a move (see renest) is undone before the span it moved is taken out.
    for (let i = ops.length - 1; i >= 0; i--) this.removeToken(ops[i] as OperationEntry, codes[i] as number);
    const minute = startMinute(startNs);
    for (const name of services) {
      const service = this.services.get(name);
      if (service === undefined) continue;
      service.traces--;
      service.traceStarts.remove(minute, 0, false);
      if (service.traces <= 0 && service.all.total.count <= 0) this.services.delete(name);
    }
  }

  listServices(window: StatsWindow = {}): ServiceStats[] {
    const range = this.range(window);
    const out: ServiceStats[] = [];
    for (const service of this.services.values()) {
      const stats = this.serviceStats(service, range);
      if (stats !== undefined) out.push(stats);
    }
    return out.sort((a, b) => ascending(a.name, b.name));
  }

  /**
   * The names of the entry operations (of any service) whose name holds `text`, in any case: besides
   * its own name, what the trace list's name filter finds a trace by (query-match.ts summaryMatches).
   */
  entryNamesHolding(text: string): Set<string> {
    const lower = text.toLowerCase();
    const names = new Set<string>();
    for (const op of this.byId.values()) {
      if (op.group === "entry" && op.name !== OTHER_OPERATIONS && op.name.toLowerCase().includes(lower)) {
        names.add(op.name);
      }
    }
    return names;
  }

  listOperations(name: string, window: StatsWindow = {}): ServiceOperations | undefined {
    const service = this.services.get(name);
    if (service === undefined) return undefined;
    const range = this.range(window);
    const stats = this.serviceStats(service, range);
    if (stats === undefined) return undefined;
    const operations: OperationStats[] = [];
    const collectOp = (op: OperationEntry) => {
      const cell = emptyCell();
      op.series.collect(range.from, range.to, cell);
      if (cell.count === 0) return;
      operations.push({
        group: op.group,
        kind: op.kind,
        nested: op.nested,
        name: op.name,
        peer: op.peer,
        query: op.query,
        ...latencyOf(cell, range.seconds),
      });
    };
    for (const byName of service.ops.values()) for (const op of byName.values()) collectOp(op);
    for (const op of service.overflow.values()) collectOp(op);
    operations.sort((a, b) => b.count - a.count || ascending(a.name, b.name));
    return { service: stats, windowSeconds: range.seconds, operations };
  }

  private serviceStats(service: ServiceEntry, range: MinuteRange): ServiceStats | undefined {
    const all = emptyCell(false);
    service.all.collect(range.from, range.to, all);
    if (all.count === 0) return undefined;
    let basis: ServiceStats["basis"] = "entry";
    let requests = emptyCell();
    service.entry.collect(range.from, range.to, requests);
    if (requests.count === 0) {
      basis = "root";
      requests = emptyCell();
      service.root.collect(range.from, range.to, requests);
    }
    const latency = latencyOf(requests, range.seconds);
    const traces = emptyCell(false);
    service.traceStarts.collect(range.from, range.to, traces);
    return {
      name: service.name,
      spanCount: all.count,
      errorCount: all.errors,
      traceCount: traces.count,
      basis,
      requestCount: latency.count,
      requestErrorCount: latency.errorCount,
      ratePerSec: latency.ratePerSec,
      p50Ms: latency.p50Ms,
      p95Ms: latency.p95Ms,
      p99Ms: latency.p99Ms,
    };
  }

  /** What the rates of listServices and listOperations over `window` are per (see rateBasis). */
  rateBasis(window: StatsWindow = {}): RateBasis {
    const { firstMs, lastMs, idleMs } = this.storedTimes(window);
    return rateBasis(window, firstMs, lastMs, this.nowMs(), idleMs);
  }

  /**
   * The first start and last end of what is stored, where an open end of `window` needs them, and
   * with an open start the idle time between (idleMsBetween over the minutes up to the window's end).
   */
  private storedTimes(window: StatsWindow): { firstMs: number | null; lastMs: number | null; idleMs: number } {
    let firstMs: number | null = null;
    let lastMs: number | null = null;
    let idleMs = 0;
    if (window.sinceUnixNano !== undefined && window.untilUnixNano !== undefined) return { firstMs, lastMs, idleMs };
    const counted: MinuteTimes[] = [];
    for (const [minute, times] of this.minutes) {
      // A start of 0 is OTLP's unset time: such a span places nothing in time. Counted, one span
      // "running" since 1970 left no idle stretch, and every rate over everything stored read near zero.
      if (times.count <= 0 || minute === UNSET_START_MINUTE) continue;
      counted.push(times);
      if (firstMs === null || times.firstMs < firstMs) firstMs = times.firstMs;
      if (lastMs === null || times.lastMs > lastMs) lastMs = times.lastMs;
    }
    const oldest = firstMs === null ? null : (this.oldestStartMs?.() ?? null);
    if (oldest !== null && firstMs !== null && oldest > firstMs) firstMs = oldest;
    if (window.sinceUnixNano === undefined && firstMs !== null) {
      const untilMs =
        window.untilUnixNano === undefined ? Number.POSITIVE_INFINITY : Number(window.untilUnixNano) / 1e6;
      // Before the oldest stored trace nothing is stored: a minute's evicted spans keep its first start.
      const from = firstMs;
      const runs = counted
        .filter((times) => times.firstMs <= untilMs)
        .map((times) => ({ firstMs: Math.max(times.firstMs, from), lastMs: times.lastMs }));
      idleMs = idleMsBetween(runs);
    }
    return { firstMs, lastMs, idleMs };
  }

  /**
   * The window in start minutes, and its length in seconds for rates (rateBasis: an open start at
   * the first stored span's start, an open end at now with `since`, else at the last span's end).
   */
  private range(window: StatsWindow): MinuteRange {
    const since = window.sinceUnixNano === undefined ? undefined : Number(window.sinceUnixNano);
    const until = window.untilUnixNano === undefined ? undefined : Number(window.untilUnixNano);
    const { seconds } = this.rateBasis(window);
    return {
      from: since === undefined ? Number.NEGATIVE_INFINITY : Math.floor(since / NS_PER_MINUTE),
      to: until === undefined ? Number.POSITIVE_INFINITY : Math.floor(until / NS_PER_MINUTE),
      seconds,
    };
  }

  /** A series with latency, whose minutes' bounds the journal (if any) is told of as `service`'s `series`. */
  private latencySeries(service: string, series: number): StatsSeries {
    const journal = this.journal;
    if (journal === null) return new StatsSeries();
    const listener: MinuteBoundsListener = (cells, minute) => journal.minuteBounds(service, series, cells, minute);
    return new StatsSeries(true, listener);
  }

  /**
   * Gives a minute read back from a file the duration bounds it had when written (after its spans'
   * tokens); false when the series or its minute is not there (a row left by a file's older writes,
   * which the caller deletes).
   */
  restoreBounds(service: string, series: number, minute: number, lowNs: number, highNs: number): boolean {
    let cells: StatsSeries | undefined;
    if (series > 0) {
      const op = this.byId.get(series);
      cells = op?.service.name === service ? op.series : undefined;
    } else {
      const entry = this.services.get(service);
      cells = series === ENTRY_SERIES ? entry?.entry : series === ROOT_SERIES ? entry?.root : undefined;
    }
    return cells?.restoreBounds(minute, lowNs, highNs) ?? false;
  }

  private serviceEntry(name: string): ServiceEntry {
    let service = this.services.get(name);
    if (service === undefined) {
      service = {
        name,
        traces: 0,
        traceStarts: new StatsSeries(false),
        all: new StatsSeries(false),
        entry: this.latencySeries(name, ENTRY_SERIES),
        root: this.latencySeries(name, ROOT_SERIES),
        ops: new Map(),
        opCount: 0,
        overflow: new Map(),
        overflowed: new Map(),
        found: new Map(),
        foundCount: 0,
      };
      this.services.set(name, service);
    }
    return service;
  }

  private operationEntry(service: ServiceEntry, span: StatsSpan, nested: boolean): OperationEntry {
    // Found by the span's kind and name, and for those whose operation is not just their name, the
    // detail that names it: without building the operation again.
    const group = operationGroupOf(span);
    const slot = slotOf(span.kind, nested, group);
    let byName = service.found.get(slot);
    if (byName === undefined) {
      byName = new Map();
      service.found.set(slot, byName);
    }
    if (service.foundCount >= MAX_FOUND) {
      service.found.clear();
      service.foundCount = 0;
      byName = new Map();
      service.found.set(slot, byName);
    }
    let named = byName.get(span.name);
    if (named === undefined) {
      named = { detail: detailOf(span, group), ops: new Map() };
      byName.set(span.name, named);
    }
    const detail = named.detail === NO_DETAIL ? null : named.detail(span);
    let op = named.ops.get(detail);
    if (op === undefined) {
      op = this.namedOperationEntry(service, span, nested);
      named.ops.set(detail, op);
      service.foundCount++;
    }
    return op;
  }

  /**
   * The operation a counted span is in (the one renest moves it from, the one failInside counts its
   * request's failure in): its own row when there is one, else the "(other operations)" row of its
   * group, never a new row. operationEntry finds it so while the process runs (see `overflowed`),
   * but a file does not keep which operations an "(other operations)" row counts: after a reopening,
   * with room made since, it made a row of its own for a span counted there, empty, and took the
   * span or its failure out of that one (below zero), the failure never taken back from its row.
   */
  private countedOperationEntry(service: ServiceEntry, span: StatsSpan, nested: boolean): OperationEntry {
    const operation = operationOf(span);
    const key = operationKey(operation.name, operation.peer);
    const slot = slotOf(span.kind, nested, operation.group);
    const own = service.ops.get(slot)?.get(key);
    if (own !== undefined) return own;
    const group = overflowKey(operation.group, nested);
    const overflow = service.overflow.get(group);
    if (overflow === undefined) return this.operationEntry(service, span, nested);
    // Found there again from now on, as operationEntry keeps it.
    let sent = service.overflowed.get(group);
    if (sent === undefined) {
      sent = new Set();
      service.overflowed.set(group, sent);
    }
    sent.add(`${slot}\u0000${key}`);
    return overflow;
  }

  private namedOperationEntry(service: ServiceEntry, span: StatsSpan, nested: boolean): OperationEntry {
    const operation = operationOf(span);
    const key = operationKey(operation.name, operation.peer);
    const slot = slotOf(span.kind, nested, operation.group);
    let byName = service.ops.get(slot);
    const found = byName?.get(key);
    if (found !== undefined) return found;
    const group = overflowKey(operation.group, nested);
    const slotKey = `${slot}\u0000${key}`;
    let sent = service.overflowed.get(group);
    if (service.opCount >= MAX_OPERATIONS_PER_SERVICE || sent?.has(slotKey) === true) {
      if (sent === undefined) {
        sent = new Set();
        service.overflowed.set(group, sent);
      }
      sent.add(slotKey);
      return this.overflowEntry(service, operation, nested);
    }
    if (byName === undefined) {
      byName = new Map();
      service.ops.set(slot, byName);
    }
    const id = this.nextId++;
    const op: OperationEntry = {
      ...operation,
      id,
      nested,
      service,
      key,
      query: operationQuery(service.name, operation.kind, operation.name, operation.peer),
      series: this.latencySeries(service.name, id),
    };
    byName.set(key, op);
    service.opCount++;
    this.created(op, false);
    return op;
  }

  private created(op: OperationEntry, overflow: boolean): void {
    this.byId.set(op.id, op);
    this.journal?.created({
      id: op.id,
      service: op.service.name,
      kind: op.kind,
      name: op.name,
      peer: op.peer,
      query: op.query,
      overflow,
      nested: op.nested,
    });
  }

  private overflowEntry(service: ServiceEntry, operation: Operation, nested: boolean): OperationEntry {
    const key = overflowKey(operation.group, nested);
    let op = service.overflow.get(key);
    if (op === undefined) {
      const id = this.nextId++;
      op = {
        id,
        nested,
        group: operation.group,
        // A file tells an INTERNAL operation with no peer from a call by its kind (groupOfStoredOperation).
        kind: operation.group === "outgoing" && operation.kind === "INTERNAL" ? "CLIENT" : operation.kind,
        name: OTHER_OPERATIONS,
        peer: null,
        service,
        key: "",
        query: `service=${quoteQueryValue(service.name)}`,
        series: this.latencySeries(service.name, id),
      };
      service.overflow.set(key, op);
      this.created(op, true);
    }
    return op;
  }

  private dropOperation(op: OperationEntry): void {
    if (this.byId.get(op.id) !== op) return;
    this.byId.delete(op.id);
    this.journal?.dropped(op.id);
    const service = op.service;
    service.found.clear();
    service.foundCount = 0;
    if (op.name === OTHER_OPERATIONS && op.key === "") {
      service.overflow.delete(overflowKey(op.group, op.nested));
      service.overflowed.delete(overflowKey(op.group, op.nested));
      return;
    }
    const slot = slotOf(op.kind, op.nested, op.group);
    const byName = service.ops.get(slot);
    if (byName?.get(op.key) !== op) return;
    byName.delete(op.key);
    if (byName.size === 0) service.ops.delete(slot);
    service.opCount--;
  }
}

/**
 * A span's token code: its start minute, latency bucket, and whether it is a root and failed, given
 * its start and durationNanos as numbers.
 */
function codeAt(span: StatsSpan, startNs: number, durationNs: number): number {
  const minute = Math.floor(startNs / NS_PER_MINUTE);
  const bucket = latencyBucket(durationNs);
  return (
    minute * CODE_MINUTE + bucket * 4 + (span.parentSpanId === null ? 2 : 0) + (span.status.code === "ERROR" ? 1 : 0)
  );
}

/**
 * A token that takes its span out of its operation again (a move, see renest): negative, so the
 * codes of counted spans (zero or more) never meet it. Its own inverse.
 */
export function negatedCode(code: number): number {
  return -1 - code;
}

/**
 * Added to a request's code for a token that counts it failed inside (see failInside): past every
 * span's code (a file keeps a minute as 32 bits: 2^32 times CODE_MINUTE is 2^44).
 */
export const FAILED_INSIDE = 2 ** 46;

/** Whether a token's code, negated or not, counts a request failed inside (see failInside) rather than a span. */
export function isFailedInsideCode(code: number): boolean {
  return code >= FAILED_INSIDE / 2 || code < -FAILED_INSIDE / 2;
}

/** Counts `n` requests of a failed-inside token's `code` failed (or no longer) in its operation and its service's requests. */
function applyFailedInside(op: OperationEntry, code: number, add: boolean, n = 1): void {
  const minute = Math.floor((code - FAILED_INSIDE) / CODE_MINUTE);
  const errors = add ? n : -n;
  op.series.addErrors(minute, errors);
  if (op.group === "entry" && !op.nested) op.service.entry.addErrors(minute, errors);
}

/**
 * Adds `n` spans of a token (or takes them out) to its operation's and service's series; `durationNs`
 * when known (a token does not keep it: spans restored from a file, or a move undone, count as
 * anywhere in their bucket, see StatsCell, until a file gives their minutes back their bounds, see
 * restoreBounds).
 */
function applyCode(op: OperationEntry, code: number, add: boolean, n = 1, durationNs = Number.NaN): void {
  const low = code % CODE_MINUTE;
  const minute = (code - low) / CODE_MINUTE;
  const bucket = low >> 2;
  const error = (low & 1) === 1;
  const service = op.service;
  const root = (low & 2) === 2;
  if (add) {
    op.series.add(minute, bucket, error, n, durationNs);
    service.all.add(minute, bucket, error, n);
    if (op.group === "entry" && !op.nested) service.entry.add(minute, bucket, error, n, durationNs);
    if (root) service.root.add(minute, bucket, error, n, durationNs);
  } else {
    op.series.remove(minute, bucket, error, n);
    service.all.remove(minute, bucket, error, n);
    if (op.group === "entry" && !op.nested) service.entry.remove(minute, bucket, error, n);
    if (root) service.root.remove(minute, bucket, error, n);
  }
}

function operationKey(name: string, peer: string | null): string {
  return peer === null ? name : `${name}\u0000${peer}`;
}

/**
 * Takes a span's end into its minute's latest end (ms). An end at most the latest one taken cannot
 * move it: compared as bigints first, converted only when later (a bigint's conversion is not cheap).
 */
function noteEnd(times: MinuteTimes, end: bigint): void {
  if (times.lastEnd !== null && end <= times.lastEnd) return;
  times.lastEnd = end;
  const endMs = Number(end) / 1e6;
  if (endMs > times.lastMs) times.lastMs = endMs;
}

/** The minute of a start in nanoseconds (as a span's token code takes its minute). */
function startMinute(startNs: bigint): number {
  return Math.floor(Number(startNs) / NS_PER_MINUTE);
}

/** The start minute of spans whose start is 0 (unset): left out of what rates are per (see storedTimes). */
const UNSET_START_MINUTE = 0;

interface MinuteTimes {
  count: number;
  firstMs: number;
  lastMs: number;
  /** The latest end taken into lastMs (see noteEnd); null before the first. */
  lastEnd: bigint | null;
}

interface MinuteRange {
  from: number;
  to: number;
  seconds: number;
}

function latencyOf(cell: StatsCell, seconds: number) {
  return {
    count: cell.count,
    errorCount: cell.errors,
    ratePerSec: cell.count / seconds,
    ...(cell.histogram === null
      ? { p50Ms: 0, p95Ms: 0, p99Ms: 0 }
      : histogramPercentiles(cell.histogram, cell.count, cell.lowNs, cell.highNs)),
  };
}
