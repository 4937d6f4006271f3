/**
 * OTLP/JSON readers for common.v1 / resource.v1 values and for the scalar encodings OTLP/JSON uses
 * (64-bit integers as strings or numbers, enums as integers or names, both field-name spellings).
 *
 * Shape problems throw JsonShapeError; the caller decides whether that rejects one span or the
 * whole body (see json/traces.ts). Entries of a list or map value nested past MAX_VALUE_DEPTH are
 * dropped and counted, as those past the other bounds of a value.
 */
import { Buffer } from "node:buffer";
import type { BytesPlace } from "../../domain/bytes-places.js";
import { type Attributes, type AttrValue, setAttribute } from "../../domain/span.js";
import { doubleAttr, int64Attr, MAX_VALUE_DEPTH, NestedBytes, noteBytesPlaces } from "../attributes.js";
import { OtlpDecodeError } from "../errors.js";
import { MAX_ATTRIBUTES_PER_LIST, MAX_ENTRIES_PER_VALUE, MAX_VALUES_PER_ITEM } from "../limits.js";
import { sharedString } from "./shared-strings.js";

/** A JSON value without the shape OTLP/JSON gives it. */
export class JsonShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonShapeError";
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A field by its lowerCamelCase name, else by its proto (snake_case) name. JSON null means "not set"
 * in the protobuf JSON mapping, so it reads as undefined.
 */
export function field(obj: JsonObject, camel: string, snake?: string): unknown {
  let value = obj[camel];
  if (value === undefined && snake !== undefined) value = obj[snake];
  return value === null ? undefined : value;
}

/** A field's value given under its camelCase or snake_case name: camelCase wins, as in `field`. */
export function either(camel: unknown, snake: unknown): unknown {
  return camel !== undefined ? camel : snake;
}

export function stringField(obj: JsonObject, camel: string, snake?: string): string {
  return asString(field(obj, camel, snake), camel);
}

/** A string field's value (undefined or null: absent → ""); `name` is for the error message. */
export function asString(value: unknown, name: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new JsonShapeError(`${name} is not a string`);
  return value;
}

export function arrayField(obj: JsonObject, camel: string, snake?: string): unknown[] | undefined {
  return asArray(field(obj, camel, snake), camel);
}

export function asArray(value: unknown, name: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value;
  throw new JsonShapeError(`${name} is not an array`);
}

export function objectField(obj: JsonObject, camel: string, snake?: string): JsonObject | undefined {
  const value = field(obj, camel, snake);
  if (value === undefined || isObject(value)) return value;
  throw new JsonShapeError(`${camel} is not an object`);
}

// Length-capped: BigInt parsing of a megabyte of digits is slow enough to be a denial of service, and
// no 64-bit value needs more than 20 digits (the cap leaves room for leading zeros).
const UINT_RE = /^\d{1,32}$/;
const INT_RE = /^-?\d{1,32}$/;
const MAX_UINT64 = (1n << 64n) - 1n;
const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;
const MAX_UINT32 = 0xffffffff;

/** fixed64/uint64 (timestamps): decimal string or integer number, kept exact as bigint; absent → 0. */
export function uint64Field(obj: JsonObject, camel: string, snake?: string): bigint {
  return asUint64(field(obj, camel, snake), camel);
}

export function asUint64(value: unknown, camel: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === "string" && UINT_RE.test(value)) {
    const n = BigInt(value);
    if (n <= MAX_UINT64) return n;
  } else if (typeof value === "number" && Number.isInteger(value) && value >= 0) {
    // Integer literals of 16+ digits arrive as their text (quoteLongIntegers), so this one is exact.
    const n = BigInt(value);
    if (n <= MAX_UINT64) return n;
  }
  throw new JsonShapeError(`${camel} ${show(value)} is not an unsigned 64-bit integer`);
}

/** uint32/fixed32 (counts, flags): integer number or decimal string; absent → 0. */
export function uint32Field(obj: JsonObject, camel: string, snake?: string): number {
  return asUint32(field(obj, camel, snake), camel);
}

export function asUint32(value: unknown, camel: string): number {
  if (value === undefined || value === null) return 0;
  const n = typeof value === "string" && UINT_RE.test(value) ? Number(value) : value;
  if (typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= MAX_UINT32) return n;
  throw new JsonShapeError(`${camel} ${show(value)} is not an unsigned 32-bit integer`);
}

/**
 * An enum as its integer (the OTLP/JSON rule) or its proto name (what the generic protobuf JSON
 * mapping emits); absent → 0. Unknown integers pass through: mapping them is the caller's rule.
 */
export function enumField(obj: JsonObject, camel: string, names: Readonly<Record<string, number>>): number {
  return asEnum(field(obj, camel), camel, names);
}

export function asEnum(value: unknown, camel: string, names: Readonly<Record<string, number>>): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string") {
    if (Object.hasOwn(names, value)) return names[value] as number;
    if (INT_RE.test(value)) return Number(value);
  }
  throw new JsonShapeError(`${camel} ${show(value)} is not a known enum value`);
}

/**
 * int64 AnyValue: decimal string or integer number → AttrValue (number while exact, else string).
 *
 * A value that is a finite number but no int64 is kept as that double rather than refused: the TraceKit
 * Node SDK writes every integral JS number as `intValue: String(v)`, so 2**64 arrives as
 * "18446744073709552000" and 1e21 as "1e+21" (Python sends ints of any size the same way), and refusing
 * one attribute's value would drop its whole span, often the root, while the SDK ignores the answer.
 * Such a value is stored as a double (a number that is not a safe integer, or any fraction), which the
 * encoder writes back as a `doubleValue`. Text that is no number at all ("abc") is still refused.
 */
export function int64Value(value: unknown): number | string {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value)) return value + 0; // + 0 turns -0 into 0, as protobuf has no -0
    if (Number.isInteger(value)) {
      const n = BigInt(value);
      if (n >= MIN_INT64 && n <= MAX_INT64) return int64Attr(n);
    }
    if (Number.isFinite(value)) return value;
  } else if (typeof value === "string") {
    if (INT_RE.test(value)) {
      // 15 digits always fit in a double exactly; longer strings go through BigInt.
      if (value.length <= 15) return Number(value) + 0;
      const n = BigInt(value);
      if (n >= MIN_INT64 && n <= MAX_INT64) return int64Attr(n);
    }
    const n = numberSpelling(value);
    if (n !== null) return n;
  }
  throw new JsonShapeError(`intValue ${show(value)} is not a 64-bit integer`);
}

// A decimal number as JSON or JavaScript writes one ("1e+21", "-2.5", "18446744073709552000"); the length
// bound keeps the pattern's backtracking small (Python's ints past it are past a double's range anyway).
const DECIMAL_RE = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const MAX_DECIMAL_CHARS = 400;

/** A finite double spelled in decimal, or null. */
function numberSpelling(text: string): number | null {
  if (text.length > MAX_DECIMAL_CHARS || !DECIMAL_RE.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

export function doubleValue(value: unknown): AttrValue {
  // A literal past a double's range (1e400) parses as ±Infinity: it is kept as that, as when spelled.
  if (typeof value === "number") return doubleAttr(value);
  // The protobuf JSON mapping writes non-finite doubles as these strings, and allows numeric strings.
  if (typeof value === "string") {
    if (value === "NaN" || value === "Infinity" || value === "-Infinity") return value;
    const n = value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isNaN(n)) return doubleAttr(n);
  }
  throw new JsonShapeError(`doubleValue ${show(value)} is not a number`);
}

// Standard and URL-safe alphabets, padding optional: both are valid in the protobuf JSON mapping.
const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function bytesValue(value: unknown): string {
  if (typeof value !== "string" || !BASE64_RE.test(value)) {
    throw new JsonShapeError(`bytesValue ${show(value)} is not base64`);
  }
  // Re-encoded so that the stored form is the same as for protobuf input: standard alphabet, padded.
  return Buffer.from(value, "base64").toString("base64");
}

/**
 * Which AnyValue field a key is, as a rank: the value is read from the lowest-ranked field present
 * (camelCase before snake_case of the same field, as `field` does), in the order string, int, bool,
 * double, array, kvlist, bytes. -1 for any other key, which is ignored.
 */
function anyValueRank(key: string): number {
  switch (key) {
    case "stringValue":
      return 0;
    case "string_value":
      return 1;
    case "intValue":
      return 2;
    case "int_value":
      return 3;
    case "boolValue":
      return 4;
    case "bool_value":
      return 5;
    case "doubleValue":
      return 6;
    case "double_value":
      return 7;
    case "arrayValue":
      return 8;
    case "array_value":
      return 9;
    case "kvlistValue":
      return 10;
    case "kvlist_value":
      return 11;
    case "bytesValue":
      return 12;
    case "bytes_value":
      return 13;
    default:
      return -1;
  }
}

const NO_ANY_VALUE_FIELD = 14;

/**
 * Values the item being read (a span, log record, resource or scope) may still take of
 * MAX_VALUES_PER_ITEM: unbounded outside one.
 */
let itemValuesLeft = Number.POSITIVE_INFINITY;

/**
 * Starts the budget of values of the span, log record, resource or scope about to be read; returns
 * the budget to give back with `endItem` once it is read (in a `finally`: reading may throw).
 */
export function beginItem(): number {
  const outer = itemValuesLeft;
  itemValuesLeft = MAX_VALUES_PER_ITEM;
  return outer;
}

export function endItem(outer: number): void {
  itemValuesLeft = outer;
}

/**
 * What one attribute's value may still take of MAX_ENTRIES_PER_VALUE, and how many entries it dropped;
 * and the bytes values met inside it (in its lists and maps).
 */
export interface EntryBudget {
  left: number;
  dropped: number;
  nested: NestedBytes;
}

/** A budget for one value read on its own (a log record's body). */
export function valueBudget(): EntryBudget {
  return { left: MAX_ENTRIES_PER_VALUE, dropped: 0, nested: new NestedBytes() };
}

/**
 * An AnyValue object at nesting `depth` (1 for an attribute's own value); absent or empty → null. Of
 * one value, `budget.left` entries are read (MAX_ENTRIES_PER_VALUE), the rest counted in `budget.dropped`.
 */
export function anyValue(value: unknown, depth: number, budget: EntryBudget = valueBudget()): AttrValue {
  if (depth > MAX_VALUE_DEPTH) {
    throw new OtlpDecodeError(`attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`);
  }
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw new JsonShapeError(`AnyValue ${show(value)} is not an object`);
  itemValuesLeft--;
  // One pass over the keys present (nearly always one) instead of a lookup per possible field name.
  let rank = NO_ANY_VALUE_FIELD;
  let v: unknown;
  for (const key in value) {
    const r = anyValueRank(key);
    if (r === -1 || r >= rank) continue;
    const candidate = value[key];
    if (candidate === null || candidate === undefined) continue;
    rank = r;
    v = candidate;
  }
  switch (rank >> 1) {
    case 0:
      if (typeof v === "string") return sharedString(v);
      // The TraceKit Python SDK writes a tag given as a number or a boolean as it is, in stringValue.
      if (typeof v === "number" || typeof v === "boolean") return String(v);
      throw new JsonShapeError(`stringValue ${show(v)} is not a string`);
    case 1:
      return budget.nested.foundInt(int64Value(v));
    case 2:
      if (typeof v !== "boolean") throw new JsonShapeError(`boolValue ${show(v)} is not a boolean`);
      return v;
    case 3:
      return doubleValue(v);
    case 4: {
      if (!isObject(v)) throw new JsonShapeError("arrayValue is not an object");
      const items = arrayField(v, "values");
      const out: AttrValue[] = [];
      if (items === undefined) return out;
      if (depth === MAX_VALUE_DEPTH) {
        // Entries nested past the bound are dropped and counted, as those past the other bounds.
        budget.dropped += items.length;
        return out;
      }
      for (let i = 0; i < items.length; i++) {
        if (budget.left === 0 || itemValuesLeft <= 0) {
          budget.dropped += items.length - i;
          break;
        }
        budget.left--;
        const open = budget.nested.paths.length;
        out.push(anyValue(items[i], depth + 1, budget));
        if (budget.nested.paths.length !== open) budget.nested.step(open, out.length - 1);
      }
      return out;
    }
    case 5: {
      if (!isObject(v)) throw new JsonShapeError("kvlistValue is not an object");
      const out: Attributes = {};
      readKeyValues(arrayField(v, "values"), out, depth + 1, budget);
      return out;
    }
    case 6:
      if (depth !== 1) budget.nested.found();
      return bytesValue(v);
    default:
      return null;
  }
}

/** Whether an AnyValue object is read as its bytes member (the one `anyValue` reads, as a base64 string). */
export function isBytesAnyValue(value: unknown): boolean {
  if (!isObject(value)) return false;
  let rank = NO_ANY_VALUE_FIELD;
  for (const key in value) {
    const r = anyValueRank(key);
    if (r === -1 || r >= rank || value[key] === null || value[key] === undefined) continue;
    rank = r;
  }
  return rank >> 1 === 6;
}

/**
 * Notes in `places` where the bytes values of attribute `key` are: its AnyValue `value` itself, read as
 * bytes, and those `nested` met inside it (as noteBytesPlaces: the last of a repeated key decides).
 * Most values have no bytes member and cost two property reads.
 */
function noteBytesValue(places: BytesPlace[], key: string, value: unknown, nested: NestedBytes): void {
  const bytes =
    isObject(value) &&
    ((value.bytesValue !== undefined && value.bytesValue !== null) ||
      (value.bytes_value !== undefined && value.bytes_value !== null)) &&
    isBytesAnyValue(value);
  noteBytesPlaces(places, key, bytes, nested);
}

/** The budget of the attribute value being read: one object for all, so that reading an attribute allocates none. */
const attributeBudget: EntryBudget = valueBudget();

/**
 * A `repeated KeyValue` list into `into`, values at nesting `depth`; the last duplicate key wins.
 * Entries past MAX_ATTRIBUTES_PER_LIST are not read, nor those of each value past
 * MAX_ENTRIES_PER_VALUE, nor any past the item's MAX_VALUES_PER_ITEM: returns how many were dropped
 * so. A kvlist value's list (`budget` given) takes what its attribute's value has left.
 */
export function readKeyValues(
  list: unknown[] | undefined,
  into: Attributes,
  depth: number,
  budget?: EntryBudget,
  /** Where the bytes values of the attributes read are is noted here (at nesting 1), when given. */
  bytesKeys?: BytesPlace[],
): number {
  if (list === undefined) return 0;
  if (budget !== undefined && depth > MAX_VALUE_DEPTH) {
    // A map's entries nested past the bound are dropped and counted, as those past the other bounds.
    budget.dropped += list.length;
    return 0;
  }
  // Inside a map value: the bytes paths open before it (see NestedBytes.entry).
  const listOpen = budget === undefined ? 0 : budget.nested.paths.length;
  const read = budget === undefined ? Math.min(list.length, MAX_ATTRIBUTES_PER_LIST) : list.length;
  let dropped = list.length - read;
  for (let i = 0; i < read; i++) {
    if (budget !== undefined) {
      if (budget.left === 0 || itemValuesLeft <= 0) {
        budget.dropped += list.length - i;
        break;
      }
      budget.left--;
    } else if (itemValuesLeft <= 0) {
      dropped += read - i;
      break;
    }
    const kv = list[i];
    if (!isObject(kv)) throw new JsonShapeError(`attribute ${show(kv)} is not an object`);
    // Plain property reads: every KeyValue of a body has the same shape, which keeps them fast.
    const key = kv.key;
    if (key !== undefined && key !== null && typeof key !== "string") {
      throw new JsonShapeError(`attribute key ${show(key)} is not a string`);
    }
    // An attribute's own value starts a budget of its own: the shared one, reset (a value is read in one go).
    let own = budget;
    if (own === undefined) {
      own = attributeBudget;
      own.left = MAX_ENTRIES_PER_VALUE;
      own.dropped = 0;
      own.nested.clear();
    }
    const open = own.nested.paths.length;
    setAttribute(into, key ?? "", anyValue(kv.value, depth, own));
    if (budget !== undefined) {
      if (own.nested.paths.length !== listOpen) own.nested.entry(listOpen, open, key ?? "");
    } else {
      if (bytesKeys !== undefined) noteBytesValue(bytesKeys, key ?? "", kv.value, own.nested);
      dropped += own.dropped;
    }
  }
  return dropped;
}

/** The `attributes` field of a span, event, link, resource or scope. */
export function attributesField(obj: JsonObject): Attributes {
  return attributesFieldCounted(obj).attributes;
}

/**
 * The attributes of a resource or scope, an item of its own (MAX_VALUES_PER_ITEM); where their bytes
 * values are is noted in `bytesKeys`.
 */
export function itemAttributesField(obj: JsonObject, bytesKeys: BytesPlace[]): Attributes {
  const outer = beginItem();
  try {
    return attributesFieldCounted(obj, bytesKeys).attributes;
  } finally {
    endItem(outer);
  }
}

/** `attributesField`, with how many attributes were dropped past the per-list bound. */
export function attributesFieldCounted(
  obj: JsonObject,
  bytesKeys?: BytesPlace[],
): { attributes: Attributes; overLimit: number } {
  const attributes: Attributes = {};
  const overLimit = readKeyValues(arrayField(obj, "attributes"), attributes, 1, undefined, bytesKeys);
  return { attributes, overLimit };
}

/**
 * Runs a read above the level of the items (spans, log records), where any shape fault makes the
 * whole body unusable: the items lost could not even be counted.
 */
export function structural<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof JsonShapeError) throw new OtlpDecodeError(`${path}: ${e.message}`);
    throw e;
  }
}

/** A short rendering of an offending value for error messages (input is untrusted and may be huge). */
export function show(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  else if (Array.isArray(value)) text = "[…]";
  else if (value === null) text = "null";
  else if (typeof value === "object") text = "{…}";
  else text = String(value);
  return text;
}

/**
 * A double field (metric values, bounds, sums): a number, one of the strings the protobuf JSON
 * mapping uses for non-finite doubles ("NaN", "Infinity", "-Infinity"), or a numeric string;
 * absent → null.
 */
export function asDouble(value: unknown, name: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    if (value === "NaN") return Number.NaN;
    if (value === "Infinity") return Number.POSITIVE_INFINITY;
    if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
    const n = value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isNaN(n)) return n;
  }
  throw new JsonShapeError(`${name} ${show(value)} is not a number`);
}

/** An int64/sfixed64 field read as a number (the nearest double past 2^53); absent → null. */
export function asInt64Number(value: unknown, name: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number" && Number.isInteger(value)) return value + 0;
  if (typeof value === "string" && INT_RE.test(value)) {
    const n = value.length <= 15 ? Number(value) : Number(BigInt(value));
    if (Math.abs(n) <= 2 ** 63) return n + 0;
  }
  throw new JsonShapeError(`${name} ${show(value)} is not a 64-bit integer`);
}

/** A uint64 count (fixed64/uint64) read as a number (the nearest double past 2^53); absent → 0. */
export function asCount(value: unknown, name: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === "string" && value.length <= 15 && UINT_RE.test(value)) return Number(value);
  return Number(asUint64(value, name));
}

/** sint32/int32 fields (scale, bucket offsets): an integer number or decimal string; absent → 0. */
export function asInt32(value: unknown, name: string): number {
  if (value === undefined || value === null) return 0;
  const n = typeof value === "string" && INT_RE.test(value) ? Number(value) : value;
  if (typeof n === "number" && Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31) return n;
  throw new JsonShapeError(`${name} ${show(value)} is not a 32-bit integer`);
}
