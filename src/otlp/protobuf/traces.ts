/**
 * ExportTraceServiceRequest (opentelemetry.proto.collector.trace.v1) bytes → domain Spans, without an
 * intermediate message tree. Any wire-level malformation throws OtlpDecodeError for the whole body
 * (the bytes cannot be trusted past it); a span that decodes but is invalid (bad ids) is rejected
 * alone by the shared rules in ../traces.ts.
 */
import type { Attributes } from "../../domain/span.js";
import {
  addWireEvent,
  makeEvent,
  newWireLink,
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
  newScopeParts,
  readAttributeField,
  readHeaderThenEntries,
  readResourceField,
  readScopeField,
  scopeFromParts,
} from "./common.js";
import { encodeExportResponseProtobuf } from "./status.js";
import { ProtoReader, tagOf, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from "./wire.js";

// ExportTraceServiceRequest
const T_RESOURCE_SPANS = tagOf(1, WIRE_LEN);
// ResourceSpans
const T_RESOURCE = tagOf(1, WIRE_LEN);
const T_SCOPE_SPANS = tagOf(2, WIRE_LEN);
// ScopeSpans
const T_SCOPE = tagOf(1, WIRE_LEN);
const T_SPANS = tagOf(2, WIRE_LEN);
// Span
const T_TRACE_ID = tagOf(1, WIRE_LEN);
const T_SPAN_ID = tagOf(2, WIRE_LEN);
const T_TRACE_STATE = tagOf(3, WIRE_LEN);
const T_PARENT_SPAN_ID = tagOf(4, WIRE_LEN);
const T_NAME = tagOf(5, WIRE_LEN);
const T_KIND = tagOf(6, WIRE_VARINT);
const T_START = tagOf(7, WIRE_I64);
const T_END = tagOf(8, WIRE_I64);
const T_ATTRIBUTES = tagOf(9, WIRE_LEN);
const T_DROPPED_ATTRIBUTES = tagOf(10, WIRE_VARINT);
const T_EVENTS = tagOf(11, WIRE_LEN);
const T_DROPPED_EVENTS = tagOf(12, WIRE_VARINT);
const T_LINKS = tagOf(13, WIRE_LEN);
const T_DROPPED_LINKS = tagOf(14, WIRE_VARINT);
const T_STATUS = tagOf(15, WIRE_LEN);
const T_FLAGS = tagOf(16, WIRE_I32);
// Span.Event
const T_EVENT_TIME = tagOf(1, WIRE_I64);
const T_EVENT_NAME = tagOf(2, WIRE_LEN);
const T_EVENT_ATTRIBUTES = tagOf(3, WIRE_LEN);
const T_EVENT_DROPPED = tagOf(4, WIRE_VARINT);
// Span.Link
const T_LINK_TRACE_ID = tagOf(1, WIRE_LEN);
const T_LINK_SPAN_ID = tagOf(2, WIRE_LEN);
const T_LINK_TRACE_STATE = tagOf(3, WIRE_LEN);
const T_LINK_ATTRIBUTES = tagOf(4, WIRE_LEN);
const T_LINK_DROPPED = tagOf(5, WIRE_VARINT);
const T_LINK_FLAGS = tagOf(6, WIRE_I32);
// Status
const T_STATUS_MESSAGE = tagOf(2, WIRE_LEN);
const T_STATUS_CODE = tagOf(3, WIRE_VARINT);

export function decodeTraceRequestProtobuf(bytes: Uint8Array): TraceDecodeResult {
  const r = new ProtoReader(bytes);
  const batch = new TraceBatch(true);
  const scratch = newWireSpan();
  let resourceIndex = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_RESOURCE_SPANS) {
      const saved = r.enter();
      readResourceSpans(r, batch, scratch, resourceIndex++);
      r.leave(saved);
    } else {
      r.skip(tag);
    }
  }
  return batch.result();
}

function readResourceSpans(r: ProtoReader, batch: TraceBatch, scratch: WireSpan, resourceIndex: number): void {
  const resource: Attributes = {};
  readHeaderThenEntries(
    r,
    T_RESOURCE,
    () => readResourceField(r, resource),
    T_SCOPE_SPANS,
    (scopeIndex) => readScopeSpans(r, batch, scratch, resource, resourceIndex, scopeIndex),
  );
}

function readScopeSpans(
  r: ProtoReader,
  batch: TraceBatch,
  scratch: WireSpan,
  resource: Attributes,
  resourceIndex: number,
  scopeIndex: number,
): void {
  const scopeParts = newScopeParts();
  let group: SpanGroup | undefined;
  readHeaderThenEntries(
    r,
    T_SCOPE,
    () => readScopeField(r, scopeParts),
    T_SPANS,
    (spanIndex) => {
      group ??= spanGroup(resource, scopeFromParts(scopeParts), resourceIndex, scopeIndex);
      readSpan(r, resetWireSpan(scratch));
      batch.add(scratch, group, spanIndex);
    },
  );
}

function readSpan(r: ProtoReader, w: WireSpan): void {
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case T_TRACE_ID:
        w.traceId = r.idHex();
        break;
      case T_SPAN_ID:
        w.spanId = r.idHex();
        break;
      case T_TRACE_STATE:
        w.traceState = r.string();
        break;
      case T_PARENT_SPAN_ID:
        w.parentSpanId = r.idHex();
        break;
      case T_NAME:
        w.name = r.shortString();
        break;
      case T_KIND:
        w.kind = r.int32();
        break;
      case T_START:
        w.startTimeUnixNano = r.fixed64();
        break;
      case T_END:
        w.endTimeUnixNano = r.fixed64();
        break;
      case T_ATTRIBUTES:
        readAttributeField(r, w.attributes);
        break;
      case T_DROPPED_ATTRIBUTES:
        w.droppedAttributesCount = r.varint32();
        break;
      case T_EVENTS:
        readEvent(r, w);
        break;
      case T_DROPPED_EVENTS:
        w.droppedEventsCount = r.varint32();
        break;
      case T_LINKS:
        readLink(r, w);
        break;
      case T_DROPPED_LINKS:
        w.droppedLinksCount = r.varint32();
        break;
      case T_STATUS:
        readStatus(r, w);
        break;
      case T_FLAGS:
        w.flags = r.fixed32();
        break;
      default:
        r.skip(tag);
    }
  }
}

function readEvent(r: ProtoReader, w: WireSpan): void {
  const saved = r.enter();
  let time = 0n;
  let name = "";
  const attributes: Attributes = {};
  let dropped = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_EVENT_TIME) time = r.fixed64();
    else if (tag === T_EVENT_NAME) name = r.shortString();
    else if (tag === T_EVENT_ATTRIBUTES) readAttributeField(r, attributes);
    else if (tag === T_EVENT_DROPPED) dropped = r.varint32();
    else r.skip(tag);
  }
  r.leave(saved);
  addWireEvent(w, makeEvent(name, time, attributes, dropped));
}

function readLink(r: ProtoReader, w: WireSpan): void {
  const saved = r.enter();
  const link: WireLink = newWireLink();
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_LINK_TRACE_ID) link.traceId = r.idHex();
    else if (tag === T_LINK_SPAN_ID) link.spanId = r.idHex();
    else if (tag === T_LINK_TRACE_STATE) link.traceState = r.string();
    else if (tag === T_LINK_ATTRIBUTES) readAttributeField(r, link.attributes);
    else if (tag === T_LINK_DROPPED) link.droppedAttributesCount = r.varint32();
    else if (tag === T_LINK_FLAGS) link.flags = r.fixed32();
    else r.skip(tag);
  }
  r.leave(saved);
  w.links.push(link);
}

function readStatus(r: ProtoReader, w: WireSpan): void {
  const saved = r.enter();
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_STATUS_MESSAGE) w.statusMessage = r.string();
    else if (tag === T_STATUS_CODE) w.statusCode = r.int32();
    else r.skip(tag);
  }
  r.leave(saved);
}

/** ExportTraceServiceResponse: partial_success = { rejected_spans (1), error_message (2) }. */
export function encodeTraceResponseProtobuf(result: {
  rejectedSpans: number;
  errorMessage?: string;
}): Uint8Array<ArrayBuffer> {
  return encodeExportResponseProtobuf(result.rejectedSpans, result.errorMessage ?? "");
}
