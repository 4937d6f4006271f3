/**
 * ExportLogsServiceRequest (opentelemetry.proto.collector.logs.v1) bytes → domain LogRecords, read
 * the way ./traces.ts reads spans: a wire-level malformation throws OtlpDecodeError for the whole
 * body; a record that decodes but is invalid (bad ids) is rejected alone by the rules in ../logs.ts.
 */

import { takeNestedPaths } from "../attributes.js";
import { type RequestLimits, runToEnd } from "../limits.js";
import {
  LogBatch,
  type LogDecodeOptions,
  type LogDecodeResult,
  logGroup,
  NO_PATHS,
  newWireLog,
  nowUnixNano,
  resetWireLog,
  type WireLogRecord,
} from "../logs.js";
import { beginItem, endItem, keepAttributeField, readAnyValue } from "./common.js";
import { walkExportBody } from "./groups.js";
import { type ProtoReader, tagOf, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from "./wire.js";

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
  return runToEnd(logRequestSteps(bytes, options));
}

/** `decodeLogRequestProtobuf` as steps that a caller can pace (`runPaced`). */
export function* logRequestSteps(
  bytes: Uint8Array,
  options: LogDecodeOptions = {},
  limits?: RequestLimits,
): Generator<void, LogDecodeResult, void> {
  const batch = new LogBatch(true, options.receivedUnixNano ?? nowUnixNano());
  const scratch = newWireLog();
  yield* walkExportBody(
    bytes,
    (resource, scope, resourceIndex, scopeIndex, resourceBytes) => {
      const group = logGroup(resource, scope, resourceIndex, scopeIndex, resourceBytes);
      return (r, index) => {
        readLogRecord(r, resetWireLog(scratch));
        batch.add(scratch, group, index);
      };
    },
    "log records",
    limits,
  );
  return batch.result();
}

function readLogRecord(r: ProtoReader, w: WireLogRecord): void {
  const outer = beginItem(r);
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
        const dropped = r.entriesDropped;
        // A repeated body field: the last one wins, and so does what it dropped.
        w.body = readAnyValue(r, 1);
        w.bodyEntriesDropped = r.entriesDropped - dropped;
        w.bodyIsBytes = r.valueWasBytes;
        w.bodyPaths = r.nested.paths.length === 0 ? NO_PATHS : takeNestedPaths(r.nested);
        r.leave(saved);
        break;
      }
      case T_ATTRIBUTES:
        r.bytesKeys = w.bytesKeys;
        try {
          w.attributesOverLimit += keepAttributeField(r, w.attributes, w.attributeCount++);
        } finally {
          r.bytesKeys = null;
        }
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
  endItem(r, outer);
}
