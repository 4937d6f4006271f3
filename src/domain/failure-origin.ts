/**
 * Where a trace's failure started, by one rule for the trace list's error line (TraceAggregate keeps it
 * as spans arrive) and the trace page's "Error started in" (web error-model.ts) and MCP, which read the
 * whole trace: of the failing spans
 * (status ERROR), those with no failing span below them, the one that started first (then the one that
 * ended first, then the lowest span id: the SDKs' whole-millisecond times often tie, and the answer must
 * not depend on the order spans arrive in). Below a span are its children and theirs, through spans that
 * did not fail (an Express "request handler" span between a failing request and its failing call:
 * `link` tells of those), and, of two SERVER / CONSUMER spans of one service telling one request side by
 * side under the caller (same-request.ts: the TraceKit Node SDK's Express middleware), the inner one, as
 * error-origin.ts's spanChildren nests it. A failing span whose parent has not arrived counts as below the
 * failing SERVER span of its service that holds it (see `holdsOrphan`): the TraceKit Node SDK never sends
 * its Express middleware span for a request whose handler threw, so the handler's failing span names a
 * parent that never comes, and read as a leaf beside the failing HTTP span it would win or lose on a
 * start in the same millisecond.
 * Imports nothing outside domain/ (the web app uses it).
 */
import { isOuterTelling, onWholeMillisecond, tellSameRequest } from "./same-request.js";

/** What finding the origin reads of a failing span. */
export interface FailingSpan {
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly kind: string;
  readonly service: string;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
}

/** Tellings of one request past this many under one caller are not looked for (a fan-out, not a request told twice). */
const MAX_TELLINGS = 64;
/** Spans that did not fail kept as links between failing ones, per trace, at most. */
export const MAX_LINKS = 20_000;

/** Whether `a` is before `b` as an origin: it started first, then ended first, then has the lower span id. */
export function isEarlierOrigin(a: FailingSpan, b: FailingSpan): boolean {
  if (a.startTimeUnixNano !== b.startTimeUnixNano) return a.startTimeUnixNano < b.startTimeUnixNano;
  if (a.endTimeUnixNano !== b.endTimeUnixNano) return a.endTimeUnixNano < b.endTimeUnixNano;
  return a.spanId < b.spanId;
}

const msOf = (span: FailingSpan): [number, number] => [
  Number(span.startTimeUnixNano) / 1e6,
  Number(span.endTimeUnixNano) / 1e6,
];

/** A microsecond, in ms: what float arithmetic on nanoseconds near 1.7e18 may be off by. */
const NOISE_MS = 0.001;

/** Whether `a` is the outer of two spans, one in the other: the longer, then the earlier, then the lower span id (never both ways). */
function isOuterSpan(a: FailingSpan, b: FailingSpan): boolean {
  const aLasts = a.endTimeUnixNano - a.startTimeUnixNano;
  const bLasts = b.endTimeUnixNano - b.startTimeUnixNano;
  if (aLasts !== bLasts) return aLasts > bLasts;
  if (a.startTimeUnixNano !== b.startTimeUnixNano) return a.startTimeUnixNano < b.startTimeUnixNano;
  return a.spanId < b.spanId;
}

/**
 * Whether `orphan`, a span whose parent is not in the trace, counts as below `server` for finding where
 * a failure started: `server` is a SERVER span of the same service, the outer of the two, and runs over
 * the orphan's time. Both started on a whole millisecond (OpenTelemetry JS 1.x rounds starts down and
 * times durations exactly), the orphan may seem to end up to a millisecond after it.
 */
export function holdsOrphan(server: FailingSpan, orphan: FailingSpan): boolean {
  if (!mayBeOrphan(orphan) || server.kind !== "SERVER" || server.service !== orphan.service) return false;
  // Apart in time (bigints compared, none made): most pairs end here.
  if (orphan.endTimeUnixNano < server.startTimeUnixNano || orphan.startTimeUnixNano > server.endTimeUnixNano) {
    return false;
  }
  if (server.spanId === orphan.spanId) return false;
  if (orphan.startTimeUnixNano >= server.startTimeUnixNano && orphan.endTimeUnixNano <= server.endTimeUnixNano) {
    // Inside it: the outer unless both have the same times (then the lower span id is; see isOuterSpan).
    return (
      orphan.startTimeUnixNano !== server.startTimeUnixNano ||
      orphan.endTimeUnixNano !== server.endTimeUnixNano ||
      server.spanId < orphan.spanId
    );
  }
  if (!isOuterSpan(server, orphan)) return false;
  const [start, end] = msOf(server);
  const [oStart, oEnd] = msOf(orphan);
  if (oStart < start - NOISE_MS) return false;
  const slack = onWholeMillisecond(start) && onWholeMillisecond(oStart) ? 1 - NOISE_MS : NOISE_MS;
  return oEnd - end < slack;
}

/**
 * Whether a span whose parent never arrives may count as below a SERVER span around it: not an entry
 * span (SERVER or CONSUMER), whose missing parent is a caller elsewhere (a browser, a gateway that
 * exports elsewhere), so two requests of a service, one during the other, stay two.
 */
function mayBeOrphan(span: FailingSpan): boolean {
  return span.kind !== "SERVER" && span.kind !== "CONSUMER";
}

/**
 * Of `servers`, the innermost that holds `orphan` (see holdsOrphan), undefined when none does. Past
 * MAX_TELLINGS of them, the rest are not looked at.
 */
export function orphanHolder<T extends FailingSpan>(servers: readonly T[], orphan: FailingSpan): T | undefined {
  let holder: T | undefined;
  const count = Math.min(servers.length, MAX_TELLINGS);
  for (let i = 0; i < count; i++) {
    const server = servers[i] as T;
    if (holdsOrphan(server, orphan) && (holder === undefined || isOuterSpan(holder, server))) holder = server;
  }
  return holder;
}

/**
 * A trace's failing spans as they arrive, and where the failure started. Each add costs a few map
 * operations; only when the origin gains a failing span below it are the failing spans looked over again.
 * Past `limit` failing spans, later ones are not looked at (the answer then depends on arrival).
 */
/** Shared empty stand-ins (never written) while a FailureOrigins holds one span. */
const NO_IDS: Set<string> = new Set();
const NO_TELLINGS: Map<string, never[]> = new Map();
const NO_LINKS: Map<string, string> = new Map();
const NO_HOLDERS: Map<string, never> = new Map<string, never>();
const NO_COUNTS: Map<string, number> = new Map();
const NO_ORPHANS: Map<string, Set<never>> = new Map();

export class FailureOrigins<S extends FailingSpan> {
  /**
   * A trace's one failing span, while it has only one: most failing traces never have another, and
   * the maps below, made for every one of them, took ~2 KB a failing trace in the memory store.
   */
  private only: S | null = null;
  private byId: Map<string, S> | null = null;
  /** Ids of spans with a failing span below them (the span itself may not have arrived); made with byId. */
  private failsBelow: Set<string> = NO_IDS;
  /** Failing SERVER / CONSUMER spans by caller and service, to find a request told twice; made with byId. */
  private tellings: Map<string, S[]> = NO_TELLINGS;
  /** The parents of spans that did not fail (`link`), through which a failure below reaches up; made with byId. */
  private links: Map<string, string> = NO_LINKS;
  /** Ids of spans linked without a parent (roots that did not fail): spans below them have their parent. */
  private roots: Set<string> = NO_IDS;
  /** Failing SERVER spans by service, those that may hold a failing span whose parent has not arrived. */
  private servers: Map<string, S[]> = NO_TELLINGS;
  /** Failing spans whose parent has not arrived, by that parent's id. */
  private orphans: Map<string, S[]> = NO_TELLINGS;
  /** The same orphans by service, for a SERVER span of that service to look over. */
  private orphansOf: Map<string, Set<S>> = NO_ORPHANS;
  /** The failing SERVER span each of those counts as below (see holdsOrphan), by the orphan's id. */
  private holders: Map<string, S> = NO_HOLDERS;
  /** How many orphans each failing SERVER span holds, by its id (none: not in it). */
  private holding: Map<string, number> = NO_COUNTS;
  private current: S | null = null;
  /** Set by dropLinks: `failsBelow` and `tellings` are to be made again before they are read or written. */
  private marksDropped = false;

  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}

  /** Where the failure started, null while no failing span is known. */
  get origin(): S | null {
    return this.current;
  }

  /** Whether it holds more than one failing span (then spans that did not fail can move the origin, see `link`). */
  get several(): boolean {
    return this.byId !== null && this.byId.size > 1;
  }

  /** A failing span by its id. */
  get(spanId: string): S | undefined {
    if (this.byId !== null) return this.byId.get(spanId);
    return this.only?.spanId === spanId ? this.only : undefined;
  }

  /** The failing SERVER span a failing span whose parent has not arrived counts as below (see holdsOrphan), if any. */
  holderOf(spanId: string): S | undefined {
    if (this.marksDropped) this.remark();
    return this.holders.get(spanId);
  }

  add(span: S): void {
    if (this.marksDropped) this.remark();
    if (this.byId === null) {
      const first = this.only;
      if (first === null) {
        // Alone, it is where the failure started, unless it names itself as its parent.
        this.only = span;
        this.current = span.parentSpanId === span.spanId ? null : span;
        return;
      }
      if (first.spanId === span.spanId) return;
      this.index();
    }
    this.addIndexed(span);
  }

  /**
   * A span of the trace that did not fail, by its id and its parent's: a failing span below it fails
   * below its parent too. Any order with `add`, once a span failed (one linked before is not kept):
   * whole-trace readers link every span after adding the failing ones. A trace's aggregate links only
   * once it holds `several` failing spans (with one, that one is where the failure started): its store
   * then hands it the spans it holds of the trace (an async Express handler's span is often exported
   * before anything in its trace failed), and it links each later one as it arrives.
   */
  link(spanId: string, parentSpanId: string | null): void {
    if (this.marksDropped) this.remark();
    if (this.byId?.has(spanId) === true) return;
    if (this.byId === null) {
      // Nothing failed yet: nothing to reach. A failing span alone needs the maps from now on.
      if (this.only === null) return;
      this.index();
    }
    // The orphans waiting for this span have their parent, also past the links kept.
    let stale = this.orphans.has(spanId) && this.adopt(spanId);
    if (parentSpanId === null || parentSpanId === spanId) {
      // Nothing reaches further up through a root, but a failing span below it has its parent.
      if (this.roots === NO_IDS) this.roots = new Set();
      if (!this.roots.has(spanId) && this.roots.size < MAX_LINKS) this.roots.add(spanId);
    } else {
      if (this.links === NO_LINKS) this.links = new Map();
      if (!this.links.has(spanId) && this.links.size < MAX_LINKS) {
        this.links.set(spanId, parentSpanId);
        if (this.failsBelow.has(spanId) && this.markBelow(parentSpanId)) stale = true;
      }
    }
    if (stale) this.current = this.earliestLeaf();
  }

  /**
   * Forgets the links and what they marked (together they cost more than the spans they stand for),
   * keeping the failing spans and where the failure started. The next `add` or `link` makes the marks
   * again from the failing spans: link the trace's spans again right after it.
   */
  dropLinks(): void {
    if (this.byId === null) return;
    this.links = NO_LINKS;
    this.roots = NO_IDS;
    this.failsBelow = NO_IDS;
    this.tellings = NO_TELLINGS;
    this.dropOrphans();
    this.marksDropped = true;
  }

  /** Forgets the orphans and their holders (made again as the failing spans are added afresh). */
  private dropOrphans(): void {
    this.servers = NO_TELLINGS;
    this.orphans = NO_TELLINGS;
    this.orphansOf = NO_ORPHANS;
    this.holders = NO_HOLDERS;
    this.holding = NO_COUNTS;
  }

  /** The failing spans' marks made again (after dropLinks), as adding them afresh makes them. */
  private remark(): void {
    this.marksDropped = false;
    const failing = [...(this.byId as Map<string, S>).values()];
    this.byId = new Map();
    this.failsBelow = new Set();
    this.tellings = new Map();
    this.dropOrphans();
    this.current = null;
    for (const span of failing) this.addIndexed(span);
  }

  /** From one failing span kept alone to the maps that hold several. */
  private index(): void {
    const first = this.only;
    this.only = null;
    this.byId = new Map();
    this.failsBelow = new Set();
    this.tellings = new Map();
    this.links = new Map();
    this.current = null;
    if (first !== null) this.addIndexed(first);
  }

  /**
   * Marks `spanId` and, through the parents known, every span above it as having a failing span
   * below; whether the origin was among them (it has to be looked for again).
   */
  private markBelow(spanId: string): boolean {
    let stale = false;
    let next: string | null | undefined = spanId;
    // A cycle of parents ends where a span is marked already.
    while (next !== null && next !== undefined && !this.failsBelow.has(next)) {
      this.failsBelow.add(next);
      if (this.current?.spanId === next) stale = true;
      next = this.byId?.get(next)?.parentSpanId ?? this.links.get(next);
    }
    return stale;
  }

  private addIndexed(span: S): void {
    const byId = this.byId as Map<string, S>;
    if (byId.has(span.spanId) || byId.size >= this.limit) return;
    byId.set(span.spanId, span);
    let stale = false;
    const failBelow = (spanId: string) => {
      if (this.markBelow(spanId)) stale = true;
    };
    if (span.parentSpanId !== null) {
      failBelow(span.parentSpanId);
      if (span.kind === "SERVER" || span.kind === "CONSUMER") {
        const key = `${span.parentSpanId}\u0000${span.service}`;
        const others = this.tellings.get(key);
        if (others === undefined) this.tellings.set(key, [span]);
        else if (others.length < MAX_TELLINGS) {
          const [start, end] = msOf(span);
          for (const other of others) {
            const [oStart, oEnd] = msOf(other);
            if (!tellSameRequest(oStart, oEnd, start, end)) continue;
            const otherOuter =
              isOuterTelling(oStart, oEnd, start, end) &&
              (!isOuterTelling(start, end, oStart, oEnd) || other.spanId < span.spanId);
            failBelow(otherOuter ? other.spanId : span.spanId);
          }
          others.push(span);
        }
      }
    }
    if (this.noteOrphan(span)) stale = true;
    if (stale) this.current = this.earliestLeaf();
    else if (
      !this.failsBelow.has(span.spanId) &&
      !this.holding.has(span.spanId) &&
      (this.current === null || isEarlierOrigin(span, this.current))
    ) {
      this.current = span;
    }
  }

  /** Whether a span with this id has arrived: failing, or linked. */
  private arrived(spanId: string): boolean {
    return this.byId?.has(spanId) === true || this.links.has(spanId) || this.roots.has(spanId);
  }

  /**
   * Files a failing span just indexed as an orphan (its parent not arrived) and as a SERVER span that
   * may hold orphans, and gives the orphans waiting for it their parent; whether the origin is to be
   * looked for again (a span held or let go).
   */
  private noteOrphan(span: S): boolean {
    let stale = this.orphans.has(span.spanId) && this.adopt(span.spanId);
    const parent = span.parentSpanId;
    if (mayBeOrphan(span) && parent !== null && parent !== span.spanId && !this.arrived(parent)) {
      if (this.orphans === NO_TELLINGS) {
        this.orphans = new Map();
        this.orphansOf = new Map();
      }
      const waiting = this.orphans.get(parent);
      if (waiting === undefined) this.orphans.set(parent, [span]);
      else waiting.push(span);
      const ofService = this.orphansOf.get(span.service);
      if (ofService === undefined) this.orphansOf.set(span.service, new Set([span]));
      else ofService.add(span);
      const holder = orphanHolder(this.servers.get(span.service) ?? [], span);
      if (holder !== undefined && this.hold(span, holder)) stale = true;
    }
    if (span.kind !== "SERVER") return stale;
    if (this.servers === NO_TELLINGS) this.servers = new Map();
    const servers = this.servers.get(span.service);
    if (servers === undefined) this.servers.set(span.service, [span]);
    else if (servers.length < MAX_TELLINGS) servers.push(span);
    else return stale;
    for (const orphan of this.orphansOf.get(span.service) ?? []) {
      if (!holdsOrphan(span, orphan)) continue;
      const holder = this.holders.get(orphan.spanId);
      if ((holder === undefined || isOuterSpan(holder, span)) && this.hold(orphan, span)) stale = true;
    }
    return stale;
  }

  /** `orphan` counted as below `server` (instead of the span that held it); whether the origin is to be looked for again. */
  private hold(orphan: S, server: S): boolean {
    if (this.holders === NO_HOLDERS) {
      this.holders = new Map();
      this.holding = new Map();
    }
    const before = this.holders.get(orphan.spanId);
    this.holders.set(orphan.spanId, server);
    this.holding.set(server.spanId, (this.holding.get(server.spanId) ?? 0) + 1);
    const stale = this.current?.spanId === server.spanId;
    return before !== undefined ? this.letGo(before) || stale : stale;
  }

  /** One orphan fewer held by `server`; whether it holds none now (it may be where the failure started again). */
  private letGo(server: S): boolean {
    const count = (this.holding.get(server.spanId) ?? 0) - 1;
    if (count > 0) {
      this.holding.set(server.spanId, count);
      return false;
    }
    this.holding.delete(server.spanId);
    return true;
  }

  /** The orphans waiting for `parentId`, given their parent; whether the origin is to be looked for again. */
  private adopt(parentId: string): boolean {
    const waiting = this.orphans.get(parentId) ?? [];
    this.orphans.delete(parentId);
    let stale = false;
    for (const orphan of waiting) {
      this.orphansOf.get(orphan.service)?.delete(orphan);
      const holder = this.holders.get(orphan.spanId);
      if (holder === undefined) continue;
      this.holders.delete(orphan.spanId);
      if (this.letGo(holder)) stale = true;
    }
    return stale;
  }

  private earliestLeaf(): S | null {
    let best: S | null = null;
    let earliest: S | null = null;
    for (const span of (this.byId as Map<string, S>).values()) {
      if (earliest === null || isEarlierOrigin(span, earliest)) earliest = span;
      if (this.failsBelow.has(span.spanId) || this.holding.has(span.spanId)) continue;
      if (best === null || isEarlierOrigin(span, best)) best = span;
    }
    // Every failing span has one below it only in a cycle of parents: the earliest, rather than none.
    return best ?? earliest;
  }
}

/**
 * Where the failure among `failing` (a trace's failing spans, any order) started; null when none.
 * `others`: the trace's other spans, through which a failure below reaches the failing spans above.
 */
export function failureOriginOf<S extends FailingSpan>(
  failing: Iterable<S>,
  others: Iterable<{ readonly spanId: string; readonly parentSpanId: string | null }> = [],
): S | null {
  const origins = new FailureOrigins<S>();
  for (const span of failing) origins.add(span);
  for (const span of others) origins.link(span.spanId, span.parentSpanId);
  return origins.origin;
}
