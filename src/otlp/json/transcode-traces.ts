/**
 * OTLP/JSON ExportTraceServiceRequest (parsed) → the same request as protobuf, field for field, for
 * a client that reads JSON files and sends them on: the receiver decodes protobuf several times faster
 * than JSON, so the work splits between the two processes. Only the standard encoding is written as
 * is (camelCase fields, integer enums, hex ids, int64 as strings or numbers); anything else (snake_case
 * or unknown fields, enum names, invalid ids, nulls) makes it return null, and the caller sends the
 * JSON itself, so the receiver's own rules decide (and reject what is invalid, with its reasons).
 */
import { MAX_VALUE_DEPTH } from "../attributes.js";
import { ProtoWriter } from "../protobuf/writer.js";

const VARINT = 0;
const I64 = 1;
const I32 = 5;

/** Thrown inside the transcoder for input it does not write as is. */
class NotStandard extends Error {}
const notStandard = new NotStandard("not the standard OTLP/JSON encoding");

export interface TranscodedTraces {
  bytes: Uint8Array;
  spans: number;
  /** Distinct trace ids, lower-case hex. */
  traceIds: Set<string>;
}

type Json = Record<string, unknown>;

function object(value: unknown): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw notStandard;
  return value as Json;
}

function array(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw notStandard;
  return value;
}

function string(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value !== "string") throw notStandard;
  return value;
}

const UINT_RE = /^\d{1,20}$/;
const INT_RE = /^-?\d{1,20}$/;
const SMALL_INT_RE = /^-?\d+$/;
const HEX_RE = /^[0-9a-fA-F]*$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_UINT64 = 2n ** 64n - 1n;
const MAX_UINT32 = 2 ** 32 - 1;

function uint64(value: unknown): bigint {
  if (value === undefined) return 0n;
  let n: bigint;
  if (typeof value === "string" && UINT_RE.test(value)) n = BigInt(value);
  else if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) n = BigInt(value);
  else throw notStandard;
  if (n > MAX_UINT64) throw notStandard;
  return n;
}

function uint32(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_UINT32) return value;
  throw notStandard;
}

function enumValue(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_UINT32) return value;
  throw notStandard;
}

/** A hex id of `length` digits, lower-cased; "" when absent (only where absence is allowed). */
function hexId(value: unknown, length: number, optional: boolean): string {
  const hex = string(value);
  if (hex === "" && optional) return "";
  if (hex.length !== length || !HEX_RE.test(hex)) throw notStandard;
  return hex.toLowerCase();
}

/** Writes the fields of one message that only has the keys in `known`. */
function checkKeys(obj: Json, known: ReadonlySet<string>): void {
  for (const key in obj) if (!known.has(key)) throw notStandard;
}

const REQUEST_KEYS = new Set(["resourceSpans"]);
const RESOURCE_SPANS_KEYS = new Set(["resource", "scopeSpans", "schemaUrl"]);
const RESOURCE_KEYS = new Set(["attributes", "droppedAttributesCount"]);
const SCOPE_SPANS_KEYS = new Set(["scope", "spans", "schemaUrl"]);
const SCOPE_KEYS = new Set(["name", "version", "attributes", "droppedAttributesCount"]);
const SPAN_KEYS = new Set([
  "traceId",
  "spanId",
  "traceState",
  "parentSpanId",
  "flags",
  "name",
  "kind",
  "startTimeUnixNano",
  "endTimeUnixNano",
  "attributes",
  "droppedAttributesCount",
  "events",
  "droppedEventsCount",
  "links",
  "droppedLinksCount",
  "status",
]);
const EVENT_KEYS = new Set(["timeUnixNano", "name", "attributes", "droppedAttributesCount"]);
const LINK_KEYS = new Set(["traceId", "spanId", "traceState", "attributes", "droppedAttributesCount", "flags"]);
const STATUS_KEYS = new Set(["message", "code"]);
const KEY_VALUE_KEYS = new Set(["key", "value"]);
const LIST_KEYS = new Set(["values"]);

/** Null when the request is not in the standard encoding (send the JSON instead). */
export function transcodeTraceRequestJson(value: unknown): TranscodedTraces | null {
  try {
    return transcode(value);
  } catch (error) {
    if (error instanceof NotStandard) return null;
    throw error;
  }
}

function transcode(value: unknown): TranscodedTraces {
  const request = object(value);
  checkKeys(request, REQUEST_KEYS);
  const w = new ProtoWriter(256 * 1024);
  const traceIds = new Set<string>();
  let spans = 0;
  for (const rawResourceSpans of array(request.resourceSpans)) {
    const resourceSpans = object(rawResourceSpans);
    checkKeys(resourceSpans, RESOURCE_SPANS_KEYS);
    w.push(1);
    if (resourceSpans.resource !== undefined) {
      const resource = object(resourceSpans.resource);
      checkKeys(resource, RESOURCE_KEYS);
      w.push(1);
      writeAttributes(w, 1, resource.attributes);
      writeUint32(w, 2, resource.droppedAttributesCount);
      w.pop();
    }
    for (const rawScopeSpans of array(resourceSpans.scopeSpans)) {
      const scopeSpans = object(rawScopeSpans);
      checkKeys(scopeSpans, SCOPE_SPANS_KEYS);
      w.push(2);
      if (scopeSpans.scope !== undefined) {
        const scope = object(scopeSpans.scope);
        checkKeys(scope, SCOPE_KEYS);
        w.push(1);
        writeString(w, 1, scope.name);
        writeString(w, 2, scope.version);
        writeAttributes(w, 3, scope.attributes);
        writeUint32(w, 4, scope.droppedAttributesCount);
        w.pop();
      }
      for (const rawSpan of array(scopeSpans.spans)) {
        w.push(2);
        traceIds.add(writeSpan(w, object(rawSpan)));
        w.pop();
        spans++;
      }
      writeString(w, 3, scopeSpans.schemaUrl);
      w.pop();
    }
    writeString(w, 3, resourceSpans.schemaUrl);
    w.pop();
  }
  return { bytes: w.view(), spans, traceIds };
}

/** Writes the fields of one span; returns its trace id. */
function writeSpan(w: ProtoWriter, span: Json): string {
  checkKeys(span, SPAN_KEYS);
  const traceId = hexId(span.traceId, 32, false);
  w.hexField(1, traceId);
  w.hexField(2, hexId(span.spanId, 16, false));
  writeString(w, 3, span.traceState);
  const parent = hexId(span.parentSpanId, 16, true);
  if (parent !== "") {
    w.hexField(4, parent);
  }
  writeString(w, 5, span.name);
  const kind = enumValue(span.kind);
  if (kind !== 0) {
    w.tag(6, VARINT);
    w.varint(kind);
  }
  w.tag(7, I64);
  w.fixed64(uint64(span.startTimeUnixNano));
  w.tag(8, I64);
  w.fixed64(uint64(span.endTimeUnixNano));
  writeAttributes(w, 9, span.attributes);
  writeUint32(w, 10, span.droppedAttributesCount);
  for (const rawEvent of array(span.events)) {
    const event = object(rawEvent);
    checkKeys(event, EVENT_KEYS);
    w.push(11);
    w.tag(1, I64);
    w.fixed64(uint64(event.timeUnixNano));
    writeString(w, 2, event.name);
    writeAttributes(w, 3, event.attributes);
    writeUint32(w, 4, event.droppedAttributesCount);
    w.pop();
  }
  writeUint32(w, 12, span.droppedEventsCount);
  for (const rawLink of array(span.links)) {
    const link = object(rawLink);
    checkKeys(link, LINK_KEYS);
    w.push(13);
    w.hexField(1, hexId(link.traceId, 32, false));
    w.hexField(2, hexId(link.spanId, 16, false));
    writeString(w, 3, link.traceState);
    writeAttributes(w, 4, link.attributes);
    writeUint32(w, 5, link.droppedAttributesCount);
    const flags = uint32(link.flags);
    if (flags !== 0) {
      w.tag(6, I32);
      w.fixed32(flags);
    }
    w.pop();
  }
  writeUint32(w, 14, span.droppedLinksCount);
  if (span.status !== undefined) {
    const status = object(span.status);
    checkKeys(status, STATUS_KEYS);
    w.push(15);
    writeString(w, 2, status.message);
    const code = enumValue(status.code);
    if (code !== 0) {
      w.tag(3, VARINT);
      w.varint(code);
    }
    w.pop();
  }
  const flags = uint32(span.flags);
  if (flags !== 0) {
    w.tag(16, I32);
    w.fixed32(flags);
  }
  return traceId;
}

function writeString(w: ProtoWriter, field: number, value: unknown): void {
  const text = string(value);
  if (text === "") return;
  w.stringField(field, text);
}

function writeUint32(w: ProtoWriter, field: number, value: unknown): void {
  const n = uint32(value);
  if (n === 0) return;
  w.tag(field, VARINT);
  w.varint(n);
}

/** `repeated KeyValue` as field `field`. */
function writeAttributes(w: ProtoWriter, field: number, value: unknown): void {
  for (const raw of array(value)) {
    w.push(field);
    writeKeyValue(w, object(raw), 1);
    w.pop();
  }
}

function writeKeyValue(w: ProtoWriter, kv: Json, depth: number): void {
  checkKeys(kv, KEY_VALUE_KEYS);
  writeString(w, 1, kv.key);
  if (kv.value === undefined) return;
  w.push(2);
  writeAnyValue(w, object(kv.value), depth);
  w.pop();
}

function writeAnyValue(w: ProtoWriter, value: Json, depth: number): void {
  if (depth > MAX_VALUE_DEPTH) throw notStandard;
  let written = false;
  for (const key in value) {
    if (written) throw notStandard;
    written = true;
    const v = value[key];
    switch (key) {
      case "stringValue":
        w.stringField(1, string(v));
        break;
      case "boolValue":
        if (typeof v !== "boolean") throw notStandard;
        w.tag(2, VARINT);
        w.varint(v ? 1 : 0);
        break;
      case "intValue":
        w.tag(3, VARINT);
        writeInt64(w, v);
        break;
      case "doubleValue": {
        let n: number;
        if (typeof v === "number") n = v;
        else if (v === "NaN") n = Number.NaN;
        else if (v === "Infinity") n = Number.POSITIVE_INFINITY;
        else if (v === "-Infinity") n = Number.NEGATIVE_INFINITY;
        else throw notStandard;
        w.tag(4, I64);
        w.double(n);
        break;
      }
      case "arrayValue":
        writeList(w, 5, v, (item) => writeAnyValue(w, object(item), depth + 1));
        break;
      case "kvlistValue":
        writeList(w, 6, v, (item) => writeKeyValue(w, object(item), depth + 1));
        break;
      case "bytesValue": {
        const text = string(v);
        if (text.length % 4 !== 0 || !BASE64_RE.test(text)) throw notStandard;
        w.lengthDelimited(7, Buffer.from(text, "base64"));
        break;
      }
      default:
        throw notStandard;
    }
  }
}

/** An ArrayValue or KeyValueList (`{values: [...]}`) as field `field`, each value a nested message. */
function writeList(w: ProtoWriter, field: number, list: unknown, writeItem: (item: unknown) => void): void {
  const values = object(list);
  checkKeys(values, LIST_KEYS);
  w.push(field);
  for (const item of array(values.values)) {
    w.push(1);
    writeItem(item);
    w.pop();
  }
  w.pop();
}

/** An int64 AnyValue: a small number without BigInt, else through BigInt (two's complement). */
function writeInt64(w: ProtoWriter, v: unknown): void {
  if (typeof v === "string" && v.length <= 15 && SMALL_INT_RE.test(v)) {
    const n = Number(v);
    if (n >= 0) {
      w.varint(n);
      return;
    }
  }
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) {
    w.varint(v);
    return;
  }
  let n: bigint;
  if (typeof v === "string" && INT_RE.test(v)) n = BigInt(v);
  else if (typeof v === "number" && Number.isSafeInteger(v)) n = BigInt(v);
  else throw notStandard;
  if (n !== BigInt.asIntN(64, n)) throw notStandard;
  w.varint64(n);
}
