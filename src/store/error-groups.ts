/**
 * The Errors page's groups, kept up to date as spans arrive and as retention evicts their traces, so
 * a question about any window reads only the stored errors, never the spans. Both stores keep one
 * (the SQLite store also writes what it needs to rebuild it to its file).
 */
import { type ErrorOccurrence, errorOccurrencesOf, fingerprintId } from "../domain/error-fingerprint.js";
import { intern } from "../domain/intern.js";
import { type Operation, operationOf as spanOperationOf } from "../domain/operation.js";
import { ascending } from "../domain/order.js";
import { isOuterTelling, tellSameRequest } from "../domain/same-request.js";
import type { Span } from "../domain/span.js";
import type { TraceAggregate } from "../domain/trace-summary.js";
import {
  compareErrorGroups,
  decodeErrorGroupCursor,
  type ErrorGroupPosition,
  encodeErrorGroupCursor,
} from "./error-group-cursor.js";

export interface ErrorGroupQuery {
  /** Only errors at or after this time (inclusive). */
  sinceUnixNano?: bigint;
  /** Only errors at or before this time (inclusive). */
  untilUnixNano?: bigint;
  service?: string;
  /** Most recent error first (default), or most errors first. */
  sort?: "lastSeen" | "count";
  limit: number;
  /** Opaque, from a previous answer's `nextCursor` (of the same sort): the groups after that answer's last. */
  cursor?: string;
  /** Points of each group's sparkline (default 30). */
  buckets?: number;
  /**
   * Without `sinceUnixNano`, where the sparklines start: the oldest data stored, so that "everything
   * stored" reads as such (the earliest error instead, when older or absent).
   */
  axisStartUnixNano?: bigint;
  /**
   * Without `untilUnixNano`, where the sparklines end: with `sinceUnixNano` (a window), now, however
   * late its errors are dated; without, the newest data stored (the newest error, when later or absent).
   */
  axisEndUnixNano?: bigint;
  /**
   * The sparklines' axis as an earlier answer drew it (its `bucketStartUnixNano` and `bucketNanos`), in
   * place of one worked out now: a next page's groups are drawn on the axis of the groups listed before them.
   */
  pinnedAxis?: { bucketStartUnixNano: bigint; bucketNanos: bigint };
}

/** What a group's latest error said, as it was. */
export interface ErrorSample {
  message: string;
  stacktrace: string;
  traceId: string;
  spanId: string;
  timeUnixNano: bigint;
}

/** The operation a failing trace served: its root span's service and name (see TraceAggregate). */
export interface ErrorOperation {
  service: string;
  name: string;
}

/**
 * The operation of the span that failed, in the group's service, as the Services page names it: an
 * entry span by its route, a call by its name and who it calls, others by name.
 */
export type FailedOperation = Pick<Operation, "kind" | "name" | "peer">;

export interface ErrorGroupView {
  id: string;
  service: string;
  kind: ErrorOccurrence["kind"];
  type: string;
  pattern: string;
  frames: string[];
  /** Errors in the window. */
  count: number;
  /** Traces those errors are in: fewer than `count` when one request fails in several spans. */
  traces: number;
  firstSeenUnixNano: bigint;
  lastSeenUnixNano: bigint;
  /** Errors per bucket of the answer's buckets, oldest first. */
  sparkline: number[];
  /** The operations whose traces failed this way, most errors first (at most MAX_OPERATIONS). */
  operations: (ErrorOperation & { count: number })[];
  /**
   * Where they failed: the operations of the failing spans (in `service`), most errors first (at most
   * MAX_OPERATIONS). Two groups alike in type and message ("HTTP 500") differ here.
   */
  failedIn: (FailedOperation & { count: number })[];
  /** The newest failing traces, newest first, one entry per trace (at most MAX_LATEST; see keepNewest). */
  latest: { traceId: string; spanId: string; timeUnixNano: bigint; operation: ErrorOperation }[];
  sample: ErrorSample;
}

export interface ErrorGroupsAnswer {
  groups: ErrorGroupView[];
  /** Pass back as `cursor` for the groups after these; absent when none follows. */
  nextCursor?: string;
  /** Groups and errors in the window (all of them, not only the `limit` returned). */
  totalGroups: number;
  totalErrors: number;
  /** Traces those errors are in: fewer than totalErrors when a request fails in several spans. */
  totalTraces: number;
  /** The sparkline buckets: `buckets` of `bucketNanos` from `bucketStartUnixNano`. */
  bucketStartUnixNano: bigint;
  bucketNanos: bigint;
  buckets: number;
}

export const MAX_OPERATIONS = 5;
export const MAX_LATEST = 5;
export const DEFAULT_SPARKLINE_BUCKETS = 30;
/** Below this many named operations, those of evicted traces are not worth forgetting. */
const MIN_OPERATIONS_KEPT = 10_000;

/**
 * What an error's span tells of its request when it is an entry span (SERVER, CONSUMER), to find a
 * request told twice (domain/same-request.ts): the TraceKit Node SDK's Express middleware span sits
 * inside the HTTP instrumentation's span, or beside it under the caller, and both fail the same way.
 * Such a request counts one error, the outer telling's, as the Services page and the map count it
 * once. Times in milliseconds, fractions kept.
 */
export interface ErrorTelling {
  kind: "SERVER" | "CONSUMER";
  parentSpanId: string | null;
  startMs: number;
  endMs: number;
}

/** The span's telling of its request, or null when it is not an entry span. */
export function tellingOf(span: Span): ErrorTelling | null {
  if (span.kind !== "SERVER" && span.kind !== "CONSUMER") return null;
  return {
    kind: span.kind,
    parentSpanId: span.parentSpanId,
    startMs: Number(span.startTimeUnixNano) / 1e6,
    endMs: Number(span.endTimeUnixNano) / 1e6,
  };
}

/** Tellings of one request past this many under one caller are not looked for (a fan-out, not a request told twice). */
const MAX_TELLINGS = 64;

/** One group's stored part: what identifies it and its latest sample. */
export interface StoredErrorGroup {
  fingerprint: string;
  service: string;
  kind: ErrorOccurrence["kind"];
  type: string;
  pattern: string;
  frames: string[];
  sample: ErrorSample;
}

interface Group extends StoredErrorGroup {
  id: string;
  /**
   * Its errors in arrival order, and beside them (same index) their times in milliseconds (NaN once
   * removed) and their traces: the loops of a query read packed arrays, not scattered objects.
   * Removed entries stay until compaction.
   */
  occurrences: Occurrence[];
  ms: number[];
  /**
   * The operation of each error's trace, as an id of `ErrorGroups.operations`; negative (−id − 1)
   * while the trace had no root when last looked at, so the name may still change.
   */
  ops: number[];
  /** The operation of each error's failing span, as an id of `ErrorGroups.failedOperations`; −1 when unknown. */
  failedOps: number[];
  /** Errors not removed, hidden ones included (the group goes when none is left). */
  live: number;
  /** Of those, the inner tellings of a request whose outer telling failed the same way: not counted. */
  hidden: number;
}

/**
 * One stored error. Its trace id and milliseconds are read from its trace and time when asked: fields
 * for them cost every error 32 bytes (the milliseconds a number object of their own), and a query
 * reads them only at a window's edges and for the few newest errors (its loops read `Group.ms`).
 */
class Occurrence {
  /** Where it sits in its group's arrays. */
  index: number;
  removed = false;
  /** The same error of the request's outer telling counts it (see ErrorTelling). */
  hidden = false;

  constructor(
    readonly group: Group,
    readonly time: bigint,
    readonly spanId: string,
    /** Its trace's running summary, which names the operation (the root may arrive later). */
    readonly trace: TraceAggregate,
    /** Its span's telling of a request (entry spans only). */
    readonly telling: ErrorTelling | null,
  ) {
    this.index = group.occurrences.length;
  }

  get traceId(): string {
    return this.trace.traceId;
  }

  /** `time` in milliseconds, close enough to bucket and to compare away from a window's edges (bigints are slow). */
  get ms(): number {
    return Number(this.time) / 1e6;
  }
}

/** A trace's errors on entry spans by group and span, and by group and parent span: to find a request told twice. */
interface TraceTellings {
  bySpan: Map<string, Occurrence[]>;
  byParent: Map<string, Occurrence[]>;
}

/** An error just added, for a store that writes them to a file. */
export interface AddedError {
  group: StoredErrorGroup;
  /** The group did not exist before this error. */
  newGroup: boolean;
  timeUnixNano: bigint;
  traceId: string;
  spanId: string;
  failedIn: FailedOperation;
  telling: ErrorTelling | null;
}

/** The operation of a stored trace, as its summary names it. */
function operationOf(aggregate: TraceAggregate): ErrorOperation {
  return { service: aggregate.rootService ?? aggregate.firstService, name: aggregate.rootName ?? aggregate.firstName };
}

/** The operation of a failing span (what `failedIn` counts). */
export function failedOperationOf(span: Span): FailedOperation {
  const { kind, name, peer } = spanOperationOf(span);
  return { kind, name, peer };
}

/** True when a span may hold an error (the cheap test run on every stored span). */
export function mayHoldError(span: Span): boolean {
  return span.status.code === "ERROR" || span.events.length > 0;
}

/** What most spans add: one frozen empty list, not one per span. */
const NO_ERRORS: readonly AddedError[] = Object.freeze([]);

export class ErrorGroups {
  private groups = new Map<string, Group>();
  /**
   * Each trace's errors: the one occurrence itself for most failing traces, a list from a second on
   * (a list of one took ~56 bytes more per failing trace).
   */
  private byTrace = new Map<string, Occurrence | Occurrence[]>();
  private tellings = new Map<string, TraceTellings>();
  /** Every operation named so far, by id, and the id of each (`service` NUL `name`). */
  private operations: ErrorOperation[] = [];
  private operationIds = new Map<string, number>();
  /** Every failing span's operation named so far, by id, and the id of each (kind NUL name NUL peer). */
  private failedOperations: FailedOperation[] = [];
  private failedOperationIds = new Map<string, number>();
  /**
   * The operation (and failing span's operation) numbered last, with its id: errors come in runs of
   * one operation, and the key built to find it again costs its hashing. Forgotten with the numbers.
   */
  private lastOperation: { service: string; name: string; id: number } | null = null;
  private lastFailedOperation: { kind: string; name: string; peer: string; id: number } | null = null;

  /** Errors currently counted (for tests and health). */
  get size(): number {
    let n = 0;
    for (const group of this.groups.values()) n += group.live - group.hidden;
    return n;
  }

  /** Adds the errors of a newly stored span of `trace`; returns them (empty for most spans). */
  addSpan(span: Span, trace: TraceAggregate): readonly AddedError[] {
    if (!mayHoldError(span)) return NO_ERRORS;
    const found = errorOccurrencesOf(span);
    if (found.length === 0) return NO_ERRORS;
    const failedIn = failedOperationOf(span);
    const telling = tellingOf(span);
    const added: AddedError[] = [];
    for (const occurrence of found) {
      let group = this.groups.get(occurrence.fingerprint);
      const newGroup = group === undefined;
      if (group === undefined) {
        group = this.newGroup({
          fingerprint: occurrence.fingerprint,
          service: occurrence.service,
          kind: occurrence.kind,
          type: occurrence.type,
          pattern: occurrence.pattern,
          frames: occurrence.frames,
          sample: sampleOf(occurrence),
        });
      } else if (occurrence.timeUnixNano >= group.sample.timeUnixNano) {
        group.sample = sampleOf(occurrence);
      }
      this.record(group, occurrence.timeUnixNano, occurrence.spanId, trace, failedIn, telling);
      added.push({
        group,
        newGroup,
        timeUnixNano: occurrence.timeUnixNano,
        traceId: occurrence.traceId,
        spanId: occurrence.spanId,
        failedIn,
        telling,
      });
    }
    return added;
  }

  /** Restores a stored group (the SQLite store at open); its errors follow with `restoreError`. */
  restoreGroup(stored: StoredErrorGroup): void {
    if (!this.groups.has(stored.fingerprint)) this.newGroup(stored);
  }

  /**
   * `failedIn`: the failing span's operation, null when it is not known (then not counted in `failedIn`);
   * `telling`: its span's (tellingOf), so a request told twice counts once again in any order of restoring.
   */
  restoreError(
    fingerprint: string,
    time: bigint,
    spanId: string,
    trace: TraceAggregate,
    failedIn: FailedOperation | null,
    telling: ErrorTelling | null,
  ): void {
    const group = this.groups.get(fingerprint);
    if (group !== undefined) this.record(group, time, spanId, trace, failedIn, telling);
  }

  /** Drops restored groups none of whose errors were restored; returns them. */
  dropEmptyGroups(): StoredErrorGroup[] {
    const dropped: StoredErrorGroup[] = [];
    for (const group of this.groups.values()) {
      if (group.live > 0) continue;
      this.groups.delete(group.fingerprint);
      dropped.push(group);
    }
    return dropped;
  }

  /** A trace's errors (none when it has none). */
  private occurrencesOf(traceId: string): readonly Occurrence[] {
    const ofTrace = this.byTrace.get(traceId);
    return ofTrace === undefined ? [] : Array.isArray(ofTrace) ? ofTrace : [ofTrace];
  }

  /** Forgets an evicted trace's errors; returns the groups that have none left (they are dropped). */
  removeTrace(traceId: string): StoredErrorGroup[] {
    const occurrences = this.occurrencesOf(traceId);
    if (occurrences.length === 0) return [];
    this.byTrace.delete(traceId);
    this.tellings.delete(traceId);
    const emptied: StoredErrorGroup[] = [];
    for (const occurrence of occurrences) {
      occurrence.removed = true;
      const group = occurrence.group;
      group.ms[occurrence.index] = Number.NaN;
      group.live--;
      if (occurrence.hidden) group.hidden--;
      if (group.live === 0) {
        this.groups.delete(group.fingerprint);
        emptied.push(group);
      } else if (group.occurrences.length > 64 && group.live * 2 < group.occurrences.length) {
        compact(group);
      }
    }
    const named = Math.max(this.operations.length, this.failedOperations.length);
    if (named > MIN_OPERATIONS_KEPT && named > 2 * this.size) this.renumberOperations();
    return emptied;
  }

  /** Forgets operations no stored error names any more (their traces were evicted). */
  private renumberOperations(): void {
    this.operations = [];
    this.operationIds = new Map();
    const failed = this.failedOperations;
    this.failedOperations = [];
    this.failedOperationIds = new Map();
    this.lastOperation = null;
    this.lastFailedOperation = null;
    for (const group of this.groups.values()) {
      group.ops = group.occurrences.map((o) => (o.removed ? 0 : this.operationId(o.trace)));
      group.failedOps = group.occurrences.map((o) => {
        const known = failed[group.failedOps[o.index] as number];
        return o.removed || known === undefined ? -1 : this.failedOperationId(known);
      });
    }
  }

  /**
   * The group's sample, or when retention evicted its trace (eviction goes by arrival, so a trace that
   * arrived first may hold the newest error) the newest error it still keeps, read from its trace.
   */
  private liveSample(
    group: Group,
    readTrace?: (traceId: string) => Span[] | undefined,
    leaving?: ReadonlySet<string>,
  ): ErrorSample {
    const { sample } = group;
    const kept = (o: Occurrence) => !o.removed && leaving?.has(o.traceId) !== true;
    if (this.occurrencesOf(sample.traceId).some((o) => o.group === group && kept(o))) return sample;
    let newest: Occurrence | undefined;
    for (const o of group.occurrences) if (kept(o) && (newest === undefined || o.time > newest.time)) newest = o;
    if (newest === undefined || readTrace === undefined) return sample;
    const read = sampleFromTrace(readTrace(newest.traceId), newest);
    if (read !== null) group.sample = read;
    return group.sample;
  }

  clear(): void {
    this.groups = new Map();
    this.byTrace = new Map();
    this.tellings = new Map();
    this.operations = [];
    this.operationIds = new Map();
    this.failedOperations = [];
    this.failedOperationIds = new Map();
    this.lastOperation = null;
    this.lastFailedOperation = null;
  }

  /**
   * The groups with errors in the window, sorted and cut to `limit`, each with its details;
   * `readTrace` reads a stored trace's spans, for a group whose sample's trace was evicted while
   * newer-arriving errors of it stay (see liveSample). The errors of the traces in `leaving` (those
   * retention is about to evict) are left out, as if they were evicted already.
   */
  query(
    query: ErrorGroupQuery,
    readTrace?: (traceId: string) => Span[] | undefined,
    leaving?: ReadonlySet<string>,
  ): ErrorGroupsAnswer {
    const inWindow = windowTest(query.sinceUnixNano, query.untilUnixNano);
    // Milliseconds decide, except within a microsecond of an edge, where nanoseconds do.
    const lowMs =
      query.sinceUnixNano === undefined ? Number.NEGATIVE_INFINITY : Number(query.sinceUnixNano) / 1e6 - 0.001;
    const highMs =
      query.untilUnixNano === undefined ? Number.POSITIVE_INFINITY : Number(query.untilUnixNano) / 1e6 + 0.001;
    const edgeLowMs = lowMs + 0.002;
    const edgeHighMs = highMs - 0.002;
    const inWindowAt = (group: Group, i: number) => {
      const t = group.ms[i] as number;
      // NaN (removed) fails every comparison.
      if (!(t >= lowMs && t <= highMs)) return false;
      if (leaving?.has((group.occurrences[i] as Occurrence).traceId)) return false;
      return t < edgeLowMs || t > edgeHighMs ? inWindow(group.occurrences[i] as Occurrence) : true;
    };

    // First pass: counts and the window's extent, for every group.
    const found: { group: Group; count: number; first: Occurrence; last: Occurrence; position: ErrorGroupPosition }[] =
      [];
    let totalErrors = 0;
    const failingTraces = new Set<string>();
    let earliest: Occurrence | undefined;
    let newest: Occurrence | undefined;
    for (const group of this.groups.values()) {
      if (query.service !== undefined && group.service !== query.service) continue;
      let count = 0;
      let firstMs = Number.POSITIVE_INFINITY;
      let lastMs = Number.NEGATIVE_INFINITY;
      let first: Occurrence | undefined;
      let last: Occurrence | undefined;
      const { ms, occurrences } = group;
      for (let i = 0; i < ms.length; i++) {
        if (!inWindowAt(group, i)) continue;
        const t = ms[i] as number;
        count++;
        failingTraces.add((occurrences[i] as Occurrence).traceId);
        if (t <= firstMs) {
          const o = occurrences[i] as Occurrence;
          if (first === undefined || before(o, first)) {
            first = o;
            firstMs = t;
          }
        }
        if (t >= lastMs) {
          const o = occurrences[i] as Occurrence;
          if (last === undefined || before(last, o)) {
            last = o;
            lastMs = t;
          }
        }
      }
      if (first === undefined || last === undefined) continue;
      found.push({ group, count, first, last, position: { lastSeenUnixNano: last.time, count, id: group.id } });
      totalErrors += count;
      if (earliest === undefined || before(first, earliest)) earliest = first;
      if (newest === undefined || before(newest, last)) newest = last;
    }
    const sort = query.sort ?? "lastSeen";
    found.sort((a, b) => compareErrorGroups(sort, a.position, b.position));
    let from = 0;
    if (query.cursor !== undefined) {
      const after = decodeErrorGroupCursor(query.cursor, sort);
      // A group whose errors moved it past the cursor since (a new error) is in the pages before.
      while (
        from < found.length &&
        compareErrorGroups(sort, (found[from] as (typeof found)[number]).position, after) <= 0
      ) {
        from++;
      }
    }
    const page = found.slice(from, from + query.limit);
    const lastOfPage = page.at(-1);

    const buckets = query.buckets ?? DEFAULT_SPARKLINE_BUCKETS;
    const start = query.sinceUnixNano ?? earlierOf(query.axisStartUnixNano, earliest?.time) ?? 0n;
    // A window ends where it says (now): an error dated later, by a clock running ahead, counts in
    // its last point rather than squeezing the window's own errors into its first few.
    const end =
      query.untilUnixNano ??
      (query.sinceUnixNano !== undefined ? query.axisEndUnixNano : undefined) ??
      laterOf(query.axisEndUnixNano, newest?.time) ??
      start;
    const extent = end > start ? end - start + 1n : 1n;
    const pinned = query.pinnedAxis;
    const axisStart = pinned?.bucketStartUnixNano ?? start;
    const bucketNanos = pinned?.bucketNanos ?? (extent + BigInt(buckets) - 1n) / BigInt(buckets);
    const startMs = Number(axisStart) / 1e6;
    const bucketMs = Number(bucketNanos) / 1e6;

    // Second pass, for the groups returned only: sparkline, operations, newest traces.
    const groups = page.map(({ group, count, first, last }): ErrorGroupView => {
      const sparkline = new Array<number>(buckets).fill(0);
      const perOperation = new Map<number, number>();
      const perFailedOperation = new Map<number, number>();
      const traces = new Set<string>();
      const latest: Occurrence[] = [];
      // Newest arrivals first, so the newest traces are found early and later ones are passed at once.
      for (let i = group.ms.length - 1; i >= 0; i--) {
        if (!inWindowAt(group, i)) continue;
        const t = group.ms[i] as number;
        traces.add((group.occurrences[i] as Occurrence).traceId);
        const bucket = Math.min(Math.max(Math.floor((t - startMs) / bucketMs), 0), buckets - 1);
        sparkline[bucket] = (sparkline[bucket] as number) + 1;
        let op = group.ops[i] as number;
        if (op < 0) {
          // Named before its root arrived: look again (settled once the root is there).
          op = this.operationId((group.occurrences[i] as Occurrence).trace);
          group.ops[i] = op;
        }
        const id = op < 0 ? -op - 1 : op;
        perOperation.set(id, (perOperation.get(id) ?? 0) + 1);
        const failedOp = group.failedOps[i] as number;
        if (failedOp >= 0) perFailedOperation.set(failedOp, (perFailedOperation.get(failedOp) ?? 0) + 1);
        if (latest.length < MAX_LATEST || t >= (latest[MAX_LATEST - 1] as Occurrence).ms) {
          keepNewest(latest, group.occurrences[i] as Occurrence);
        }
      }
      // Of each trace kept, the occurrence recorded first: where the error was recorded first (the spans
      // above that recorded it again as it passed through them end after it, and a link to the newest
      // opened the outermost). A second pass: the newest traces are chosen by their newest occurrence.
      const firstOf = new Map(latest.map((o) => [o.traceId, o]));
      for (let i = 0; i < group.ms.length; i++) {
        if (!inWindowAt(group, i)) continue;
        const occurrence = group.occurrences[i] as Occurrence;
        const kept = firstOf.get(occurrence.traceId);
        if (kept !== undefined && occurrence.time < kept.time) firstOf.set(occurrence.traceId, occurrence);
      }
      return {
        id: group.id,
        service: group.service,
        kind: group.kind,
        type: group.type,
        pattern: group.pattern,
        frames: group.frames,
        count,
        traces: traces.size,
        firstSeenUnixNano: first.time,
        lastSeenUnixNano: last.time,
        sparkline,
        operations: this.countOperations(perOperation),
        failedIn: this.countFailedOperations(perFailedOperation),
        latest: latest
          .map((newest) => firstOf.get(newest.traceId) ?? newest)
          .map((o) => ({
            traceId: o.traceId,
            spanId: o.spanId,
            timeUnixNano: o.time,
            operation: operationOf(o.trace),
          })),
        sample: this.liveSample(group, readTrace, leaving),
      };
    });
    return {
      groups,
      ...(lastOfPage !== undefined && from + page.length < found.length
        ? { nextCursor: encodeErrorGroupCursor(sort, lastOfPage.position) }
        : {}),
      totalGroups: found.length,
      totalErrors,
      totalTraces: failingTraces.size,
      bucketStartUnixNano: axisStart,
      bucketNanos,
      buckets,
    };
  }

  /** The id of a trace's operation; negative (−id − 1) while it has no root. */
  private operationId(trace: TraceAggregate): number {
    const operation = operationOf(trace);
    const last = this.lastOperation;
    let id: number;
    if (last !== null && last.service === operation.service && last.name === operation.name) id = last.id;
    else {
      const key = `${operation.service}\u0000${operation.name}`;
      id = intern(this.operations, this.operationIds, key, () => operation);
      this.lastOperation = { service: operation.service, name: operation.name, id };
    }
    return trace.rootName === null ? -id - 1 : id;
  }

  /** Operations by errors, most first. */
  private countOperations(perOperation: Map<number, number>): ErrorGroupView["operations"] {
    const out: ErrorGroupView["operations"] = [];
    for (const [id, count] of perOperation) out.push({ ...(this.operations[id] as ErrorOperation), count });
    return out.sort((a, b) => b.count - a.count || ascending(a.name, b.name)).slice(0, MAX_OPERATIONS);
  }

  private failedOperationId(operation: FailedOperation): number {
    const last = this.lastFailedOperation;
    const peer = operation.peer ?? "";
    if (last !== null && last.kind === operation.kind && last.name === operation.name && last.peer === peer) {
      return last.id;
    }
    const key = `${operation.kind}\u0000${operation.name}\u0000${peer}`;
    const id = intern(this.failedOperations, this.failedOperationIds, key, () => operation);
    this.lastFailedOperation = { kind: operation.kind, name: operation.name, peer, id };
    return id;
  }

  /** Failing spans' operations by errors, most first. */
  private countFailedOperations(perOperation: Map<number, number>): ErrorGroupView["failedIn"] {
    const out: ErrorGroupView["failedIn"] = [];
    for (const [id, count] of perOperation) out.push({ ...(this.failedOperations[id] as FailedOperation), count });
    return out.sort((a, b) => b.count - a.count || ascending(a.name, b.name)).slice(0, MAX_OPERATIONS);
  }

  private newGroup(stored: StoredErrorGroup): Group {
    const group: Group = {
      ...stored,
      id: fingerprintId(stored.fingerprint),
      occurrences: [],
      ms: [],
      ops: [],
      failedOps: [],
      live: 0,
      hidden: 0,
    };
    this.groups.set(stored.fingerprint, group);
    return group;
  }

  private record(
    group: Group,
    time: bigint,
    spanId: string,
    trace: TraceAggregate,
    failedIn: FailedOperation | null,
    telling: ErrorTelling | null,
  ): void {
    const traceId = trace.traceId;
    const occurrence = new Occurrence(group, time, spanId, trace, telling);
    group.occurrences.push(occurrence);
    group.ms.push(occurrence.ms);
    group.ops.push(this.operationId(trace));
    group.failedOps.push(failedIn === null ? -1 : this.failedOperationId(failedIn));
    group.live++;
    const ofTrace = this.byTrace.get(traceId);
    if (ofTrace === undefined) this.byTrace.set(traceId, occurrence);
    else if (Array.isArray(ofTrace)) ofTrace.push(occurrence);
    else this.byTrace.set(traceId, [ofTrace, occurrence]);
    if (telling !== null) this.tell(occurrence, telling);
  }

  /**
   * Places an error of an entry span among the same group's errors of entry spans in its trace: of
   * two tellings of one request that failed the same way (an entry span inside another of its service,
   * or two SERVER spans beside each other under one caller over the same time), the inner one's error
   * is hidden. Which are hidden depends only on the errors stored, not on their order.
   */
  private tell(occurrence: Occurrence, telling: ErrorTelling): void {
    const { traceId } = occurrence;
    let tellings = this.tellings.get(traceId);
    if (tellings === undefined) {
      // The maps are made at a trace's second error of an entry span: with one there is nothing to tell
      // apart, and most failing traces have one (made for each, they took ~1 KB a failing trace).
      const earlier = this.occurrencesOf(traceId).filter((o) => o !== occurrence && o.telling !== null);
      if (earlier.length === 0) return;
      tellings = { bySpan: new Map(), byParent: new Map() };
      this.tellings.set(traceId, tellings);
      for (const o of earlier) this.place(tellings, o, o.telling as ErrorTelling);
    }
    this.place(tellings, occurrence, telling);
  }

  /** Places `occurrence` among its trace's `tellings` (see tell). */
  private place(tellings: TraceTellings, occurrence: Occurrence, telling: ErrorTelling): void {
    const { spanId } = occurrence;
    const fingerprint = occurrence.group.fingerprint;
    const parent = telling.parentSpanId;
    if (parent !== null) {
      if (tellings.bySpan.has(tellingKey(fingerprint, parent))) this.hide(occurrence);
      const siblings = tellings.byParent.get(tellingKey(fingerprint, parent));
      if (telling.kind === "SERVER" && siblings !== undefined && siblings.length < MAX_TELLINGS) {
        for (const sibling of siblings) {
          const other = sibling.telling as ErrorTelling;
          if (other.kind !== "SERVER" || sibling.spanId === spanId) continue;
          if (!tellSameRequest(other.startMs, other.endMs, telling.startMs, telling.endMs)) continue;
          if (outerOf(sibling.spanId, other, spanId, telling)) this.hide(occurrence);
          else this.hide(sibling);
        }
      }
      pushTo(tellings.byParent, tellingKey(fingerprint, parent), occurrence);
    }
    for (const child of tellings.byParent.get(tellingKey(fingerprint, spanId)) ?? []) this.hide(child);
    pushTo(tellings.bySpan, tellingKey(fingerprint, spanId), occurrence);
  }

  private hide(occurrence: Occurrence): void {
    if (occurrence.hidden || occurrence.removed) return;
    occurrence.hidden = true;
    occurrence.group.ms[occurrence.index] = Number.NaN;
    occurrence.group.hidden++;
  }
}

function tellingKey(fingerprint: string, spanId: string): string {
  return `${fingerprint}\u0000${spanId}`;
}

function pushTo(map: Map<string, Occurrence[]>, key: string, occurrence: Occurrence): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [occurrence]);
  else list.push(occurrence);
}

/** Of two tellings of one request, whether `a` is the outer one (isOuterTelling; a full tie goes to the lower span id). */
function outerOf(aSpanId: string, a: ErrorTelling, bSpanId: string, b: ErrorTelling): boolean {
  if (!isOuterTelling(a.startMs, a.endMs, b.startMs, b.endMs)) return false;
  return !isOuterTelling(b.startMs, b.endMs, a.startMs, a.endMs) || aSpanId < bSpanId;
}

/** Drops a group's removed errors from its arrays. */
function compact(group: Group): void {
  const occurrences = group.occurrences.filter((o) => !o.removed);
  group.ops = occurrences.map((o) => group.ops[o.index] as number);
  group.failedOps = occurrences.map((o) => group.failedOps[o.index] as number);
  group.ms = occurrences.map((o) => (o.hidden ? Number.NaN : o.ms));
  occurrences.forEach((o, i) => {
    o.index = i;
  });
  group.occurrences = occurrences;
}

/** Whether `a` happened before `b`: by milliseconds, and by nanoseconds only when those tie. */
function before(a: Occurrence, b: Occurrence): boolean {
  return a.ms < b.ms || (a.ms === b.ms && a.time < b.time);
}

/** Tests an occurrence against an inclusive window: in milliseconds, in nanoseconds near an edge. */
function windowTest(since: bigint | undefined, until: bigint | undefined): (o: Occurrence) => boolean {
  const sinceMs = since === undefined ? Number.NEGATIVE_INFINITY : Number(since) / 1e6;
  const untilMs = until === undefined ? Number.POSITIVE_INFINITY : Number(until) / 1e6;
  return (o) => {
    if (o.removed) return false;
    if (o.ms < sinceMs - 0.001 || o.ms > untilMs + 0.001) return false;
    if (o.ms > sinceMs + 0.001 && o.ms < untilMs - 0.001) return true;
    return (since === undefined || o.time >= since) && (until === undefined || o.time <= until);
  };
}

/** The sample from a stored error's span: its trace's spans read back, or null when it is not among them. */
function sampleFromTrace(spans: readonly Span[] | undefined, o: Occurrence): ErrorSample | null {
  const span = spans?.find((s) => s.spanId === o.spanId);
  const found =
    span === undefined ? undefined : errorOccurrencesOf(span).find((e) => e.fingerprint === o.group.fingerprint);
  return found === undefined ? null : sampleOf(found);
}

function sampleOf(occurrence: ErrorOccurrence): ErrorSample {
  return {
    message: occurrence.message,
    stacktrace: occurrence.stacktrace,
    traceId: occurrence.traceId,
    spanId: occurrence.spanId,
    timeUnixNano: occurrence.timeUnixNano,
  };
}

/** Keeps the MAX_LATEST newest occurrences of distinct traces in `latest`, newest first. */
function keepNewest(latest: Occurrence[], o: Occurrence): void {
  if (latest.length === MAX_LATEST && !before(latest[MAX_LATEST - 1] as Occurrence, o)) return;
  const same = latest.findIndex((x) => x.traceId === o.traceId);
  if (same >= 0) {
    if ((latest[same] as Occurrence).time >= o.time) return;
    latest.splice(same, 1);
  }
  let at = latest.length;
  while (at > 0 && (latest[at - 1] as Occurrence).time < o.time) at--;
  if (at >= MAX_LATEST) return;
  latest.splice(at, 0, o);
  if (latest.length > MAX_LATEST) latest.pop();
}

function earlierOf(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  return a === undefined ? b : b === undefined || a < b ? a : b;
}

function laterOf(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  return a === undefined ? b : b === undefined || a > b ? a : b;
}
