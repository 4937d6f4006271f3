/** A LogRecord as a `log_records` row and back (see log-sqlite-schema.ts for the columns). */
import { LOG_SEVERITIES, type LogBytes, type LogRecord, type StoredLog } from "../domain/log.js";
import type { Attributes, AttrValue, InstrumentationScope } from "../domain/span.js";
import type { LogRow } from "./log-sqlite-schema.js";
import { attributesHaveBoxedNumber, decodeJson, encodeJson, hasBoxedNumber } from "./sqlite-json.js";

const TIME_SHIFT = 1n << 63n;

/** Unsigned 64-bit nanoseconds as a signed SQLite integer, order kept (0 → -2^63). */
export function toStoredTime(time: bigint): bigint {
  return time - TIME_SHIFT;
}

export function fromStoredTime(stored: bigint): bigint {
  return stored + TIME_SHIFT;
}

/** What no query filters on, as one JSON array (one bound parameter instead of eight). */
type LogBody = [
  observedTimeUnixNano: string,
  severityNumber: number,
  severityText: string,
  body: AttrValue,
  attributes: Attributes,
  eventName: string | null,
  flags: number | null,
  droppedAttributesCount: number | null,
  /** 1 when the observed time is this server's (LogRecord.observedOnArrival); absent in rows from before it. */
  observedOnArrival?: 1 | 0,
  /**
   * LogRecord.bytes; absent in rows from before it, {} in a row with a later field and no bytes (null in
   * rows written before log_schema 3: a reader that took null for bytes failed on it).
   */
  bytes?: LogBytes | null,
  /** LogRecord.droppedBodyEntries; absent in rows from before it and when none was dropped. */
  droppedBodyEntries?: number,
];

export function encodeLogBody(record: LogRecord): string {
  const body: LogBody = [
    record.observedTimeUnixNano.toString(),
    record.severityNumber,
    record.severityText,
    record.body,
    record.attributes,
    record.eventName ?? null,
    record.flags ?? null,
    record.droppedAttributesCount ?? null,
  ];
  if (record.observedOnArrival === true) body.push(1);
  if (record.bytes !== undefined) {
    if (body.length === 8) body.push(0);
    body.push(record.bytes);
  }
  if (record.droppedBodyEntries !== undefined) {
    if (body.length === 8) body.push(0);
    if (body.length === 9) body.push({});
    body.push(record.droppedBodyEntries);
  }
  return encodeJson(body, hasBoxedNumber(record.body, 0) || attributesHaveBoxedNumber(record.attributes));
}

/** What a row refers to by id, shared between the records that use it. */
export interface LogRowContext {
  service(id: number): string;
  resource(id: number): Attributes;
  scope(id: number): InstrumentationScope;
}

export function decodeLogRow(row: LogRow, context: LogRowContext): StoredLog {
  const [seq, time, serviceId, severity, traceId, spanId, resourceId, scopeId, json] = row;
  const [
    observed,
    severityNumber,
    severityText,
    body,
    attributes,
    eventName,
    flags,
    dropped,
    onArrival,
    bytes,
    droppedBody,
  ] = decodeJson<LogBody>(json);
  const record: LogRecord = {
    timeUnixNano: fromStoredTime(time),
    observedTimeUnixNano: BigInt(observed),
    severityNumber,
    severity: LOG_SEVERITIES[Number(severity)] ?? "UNSPECIFIED",
    severityText,
    body,
    attributes,
    traceId,
    spanId,
    service: context.service(Number(serviceId)),
    resource: context.resource(Number(resourceId)),
    scope: context.scope(Number(scopeId)),
  };
  if (onArrival === 1) record.observedOnArrival = true;
  if (eventName !== null) record.eventName = eventName;
  if (flags !== null) record.flags = flags;
  if (dropped !== null) record.droppedAttributesCount = dropped;
  if (bytes !== undefined && bytes !== null && Object.keys(bytes).length > 0) record.bytes = bytes;
  if (droppedBody !== undefined) record.droppedBodyEntries = droppedBody;
  return { seq: Number(seq), record };
}
