/**
 * ExportLogsServiceRequest (opentelemetry.proto.collector.logs.v1) bytes → domain LogRecords, read
 * the way ./traces.ts reads spans: a wire-level malformation throws OtlpDecodeError for the whole
 * body; a record that decodes but is invalid (bad ids) is rejected alone by the rules in ../logs.ts.
 */
import type { Attributes } from "../../domain/span.js";
import {
  LogBatch,
  type LogDecodeOptions,
  type LogDecodeResult,
  logGroup,
  newWireLog,
  nowUnixNano,
  resetWireLog,
  type WireLogRecord,
} from "../logs.js";
import {
  newScopeParts,
  readAnyValue,
  readAttributeField,
  readResourceField,
  readScopeField,
  scopeFromParts,
} from "./common.js";
import { ProtoReader, tagOf, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from "./wire.js";

// ExportLogsServiceRequest
const T_RESOURCE_LOGS = tagOf(1, WIRE_LEN);
// ResourceLogs
const T_RESOURCE = tagOf(1, WIRE_LEN);
const T_SCOPE_LOGS = tagOf(2, WIRE_LEN);
// ScopeLogs
const T_SCOPE = tagOf(1, WIRE_LEN);
const T_LOG_RECORDS = tagOf(2, WIRE_LEN);
// LogRecord (field 4 is reserved: the old `name`)
const T_TIME = tagOf(1, WIRE_I64);
const T_SEVERITY_NUMBER = tagOf(2, WIRE_VARINT);
const T_SEVERITY_TEXT = tagOf(3, WIRE_LEN);
const T_BODY = tagOf(5, WIRE_LEN);
const T_ATTRIBUTES = tagOf(6, WIRE_LEN);
const T_DROPPED_ATTRIBUTES = tagOf(7, WIRE_VARINT);
const T_FLAGS = tagOf(8, WIRE_I32);
const T_TRACE_ID = tagOf(9, WIRE_LEN);
const T_SPAN_ID = tagOf(10, WIRE_LEN);
const T_OBSERVED_TIME = tagOf(11, WIRE_I64);
const T_EVENT_NAME = tagOf(12, WIRE_LEN);

export function decodeLogRequestProtobuf(bytes: Uint8Array, options: LogDecodeOptions = {}): LogDecodeResult {
  const r = new ProtoReader(bytes);
  const batch = new LogBatch(true, options.receivedUnixNano ?? nowUnixNano());
  const scratch = newWireLog();
  let resourceIndex = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_RESOURCE_LOGS) {
      const saved = r.enter();
      readResourceLogs(r, batch, scratch, resourceIndex++);
      r.leave(saved);
    } else {
      r.skip(tag);
    }
  }
  return batch.result();
}

function readResourceLogs(r: ProtoReader, batch: LogBatch, scratch: WireLogRecord, resourceIndex: number): void {
  // The resource may follow the records it describes (field order is free): read it in a first pass.
  const start = r.pos;
  const resource: Attributes = {};
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_RESOURCE) readResourceField(r, resource);
    else r.skip(tag);
  }
  r.pos = start;
  let scopeIndex = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_SCOPE_LOGS) {
      const saved = r.enter();
      readScopeLogs(r, batch, scratch, resource, resourceIndex, scopeIndex++);
      r.leave(saved);
    } else {
      r.skip(tag);
    }
  }
}

function readScopeLogs(
  r: ProtoReader,
  batch: LogBatch,
  scratch: WireLogRecord,
  resource: Attributes,
  resourceIndex: number,
  scopeIndex: number,
): void {
  const start = r.pos;
  const scopeParts = newScopeParts();
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_SCOPE) readScopeField(r, scopeParts);
    else r.skip(tag);
  }
  r.pos = start;
  const group = logGroup(resource, scopeFromParts(scopeParts), resourceIndex, scopeIndex);
  let recordIndex = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_LOG_RECORDS) {
      const saved = r.enter();
      readLogRecord(r, resetWireLog(scratch));
      r.leave(saved);
      batch.add(scratch, group, recordIndex++);
    } else {
      r.skip(tag);
    }
  }
}

function readLogRecord(r: ProtoReader, w: WireLogRecord): void {
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case T_TIME:
        w.timeUnixNano = r.fixed64();
        break;
      case T_OBSERVED_TIME:
        w.observedTimeUnixNano = r.fixed64();
        break;
      case T_SEVERITY_NUMBER:
        w.severityNumber = r.int32();
        break;
      case T_SEVERITY_TEXT:
        w.severityText = r.shortString();
        break;
      case T_BODY: {
        const saved = r.enter();
        w.body = readAnyValue(r, 1);
        r.leave(saved);
        break;
      }
      case T_ATTRIBUTES:
        readAttributeField(r, w.attributes);
        break;
      case T_DROPPED_ATTRIBUTES:
        w.droppedAttributesCount = r.varint32();
        break;
      case T_FLAGS:
        w.flags = r.fixed32();
        break;
      case T_TRACE_ID:
        w.traceId = r.idHex();
        break;
      case T_SPAN_ID:
        w.spanId = r.idHex();
        break;
      case T_EVENT_NAME:
        w.eventName = r.shortString();
        break;
      default:
        r.skip(tag);
    }
  }
}
