/**
 * A trace's spans packed into bytes outside the JavaScript heap, and read back as equal Span objects.
 * As objects, a span costs ~600 bytes of heap (the span, its attributes object, its own id and time
 * values, a share of the arrays around it) and the garbage collector walks every one of them; packed,
 * an SDK span takes ~70 bytes in a large buffer the collector never walks. The memory store keeps
 * the traces still taking spans as objects and packs the quiet ones (see memory-store.ts).
 *
 * Layout of one packed trace: a string table (every distinct string of the trace once, in UTF-8,
 * referred to by number), then the spans in order. Strings that recur across traces (attribute keys,
 * span, event and scope names, services, resource values, and attribute values once a second trace
 * holds them) are numbered once for the whole store instead (SharedStrings), so a trace does not
 * carry its own copy of each. Ids that are lower-case hex of the usual length
 * are kept as their bytes; a parent that is a span of the same trace is kept as that span's number;
 * times are nanoseconds relative to the trace's first start (the duration for an end); the
 * resources and scopes of the trace are written once each and shared again when read back. Numbers
 * are LEB128 varints (zigzag where they can be negative). Pure; the buffers are the packer's own.
 */
import { type BytesPlace, INT_MARK, type ValueStep } from "../domain/bytes-places.js";
import { parseHexId } from "../domain/ids.js";
import { calledPeerOf, mayNameCallee, type Peer } from "../domain/service-map.js";
import {
  type Attributes,
  type AttrValue,
  type InstrumentationScope,
  SPAN_KINDS,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  type SpanStatus,
  STATUS_CODES,
  type StatusCode,
  setAttribute,
} from "../domain/span.js";
import type { CallingSpan, PeeredSpans } from "../domain/trace-calls.js";

/** Where one trace's bytes begin: in a shared slab (or a buffer of its own when large). What reading them needs. */
export interface PackedPlace {
  readonly bytes: Buffer;
  readonly offset: number;
}

/** Where one trace's bytes are, and how many. */
export interface PackedTrace extends PackedPlace {
  readonly length: number;
}

export interface SpanPacker {
  /**
   * Packs spans that all share one trace id, in the order given; null when the bytes could not give
   * them back exactly (a string with a lone surrogate): then they stay objects.
   */
  pack(spans: readonly Span[]): PackedTrace | null;
  unpack(packed: PackedPlace): Span[];
  /**
   * What the call rule reads of the trace's spans (domain/trace-calls.ts), with what each says it
   * calls (calledPeerOf), read straight from the bytes: no span's name, resource, events or links,
   * and the attributes only of spans that may name what they call (mayNameCallee; others get none),
   * their times only when one calls an LLM (only then read: llm-transport.ts; else 0). Ids stand for
   * the spans (equal where theirs are), not always their text.
   */
  unpackCalls(packed: PackedPlace): PeeredSpans;
  /**
   * Of these traces (`packedOf` gives each one's bytes, or null for one that is not packed), those
   * whose bytes may hold a span with this id: every one that does, and rarely another (the id's
   * bytes elsewhere, a parent's id say): read each back to be sure. Each buffer the traces share is
   * searched once, not each trace, and on from a trace's end once a hit names it (bytes as common as
   * an id's may be in every trace): no index of span ids is kept.
   */
  tracesWithSpanId<T>(traces: Iterable<T>, packedOf: (trace: T) => PackedPlace | null, spanId: string): Set<T>;
  /**
   * Drops the slab being filled and the call shapes unpackCalls keeps (the store was cleared); packed
   * traces stay readable, so the shared strings stay.
   */
  reset(): void;
}

/** Packed traces are appended to slabs this large; one slab is freed once no trace refers to it. */
const SLAB_BYTES = 1 << 20;
/** A trace packed larger than this gets a buffer of its own instead of most of a slab. */
const OWN_BUFFER_BYTES = SLAB_BYTES >> 2;

const KIND_NUMBERS = new Map<SpanKind, number>(SPAN_KINDS.map((kind, index) => [kind, index]));
const STATUS_NUMBERS = new Map<StatusCode, number>(STATUS_CODES.map((code, index) => [code, index]));
/** Statuses without a message, shared by every span read back (spans are read-only, as decoders make them). */
const PLAIN_STATUSES: readonly SpanStatus[] = STATUS_CODES.map((code) => Object.freeze({ code }));
const NO_EVENTS: readonly SpanEvent[] = Object.freeze([]);
const NO_LINKS: readonly SpanLink[] = Object.freeze([]);

/** Whether an id is kept as bytes: lower-case hex of its usual length, not all zero (as decoders keep ids). */
function isHexId(id: string, length: number): boolean {
  return parseHexId(id, length) === id;
}

/** Each lower-case hex digit's value by character code; -1 for every other character. */
const HEX_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUES["0123456789abcdef".charCodeAt(i)] = i;

/**
 * Writes `id`'s bytes at `at` when it is kept as bytes (isHexId): true then. One pass in JavaScript,
 * which both checks and converts; Buffer.write's "hex" crosses into C++ for each id.
 */
function hexIdBytes(id: string, length: number, out: Uint8Array, at: number): boolean {
  if (id.length !== length) return false;
  let any = 0;
  for (let i = 0; i < length; i += 2) {
    const hi = id.charCodeAt(i);
    const lo = id.charCodeAt(i + 1);
    const high = hi < 128 ? (HEX_VALUES[hi] as number) : -1;
    const low = lo < 128 ? (HEX_VALUES[lo] as number) : -1;
    if (high < 0 || low < 0) return false;
    const byte = (high << 4) | low;
    out[at + (i >> 1)] = byte;
    any |= byte;
  }
  return any !== 0;
}

// Trace header flags.
const RAW_IDS = 1;

// Span head byte: kind (bits 0-2), status code (3-4), parent form (5-6), extras follow (7).
const PARENT_NONE = 0;
const PARENT_INDEX = 1;
const PARENT_RAW = 2;
const PARENT_TEXT = 3;
const HAS_EXTRAS = 0x80;

// Extras bit set.
const X_STATUS_MESSAGE = 1;
const X_TRACE_STATE = 2;
const X_FLAGS = 4;
const X_DROPPED_ATTRIBUTES = 8;
const X_DROPPED_EVENTS = 16;
const X_DROPPED_LINKS = 32;
const X_EVENTS = 64;
const X_LINKS = 128;
/** INT_MARK as TraceWriter.places writes it: even, so no index (odd) or key (0). */
const PACKED_INT_MARK = 2;

/** Span.bytes follows (a count, then the places: see TraceWriter.places). */
const X_BYTES = 256;
/** Each event and link is followed by its `bytes` (a count, 0 when absent, then the places). */
const X_ITEM_BYTES = 512;
/** Span.resourceBytes follows (as Span.bytes). */
const X_RESOURCE_BYTES = 1024;

// A scope's attributes marker: none, its attributes follow, or its attributes and then its `bytes`.
const SCOPE_ATTRIBUTES = 1;
const SCOPE_ATTRIBUTES_AND_BYTES = 2;

// Attribute value tags.
const V_NULL = 0;
const V_FALSE = 1;
const V_TRUE = 2;
const V_STRING = 3;
const V_INT = 4;
const V_DOUBLE = 5;
const V_ARRAY = 6;
const V_OBJECT = 7;

/** A trace of up to this many spans finds a parent by scanning them: cheaper than a Map of their ids. */
const SCAN_SPANS = 32;

/** Relative times up to this size are varints; larger ones (garbage times) are written whole. */
const SMALL_DELTA = 2 ** 50;
const FAR_TIME = 1;

/** Strings numbered for every trace of a store: at most this many, each at most SHARED_LENGTH long. */
const SHARED_CAPACITY = 1 << 16;
const SHARED_LENGTH = 256;
/** Attribute values remembered while they wait for a second trace (see SharedStrings.seen). */
const SEEN_CAPACITY = 1 << 15;

/**
 * Strings that recur across traces, each numbered once. Entries are never dropped (a packed trace may
 * refer to any of them); once full, new strings go to each trace's own table, as they did before.
 */
class SharedStrings {
  readonly list: string[] = [];
  private readonly numbers = new Map<string, number>();
  /**
   * Attribute values met in one trace so far, with that trace's serial number: a value is shared once
   * a second trace holds it. Values of one trace only (ids, a URL with an id in it) stay in their
   * trace's table and never fill the shared one. Forgotten whole when it reaches SEEN_CAPACITY.
   */
  private seen = new Map<string, number>();

  /** The string's number, or -1 when it is too long or the table is full. */
  numberOf(text: string): number {
    return this.known(text) ?? this.add(text);
  }

  /** An attribute value's number once a second trace (`trace`, a serial) holds it; else -1. */
  recurringNumberOf(text: string, trace: number): number {
    const known = this.known(text);
    if (known !== undefined) return known;
    const first = this.seen.get(text);
    if (first === undefined) {
      if (this.seen.size >= SEEN_CAPACITY) this.seen = new Map();
      this.seen.set(text, trace);
      return -1;
    }
    if (first === trace) return -1;
    this.seen.delete(text);
    return this.add(text);
  }

  /** The string's number; -1 when it cannot be shared (too long, or the table is full); undefined when it can be added. */
  private known(text: string): number | undefined {
    const number = this.numbers.get(text);
    if (number !== undefined) return number;
    if (text.length > SHARED_LENGTH || this.list.length >= SHARED_CAPACITY) return -1;
    return undefined;
  }

  private add(text: string): number {
    this.numbers.set(text, this.list.length);
    this.list.push(text);
    return this.list.length - 1;
  }
}

/** A growable byte buffer with the writes the layout needs. */
class ByteWriter {
  buf = Buffer.allocUnsafe(16_384);
  pos = 0;

  room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(value: number): void {
    this.room(1);
    this.buf[this.pos++] = value;
  }

  /** A non-negative integer up to 2^53. */
  uint(value: number): void {
    this.room(8);
    const buf = this.buf;
    let pos = this.pos;
    if (value <= 0x7fffffff) {
      // Most numbers: 32-bit shifts, not the division the larger ones need.
      while (value >= 0x80) {
        buf[pos++] = (value & 0x7f) | 0x80;
        value >>>= 7;
      }
    } else {
      while (value >= 0x80) {
        buf[pos++] = (value % 0x80) | 0x80;
        value = Math.floor(value / 0x80);
      }
    }
    buf[pos++] = value;
    this.pos = pos;
  }

  /** A byte, where `room` was made for it already. */
  putByte(value: number): void {
    this.buf[this.pos++] = value;
  }

  /** A non-negative integer below 2^21 (at most 3 bytes), where `room` was made for it already. */
  putSmall(value: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (value >= 0x80) {
      buf[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[pos++] = value;
    this.pos = pos;
  }

  /** An integer with |value| < 2^52. */
  int(value: number): void {
    this.uint(value < 0 ? -2 * value - 1 : 2 * value);
  }

  f64(value: number): void {
    this.room(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** An id that isHexId(id, 2 * bytes) accepts, as its bytes. */
  hex(id: string, bytes: number): void {
    this.room(bytes);
    hexIdBytes(id, 2 * bytes, this.buf, this.pos);
    this.pos += bytes;
  }

  /** `bytes` bytes of `from` starting at `at`. */
  copy(from: Uint8Array, at: number, bytes: number): void {
    this.room(bytes);
    const buf = this.buf;
    const pos = this.pos;
    for (let i = 0; i < bytes; i++) buf[pos + i] = from[at + i] as number;
    this.pos = pos + bytes;
  }

  u64(value: bigint): void {
    this.room(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, value), this.pos);
    this.pos += 8;
  }

  utf8(text: string): void {
    if (text.length < 43) {
      // At most 126 bytes: a one-byte length, written after the text.
      this.room(1 + 3 * text.length);
      const length = this.buf.utf8Write(text, this.pos + 1);
      this.buf[this.pos] = length;
      this.pos += 1 + length;
      return;
    }
    const length = Buffer.byteLength(text, "utf8");
    this.uint(length);
    this.room(length);
    this.pos += this.buf.utf8Write(text, this.pos, length);
  }
}

/** Reads what ByteWriter wrote; `strings` is the trace's table once read. */
class ByteReader {
  pos: number;
  strings: string[] = [];

  constructor(
    readonly buf: Buffer,
    offset: number,
    private readonly shared: readonly string[],
  ) {
    this.pos = offset;
  }

  u8(): number {
    return this.buf[this.pos++] as number;
  }

  uint(): number {
    const buf = this.buf;
    let byte = buf[this.pos++] as number;
    if (byte < 0x80) return byte;
    let value = byte & 0x7f;
    let scale = 0x80;
    do {
      byte = buf[this.pos++] as number;
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte >= 0x80);
    return value;
  }

  int(): number {
    const zigzag = this.uint();
    return zigzag % 2 === 1 ? -(zigzag + 1) / 2 : zigzag / 2;
  }

  f64(): number {
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  hex(bytes: number): string {
    const text = this.buf.hexSlice(this.pos, this.pos + bytes);
    this.pos += bytes;
    return text;
  }

  u64(): bigint {
    const value = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return value;
  }

  utf8(): string {
    const length = this.uint();
    const text = this.buf.utf8Slice(this.pos, this.pos + length);
    this.pos += length;
    return text;
  }

  /** A string by its number: even numbers are the trace's own table, odd ones the shared one. */
  string(): string {
    const number = this.uint();
    return (number % 2 === 0 ? this.strings[number / 2] : this.shared[(number - 1) / 2]) as string;
  }
}

declare global {
  interface Buffer {
    utf8Write(text: string, offset: number, length?: number): number;
    utf8Slice(start: number, end: number): string;
    hexSlice(start: number, end: number): string;
  }
}

/** A lone surrogate (JSON can carry one, `\ud800`): UTF-8 cannot, it would come back as U+FFFD. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Items numbered in the order first met (a trace's own strings, resources and scopes): a short list
 * scanned, a Map past it. Most traces have a few of each, and a Map per trace cost its allocation
 * (Map.clear makes a new table) as well as its lookups.
 */
class Numbered<T> {
  private items: T[] = [];
  private map: Map<T, number> | null = null;

  get size(): number {
    return this.items.length;
  }

  /** The item's number, or -1. */
  get(item: T): number {
    if (this.map !== null) return this.map.get(item) ?? -1;
    return this.items.indexOf(item);
  }

  /** Numbers an item not yet met. */
  add(item: T): void {
    if (this.map !== null) this.map.set(item, this.items.length);
    else if (this.items.length === SCAN_ITEMS) {
      this.map = new Map();
      for (let i = 0; i < this.items.length; i++) this.map.set(this.items[i] as T, i);
      this.map.set(item, this.items.length);
    }
    this.items.push(item);
  }

  clear(): void {
    if (this.items.length > 0) this.items.length = 0;
    this.map = null;
  }
}

/**
 * The bytes written for the last few resources (or scopes) whose every string is shared: they do not
 * depend on the trace, and the traces of one request share their resource and scope objects, which
 * are read-only, as every span's values are. Found by identity.
 */
class WrittenObjects<T extends object> {
  private readonly objects: (T | null)[] = new Array(WRITTEN_OBJECTS).fill(null);
  private readonly bytes: Uint8Array[] = new Array(WRITTEN_OBJECTS).fill(new Uint8Array(0));
  private next = 0;

  /** Writes the bytes remembered for `item` to `writer`; false when none are. */
  copy(item: T, writer: ByteWriter): boolean {
    const i = this.objects.indexOf(item);
    if (i < 0) return false;
    const bytes = this.bytes[i] as Uint8Array;
    writer.copy(bytes, 0, bytes.length);
    return true;
  }

  remember(item: T, bytes: Uint8Array): void {
    this.objects[this.next] = item;
    this.bytes[this.next] = new Uint8Array(bytes); // a copy (a Buffer's slice would be a view)
    this.next = (this.next + 1) % WRITTEN_OBJECTS;
  }
}

/** Resources (and scopes) whose bytes are remembered: more than one request's worth. */
const WRITTEN_OBJECTS = 32;

/** Up to this many items (see Numbered) are found by scanning them. */
const SCAN_ITEMS = 16;

/** Writes one trace: strings go to the table as they are first met, everything else to the body. */
class TraceWriter {
  readonly table = new ByteWriter();
  readonly body = new ByteWriter();
  private readonly stringNumbers = new Numbered<string>();
  /** The trace's spans, and their numbers by id once the trace is too large to scan (see spanNumber). */
  private spans: readonly Span[] = [];
  private readonly spanNumbers = new Map<string, number>();
  private readonly resources = new Numbered<Attributes>();
  private readonly scopes = new Numbered<InstrumentationScope>();
  /** The span ids' bytes, 8 a span, when the trace keeps ids as bytes (see write). */
  private spanIdBytes = new Uint8Array(8 * 64);
  /**
   * Span attributes' keys and string values by position, with their shared numbers: spans of one
   * kind list the same keys, often with the same values, so most attributes are found here instead
   * of in the shared table's Map. A shared number never changes, so one remembered stays right.
   */
  private readonly keysAt: string[] = [];
  private readonly keyNumbersAt: number[] = [];
  private readonly valuesAt: string[] = [];
  private readonly valueNumbersAt: number[] = [];
  private base = 0n;
  /** Serial number of the trace being written. */
  private trace = 0;
  /** Strings written to the trace's own table so far (counts every write, see resource). */
  private ownStrings = 0;
  /** The bytes of resources and scopes met lately, for the next traces that hold them (see WrittenObjects). */
  private readonly writtenResources = new WrittenObjects<Attributes>();
  private readonly writtenScopes = new WrittenObjects<InstrumentationScope>();
  /** Set when a string of the trace's own table holds a lone surrogate: the trace cannot be packed. */
  private unpackable = false;
  /** Whether some trace was written with its span ids as text (see tracesWithSpanId). */
  textIds = false;

  constructor(private readonly shared: SharedStrings) {}

  /** Writes the trace; returns the number of strings in its table, or -1 when it cannot be packed (see `unpackable`). */
  write(spans: readonly Span[]): number {
    this.table.pos = 0;
    this.body.pos = 0;
    this.unpackable = false;
    this.stringNumbers.clear();
    // Map.clear makes a new table: cleared only when used since.
    if (this.spanNumbers.size > 0) this.spanNumbers.clear();
    this.resources.clear();
    this.scopes.clear();
    this.trace++;
    const first = spans[0] as Span;
    if (this.spanIdBytes.length < 8 * spans.length) this.spanIdBytes = new Uint8Array(8 * spans.length);
    const idBytes = this.spanIdBytes;
    let rawIds = isHexId(first.traceId, 32);
    for (let i = 0; i < spans.length && rawIds; i++) rawIds = hexIdBytes((spans[i] as Span).spanId, 16, idBytes, 8 * i);
    this.spans = spans;
    if (spans.length > SCAN_SPANS)
      for (let i = 0; i < spans.length; i++) this.spanNumbers.set((spans[i] as Span).spanId, i);
    this.base = first.startTimeUnixNano;
    const body = this.body;
    if (!rawIds) this.textIds = true;
    body.u8(rawIds ? RAW_IDS : 0);
    body.uint(spans.length);
    body.u64(this.base);
    this.string(first.traceId);
    for (let i = 0; i < spans.length; i++) this.span(spans[i] as Span, rawIds ? 8 * i : -1);
    this.spans = [];
    return this.unpackable ? -1 : this.stringNumbers.size;
  }

  /** The number of the trace's span with this id. */
  private spanNumber(id: string): number | undefined {
    const spans = this.spans;
    if (spans.length > SCAN_SPANS) return this.spanNumbers.get(id);
    for (let i = 0; i < spans.length; i++) if ((spans[i] as Span).spanId === id) return i;
    return undefined;
  }

  /** A string of this trace's own table. */
  private string(text: string): void {
    this.ownStrings++;
    let number = this.stringNumbers.get(text);
    if (number < 0) {
      number = this.stringNumbers.size;
      this.stringNumbers.add(text);
      this.table.utf8(text);
      if (LONE_SURROGATE.test(text)) this.unpackable = true;
    }
    this.body.uint(number * 2);
  }

  /** A string that recurs across traces: from the shared table while it has room. */
  private common(text: string): void {
    const number = this.shared.numberOf(text);
    if (number < 0) this.string(text);
    else this.body.uint(number * 2 + 1);
  }

  /** An attribute value: from the shared table once other traces hold it too, else the trace's own. */
  private recurring(text: string): void {
    const number = this.shared.recurringNumberOf(text, this.trace);
    if (number < 0) this.string(text);
    else this.body.uint(number * 2 + 1);
  }

  /** A time relative to `from`. */
  private time(value: bigint, from: bigint): void {
    const delta = Number(value - from);
    if (delta < SMALL_DELTA && delta > -SMALL_DELTA) {
      this.body.int(delta * 2);
    } else {
      this.body.uint(FAR_TIME);
      this.body.u64(value);
    }
  }

  /** `idAt`: where the span id's bytes are in spanIdBytes when the trace keeps ids as bytes, else -1. */
  private span(span: Span, idAt: number): void {
    const rawIds = idAt >= 0;
    const body = this.body;
    const parent = span.parentSpanId;
    const parentNumber = parent === null ? undefined : this.spanNumber(parent);
    const parentForm =
      parent === null
        ? PARENT_NONE
        : parentNumber !== undefined
          ? PARENT_INDEX
          : rawIds && isHexId(parent, 16)
            ? PARENT_RAW
            : PARENT_TEXT;
    let extras = 0;
    if (span.status.message !== undefined) extras |= X_STATUS_MESSAGE;
    if (span.traceState !== undefined) extras |= X_TRACE_STATE;
    if (span.flags !== undefined) extras |= X_FLAGS;
    if (span.droppedAttributesCount !== undefined) extras |= X_DROPPED_ATTRIBUTES;
    if (span.droppedEventsCount !== undefined) extras |= X_DROPPED_EVENTS;
    if (span.droppedLinksCount !== undefined) extras |= X_DROPPED_LINKS;
    if (span.events.length > 0) extras |= X_EVENTS;
    if (span.links.length > 0) extras |= X_LINKS;
    if (span.bytes !== undefined) extras |= X_BYTES;
    if (span.resourceBytes !== undefined) extras |= X_RESOURCE_BYTES;
    if ((extras & (X_EVENTS | X_LINKS)) !== 0 && itemsHaveBytes(span)) extras |= X_ITEM_BYTES;
    body.u8(
      (KIND_NUMBERS.get(span.kind) as number) |
        ((STATUS_NUMBERS.get(span.status.code) as number) << 3) |
        (parentForm << 5) |
        (extras === 0 ? 0 : HAS_EXTRAS),
    );
    if (rawIds) body.copy(this.spanIdBytes, idAt, 8);
    else this.string(span.spanId);
    if (parentForm === PARENT_INDEX) body.uint(parentNumber as number);
    else if (parentForm === PARENT_RAW) body.hex(parent as string, 8);
    else if (parentForm === PARENT_TEXT) this.string(parent as string);
    this.common(span.name);
    this.common(span.service);
    this.resource(span.resource);
    this.scope(span.scope);
    this.time(span.startTimeUnixNano, this.base);
    this.time(span.endTimeUnixNano, span.startTimeUnixNano);
    this.spanAttributes(span.attributes);
    if (extras === 0) return;
    body.uint(extras);
    if (extras & X_STATUS_MESSAGE) this.string(span.status.message as string);
    if (extras & X_TRACE_STATE) this.string(span.traceState as string);
    if (extras & X_FLAGS) body.uint(span.flags as number);
    if (extras & X_DROPPED_ATTRIBUTES) body.uint(span.droppedAttributesCount as number);
    if (extras & X_DROPPED_EVENTS) body.uint(span.droppedEventsCount as number);
    if (extras & X_DROPPED_LINKS) body.uint(span.droppedLinksCount as number);
    if (extras & X_BYTES) this.places(span.bytes);
    if (extras & X_RESOURCE_BYTES) this.places(span.resourceBytes);
    if (extras & X_EVENTS) {
      body.uint(span.events.length);
      for (const event of span.events) {
        this.common(event.name);
        this.time(event.timeUnixNano, span.startTimeUnixNano);
        this.attributes(event.attributes);
        this.optionalCount(event.droppedAttributesCount);
        if (extras & X_ITEM_BYTES) this.places(event.bytes);
      }
    }
    if (extras & X_LINKS) {
      body.uint(span.links.length);
      for (const link of span.links) {
        this.string(link.traceId);
        this.string(link.spanId);
        if (link.traceState === undefined) body.uint(0);
        else {
          body.uint(1);
          this.string(link.traceState);
        }
        this.attributes(link.attributes);
        this.optionalCount(link.droppedAttributesCount);
        this.optionalCount(link.flags);
        if (extras & X_ITEM_BYTES) this.places(link.bytes);
      }
    }
  }

  /**
   * A `bytes` marker (see BytesPlace): its length (0 when absent), then each place: 0 and the key, or
   * its number of steps and each step (an index i as 2i + 1, a key as 0 and the key, INT_MARK as 2).
   */
  private places(places: readonly BytesPlace[] | undefined): void {
    const body = this.body;
    body.uint(places === undefined ? 0 : places.length);
    if (places === undefined) return;
    for (const place of places) {
      if (typeof place === "string") {
        body.uint(0);
        this.common(place);
        continue;
      }
      body.uint(place.length);
      for (const step of place) {
        if (step === INT_MARK) body.uint(PACKED_INT_MARK);
        else if (typeof step === "number") body.uint(step * 2 + 1);
        else {
          body.uint(0);
          this.common(step);
        }
      }
    }
  }

  /** 0 when absent, else the count + 1. */
  private optionalCount(value: number | undefined): void {
    this.body.uint(value === undefined ? 0 : value + 1);
  }

  /** Writes the trace's number for a shared object; true the first time it is met (its contents follow). */
  private firstMet<T extends object>(numbers: Numbered<T>, item: T): boolean {
    const number = numbers.get(item);
    this.body.uint(number < 0 ? numbers.size : number);
    if (number >= 0) return false;
    numbers.add(item);
    return true;
  }

  private resource(resource: Attributes): void {
    if (!this.firstMet(this.resources, resource) || this.writtenResources.copy(resource, this.body)) return;
    const at = this.body.pos;
    const own = this.ownStrings;
    this.attributes(resource, true);
    if (this.ownStrings === own) this.writtenResources.remember(resource, this.body.buf.subarray(at, this.body.pos));
  }

  private scope(scope: InstrumentationScope): void {
    if (!this.firstMet(this.scopes, scope) || this.writtenScopes.copy(scope, this.body)) return;
    const at = this.body.pos;
    const own = this.ownStrings;
    this.common(scope.name);
    this.common(scope.version);
    if (scope.attributes === undefined) this.body.uint(0);
    else {
      this.body.uint(scope.bytes === undefined ? SCOPE_ATTRIBUTES : SCOPE_ATTRIBUTES_AND_BYTES);
      this.attributes(scope.attributes, true);
      if (scope.bytes !== undefined) this.places(scope.bytes);
    }
    if (this.ownStrings === own) this.writtenScopes.remember(scope, this.body.buf.subarray(at, this.body.pos));
  }

  /** A span's own attributes, written as `attributes` writes them, finding shared numbers by position first. */
  private spanAttributes(attributes: Attributes): void {
    let count = 0;
    for (const _ in attributes) count++;
    const body = this.body;
    body.uint(count);
    const keysAt = this.keysAt;
    const valuesAt = this.valuesAt;
    let i = 0;
    for (const key in attributes) {
      // Room for a remembered key's number, the tag and a remembered value's number (shared numbers
      // are below 2^16, so each takes 3 bytes at most): the common case checks once.
      body.room(8);
      if (keysAt[i] === key) {
        body.putSmall((this.keyNumbersAt[i] as number) * 2 + 1);
      } else {
        const number = this.shared.numberOf(key);
        if (number < 0) this.string(key);
        else {
          body.uint(number * 2 + 1);
          keysAt[i] = key;
          this.keyNumbersAt[i] = number;
        }
        body.room(4);
      }
      const value = attributes[key] as AttrValue;
      if (typeof value !== "string") this.value(value, false);
      else if (valuesAt[i] === value) {
        body.putByte(V_STRING);
        body.putSmall((this.valueNumbersAt[i] as number) * 2 + 1);
      } else {
        body.u8(V_STRING);
        const number = this.shared.recurringNumberOf(value, this.trace);
        if (number < 0) this.string(value);
        else {
          body.uint(number * 2 + 1);
          valuesAt[i] = value;
          this.valueNumbersAt[i] = number;
        }
      }
      i++;
    }
  }

  /** Keys are shared; values too when `sharedValues` (a resource's or a scope's, which recur). */
  private attributes(attributes: Attributes, sharedValues = false): void {
    // Counted, then written, by for…in (attributes have no inherited enumerable keys): Object.keys
    // would make an array per span.
    let count = 0;
    for (const _ in attributes) count++;
    this.body.uint(count);
    for (const key in attributes) {
      this.common(key);
      this.value(attributes[key] as AttrValue, sharedValues);
    }
  }

  private value(value: AttrValue, shared: boolean): void {
    const body = this.body;
    if (typeof value === "string") {
      body.u8(V_STRING);
      if (shared) this.common(value);
      else this.recurring(value);
    } else if (typeof value === "number") {
      if (Number.isInteger(value) && value < SMALL_DELTA && value > -SMALL_DELTA && !Object.is(value, -0)) {
        body.u8(V_INT);
        body.int(value);
      } else {
        body.u8(V_DOUBLE);
        body.f64(value);
      }
    } else if (typeof value === "boolean") {
      body.u8(value ? V_TRUE : V_FALSE);
    } else if (value === null) {
      body.u8(V_NULL);
    } else if (Array.isArray(value)) {
      body.u8(V_ARRAY);
      body.uint(value.length);
      for (const item of value) this.value(item, shared);
    } else {
      body.u8(V_OBJECT);
      this.attributes(value, shared);
    }
  }
}

/** Whether an event or a link of the span has a `bytes` marker. */
function itemsHaveBytes(span: Span): boolean {
  for (const event of span.events) if (event.bytes !== undefined) return true;
  for (const link of span.links) if (link.bytes !== undefined) return true;
  return false;
}

/** A list written by TraceWriter.places; undefined for an empty one (no marker). */
function readPlaces(reader: ByteReader): BytesPlace[] | undefined {
  const count = reader.uint();
  if (count === 0) return undefined;
  const places: BytesPlace[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const steps = reader.uint();
    if (steps === 0) {
      places[i] = reader.string();
      continue;
    }
    const path: ValueStep[] = new Array(steps);
    for (let j = 0; j < steps; j++) {
      const step = reader.uint();
      path[j] = step === 0 ? reader.string() : step === PACKED_INT_MARK ? INT_MARK : (step - 1) / 2;
    }
    places[i] = path;
  }
  return places;
}

/**
 * A packed trace's head, as TraceWriter writes it: its own strings (appended to the reader's table, where
 * its numbers point), whether its ids are raw bytes, its span count, its base time and its id.
 */
function readTraceHead(reader: ByteReader): { rawIds: boolean; count: number; base: bigint; traceId: string } {
  const stringCount = reader.uint();
  const strings = reader.strings;
  for (let i = 0; i < stringCount; i++) strings.push(reader.utf8());
  const rawIds = (reader.u8() & RAW_IDS) !== 0;
  const count = reader.uint();
  const base = reader.u64();
  return { rawIds, count, base, traceId: reader.string() };
}

/** Reads one trace back; resources and scopes are made once and shared by its spans. */
function readTrace(reader: ByteReader): Span[] {
  const { rawIds, count, base, traceId } = readTraceHead(reader);
  const spans: Span[] = new Array(count);
  const resources: Attributes[] = [];
  const scopes: InstrumentationScope[] = [];
  const parents: number[] = [];
  for (let i = 0; i < count; i++) {
    const head = reader.u8();
    const spanId = rawIds ? reader.hex(8) : reader.string();
    const parentForm = (head >> 5) & 3;
    let parentSpanId: string | null = null;
    if (parentForm === PARENT_INDEX) parents.push(i, reader.uint());
    else if (parentForm === PARENT_RAW) parentSpanId = reader.hex(8);
    else if (parentForm === PARENT_TEXT) parentSpanId = reader.string();
    const name = reader.string();
    const service = reader.string();
    const resourceNumber = reader.uint();
    const resource =
      resourceNumber < resources.length ? (resources[resourceNumber] as Attributes) : readAttributes(reader);
    if (resourceNumber === resources.length) resources.push(resource);
    const scopeNumber = reader.uint();
    const scope = scopeNumber < scopes.length ? (scopes[scopeNumber] as InstrumentationScope) : readScope(reader);
    if (scopeNumber === scopes.length) scopes.push(scope);
    const start = readTime(reader, base);
    const end = readTime(reader, start);
    const attributes = readAttributes(reader);
    const code = (head >> 3) & 3;
    const span: Span = {
      traceId,
      spanId,
      parentSpanId,
      name,
      kind: SPAN_KINDS[head & 7] as SpanKind,
      service,
      startTimeUnixNano: start,
      endTimeUnixNano: end,
      status: PLAIN_STATUSES[code] as SpanStatus,
      attributes,
      events: NO_EVENTS,
      links: NO_LINKS,
      resource,
      scope,
    };
    if (head & HAS_EXTRAS) readExtras(reader, span, code);
    spans[i] = span;
  }
  for (let i = 0; i < parents.length; i += 2) {
    (spans[parents[i] as number] as Span).parentSpanId = (spans[parents[i + 1] as number] as Span).spanId;
  }
  return spans;
}

function readExtras(reader: ByteReader, span: Span, code: number): void {
  const extras = reader.uint();
  if (extras & X_STATUS_MESSAGE) span.status = { code: STATUS_CODES[code] as StatusCode, message: reader.string() };
  if (extras & X_TRACE_STATE) span.traceState = reader.string();
  if (extras & X_FLAGS) span.flags = reader.uint();
  if (extras & X_DROPPED_ATTRIBUTES) span.droppedAttributesCount = reader.uint();
  if (extras & X_DROPPED_EVENTS) span.droppedEventsCount = reader.uint();
  if (extras & X_DROPPED_LINKS) span.droppedLinksCount = reader.uint();
  if (extras & X_BYTES) {
    const bytes = readPlaces(reader);
    if (bytes !== undefined) span.bytes = bytes;
  }
  if (extras & X_RESOURCE_BYTES) {
    const bytes = readPlaces(reader);
    if (bytes !== undefined) span.resourceBytes = bytes;
  }
  if (extras & X_EVENTS) {
    const events: SpanEvent[] = new Array(reader.uint());
    for (let i = 0; i < events.length; i++) {
      const event: SpanEvent = {
        name: reader.string(),
        timeUnixNano: readTime(reader, span.startTimeUnixNano),
        attributes: readAttributes(reader),
      };
      const dropped = reader.uint();
      if (dropped > 0) event.droppedAttributesCount = dropped - 1;
      if (extras & X_ITEM_BYTES) {
        const bytes = readPlaces(reader);
        if (bytes !== undefined) event.bytes = bytes;
      }
      events[i] = event;
    }
    span.events = events;
  }
  if (extras & X_LINKS) {
    const links: SpanLink[] = new Array(reader.uint());
    for (let i = 0; i < links.length; i++) {
      const link: SpanLink = { traceId: reader.string(), spanId: reader.string(), attributes: {} };
      if (reader.uint() === 1) link.traceState = reader.string();
      link.attributes = readAttributes(reader);
      const dropped = reader.uint();
      if (dropped > 0) link.droppedAttributesCount = dropped - 1;
      const flags = reader.uint();
      if (flags > 0) link.flags = flags - 1;
      if (extras & X_ITEM_BYTES) {
        const bytes = readPlaces(reader);
        if (bytes !== undefined) link.bytes = bytes;
      }
      links[i] = link;
    }
    span.links = links;
  }
}

function readTime(reader: ByteReader, from: bigint): bigint {
  const zigzag = reader.uint();
  if (zigzag === FAR_TIME) return reader.u64();
  const delta = zigzag % 2 === 1 ? -(zigzag + 1) / 2 : zigzag / 2;
  return from + BigInt(delta / 2);
}

function readScope(reader: ByteReader): InstrumentationScope {
  const scope: InstrumentationScope = { name: reader.string(), version: reader.string() };
  const marker = reader.uint();
  if (marker !== 0) scope.attributes = readAttributes(reader);
  if (marker === SCOPE_ATTRIBUTES_AND_BYTES) {
    const bytes = readPlaces(reader);
    if (bytes !== undefined) scope.bytes = bytes;
  }
  return scope;
}

function readAttributes(reader: ByteReader): Attributes {
  const count = reader.uint();
  const attributes: Attributes = {};
  for (let i = 0; i < count; i++) {
    const key = reader.string();
    setAttribute(attributes, key, readValue(reader));
  }
  return attributes;
}

function readValue(reader: ByteReader): AttrValue {
  switch (reader.u8()) {
    case V_STRING:
      return reader.string();
    case V_INT:
      return reader.int();
    case V_DOUBLE:
      return reader.f64();
    case V_TRUE:
      return true;
    case V_FALSE:
      return false;
    case V_ARRAY: {
      const values: AttrValue[] = new Array(reader.uint());
      for (let i = 0; i < values.length; i++) values[i] = readValue(reader);
      return values;
    }
    case V_OBJECT:
      return readAttributes(reader);
    default:
      return null;
  }
}

/** The attributes of a span that names no callee, as unpackCalls gives them: never read. */
const NO_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;

/** Distinct (kind, tracer, attribute bytes) whose attributes and peer unpackCalls keeps: past it the table starts again. */
const CALL_SHAPES = 4_096;

/** A calling span's attributes and what it calls, kept by its kind, tracer and attribute bytes (see readCallTrace). */
interface CallShape {
  readonly kind: number;
  readonly scope: string;
  readonly bytes: Uint8Array;
  readonly attributes: Attributes;
  readonly peer: Peer | null;
}

/** The CallShapes kept, by a hash of their kind and bytes (see shapeHash). */
type CallShapes = Map<number, CallShape[]>;

/** FNV-1a of a span's kind and the bytes of its attributes. */
function shapeHash(kind: number, buf: Uint8Array, from: number, to: number): number {
  let hash = Math.imul(0x811c9dc5 ^ kind, 0x01000193);
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
  return hash;
}

/** The shape kept for these bytes, kind and tracer, or undefined. */
function shapeOf(
  list: readonly CallShape[],
  kind: number,
  scope: string,
  buf: Uint8Array,
  from: number,
  to: number,
): CallShape | undefined {
  for (const shape of list) {
    if (shape.kind !== kind || shape.scope !== scope || shape.bytes.length !== to - from) continue;
    const bytes = shape.bytes;
    let same = true;
    for (let i = 0; i < bytes.length && same; i++) same = bytes[i] === buf[from + i];
    if (same) return shape;
  }
  return undefined;
}

/** Passes over a time written by TraceWriter.time: its varint's bytes, without working out its value. */
function skipTime(reader: ByteReader): void {
  const buf = reader.buf;
  let pos = reader.pos;
  const first = buf[pos++] as number;
  if (first === FAR_TIME) pos += 8;
  else if (first >= 0x80) while ((buf[pos++] as number) >= 0x80);
  reader.pos = pos;
}

/** Passes over attributes written by TraceWriter.attributes; true when a string of the trace's own table is among them. */
function skipAttributes(reader: ByteReader): boolean {
  const count = reader.uint();
  let own = false;
  for (let i = 0; i < count; i++) {
    if (reader.uint() % 2 === 0) own = true;
    if (skipValue(reader)) own = true;
  }
  return own;
}

function skipValue(reader: ByteReader): boolean {
  switch (reader.u8()) {
    case V_STRING:
      return reader.uint() % 2 === 0;
    case V_INT:
      reader.uint();
      return false;
    case V_DOUBLE:
      reader.pos += 8;
      return false;
    case V_ARRAY: {
      const count = reader.uint();
      let own = false;
      for (let i = 0; i < count; i++) if (skipValue(reader)) own = true;
      return own;
    }
    case V_OBJECT:
      return skipAttributes(reader);
    default:
      return false;
  }
}

/** Passes over a list written by TraceWriter.places. */
function skipPlaces(reader: ByteReader): void {
  const count = reader.uint();
  for (let i = 0; i < count; i++) {
    const steps = reader.uint();
    if (steps === 0) reader.uint();
    else for (let j = 0; j < steps; j++) if (reader.uint() === 0) reader.uint();
  }
}

/** Passes over what readExtras reads. */
function skipExtras(reader: ByteReader): void {
  const extras = reader.uint();
  if (extras & X_STATUS_MESSAGE) reader.uint();
  if (extras & X_TRACE_STATE) reader.uint();
  if (extras & X_FLAGS) reader.uint();
  if (extras & X_DROPPED_ATTRIBUTES) reader.uint();
  if (extras & X_DROPPED_EVENTS) reader.uint();
  if (extras & X_DROPPED_LINKS) reader.uint();
  if (extras & X_BYTES) skipPlaces(reader);
  if (extras & X_RESOURCE_BYTES) skipPlaces(reader);
  if (extras & X_EVENTS) {
    const count = reader.uint();
    for (let i = 0; i < count; i++) {
      reader.uint();
      skipTime(reader);
      skipAttributes(reader);
      reader.uint();
      if (extras & X_ITEM_BYTES) skipPlaces(reader);
    }
  }
  if (extras & X_LINKS) {
    const count = reader.uint();
    for (let i = 0; i < count; i++) {
      reader.uint();
      reader.uint();
      if (reader.uint() === 1) reader.uint();
      skipAttributes(reader);
      reader.uint();
      reader.uint();
      if (extras & X_ITEM_BYTES) skipPlaces(reader);
    }
  }
}

/**
 * What unpackCalls gives as the id of a trace's span `number` when the trace keeps its ids as bytes:
 * a token no id of another form read there equals (a parent outside the trace is its hex id, one of
 * any other text is that text after U+0001), so spans and parents match as their ids do, without a
 * hex string made for each. `tokens`: those made so far, by number (the first 4,096 are kept).
 */
function spanToken(tokens: string[], number: number): string {
  let token = tokens[number];
  if (token === undefined) {
    token = `\u0000${number}`;
    if (number < 4_096) tokens[number] = token;
  }
  return token;
}

/**
 * Reads one trace as readTrace does, but only what the call rule needs (see SpanPacker.unpackCalls).
 * A calling span's attributes whose strings are all shared are the same attributes wherever the same
 * bytes stand (a shared string's number never changes): their object and peer are kept in `shapes`,
 * so the spans of one shape, trace after trace, are neither parsed nor judged again.
 */
function readCallTrace(reader: ByteReader, shapes: CallShapes, tokens: string[]): PeeredSpans {
  const { rawIds, count, base } = readTraceHead(reader);
  const spans: CallingSpan[] = new Array(count);
  const peers: (Peer | null)[] = new Array(count);
  let resources = 0;
  const scopes: { name: string }[] = [];
  const parents: number[] = [];
  /** Each span that may call something: its number, and where its times are. */
  const times: number[] = [];
  let llm = false;
  const buf = reader.buf;
  for (let i = 0; i < count; i++) {
    const head = reader.u8();
    let spanId: string;
    if (rawIds) {
      reader.pos += 8;
      spanId = spanToken(tokens, i);
    } else {
      spanId = reader.string();
    }
    const parentForm = (head >> 5) & 3;
    let parentSpanId: string | null = null;
    if (parentForm === PARENT_INDEX) {
      const parent = reader.uint();
      if (rawIds) parentSpanId = spanToken(tokens, parent);
      else parents.push(i, parent);
    } else if (parentForm === PARENT_RAW) parentSpanId = reader.hex(8);
    else if (parentForm === PARENT_TEXT) parentSpanId = rawIds ? `\u0001${reader.string()}` : reader.string();
    reader.uint(); // the name
    const service = reader.string();
    if (reader.uint() === resources) {
      skipAttributes(reader);
      resources++;
    }
    const scopeNumber = reader.uint();
    if (scopeNumber === scopes.length) {
      scopes.push({ name: reader.string() });
      reader.uint(); // the version
      const marker = reader.uint();
      if (marker !== 0) skipAttributes(reader);
      if (marker === SCOPE_ATTRIBUTES_AND_BYTES) skipPlaces(reader);
    }
    const scope = scopes[scopeNumber] as { name: string };
    const kind = SPAN_KINDS[head & 7] as SpanKind;
    let attributes = NO_ATTRIBUTES;
    let peer: Peer | null = null;
    if (!mayNameCallee(kind, scope.name)) {
      skipTime(reader);
      skipTime(reader);
      skipAttributes(reader);
    } else {
      // Read only when an LLM call is among the peers (below): what the rule reads times for.
      times.push(i, reader.pos);
      skipTime(reader);
      skipTime(reader);
      const at = reader.pos;
      if (skipAttributes(reader)) {
        // Attributes with a string of the trace's own table: of this trace alone, kept nowhere.
        reader.pos = at;
        attributes = readAttributes(reader);
        peer = calledPeerOf({ kind, attributes, scope });
      } else {
        const after = reader.pos;
        const hash = shapeHash(head & 7, buf, at, after);
        const list = shapes.get(hash);
        let shape = list === undefined ? undefined : shapeOf(list, head & 7, scope.name, buf, at, after);
        if (shape === undefined) {
          reader.pos = at;
          const read = readAttributes(reader);
          const bytes = new Uint8Array(buf.subarray(at, after));
          shape = {
            kind: head & 7,
            scope: scope.name,
            bytes,
            attributes: read,
            peer: calledPeerOf({ kind, attributes: read, scope }),
          };
          if (shapes.size >= CALL_SHAPES) shapes.clear();
          if (list === undefined || shapes.get(hash) !== list) shapes.set(hash, [shape]);
          else list.push(shape);
        }
        attributes = shape.attributes;
        peer = shape.peer;
      }
    }
    if (head & HAS_EXTRAS) skipExtras(reader);
    spans[i] = {
      spanId,
      parentSpanId,
      service,
      startTimeUnixNano: 0n,
      endTimeUnixNano: 0n,
      kind,
      attributes,
      scope,
    };
    peers[i] = peer;
    if (peer?.kind === "llm") llm = true;
  }
  if (llm) {
    for (let i = 0; i < times.length; i += 2) {
      reader.pos = times[i + 1] as number;
      const span = spans[times[i] as number] as { startTimeUnixNano: bigint; endTimeUnixNano: bigint };
      span.startTimeUnixNano = readTime(reader, base);
      span.endTimeUnixNano = readTime(reader, span.startTimeUnixNano);
    }
  }
  for (let i = 0; i < parents.length; i += 2) {
    (spans[parents[i] as number] as { parentSpanId: string | null }).parentSpanId = (
      spans[parents[i + 1] as number] as CallingSpan
    ).spanId;
  }
  return { spans, peers };
}

export function createSpanPacker(): SpanPacker {
  const shared = new SharedStrings();
  const writer = new TraceWriter(shared);
  const head = new ByteWriter();
  let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  let used = 0;
  const callShapes: CallShapes = new Map();
  /** Span tokens by number (see spanToken), made once. */
  const spanTokens: string[] = [];

  function place(length: number): { bytes: Buffer; offset: number } {
    if (length > OWN_BUFFER_BYTES) return { bytes: Buffer.allocUnsafeSlow(length), offset: 0 };
    if (used + length > slab.length) {
      slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      used = 0;
    }
    const offset = used;
    used += length;
    return { bytes: slab, offset };
  }

  return {
    pack(spans) {
      const strings = writer.write(spans);
      if (strings < 0) return null;
      head.pos = 0;
      head.uint(strings);
      const { table, body } = writer;
      const length = head.pos + table.pos + body.pos;
      const { bytes, offset } = place(length);
      head.buf.copy(bytes, offset, 0, head.pos);
      table.buf.copy(bytes, offset + head.pos, 0, table.pos);
      body.buf.copy(bytes, offset + head.pos + table.pos, 0, body.pos);
      return { bytes, offset, length };
    },
    unpack(packed) {
      return readTrace(new ByteReader(packed.bytes, packed.offset, shared.list));
    },
    unpackCalls(packed) {
      return readCallTrace(new ByteReader(packed.bytes, packed.offset, shared.list), callShapes, spanTokens);
    },
    tracesWithSpanId<T>(traces: Iterable<T>, packedOf: (trace: T) => PackedPlace | null, spanId: string): Set<T> {
      const found = new Set<T>();
      if (spanId === "") return found;
      // A trace keeps its span ids as bytes (isHexId) or, all of them, as text in its own table.
      const needles: Buffer[] = [];
      if (isHexId(spanId, 16)) needles.push(Buffer.from(spanId, "hex"));
      if (writer.textIds || needles.length === 0) needles.push(Buffer.from(spanId, "utf8"));
      const byBuffer = new Map<Buffer, { trace: T; offset: number; end: number }[]>();
      for (const trace of traces) {
        const packed = packedOf(trace);
        if (packed === null) continue;
        const place = { trace, offset: packed.offset, end: packed.bytes.length };
        const list = byBuffer.get(packed.bytes);
        if (list === undefined) byBuffer.set(packed.bytes, [place]);
        else list.push(place);
      }
      for (const [bytes, list] of byBuffer) {
        list.sort((a, b) => a.offset - b.offset);
        // A trace's bytes end at the next one's start at the latest (its length is not kept beside it).
        for (let i = 0; i + 1 < list.length; i++) {
          (list[i] as (typeof list)[number]).end = (list[i + 1] as (typeof list)[number]).offset;
        }
        for (const needle of needles) {
          let at = bytes.indexOf(needle);
          while (at >= 0) {
            // The last trace that starts at or before the hit, whose bytes it may be: a slab also holds
            // the bytes of traces no longer stored, after a trace's own (the caller reads the trace to
            // be sure). A hit before the first trace is no trace's.
            let low = 0;
            let high = list.length - 1;
            while (low < high) {
              const middle = (low + high + 1) >> 1;
              if ((list[middle] as (typeof list)[number]).offset <= at) low = middle;
              else high = middle - 1;
            }
            const place = list[low] as (typeof list)[number];
            if (place.offset <= at && at + needle.length <= place.end) {
              found.add(place.trace);
              // One hit names the trace: go on after it.
              at = bytes.indexOf(needle, place.end);
            } else at = bytes.indexOf(needle, at + 1);
          }
        }
      }
      return found;
    },
    reset() {
      slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      used = 0;
      callShapes.clear();
    },
  };
}
