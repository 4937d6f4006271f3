import type { BytesPlace } from "../domain/bytes-places.js";
import { sharedList } from "../domain/shared-lists.js";
import {
  type Attributes,
  type AttrValue,
  SPAN_KINDS,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  STATUS_CODES,
  type StatusCode,
} from "../domain/span.js";
import { type ErrorOriginSpan, TraceAggregate, type TraceLlm } from "../domain/trace-summary.js";
import { attributesHaveBoxedNumber, encodeJson } from "./sqlite-json.js";
import type { TraceRow } from "./sqlite-schema.js";

/** How the SQLite span store turns spans and trace summaries into column values and back. */

const I64_MAX = 2n ** 63n - 1n;
const KIND_CODES = new Map<SpanKind, number>(SPAN_KINDS.map((kind, index) => [kind, index]));
export const STATUS_CODE_NUMBERS = new Map<StatusCode, number>(STATUS_CODES.map((code, index) => [code, index]));

/**
 * OTLP times are unsigned 64-bit; SQLite integers are signed. Values past 2^63 (year 2262, only
 * ever garbage) are stored wrapped to negative so they still round-trip exactly.
 */
export function toStoredNs(value: bigint): bigint {
  return value > I64_MAX ? BigInt.asIntN(64, value) : value;
}

export function fromStoredNs(value: bigint): bigint {
  return value < 0n ? BigInt.asUintN(64, value) : value;
}

interface StoredEvent {
  name: string;
  timeUnixNano: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
  /** SpanEvent.bytes; absent in rows from before it. */
  bytes?: BytesPlace[];
}

/** Read back with Object.assign onto the span: a member added here needs no change to the reader. */
interface SpanExtra {
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
  /**
   * Span.bytes; absent in rows from before it (links keep theirs in the stored link objects, the
   * scope in the `scopes` row's JSON). Rows from before bytes nested in lists and maps were named
   * hold keys only, which read the same.
   */
  bytes?: BytesPlace[];
  /** Span.resourceBytes (the `resources` table keeps a resource's attributes alone); absent in rows from before it. */
  resourceBytes?: BytesPlace[];
}

/**
 * Everything of a span that no query filters on, as one JSON array in the `body` column. One text
 * value per span rather than thirteen columns: binding a parameter costs ~0.15 µs in better-sqlite3,
 * which at 18 columns was a third of the time to insert a span.
 */
export type SpanBody = [
  spanId: string,
  parentSpanId: string | null,
  name: string,
  kind: number,
  statusMessage: string | null,
  flags: number | null,
  traceState: string | null,
  /** The values of the keys listed by shape `shapeId`, in order; a plain object when it has no shape. */
  attributes: AttrValue[] | Attributes,
  events: StoredEvent[] | null,
  links: readonly SpanLink[] | null,
  extra: SpanExtra | null,
  shapeId?: number,
];

function storedEvents(events: readonly SpanEvent[]): StoredEvent[] | null {
  if (events.length === 0) return null;
  return events.map((event): StoredEvent => {
    const out: StoredEvent = {
      name: event.name,
      timeUnixNano: event.timeUnixNano.toString(),
      attributes: event.attributes,
    };
    if (event.droppedAttributesCount !== undefined) out.droppedAttributesCount = event.droppedAttributesCount;
    if (event.bytes !== undefined) out.bytes = event.bytes;
    return out;
  });
}

export function eventsFromStored(stored: StoredEvent[] | null): SpanEvent[] {
  if (stored === null) return [];
  return stored.map((event) => {
    const out: SpanEvent = { name: event.name, timeUnixNano: BigInt(event.timeUnixNano), attributes: event.attributes };
    if (event.droppedAttributesCount !== undefined) out.droppedAttributesCount = event.droppedAttributesCount;
    if (event.bytes !== undefined) out.bytes = event.bytes;
    return out;
  });
}

function spanExtra(span: Span): SpanExtra | null {
  if (
    span.droppedAttributesCount === undefined &&
    span.droppedEventsCount === undefined &&
    span.droppedLinksCount === undefined &&
    span.bytes === undefined &&
    span.resourceBytes === undefined
  ) {
    return null;
  }
  const extra: SpanExtra = {};
  if (span.droppedAttributesCount !== undefined) extra.droppedAttributesCount = span.droppedAttributesCount;
  if (span.droppedEventsCount !== undefined) extra.droppedEventsCount = span.droppedEventsCount;
  if (span.droppedLinksCount !== undefined) extra.droppedLinksCount = span.droppedLinksCount;
  if (span.bytes !== undefined) extra.bytes = span.bytes;
  if (span.resourceBytes !== undefined) extra.resourceBytes = span.resourceBytes;
  return extra;
}

/** Whether the span holds a number JSON cannot write (its body is then written with a reviver's prefix). */
function bodyHasBoxedNumber(span: Span): boolean {
  if (attributesHaveBoxedNumber(span.attributes)) return true;
  for (const event of span.events) if (attributesHaveBoxedNumber(event.attributes)) return true;
  for (const link of span.links) if (attributesHaveBoxedNumber(link.attributes)) return true;
  return false;
}

/** A body's head with a plain span id and parent id (ids are hex; any other form is read from the JSON). */
const SPAN_HEAD = /^!?\["([0-9A-Za-z]*)",(?:null|"([0-9A-Za-z]*)"),/;

/**
 * A span's id and its parent's from the head of its stored body (its first SPAN_HEAD_CHARS characters,
 * see spanOutlineOfTrace), or null when the head does not say them plainly (read the body whole then).
 */
export function idsOfBodyHead(head: string): { spanId: string; parentSpanId: string | null } | null {
  const ids = SPAN_HEAD.exec(head);
  return ids === null ? null : { spanId: ids[1] as string, parentSpanId: ids[2] ?? null };
}

/** `shapeId` null: attributes stored as an object (no shape, or too many distinct shapes seen). */
export function encodeBody(span: Span, shapeId: number | null): string {
  const boxed = bodyHasBoxedNumber(span);
  const body: SpanBody = [
    span.spanId,
    span.parentSpanId,
    span.name,
    KIND_CODES.get(span.kind) ?? 0,
    span.status.message ?? null,
    span.flags ?? null,
    span.traceState ?? null,
    shapeId === null ? span.attributes : Object.values(span.attributes),
    storedEvents(span.events),
    span.links.length === 0 ? null : span.links,
    spanExtra(span),
  ];
  if (shapeId !== null) body.push(shapeId);
  return encodeJson(body, boxed);
}

/** Bytes per slab of SpanBodyEncoder: a few hundred bodies. */
const SLAB_BYTES = 256 * 1024;

/**
 * Writes span bodies as the UTF-8 bytes of the text `encodeBody` returns, into large buffers, for the
 * span INSERT to bind (it casts them to TEXT: the stored value is the same text). JSON.stringify built
 * each ~400-character body from several growing parts that the binding then flattened and scanned again
 * for UTF-8: ~1.2 KB of young garbage and ~1.7 µs per span, a quarter of what the store allocated per
 * span. Here ASCII strings, numbers and the body's frame are copied byte by byte; anything else (an
 * escape, a character past ASCII, an object or list inside a value, events, links) is JSON.stringify's
 * text written as UTF-8. A body holding a number JSON cannot write is encodeBody's string.
 *
 * A full slab is replaced, never written again, so the bytes handed out stay valid for as long as the
 * pending rows holding them. A body larger than a slab is written apart and handed out in a buffer of
 * its own length, and the next bodies go on in the slab: grown to hold it and kept as the slab, an
 * attribute of 8 million characters left a slab of 48 MB held until some 130,000 later bodies had
 * filled it, or for good once ingest stopped.
 */
export class SpanBodyEncoder {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private pos = 0;
  /** Where the body being written starts. */
  private start = 0;
  /** While a body larger than a slab is written apart (in `slab`): the slab, and where that body began in it. */
  private shared: Buffer<ArrayBuffer> | null = null;
  private sharedPos = 0;

  encode(span: Span, shapeId: number | null): Uint8Array | string {
    if (bodyHasBoxedNumber(span)) return encodeBody(span, shapeId);
    // A body that threw while written apart: back to the slab.
    if (this.shared !== null) this.backToSlab(this.shared);
    this.start = this.pos;
    // The members of SpanBody, in order.
    this.byte(0x5b);
    this.string(span.spanId);
    this.byte(0x2c);
    this.value(span.parentSpanId);
    this.byte(0x2c);
    this.string(span.name);
    this.byte(0x2c);
    this.ascii(String(KIND_CODES.get(span.kind) ?? 0));
    this.byte(0x2c);
    this.value(span.status.message ?? null);
    this.byte(0x2c);
    this.value(span.flags ?? null);
    this.byte(0x2c);
    this.value(span.traceState ?? null);
    this.byte(0x2c);
    if (shapeId === null) this.json(span.attributes);
    else {
      // Object.values' order, which for...in keeps for an object without inherited keys.
      this.byte(0x5b);
      let first = true;
      const attributes = span.attributes;
      for (const key in attributes) {
        if (!first) this.byte(0x2c);
        first = false;
        this.value(attributes[key] as AttrValue);
      }
      this.byte(0x5d);
    }
    this.byte(0x2c);
    this.json(storedEvents(span.events));
    this.byte(0x2c);
    this.json(span.links.length === 0 ? null : span.links);
    this.byte(0x2c);
    this.json(spanExtra(span));
    if (shapeId !== null) {
      this.byte(0x2c);
      this.ascii(String(shapeId));
    }
    this.byte(0x5d);
    if (this.shared !== null) {
      // Written apart, in a buffer grown by doubling: handed out in one of its own length.
      const own = Buffer.allocUnsafeSlow(this.pos - this.start);
      this.slab.copy(own, 0, this.start, this.pos);
      this.backToSlab(this.shared);
      return own;
    }
    const bytes = this.slab.subarray(this.start, this.pos);
    this.start = this.pos;
    return bytes;
  }

  /**
   * Room for `bytes` more. A full slab is replaced by a new one, the body under way copied over; a
   * body that would not fit in a slab is written apart (in a buffer of twice its size so far, again
   * as it grows), its start in the slab left to the next body.
   */
  private room(bytes: number): void {
    if (this.pos + bytes <= this.slab.length) return;
    const written = this.pos - this.start;
    const needed = written + bytes;
    const slab = Buffer.allocUnsafe(needed <= SLAB_BYTES ? SLAB_BYTES : needed * 2);
    this.slab.copy(slab, 0, this.start, this.pos);
    if (needed > SLAB_BYTES && this.shared === null) {
      this.shared = this.slab;
      this.sharedPos = this.start;
    }
    this.slab = slab;
    this.start = 0;
    this.pos = written;
  }

  /** Ends the writing apart of a body larger than a slab: the next body starts where that one began in the slab. */
  private backToSlab(slab: Buffer<ArrayBuffer>): void {
    this.slab = slab;
    this.start = this.pos = this.sharedPos;
    this.shared = null;
  }

  private byte(value: number): void {
    this.room(1);
    this.slab[this.pos++] = value;
  }

  /** Text of ASCII characters only (a number's, a keyword's). */
  private ascii(text: string): void {
    const length = text.length;
    this.room(length);
    const slab = this.slab;
    let pos = this.pos;
    for (let i = 0; i < length; i++) slab[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  private string(text: string): void {
    const length = text.length;
    this.room(length + 2);
    const slab = this.slab;
    let pos = this.pos;
    slab[pos++] = 0x22;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      // What JSON.stringify escapes, and anything past ASCII: its text is written instead.
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) {
        this.json(text);
        return;
      }
      slab[pos++] = c;
    }
    slab[pos++] = 0x22;
    this.pos = pos;
  }

  /** `undefined` (not an AttrValue, but a JS object can hold it) is written `null`, as JSON.stringify does in a list. */
  private value(value: AttrValue | undefined): void {
    if (typeof value === "string") this.string(value);
    // Finite and not -0 (bodyHasBoxedNumber): JSON.stringify writes String(value).
    else if (typeof value === "number") this.ascii(String(value));
    else if (value === null || value === undefined) this.ascii("null");
    else if (typeof value === "boolean") this.ascii(value ? "true" : "false");
    else this.json(value);
  }

  /** A member of the body: what JSON.stringify has no text for (`undefined`) is `null`, as in encodeBody's list. */
  private json(value: unknown): void {
    const text = value === null ? undefined : JSON.stringify(value);
    if (text === undefined) {
      this.ascii("null");
      return;
    }
    // Three bytes a character at most; where that may not fit, the exact count (one pass over the text).
    if (this.pos + text.length * 3 > this.slab.length) this.room(Buffer.byteLength(text, "utf8"));
    this.pos += this.slab.write(text, this.pos, "utf8");
  }
}

export function aggregateFromRow(row: TraceRow): TraceAggregate {
  const [
    ,
    traceId,
    startNs,
    endNs,
    spanCount,
    errorCount,
    rootName,
    rootService,
    firstName,
    firstService,
    services,
    errorMessage,
    llm,
    errorException,
    errorStartNs,
    errorSpanJson,
  ] = row;
  const aggregate = new TraceAggregate(traceId);
  aggregate.setTimes(fromStoredNs(startNs), fromStoredNs(endNs));
  aggregate.spanCount = Number(spanCount);
  aggregate.errorCount = Number(errorCount);
  aggregate.rootName = rootName;
  aggregate.rootService = rootService;
  aggregate.firstName = firstName;
  aggregate.firstService = firstService;
  aggregate.services = sharedList(JSON.parse(services) as string[]);
  let span: ErrorOriginSpan | null = null;
  if (errorSpanJson !== null) {
    const [spanId, parentSpanId, kind, service, endNs] = JSON.parse(errorSpanJson) as [
      string,
      string | null,
      string,
      string,
      string,
    ];
    span = { spanId, parentSpanId, kind, service, endTimeUnixNano: BigInt(endNs) };
  }
  aggregate.restoreError(
    errorMessage,
    errorException === null || errorStartNs === null
      ? null
      : { exception: errorException === 1n, start: fromStoredNs(errorStartNs), span },
  );
  aggregate.restoreLlm(llmFromStored(llm));
  return aggregate;
}

/**
 * A trace's LLM totals as the `traces.llm` column keeps them (see migration 6):
 * `[calls, inputTokens, outputTokens, [[model, calls, input, output, cachedInput, cacheWriteInput, noUsageCalls]…], noUsageCalls]`
 * (rows written before cache writes were counted have no 6th element in a model, those written
 * before calls without usage were counted no `noUsageCalls`: 0 is read for them; those written
 * before each model counted its calls without usage no 7th: see llmFromStored).
 */
export function llmToStored(llm: TraceLlm | null): string | null {
  if (llm === null) return null;
  const models = llm.models.map((m) => [
    m.model,
    m.calls,
    m.inputTokens,
    m.outputTokens,
    m.cachedInputTokens,
    m.cacheWriteInputTokens,
    m.noUsageCalls,
  ]);
  return JSON.stringify([llm.calls, llm.inputTokens, llm.outputTokens, models, llm.noUsageCalls]);
}

type StoredModel = [string, number, number, number, number, number?, number?];

function llmFromStored(text: string | null): TraceLlm | null {
  if (text === null) return null;
  const [calls, inputTokens, outputTokens, models, noUsageCalls] = JSON.parse(text) as [
    number,
    number,
    number,
    unknown,
    unknown,
  ];
  // A row written before the totals kept their models (a 5th element, the cost then) has no model to price.
  const stored = Array.isArray(models) ? (models as StoredModel[]) : [];
  // Before, a 5th element was the count of unpriced calls (models held the cost then).
  const noUsage = Array.isArray(models) && typeof noUsageCalls === "number" ? noUsageCalls : 0;
  // A row written before each model counted its calls without usage: a lone model's are the trace's;
  // among several they are unknown, and 0 (such a call may then be said both unpriced and without usage).
  const unknownNoUsage = stored.length === 1 ? noUsage : 0;
  return {
    calls,
    inputTokens,
    outputTokens,
    noUsageCalls: noUsage,
    models: stored.map(
      ([model, modelCalls, input, output, cachedInput, cacheWriteInput = 0, modelNoUsage = unknownNoUsage]) => ({
        model,
        calls: modelCalls,
        inputTokens: input,
        outputTokens: output,
        cachedInputTokens: cachedInput,
        cacheWriteInputTokens: cacheWriteInput,
        noUsageCalls: modelNoUsage,
      }),
    ),
  };
}
