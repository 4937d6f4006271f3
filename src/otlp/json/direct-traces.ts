/**
 * OTLP/JSON ExportTraceServiceRequest bytes → domain Spans, read straight from the bytes: no
 * JSON.parse tree of a dozen objects per span to build and then throw away, and values that recur
 * (attribute keys, routes, statements, trace ids) found by their bytes in a cache instead of made
 * again. JSON.parse alone of an SDK's 100-span batch costs more than the whole target per span.
 *
 * Same answer as `decodeTraceRequestJson(JSON.parse(body))`, or none: a body this reader does not
 * read exactly as that path does returns null, and the caller takes that path, which also words any
 * error. It reads the shapes SDKs send. It gives up on any fault (invalid JSON, a value of the wrong
 * type, an id-less span, which that path rejects with a reason), on snake_case field names, duplicate
 * fields, NaN tokens, lists past the per-span bounds, an AnyValue with two values set, and a group
 * whose `resource` or `scope` comes after its spans.
 */
import { type BytesPlace, keptPlaces } from "../../domain/bytes-places.js";
import { type Attributes, type AttrValue, setAttribute } from "../../domain/span.js";
import { MAX_VALUE_DEPTH, noteBytesPlaces } from "../attributes.js";
import {
  DEFAULT_REQUEST_LIMITS,
  MAX_ATTRIBUTES_PER_LIST,
  MAX_ENTRIES_PER_VALUE,
  MAX_EVENTS_PER_SPAN,
  MAX_LINKS_PER_SPAN,
  MAX_VALUES_PER_ITEM,
  type RequestLimits,
  runToEnd,
} from "../limits.js";
import {
  addWireEvent,
  makeEvent,
  makeScope,
  newWireSpan,
  resetWireSpan,
  spanGroup,
  TraceBatch,
  type TraceDecodeResult,
  type WireLink,
  type WireSpan,
} from "../traces.js";
import { MAX_MEMO_BYTES, MEMO_SLOTS, type MemoBackoff, memoMissed } from "./attribute-memo.js";
import { asEnum, asUint32, bytesValue, doubleValue, JsonShapeError } from "./common.js";
import { ByteStringCache, JsonBytes, KeySet, NOT_DIRECT } from "./json-bytes.js";
import {
  type JsonTraceDecodeOptions,
  OTLP_KIND_OF_API_KIND,
  SPAN_KIND_NAMES,
  STATUS_CODE_NAMES,
  traceRequestJsonSteps,
} from "./traces.js";

/** Attribute keys and values, span names, status messages. */
const values = new ByteStringCache(8_192);
/** Trace ids and parent span ids: the spans of a request share them; the flood of new ones has its own table. */
const ids = new ByteStringCache(4_096);

/** A key this reader leaves to the general path (a snake_case spelling). */
const OTHER_SPELLING = -3;

/** Bytes `mayHoldList` looks at. */
const OPEN_BRACE = 0x7b;
const QUOTE = 0x22;
const LETTER_A = 0x61;
const LETTER_R = 0x72;
const LETTER_K = 0x6b;
const LETTER_V = 0x76;

export const REQUEST_KEYS = new KeySet(["resourceSpans", "resource_spans"]);
const RESOURCE_SPANS_KEYS = new KeySet(["resource", "scopeSpans", "scope_spans"]);
const SCOPE_SPANS_KEYS = new KeySet(["scope", "spans"]);
const RESOURCE_KEYS = new KeySet(["attributes"]);
const SCOPE_KEYS = new KeySet(["name", "version", "attributes"]);
export const SPAN_FIELDS = [
  "traceId",
  "spanId",
  "parentSpanId",
  "traceState",
  "flags",
  "name",
  "kind",
  "startTimeUnixNano",
  "endTimeUnixNano",
  "attributes",
  "droppedAttributesCount",
  "droppedEventsCount",
  "droppedLinksCount",
  "events",
  "links",
  "status",
] as const;
const SPAN_SNAKE_FIELDS = [
  "trace_id",
  "span_id",
  "parent_span_id",
  "trace_state",
  "start_time_unix_nano",
  "end_time_unix_nano",
  "dropped_attributes_count",
  "dropped_events_count",
  "dropped_links_count",
];
export const SPAN_KEYS = new KeySet([...SPAN_FIELDS, ...SPAN_SNAKE_FIELDS]);
export const EVENT_KEYS = new KeySet([
  "name",
  "timeUnixNano",
  "attributes",
  "droppedAttributesCount",
  "time_unix_nano",
  "dropped_attributes_count",
]);
export const LINK_KEYS = new KeySet([
  "traceId",
  "spanId",
  "traceState",
  "attributes",
  "droppedAttributesCount",
  "flags",
  "trace_id",
  "span_id",
  "trace_state",
  "dropped_attributes_count",
]);
export const STATUS_KEYS = new KeySet(["code", "message"]);
export const KEY_VALUE_KEYS = new KeySet(["key", "value"]);
export const ANY_VALUE_FIELDS = [
  "stringValue",
  "intValue",
  "boolValue",
  "doubleValue",
  "arrayValue",
  "kvlistValue",
  "bytesValue",
] as const;
export const ANY_VALUE_KEYS = new KeySet([
  ...ANY_VALUE_FIELDS,
  "string_value",
  "int_value",
  "bool_value",
  "double_value",
  "array_value",
  "kvlist_value",
  "bytes_value",
]);
export const VALUES_KEYS = new KeySet(["values"]);

/** A field seen twice: JSON.parse would keep the last one, which this reader does not track. */
export function once(seen: number, field: number): number {
  const bit = 1 << field;
  if ((seen & bit) !== 0) throw NOT_DIRECT;
  return seen | bit;
}

/** Index `index` of `keys`, or OTHER_SPELLING for the snake_case names listed after the first `count`. */
function spelling(index: number, count: number): number {
  return index >= count ? OTHER_SPELLING : index;
}

/**
 * Reads an object's fields with `read(field)`: each of the first `known` keys of `keys` at most once
 * (a repeated field is left to the general path, as are the other spellings listed after them); any
 * other key is stepped over. The hot objects (spans, attributes, values) have this loop inlined.
 */
export function readFields(r: JsonBytes, keys: KeySet, known: number, read: (field: number) => void): void {
  for (const field of fieldsOf(r, keys, known)) read(field);
}

/**
 * Decodes a trace request from its bytes, or returns null when it is not read here (see the module
 * comment): then `decodeTraceRequestJson(parseOtlpJson(bytes))` decodes it.
 */
export function decodeTraceRequestJsonDirect(
  bytes: Uint8Array,
  options: JsonTraceDecodeOptions = {},
): TraceDecodeResult | null {
  return runToEnd(directSteps(bytes, options, DEFAULT_REQUEST_LIMITS, null));
}

/**
 * `decodeTraceRequestJsonDirect` as steps of a few spans each, for a large body read in slices of time
 * (`runPaced`), and inside a span, of its attributes' entries (`StepBudget`). Past one of `limits` the
 * body is left to the general path too, which refuses it.
 */
export function traceRequestJsonDirectSteps(
  bytes: Uint8Array,
  options: JsonTraceDecodeOptions = {},
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
  stepBytes = BYTES_PER_STEP,
): Generator<void, TraceDecodeResult | null, void> {
  return directSteps(bytes, options, limits, new StepBudget(stepBytes));
}

/** The direct reader's steps: spans read in one go when `inSpans` is null (a small body, one turn). */
function* directSteps(
  bytes: Uint8Array,
  options: JsonTraceDecodeOptions,
  limits: RequestLimits,
  inSpans: StepBudget | null,
): Generator<void, TraceDecodeResult | null, void> {
  const reader = new JsonBytes(bytes, limits);
  const batch = new TraceBatch();
  try {
    yield* readRequest(reader, batch, options.apiSpanKinds === true, limits, inSpans);
  } catch (error) {
    if (error === NOT_DIRECT || error instanceof JsonShapeError || error instanceof SyntaxError) return null;
    throw error;
  }
  return batch.result();
}

/**
 * A large trace body as steps: read straight from its bytes, or when that reader leaves it, as
 * `traceRequestJsonSteps` reads it (scanned, then parsed a chunk at a time), which also words any
 * refusal. Either way no JSON.parse tree of the whole body is built.
 */
export function* largeTraceRequestJsonSteps(
  bytes: Uint8Array,
  options: JsonTraceDecodeOptions = {},
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
): Generator<void, TraceDecodeResult, void> {
  const direct = yield* traceRequestJsonDirectSteps(bytes, options, limits);
  return direct ?? (yield* traceRequestJsonSteps(bytes, options, limits));
}

/** Spans read per step (a power of two, as a mask): a few hundred microseconds of work. */
const SPANS_PER_STEP_MASK = 15;

/**
 * What a step inside one span of a large body reads at most, of its attributes: entries (attributes,
 * array items, kvlist entries, read or stepped over) and bytes. Either is well under a millisecond of
 * work once the reader is warm, and a few ms before V8 has optimized it (a fresh server's first wide
 * span). Read in one go, a span of 1,000 attributes of 1,000 entries (18 MB, nearly all of it stepped
 * over past MAX_VALUES_PER_ITEM) held the event loop for 80 ms.
 */
const ENTRIES_PER_STEP = 256;
const BYTES_PER_STEP = 16 * 1024;

/** How much of the current step inside a span is used: entries met and where the step began. */
class StepBudget {
  private entries = 0;
  private mark = 0;

  /** `bytes`: BYTES_PER_STEP, or 0 in tests, which then read every span's lists in steps of one entry. */
  constructor(readonly bytes: number) {}

  /** A span read in steps begins: its first step counts from here. */
  beginSpan(r: JsonBytes): void {
    this.entries = 0;
    this.mark = r.pos;
  }

  /** Before an entry of a list: whether the step is done, and if so the next one begins. */
  due(r: JsonBytes): boolean {
    if (++this.entries < ENTRIES_PER_STEP && r.pos - this.mark < this.bytes) return false;
    this.entries = 0;
    this.mark = r.pos;
    return true;
  }
}

/** Resource and scope groups and items met so far, against the request limits the general path applies. */
interface Counts {
  groups: number;
  scopes: number;
  spans: number;
}

/** The fields `readFields` reads, as their indexes: the caller reads each field's value before asking for the next. */
function* fieldsOf(r: JsonBytes, keys: KeySet, known: number): Generator<number, void, void> {
  r.openObject();
  let seen = 0;
  for (let first = true; ; first = false) {
    const key = r.nextKey(keys, first);
    if (key === -2) return;
    if (key === -1) {
      r.skipValue();
      continue;
    }
    if (key >= known) throw NOT_DIRECT;
    seen = once(seen, key);
    yield key;
  }
}

function* readRequest(
  r: JsonBytes,
  batch: TraceBatch,
  apiKinds: boolean,
  limits: RequestLimits,
  inSpans: StepBudget | null,
): Generator<void, void, void> {
  const counts: Counts = { groups: 0, scopes: 0, spans: 0 };
  const w = newWireSpan();
  const memo = new AttributeMemo(r.bytes);
  for (const _ of fieldsOf(r, REQUEST_KEYS, 1)) {
    if (r.skipNull()) continue;
    r.openArray();
    for (let i = 0; r.nextElement(i === 0); i++) {
      if (++counts.groups > limits.maxGroups) throw NOT_DIRECT;
      yield* readResourceSpans(r, batch, w, memo, i, counts, apiKinds, limits, inSpans);
    }
  }
  if (!r.atEnd()) throw NOT_DIRECT;
}

function* readResourceSpans(
  r: JsonBytes,
  batch: TraceBatch,
  w: WireSpan,
  memo: AttributeMemo,
  i: number,
  counts: Counts,
  apiKinds: boolean,
  limits: RequestLimits,
  inSpans: StepBudget | null,
): Generator<void, void, void> {
  let resource: Attributes = {};
  let resourceBytes: BytesPlace[] | undefined;
  let scopesRead = false;
  for (const field of fieldsOf(r, RESOURCE_SPANS_KEYS, 2)) {
    if (field === 0) {
      // The group's spans are read with its resource: one written after them is left to the general path.
      if (scopesRead) throw NOT_DIRECT;
      if (r.skipNull()) continue;
      resource = {};
      const into = resource;
      const places: BytesPlace[] = [];
      r.itemValues = 0;
      readFields(r, RESOURCE_KEYS, 1, () => readKeyValues(r, into, 1, places));
      resourceBytes = keptPlaces(places, resource);
      continue;
    }
    scopesRead = true;
    if (r.skipNull()) continue;
    r.openArray();
    for (let j = 0; r.nextElement(j === 0); j++) {
      if (++counts.scopes > limits.maxGroups) throw NOT_DIRECT;
      yield* readScopeSpans(r, batch, w, memo, resource, resourceBytes, i, j, counts, apiKinds, limits, inSpans);
    }
  }
}

function* readScopeSpans(
  r: JsonBytes,
  batch: TraceBatch,
  w: WireSpan,
  memo: AttributeMemo,
  resource: Attributes,
  resourceBytes: BytesPlace[] | undefined,
  i: number,
  j: number,
  counts: Counts,
  apiKinds: boolean,
  limits: RequestLimits,
  inSpans: StepBudget | null,
): Generator<void, void, void> {
  let name = "";
  let version = "";
  let attributes: Attributes = {};
  let places: BytesPlace[] = [];
  let spansRead = false;
  for (const field of fieldsOf(r, SCOPE_SPANS_KEYS, 2)) {
    if (field === 0) {
      if (spansRead) throw NOT_DIRECT;
      if (r.skipNull()) continue;
      readFields(r, SCOPE_KEYS, 3, (scopeField) => {
        if (scopeField === 0) name = r.readString(values) ?? "";
        else if (scopeField === 1) version = r.readString(values) ?? "";
        else {
          attributes = {};
          places = [];
          r.itemValues = 0;
          readKeyValues(r, attributes, 1, places);
        }
      });
      continue;
    }
    spansRead = true;
    if (r.skipNull()) continue;
    const group = spanGroup(resource, makeScope(name, version, attributes, places), i, j, resourceBytes);
    r.openArray();
    for (let k = 0; r.nextElement(k === 0); k++) {
      if (++counts.spans > limits.maxItems) throw NOT_DIRECT;
      if (inSpans === null) readSpan(r, resetWireSpan(w), apiKinds, memo);
      else if (!readSpanWithin(r, resetWireSpan(w), apiKinds, memo, inSpans.bytes)) {
        yield* spanSteps(r, resetWireSpan(w), apiKinds, inSpans);
      }
      batch.add(w, group, k);
      if ((counts.spans & SPANS_PER_STEP_MASK) === 0) yield;
    }
  }
}

/** SPAN_FIELDS' indexes of `events` and `links`, as bits of `once`'s `seen`. */
const EVENTS_BIT = 1 << 13;
const LINKS_BIT = 1 << 14;

/**
 * Whether the span's lists came in another order than the general path reads them (attributes,
 * events, links), when its values reached MAX_VALUES_PER_ITEM: which values its bound drops depends
 * on that order, so the span is left to the general path.
 */
function boundInOtherOrder(r: JsonBytes, otherOrder: boolean): boolean {
  return otherOrder && r.itemValues >= MAX_VALUES_PER_ITEM;
}

function readSpan(r: JsonBytes, w: WireSpan, apiKinds: boolean, memo: AttributeMemo): void {
  r.itemValues = 0;
  r.openObject();
  let seen = 0;
  let translateKind = true;
  let otherOrder = false;
  for (let first = true; ; first = false) {
    const key = spelling(r.nextKey(SPAN_KEYS, first), SPAN_FIELDS.length);
    if (key === -2) break;
    if (key === -1) {
      r.skipValue();
      continue;
    }
    if (key === OTHER_SPELLING) throw NOT_DIRECT;
    seen = once(seen, key);
    switch (key) {
      case 0:
        w.traceId = r.readString(ids) ?? "";
        break;
      case 1:
        w.spanId = r.readString(null) ?? "";
        break;
      case 2:
        w.parentSpanId = r.readString(ids) ?? "";
        break;
      case 3:
        w.traceState = r.readString(values) ?? "";
        break;
      case 4:
        w.flags = asUint32(r.readScalar(), "flags");
        break;
      case 5:
        w.name = r.readString(values) ?? "";
        break;
      case 6: {
        const kind = r.readScalar();
        w.kind = asEnum(kind, "kind", SPAN_KIND_NAMES);
        // Kinds given by name are OTLP's whatever the sender (see JsonTraceDecodeOptions).
        translateKind = typeof kind !== "string";
        break;
      }
      case 7:
        w.startTimeUnixNano = r.readUint64("startTimeUnixNano");
        break;
      case 8:
        w.endTimeUnixNano = r.readUint64("endTimeUnixNano");
        break;
      case 9:
        if ((seen & (EVENTS_BIT | LINKS_BIT)) !== 0) otherOrder = true;
        w.attributesOverLimit = readKeyValues(r, w.attributes, 1, w.bytesKeys, memo);
        break;
      case 10:
        w.droppedAttributesCount = asUint32(r.readScalar(), "droppedAttributesCount");
        break;
      case 11:
        w.droppedEventsCount = asUint32(r.readScalar(), "droppedEventsCount");
        break;
      case 12:
        w.droppedLinksCount = asUint32(r.readScalar(), "droppedLinksCount");
        break;
      case 13:
        if ((seen & LINKS_BIT) !== 0) otherOrder = true;
        readEvents(r, w);
        break;
      case 14:
        readLinks(r, w);
        break;
      default:
        readStatus(r, w);
    }
  }
  if (boundInOtherOrder(r, otherOrder)) throw NOT_DIRECT;
  if (apiKinds && translateKind) w.kind = OTLP_KIND_OF_API_KIND[w.kind] ?? w.kind;
}

/** Thrown (one instance) by the readers in one go past `JsonBytes.readTo`. */
const OVER_BUDGET: Error = Object.freeze(new Error("read in steps"));

/**
 * A span of a large body in one go, as `readSpan` reads it, while its lists take at most one step's
 * bytes: nearly every span, without the cost of reading in steps (two generators a span, 10% more CPU
 * time for a body of ordinary spans). Else false, the reader back at the span's start, to read it
 * with `spanSteps`: what it read of it, `bytes` (BYTES_PER_STEP) and the value past them, is read again.
 */
function readSpanWithin(r: JsonBytes, w: WireSpan, apiKinds: boolean, memo: AttributeMemo, bytes: number): boolean {
  r.setMark();
  r.readTo = r.pos + bytes;
  try {
    readSpan(r, w, apiKinds, memo);
    return true;
  } catch (error) {
    if (error !== OVER_BUDGET) throw error;
    r.backToMark();
    return false;
  } finally {
    r.readTo = Number.POSITIVE_INFINITY;
  }
}

/**
 * `readSpan` in a large body: its attributes, and the lists in their values, in steps (`StepBudget`).
 * The steps readers below repeat what their one-go readers check and read rather than share helpers
 * with them: those read every span of a small body, which was 4-12% slower with the helpers' calls
 * (an A/B of both builds in one process, where two copies of one build differed by up to 4%). `test/otlp/direct-traces.test.ts` holds the two to one
 * answer on its 20,000 mutated bodies.
 */
function* spanSteps(r: JsonBytes, w: WireSpan, apiKinds: boolean, steps: StepBudget): Generator<void, void, void> {
  steps.beginSpan(r);
  r.itemValues = 0;
  r.openObject();
  let seen = 0;
  let kindByName = false;
  let otherOrder = false;
  for (let first = true; ; first = false) {
    const key = spelling(r.nextKey(SPAN_KEYS, first), SPAN_FIELDS.length);
    if (key === -2) break;
    if (key === -1) {
      r.skipValue();
      continue;
    }
    if (key === OTHER_SPELLING) throw NOT_DIRECT;
    seen = once(seen, key);
    if ((seen & (key === ATTRIBUTES_FIELD ? EVENTS_BIT | LINKS_BIT : key === 13 ? LINKS_BIT : 0)) !== 0) {
      otherOrder = true;
    }
    if (key === ATTRIBUTES_FIELD) w.attributesOverLimit = yield* keyValueSteps(r, w.attributes, 1, steps, w.bytesKeys);
    else if (readSpanField(r, w, key)) kindByName = true;
  }
  if (boundInOtherOrder(r, otherOrder)) throw NOT_DIRECT;
  if (apiKinds && !kindByName) w.kind = OTLP_KIND_OF_API_KIND[w.kind] ?? w.kind;
}

/** SPAN_FIELDS' index of `attributes`, the field `readSpanField` leaves to its caller. */
const ATTRIBUTES_FIELD = 9;

/** A span's field `key` other than its attributes into `w`, as `readSpan` reads it; true for a kind given by name. */
function readSpanField(r: JsonBytes, w: WireSpan, key: number): boolean {
  switch (key) {
    case 0:
      w.traceId = r.readString(ids) ?? "";
      break;
    case 1:
      w.spanId = r.readString(null) ?? "";
      break;
    case 2:
      w.parentSpanId = r.readString(ids) ?? "";
      break;
    case 3:
      w.traceState = r.readString(values) ?? "";
      break;
    case 4:
      w.flags = asUint32(r.readScalar(), "flags");
      break;
    case 5:
      w.name = r.readString(values) ?? "";
      break;
    case 6: {
      const kind = r.readScalar();
      w.kind = asEnum(kind, "kind", SPAN_KIND_NAMES);
      return typeof kind === "string";
    }
    case 7:
      w.startTimeUnixNano = r.readUint64("startTimeUnixNano");
      break;
    case 8:
      w.endTimeUnixNano = r.readUint64("endTimeUnixNano");
      break;
    case 10:
      w.droppedAttributesCount = asUint32(r.readScalar(), "droppedAttributesCount");
      break;
    case 11:
      w.droppedEventsCount = asUint32(r.readScalar(), "droppedEventsCount");
      break;
    case 12:
      w.droppedLinksCount = asUint32(r.readScalar(), "droppedLinksCount");
      break;
    case 13:
      readEvents(r, w);
      break;
    case 14:
      readLinks(r, w);
      break;
    default:
      readStatus(r, w);
  }
  return false;
}

function readEvents(r: JsonBytes, w: WireSpan): void {
  if (r.skipNull()) return;
  r.openArray();
  for (let n = 0; r.nextElement(n === 0); n++) {
    if (n >= MAX_EVENTS_PER_SPAN) throw NOT_DIRECT;
    let name = "";
    let time = 0n;
    let attributes: Attributes = {};
    let dropped = 0;
    let overLimit = 0;
    const keys = w.itemBytesKeys;
    keys.length = 0;
    readFields(r, EVENT_KEYS, 4, (field) => {
      if (field === 0) name = r.readString(values) ?? "";
      else if (field === 1) time = r.readUint64("timeUnixNano");
      else if (field === 2) {
        attributes = {};
        keys.length = 0;
        overLimit = readKeyValues(r, attributes, 1, keys);
      } else dropped = asUint32(r.readScalar(), "droppedAttributesCount");
    });
    addWireEvent(w, makeEvent(name, time, attributes, dropped + overLimit, keys));
  }
}

function readLinks(r: JsonBytes, w: WireSpan): void {
  if (r.skipNull()) return;
  r.openArray();
  for (let n = 0; r.nextElement(n === 0); n++) {
    if (n >= MAX_LINKS_PER_SPAN) throw NOT_DIRECT;
    const link: WireLink = {
      traceId: "",
      spanId: "",
      traceState: "",
      attributes: {},
      droppedAttributesCount: 0,
      flags: 0,
    };
    let overLimit = 0;
    const keys = w.itemBytesKeys;
    keys.length = 0;
    readFields(r, LINK_KEYS, 6, (field) => {
      if (field === 0) link.traceId = r.readString(null) ?? "";
      else if (field === 1) link.spanId = r.readString(null) ?? "";
      else if (field === 2) link.traceState = r.readString(null) ?? "";
      else if (field === 3) overLimit = readKeyValues(r, link.attributes, 1, keys);
      else if (field === 4) link.droppedAttributesCount = asUint32(r.readScalar(), "droppedAttributesCount");
      else link.flags = asUint32(r.readScalar(), "flags");
    });
    link.droppedAttributesCount += overLimit;
    if (keys.length !== 0) link.bytes = [...keys];
    w.links.push(link);
  }
}

/** Every span has one: read in a loop of its own, without readFields' generator and closure per call. */
function readStatus(r: JsonBytes, w: WireSpan): void {
  if (r.skipNull()) return;
  r.openObject();
  let seen = 0;
  for (let first = true; ; first = false) {
    const field = r.nextKey(STATUS_KEYS, first);
    if (field === -2) return;
    if (field === -1) {
      r.skipValue();
      continue;
    }
    seen = once(seen, field);
    if (field === 0) w.statusCode = asEnum(r.readScalar(), "code", STATUS_CODE_NAMES);
    else w.statusMessage = r.readString(values) ?? "";
  }
}

/**
 * A `repeated KeyValue` list (or null) into `into`, values at nesting `depth`; the last duplicate key
 * wins. Returns how many entries of its values were dropped past MAX_ENTRIES_PER_VALUE, and entries
 * or attributes past MAX_VALUES_PER_ITEM, stepped over unread as the general path leaves them unread.
 */
/**
 * A KeyValue list (or null) at nesting `depth` into `into`; the bytes values of an attribute list in
 * `bytesKeys`; a span's attributes with the request's `memo`. Returns the entries dropped.
 */
function readKeyValues(
  r: JsonBytes,
  into: Attributes,
  depth: number,
  bytesKeys: BytesPlace[] | null = null,
  memo: AttributeMemo | null = null,
): number {
  const dropped = r.entriesDropped;
  if (r.skipNull()) return 0;
  // Inside a map value: the bytes paths open before it (see NestedBytes.entry).
  const listOpen = r.nested.paths.length;
  r.openArray();
  for (let n = 0; r.nextElement(n === 0); n++) {
    if (r.pos > r.readTo) throw OVER_BUDGET;
    // Past the bound of a list the general path neither reads nor checks the rest (a kvlist value's
    // entries are bounded by what its attribute's value has left, below).
    if ((depth === 1 && n >= MAX_ATTRIBUTES_PER_LIST) || depth > MAX_VALUE_DEPTH) throw NOT_DIRECT;
    // Past the item's bound, attributes and entries alike are stepped over and counted.
    if (r.itemValues >= MAX_VALUES_PER_ITEM) {
      r.skipValue();
      r.entriesDropped++;
      continue;
    }
    if (depth === 1) {
      r.valueEntries = 0;
      r.valueWasBytes = false;
      r.nested.clear();
    } else if (r.valueEntries === MAX_ENTRIES_PER_VALUE) {
      r.skipValue();
      r.entriesDropped++;
      continue;
    } else {
      r.valueEntries++;
    }
    const open = r.nested.paths.length;
    const slot = memo === null ? null : memo.slot(n);
    if (slot !== null && memo?.readAgain(r, slot) === true) {
      setAttribute(into, slot.key, slot.value);
      noteBytes(r, bytesKeys, slot.key, depth, listOpen, open);
      continue;
    }
    const start = r.pos;
    const opened = r.opened;
    const itemValues = r.itemValues;
    r.openObject();
    let seen = 0;
    let key = "";
    let value: AttrValue = null;
    for (let first = true; ; first = false) {
      const field = r.nextKey(KEY_VALUE_KEYS, first);
      if (field === -2) break;
      if (field === -1) {
        r.skipValue();
        continue;
      }
      seen = once(seen, field);
      if (field === 0) key = r.readString(values) ?? "";
      else value = r.skipNull() ? null : readAnyValue(r, depth);
    }
    setAttribute(into, key, value);
    // A value that is an object (a list, a map) is the span's own; so are the places of bytes values.
    if (
      slot !== null &&
      (typeof value !== "object" || value === null) &&
      !r.valueWasBytes &&
      r.nested.paths.length === 0
    )
      memo?.remember(r, slot, start, key, value, opened, r.itemValues - itemValues);
    else if (slot !== null) slot.end = slot.start;
    noteBytes(r, bytesKeys, key, depth, listOpen, open);
  }
  return r.entriesDropped - dropped;
}

/** One attribute as a span last held it at its index: its JSON in the request, and what it was read as. */
interface MemoSlot extends MemoBackoff {
  /** Where its JSON starts and ends in the request (end = start: nothing remembered). */
  start: number;
  end: number;
  key: string;
  /** A value that is no object (a string, number, boolean, null): the same shared by every span. */
  value: AttrValue;
  /** Objects and arrays its JSON opened, and values it counted. */
  opened: number;
  values: number;
}

/**
 * The attributes of a request's spans as the last span held them, index by index: the spans of a
 * request mostly carry the same attributes in the same order, many with the same values. An attribute
 * whose JSON bytes are those remembered at its index (read at the same nesting) is the same key and
 * value, taken without reading it again.
 */
class AttributeMemo {
  private readonly slots: (MemoSlot | undefined)[] = [];
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The slot of `index`, or null when the attribute there is read without it this time. */
  slot(index: number): MemoSlot | null {
    if (index >= MEMO_SLOTS) return null;
    let slot = this.slots[index];
    if (slot === undefined) {
      slot = { start: 0, end: 0, key: "", value: null, opened: 0, values: 0, wait: 0, backoff: 0 };
      this.slots[index] = slot;
    } else if (slot.wait > 0) {
      slot.wait--;
      return null;
    }
    return slot;
  }

  /** Steps over the attribute at the cursor when its JSON is the one `slot` remembers, counting it; false (nothing read) otherwise. */
  readAgain(r: JsonBytes, slot: MemoSlot): boolean {
    const { start, end } = slot;
    const length = end - start;
    if (length === 0) return false;
    r.peek();
    if (!this.sameBytes(r.pos, start, length)) {
      memoMissed(slot);
      return false;
    }
    slot.backoff = 0;
    r.stepOver(length, slot.opened);
    r.itemValues += slot.values;
    return true;
  }

  /** Remembers the attribute just read from `start` (what it counted since `opened`, and its `values`) in `slot`. */
  remember(r: JsonBytes, slot: MemoSlot, start: number, key: string, value: AttrValue, opened: number, values: number) {
    // Its first byte, past the white space before it.
    let from = start;
    while (from < r.pos && this.bytes[from] !== OPEN_BRACE) from++;
    if (r.pos - from > MAX_MEMO_BYTES) {
      slot.end = slot.start;
      return;
    }
    slot.start = from;
    slot.end = r.pos;
    slot.key = key;
    slot.value = value;
    slot.opened = r.opened - opened;
    slot.values = values;
  }

  /** Whether the `length` bytes of the request at `at` are those at `start`. */
  private sameBytes(at: number, start: number, length: number): boolean {
    const { bytes, view } = this;
    if (at + length > bytes.length) return false;
    // From the end (values differ more often than keys, and towards their ends), four bytes at a time.
    let k = length - 4;
    for (; k >= 0; k -= 4) if (view.getInt32(at + k) !== view.getInt32(start + k)) return false;
    for (k += 3; k >= 0; k--) if (bytes[at + k] !== bytes[start + k]) return false;
    return true;
  }
}

/**
 * After the value of entry `key` is read: at nesting 1 (an attribute), notes in `bytesKeys` (when
 * given) where its bytes values are; inside a map value, gives the bytes paths it opened its key
 * (`listOpen`, `open`: the paths open when the map and the entry began; see NestedBytes.entry).
 */
function noteBytes(
  r: JsonBytes,
  bytesKeys: BytesPlace[] | null,
  key: string,
  depth: number,
  listOpen: number,
  open: number,
): void {
  if (depth !== 1) {
    if (r.nested.paths.length !== listOpen) r.nested.entry(listOpen, open, key);
  } else if (bytesKeys !== null) {
    noteBytesPlaces(bytesKeys, key, r.valueWasBytes, r.nested);
  }
}

/** `readKeyValues` in steps: a step ends between two entries, of this list or of a list value in it. */
function* keyValueSteps(
  r: JsonBytes,
  into: Attributes,
  depth: number,
  steps: StepBudget,
  bytesKeys: BytesPlace[] | null = null,
): Generator<void, number, void> {
  const dropped = r.entriesDropped;
  if (r.skipNull()) return 0;
  const listOpen = r.nested.paths.length;
  r.openArray();
  for (let n = 0; r.nextElement(n === 0); n++) {
    if (steps.due(r)) yield;
    if (!keyValueKept(r, depth, n)) continue;
    const open = r.nested.paths.length;
    r.openObject();
    let seen = 0;
    let key = "";
    let value: AttrValue = null;
    for (let first = true; ; first = false) {
      const field = r.nextKey(KEY_VALUE_KEYS, first);
      if (field === -2) break;
      if (field === -1) {
        r.skipValue();
        continue;
      }
      seen = once(seen, field);
      if (field === 0) key = r.readString(values) ?? "";
      else if (mayHoldList(r)) value = yield* anyValueSteps(r, depth, steps);
      else value = r.skipNull() ? null : readAnyValue(r, depth);
    }
    setAttribute(into, key, value);
    noteBytes(r, bytesKeys, key, depth, listOpen, open);
  }
  return r.entriesDropped - dropped;
}

/**
 * Before the `n`th entry of a KeyValue list at nesting `depth`: true to read it, false when it was
 * stepped over and counted (past MAX_VALUES_PER_ITEM, or past MAX_ENTRIES_PER_VALUE of a kvlist value).
 */
function keyValueKept(r: JsonBytes, depth: number, n: number): boolean {
  // Past the bound of a list the general path neither reads nor checks the rest (a kvlist value's
  // entries are bounded by what its attribute's value has left, below).
  if ((depth === 1 && n >= MAX_ATTRIBUTES_PER_LIST) || depth > MAX_VALUE_DEPTH) throw NOT_DIRECT;
  // Past the item's bound, attributes and entries alike are stepped over and counted.
  if (r.itemValues >= MAX_VALUES_PER_ITEM) {
    r.skipValue();
    r.entriesDropped++;
    return false;
  }
  if (depth === 1) {
    r.valueEntries = 0;
    r.valueWasBytes = false;
    r.nested.clear();
  } else if (r.valueEntries === MAX_ENTRIES_PER_VALUE) {
    r.skipValue();
    r.entriesDropped++;
    return false;
  } else {
    r.valueEntries++;
  }
  return true;
}

/**
 * Whether the AnyValue ahead starts with a field spelled `ar…` or `kv…` (`arrayValue`, `kvlistValue`):
 * such a value is read in steps, any other in one go. Only a guess, written for speed: either way
 * reads the same value.
 */
function mayHoldList(r: JsonBytes): boolean {
  if (r.peek() !== OPEN_BRACE) return false;
  const b = r.bytes;
  const at = r.pos + 2;
  if (b[at - 1] !== QUOTE) return false;
  const c = b[at];
  return (c === LETTER_A && b[at + 1] === LETTER_R) || (c === LETTER_K && b[at + 1] === LETTER_V);
}

/** An AnyValue object at nesting `depth` (1 for an attribute's own value); one with no value set is null. */
function readAnyValue(r: JsonBytes, depth: number): AttrValue {
  if (depth > MAX_VALUE_DEPTH) throw NOT_DIRECT;
  r.itemValues++;
  r.openObject();
  let value: AttrValue = null;
  let set = false;
  for (let first = true; ; first = false) {
    const key = spelling(r.nextKey(ANY_VALUE_KEYS, first), ANY_VALUE_FIELDS.length);
    if (key === -2) return value;
    if (key === -1) {
      r.skipValue();
      continue;
    }
    if (key === OTHER_SPELLING) throw NOT_DIRECT;
    // A null field counts as not set.
    if (r.skipNull()) continue;
    // Which of two set fields wins is the general path's rule.
    if (set) throw NOT_DIRECT;
    set = true;
    switch (key) {
      case 0: {
        const text = r.readString(values);
        if (text === null) throw NOT_DIRECT;
        value = text;
        break;
      }
      case 1:
        value = r.nested.foundInt(r.readInt64());
        break;
      case 2: {
        const flag = r.readScalar();
        if (typeof flag !== "boolean") throw NOT_DIRECT;
        value = flag;
        break;
      }
      case 3:
        value = doubleValue(r.readScalar());
        break;
      case 4:
        value = readArrayValue(r, depth);
        break;
      case 5:
        value = readKvListValue(r, depth);
        break;
      default:
        value = bytesValue(r.readScalar());
        if (depth === 1) r.valueWasBytes = true;
        else r.nested.found();
    }
  }
}

/** `readAnyValue` in steps, for a value that holds a list: a step ends between two of its entries. */
function* anyValueSteps(r: JsonBytes, depth: number, steps: StepBudget): Generator<void, AttrValue, void> {
  if (depth > MAX_VALUE_DEPTH) throw NOT_DIRECT;
  r.itemValues++;
  r.openObject();
  let value: AttrValue = null;
  let set = false;
  for (let first = true; ; first = false) {
    const key = anyValueKey(r, first, set);
    if (key === -2) return value;
    if (key === -1) continue;
    set = true;
    if (key === ARRAY_VALUE_FIELD) value = yield* arrayValueSteps(r, depth, steps);
    else if (key === KVLIST_VALUE_FIELD) value = yield* kvListValueSteps(r, depth, steps);
    else value = readAnyValueField(r, key, depth);
  }
}

/** ANY_VALUE_FIELDS' indexes of the two fields that hold lists. */
const ARRAY_VALUE_FIELD = 4;
const KVLIST_VALUE_FIELD = 5;

/**
 * Inside an AnyValue object: the next field's index in ANY_VALUE_FIELDS, -1 for a field stepped over
 * (unknown, or null: not set), -2 past the object's end. `set` is whether a field was set already.
 */
function anyValueKey(r: JsonBytes, first: boolean, set: boolean): number {
  const key = spelling(r.nextKey(ANY_VALUE_KEYS, first), ANY_VALUE_FIELDS.length);
  if (key === -2) return key;
  if (key === -1) {
    r.skipValue();
    return key;
  }
  if (key === OTHER_SPELLING) throw NOT_DIRECT;
  // A null field counts as not set.
  if (r.skipNull()) return -1;
  // Which of two set fields wins is the general path's rule.
  if (set) throw NOT_DIRECT;
  return key;
}

/** The value of an AnyValue's field `key` (an index in ANY_VALUE_FIELDS), the AnyValue at nesting `depth`. */
function readAnyValueField(r: JsonBytes, key: number, depth: number): AttrValue {
  switch (key) {
    case 0: {
      const text = r.readString(values);
      if (text === null) throw NOT_DIRECT;
      return text;
    }
    case 1:
      return r.nested.foundInt(r.readInt64());
    case 2: {
      const flag = r.readScalar();
      if (typeof flag !== "boolean") throw NOT_DIRECT;
      return flag;
    }
    case 3:
      return doubleValue(r.readScalar());
    case ARRAY_VALUE_FIELD:
      return readArrayValue(r, depth);
    case KVLIST_VALUE_FIELD:
      return readKvListValue(r, depth);
    default: {
      const value = bytesValue(r.readScalar());
      if (depth === 1) r.valueWasBytes = true;
      else r.nested.found();
      return value;
    }
  }
}

/**
 * `{ "values": [KeyValue…] }` at nesting `depth` → an object of them at depth + 1. Apart from
 * readAnyValue, so that its closure does not make every value's read allocate a context.
 */
function readKvListValue(r: JsonBytes, depth: number): Attributes {
  const kvlist: Attributes = {};
  readValuesOf(r, (rr) => readKeyValues(rr, kvlist, depth + 1));
  return kvlist;
}

/** `readKvListValue` in steps. */
function* kvListValueSteps(r: JsonBytes, depth: number, steps: StepBudget): Generator<void, Attributes, void> {
  const kvlist: Attributes = {};
  for (const _ of fieldsOf(r, VALUES_KEYS, 1)) yield* keyValueSteps(r, kvlist, depth + 1, steps);
  return kvlist;
}

/** `{ "values": [AnyValue…] }` at nesting `depth` → its items at depth + 1. */
function readArrayValue(r: JsonBytes, depth: number): AttrValue[] {
  const out: AttrValue[] = [];
  readValuesOf(r, (rr) => {
    if (rr.skipNull()) return;
    rr.openArray();
    for (let n = 0; rr.nextElement(n === 0); n++) {
      if (rr.pos > rr.readTo) throw OVER_BUDGET;
      if (depth + 1 > MAX_VALUE_DEPTH) throw NOT_DIRECT;
      if (rr.valueEntries === MAX_ENTRIES_PER_VALUE || rr.itemValues >= MAX_VALUES_PER_ITEM) {
        rr.skipValue();
        rr.entriesDropped++;
        continue;
      }
      rr.valueEntries++;
      const open = rr.nested.paths.length;
      out.push(rr.skipNull() ? null : readAnyValue(rr, depth + 1));
      if (rr.nested.paths.length !== open) rr.nested.step(open, out.length - 1);
    }
  });
  return out;
}

/** `readArrayValue` in steps: a step ends between two of its entries, or inside one that holds a list. */
function* arrayValueSteps(r: JsonBytes, depth: number, steps: StepBudget): Generator<void, AttrValue[], void> {
  const out: AttrValue[] = [];
  for (const _ of fieldsOf(r, VALUES_KEYS, 1)) {
    if (r.skipNull()) continue;
    r.openArray();
    for (let n = 0; r.nextElement(n === 0); n++) {
      if (steps.due(r)) yield;
      if (!arrayEntryKept(r, depth)) continue;
      const open = r.nested.paths.length;
      if (mayHoldList(r)) out.push(yield* anyValueSteps(r, depth + 1, steps));
      else out.push(r.skipNull() ? null : readAnyValue(r, depth + 1));
      if (r.nested.paths.length !== open) r.nested.step(open, out.length - 1);
    }
  }
  return out;
}

/**
 * Before an entry of an array value at nesting `depth`: true to read it, false when it was stepped
 * over and counted (past MAX_ENTRIES_PER_VALUE or MAX_VALUES_PER_ITEM).
 */
function arrayEntryKept(r: JsonBytes, depth: number): boolean {
  if (depth + 1 > MAX_VALUE_DEPTH) throw NOT_DIRECT;
  if (r.valueEntries === MAX_ENTRIES_PER_VALUE || r.itemValues >= MAX_VALUES_PER_ITEM) {
    r.skipValue();
    r.entriesDropped++;
    return false;
  }
  r.valueEntries++;
  return true;
}

/** An ArrayValue or KeyValueList object: `read` reads its `values` field. */
function readValuesOf(r: JsonBytes, read: (r: JsonBytes) => void): void {
  readFields(r, VALUES_KEYS, 1, () => read(r));
}
