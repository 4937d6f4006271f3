/**
 * OTLP/JSON export requests → the same requests in protobuf, for forwarding upstream as OTLP/HTTP
 * protobuf. Schema-driven: each message is a table of its fields (numbers from the OTLP protos) and
 * one walker writes any of them. The JSON was already accepted by the local decoder; a value that
 * cannot be written as its field's type is left out (the upstream judges that item as it would any).
 */
import { Buffer } from "node:buffer";
import { int64Value } from "../json/common.js";
import { SEVERITY_NUMBER_NAMES } from "../json/logs.js";
import { TEMPORALITY_NAMES } from "../json/metrics.js";
import { OTLP_KIND_OF_API_KIND, SPAN_KIND_NAMES, STATUS_CODE_NAMES } from "../json/traces.js";
import { WIRE_I32, WIRE_I64, WIRE_VARINT } from "./wire.js";
import { ProtoWriter } from "./writer.js";

type Scalar =
  | "string"
  /** AnyValue.stringValue: a string, or a number or boolean written as its text (the JSON decoder reads the TraceKit Python SDK's tags so). */
  | "text"
  | "bytes"
  | "id"
  | "bool"
  | "int32"
  | "uint32"
  | "sint32"
  | "int64"
  | "fixed32"
  | "fixed64"
  | "sfixed64"
  | "uint64"
  /** AnyValue.intValue as the JSON decoder reads it (`int64Value`): a finite number that is no int64 goes as a doubleValue. */
  | "anyInt"
  | "double"
  | "enum"
  /** Span.kind: an enum, translated from the OpenTelemetry API's numbers when the request carries those. */
  | "spanKind";

interface FieldSpec {
  number: number;
  camel: string;
  snake: string;
  type: Scalar | Schema;
  repeated: boolean;
  names?: Readonly<Record<string, number>>;
}

/** A message's fields, found by either JSON spelling of their name. */
interface Schema {
  fields: FieldSpec[];
  byName: Map<string, FieldSpec>;
  /** The Span.kind field, written even when absent in a body with API span kinds. */
  spanKind?: FieldSpec;
}

function schema(fields: FieldSpec[] = []): Schema {
  const out: Schema = { fields: [], byName: new Map() };
  for (const spec of fields) addField(out, spec);
  return out;
}

function addField(into: Schema, spec: FieldSpec): void {
  into.fields.push(spec);
  into.byName.set(spec.camel, spec);
  into.byName.set(spec.snake, spec);
  if (spec.type === "spanKind") into.spanKind = spec;
}

function f(
  number: number,
  camel: string,
  type: Scalar | Schema | FieldSpec[],
  options: { repeated?: boolean; names?: Readonly<Record<string, number>> } = {},
): FieldSpec {
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return {
    number,
    camel,
    snake,
    type: Array.isArray(type) ? schema(type) : type,
    repeated: options.repeated ?? false,
    names: options.names,
  };
}
const rep = { repeated: true };

// Common: AnyValue is recursive, so its tables are filled after they exist.
const anyValue = schema();
const keyValue = schema([f(1, "key", "string"), f(2, "value", anyValue)]);
for (const spec of [
  f(1, "stringValue", "text"),
  f(2, "boolValue", "bool"),
  f(3, "intValue", "anyInt"),
  f(4, "doubleValue", "double"),
  f(5, "arrayValue", [f(1, "values", anyValue, rep)]),
  f(6, "kvlistValue", [f(1, "values", keyValue, rep)]),
  f(7, "bytesValue", "bytes"),
]) {
  addField(anyValue, spec);
}
const attributes = (n: number, camel = "attributes") => f(n, camel, keyValue, rep);
const resource = schema([attributes(1), f(2, "droppedAttributesCount", "uint32")]);
const scope = schema([
  f(1, "name", "string"),
  f(2, "version", "string"),
  attributes(3),
  f(4, "droppedAttributesCount", "uint32"),
]);
/** Request { repeated Resource<Signal> = 1 } → { resource = 1, repeated Scope<Signal> = 2, schema_url = 3 } → { scope = 1, repeated item = 2, schema_url = 3 }. */
function exportRequest(resources: string, scopes: string, items: string, item: Schema): Schema {
  const scopeGroup = [f(1, "scope", scope), f(2, items, item, rep), f(3, "schemaUrl", "string")];
  const resourceGroup = [f(1, "resource", resource), f(2, scopes, scopeGroup, rep), f(3, "schemaUrl", "string")];
  return schema([f(1, resources, resourceGroup, rep)]);
}

const span = schema([
  f(1, "traceId", "id"),
  f(2, "spanId", "id"),
  f(3, "traceState", "string"),
  f(4, "parentSpanId", "id"),
  f(16, "flags", "fixed32"),
  f(5, "name", "string"),
  f(6, "kind", "spanKind", { names: SPAN_KIND_NAMES }),
  f(7, "startTimeUnixNano", "fixed64"),
  f(8, "endTimeUnixNano", "fixed64"),
  attributes(9),
  f(10, "droppedAttributesCount", "uint32"),
  f(
    11,
    "events",
    [f(1, "timeUnixNano", "fixed64"), f(2, "name", "string"), attributes(3), f(4, "droppedAttributesCount", "uint32")],
    rep,
  ),
  f(12, "droppedEventsCount", "uint32"),
  f(
    13,
    "links",
    [
      f(1, "traceId", "id"),
      f(2, "spanId", "id"),
      f(3, "traceState", "string"),
      attributes(4),
      f(5, "droppedAttributesCount", "uint32"),
      f(6, "flags", "fixed32"),
    ],
    rep,
  ),
  f(14, "droppedLinksCount", "uint32"),
  f(15, "status", [f(2, "message", "string"), f(3, "code", "enum", { names: STATUS_CODE_NAMES })]),
]);

const logRecord = schema([
  f(1, "timeUnixNano", "fixed64"),
  f(11, "observedTimeUnixNano", "fixed64"),
  f(2, "severityNumber", "enum", { names: SEVERITY_NUMBER_NAMES }),
  f(3, "severityText", "string"),
  f(5, "body", anyValue),
  attributes(6),
  f(7, "droppedAttributesCount", "uint32"),
  f(8, "flags", "fixed32"),
  f(9, "traceId", "id"),
  f(10, "spanId", "id"),
  f(12, "eventName", "string"),
]);

const exemplar = schema([
  attributes(7, "filteredAttributes"),
  f(2, "timeUnixNano", "fixed64"),
  f(3, "asDouble", "double"),
  f(6, "asInt", "sfixed64"),
  f(4, "spanId", "id"),
  f(5, "traceId", "id"),
]);
const times = [f(2, "startTimeUnixNano", "fixed64"), f(3, "timeUnixNano", "fixed64")];
const numberPoint = schema([
  attributes(7),
  ...times,
  f(4, "asDouble", "double"),
  f(6, "asInt", "sfixed64"),
  f(5, "exemplars", exemplar, rep),
  f(8, "flags", "uint32"),
]);
const histogramPoint = schema([
  attributes(9),
  ...times,
  f(4, "count", "fixed64"),
  f(5, "sum", "double"),
  f(6, "bucketCounts", "fixed64", rep),
  f(7, "explicitBounds", "double", rep),
  f(8, "exemplars", exemplar, rep),
  f(10, "flags", "uint32"),
  f(11, "min", "double"),
  f(12, "max", "double"),
]);
const buckets = schema([f(1, "offset", "sint32"), f(2, "bucketCounts", "uint64", rep)]);
const exponentialPoint = schema([
  attributes(1),
  ...times,
  f(4, "count", "fixed64"),
  f(5, "sum", "double"),
  f(6, "scale", "sint32"),
  f(7, "zeroCount", "fixed64"),
  f(8, "positive", buckets),
  f(9, "negative", buckets),
  f(10, "flags", "uint32"),
  f(11, "exemplars", exemplar, rep),
  f(12, "min", "double"),
  f(13, "max", "double"),
  f(14, "zeroThreshold", "double"),
]);
const summaryPoint = schema([
  attributes(7),
  ...times,
  f(4, "count", "fixed64"),
  f(5, "sum", "double"),
  f(6, "quantileValues", [f(1, "quantile", "double"), f(2, "value", "double")], rep),
  f(8, "flags", "uint32"),
]);
const temporality = f(2, "aggregationTemporality", "enum", { names: TEMPORALITY_NAMES });
const metric = schema([
  f(1, "name", "string"),
  f(2, "description", "string"),
  f(3, "unit", "string"),
  f(5, "gauge", [f(1, "dataPoints", numberPoint, rep)]),
  f(7, "sum", [f(1, "dataPoints", numberPoint, rep), temporality, f(3, "isMonotonic", "bool")]),
  f(9, "histogram", [f(1, "dataPoints", histogramPoint, rep), temporality]),
  f(10, "exponentialHistogram", [f(1, "dataPoints", exponentialPoint, rep), temporality]),
  f(11, "summary", [f(1, "dataPoints", summaryPoint, rep)]),
  f(12, "metadata", keyValue, rep),
]);

const REQUESTS = {
  "/v1/traces": exportRequest("resourceSpans", "scopeSpans", "spans", span),
  "/v1/logs": exportRequest("resourceLogs", "scopeLogs", "logRecords", logRecord),
  "/v1/metrics": exportRequest("resourceMetrics", "scopeMetrics", "metrics", metric),
} as const;

export type OtlpSignalPath = keyof typeof REQUESTS;

export interface JsonToProtobufOptions {
  /** Numeric span kinds are the OpenTelemetry API's (see `isTraceKitLocalUiRequest`): written as OTLP's. */
  apiSpanKinds?: boolean;
}

/** An export request parsed from OTLP/JSON (as `parseOtlpJson` returns it) → its protobuf bytes. */
export function encodeExportRequestFromJson(
  path: OtlpSignalPath,
  value: unknown,
  options: JsonToProtobufOptions = {},
): Uint8Array {
  const w = new ProtoWriter();
  if (isObject(value)) writeMessage(w, value, REQUESTS[path], options.apiSpanKinds === true);
  return w.finish();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Writes the fields `obj` has (one pass over its keys, as the decoders read). Where a body gives
 * a field under both spellings the camelCase one is read, as the local decoder does.
 */
function writeMessage(w: ProtoWriter, obj: Record<string, unknown>, schema: Schema, apiKinds: boolean): void {
  let kindSeen = false;
  for (const key in obj) {
    const spec = schema.byName.get(key);
    if (spec === undefined) continue;
    let value = obj[key];
    if (value === undefined || value === null) continue;
    if (key !== spec.camel && obj[spec.camel] !== undefined && obj[spec.camel] !== null) continue;
    if (spec.type === "spanKind") {
      kindSeen = true;
      // As the local decoder reads it: a numeric kind is the API's.
      if (apiKinds && typeof value === "number") value = OTLP_KIND_OF_API_KIND[value] ?? value;
    }
    const type = spec.type;
    if (typeof type !== "string") {
      if (!spec.repeated) writeNested(w, spec.number, value, type, apiKinds);
      else if (Array.isArray(value)) for (const item of value) writeNested(w, spec.number, item, type, apiKinds);
    } else if (!spec.repeated) {
      writeScalar(w, spec, type, value);
    } else if (Array.isArray(value) && value.length > 0) {
      // Repeated scalars (bucket counts, bounds) as one packed field, as proto3 writes them.
      const at = w.begin(spec.number);
      for (const item of value) writeScalarValue(w, type, spec.names, item);
      w.end(at);
    }
  }
  // An absent kind in a body with API kinds is the API's INTERNAL (0), which is OTLP's 1.
  if (apiKinds && !kindSeen && schema.spanKind !== undefined) w.varintField(schema.spanKind.number, 1);
}

function writeNested(w: ProtoWriter, number: number, value: unknown, schema: Schema, apiKinds: boolean): void {
  if (!isObject(value)) return;
  const at = w.begin(number);
  writeMessage(w, value, schema, apiKinds);
  w.end(at);
}

const INT_RE = /^-?\d{1,32}$/;

function toDouble(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return null;
  if (value === "NaN") return Number.NaN;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  const n = value.trim() === "" ? Number.NaN : Number(value);
  return Number.isNaN(n) ? null : n;
}

/** A 64-bit integer from a JSON number or decimal string: a number while exact, else a bigint. */
function toInteger(value: unknown): number | bigint | null {
  if (typeof value === "number") return Number.isInteger(value) ? value : null;
  if (typeof value !== "string" || !INT_RE.test(value)) return null;
  return value.length <= 15 ? Number(value) : BigInt(value);
}

function writeScalar(w: ProtoWriter, spec: FieldSpec, type: Scalar, value: unknown): void {
  if (type === "string" || type === "text") {
    if (typeof value === "string") w.stringField(spec.number, value);
    else if (type === "text" && (typeof value === "number" || typeof value === "boolean")) {
      w.stringField(spec.number, String(value));
    }
    return;
  }
  if (type === "id") {
    if (typeof value === "string") w.hexField(spec.number, value);
    return;
  }
  if (type === "bytes") {
    if (typeof value === "string") w.lengthDelimited(spec.number, Buffer.from(value, "base64"));
    return;
  }
  if (type === "anyInt") {
    writeAnyInt(w, spec.number, value);
    return;
  }
  const mark = w.length;
  w.tag(spec.number, wireTypeOf(type));
  // A value that is not of the field's type is left out: the tag just written is taken back.
  if (!writeScalarValue(w, type, spec.names, value)) w.length = mark;
}

/**
 * An AnyValue's intValue, read as the JSON decoder reads it: an int64 as field `number`, and a finite
 * number that is no int64 (the TraceKit Node SDK's "18446744073709552000" for 2 ** 64, "1e+21") as the
 * doubleValue the decoder keeps, so upstream gets the value stored here; anything else is left out.
 */
function writeAnyInt(w: ProtoWriter, number: number, value: unknown): void {
  let n: number | string;
  try {
    n = int64Value(value);
  } catch {
    return;
  }
  if (typeof n === "number" && (!Number.isSafeInteger(n) || Object.is(n, -0))) {
    w.tag(DOUBLE_VALUE_FIELD, WIRE_I64);
    w.double(n);
    return;
  }
  w.tag(number, WIRE_VARINT);
  if (typeof n === "number" && n >= 0) w.varint(n);
  else w.varint64(BigInt(n));
}

/** AnyValue.double_value. */
const DOUBLE_VALUE_FIELD = 4;

function wireTypeOf(type: Scalar): number {
  switch (type) {
    case "fixed64":
    case "sfixed64":
    case "double":
      return WIRE_I64;
    case "fixed32":
      return WIRE_I32;
    default:
      return WIRE_VARINT;
  }
}

/** Writes one value without its tag; false when it is not of the field's type. */
function writeScalarValue(
  w: ProtoWriter,
  type: Scalar,
  names: Readonly<Record<string, number>> | undefined,
  value: unknown,
): boolean {
  if (type === "double") {
    const n = toDouble(value);
    if (n === null) return false;
    w.double(n);
    return true;
  }
  if (type === "bool") {
    if (typeof value !== "boolean") return false;
    w.varint(value ? 1 : 0);
    return true;
  }
  const n =
    (type === "enum" || type === "spanKind") &&
    typeof value === "string" &&
    names !== undefined &&
    Object.hasOwn(names, value)
      ? (names[value] as number)
      : toInteger(value);
  if (n === null) return false;
  switch (type) {
    case "fixed64":
    case "sfixed64":
      if (typeof n === "number" && n >= 0 && n <= Number.MAX_SAFE_INTEGER) w.fixed64Number(n);
      else w.fixed64(BigInt(n));
      return true;
    case "fixed32":
      w.fixed32(Number(BigInt.asUintN(32, BigInt(n))));
      return true;
    case "sint32": {
      const v = Number(n);
      w.varint(v >= 0 ? v * 2 : -v * 2 - 1);
      return true;
    }
    default:
      // int32, uint32, int64, uint64, enums: varints (a negative value as its 64-bit two's complement).
      if (typeof n === "number" && n >= 0 && n <= Number.MAX_SAFE_INTEGER) w.varint(n);
      else w.varint64(BigInt(n));
      return true;
  }
}
