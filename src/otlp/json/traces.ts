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
import { OtlpDecodeError } from "../errors.js";
import {
  addWireEvent,
  makeEvent,
  makeScope,
  newWireSpan,
  resetWireSpan,
  type SpanGroup,
  spanGroup,
  TraceBatch,
  type TraceDecodeResult,
  type WireLink,
  type WireSpan,
} from "../traces.js";
import {
  arrayField,
  attributesField,
  enumField,
  field,
  isObject,
  type JsonObject,
  JsonShapeError,
  objectField,
  show,
  stringField,
  uint32Field,
  uint64Field,
} from "./common.js";

const SPAN_KIND_NAMES = enumNames("SPAN_KIND_", SPAN_KINDS);
const STATUS_CODE_NAMES = enumNames("STATUS_CODE_", STATUS_CODES);

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
const OTLP_KIND_OF_API_KIND = [1, 2, 3, 4, 5];

export interface JsonTraceDecodeOptions {
  /**
   * Read numeric `kind` values as the OpenTelemetry API enum rather than OTLP's (see
   * `isTraceKitLocalUiRequest`). Kinds given by name (`SPAN_KIND_SERVER`) are read as named.
   */
  apiSpanKinds?: boolean;
}

export function decodeTraceRequestJson(body: unknown, options: JsonTraceDecodeOptions = {}): TraceDecodeResult {
  const apiSpanKinds = options.apiSpanKinds === true;
  if (!isObject(body)) throw new OtlpDecodeError("request body is not a JSON object");
  const batch = new TraceBatch();
  const resourceSpans = structural("request", () => arrayField(body, "resourceSpans", "resource_spans"));
  if (resourceSpans === undefined) return batch.result();
  const scratch = newWireSpan();
  for (let i = 0; i < resourceSpans.length; i++) {
    const rs = resourceSpans[i];
    const path = `resourceSpans[${i}]`;
    if (!isObject(rs)) throw new OtlpDecodeError(`${path} is not an object`);
    const resource = structural(`${path}.resource`, () => {
      const r = objectField(rs, "resource");
      return r === undefined ? {} : attributesField(r);
    });
    const scopeSpans = structural(path, () => arrayField(rs, "scopeSpans", "scope_spans"));
    if (scopeSpans === undefined) continue;
    for (let j = 0; j < scopeSpans.length; j++) {
      const ss = scopeSpans[j];
      const ssPath = `${path}.scopeSpans[${j}]`;
      if (!isObject(ss)) throw new OtlpDecodeError(`${ssPath} is not an object`);
      const scope = structural(`${ssPath}.scope`, () => {
        const s = objectField(ss, "scope");
        if (s === undefined) return makeScope("", "", {});
        return makeScope(stringField(s, "name"), stringField(s, "version"), attributesField(s));
      });
      const spans = structural(ssPath, () => arrayField(ss, "spans"));
      if (spans === undefined) continue;
      const group = spanGroup(resource, scope, i, j);
      for (let k = 0; k < spans.length; k++) {
        readSpanInto(batch, spans[k], resetWireSpan(scratch), group, k, apiSpanKinds);
      }
    }
  }
  return batch.result();
}

/** Runs a read above the span level, where any shape fault makes the whole body unusable. */
function structural<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof JsonShapeError) throw new OtlpDecodeError(`${path}: ${e.message}`);
    throw e;
  }
}

function readSpanInto(
  batch: TraceBatch,
  span: unknown,
  w: WireSpan,
  group: SpanGroup,
  index: number,
  apiSpanKinds: boolean,
): void {
  if (!isObject(span)) {
    batch.reject(group, index, `span ${show(span)} is not an object`);
    return;
  }
  try {
    readSpan(span, w);
    if (apiSpanKinds) {
      const raw = field(span, "kind");
      if (raw === undefined || typeof raw === "number") w.kind = OTLP_KIND_OF_API_KIND[w.kind] ?? w.kind;
    }
  } catch (e) {
    if (e instanceof JsonShapeError) {
      batch.reject(group, index, e.message);
      return;
    }
    throw e;
  }
  batch.add(w, group, index);
}

function readSpan(s: JsonObject, w: WireSpan): void {
  w.traceId = stringField(s, "traceId", "trace_id");
  w.spanId = stringField(s, "spanId", "span_id");
  w.parentSpanId = stringField(s, "parentSpanId", "parent_span_id");
  w.traceState = stringField(s, "traceState", "trace_state");
  w.flags = uint32Field(s, "flags");
  w.name = stringField(s, "name");
  w.kind = enumField(s, "kind", SPAN_KIND_NAMES);
  w.startTimeUnixNano = uint64Field(s, "startTimeUnixNano", "start_time_unix_nano");
  w.endTimeUnixNano = uint64Field(s, "endTimeUnixNano", "end_time_unix_nano");
  w.attributes = attributesField(s);
  w.droppedAttributesCount = uint32Field(s, "droppedAttributesCount", "dropped_attributes_count");
  w.droppedEventsCount = uint32Field(s, "droppedEventsCount", "dropped_events_count");
  w.droppedLinksCount = uint32Field(s, "droppedLinksCount", "dropped_links_count");

  const events = arrayField(s, "events");
  if (events !== undefined) {
    for (const e of events) {
      if (!isObject(e)) throw new JsonShapeError(`event ${show(e)} is not an object`);
      addWireEvent(
        w,
        makeEvent(
          stringField(e, "name"),
          uint64Field(e, "timeUnixNano", "time_unix_nano"),
          attributesField(e),
          uint32Field(e, "droppedAttributesCount", "dropped_attributes_count"),
        ),
      );
    }
  }

  const links = arrayField(s, "links");
  if (links !== undefined) {
    for (const l of links) {
      if (!isObject(l)) throw new JsonShapeError(`link ${show(l)} is not an object`);
      const link: WireLink = {
        traceId: stringField(l, "traceId", "trace_id"),
        spanId: stringField(l, "spanId", "span_id"),
        traceState: stringField(l, "traceState", "trace_state"),
        attributes: attributesField(l),
        droppedAttributesCount: uint32Field(l, "droppedAttributesCount", "dropped_attributes_count"),
        flags: uint32Field(l, "flags"),
      };
      w.links.push(link);
    }
  }

  const status = field(s, "status");
  if (status !== undefined) {
    if (!isObject(status)) throw new JsonShapeError(`status ${show(status)} is not an object`);
    w.statusCode = enumField(status, "code", STATUS_CODE_NAMES);
    w.statusMessage = stringField(status, "message");
  }
}
