/**
 * OTLP/JSON export requests → the same requests in protobuf, for forwarding upstream as OTLP/HTTP
 * protobuf. Schema-driven: each message is a table of its fields (numbers from the OTLP protos) and
 * one walker writes any of them. The JSON was already accepted by the local decoder; a value that
 * cannot be written as its field's type is left out (the upstream judges that item as it would any).
 */
import { Buffer } from "node:buffer";
import { SEVERITY_NUMBER_NAMES } from "../json/logs.js";
import { TEMPORALITY_NAMES } from "../json/metrics.js";
import { OTLP_KIND_OF_API_KIND, SPAN_KIND_NAMES, STATUS_CODE_NAMES } from "../json/traces.js";
import { WIRE_LEN } from "./wire.js";
import { ProtoWriter } from "./writer.js";

type Scalar =
  | "string"
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
type Schema = FieldSpec[];

function f(
  number: number,
  camel: string,
  type: Scalar | Schema,
  options: { repeated?: boolean; names?: Readonly<Record<string, number>> } = {},
): FieldSpec {
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return { number, camel, snake, type, repeated: options.repeated ?? false, names: options.names };
}
const rep = { repeated: true };

// Common: AnyValue is recursive, so its tables are filled after they exist.
const anyValue: Schema = [];
const keyValue: Schema = [f(1, "key", "string"), f(2, "value", anyValue)];
anyValue.push(
  f(1, "stringValue", "string"),
  f(2, "boolValue", "bool"),
  f(3, "intValue", "int64"),
  f(4, "doubleValue", "double"),
  f(5, "arrayValue", [f(1, "values", anyValue, rep)]),
  f(6, "kvlistValue", [f(1, "values", keyValue, rep)]),
  f(7, "bytesValue", "bytes"),
);
const attributes = (n: number, camel = "attributes") => f(n, camel, keyValue, rep);
const resource: Schema = [attributes(1), f(2, "droppedAttributesCount", "uint32")];
const scope: Schema = [
  f(1, "name", "string"),
  f(2, "version", "string"),
  attributes(3),
  f(4, "droppedAttributesCount", "uint32"),
];
/** Request { repeated Resource<Signal> = 1 } → { resource = 1, repeated Scope<Signal> = 2, schema_url = 3 } → { scope = 1, repeated item = 2, schema_url = 3 }. */
function exportRequest(resources: string, scopes: string, items: string, item: Schema): Schema {
  const scopeGroup: Schema = [f(1, "scope", scope), f(2, items, item, rep), f(3, "schemaUrl", "string")];
  const resourceGroup: Schema = [
    f(1, "resource", resource),
    f(2, scopes, scopeGroup, rep),
    f(3, "schemaUrl", "string"),
  ];
  return [f(1, resources, resourceGroup, rep)];
}

const span: Schema = [
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
];

const logRecord: Schema = [
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
];

const exemplar: Schema = [
  attributes(7, "filteredAttributes"),
  f(2, "timeUnixNano", "fixed64"),
  f(3, "asDouble", "double"),
  f(6, "asInt", "sfixed64"),
  f(4, "spanId", "id"),
  f(5, "traceId", "id"),
];
const times = [f(2, "startTimeUnixNano", "fixed64"), f(3, "timeUnixNano", "fixed64")];
const numberPoint: Schema = [
  attributes(7),
  ...times,
  f(4, "asDouble", "double"),
  f(6, "asInt", "sfixed64"),
  f(5, "exemplars", exemplar, rep),
  f(8, "flags", "uint32"),
];
const histogramPoint: Schema = [
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
];
const buckets: Schema = [f(1, "offset", "sint32"), f(2, "bucketCounts", "uint64", rep)];
const exponentialPoint: Schema = [
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
];
const summaryPoint: Schema = [
  attributes(7),
  ...times,
  f(4, "count", "fixed64"),
  f(5, "sum", "double"),
  f(6, "quantileValues", [f(1, "quantile", "double"), f(2, "value", "double")], rep),
  f(8, "flags", "uint32"),
];
const temporality = f(2, "aggregationTemporality", "enum", { names: TEMPORALITY_NAMES });
const metric: Schema = [
  f(1, "name", "string"),
  f(2, "description", "string"),
  f(3, "unit", "string"),
  f(5, "gauge", [f(1, "dataPoints", numberPoint, rep)]),
  f(7, "sum", [f(1, "dataPoints", numberPoint, rep), temporality, f(3, "isMonotonic", "bool")]),
  f(9, "histogram", [f(1, "dataPoints", histogramPoint, rep), temporality]),
  f(10, "exponentialHistogram", [f(1, "dataPoints", exponentialPoint, rep), temporality]),
  f(11, "summary", [f(1, "dataPoints", summaryPoint, rep)]),
  f(12, "metadata", keyValue, rep),
];

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
  return w.bytes();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function writeMessage(w: ProtoWriter, obj: Record<string, unknown>, schema: Schema, apiKinds: boolean): void {
  for (const spec of schema) {
    let value = obj[spec.camel];
    if (value === undefined) value = obj[spec.snake];
    if (spec.type === "spanKind" && apiKinds) {
      // As the local decoder reads it: an absent or numeric kind is the API's (absent = INTERNAL).
      if (value === undefined || value === null) value = 0;
      if (typeof value === "number") value = OTLP_KIND_OF_API_KIND[value] ?? value;
    }
    if (value === undefined || value === null) continue;
    if (spec.repeated) {
      if (!Array.isArray(value)) continue;
      if (typeof spec.type === "string") writePacked(w, spec, value);
      else for (const item of value) writeNested(w, spec.number, item, spec.type, apiKinds);
    } else if (typeof spec.type === "string") {
      writeScalar(w, spec, value);
    } else {
      writeNested(w, spec.number, value, spec.type, apiKinds);
    }
  }
}

function writeNested(w: ProtoWriter, number: number, value: unknown, schema: Schema, apiKinds: boolean): void {
  if (!isObject(value)) return;
  const child = new ProtoWriter();
  writeMessage(child, value, schema, apiKinds);
  w.lengthDelimited(number, child.bytes());
}

/** Repeated scalars (bucket counts, bounds) as one packed field, as proto3 writes them. */
function writePacked(w: ProtoWriter, spec: FieldSpec, values: unknown[]): void {
  const packed = new ProtoWriter();
  for (const value of values) writeScalarValue(packed, spec, value);
  if (packed.length === 0) return;
  w.lengthDelimited(spec.number, packed.bytes());
}

const UTF8 = new TextEncoder();
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;
const INT_RE = /^-?\d{1,32}$/;

function toBigInt(value: unknown): bigint | null {
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (typeof value === "string" && INT_RE.test(value)) return BigInt(value);
  return null;
}

function toDouble(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return null;
  if (value === "NaN") return Number.NaN;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  const n = value.trim() === "" ? Number.NaN : Number(value);
  return Number.isNaN(n) ? null : n;
}

function toEnum(value: unknown, names: Readonly<Record<string, number>> | undefined): bigint | null {
  if (typeof value === "string" && names !== undefined && Object.hasOwn(names, value)) {
    return BigInt(names[value] as number);
  }
  return toBigInt(value);
}

function writeScalar(w: ProtoWriter, spec: FieldSpec, value: unknown): void {
  const type = spec.type as Scalar;
  if (type === "string" || type === "bytes" || type === "id") {
    const bytes = bytesOf(type, value);
    if (bytes !== null) w.lengthDelimited(spec.number, bytes);
    return;
  }
  const mark = w.length;
  w.tag(spec.number, wireTypeOf(type));
  // A value that is not of the field's type is left out: the tag just written is taken back.
  if (!writeScalarValue(w, spec, value)) w.length = mark;
}

function bytesOf(type: "string" | "bytes" | "id", value: unknown): Uint8Array | null {
  if (typeof value !== "string") return null;
  if (type === "string") return UTF8.encode(value);
  if (type === "bytes") return Buffer.from(value, "base64");
  return value !== "" && HEX_RE.test(value) ? Buffer.from(value, "hex") : null;
}

function wireTypeOf(type: Scalar): number {
  switch (type) {
    case "fixed64":
    case "sfixed64":
    case "double":
      return 1;
    case "fixed32":
      return 5;
    case "string":
    case "bytes":
    case "id":
      return WIRE_LEN;
    default:
      return 0;
  }
}

/** Writes one value without its tag; false when it is not of the field's type. */
function writeScalarValue(w: ProtoWriter, spec: FieldSpec, value: unknown): boolean {
  switch (spec.type as Scalar) {
    case "bool":
      if (typeof value !== "boolean") return false;
      w.varint(value ? 1 : 0);
      return true;
    case "double": {
      const n = toDouble(value);
      if (n === null) return false;
      w.double(n);
      return true;
    }
    case "fixed32": {
      const n = toBigInt(value);
      if (n === null) return false;
      w.fixed32(Number(BigInt.asUintN(32, n)));
      return true;
    }
    case "fixed64":
    case "sfixed64": {
      const n = toBigInt(value);
      if (n === null) return false;
      w.fixed64(n);
      return true;
    }
    case "sint32": {
      const n = toBigInt(value);
      if (n === null) return false;
      w.varint64(n >= 0n ? n * 2n : -n * 2n - 1n);
      return true;
    }
    case "enum":
    case "spanKind": {
      const n = toEnum(value, spec.names);
      if (n === null) return false;
      w.varint64(n);
      return true;
    }
    default: {
      // int32, uint32, int64, uint64: varints (a negative value as its 64-bit two's complement).
      const n = toBigInt(value);
      if (n === null) return false;
      w.varint64(n);
      return true;
    }
  }
}
