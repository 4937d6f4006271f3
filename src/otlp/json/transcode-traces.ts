/**
 * OTLP/JSON ExportTraceServiceRequest bytes → the same request as protobuf, read straight from the
 * bytes (json-bytes.ts), for the import client: no JSON.parse tree to build, no strings for values
 * that are only copied (plain ASCII strings and hex ids go from the JSON bytes to the protobuf bytes),
 * and the receiver decodes protobuf several times faster than JSON.
 *
 * It follows direct-traces.ts field by field, so the receiver's protobuf decoder reads exactly the
 * spans its JSON decoder would read from the JSON. Where the JSON says something protobuf cannot say
 * the same way, or the direct reader would give up, it returns null, and the caller takes the general
 * path: an invalid or all-zero id (the JSON decoder rejects the span with its reason), an enum
 * outside int32, a non-finite JSON number, a string with a lone surrogate, a request without
 * `resourceSpans` that has other fields (another signal's), or more than one request may hold.
 */
import { Buffer } from "node:buffer";
import { MAX_VALUE_DEPTH } from "../attributes.js";
import {
  MAX_ATTRIBUTES_PER_LIST,
  MAX_ENTRIES_PER_VALUE,
  MAX_EVENTS_PER_SPAN,
  MAX_LINKS_PER_SPAN,
  MAX_VALUES_PER_ITEM,
  type RequestCounts,
  withinRequestLimits,
} from "../limits.js";
import { WIRE_I32, WIRE_I64, WIRE_VARINT } from "../protobuf/wire.js";
import { ProtoWriter } from "../protobuf/writer.js";
import { MAX_MEMO_BYTES, MEMO_SLOTS, type MemoBackoff, memoMissed } from "./attribute-memo.js";
import { asEnum, asUint32, bytesValue, doubleValue, JsonShapeError } from "./common.js";
import {
  ANY_VALUE_FIELDS,
  ANY_VALUE_KEYS,
  EVENT_KEYS,
  KEY_VALUE_KEYS,
  LINK_KEYS,
  once,
  REQUEST_KEYS,
  readFields,
  SPAN_FIELDS,
  SPAN_KEYS,
  STATUS_KEYS,
  VALUES_KEYS,
} from "./direct-traces.js";
import { JsonBytes, KeySet, NOT_DIRECT } from "./json-bytes.js";
import { type JsonTraceDecodeOptions, OTLP_KIND_OF_API_KIND, SPAN_KIND_NAMES, STATUS_CODE_NAMES } from "./traces.js";

const QUOTE = 0x22;
const MAX_INT32 = 0x7fffffff;

/** 1 for a byte a plain string copies as is: printable ASCII but the quote and the backslash. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = 1;
PLAIN[QUOTE] = 0;
PLAIN[0x5c] = 0;

/** Hex digit values by byte, -1 for others. */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[0x61 + c] = 10 + c;
  HEX[0x41 + c] = 10 + c;
}

/*
 * The fields of a group, resource and scope, with those the span reader has no use for (schema URLs, a
 * resource's or scope's dropped-attribute count) written too: the forwarder sends what this writes
 * upstream, which keeps them. The camelCase names first; a snake_case one is left to the general path.
 */
const RESOURCE_SPANS_KEYS = new KeySet(["resource", "scopeSpans", "schemaUrl", "scope_spans", "schema_url"]);
const SCOPE_SPANS_KEYS = new KeySet(["scope", "spans", "schemaUrl", "schema_url"]);
const RESOURCE_KEYS = new KeySet(["attributes", "droppedAttributesCount", "dropped_attributes_count"]);
const SCOPE_KEYS = new KeySet(["name", "version", "attributes", "droppedAttributesCount", "dropped_attributes_count"]);

/** A lone surrogate (from a `\ud800` escape): UTF-8 cannot carry it, so protobuf would read U+FFFD. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** One attribute as a list last held it at its index: its JSON in the request, and what it wrote. */
interface MemoSlot extends MemoBackoff {
  /** Where its JSON starts and ends in the request (end 0: nothing remembered yet). */
  start: number;
  end: number;
  /** Its KeyValue field as written (tag, length, message), `written[0, length)`. */
  written: Uint8Array;
  length: number;
  /** Objects and arrays its JSON opened, and values it counted. */
  opened: number;
  values: number;
  /** The request it was last used in (AttributeMemo.generation): of an older one, it holds nothing. */
  generation: number;
}

/**
 * The attributes of one kind of list (spans', events') as the last list held them, index by index:
 * the spans of a request mostly carry the same attributes in the same order, many with the same
 * values (a method, a route, a status). An attribute whose JSON bytes are those of the one remembered
 * at its index is that attribute again, read at the same nesting: its protobuf bytes are written again
 * and its counts added, without reading it.
 */
class AttributeMemo {
  private readonly slots: (MemoSlot | undefined)[] = [];
  /** The request being read: slots (and their buffers) outlive it, for the next one. */
  private generation = 0;

  /** Forgets what earlier requests held. */
  reset(): void {
    this.generation++;
  }

  /** The slot of `index`, or null when the attribute there is read without it this time. */
  slot(index: number): MemoSlot | null {
    if (index >= MEMO_SLOTS) return null;
    let slot = this.slots[index];
    if (slot === undefined) {
      slot = {
        start: 0,
        end: 0,
        written: new Uint8Array(128),
        length: 0,
        opened: 0,
        values: 0,
        wait: 0,
        backoff: 0,
        generation: this.generation,
      };
      this.slots[index] = slot;
    } else if (slot.generation !== this.generation) {
      slot.generation = this.generation;
      slot.start = slot.end = 0;
      slot.wait = slot.backoff = 0;
    } else if (slot.wait > 0) {
      slot.wait--;
      return null;
    }
    return slot;
  }
}

/*
 * The memos of every request: a request is transcoded in one call, never two at once, so one pair
 * serves them all, and a small request does not allocate a slot per attribute it holds.
 */
const SPAN_MEMO = new AttributeMemo();
const EVENT_MEMO = new AttributeMemo();

export interface TranscodedTraces extends RequestCounts {
  bytes: Uint8Array;
  /** Distinct trace ids, lower-case hex. */
  traceIds: Set<string>;
}

/** One request being transcoded. */
class Transcoding implements RequestCounts {
  readonly r: JsonBytes;
  readonly w: ProtoWriter;
  spans = 0;
  resourceGroups = 0;
  scopeGroups = 0;
  values = 0;
  readonly traceIds = new Set<string>();
  /** Where the previous span's trace id starts in the JSON (spans of a trace mostly follow each other). */
  lastTraceId = -1;
  /** An id's bytes, decoded from its hex. */
  readonly id = Buffer.alloc(16);
  /** The request's bytes, read four at a time to compare attributes with those remembered. */
  readonly view: DataView;
  readonly spanAttributes = SPAN_MEMO;
  readonly eventAttributes = EVENT_MEMO;

  constructor(
    readonly bytes: Uint8Array,
    /** Numeric span kinds are the OpenTelemetry API's (see JsonTraceDecodeOptions), written as OTLP's. */
    readonly apiKinds: boolean,
  ) {
    this.r = new JsonBytes(bytes);
    SPAN_MEMO.reset();
    EVENT_MEMO.reset();
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Protobuf takes about half the bytes of the same request as JSON.
    this.w = new ProtoWriter(Math.max(1024, bytes.length >> 1));
  }
}

/**
 * The request in `bytes` as protobuf, with what it holds, or null when it is not written here (see the
 * module comment): then the JSON itself is sent, and the receiver's JSON decoder reads it.
 */
export function transcodeTraceRequestJson(
  bytes: Uint8Array,
  options: JsonTraceDecodeOptions = {},
): TranscodedTraces | null {
  const t = new Transcoding(bytes, options.apiSpanKinds === true);
  try {
    readRequest(t);
  } catch (error) {
    if (error === NOT_DIRECT || error instanceof JsonShapeError || error instanceof SyntaxError) return null;
    throw error;
  }
  if (!withinRequestLimits(t)) return null;
  return {
    bytes: t.w.finish(),
    spans: t.spans,
    traceIds: t.traceIds,
    resourceGroups: t.resourceGroups,
    scopeGroups: t.scopeGroups,
    values: t.values,
  };
}

/**
 * Inside an object: the index of its next field in `keys` (fields this reader does not know are stepped
 * over), or -2 at its end. A snake_case spelling (from index `camelCase` on) is left to the general path.
 */
function nextField(r: JsonBytes, keys: KeySet, first: boolean, camelCase = Number.POSITIVE_INFINITY): number {
  for (let f = first; ; f = false) {
    const key = r.nextKey(keys, f);
    if (key === -1) {
      r.skipValue();
      continue;
    }
    if (key >= camelCase) throw NOT_DIRECT;
    return key;
  }
}

function readRequest(t: Transcoding): void {
  const r = t.r;
  r.openObject();
  let seen = 0;
  let others = false;
  for (let first = true; ; first = false) {
    const key = r.nextKey(REQUEST_KEYS, first);
    if (key === -2) break;
    if (key === -1) {
      r.skipValue();
      others = true;
      continue;
    }
    if (key === 1) throw NOT_DIRECT;
    seen = once(seen, 0);
    readMessages(t, 1, Number.POSITIVE_INFINITY, readResourceSpans);
  }
  // Without `resourceSpans`, other fields make it another signal's request, or none (`{}` is an empty one).
  if (others && seen === 0) throw NOT_DIRECT;
  if (!r.atEnd()) throw NOT_DIRECT;
}

/**
 * A list (or null) of objects, each written by `read` as a message of field `field`; a list longer than
 * `max` is left to the general path, which keeps the first `max` and counts the rest as dropped.
 */
function readMessages(t: Transcoding, field: number, max: number, read: (t: Transcoding) => void): void {
  const { r, w } = t;
  if (r.skipNull()) return;
  r.openArray();
  for (let n = 0; r.nextElement(n === 0); n++) {
    if (n >= max) throw NOT_DIRECT;
    w.push(field);
    read(t);
    w.pop();
  }
}

function readResourceSpans(t: Transcoding): void {
  t.resourceGroups++;
  readGroup(t, RESOURCE_SPANS_KEYS, readResource, readScopeSpans);
}

function readScopeSpans(t: Transcoding): void {
  t.scopeGroups++;
  readGroup(t, SCOPE_SPANS_KEYS, readScope, readSpan);
}

/**
 * A ResourceSpans or ScopeSpans object: what its items share (key 0 of `keys`, written by `readHeader`
 * as field 1), its items (key 1, each written by `readItem` as field 2) and its schema URL (key 2,
 * field 3).
 */
function readGroup(
  t: Transcoding,
  keys: KeySet,
  readHeader: (t: Transcoding) => void,
  readItem: (t: Transcoding) => void,
): void {
  const { r, w } = t;
  readFields(r, keys, 3, (key) => {
    if (key === 1) {
      readMessages(t, 2, Number.POSITIVE_INFINITY, readItem);
    } else if (key === 2) {
      writeString(t, 3, false);
    } else if (!r.skipNull()) {
      w.push(1);
      readHeader(t);
      w.pop();
    }
  });
}

function readResource(t: Transcoding): void {
  const r = t.r;
  r.itemValues = 0;
  readFields(r, RESOURCE_KEYS, 2, (key) => {
    if (key === 0) readKeyValues(t, 1, 1);
    else writeVarint(t, 2, asUint32(r.readScalar(), "droppedAttributesCount"));
  });
}

function readScope(t: Transcoding): void {
  const r = t.r;
  r.itemValues = 0;
  readFields(r, SCOPE_KEYS, 4, (key) => {
    if (key === 2) readKeyValues(t, 3, 1);
    else if (key === 3) writeVarint(t, 4, asUint32(r.readScalar(), "droppedAttributesCount"));
    else writeString(t, key + 1, false);
  });
}

/** Span fields a span cannot do without: the JSON decoder rejects a span without them. */
const REQUIRED_SPAN_FIELDS = (1 << 0) | (1 << 1);
const KIND_FIELD = 1 << 6;

function readSpan(t: Transcoding): void {
  const r = t.r;
  t.spans++;
  r.itemValues = 0;
  r.openObject();
  let seen = 0;
  for (let first = true; ; first = false) {
    const key = nextField(r, SPAN_KEYS, first, SPAN_FIELDS.length);
    if (key === -2) break;
    seen = once(seen, key);
    switch (key) {
      case 0:
        writeTraceId(t);
        break;
      case 1:
        writeId(t, 2, 16, false);
        break;
      case 2:
        writeId(t, 4, 16, true);
        break;
      case 3:
        writeString(t, 3, false);
        break;
      case 4:
        writeFixed32(t, 16, asUint32(r.readScalar(), "flags"));
        break;
      case 5:
        writeString(t, 5, false);
        break;
      case 6: {
        const kind = r.readScalar();
        const value = asEnum(kind, "kind", SPAN_KIND_NAMES);
        // Kinds given by name are OTLP's whatever the sender, as the JSON decoder reads them.
        writeEnum(t, 6, t.apiKinds && typeof kind !== "string" ? (OTLP_KIND_OF_API_KIND[value] ?? value) : value);
        break;
      }
      case 7:
        writeTime(t, 7, "startTimeUnixNano");
        break;
      case 8:
        writeTime(t, 8, "endTimeUnixNano");
        break;
      case 9:
        readKeyValues(t, 9, 1, t.spanAttributes);
        break;
      case 10:
        writeVarint(t, 10, asUint32(r.readScalar(), "droppedAttributesCount"));
        break;
      case 11:
        writeVarint(t, 12, asUint32(r.readScalar(), "droppedEventsCount"));
        break;
      case 12:
        writeVarint(t, 14, asUint32(r.readScalar(), "droppedLinksCount"));
        break;
      case 13:
        readMessages(t, 11, MAX_EVENTS_PER_SPAN, readEvent);
        break;
      case 14:
        readMessages(t, 13, MAX_LINKS_PER_SPAN, readLink);
        break;
      default:
        readStatus(t);
    }
  }
  if ((seen & REQUIRED_SPAN_FIELDS) !== REQUIRED_SPAN_FIELDS) throw NOT_DIRECT;
  // An absent kind in a body with API kinds is the API's INTERNAL (0), which is OTLP's 1.
  if (t.apiKinds && (seen & KIND_FIELD) === 0) writeVarint(t, 6, OTLP_KIND_OF_API_KIND[0] as number);
}

function readEvent(t: Transcoding): void {
  const r = t.r;
  readFields(r, EVENT_KEYS, 4, (key) => {
    if (key === 0) writeString(t, 2, false);
    else if (key === 1) writeTime(t, 1, "timeUnixNano");
    else if (key === 2) readKeyValues(t, 3, 1, t.eventAttributes);
    else writeVarint(t, 4, asUint32(r.readScalar(), "droppedAttributesCount"));
  });
}

/** Link fields without which the JSON decoder drops the link. */
const REQUIRED_LINK_FIELDS = (1 << 0) | (1 << 1);

function readLink(t: Transcoding): void {
  const r = t.r;
  let present = 0;
  readFields(r, LINK_KEYS, 6, (key) => {
    present |= 1 << key;
    if (key === 0) writeId(t, 1, 32, false);
    else if (key === 1) writeId(t, 2, 16, false);
    else if (key === 2) writeString(t, 3, false);
    else if (key === 3) readKeyValues(t, 4, 1);
    else if (key === 4) writeVarint(t, 5, asUint32(r.readScalar(), "droppedAttributesCount"));
    else writeFixed32(t, 6, asUint32(r.readScalar(), "flags"));
  });
  if ((present & REQUIRED_LINK_FIELDS) !== REQUIRED_LINK_FIELDS) throw NOT_DIRECT;
}

function readStatus(t: Transcoding): void {
  const { r, w } = t;
  if (r.skipNull()) return;
  w.push(15);
  readFields(r, STATUS_KEYS, 2, (key) => {
    if (key === 0) writeEnum(t, 3, asEnum(r.readScalar(), "code", STATUS_CODE_NAMES));
    else writeString(t, 2, false);
  });
  w.pop();
}

/**
 * A `repeated KeyValue` list (or null) as field `field`, values at nesting `depth`; an attribute list
 * of one kind (always at the same nesting) with its `memo`.
 */
function readKeyValues(t: Transcoding, field: number, depth: number, memo: AttributeMemo | null = null): void {
  const { r, w } = t;
  if (r.skipNull()) return;
  r.openArray();
  for (let n = 0; r.nextElement(n === 0); n++) {
    // Past the bounds the general path neither reads nor checks the rest.
    if (n >= MAX_ATTRIBUTES_PER_LIST || depth > MAX_VALUE_DEPTH) throw NOT_DIRECT;
    const slot = memo === null ? null : memo.slot(n);
    if (slot !== null && writeRemembered(t, slot)) continue;
    const start = r.pos;
    const written = w.length;
    const opened = r.opened;
    const values = t.values;
    if (depth === 1) r.valueEntries = 0;
    else if (++r.valueEntries > MAX_ENTRIES_PER_VALUE) throw NOT_DIRECT;
    w.push(field);
    r.openObject();
    let seen = 0;
    for (let first = true; ; first = false) {
      const key = nextField(r, KEY_VALUE_KEYS, first);
      if (key === -2) break;
      seen = once(seen, key);
      if (key === 0) writeString(t, 1, false);
      else if (!r.skipNull()) {
        // A value of null is no value (null), as a KeyValue without one.
        w.push(2);
        readAnyValue(t, depth);
        w.pop();
      }
    }
    w.pop();
    if (slot !== null) remember(t, slot, start, written, opened, values);
  }
}

/** Writes the attribute at the cursor when its JSON is the one `slot` remembers; false (nothing read) otherwise. */
function writeRemembered(t: Transcoding, slot: MemoSlot): boolean {
  const r = t.r;
  const { start, end } = slot;
  const length = end - start;
  if (length === 0) return false;
  r.peek();
  if (!sameBytes(t, r.pos, start, length)) {
    memoMissed(slot);
    return false;
  }
  slot.backoff = 0;
  r.stepOver(length, slot.opened);
  r.itemValues += slot.values;
  if (r.itemValues > MAX_VALUES_PER_ITEM) throw NOT_DIRECT;
  t.values += slot.values;
  t.w.raw(slot.written, 0, slot.length);
  return true;
}

/** Whether the `length` bytes of the request at `at` are those at `start`. */
function sameBytes(t: Transcoding, at: number, start: number, length: number): boolean {
  const { bytes, view } = t;
  if (at + length > bytes.length) return false;
  // From the end (values differ more often than keys, and towards their ends: counters, ids), four
  // bytes at a time.
  let k = length - 4;
  for (; k >= 0; k -= 4) if (view.getInt32(at + k) !== view.getInt32(start + k)) return false;
  for (k += 3; k >= 0; k--) if (bytes[at + k] !== bytes[start + k]) return false;
  return true;
}

/**
 * Remembers the attribute just read (its JSON from `start`, from `written` on in the output, and what
 * it counted since `opened` and `values`) in `slot`.
 */
function remember(t: Transcoding, slot: MemoSlot, start: number, written: number, opened: number, values: number) {
  const { r, w } = t;
  // Its first byte, past the white space before it.
  let from = start;
  while (from < r.pos && t.bytes[from] !== 0x7b) from++;
  const size = w.length - written;
  if (r.pos - from > MAX_MEMO_BYTES || size > MAX_MEMO_BYTES) {
    slot.end = slot.start;
    return;
  }
  if (slot.written.length < size) slot.written = new Uint8Array(Math.max(size, slot.written.length * 2));
  w.copyTo(slot.written, written, w.length);
  slot.start = from;
  slot.end = r.pos;
  slot.length = size;
  slot.opened = r.opened - opened;
  slot.values = t.values - values;
}

/** An AnyValue object at nesting `depth`, inside its message; one with no value set stays empty (null). */
function readAnyValue(t: Transcoding, depth: number): void {
  const { r, w } = t;
  if (depth > MAX_VALUE_DEPTH || ++r.itemValues > MAX_VALUES_PER_ITEM) throw NOT_DIRECT;
  t.values++;
  r.openObject();
  let set = false;
  for (let first = true; ; first = false) {
    const key = nextField(r, ANY_VALUE_KEYS, first, ANY_VALUE_FIELDS.length);
    if (key === -2) return;
    // A null field counts as not set.
    if (r.skipNull()) continue;
    // Which of two set fields wins is the general path's rule.
    if (set) throw NOT_DIRECT;
    set = true;
    switch (key) {
      case 0:
        writeString(t, 1, true);
        break;
      case 1: {
        const value = r.readInt64();
        if (typeof value === "number" && (!Number.isSafeInteger(value) || Object.is(value, -0))) {
          // An intValue that is no int64 ("1e+21", 2**64 as the TraceKit Node SDK writes it) is kept as
          // the double it spells (see int64Value): written as one, it decodes to the same value.
          w.tag(4, WIRE_I64);
          w.double(value);
        } else {
          w.tag(3, WIRE_VARINT);
          if (typeof value === "number" && value >= 0) w.varint(value);
          else w.varint64(BigInt(value));
        }
        break;
      }
      case 2: {
        const flag = r.readScalar();
        if (typeof flag !== "boolean") throw NOT_DIRECT;
        w.tag(2, WIRE_VARINT);
        w.varint(flag ? 1 : 0);
        break;
      }
      case 3: {
        // A JSON number past the doubles (1e999) is Infinity, read back as "Infinity" as JSON's is.
        const value = doubleValue(r.readScalar());
        w.tag(4, WIRE_I64);
        w.double(Number(value));
        break;
      }
      case 4:
        w.push(5);
        readValuesOf(t, () => readArrayItems(t, depth));
        w.pop();
        break;
      case 5:
        w.push(6);
        readValuesOf(t, () => readKeyValues(t, 1, depth + 1));
        w.pop();
        break;
      default:
        w.lengthDelimited(7, Buffer.from(bytesValue(r.readScalar()), "base64"));
    }
  }
}

/** The `values` of an ArrayValue at nesting `depth`: its items at depth + 1. */
function readArrayItems(t: Transcoding, depth: number): void {
  const { r, w } = t;
  if (r.skipNull()) return;
  r.openArray();
  for (let n = 0; r.nextElement(n === 0); n++) {
    if (depth + 1 > MAX_VALUE_DEPTH || ++r.valueEntries > MAX_ENTRIES_PER_VALUE) throw NOT_DIRECT;
    w.push(1);
    // A null item is an empty AnyValue: null either way. The protobuf decoder counts it towards the
    // span's values and the JSON decoder does not, so a span that reaches the bound with one is theirs.
    if (r.skipNull()) {
      if (++r.itemValues > MAX_VALUES_PER_ITEM) throw NOT_DIRECT;
      t.values++;
    } else readAnyValue(t, depth + 1);
    w.pop();
  }
}

/** An ArrayValue or KeyValueList object: `read` reads its `values` field. */
function readValuesOf(t: Transcoding, read: () => void): void {
  readFields(t.r, VALUES_KEYS, 1, read);
}

/**
 * A string (or null) as field `field`: printable ASCII without escapes copied as it is, anything else
 * through JSON's reading of it. An empty string is written only when `empty` (a oneof member).
 */
function writeString(t: Transcoding, field: number, empty: boolean): void {
  const { r, bytes } = t;
  if (r.peek() === QUOTE) {
    const start = r.pos + 1;
    let i = start;
    while (PLAIN[bytes[i] as number] === 1) i++;
    if (bytes[i] === QUOTE) {
      if (i > start || empty) t.w.bytesField(field, bytes, start, i);
      r.pos = i + 1;
      return;
    }
  }
  const text = r.readString(null);
  if (text === null || (text === "" && !empty)) return;
  if (LONE_SURROGATE.test(text)) throw NOT_DIRECT;
  t.w.stringField(field, text);
}

/**
 * A hex id of `digits` digits as field `field`, its bytes; an empty or null one is left out when
 * `optional`. Anything else (other lengths, not hex, all zero) the JSON decoder rejects with a reason.
 */
function writeId(t: Transcoding, field: number, digits: number, optional: boolean): number {
  const { r, bytes, id } = t;
  if (r.peek() !== QUOTE) {
    if (optional && r.skipNull()) return -1;
    throw NOT_DIRECT;
  }
  const start = r.pos + 1;
  if (optional && bytes[start] === QUOTE) {
    r.pos = start + 1;
    return -1;
  }
  if (bytes[start + digits] !== QUOTE) throw NOT_DIRECT;
  let nonZero = 0;
  for (let i = 0; i < digits; i += 2) {
    const hi = HEX[bytes[start + i] as number] as number;
    const lo = HEX[bytes[start + i + 1] as number] as number;
    if (hi < 0 || lo < 0) throw NOT_DIRECT;
    const byte = (hi << 4) | lo;
    id[i >> 1] = byte;
    nonZero |= byte;
  }
  // Protobuf has no "all zero" parent apart from "none": both mean a root, written as none.
  if (nonZero === 0 && !optional) throw NOT_DIRECT;
  r.pos = start + digits + 1;
  if (nonZero !== 0) t.w.bytesField(field, id, 0, digits >> 1);
  return start;
}

/** A span's trace id, also added to the request's trace ids (lower-case hex) when it differs from the last one. */
function writeTraceId(t: Transcoding): void {
  const start = writeId(t, 1, 32, false);
  const last = t.lastTraceId;
  const bytes = t.bytes;
  if (last >= 0) {
    let k = 0;
    while (k < 32 && bytes[last + k] === bytes[start + k]) k++;
    if (k === 32) return;
  }
  t.lastTraceId = start;
  t.traceIds.add(t.id.toString("hex", 0, 16));
}

const TWO_POW_16 = 0x10000;
const TWO_POW_32 = 0x100000000;

/**
 * A uint64 time as a fixed64 field: a string of up to 19 digits (every time in nanoseconds) straight
 * from its digits, in two 32-bit halves computed without BigInt; anything else as the JSON decoder
 * reads it.
 */
function writeTime(t: Transcoding, field: number, name: string): void {
  const { r, w, bytes } = t;
  w.tag(field, WIRE_I64);
  if (r.peek() === QUOTE) {
    const start = r.pos + 1;
    let i = start;
    while ((bytes[i] as number) >= 0x30 && (bytes[i] as number) <= 0x39) i++;
    const digits = i - start;
    if (bytes[i] === QUOTE && digits > 0 && digits <= 19) {
      r.pos = i + 1;
      // value = high * 10^9 + low, high < 10^10, low < 10^9; every product below stays under 2^53.
      const split = Math.max(start, i - 9);
      const high = digitsValue(bytes, start, split);
      const low = digitsValue(bytes, split, i);
      const highTop = Math.floor(high / TWO_POW_16);
      const sum = (high % TWO_POW_16) * 1e9 + low;
      const top = highTop * 1e9;
      const middle = (top % TWO_POW_16) * TWO_POW_16 + sum;
      w.fixed32(middle % TWO_POW_32);
      w.fixed32(Math.floor(top / TWO_POW_16) + Math.floor(middle / TWO_POW_32));
      return;
    }
  }
  w.fixed64(r.readUint64(name));
}

/** The value of the decimal digits `bytes[start, end)` (at most 15: exact in a double). */
function digitsValue(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + ((bytes[i] as number) - 0x30);
  return value;
}

function writeVarint(t: Transcoding, field: number, value: number): void {
  if (value === 0) return;
  t.w.tag(field, WIRE_VARINT);
  t.w.varint(value);
}

function writeFixed32(t: Transcoding, field: number, value: number): void {
  if (value === 0) return;
  t.w.tag(field, WIRE_I32);
  t.w.fixed32(value);
}

/** An enum as protobuf's int32: one outside 0…2^31-1 would not read back the same. */
function writeEnum(t: Transcoding, field: number, value: number): void {
  if (value < 0 || value > MAX_INT32) throw NOT_DIRECT;
  writeVarint(t, field, value);
}
