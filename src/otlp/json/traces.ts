/**
 * OTLP/JSON ExportTraceServiceRequest (already JSON.parse'd) → domain Spans.
 *
 * Rule for wrongly shaped input: a fault at or above the level of a span list (body not an object;
 * resourceSpans, scopeSpans or spans not arrays; a ResourceSpans/ScopeSpans entry not an object; a
 * malformed resource or scope) makes the whole body undecodable → OtlpDecodeError, because the spans
 * lost could not even be counted. A fault inside one span (the span not an object, a field of the
 * wrong type, a bad attribute value, an invalid time) rejects that span alone, counted in
 * rejectedSpans with a reason. Nesting past the depth bound is treated as hostile: OtlpDecodeError.
 * Unknown fields are ignored; null counts as absent.
 */
import { SPAN_KINDS, STATUS_CODES } from "../../domain/span.js";
import type { RequestLimits } from "../limits.js";
import {
  addWireEvent,
  makeEvent,
  newWireSpan,
  resetWireSpan,
  roomForEvent,
  roomForLink,
  spanGroup,
  TraceBatch,
  type TraceDecodeResult,
  type WireLink,
  type WireSpan,
} from "../traces.js";
import {
  asArray,
  asEnum,
  asString,
  asUint32,
  asUint64,
  attributesFieldCounted,
  beginItem,
  either,
  endItem,
  enumField,
  isObject,
  type JsonObject,
  JsonShapeError,
  readKeyValues,
  show,
  stringField,
  uint32Field,
  uint64Field,
} from "./common.js";
import {
  forEachScopeGroup,
  type JsonGroupOpener,
  type SignalFieldNames,
  scratchItemReader,
  sliceScopeGroups,
} from "./groups.js";
import { sharedId, sharedString } from "./shared-strings.js";

export const SPAN_KIND_NAMES = enumNames("SPAN_KIND_", SPAN_KINDS);
export const STATUS_CODE_NAMES = enumNames("STATUS_CODE_", STATUS_CODES);

function enumNames(prefix: string, values: readonly string[]): Record<string, number> {
  const names: Record<string, number> = {};
  values.forEach((value, i) => {
    names[prefix + value] = i;
  });
  return names;
}

/**
 * OpenTelemetry API SpanKind values (INTERNAL=0 … CONSUMER=4) → OTLP's (UNSPECIFIED=0, INTERNAL=1 …
 * CONSUMER=5). The TraceKit SDKs' local-UI span processors write the API's numbers into OTLP/JSON.
 */
export const OTLP_KIND_OF_API_KIND = [1, 2, 3, 4, 5];

export interface JsonTraceDecodeOptions {
  /**
   * Read numeric `kind` values as the OpenTelemetry API enum rather than OTLP's (see
   * `isTraceKitLocalUiRequest`). Kinds given by name (`SPAN_KIND_SERVER`) are read as named.
   */
  apiSpanKinds?: boolean;
}

const TRACE_FIELDS: SignalFieldNames = {
  resources: ["resourceSpans", "resource_spans"],
  scopes: ["scopeSpans", "scope_spans"],
  items: ["spans", "spans"],
};

export function decodeTraceRequestJson(body: unknown, options: JsonTraceDecodeOptions = {}): TraceDecodeResult {
  const batch = new TraceBatch();
  forEachScopeGroup(body, TRACE_FIELDS, spanReader(batch, options), "spans");
  return batch.result();
}

/** `decodeTraceRequestJson` for a large body as received (never parsed whole), as steps to pace. */
export function* traceRequestJsonSteps(
  bytes: Uint8Array,
  options: JsonTraceDecodeOptions = {},
  limits?: RequestLimits,
): Generator<void, TraceDecodeResult, void> {
  const batch = new TraceBatch();
  yield* sliceScopeGroups(bytes, TRACE_FIELDS, spanReader(batch, options), "spans", limits);
  return batch.result();
}

function spanReader(batch: TraceBatch, options: JsonTraceDecodeOptions): JsonGroupOpener {
  const read = options.apiSpanKinds === true ? readSpanWithApiKinds : readSpan;
  return scratchItemReader(batch, "span", newWireSpan(), resetWireSpan, read, spanGroup);
}

/** `readSpan` for a body whose numeric kinds are the OpenTelemetry API's (kinds given by name are OTLP's). */
function readSpanWithApiKinds(s: JsonObject, w: WireSpan): unknown {
  const rawKind = readSpan(s, w);
  if (rawKind === undefined || rawKind === null || typeof rawKind === "number") {
    w.kind = OTLP_KIND_OF_API_KIND[w.kind] ?? w.kind;
  }
  return rawKind;
}

/** Reads one span, with its budget of values (MAX_VALUES_PER_ITEM). Returns the raw `kind`. */
function readSpan(s: JsonObject, w: WireSpan): unknown {
  const outer = beginItem();
  try {
    return readSpanFields(s, w);
  } finally {
    endItem(outer);
  }
}

/**
 * Reads one span's fields. A single pass over the keys the span has (instead of a lookup for each spelling
 * of every field, most of them absent) collects the raw values, which are then checked in a fixed
 * order, so the first reported fault does not depend on key order. Returns the raw `kind`.
 */
function readSpanFields(s: JsonObject, w: WireSpan): unknown {
  let traceId: unknown;
  let traceIdSnake: unknown;
  let spanId: unknown;
  let spanIdSnake: unknown;
  let parentSpanId: unknown;
  let parentSpanIdSnake: unknown;
  let traceState: unknown;
  let traceStateSnake: unknown;
  let flags: unknown;
  let name: unknown;
  let kind: unknown;
  let start: unknown;
  let startSnake: unknown;
  let end: unknown;
  let endSnake: unknown;
  let attributes: unknown;
  let droppedAttributes: unknown;
  let droppedAttributesSnake: unknown;
  let droppedEvents: unknown;
  let droppedEventsSnake: unknown;
  let droppedLinks: unknown;
  let droppedLinksSnake: unknown;
  let events: unknown;
  let links: unknown;
  let status: unknown;
  for (const key in s) {
    const value = s[key];
    switch (key) {
      case "traceId":
        traceId = value;
        break;
      case "trace_id":
        traceIdSnake = value;
        break;
      case "spanId":
        spanId = value;
        break;
      case "span_id":
        spanIdSnake = value;
        break;
      case "parentSpanId":
        parentSpanId = value;
        break;
      case "parent_span_id":
        parentSpanIdSnake = value;
        break;
      case "traceState":
        traceState = value;
        break;
      case "trace_state":
        traceStateSnake = value;
        break;
      case "flags":
        flags = value;
        break;
      case "name":
        name = value;
        break;
      case "kind":
        kind = value;
        break;
      case "startTimeUnixNano":
        start = value;
        break;
      case "start_time_unix_nano":
        startSnake = value;
        break;
      case "endTimeUnixNano":
        end = value;
        break;
      case "end_time_unix_nano":
        endSnake = value;
        break;
      case "attributes":
        attributes = value;
        break;
      case "droppedAttributesCount":
        droppedAttributes = value;
        break;
      case "dropped_attributes_count":
        droppedAttributesSnake = value;
        break;
      case "droppedEventsCount":
        droppedEvents = value;
        break;
      case "dropped_events_count":
        droppedEventsSnake = value;
        break;
      case "droppedLinksCount":
        droppedLinks = value;
        break;
      case "dropped_links_count":
        droppedLinksSnake = value;
        break;
      case "events":
        events = value;
        break;
      case "links":
        links = value;
        break;
      case "status":
        status = value;
        break;
    }
  }
  w.traceId = sharedId(asString(either(traceId, traceIdSnake), "traceId"));
  w.spanId = asString(either(spanId, spanIdSnake), "spanId");
  w.parentSpanId = sharedId(asString(either(parentSpanId, parentSpanIdSnake), "parentSpanId"));
  w.traceState = asString(either(traceState, traceStateSnake), "traceState");
  w.flags = asUint32(flags, "flags");
  w.name = sharedString(asString(name, "name"));
  w.kind = asEnum(kind, "kind", SPAN_KIND_NAMES);
  w.startTimeUnixNano = asUint64(either(start, startSnake), "startTimeUnixNano");
  w.endTimeUnixNano = asUint64(either(end, endSnake), "endTimeUnixNano");
  w.attributesOverLimit = readKeyValues(asArray(attributes, "attributes"), w.attributes, 1, undefined, w.bytesKeys);
  w.droppedAttributesCount = asUint32(either(droppedAttributes, droppedAttributesSnake), "droppedAttributesCount");
  w.droppedEventsCount = asUint32(either(droppedEvents, droppedEventsSnake), "droppedEventsCount");
  w.droppedLinksCount = asUint32(either(droppedLinks, droppedLinksSnake), "droppedLinksCount");

  readEvents(asArray(events, "events"), w);
  readLinks(asArray(links, "links"), w);
  readStatus(status === null ? undefined : status, w);
  return kind;
}

function readEvents(events: unknown[] | undefined, w: WireSpan): void {
  if (events === undefined) return;
  for (const e of events) {
    if (!roomForEvent(w)) continue;
    if (!isObject(e)) throw new JsonShapeError(`event ${show(e)} is not an object`);
    const keys = w.itemBytesKeys;
    keys.length = 0;
    const { attributes, overLimit } = attributesFieldCounted(e, keys);
    addWireEvent(
      w,
      makeEvent(
        stringField(e, "name"),
        uint64Field(e, "timeUnixNano", "time_unix_nano"),
        attributes,
        uint32Field(e, "droppedAttributesCount", "dropped_attributes_count") + overLimit,
        keys,
      ),
    );
  }
}

function readLinks(links: unknown[] | undefined, w: WireSpan): void {
  if (links === undefined) return;
  for (const l of links) {
    if (!roomForLink(w)) continue;
    if (!isObject(l)) throw new JsonShapeError(`link ${show(l)} is not an object`);
    const keys = w.itemBytesKeys;
    keys.length = 0;
    const { attributes, overLimit } = attributesFieldCounted(l, keys);
    const link: WireLink = {
      traceId: stringField(l, "traceId", "trace_id"),
      spanId: stringField(l, "spanId", "span_id"),
      traceState: stringField(l, "traceState", "trace_state"),
      attributes,
      droppedAttributesCount: uint32Field(l, "droppedAttributesCount", "dropped_attributes_count") + overLimit,
      flags: uint32Field(l, "flags"),
    };
    if (keys.length !== 0) link.bytes = [...keys];
    w.links.push(link);
  }
}

function readStatus(status: unknown, w: WireSpan): void {
  if (status === undefined) return;
  if (!isObject(status)) throw new JsonShapeError(`status ${show(status)} is not an object`);
  w.statusCode = enumField(status, "code", STATUS_CODE_NAMES);
  w.statusMessage = sharedString(stringField(status, "message"));
}
