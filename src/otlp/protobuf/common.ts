/**
 * opentelemetry.proto.common.v1 and resource.v1 messages, decoded straight into AttrValue.
 *
 * Convention: a `read*` function decodes the message the reader is inside (after `enter()`), up to
 * `r.end`; `read*Field` functions are called right after the field's tag and do the enter/leave.
 * Fields may arrive in any order and a singular message field may repeat (protobuf merges them), so
 * values are collected first and combined at the end.
 */
import type { BytesPlace } from "../../domain/bytes-places.js";
import { type Attributes, type AttrValue, type InstrumentationScope, setAttribute } from "../../domain/span.js";
import { doubleAttr, MAX_VALUE_DEPTH, noteBytesPlaces } from "../attributes.js";
import { MAX_ATTRIBUTES_PER_LIST, MAX_ENTRIES_PER_VALUE, MAX_VALUES_PER_ITEM, tooMany } from "../limits.js";
import { makeScope } from "../traces.js";
import { type ProtoReader, tagOf, WIRE_I64, WIRE_LEN, WIRE_VARINT } from "./wire.js";

// AnyValue
const T_STRING_VALUE = tagOf(1, WIRE_LEN);
const T_BOOL_VALUE = tagOf(2, WIRE_VARINT);
const T_INT_VALUE = tagOf(3, WIRE_VARINT);
const T_DOUBLE_VALUE = tagOf(4, WIRE_I64);
const T_ARRAY_VALUE = tagOf(5, WIRE_LEN);
const T_KVLIST_VALUE = tagOf(6, WIRE_LEN);
const T_BYTES_VALUE = tagOf(7, WIRE_LEN);
// ArrayValue.values, KeyValueList.values
const T_VALUES = tagOf(1, WIRE_LEN);
// KeyValue
const T_KEY = tagOf(1, WIRE_LEN);
const T_VALUE = tagOf(2, WIRE_LEN);
// Resource
const T_RESOURCE_ATTRIBUTES = tagOf(1, WIRE_LEN);
// InstrumentationScope
const T_SCOPE_NAME = tagOf(1, WIRE_LEN);
const T_SCOPE_VERSION = tagOf(2, WIRE_LEN);
const T_SCOPE_ATTRIBUTES = tagOf(3, WIRE_LEN);

/** The AnyValue member that won, where it matters (readAnyValue). */
const OTHER = 0;
const BYTES = 1;
const INT = 2;

/**
 * An AnyValue at nesting `depth` (1 for an attribute's own value); empty → null. Of an attribute's
 * value, MAX_ENTRIES_PER_VALUE entries are read, the rest hopped over and counted in `r.entriesDropped`.
 */
export function readAnyValue(r: ProtoReader, depth: number): AttrValue {
  if (depth > MAX_VALUE_DEPTH) throw r.fail(`attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`);
  if (++r.values > r.maxValues) throw tooMany("attribute values", r.maxValues);
  if (depth === 1) {
    r.entriesLeft = MAX_ENTRIES_PER_VALUE;
    r.nested.clear();
  }
  // A oneof: when several members are present the last one wins, as in protobuf (and the bytes
  // values inside a list or map member go with it: NestedBytes.dropPast).
  let value: AttrValue = null;
  // Which member won, where it matters: bytes (named as such) or an int64 (its digits past 2^53 are
  // named: NestedBytes.foundInt). One variable rather than a flag for each: this is the decoder's
  // hottest function, kept as small as it was before int64s were named.
  let kind = OTHER;
  const open = r.nested.paths.length;
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case T_STRING_VALUE:
        value = r.shortString();
        kind = OTHER;
        break;
      case T_BOOL_VALUE:
        value = r.bool();
        kind = OTHER;
        break;
      case T_INT_VALUE:
        value = r.int64();
        kind = INT;
        break;
      case T_DOUBLE_VALUE:
        value = doubleAttr(r.double());
        kind = OTHER;
        break;
      case T_ARRAY_VALUE: {
        const saved = r.enter();
        r.nested.dropPast(open);
        value = readArrayValue(r, depth);
        r.leave(saved);
        kind = OTHER;
        break;
      }
      case T_KVLIST_VALUE: {
        const saved = r.enter();
        const obj: Attributes = {};
        r.nested.dropPast(open);
        readKeyValueList(r, obj, depth);
        value = obj;
        r.leave(saved);
        kind = OTHER;
        break;
      }
      case T_BYTES_VALUE:
        value = r.bytesBase64();
        kind = BYTES;
        break;
      default:
        r.skip(tag);
    }
  }
  if (value === null || typeof value !== "object") r.nested.dropPast(open);
  if (depth === 1) r.valueWasBytes = kind === BYTES;
  else if (kind === BYTES) r.nested.found();
  if (kind === INT) r.nested.foundInt(value as number | string);
  return value;
}

function readArrayValue(r: ProtoReader, depth: number): AttrValue[] {
  const values: AttrValue[] = [];
  // Entries nested past MAX_VALUE_DEPTH are hopped over and counted, as those past the other bounds.
  const tooDeep = depth >= MAX_VALUE_DEPTH;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_VALUES && (tooDeep || r.entriesLeft === 0 || r.values >= r.itemValuesEnd)) {
      r.skip(tag);
      r.entriesDropped++;
    } else if (tag === T_VALUES) {
      r.entriesLeft--;
      const saved = r.enter();
      const open = r.nested.paths.length;
      values.push(readAnyValue(r, depth + 1));
      if (r.nested.paths.length !== open) r.nested.step(open, values.length - 1);
      r.leave(saved);
    } else {
      r.skip(tag);
    }
  }
  return values;
}

function readKeyValueList(r: ProtoReader, into: Attributes, depth: number): void {
  const listOpen = r.nested.paths.length;
  const tooDeep = depth >= MAX_VALUE_DEPTH;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_VALUES && (tooDeep || r.entriesLeft === 0 || r.values >= r.itemValuesEnd)) {
      r.skip(tag);
      r.entriesDropped++;
    } else if (tag === T_VALUES) {
      r.entriesLeft--;
      const saved = r.enter();
      readKeyValue(r, into, depth + 1, listOpen);
      r.leave(saved);
    } else {
      r.skip(tag);
    }
  }
}

/**
 * One KeyValue message into `into`; its value sits at nesting `depth`. Inside a map value, `listOpen`
 * is how many nested bytes paths were open when the map began (see NestedBytes.entry).
 */
export function readKeyValue(r: ProtoReader, into: Attributes, depth: number, listOpen = 0): void {
  let key = "";
  let value: AttrValue = null;
  let bytes = false;
  const open = r.nested.paths.length;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_KEY) {
      key = r.keyString();
    } else if (tag === T_VALUE) {
      const saved = r.enter();
      // A repeated value field: the last one wins, with the bytes inside it.
      if (r.nested.paths.length !== open) r.nested.paths.length = open;
      value = readAnyValue(r, depth);
      bytes = depth === 1 && r.valueWasBytes;
      r.leave(saved);
    } else {
      r.skip(tag);
    }
  }
  setAttribute(into, key, value);
  if (depth !== 1) {
    if (r.nested.paths.length !== listOpen) r.nested.entry(listOpen, open, key);
  } else if (r.bytesKeys !== null) {
    // Only a value with bytes in it, or one that replaces a repeated key's, touches the list.
    noteBytesPlaces(r.bytesKeys, key, bytes, r.nested);
  }
}

/** A `repeated KeyValue attributes` element, called right after its tag. */
export function readAttributeField(r: ProtoReader, into: Attributes): void {
  const saved = r.enter();
  readKeyValue(r, into, 1);
  r.leave(saved);
}

/**
 * A `repeated KeyValue attributes` element of a list that had `seen` of them before it: read when the
 * list is under MAX_ATTRIBUTES_PER_LIST and its item under MAX_VALUES_PER_ITEM, else hopped over
 * unread. Returns what it adds to the list's dropped attributes: 1 when hopped over, else the entries
 * dropped of its value (MAX_ENTRIES_PER_VALUE, MAX_VALUES_PER_ITEM).
 */
export function keepAttributeField(r: ProtoReader, into: Attributes, seen: number): number {
  if (seen >= MAX_ATTRIBUTES_PER_LIST || r.values >= r.itemValuesEnd) {
    // What follows is nearly always more of the same list: stepped over in one go.
    return r.skipLenRun();
  }
  const dropped = r.entriesDropped;
  readAttributeField(r, into);
  return r.entriesDropped - dropped;
}

/**
 * Starts an item's budget of values (MAX_VALUES_PER_ITEM): the span, log record, resource or scope
 * about to be read. Returns the budget to give back with `endItem` once it is read.
 */
export function beginItem(r: ProtoReader): number {
  const outer = r.itemValuesEnd;
  r.itemValuesEnd = r.values + MAX_VALUES_PER_ITEM;
  return outer;
}

export function endItem(r: ProtoReader, outer: number): void {
  r.itemValuesEnd = outer;
}

/**
 * A Resource field's attributes into `into`, and where their bytes values are into `places` (a
 * repeated Resource field merges into the same object and list).
 */
export function readResourceField(r: ProtoReader, into: Attributes, places: BytesPlace[]): void {
  const saved = r.enter();
  const outer = beginItem(r);
  const outerPlaces = r.bytesKeys;
  r.bytesKeys = places;
  let seen = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_RESOURCE_ATTRIBUTES) keepAttributeField(r, into, seen++);
    else r.skip(tag);
  }
  r.bytesKeys = outerPlaces;
  endItem(r, outer);
  r.leave(saved);
}

/** Scope fields as read so far; several occurrences of the scope field merge into one. */
export interface ScopeParts {
  name: string;
  version: string;
  attributes: Attributes;
  /** Where the attributes' bytes values are. */
  bytes: BytesPlace[];
}

export function newScopeParts(): ScopeParts {
  return { name: "", version: "", attributes: {}, bytes: [] };
}

export function readScopeField(r: ProtoReader, into: ScopeParts): void {
  const saved = r.enter();
  const outer = beginItem(r);
  const outerPlaces = r.bytesKeys;
  r.bytesKeys = into.bytes;
  let seen = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_SCOPE_NAME) into.name = r.string();
    else if (tag === T_SCOPE_VERSION) into.version = r.string();
    else if (tag === T_SCOPE_ATTRIBUTES) keepAttributeField(r, into.attributes, seen++);
    else r.skip(tag);
  }
  r.bytesKeys = outerPlaces;
  endItem(r, outer);
  r.leave(saved);
}

export function scopeFromParts(parts: ScopeParts): InstrumentationScope {
  return makeScope(parts.name, parts.version, parts.attributes, parts.bytes);
}
