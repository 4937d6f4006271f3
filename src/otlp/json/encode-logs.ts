/**
 * Stored log records → an OTLP/JSON ExportLogsServiceRequest (the encoding the logs decoder reads):
 * records that share a resource and a scope grouped as an SDK sends them, values as encode-traces.ts
 * writes them, and values that came as bytes as bytes again. What comes back from decoding it is the
 * same record, but for a record that came without a time of its own: it is read back with its
 * observed time as its time.
 */
import type { BytesPlace } from "../../domain/bytes-places.js";
import type { LogRecord } from "../../domain/log.js";
import {
  anyValueWithBytes,
  groupedByResourceAndScope,
  keyValues,
  type OtlpJsonAnyValue,
  type OtlpJsonKeyValue,
  type OtlpJsonScope,
} from "./encode-traces.js";

export interface OtlpJsonLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText?: string;
  body?: OtlpJsonAnyValue;
  attributes: OtlpJsonKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
  traceId?: string;
  spanId?: string;
  eventName?: string;
}

export interface OtlpJsonLogsRequest {
  resourceLogs: {
    resource: { attributes: OtlpJsonKeyValue[] };
    scopeLogs: { scope: OtlpJsonScope; logRecords: OtlpJsonLogRecord[] }[];
  }[];
}

/** One request holding `records`, grouped by resource and scope in the order they first appear. */
export function encodeLogsRequestJson(records: Iterable<LogRecord>): OtlpJsonLogsRequest {
  return {
    resourceLogs: groupedByResourceAndScope(records, logRecordJson, logResourceBytes).map(({ resource, scopes }) => ({
      resource,
      scopeLogs: scopes.map(({ scope, items }) => ({ scope, logRecords: items })),
    })),
  };
}

/** Where a log record's resource's bytes values are. */
export function logResourceBytes(record: LogRecord): readonly BytesPlace[] | undefined {
  return record.bytes?.resource;
}

export function logRecordJson(record: LogRecord): OtlpJsonLogRecord {
  const bytes = record.bytes;
  const json: OtlpJsonLogRecord = {
    timeUnixNano: record.timeUnixNano.toString(),
    observedTimeUnixNano: record.observedTimeUnixNano.toString(),
    severityNumber: record.severityNumber,
    attributes: keyValues(record.attributes, bytes?.attributes),
  };
  if (record.severityText !== "") json.severityText = record.severityText;
  if (record.body !== null) {
    const body = bytes?.body;
    json.body = anyValueWithBytes(record.body, body === true, body === undefined || body === true ? [] : body);
  }
  if (record.droppedAttributesCount !== undefined) json.droppedAttributesCount = record.droppedAttributesCount;
  if (record.flags !== undefined) json.flags = record.flags;
  if (record.traceId !== null) json.traceId = record.traceId;
  if (record.spanId !== null) json.spanId = record.spanId;
  if (record.eventName !== undefined) json.eventName = record.eventName;
  return json;
}
