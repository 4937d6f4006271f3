/**
 * What both trace decoders (protobuf and JSON) share: the result type and the rules that turn one
 * span as read off the wire into a domain `Span` or a rejection. The decoders only read fields; every
 * validity and mapping rule lives here, so the two wire formats cannot drift apart.
 */
import { type BytesPlace, keptPlaces } from "../domain/bytes-places.js";
import { parseHexId } from "../domain/ids.js";
import {
  type Attributes,
  type InstrumentationScope,
  SPAN_KINDS,
  type Span,
  type SpanEvent,
  type SpanLink,
  type SpanStatus,
  STATUS_CODES,
  serviceNameOf,
} from "../domain/span.js";
import { MAX_EVENTS_PER_SPAN, MAX_LINKS_PER_SPAN } from "./limits.js";

export interface TraceDecodeResult {
  spans: Span[];
  /** Spans present in the request but not returned (invalid ids, malformed JSON span). */
  rejectedSpans: number;
  /** The first few rejection reasons, human-readable, for the partial-success message and logs. */
  errors: string[];
}

export const MAX_REPORTED_ERRORS = 5;

/**
 * One span as a decoder read it, before validation. Ids are hex as received ("" when absent); the
 * protobuf decoder passes the hex of the bytes, so a wrong byte count shows up as a wrong length.
 * Numbers are the raw wire integers (enum values included).
 */
export interface WireSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: WireLink[];
  droppedLinksCount: number;
  /** Attribute fields read so far (the protobuf decoder's count against the per-list bound). */
  attributeCount: number;
  /** Attributes, events and links past the per-span bounds (see ./limits.ts), added to the dropped counts. */
  attributesOverLimit: number;
  eventsOverLimit: number;
  linksOverLimit: number;
  statusCode: number;
  statusMessage: string;
  /**
   * Where the span's attributes' bytes values are, as read (the last of a repeated key decides);
   * reused from span to span, so a span without bytes allocates nothing for it.
   */
  bytesKeys: BytesPlace[];
  /** The same for the event or link being read (reused too). */
  itemBytesKeys: BytesPlace[];
}

export interface WireLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
  /** Where its attributes' bytes values are (absent when none was). */
  bytes?: BytesPlace[];
}

/**
 * A span's attributes object: a plain object (its prototype is Object.prototype, as for `{}`), made
 * by a constructor so that V8's slack tracking sizes it for the attributes spans really carry. A
 * `{}` literal has room for 4 properties and moves the rest to a separately allocated array that it
 * regrows as keys arrive: one more object per stored span for the GC to copy and trace.
 */
const SpanAttributes = function SpanAttributes(this: Attributes) {} as unknown as new () => Attributes;
SpanAttributes.prototype = Object.prototype;

export function newAttributes(): Attributes {
  return new SpanAttributes();
}

/**
 * Clears a scratch WireSpan for the next span. Decoders reuse one per request; the containers are
 * new each time because they end up in the stored Span.
 */
export function resetWireSpan(w: WireSpan): WireSpan {
  // Links are copied into new SpanLink objects by TraceBatch.add, so their array can be reused.
  w.links.length = 0;
  w.traceId = "";
  w.spanId = "";
  w.parentSpanId = "";
  w.traceState = "";
  w.flags = 0;
  w.name = "";
  w.kind = 0;
  w.startTimeUnixNano = 0n;
  w.endTimeUnixNano = 0n;
  w.attributes = newAttributes();
  w.droppedAttributesCount = 0;
  w.events = NO_EVENTS;
  w.droppedEventsCount = 0;
  w.droppedLinksCount = 0;
  w.attributeCount = 0;
  w.attributesOverLimit = 0;
  w.eventsOverLimit = 0;
  w.linksOverLimit = 0;
  w.statusCode = 0;
  w.statusMessage = "";
  if (w.bytesKeys.length !== 0) w.bytesKeys.length = 0;
  return w;
}

export function newWireSpan(): WireSpan {
  return resetWireSpan({
    links: [] as WireLink[],
    bytesKeys: [] as BytesPlace[],
    itemBytesKeys: [] as BytesPlace[],
  } as WireSpan);
}

// Most spans have no events and no links, and most statuses carry no message: those spans share
// these frozen objects instead of holding three of their own (~100 bytes and three GC-traced objects
// per stored span).
const NO_EVENTS: SpanEvent[] = Object.freeze([]) as unknown as SpanEvent[];
const NO_LINKS: readonly SpanLink[] = Object.freeze([]);
const PLAIN_STATUSES: readonly SpanStatus[] = STATUS_CODES.map((code) => Object.freeze({ code }));

/** Whether the span being read has room for another event; counts the one it has no room for. */
export function roomForEvent(w: WireSpan): boolean {
  if (w.events.length < MAX_EVENTS_PER_SPAN) return true;
  w.eventsOverLimit++;
  return false;
}

/** Whether the span being read has room for another link; counts the one it has no room for. */
export function roomForLink(w: WireSpan): boolean {
  if (w.links.length < MAX_LINKS_PER_SPAN) return true;
  w.linksOverLimit++;
  return false;
}

/** Appends an event to the span being read (its array is the shared empty one until the first event). */
export function addWireEvent(w: WireSpan, event: SpanEvent): void {
  if (w.events === NO_EVENTS) w.events = [event];
  else w.events.push(event);
}

export function newWireLink(): WireLink {
  return { traceId: "", spanId: "", traceState: "", attributes: {}, droppedAttributesCount: 0, flags: 0 };
}

export function makeEvent(
  name: string,
  timeUnixNano: bigint,
  attributes: Attributes,
  droppedAttributesCount: number,
  bytesKeys?: readonly BytesPlace[],
): SpanEvent {
  const event: SpanEvent = { name, timeUnixNano, attributes };
  if (droppedAttributesCount !== 0) event.droppedAttributesCount = droppedAttributesCount;
  const bytes = bytesKeys === undefined ? undefined : keptPlaces(bytesKeys, attributes);
  if (bytes !== undefined) event.bytes = bytes;
  return event;
}

/** `bytes`: where the attributes' bytes values are, as read (see BytesPlace). */
export function makeScope(
  name: string,
  version: string,
  attributes: Attributes,
  bytes: readonly BytesPlace[] = [],
): InstrumentationScope {
  const scope: InstrumentationScope = { name, version };
  if (Object.keys(attributes).length !== 0) scope.attributes = attributes;
  const kept = keptPlaces(bytes, attributes);
  if (kept !== undefined) scope.bytes = kept;
  return scope;
}

/**
 * What the spans of one ScopeSpans have in common. `resource` and `scope` are stored by reference in
 * every span of the group, which keeps memory per span down.
 */
export interface SpanGroup {
  resource: Attributes;
  /** Where the resource's bytes values are (Span.resourceBytes). */
  resourceBytes: BytesPlace[] | undefined;
  service: string;
  scope: InstrumentationScope;
  /** Where the group sits in the request, for rejection reasons. */
  path: string;
}

export function spanGroup(
  resource: Attributes,
  scope: InstrumentationScope,
  resourceIndex: number,
  scopeIndex: number,
  resourceBytes?: BytesPlace[],
): SpanGroup {
  return {
    resource,
    resourceBytes,
    service: serviceNameOf(resource),
    scope,
    path: `resourceSpans[${resourceIndex}].scopeSpans[${scopeIndex}]`,
  };
}

/** Accumulates one request's accepted spans and rejections. */
export class TraceBatch {
  readonly spans: Span[] = [];
  rejectedSpans = 0;
  readonly errors: string[] = [];

  /**
   * @param hexIds the decoder's ids are already lower-case hex (the protobuf decoder hexes bytes), so
   * only their length and all-zero checks remain.
   */
  constructor(private readonly hexIds = false) {}

  /** Counts span `index` of `group` as rejected; keeps the reason while few have been kept. */
  reject(group: SpanGroup, index: number, reason: string): void {
    this.rejectedSpans++;
    if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push(`${group.path}.spans[${index}]: ${reason}`);
  }

  /** Validates a wire span and stores it, or counts it as rejected with the reason. */
  add(w: WireSpan, group: SpanGroup, index: number): void {
    const traceId = this.hexIds ? checkHexId(w.traceId, 32) : parseHexId(w.traceId, 32);
    if (traceId === null) {
      this.reject(group, index, badId("trace id", w.traceId, 32));
      return;
    }
    const spanId = this.hexIds ? checkHexId(w.spanId, 16) : parseHexId(w.spanId, 16);
    if (spanId === null) {
      this.reject(group, index, badId("span id", w.spanId, 16));
      return;
    }
    let parentSpanId: string | null = null;
    // Empty and all-zero parents both mean "root": some SDKs send 8 zero bytes rather than nothing.
    if (w.parentSpanId !== "" && !isZeroId(w.parentSpanId, 16)) {
      parentSpanId = this.hexIds ? checkHexId(w.parentSpanId, 16) : parseHexId(w.parentSpanId, 16);
      if (parentSpanId === null) {
        this.reject(group, index, badId("parent span id", w.parentSpanId, 16));
        return;
      }
    }

    let status: SpanStatus;
    if (w.statusMessage === "") {
      status = PLAIN_STATUSES[w.statusCode] ?? (PLAIN_STATUSES[0] as SpanStatus);
    } else {
      status = { code: STATUS_CODES[w.statusCode] ?? "UNSET", message: w.statusMessage };
    }

    let links = NO_LINKS;
    let droppedLinksCount = w.droppedLinksCount + w.linksOverLimit;
    if (w.links.length !== 0) {
      const built = buildLinks(w.links);
      links = built;
      // A link to an unusable id is dropped alone, and counted like the links the SDK dropped.
      droppedLinksCount += w.links.length - built.length;
    }

    const span: Span = {
      traceId,
      spanId,
      parentSpanId,
      name: w.name,
      kind: SPAN_KINDS[w.kind] ?? "UNSPECIFIED",
      service: group.service,
      startTimeUnixNano: w.startTimeUnixNano,
      endTimeUnixNano: w.endTimeUnixNano,
      status,
      attributes: w.attributes,
      events: w.events,
      links,
      resource: group.resource,
      scope: group.scope,
    };
    if (w.traceState !== "") span.traceState = w.traceState;
    if (w.flags !== 0) span.flags = w.flags;
    const droppedAttributesCount = w.droppedAttributesCount + w.attributesOverLimit;
    if (droppedAttributesCount !== 0) span.droppedAttributesCount = droppedAttributesCount;
    const droppedEventsCount = w.droppedEventsCount + w.eventsOverLimit;
    if (droppedEventsCount !== 0) span.droppedEventsCount = droppedEventsCount;
    if (droppedLinksCount !== 0) span.droppedLinksCount = droppedLinksCount;
    if (w.bytesKeys.length !== 0) {
      const bytes = keptPlaces(w.bytesKeys, w.attributes);
      if (bytes !== undefined) span.bytes = bytes;
    }
    if (group.resourceBytes !== undefined) span.resourceBytes = group.resourceBytes;
    this.spans.push(span);
  }

  result(): TraceDecodeResult {
    return { spans: this.spans, rejectedSpans: this.rejectedSpans, errors: this.errors };
  }
}

function buildLinks(wire: WireLink[]): SpanLink[] {
  const links: SpanLink[] = [];
  for (const l of wire) {
    const traceId = parseHexId(l.traceId, 32);
    const spanId = parseHexId(l.spanId, 16);
    if (traceId === null || spanId === null) continue;
    const link: SpanLink = { traceId, spanId, attributes: l.attributes };
    if (l.traceState !== "") link.traceState = l.traceState;
    if (l.droppedAttributesCount !== 0) link.droppedAttributesCount = l.droppedAttributesCount;
    if (l.flags !== 0) link.flags = l.flags;
    const bytes = l.bytes === undefined ? undefined : keptPlaces(l.bytes, l.attributes);
    if (bytes !== undefined) link.bytes = bytes;
    links.push(link);
  }
  return links;
}

/** `raw` when it is already lower-case hex of the right length and not all zero, else null. */
export function checkHexId(raw: string, length: number): string | null {
  return raw.length === length && !isZeroId(raw, length) ? raw : null;
}

export function isZeroId(raw: string, length: number): boolean {
  if (raw.length !== length) return false;
  for (let i = 0; i < length; i++) if (raw.charCodeAt(i) !== 0x30) return false;
  return true;
}

export function badId(what: string, raw: string, length: number): string {
  if (raw === "") return `${what} is missing`;
  if (isZeroId(raw, length)) return `${what} is all zero`;
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return `${what} "${shown}" is not ${length} hex digits (${length / 2} bytes)`;
}
