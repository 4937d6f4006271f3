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
import { type Attributes, type AttrValue, setAttribute } from "../../domain/span.js";
import { MAX_VALUE_DEPTH } from "../attributes.js";
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
  return runToEnd(traceRequestJsonDirectSteps(bytes, options));
}

/**
 * `decodeTraceRequestJsonDirect` as steps of a few spans each, for a large body read in slices of time
 * (`runPaced`). Past one of `limits` the body is left to the general path too, which refuses it.
 */
export function* traceRequestJsonDirectSteps(
  bytes: Uint8Array,
  options: JsonTraceDecodeOptions = {},
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
): Generator<void, TraceDecodeResult | null, void> {
  const reader = new JsonBytes(bytes, limits);
  const batch = new TraceBatch();
  try {
    yield* readRequest(reader, batch, options.apiSpanKinds === true, limits);
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
): Generator<void, void, void> {
  const counts: Counts = { groups: 0, scopes: 0, spans: 0 };
  const w = newWireSpan();
  for (const _ of fieldsOf(r, REQUEST_KEYS, 1)) {
    if (r.skipNull()) continue;
    r.openArray();
    for (let i = 0; r.nextElement(i === 0); i++) {
      if (++counts.groups > limits.maxGroups) throw NOT_DIRECT;
      yield* readResourceSpans(r, batch, w, i, counts, apiKinds, limits);
    }
  }
  if (!r.atEnd()) throw NOT_DIRECT;
}

function* readResourceSpans(
  r: JsonBytes,
  batch: TraceBatch,
  w: WireSpan,
  i: number,
  counts: Counts,
  apiKinds: boolean,
  limits: RequestLimits,
): Generator<void, void, void> {
  let resource: Attributes = {};
  let scopesRead = false;
  for (const field of fieldsOf(r, RESOURCE_SPANS_KEYS, 2)) {
    if (field === 0) {
      // The group's spans are read with its resource: one written after them is left to the general path.
      if (scopesRead) throw NOT_DIRECT;
      if (r.skipNull()) continue;
      resource = {};
      const into = resource;
      r.itemValues = 0;
      readFields(r, RESOURCE_KEYS, 1, () => readKeyValues(r, into, 1));
      continue;
    }
    scopesRead = true;
    if (r.skipNull()) continue;
    r.openArray();
    for (let j = 0; r.nextElement(j === 0); j++) {
      if (++counts.scopes > limits.maxGroups) throw NOT_DIRECT;
      yield* readScopeSpans(r, batch, w, resource, i, j, counts, apiKinds, limits);
    }
  }
}

function* readScopeSpans(
  r: JsonBytes,
  batch: TraceBatch,
  w: WireSpan,
  resource: Attributes,
  i: number,
  j: number,
  counts: Counts,
  apiKinds: boolean,
  limits: RequestLimits,
): Generator<void, void, void> {
  let name = "";
  let version = "";
  let attributes: Attributes = {};
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
          r.itemValues = 0;
          readKeyValues(r, attributes, 1);
        }
      });
      continue;
    }
    spansRead = true;
    if (r.skipNull()) continue;
    const group = spanGroup(resource, makeScope(name, version, attributes), i, j);
    r.openArray();
    for (let k = 0; r.nextElement(k === 0); k++) {
      if (++counts.spans > limits.maxItems) throw NOT_DIRECT;
      readSpan(r, resetWireSpan(w), apiKinds);
      batch.add(w, group, k);
      if ((counts.spans & SPANS_PER_STEP_MASK) === 0) yield;
    }
  }
}

function readSpan(r: JsonBytes, w: WireSpan, apiKinds: boolean): void {
  r.itemValues = 0;
  r.openObject();
  let seen = 0;
  let translateKind = true;
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
        w.attributesOverLimit = readKeyValues(r, w.attributes, 1);
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
  }
  if (apiKinds && translateKind) w.kind = OTLP_KIND_OF_API_KIND[w.kind] ?? w.kind;
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
    readFields(r, EVENT_KEYS, 4, (field) => {
      if (field === 0) name = r.readString(values) ?? "";
      else if (field === 1) time = r.readUint64("timeUnixNano");
      else if (field === 2) {
        attributes = {};
        overLimit = readKeyValues(r, attributes, 1);
      } else dropped = asUint32(r.readScalar(), "droppedAttributesCount");
    });
    addWireEvent(w, makeEvent(name, time, attributes, dropped + overLimit));
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
    readFields(r, LINK_KEYS, 6, (field) => {
      if (field === 0) link.traceId = r.readString(null) ?? "";
      else if (field === 1) link.spanId = r.readString(null) ?? "";
      else if (field === 2) link.traceState = r.readString(null) ?? "";
      else if (field === 3) overLimit = readKeyValues(r, link.attributes, 1);
      else if (field === 4) link.droppedAttributesCount = asUint32(r.readScalar(), "droppedAttributesCount");
      else link.flags = asUint32(r.readScalar(), "flags");
    });
    link.droppedAttributesCount += overLimit;
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
function readKeyValues(r: JsonBytes, into: Attributes, depth: number): number {
  const dropped = r.entriesDropped;
  if (r.skipNull()) return 0;
  r.openArray();
  for (let n = 0; r.nextElement(n === 0); n++) {
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
    } else if (r.valueEntries === MAX_ENTRIES_PER_VALUE) {
      r.skipValue();
      r.entriesDropped++;
      continue;
    } else {
      r.valueEntries++;
    }
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
  }
  return r.entriesDropped - dropped;
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
        value = r.readInt64();
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

/** `{ "values": [AnyValue…] }` at nesting `depth` → its items at depth + 1. */
function readArrayValue(r: JsonBytes, depth: number): AttrValue[] {
  const out: AttrValue[] = [];
  readValuesOf(r, (rr) => {
    if (rr.skipNull()) return;
    rr.openArray();
    for (let n = 0; rr.nextElement(n === 0); n++) {
      if (depth + 1 > MAX_VALUE_DEPTH) throw NOT_DIRECT;
      if (rr.valueEntries === MAX_ENTRIES_PER_VALUE || rr.itemValues >= MAX_VALUES_PER_ITEM) {
        rr.skipValue();
        rr.entriesDropped++;
        continue;
      }
      rr.valueEntries++;
      out.push(rr.skipNull() ? null : readAnyValue(rr, depth + 1));
    }
  });
  return out;
}

/** An ArrayValue or KeyValueList object: `read` reads its `values` field. */
function readValuesOf(r: JsonBytes, read: (r: JsonBytes) => void): void {
  readFields(r, VALUES_KEYS, 1, () => read(r));
}
