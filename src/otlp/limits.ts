/**
 * What one export request may hold once decoded, and the pacing that keeps a large request from
 * holding the event loop. A body within the byte limit can still decode into far more objects than
 * its size suggests (a 30-byte span, a 3-byte attribute, a 1-byte `[`), so the decoders also bound
 * what they build: past a count the request is refused whole (413, nothing stored), past a nesting
 * depth it is malformed (400), and attributes past the per-list bound, and entries past the per-value
 * bound, are dropped and counted as OTLP's `dropped_attributes_count`.
 */

import { setImmediate as nextTurn } from "node:timers/promises";
import { count } from "../domain/count-text.js";
import { MAX_VALUE_DEPTH } from "./attributes.js";
import { OtlpDecodeError } from "./errors.js";

export interface RequestLimits {
  /** Spans, log records or metrics in one request. */
  maxItems: number;
  /** Metric data points in one request. */
  maxDataPoints: number;
  /** Resource groups (`resourceSpans`, …) in one request, and scope groups in one request. */
  maxGroups: number;
  /** Attribute values, nested ones included, in one request. */
  maxValues: number;
  /** JSON nesting of the whole body (objects and arrays). */
  maxJsonDepth: number;
}

/**
 * Attributes kept per list (a span's, an event's, a resource's…); the rest are dropped and counted.
 * A span of a million attributes made every search over the store slow, not just its own request.
 */
export const MAX_ATTRIBUTES_PER_LIST = 1000;

/**
 * Entries (array items and kvlist entries, nested ones included, in order) kept of one attribute's
 * value or one log record's body; the rest are dropped, and an attribute's are counted with the
 * attributes dropped of its list. A value of a million entries held the event loop for seconds at its
 * decode, and again whenever it was packed, searched or read; at this bound one value costs what a list
 * of MAX_ATTRIBUTES_PER_LIST does (under a millisecond to decode, pack or search).
 */
export const MAX_ENTRIES_PER_VALUE = 1000;

/**
 * Attribute values, nested entries included, kept of one span (its events' and links' attributes
 * too), one log record (its body too), one resource or one scope; past it the rest of a value's
 * entries and the later attributes are dropped and counted as those past the other bounds are. Those
 * bounds alone let one span hold a million values (a thousand attributes of a thousand entries, a
 * 5 MB request): its decode held the event loop for 50-150 ms, and each search, pack or read of its
 * trace again. A span of this many takes about a millisecond.
 */
export const MAX_VALUES_PER_ITEM = 10_000;

/** Events and links kept per span; the rest are dropped and counted (`dropped_events_count`, …). */
export const MAX_EVENTS_PER_SPAN = 1000;
export const MAX_LINKS_PER_SPAN = 1000;

export const DEFAULT_REQUEST_LIMITS: Readonly<RequestLimits> = Object.freeze({
  maxItems: 100_000,
  maxDataPoints: 200_000,
  maxGroups: 10_000,
  maxValues: 2_000_000,
  // OTLP's own nesting (body → resource groups → scope groups → items → attributes → value) is about
  // 16 levels deep for metrics' point attributes; each AnyValue level adds up to four (a kvlist: the
  // value, kvlistValue, values, the key-value), so only MAX_VALUE_DEPTH decides what is too deep.
  maxJsonDepth: 16 + 4 * MAX_VALUE_DEPTH + 4,
});

/** What one request holds, against the limits a receiver applies to one request. */
export interface RequestCounts {
  /** Spans (or log records). */
  spans: number;
  resourceGroups: number;
  scopeGroups: number;
  /** AnyValues, nested ones included (in JSON: every object and array). */
  values: number;
}

/** Whether a receiver takes a request holding `counts` (past a limit it refuses the request whole). */
export function withinRequestLimits(counts: RequestCounts): boolean {
  const limits = DEFAULT_REQUEST_LIMITS;
  return (
    counts.spans <= limits.maxItems &&
    counts.resourceGroups <= limits.maxGroups &&
    counts.scopeGroups <= limits.maxGroups &&
    counts.values <= limits.maxValues
  );
}

/** The request decodes into more than a limit allows: refused whole with 413, nothing stored. */
export class OtlpLimitError extends OtlpDecodeError {
  constructor(message: string) {
    super(message);
    this.name = "OtlpLimitError";
  }
}

/** The refusal of a request holding more than `limit` of `what` ("spans"). */
export function tooMany(what: string, limit: number): OtlpLimitError {
  return new OtlpLimitError(
    `the request holds more than ${count(limit)} ${what}, the most accepted in one request; send smaller batches`,
  );
}

/** OTLP bodies above this (before or after gunzip) get 413: the receiver's default limit. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Bodies from this size on are decoded in slices that let other requests run in between. */
export const SLICED_BODY_BYTES = 256 * 1024;

/**
 * JSON trace bodies up to this size are first offered to the direct reader (otlp/json/direct-traces.ts),
 * in one go: it reads ~150k spans/s of SDK-shaped JSON, so a body this size takes ~7 ms, one slice.
 * An SDK's default batch of 512 spans (~450 KB) is read so instead of in sliced JSON.parse chunks.
 * Larger ones are offered to it too, in slices (`largeTraceRequestJsonSteps`).
 */
export const DIRECT_JSON_BODY_BYTES = 1024 * 1024;

/** Work done between two yields to the event loop (a request under it costs one event-loop turn). */
const SLICE_MS = 8;

/**
 * Paces a long synchronous job: call `due()` often (it is cheap), and `await pause()` when it says
 * so; other requests, timers and I/O run in between.
 */
export class Pacer {
  private sliceStart = performance.now();

  due(): boolean {
    return performance.now() - this.sliceStart >= SLICE_MS;
  }

  async pause(): Promise<void> {
    await nextTurn();
    this.sliceStart = performance.now();
  }

  /** Pauses when due: the one call between two chunks of work. */
  async breathe(): Promise<void> {
    if (this.due()) await this.pause();
  }
}

/**
 * Turns of CPU for requests' decode and store work, shared by every request of a server: one slice of
 * SLICE_MS per turn of the event loop. Work runs at once while the current slice has time left (a
 * lone request waits for nothing), else in arrival order in a later turn's slice. A burst of exports
 * then costs a read arriving among them at most about one slice, not the whole burst.
 *
 * A slice opened in a turn's poll phase ends with that turn: its check phase runs what waits in the
 * time it has left. What waits after that runs at the check phase of the next turn, in a fresh slice
 * that the work continuing from it (the store step after a decode, in its promise's continuation)
 * counts against too. Before, each check phase began a fresh slice, and the continuations of the
 * work it ran began another: three slices a turn under load, turns of 40 ms.
 */
export class WorkTurns {
  /** When the current slice began, or null when none is open. */
  private sliceStart: number | null = null;
  /** Whether a check-phase callback (endOfTurn or nextTurn) is due. */
  private scheduled = false;
  /** What reserved work not done yet is expected to take (ms); it counts against the slice. */
  private promisedMs = 0;
  /** What an item of reserved work took lately (ms), a moving average. */
  private itemMs = 0.005;
  private readonly waiting: (() => void)[] = [];

  /** Runs `work` (synchronous) now, or in a later turn when this one's slice is used up. */
  run<T>(work: () => T): T | Promise<T> {
    if (this.waiting.length === 0 && this.hasTime()) return work();
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        try {
          resolve(work());
        } catch (error) {
          reject(error);
        }
      });
      this.schedule(() => this.endOfTurn());
    });
  }

  /**
   * Promises `items` of work to the current slice, to be done now without `run` (an export answered
   * first stores its spans right after its answer): null when it should wait for `run` instead,
   * else the time reserved for it, to hand back to `done`. Like `run`, it opens a slice when none is
   * open. The decision comes a few promise steps before the work, and the exports a turn's check
   * phase decoded all decide before any of them stores: without the reservation every one found the
   * slice with time left, and their stores took 10 ms past it.
   */
  reserve(items: number): number | null {
    if (this.waiting.length > 0 || !this.hasTime()) return null;
    const estimate = items * this.itemMs;
    this.promisedMs += estimate;
    return estimate;
  }

  /** Reserved work is done: `items` of it took `ms`, which tunes the next estimates. */
  done(reserved: number, items: number, ms: number): void {
    this.promisedMs = Math.max(0, this.promisedMs - reserved);
    if (items > 0) this.itemMs = 0.8 * this.itemMs + 0.2 * (ms / items);
  }

  private hasTime(): boolean {
    if (this.sliceStart === null) {
      this.openSlice();
      this.schedule(() => this.endOfTurn());
      return true;
    }
    return this.sliceLeft(this.sliceStart);
  }

  private openSlice(): number {
    this.promisedMs = 0;
    this.sliceStart = performance.now();
    return this.sliceStart;
  }

  /** Whether the slice begun at `start` has time left for more work. */
  private sliceLeft(start: number): boolean {
    return performance.now() - start + this.promisedMs < SLICE_MS;
  }

  private schedule(callback: () => void): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      callback();
    });
  }

  /** The check phase of a turn with a slice open or work waiting: what waits runs while the slice has time. */
  private endOfTurn(): void {
    const start = this.sliceStart ?? this.openSlice();
    while (this.waiting.length > 0 && this.sliceLeft(start)) this.waiting.shift()?.();
    // The slice stays open for what continues from this work, until the next turn's check phase.
    this.schedule(() => this.nextTurn());
  }

  /** The next turn's check phase: a fresh slice for what waits, or none open when nothing does. */
  private nextTurn(): void {
    this.sliceStart = null;
    if (this.waiting.length > 0) this.endOfTurn();
  }
}

/** Runs `work` through `turns` when given, else at once. */
export function inTurn<T>(turns: WorkTurns | undefined, work: () => T): T | Promise<T> {
  return turns === undefined ? work() : turns.run(work);
}

/** A decoder written as a generator (it yields between items) run to the end, without pausing. */
export { runToEnd } from "../domain/steps.js";

/**
 * Runs a generator decoder, pausing whenever a slice of work is done. After `stop` aborted, it
 * rejects with its reason at the next pause (see ExportsInFlight).
 */
export async function runPaced<T>(
  steps: Generator<void, T, void>,
  pacer: Pacer = new Pacer(),
  stop?: AbortSignal,
): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    await pacer.breathe();
    stop?.throwIfAborted();
  }
}

/** Why an export stopped between two slices: the server is stopping (see ExportsInFlight). */
export class ExportStoppedError extends Error {
  constructor() {
    super("tracekit-local is stopping");
    this.name = "ExportStoppedError";
  }
}

/**
 * The exports a server is decoding or storing, so that stopping it waits for them before its stores
 * close: a large one goes on in slices between other work, and a store closed under it lost what it
 * had not written yet after the sender was cut off. One that takes longer than the wait allows is
 * stopped at its next pause (`signal`, passed to runPaced and storeInSlices) and refused with a retry.
 */
export class ExportsInFlight {
  private running = 0;
  private waiters: (() => void)[] = [];
  private readonly stopper = new AbortController();
  readonly signal = this.stopper.signal;

  /** An export begins; call what it returns once it is answered (and any work after the answer done). */
  begin(): () => void {
    this.running++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.running--;
      if (this.running === 0) for (const waiter of this.waiters.splice(0)) waiter();
    };
  }

  /**
   * Resolves once no export runs: those running get `graceMs` to finish, then are stopped at their next
   * pause, as is any that begins after that.
   */
  settle(graceMs: number): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise<void>((done) => {
      const timer = setTimeout(() => this.stopper.abort(new ExportStoppedError()), graceMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        done();
      });
    });
  }
}

/** Steps whose result is passed through `map` at the end. */
export function* mapSteps<T, U>(steps: Generator<void, T, void>, map: (value: T) => U): Generator<void, U, void> {
  return map(yield* steps);
}

/**
 * Items stored per call while a large request is stored: the first call's count, and the most any
 * call takes. Later calls take as many as the items so far show fit in one slice of time: what a span
 * costs the store ranges over 10× with its shape and the machine's load, and a fixed count made one
 * call 30–40 ms on a busy machine.
 */
const STORE_SLICE = 2000;
const FIRST_STORE_SLICE = 250;
const MIN_STORE_SLICE = 50;

/** A store's batch writes, which a request stored in slices makes between its slices (see Store.writeDue). */
export interface SliceWrites {
  /** Whether the items stored so far wait in a batch due to be written. */
  due(): boolean;
  /** Writes the batch (a synchronous transaction: 15-20 ms for 2,000 spans on a slow machine). */
  write(): void;
}

export interface SliceOptions<T> {
  turns?: WorkTurns | undefined;
  /**
   * Stores a list stored in slices first in groups (in the order of each group's first item, items in
   * their order), so a group reaches the store in one slice or two: a trace's spans, which a request
   * may spread across its resource groups. The memory store packs the traces that changed least
   * recently; a trace spread over every slice would be packed and read back at each of them.
   */
  groupOf?: (item: T) => string;
  /**
   * When given, `store` is told (its `writeLater` argument) to leave the store's batch writes to this
   * loop, which makes each in a turn of its own: inside a slice's insert, a write made that turn a
   * slice and a write long, and /api/health waited for both.
   */
  writes?: SliceWrites | undefined;
  /** Once aborted, the next pause rejects with its reason (see ExportsInFlight). */
  stop?: AbortSignal | undefined;
}

/**
 * Hands `items` to `store` in slices, pausing between them when a slice of time is used up, so that
 * storing a large request does not hold the event loop either. A small list is one call.
 */
export async function storeInSlices<T>(
  items: readonly T[],
  store: (slice: readonly T[], writeLater: boolean) => void,
  options: SliceOptions<T> = {},
): Promise<void> {
  const { turns, groupOf, writes, stop } = options;
  if (items.length <= STORE_SLICE) {
    await inTurn(turns, () => store(items, false));
    return;
  }
  const pacer = new Pacer();
  if (groupOf !== undefined) items = await grouped(items, groupOf, pacer);
  let size = FIRST_STORE_SLICE;
  let stored = 0;
  let spentMs = 0;
  while (stored < items.length) {
    stop?.throwIfAborted();
    const started = performance.now();
    const slice = items.slice(stored, stored + size);
    store(slice, writes !== undefined);
    spentMs += performance.now() - started;
    stored += slice.length;
    size = Math.max(MIN_STORE_SLICE, Math.min(STORE_SLICE, Math.floor((SLICE_MS * stored) / Math.max(spentMs, 0.001))));
    if (writes?.due() === true) {
      await pacer.pause();
      writes.write();
      await pacer.pause();
    } else {
      await pacer.breathe();
    }
  }
}

/**
 * `items` with each group's items together: groups in the order of their first item, items in their
 * order. Pauses as a slice of work is done: 70,000 spans took 45 ms in one go.
 */
async function grouped<T>(items: readonly T[], groupOf: (item: T) => string, pacer: Pacer): Promise<readonly T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = groupOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
    if (pacer.due()) await pacer.pause();
  }
  if (groups.size === 1) return items;
  const out: T[] = [];
  for (const group of groups.values()) {
    for (const item of group) out.push(item);
    if (pacer.due()) await pacer.pause();
  }
  return out;
}
