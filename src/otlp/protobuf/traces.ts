/**
 * ExportTraceServiceRequest (opentelemetry.proto.collector.trace.v1) bytes → domain Spans, without an
 * intermediate message tree. Any wire-level malformation throws OtlpDecodeError for the whole body
 * (the bytes cannot be trusted past it); a span that decodes but is invalid (bad ids) is rejected
 * alone by the shared rules in ../traces.ts.
 */
import type { Attributes } from "../../domain/span.js";
import { type RequestLimits, runToEnd } from "../limits.js";
import {
  addWireEvent,
  makeEvent,
  newWireLink,
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
import { beginItem, endItem, keepAttributeField } from "./common.js";
import { walkExportBody } from "./groups.js";
import { encodeExportResponseProtobuf } from "./status.js";
import { type ProtoReader, tagOf, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from "./wire.js";

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

export function decodeTraceRequestProtobuf(bytes: Uint8Array, limits?: RequestLimits): TraceDecodeResult {
  return runToEnd(traceRequestSteps(bytes, limits));
}

/** `decodeTraceRequestProtobuf` as steps that a caller can pace (`runPaced`). */
export function* traceRequestSteps(
  bytes: Uint8Array,
  limits?: RequestLimits,
): Generator<void, TraceDecodeResult, void> {
  const batch = new TraceBatch(true);
  const scratch = newWireSpan();
  yield* walkExportBody(
    bytes,
    (resource, scope, resourceIndex, scopeIndex, resourceBytes) => {
      const group = spanGroup(resource, scope, resourceIndex, scopeIndex, resourceBytes);
      return (r, index) => {
        readSpan(r, resetWireSpan(scratch));
        batch.add(scratch, group, index);
      };
    },
    "spans",
    limits,
  );
  return batch.result();
}

function readSpan(r: ProtoReader, w: WireSpan): void {
  const outer = beginItem(r);
  // The span's attributes note their bytes values here; an event or a link swaps in its own list.
  r.bytesKeys = w.bytesKeys;
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
        w.attributesOverLimit += keepAttributeField(r, w.attributes, w.attributeCount++);
        break;
      case T_DROPPED_ATTRIBUTES:
        w.droppedAttributesCount = r.varint32();
        break;
      case T_EVENTS:
        if (roomForEvent(w)) readEvent(r, w);
        else r.skip(tag);
        break;
      case T_DROPPED_EVENTS:
        w.droppedEventsCount = r.varint32();
        break;
      case T_LINKS:
        if (roomForLink(w)) readLink(r, w);
        else r.skip(tag);
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
  r.bytesKeys = null;
  endItem(r, outer);
}

function readEvent(r: ProtoReader, w: WireSpan): void {
  const saved = r.enter();
  let time = 0n;
  let name = "";
  const attributes: Attributes = {};
  let dropped = 0;
  let seen = 0;
  let overLimit = 0;
  const keys = w.itemBytesKeys;
  keys.length = 0;
  r.bytesKeys = keys;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_EVENT_TIME) time = r.fixed64();
    else if (tag === T_EVENT_NAME) name = r.shortString();
    else if (tag === T_EVENT_ATTRIBUTES) overLimit += keepAttributeField(r, attributes, seen++);
    else if (tag === T_EVENT_DROPPED) dropped = r.varint32();
    else r.skip(tag);
  }
  r.leave(saved);
  r.bytesKeys = w.bytesKeys;
  addWireEvent(w, makeEvent(name, time, attributes, dropped + overLimit, keys));
}

function readLink(r: ProtoReader, w: WireSpan): void {
  const saved = r.enter();
  const link: WireLink = newWireLink();
  let seen = 0;
  let overLimit = 0;
  const keys = w.itemBytesKeys;
  keys.length = 0;
  r.bytesKeys = keys;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_LINK_TRACE_ID) link.traceId = r.idHex();
    else if (tag === T_LINK_SPAN_ID) link.spanId = r.idHex();
    else if (tag === T_LINK_TRACE_STATE) link.traceState = r.string();
    else if (tag === T_LINK_ATTRIBUTES) overLimit += keepAttributeField(r, link.attributes, seen++);
    else if (tag === T_LINK_DROPPED) link.droppedAttributesCount = r.varint32();
    else if (tag === T_LINK_FLAGS) link.flags = r.fixed32();
    else r.skip(tag);
  }
  r.leave(saved);
  r.bytesKeys = w.bytesKeys;
  if (keys.length !== 0) link.bytes = [...keys];
  link.droppedAttributesCount += overLimit;
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
