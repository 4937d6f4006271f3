/**
 * Domain Spans → an OTLP/JSON ExportTraceServiceRequest (the encoding `decodeTraceRequestJson` reads):
 * hex ids, int64 as decimal strings, enums as integers, typed AnyValues. Spans that share a resource
 * and a scope are grouped under one ResourceSpans/ScopeSpans, as an SDK would send them.
 *
 * What comes back from decoding this is the same domain Span (ids, nanosecond times, attribute values,
 * events, links, status, kind, trace state, flags, dropped counts, resource and scope). The domain keeps
 * attribute values as JSON-friendly values (see otlp/attributes.ts), so their encoding is decided from
 * the value: a whole number is an `intValue`, any other number a `doubleValue`, a string a `stringValue`,
 * or a `bytesValue` where the span, event, link, resource or scope names its place (it arrived as
 * bytes: `bytes`, `resourceBytes`, see BytesPlace), at any depth in lists and maps; a string named by
 * a place ending in INT_MARK is an int64 past 2^53 kept as its digits, written as an `intValue` again.
 */
import { type BytesPlace, INT_MARK, isBytesKey, placesInside, type ValueStep } from "../../domain/bytes-places.js";
import type { Attributes, AttrValue, InstrumentationScope, Span, SpanEvent, SpanLink } from "../../domain/span.js";
import { SPAN_KINDS, STATUS_CODES } from "../../domain/span.js";

export interface OtlpJsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  /** A number, or "NaN", "Infinity", "-Infinity" (the protobuf JSON mapping of non-finite doubles). */
  doubleValue?: number | string;
  arrayValue?: { values: OtlpJsonAnyValue[] };
  kvlistValue?: { values: OtlpJsonKeyValue[] };
  /** Base64: a value that was sent as bytes (Span.bytes, LogRecord.bytes). */
  bytesValue?: string;
}

export interface OtlpJsonKeyValue {
  key: string;
  value: OtlpJsonAnyValue;
}

export interface OtlpJsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  flags?: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpJsonKeyValue[];
  droppedAttributesCount?: number;
  events: {
    timeUnixNano: string;
    name: string;
    attributes: OtlpJsonKeyValue[];
    droppedAttributesCount?: number;
  }[];
  droppedEventsCount?: number;
  links: {
    traceId: string;
    spanId: string;
    traceState?: string;
    attributes: OtlpJsonKeyValue[];
    droppedAttributesCount?: number;
    flags?: number;
  }[];
  droppedLinksCount?: number;
  status: { code: number; message?: string };
}

export interface OtlpJsonTraceRequest {
  resourceSpans: {
    resource: { attributes: OtlpJsonKeyValue[] };
    scopeSpans: {
      scope: { name: string; version?: string; attributes?: OtlpJsonKeyValue[] };
      spans: OtlpJsonSpan[];
    }[];
  }[];
}

/** One request holding `spans`, grouped by resource and scope in the order they first appear. */
export function encodeTraceRequestJson(spans: Iterable<Span>): OtlpJsonTraceRequest {
  return {
    resourceSpans: groupedByResourceAndScope(spans, spanJson, spanResourceBytes).map(({ resource, scopes }) => ({
      resource,
      scopeSpans: scopes.map(({ scope, items }) => ({ scope, spans: items })),
    })),
  };
}

export type OtlpJsonScope = OtlpJsonTraceRequest["resourceSpans"][number]["scopeSpans"][number]["scope"];

/** Items of one resource, by scope: what an OTLP request's ResourceSpans / ResourceLogs holds. */
export interface ResourceGroupJson<J> {
  resource: { attributes: OtlpJsonKeyValue[] };
  scopes: { scope: OtlpJsonScope; items: J[] }[];
}

interface ResourceGroup<J> {
  json: ResourceGroupJson<J>;
  scopes: Map<string, ResourceGroupJson<J>["scopes"][number]>;
}

/** Where a span's resource's bytes values are. */
export function spanResourceBytes(span: Span): readonly BytesPlace[] | undefined {
  return span.resourceBytes;
}

/**
 * Items (spans, log records) as `toJson` writes them, grouped by resource and scope in the order they
 * first appear. Items of one batch share their resource and scope objects; items read back from
 * SQLite carry equal copies, so groups are found by reference first and by content after (the
 * content of a resource being its attributes and, from `resourceBytesOf`, which of them were bytes).
 */
export function groupedByResourceAndScope<T extends { resource: Attributes; scope: InstrumentationScope }, J>(
  items: Iterable<T>,
  toJson: (item: T) => J,
  resourceBytesOf: (item: T) => readonly BytesPlace[] | undefined,
): ResourceGroupJson<J>[] {
  const groups: ResourceGroupJson<J>[] = [];
  const resourceByRef = new Map<Attributes, ResourceGroup<J>>();
  const resourceByKey = new Map<string, ResourceGroup<J>>();
  for (const item of items) {
    const places = resourceBytesOf(item);
    // A resource read back with places is not found by reference: equal attributes may differ in them.
    let resource = places === undefined ? resourceByRef.get(item.resource) : undefined;
    if (resource === undefined) {
      const key = places === undefined ? JSON.stringify(item.resource) : JSON.stringify([item.resource, places]);
      resource = resourceByKey.get(key);
      if (resource === undefined) {
        const attributes = keyValues(item.resource, places);
        resource = { json: { resource: { attributes }, scopes: [] }, scopes: new Map() };
        resourceByKey.set(key, resource);
        groups.push(resource.json);
      }
      if (places === undefined) resourceByRef.set(item.resource, resource);
    }
    const scopeKey = scopeKeyOf(item.scope);
    let scope = resource.scopes.get(scopeKey);
    if (scope === undefined) {
      scope = { scope: scopeJson(item.scope), items: [] };
      resource.scopes.set(scopeKey, scope);
      resource.json.scopes.push(scope);
    }
    scope.items.push(toJson(item));
  }
  return groups;
}

const scopeKeys = new WeakMap<InstrumentationScope, string>();

function scopeKeyOf(scope: InstrumentationScope): string {
  let key = scopeKeys.get(scope);
  if (key === undefined) {
    key = JSON.stringify([scope.name, scope.version, scope.attributes ?? {}, scope.bytes ?? []]);
    scopeKeys.set(scope, key);
  }
  return key;
}

function scopeJson(scope: InstrumentationScope): OtlpJsonScope {
  const json: ReturnType<typeof scopeJson> = { name: scope.name };
  if (scope.version !== "") json.version = scope.version;
  if (scope.attributes !== undefined && Object.keys(scope.attributes).length !== 0) {
    json.attributes = keyValues(scope.attributes, scope.bytes);
  }
  return json;
}

export function spanJson(span: Span): OtlpJsonSpan {
  const json: OtlpJsonSpan = {
    traceId: span.traceId,
    spanId: span.spanId,
    name: span.name,
    kind: SPAN_KINDS.indexOf(span.kind),
    startTimeUnixNano: span.startTimeUnixNano.toString(),
    endTimeUnixNano: span.endTimeUnixNano.toString(),
    attributes: keyValues(span.attributes, span.bytes),
    events: span.events.map(eventJson),
    links: span.links.map(linkJson),
    status: { code: STATUS_CODES.indexOf(span.status.code) },
  };
  if (span.parentSpanId !== null) json.parentSpanId = span.parentSpanId;
  if (span.traceState !== undefined) json.traceState = span.traceState;
  if (span.flags !== undefined) json.flags = span.flags;
  if (span.droppedAttributesCount !== undefined) json.droppedAttributesCount = span.droppedAttributesCount;
  if (span.droppedEventsCount !== undefined) json.droppedEventsCount = span.droppedEventsCount;
  if (span.droppedLinksCount !== undefined) json.droppedLinksCount = span.droppedLinksCount;
  if (span.status.message !== undefined) json.status.message = span.status.message;
  return json;
}

function eventJson(event: SpanEvent): OtlpJsonSpan["events"][number] {
  const json: OtlpJsonSpan["events"][number] = {
    timeUnixNano: event.timeUnixNano.toString(),
    name: event.name,
    attributes: keyValues(event.attributes, event.bytes),
  };
  if (event.droppedAttributesCount !== undefined) json.droppedAttributesCount = event.droppedAttributesCount;
  return json;
}

function linkJson(link: SpanLink): OtlpJsonSpan["links"][number] {
  const json: OtlpJsonSpan["links"][number] = {
    traceId: link.traceId,
    spanId: link.spanId,
    attributes: keyValues(link.attributes, link.bytes),
  };
  if (link.traceState !== undefined) json.traceState = link.traceState;
  if (link.droppedAttributesCount !== undefined) json.droppedAttributesCount = link.droppedAttributesCount;
  if (link.flags !== undefined) json.flags = link.flags;
  return json;
}

/** `bytes`: where the (base64 string) values sent as bytes are (Span.bytes), written as bytesValue again. */
export function keyValues(attributes: Attributes, bytes?: readonly BytesPlace[]): OtlpJsonKeyValue[] {
  const out: OtlpJsonKeyValue[] = [];
  for (const key in attributes) {
    const value = attributes[key] as AttrValue;
    out.push({
      key,
      value:
        bytes === undefined
          ? anyValueJson(value)
          : anyValueWithBytes(value, isBytesKey(bytes, key), placesInside(bytes, key)),
    });
  }
  return out;
}

/**
 * `anyValueJson`, with the value itself (`bytes`) or the strings at `paths` inside it (steps into
 * its lists and maps) written as bytesValue: they were sent as bytes (a path ending in INT_MARK: as
 * intValue, an int64 kept as its digits).
 */
export function anyValueWithBytes(
  value: AttrValue,
  bytes: boolean,
  paths: readonly (readonly ValueStep[])[],
): OtlpJsonAnyValue {
  if (bytes && typeof value === "string") return { bytesValue: value };
  let json = anyValueJson(value);
  // A path of INT_MARK alone is the value itself.
  for (const path of paths) json = markBytes(json, path, 0);
  return json;
}

/**
 * The AnyValue at `path` (from step `from`) inside `json`, when it is a stringValue: as bytesValue, or
 * as intValue when the path ends in INT_MARK (an int64 kept as its digits).
 */
function markBytes(json: OtlpJsonAnyValue, path: readonly ValueStep[], from: number): OtlpJsonAnyValue {
  const step = path[from];
  if (from === path.length || step === INT_MARK) {
    if (json.stringValue === undefined) return json;
    return step === INT_MARK ? { intValue: json.stringValue } : { bytesValue: json.stringValue };
  }
  if (typeof step === "number") {
    const values = json.arrayValue?.values;
    const item = values?.[step];
    if (values !== undefined && item !== undefined) values[step] = markBytes(item, path, from + 1);
  } else {
    // A map's keys are unique (the decoders keep the last of a repeated one).
    const entry = json.kvlistValue?.values.find((kv) => kv.key === step);
    if (entry !== undefined) entry.value = markBytes(entry.value, path, from + 1);
  }
  return json;
}

/** The AnyValue of a domain attribute value; null is the empty AnyValue. */
export function anyValueJson(value: AttrValue): OtlpJsonAnyValue {
  switch (typeof value) {
    case "string":
      return { stringValue: value };
    case "boolean":
      return { boolValue: value };
    case "number":
      // The decoders keep an int64 as a number only while it is exact (beyond that it is a decimal
      // string), so a larger whole number was a double. So was -0 (an int64 has none), which JSON's
      // numbers cannot write: a numeric string, as the protobuf JSON mapping allows.
      if (Object.is(value, -0)) return { doubleValue: "-0" };
      if (Number.isSafeInteger(value)) return { intValue: String(value) };
      return { doubleValue: Number.isFinite(value) ? value : String(value) };
    default:
      if (value === null) return {};
      if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValueJson) } };
      return { kvlistValue: { values: keyValues(value) } };
  }
}
