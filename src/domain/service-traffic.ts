/**
 * The service map's raw material, kept up to date span by span in compact columns so the map over
 * a million stored spans never reads a trace again. Each span adds entries to an append-only log:
 * ENTRY (a span entered its service), EDGE (a span called from another service's span) and CALL (a
 * span that calls a peer by its own word, service-map.ts calledPeerOf, when that peer sent no span of its own). Whatever order a trace's spans arrive in, the live entries end as the whole trace would
 * make them: a child that arrives before its parent waits for it, and a later span that turns an
 * entry or an inferred call into something else marks that entry dead. A SERVER / CONSUMER span
 * inside another of its own service (a framework's span inside the HTTP server's) is no entry: the
 * outer span is the request, failed when any span telling it failed (see Request). Evicting a trace marks its
 * slot dead; dead entries are dropped once they are half the log. A read adds up cells per minute of
 * start (see minute-rows.ts: per key, calls, failures and sorted durations), rebuilt only for the
 * minutes that changed since the last read. Pure; no I/O.
 *
 * What a trace needs while its spans arrive (span id → service, children waiting for their parent,
 * calls a callee's span may still turn into an edge) is dropped once the trace has been quiet for
 * OPEN_QUIET_MS or OPEN_TRACES newer traces arrived, so memory follows the traces in flight, not the
 * traces stored. A span that arrives after that (rare: a very late or re-sent span) is counted
 * without its trace: it enters its service when it is a SERVER / CONSUMER span or has no parent, an
 * edge or a call's conversion into one through it is lost, and a re-sent span counts again.
 */
import { CellScratch, cellStart, Durations, type SortedCells, sortCells } from "./durations.js";
import { intern, itself } from "./intern.js";
import { callAddressOf, carriesLlmCall, type TimedCall } from "./llm-transport.js";
import { type Minute, MinuteRows, minuteLog } from "./minute-rows.js";
import { isOuterTelling, tellSameRequest } from "./same-request.js";
import type { Peer } from "./service-map.js";
import type { Span } from "./span.js";
import { durationNanos } from "./time.js";
import { resized } from "./typed-arrays.js";

export const ENTRY = 0;
export const EDGE = 1;
export const CALL = 2;

/** What an entry counts toward: a service entered, calls between two services, or calls to a peer. */
export type TrafficKey =
  | { type: typeof ENTRY; service: string }
  | { type: typeof EDGE; from: string; to: string }
  | { type: typeof CALL; from: string; peer: Peer };

/** A time window in unix nanoseconds, both ends inclusive, on the span's start. */
export interface TrafficWindow {
  sinceUnixNano?: bigint;
  untilUnixNano?: bigint;
}

/** The live entries in a window, grouped by key: calls, errors and every duration. */
export interface TrafficTally {
  keys: { key: TrafficKey; calls: number; errors: number; durations: Durations }[];
  /** Distinct traces the counted entries come from. */
  traces: number;
  /** Earliest start and latest end of the counted spans, unix ms; null when nothing counted. */
  firstMs: number | null;
  lastMs: number | null;
}

const ERROR = 1;
const DEAD = 2;

/** What one minute's live entries add up to per key (see SortedCells): durations and failures. */
interface TrafficCells extends SortedCells {
  errors: Int32Array;
  /** Latest end of the minute's entries (unix ms). */
  lastMs: number;
}

interface WaitingChild {
  service: number;
  /** The child's ENTRY, or -1. */
  entry: number;
  entersService: boolean;
  /** A SERVER span: a request its parent made, to itself when of the parent's service. */
  server: boolean;
  startMs: number;
  durMs: number;
  error: boolean;
  /** Set when an outer SERVER span of the same service and parent tells the same request: its edge is not counted. */
  told?: boolean;
  /** For an entry span, the request it tells (see Request); else null. */
  request: Request | null;
}

/**
 * One request to a service as its entry spans tell it: one span, or several (same-request.ts: the
 * HTTP instrumentation's and a framework's, one inside the other or side by side), counted once as
 * the outer one's ENTRY and EDGE (-1: none). It failed when any telling did: a failed inner telling
 * marks them failed (the HTTP span of a 402 is unset while the TraceKit Node SDK's middleware span of
 * the handler that threw failed). A request found to be a telling of another joins it (`joined`).
 */
interface Request {
  entry: number;
  edge: number;
  failed: boolean;
  joined: Request | null;
}

/** The request that `request`'s tellings were found to tell (itself unless joined to another). */
function requestOf(request: Request): Request {
  let found = request;
  while (found.joined !== null) found = found.joined;
  return found;
}

/** The outer SERVER span so far of one request to a service under one parent (see TraceState.siblings). */
interface OuterServerSpan {
  startMs: number;
  endMs: number;
  /** Its ENTRY and its EDGE from the caller, or -1. */
  entry: number;
  edge: number;
  /** Its record while its parent has not arrived, or null. */
  waiting: WaitingChild | null;
  request: Request | null;
}

interface TraceState {
  traceId: string;
  slot: number;
  lastSeenMs: number;
  /** The first span that arrived and its spanCode; a trace of one span needs no map. */
  firstSpanId: string | null;
  firstService: number;
  /** Span id → spanCode for every later span (null until a second one arrives). */
  services: SpanIdTable | null;
  /** Parent span id → children that arrived before it. */
  waiting: Map<string, WaitingChild[]> | null;
  /** Calling span id → its CALL entry, dead once a span of the callee arrives. */
  calls: SpanIdTable | null;
  /**
   * Parent span id and service → the requests to that service under that parent from elsewhere, each
   * by its outer SERVER span so far: two of them, one within the other's time, are one request told
   * twice; two one after the other (a retry) are two (nestedEntrySpans' rule).
   */
  siblings: Map<string, OuterServerSpan[]> | null;
  /** The LLM calls that arrived (service by number), for the HTTP requests that carry them (llm-transport.ts). */
  llmCalls: TimedCall<number>[] | null;
  /** The calls to outside hosts counted so far: an LLM call that arrives later may carry one (its CALL is in `calls`). */
  hostCalls: TimedCall<number>[] | null;
  /**
   * The request each entry span tells (see Request): the first entry span's here, the others' by span
   * id (null until a second one arrives; most traces enter each service once).
   */
  firstRequestSpanId: string | null;
  firstRequest: Request | null;
  requests: Map<string, Request> | null;
}

/** The request the entry span `spanId` of the trace tells, or null. */
function requestOfSpan(state: TraceState, spanId: string): Request | null {
  if (spanId === state.firstRequestSpanId) return state.firstRequest;
  return state.requests?.get(spanId) ?? null;
}

function noteRequest(state: TraceState, spanId: string, request: Request): void {
  if (state.firstRequestSpanId === null) {
    state.firstRequestSpanId = spanId;
    state.firstRequest = request;
  } else {
    state.requests ??= new Map();
    state.requests.set(spanId, request);
  }
}

/**
 * What a trace's table keeps of a span: its service number, whether the span enters it (SERVER /
 * CONSUMER), and whether it is a call that failed (a caller's failed call fails the edge, see add).
 */
function spanCode(service: number, entersService: boolean, failedCall: boolean): number {
  return service * 4 + (entersService ? 2 : 0) + (failedCall ? 1 : 0);
}

/** The spanCode of a span of the trace that arrived, or undefined. */
function codeOfSpan(state: TraceState, spanId: string): number | undefined {
  if (spanId === state.firstSpanId) return state.firstService;
  return state.services?.get(spanId);
}

/** A trace's spans found by scanning lists; past this many, by a map. */
const SCAN_SPANS = 16;

/**
 * Span id → number for the spans of one trace: two short lists scanned while few (most traces),
 * a Map past SCAN_SPANS. Lighter than a Map per trace, which each span would grow and rehash.
 */
class SpanIdTable {
  private ids: string[] = [];
  private values: number[] = [];
  private map: Map<string, number> | null = null;

  get(id: string): number | undefined {
    if (this.map !== null) return this.map.get(id);
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] === id) return this.values[i];
    return undefined;
  }

  /** Adds an id the table does not hold. */
  add(id: string, value: number): void {
    if (this.map !== null) {
      this.map.set(id, value);
    } else if (this.ids.length < SCAN_SPANS) {
      this.ids.push(id);
      this.values.push(value);
    } else {
      this.map = new Map();
      for (let i = 0; i < this.ids.length; i++) this.map.set(this.ids[i] as string, this.values[i] as number);
      this.map.set(id, value);
      this.ids = [];
      this.values = [];
    }
  }

  delete(id: string): void {
    if (this.map !== null) {
      this.map.delete(id);
      return;
    }
    const i = this.ids.indexOf(id);
    if (i < 0) return;
    this.ids.splice(i, 1);
    this.values.splice(i, 1);
  }

  /** Replaces every value by `change(value)`. */
  remap(change: (value: number) => number): void {
    if (this.map !== null) {
      for (const [id, value] of this.map) this.map.set(id, change(value));
      return;
    }
    for (let i = 0; i < this.values.length; i++) this.values[i] = change(this.values[i] as number);
  }
}

/** A CALL key found by its peer's kind and port text (see callKey). */
interface CallKeyEntry {
  kind: Peer["kind"];
  /** External peers: named by host rules, and the port ("" without one); "" for the others. */
  host: boolean;
  port: string;
  key: number;
}

const INITIAL_CAPACITY = 1024;
/** A trace quiet this long is taken to be complete: its arrival state is dropped. */
export const OPEN_QUIET_MS = 60_000;
/** At most this many traces keep their arrival state (the oldest is dropped first). */
export const OPEN_TRACES = 10_000;

export interface ServiceTrafficOptions {
  /** Clock for OPEN_QUIET_MS (default Date.now). */
  now?: () => number;
  openTraces?: number;
}

export class ServiceTraffic {
  /** Every kept trace's slot, numbered as the open traces' states number them (see slotBase). */
  private readonly slots = new Map<string, number>();
  /**
   * What this map and the open traces' states hold count slots and entries from the log's start as
   * if nothing had left its front: slot `s` is `s - slotBase` in the columns, entry `e` is row
   * `e - entryBase` (below 0: dropped, and dead). Dropping the front then renumbers none of them (a walk
   * over each, and over the holes their deletions leave).
   */
  private slotBase = 0;
  private entryBase = 0;
  /**
   * Traces still taking spans, and their states in arrival order (a state dropped from `open` stays in
   * the queue until reached). Entries before `openHead` are null: a state the queue went past holds its
   * trace's span ids and calls (~1.5 KB), and up to half the queue is behind the head until it is cut.
   */
  private readonly open = new Map<string, TraceState>();
  private openQueue: (TraceState | null)[] = [];
  private openHead = 0;
  private readonly now: () => number;
  private readonly openLimit: number;
  private readonly serviceIds = new Map<string, number>();
  private readonly serviceNames: string[] = [];
  private readonly keyIds = new Map<string, number>();
  private readonly keyList: TrafficKey[] = [];
  /** Key numbers by service number (ENTRY) and by from × 2^20 + to (EDGE), without building strings. */
  private readonly entryKeys: number[] = [];
  private readonly edgeKeys = new Map<number, number>();
  /** Key numbers of CALL keys by service number, then peer name (a short list per name), without building strings. */
  private readonly callKeys: Map<string, CallKeyEntry[]>[] = [];
  private size = 0;
  private deadEntries = 0;
  private keyCol = new Int32Array(INITIAL_CAPACITY);
  private slotCol = new Int32Array(INITIAL_CAPACITY);
  private startCol = new Float64Array(INITIAL_CAPACITY);
  private durCol = new Float64Array(INITIAL_CAPACITY);
  private flagCol = new Uint8Array(INITIAL_CAPACITY);
  private nextSlot = 0;
  private deadSlots = new Uint8Array(INITIAL_CAPACITY);
  /** The entries by minute of start, and each minute's totals per key: what a read adds up. */
  private readonly byMinute = new MinuteRows<TrafficCells>((rows, n) => this.cellsOf(rows, n), {
    log: () =>
      minuteLog(this.size, this.nextSlot, this.startCol, this.slotCol, this.deadSlots, {
        flagCol: this.flagCol,
        deadFlag: DEAD,
      }),
    compact: () => this.compactIfMostlyDead(),
  });
  /** Entries per key while a minute is built (zero between builds), and the other working arrays. */
  private keyCounts = new Int32Array(0);
  private readonly scratch = new CellScratch();

  constructor(
    /** What a span calls by its own word (service-map.ts calledPeerOf): injected, as that module builds on this one. */
    private readonly calledPeerOf: (span: Span) => Peer | null,
    options: ServiceTrafficOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.openLimit = options.openTraces ?? OPEN_TRACES;
  }

  /** Traces that keep their arrival state (for tests and benches). */
  get openTraces(): number {
    return this.open.size;
  }

  /** Arrival states the queue still holds, dropped ones included (for tests). */
  get queuedStates(): number {
    let held = 0;
    for (const state of this.openQueue) if (state !== null) held++;
    return held;
  }

  /** Entries in the log, dead ones included (for tests and benches). */
  get entries(): number {
    return this.size;
  }

  /**
   * Counts a span; `now` is the clock's reading (one read serves a whole batch); `startNs` and
   * `durationNs`, the span's start and durationNanos as numbers when the caller has them already.
   */
  add(
    span: Span,
    now: number = this.now(),
    startNs: number = Number(span.startTimeUnixNano),
    durationNs: number = durationNanos(span.startTimeUnixNano, span.endTimeUnixNano),
  ): void {
    this.byMinute.beforeAppend(this.size, this.keyCol.length);
    let state = this.open.get(span.traceId);
    if (state === undefined) {
      this.dropQuietTraces(now);
      let slot = this.slots.get(span.traceId);
      if (slot === undefined) {
        slot = this.newSlot() + this.slotBase;
        this.slots.set(span.traceId, slot);
      }
      state = {
        traceId: span.traceId,
        slot,
        lastSeenMs: now,
        firstSpanId: null,
        firstService: 0,
        services: null,
        waiting: null,
        calls: null,
        siblings: null,
        llmCalls: null,
        hostCalls: null,
        firstRequestSpanId: null,
        firstRequest: null,
        requests: null,
      };
      this.open.set(span.traceId, state);
      this.openQueue.push(state);
    }
    state.lastSeenMs = now;
    if (codeOfSpan(state, span.spanId) !== undefined) return;
    const service = this.serviceId(span.service);
    const entersService = span.kind === "SERVER" || span.kind === "CONSUMER";
    const error = span.status.code === "ERROR";
    // A call the caller saw fail: its CLIENT span (or a TraceKit SDK's INTERNAL span naming what it
    // calls) failed. Not any span of the caller's that failed: a handler may throw after its call returned.
    const failedCall =
      error && (span.kind === "CLIENT" || (span.kind === "INTERNAL" && this.calledPeerOf(span) !== null));
    const code = spanCode(service, entersService, failedCall);
    if (state.firstSpanId === null) {
      state.firstSpanId = span.spanId;
      state.firstService = code;
    } else {
      state.services ??= new SpanIdTable();
      state.services.add(span.spanId, code);
    }
    const startMs = startNs / 1e6;
    const durMs = durationNs / 1e6;
    const parentId = span.parentSpanId;
    const parentCode = parentId === null ? undefined : codeOfSpan(state, parentId);
    const parentService = parentCode === undefined ? undefined : parentCode >> 2;
    const nested = entersService && parentCode !== undefined && parentCode >> 1 === (service << 1) + 1;
    // The call as its caller saw it: a 404 fails the client's span and leaves the server's unset, as
    // OpenTelemetry's HTTP conventions have it.
    const callFailed = parentCode !== undefined && (parentCode & 1) === 1;

    // A SERVER span under a parent from elsewhere (or not yet here), or under a call its own service
    // made (another instance of the app), that runs over the same time as another SERVER span of its
    // service under that parent: the same request told twice (tellSameRequest). Counted once, as the
    // outer one (nestedEntrySpans' rule, in any order of arrival).
    let outer: OuterServerSpan | null = null;
    /** This span is the inner telling of a request another SERVER span of its service already counts. */
    let told = false;
    /** The request this span tells: of its parent, of the outer telling beside it, or its own. */
    let request: Request | null = null;
    /** The outer telling beside it that this span replaces, or null. */
    let replaced: OuterServerSpan | null = null;
    if (span.kind === "SERVER" && parentId !== null && !nested) {
      state.siblings ??= new Map();
      const siblingKey = `${parentId}\u0000${service}`;
      const requests = state.siblings.get(siblingKey);
      const endMs = startMs + durMs;
      let same = -1;
      if (requests !== undefined) {
        for (let i = 0; i < requests.length && same < 0; i++) {
          const other = requests[i] as OuterServerSpan;
          if (tellSameRequest(other.startMs, other.endMs, startMs, endMs)) same = i;
        }
      }
      const seen = requests?.[same];
      if (seen !== undefined && isOuterTelling(seen.startMs, seen.endMs, startMs, endMs)) {
        told = true;
        request = seen.request;
      } else {
        if (seen !== undefined) {
          if (seen.entry >= 0) this.kill(seen.entry);
          if (seen.edge >= 0) this.kill(seen.edge);
          if (seen.waiting !== null) seen.waiting.told = true;
          replaced = seen;
        }
        outer = { startMs, endMs, entry: -1, edge: -1, waiting: null, request: null };
        // A list of one as a literal: its room is that one (an empty list pushed to makes room for 17).
        if (requests === undefined) state.siblings.set(siblingKey, [outer]);
        else if (seen !== undefined) requests[same] = outer;
        else requests.push(outer);
      }
    }

    // A span whose parent is not here (yet, or ever: an SDK that never sent it) enters its service only
    // when it is an entry span; when its parent comes from another service, it enters it then.
    const entry =
      !told &&
      (parentId === null || (parentService !== undefined && parentService !== service) || (entersService && !nested))
        ? this.push(this.entryKey(service), state.slot, startMs, durMs, error)
        : -1;
    if (outer !== null) outer.entry = entry;
    if (entersService) {
      if (nested) request = requestOfSpan(state, parentId as string);
      if (request === null) {
        request = { entry, edge: -1, failed: error, joined: null };
        if (outer !== null) outer.request = request;
        if (replaced !== null && replaced.request !== null) this.joinRequest(replaced.request, request);
      } else if (error) {
        this.failRequest(request);
      }
      noteRequest(state, span.spanId, request);
    }
    if (told) {
      if (parentService !== undefined) this.killCall(state, parentId as string);
    } else if (parentService !== undefined && parentService !== service) {
      const failed = request === null ? error : requestOf(request).failed;
      const edge = this.push(this.edgeKey(parentService, service), state.slot, startMs, durMs, failed || callFailed);
      if (outer !== null) outer.edge = edge;
      if (request !== null) requestOf(request).edge = edge;
      this.killCall(state, parentId as string);
    } else if (parentService === service && span.kind === "SERVER") {
      // A request the parent's own service answers (an app calling itself by its address): the call
      // went to a service that sends spans, so it is no call to the host it names. (A CONSUMER of its
      // own queue is not: the queue between them sends no spans and stays a node of its own.)
      this.killCall(state, parentId as string);
    } else if (parentId !== null && parentService === undefined) {
      state.waiting ??= new Map();
      let children = state.waiting.get(parentId);
      if (children === undefined) {
        children = [];
        state.waiting.set(parentId, children);
      }
      const child: WaitingChild = {
        service,
        entry,
        entersService,
        server: span.kind === "SERVER",
        startMs,
        durMs,
        error,
        request: told ? null : request,
      };
      if (outer !== null) outer.waiting = child;
      children.push(child);
    }

    let calledService = false;
    const children = state.waiting?.get(span.spanId);
    if (children !== undefined) {
      state.waiting?.delete(span.spanId);
      for (const child of children) {
        if (child.service === service) {
          // A SERVER / CONSUMER span nested in an entry span of its own service: no entry after all,
          // and its request is this one's.
          if (child.entry >= 0 && entersService) this.kill(child.entry);
          if (entersService && child.request !== null && request !== null) this.joinRequest(child.request, request);
          // A request of its own service under it: it called itself (as above, in the other order).
          if (child.server) calledService = true;
        } else {
          calledService = true;
          if (child.told === true) continue;
          const childRequest = child.request === null ? null : requestOf(child.request);
          const childFailed = childRequest === null ? child.error : childRequest.failed;
          // Called from another service: a request into its own, now that that is known.
          if (child.entry < 0)
            child.entry = this.push(this.entryKey(child.service), state.slot, child.startMs, child.durMs, childFailed);
          const edge = this.push(
            this.edgeKey(service, child.service),
            state.slot,
            child.startMs,
            child.durMs,
            childFailed || failedCall,
          );
          if (childRequest !== null) childRequest.edge = edge;
          const outer = state.siblings?.get(`${span.spanId}\u0000${child.service}`)?.find((o) => o.waiting === child);
          if (outer !== undefined) {
            outer.edge = edge;
            outer.waiting = null;
          }
        }
      }
    }
    const peer = this.calledPeerOf(span);
    if (peer === null) return;
    if (calledService) {
      // It calls that service; as an LLM call it still carries its request (trace-calls.ts reads it so too).
      if (peer.kind === "llm") this.carriesLlmCall(state, span, peer, service, startMs, durMs);
    } else if (!this.carriesLlmCall(state, span, peer, service, startMs, durMs)) {
      state.calls ??= new SpanIdTable();
      state.calls.add(span.spanId, this.push(this.callKey(service, peer), state.slot, startMs, durMs, error));
    }
  }

  /**
   * Whether a span's call is the HTTP request of an LLM call of the trace (llm-transport.ts): then it
   * is no call of its own. An LLM call takes back the CALLs of the requests that came before it.
   */
  private carriesLlmCall(
    state: TraceState,
    span: Span,
    peer: Peer,
    service: number,
    startMs: number,
    durMs: number,
  ): boolean {
    // A root span carries nothing: the request of an LLM call is its child or its sibling.
    if (peer.kind !== "llm" && (peer.kind !== "external" || span.parentSpanId === null)) return false;
    const { host, port } = callAddressOf(peer, span.attributes);
    const call: TimedCall<number> = {
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      service,
      startMs,
      endMs: startMs + durMs,
      host,
      port,
    };
    if (peer.kind === "llm") {
      state.llmCalls ??= [];
      state.llmCalls.push(call);
      const requests = state.hostCalls;
      if (requests !== null) {
        state.hostCalls = requests.filter((request) => {
          if (!carriesLlmCall(request, call)) return true;
          this.killCall(state, request.spanId);
          return false;
        });
      }
      return false;
    }
    if (state.llmCalls?.some((llm) => carriesLlmCall(call, llm)) === true) return true;
    state.hostCalls ??= [];
    state.hostCalls.push(call);
    return false;
  }

  /** Forgets a trace (retention evicted it). */
  evict(traceId: string): void {
    const known = this.slots.get(traceId);
    if (known === undefined) return;
    const slot = known - this.slotBase;
    this.slots.delete(traceId);
    const state = this.open.get(traceId);
    if (state !== undefined) {
      this.open.delete(traceId);
      // The queue holds the state until its turn: keep nothing in it.
      state.services = null;
      state.waiting = null;
      state.calls = null;
      state.siblings = null;
      state.llmCalls = null;
      state.hostCalls = null;
      state.firstRequest = null;
      state.requests = null;
    }
    this.deadSlots[slot] = 1;
    this.byMinute.slotDied(slot);
  }

  clear(): void {
    this.slots.clear();
    this.slotBase = 0;
    this.entryBase = 0;
    this.open.clear();
    this.openQueue = [];
    this.openHead = 0;
    this.size = 0;
    this.deadEntries = 0;
    this.nextSlot = 0;
    this.deadSlots.fill(0);
    this.byMinute.clear();
  }

  /** Does ahead, until `deadline` (performance.now()), the work the next tally would start with; true once none is left. */
  warm(deadline: number): boolean {
    return this.byMinute.warm(deadline);
  }

  /** Whether the next read would find nothing to fold or rebuild. */
  get upToDate(): boolean {
    return this.byMinute.upToDate();
  }

  /** The live entries whose span starts in the window. */
  tally(window: TrafficWindow = {}): TrafficTally {
    this.byMinute.sync();
    const since = window.sinceUnixNano === undefined ? -Infinity : Number(window.sinceUnixNano) / 1e6;
    const until = window.untilUnixNano === undefined ? Infinity : Number(window.untilUnixNano) / 1e6;
    const keyCount = this.keyList.length;
    const calls = new Int32Array(keyCount);
    const errors = new Int32Array(keyCount);
    const durations: (Durations | undefined)[] = new Array(keyCount);
    const durationsOf = (key: number) => {
      let set = durations[key];
      if (set === undefined) {
        set = new Durations();
        durations[key] = set;
      }
      return set;
    };
    const byMinute = this.byMinute;
    byMinute.startCount();
    let traces = 0;
    let firstMs = Infinity;
    let lastMs = -Infinity;
    const { keyCol, slotCol, startCol, durCol, flagCol } = this;
    byMinute.each(since, until, (minute: Minute<TrafficCells>, whole) => {
      const cells = minute.cells as TrafficCells;
      if (whole) {
        for (let c = 0; c < cells.keys.length; c++) {
          const key = cells.keys[c] as number;
          calls[key] = (calls[key] as number) + (cells.ends[c] as number) - cellStart(cells, c);
          errors[key] = (errors[key] as number) + (cells.errors[c] as number);
          durationsOf(key).addCell(cells, c);
        }
        traces += byMinute.countSlots(minute);
        if (minute.minStart < firstMs) firstMs = minute.minStart;
        if (cells.lastMs > lastMs) lastMs = cells.lastMs;
        return;
      }
      for (let i = 0; i < minute.n; i++) {
        const entry = minute.rows[i] as number;
        const start = startCol[entry] as number;
        if (start < since || start > until) continue;
        const key = keyCol[entry] as number;
        calls[key] = (calls[key] as number) + 1;
        if ((flagCol[entry] as number) & ERROR) errors[key] = (errors[key] as number) + 1;
        durationsOf(key).add(durCol[entry] as number);
        traces += byMinute.countSlot(slotCol[entry] as number);
        if (start < firstMs) firstMs = start;
        const end = start + (durCol[entry] as number);
        if (end > lastMs) lastMs = end;
      }
    });
    const keys: TrafficTally["keys"] = [];
    for (let k = 0; k < keyCount; k++) {
      if (calls[k] === 0) continue;
      keys.push({
        key: this.keyList[k] as TrafficKey,
        calls: calls[k] as number,
        errors: errors[k] as number,
        durations: durations[k] as Durations,
      });
    }
    return traces === 0 ? { keys, traces, firstMs: null, lastMs: null } : { keys, traces, firstMs, lastMs };
  }

  /** One minute's live entries `entries[0, n)` added up per key. */
  private cellsOf(entries: Int32Array, n: number): TrafficCells {
    const { keyCol, startCol, durCol, flagCol } = this;
    if (this.keyCounts.length < this.keyList.length) this.keyCounts = new Int32Array(this.keyList.length * 2);
    const { keyOf, durationOf, cellOf } = this.scratch.take(n);
    let lastMs = -Infinity;
    for (let i = 0; i < n; i++) {
      const entry = entries[i] as number;
      keyOf[i] = keyCol[entry] as number;
      durationOf[i] = durCol[entry] as number;
      const end = (startCol[entry] as number) + (durCol[entry] as number);
      if (end > lastMs) lastMs = end;
    }
    const cells = sortCells(keyOf, durationOf, n, this.keyCounts, cellOf);
    const errors = new Int32Array(cells.keys.length);
    for (let i = 0; i < n; i++) {
      if (((flagCol[entries[i] as number] as number) & ERROR) === 0) continue;
      const c = cellOf[i] as number;
      errors[c] = (errors[c] as number) + 1;
    }
    return { ...cells, errors, lastMs };
  }

  /** Drops the arrival state of the oldest open traces while there are too many or they are quiet. */
  private dropQuietTraces(now: number): void {
    const quietBefore = now - OPEN_QUIET_MS;
    const queue = this.openQueue;
    while (this.openHead < queue.length) {
      const state = queue[this.openHead] as TraceState;
      if (this.open.get(state.traceId) === state) {
        if (this.open.size < this.openLimit && state.lastSeenMs >= quietBefore) break;
        this.open.delete(state.traceId);
      }
      queue[this.openHead] = null;
      this.openHead++;
    }
    if (this.openHead > 1024 && this.openHead * 2 > queue.length) {
      this.openQueue = queue.slice(this.openHead);
      this.openHead = 0;
    }
  }

  private serviceId(name: string): number {
    return intern(this.serviceNames, this.serviceIds, name, itself);
  }

  private keyId(text: string, make: () => TrafficKey): number {
    return intern(this.keyList, this.keyIds, text, make);
  }

  private entryKey(service: number): number {
    let key = this.entryKeys[service];
    if (key === undefined) {
      key = this.newEntryKey(service);
      this.entryKeys[service] = key;
    }
    return key;
  }

  // The keys' first meetings are methods of their own: a closure over a parameter would make every
  // call allocate, found or not.
  private newEntryKey(service: number): number {
    return this.keyId(`${ENTRY}\u0000${service}`, () => ({
      type: ENTRY,
      service: this.serviceNames[service] as string,
    }));
  }

  private edgeKey(from: number, to: number): number {
    const pair = from * 1_048_576 + to;
    let key = this.edgeKeys.get(pair);
    if (key === undefined) {
      key = this.newEdgeKey(from, to);
      this.edgeKeys.set(pair, key);
    }
    return key;
  }

  private newEdgeKey(from: number, to: number): number {
    return this.keyId(`${EDGE}\u0000${from}\u0000${to}`, () => ({
      type: EDGE,
      from: this.serviceNames[from] as string,
      to: this.serviceNames[to] as string,
    }));
  }

  private callKey(from: number, peer: Peer): number {
    let byName = this.callKeys[from];
    if (byName === undefined) {
      byName = new Map();
      this.callKeys[from] = byName;
    }
    let entries = byName.get(peer.name);
    if (entries === undefined) {
      entries = [];
      byName.set(peer.name, entries);
    }
    const external = peer.kind === "external";
    const host = external && peer.host;
    const port = external ? (peer.port ?? "") : "";
    for (const entry of entries) {
      if (entry.kind === peer.kind && entry.host === host && entry.port === port) return entry.key;
    }
    const key = this.newCallKey(from, peer, external ? `${host ? "h" : "p"}${port}` : "");
    entries.push({ kind: peer.kind, host, port, key });
    return key;
  }

  private newCallKey(from: number, peer: Peer, portText: string): number {
    return this.keyId(`${CALL}\u0000${from}\u0000${peer.kind}\u0000${peer.name}\u0000${portText}`, () => ({
      type: CALL,
      from: this.serviceNames[from] as string,
      peer,
    }));
  }

  private newSlot(): number {
    if (this.nextSlot === this.deadSlots.length) this.deadSlots = resized(this.deadSlots, this.nextSlot * 2);
    this.deadSlots[this.nextSlot] = 0;
    return this.nextSlot++;
  }

  /** Appends an entry for the trace in `slot` (as the states number it); returns the entry as they number it. */
  private push(key: number, slot: number, startMs: number, durMs: number, error: boolean): number {
    if (this.size === this.keyCol.length) this.resize(this.size * 2);
    const i = this.size++;
    this.keyCol[i] = key;
    this.slotCol[i] = slot - this.slotBase;
    this.startCol[i] = startMs;
    this.durCol[i] = durMs;
    this.flagCol[i] = error ? ERROR : 0;
    return i + this.entryBase;
  }

  /** Joins the request `from` tells to `into`'s (its tellings tell that one): failed when either is. */
  private joinRequest(from: Request, into: Request): void {
    const joining = requestOf(from);
    const request = requestOf(into);
    if (joining === request) return;
    joining.joined = request;
    if (joining.failed) this.failRequest(request);
  }

  /** A telling of `request` failed: so did the request, and its ENTRY and EDGE count it failed. */
  private failRequest(told: Request): void {
    const request = requestOf(told);
    if (request.failed) return;
    request.failed = true;
    for (const entry of [request.entry, request.edge]) {
      const row = entry - this.entryBase;
      if (entry < 0 || row < 0) continue;
      const flag = this.flagCol[row] as number;
      if ((flag & (DEAD | ERROR)) !== 0) continue;
      this.flagCol[row] = flag | ERROR;
      this.byMinute.rowChanged(row);
    }
  }

  /** Marks an entry (as the states number it; -1: none) dead. */
  private kill(entry: number): void {
    const row = entry - this.entryBase;
    if (row >= 0 && ((this.flagCol[row] as number) & DEAD) === 0) {
      this.flagCol[row] = (this.flagCol[row] as number) | DEAD;
      this.deadEntries++;
      this.byMinute.rowDied(row);
    }
  }

  private killCall(state: TraceState, spanId: string): void {
    const call = state.calls?.get(spanId);
    if (call === undefined) return;
    state.calls?.delete(spanId);
    this.kill(call);
  }

  private resize(capacity: number): void {
    this.keyCol = resized(this.keyCol, capacity);
    this.slotCol = resized(this.slotCol, capacity);
    this.startCol = resized(this.startCol, capacity);
    this.durCol = resized(this.durCol, capacity);
    this.flagCol = resized(this.flagCol, capacity);
  }

  /**
   * Drops dead entries and evicted traces' slots once they are over half of what is kept. Retention
   * evicts the oldest traces first, so what died is mostly the front of the log: then the rest moves
   * down (one memmove per column), the columns' slots and the minutes' rows are lowered by a
   * subtraction, what the open traces hold is left as it is (see slotBase), and dead entries behind
   * the first live one wait for a later compaction. Only when that would leave the log still mostly
   * dead is it rebuilt entry by entry, which held the event loop 25 ms at 1.5M entries.
   */
  private compactIfMostlyDead(): void {
    let deadSlotCount = 0;
    for (let s = 0; s < this.nextSlot; s++) deadSlotCount += this.deadSlots[s] as number;
    if (this.deadEntries * 2 < this.size && deadSlotCount * 2 < this.nextSlot) return;
    if (!this.dropDeadFront(deadSlotCount)) this.compactAll();
    if (this.keyCol.length > INITIAL_CAPACITY && this.size * 4 < this.keyCol.length)
      this.resize(Math.max(this.size * 2, INITIAL_CAPACITY));
  }

  /** Drops the dead entries before the first live one, and the dead slots before the first one in use; false when that is too little. */
  private dropDeadFront(deadSlotCount: number): boolean {
    const { size, slotCol, flagCol, deadSlots } = this;
    let rows = 0;
    let killed = 0;
    for (; rows < size; rows++) {
      const flag = flagCol[rows] as number;
      if ((flag & DEAD) === 0 && deadSlots[slotCol[rows] as number] === 0) break;
      if ((flag & DEAD) !== 0) killed++;
    }
    // Slots below the first live one, and below every slot the kept entries name, are all dead.
    let slots = 0;
    while (slots < this.nextSlot && deadSlots[slots] === 1) slots++;
    for (let i = rows; i < size; i++) if ((slotCol[i] as number) < slots) slots = slotCol[i] as number;
    const keptSize = size - rows;
    const keptSlots = this.nextSlot - slots;
    if ((this.deadEntries - killed) * 2 >= keptSize || (deadSlotCount - slots) * 2 >= keptSlots) return false;
    for (const column of [this.keyCol, this.slotCol, this.startCol, this.durCol, this.flagCol])
      column.copyWithin(0, rows, size);
    for (let i = 0; i < keptSize; i++) slotCol[i] = (slotCol[i] as number) - slots;
    deadSlots.copyWithin(0, slots, this.nextSlot);
    this.slotBase += slots;
    this.entryBase += rows;
    this.byMinute.dropFront(rows, slots, keptSlots);
    this.size = keptSize;
    this.deadEntries -= killed;
    this.nextSlot = keptSlots;
    return true;
  }

  /** Rebuilds the log of its live entries and the slots of the kept traces. */
  private compactAll(): void {
    const newSlot = new Int32Array(this.nextSlot).fill(-1);
    let slots = 0;
    for (const [traceId, slot] of this.slots) {
      newSlot[slot - this.slotBase] = slots;
      this.slots.set(traceId, slots++);
    }
    const newIndex = new Int32Array(this.size).fill(-1);
    let kept = 0;
    for (let i = 0; i < this.size; i++) {
      const slot = newSlot[this.slotCol[i] as number] as number;
      if (slot < 0 || ((this.flagCol[i] as number) & DEAD) !== 0) continue;
      newIndex[i] = kept;
      this.keyCol[kept] = this.keyCol[i] as number;
      this.slotCol[kept] = slot;
      this.startCol[kept] = this.startCol[i] as number;
      this.durCol[kept] = this.durCol[i] as number;
      this.flagCol[kept] = this.flagCol[i] as number;
      kept++;
    }
    const { entryBase, slotBase } = this;
    this.renumberOpen(
      (entry) => (entry >= entryBase ? (newIndex[entry - entryBase] as number) : -1),
      (slot) => (slot >= slotBase ? (newSlot[slot - slotBase] as number) : -1),
    );
    this.entryBase = 0;
    this.slotBase = 0;
    this.byMinute.renumber(newIndex, newSlot, slots);
    this.size = kept;
    this.deadEntries = 0;
    this.nextSlot = slots;
    this.deadSlots.fill(0);
  }

  /**
   * Renumbers what the open traces' states hold of the log: entries (-1: none, or dropped) and slots.
   * Walks the arrival queue, not the `open` map, whose walks step over the holes its deletions leave
   * (an evicted trace's state still queued holds nothing but its slot, which nothing reads again).
   */
  private renumberOpen(entry: (entry: number) => number, slot: (slot: number) => number): void {
    const queue = this.openQueue;
    for (let i = this.openHead; i < queue.length; i++) {
      const state = queue[i] as TraceState;
      state.slot = slot(state.slot);
      state.calls?.remap(entry);
      if (state.waiting !== null) {
        for (const children of state.waiting.values()) for (const child of children) child.entry = entry(child.entry);
      }
      if (state.siblings !== null) {
        for (const requests of state.siblings.values()) {
          for (const outer of requests) {
            outer.entry = entry(outer.entry);
            outer.edge = entry(outer.edge);
          }
        }
      }
      if (state.firstRequest !== null) {
        const requests = new Set(state.requests?.values());
        requests.add(state.firstRequest);
        for (const request of requests) {
          request.entry = entry(request.entry);
          request.edge = entry(request.edge);
        }
      }
    }
  }
}
