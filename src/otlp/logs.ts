/**
 * What both log decoders (protobuf and JSON) share: the result type and the rules that turn one log
 * record as read off the wire into a domain `LogRecord` or a rejection, as ./traces.ts does for spans.
 */
import { type BytesPlace, keptBodyPaths, keptPlaces, type ValueStep } from "../domain/bytes-places.js";
import { parseHexId } from "../domain/ids.js";
import { type LogRecord, logBytes, logTimes, severityOf } from "../domain/log.js";
import { type Attributes, type AttrValue, type InstrumentationScope, serviceNameOf } from "../domain/span.js";
import { badId, checkHexId, isZeroId, MAX_REPORTED_ERRORS, newAttributes } from "./traces.js";

export interface LogDecodeResult {
  logs: LogRecord[];
  /** Records present in the request but not returned (invalid ids, a malformed JSON record). */
  rejectedLogRecords: number;
  /** The first few rejection reasons, for the partial-success message. */
  errors: string[];
}

export interface LogDecodeOptions {
  /** When the request arrived: the observed time of records that carry none (default: now). */
  receivedUnixNano?: bigint;
}

/** One log record as a decoder read it, before validation; ids are hex as received ("" when absent). */
export interface WireLogRecord {
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  body: AttrValue;
  attributes: Attributes;
  droppedAttributesCount: number;
  /** Attribute fields read (the protobuf decoder's count) and those past the per-list bound. */
  attributeCount: number;
  attributesOverLimit: number;
  flags: number;
  traceId: string;
  spanId: string;
  eventName: string;
  /** Entries of the body past the bounds, dropped (see LogRecord.droppedBodyEntries). */
  bodyEntriesDropped: number;
  /** The body was OTLP bytes (a base64 string in `body`). */
  bodyIsBytes: boolean;
  /** The paths to the bytes values inside the body (a list or a map); NO_PATHS when none. */
  bodyPaths: ValueStep[][];
  /** Where the attributes' bytes values are. */
  bytesKeys: BytesPlace[];
}

/** A body without bytes inside: one shared empty list. */
export const NO_PATHS: ValueStep[][] = Object.freeze([]) as unknown as ValueStep[][];

/** Clears a scratch record for the next one; the attributes object is new because it is stored. */
export function resetWireLog(w: WireLogRecord): WireLogRecord {
  w.timeUnixNano = 0n;
  w.observedTimeUnixNano = 0n;
  w.severityNumber = 0;
  w.severityText = "";
  w.body = null;
  w.bodyEntriesDropped = 0;
  w.attributes = newAttributes();
  w.droppedAttributesCount = 0;
  w.attributeCount = 0;
  w.attributesOverLimit = 0;
  w.flags = 0;
  w.traceId = "";
  w.spanId = "";
  w.eventName = "";
  w.bodyIsBytes = false;
  w.bodyPaths = NO_PATHS;
  w.bytesKeys = [];
  return w;
}

export function newWireLog(): WireLogRecord {
  return resetWireLog({} as WireLogRecord);
}

/** What the records of one ScopeLogs share (stored by reference in each of them). */
export interface LogGroup {
  resource: Attributes;
  /** Where the resource's bytes values are (LogBytes.resource). */
  resourceBytes: BytesPlace[] | undefined;
  service: string;
  scope: InstrumentationScope;
  /** Where the group sits in the request, for rejection reasons. */
  path: string;
}

export function logGroup(
  resource: Attributes,
  scope: InstrumentationScope,
  resourceIndex: number,
  scopeIndex: number,
  resourceBytes?: BytesPlace[],
): LogGroup {
  return {
    resource,
    resourceBytes,
    service: serviceNameOf(resource),
    scope,
    path: `resourceLogs[${resourceIndex}].scopeLogs[${scopeIndex}]`,
  };
}

export function nowUnixNano(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Accumulates one request's accepted log records and rejections. */
export class LogBatch {
  readonly logs: LogRecord[] = [];
  rejectedLogRecords = 0;
  readonly errors: string[] = [];

  /**
   * @param hexIds the decoder's ids are already lower-case hex (the protobuf decoder hexes bytes).
   * @param receivedUnixNano the observed time of records that carry none.
   */
  constructor(
    private readonly hexIds: boolean,
    private readonly receivedUnixNano: bigint,
  ) {}

  reject(group: LogGroup, index: number, reason: string): void {
    this.rejectedLogRecords++;
    if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push(`${group.path}.logRecords[${index}]: ${reason}`);
  }

  /** Validates a wire record and keeps it, or counts it as rejected with the reason. */
  add(w: WireLogRecord, group: LogGroup, index: number): void {
    // Trace context is optional: absent or all zero means "not emitted inside a span"; anything
    // else that is not an id of the right length makes the record's link unusable, so it is refused.
    const traceId = this.optionalId(w.traceId, 32);
    if (traceId === undefined) {
      this.reject(group, index, badId("trace id", w.traceId, 32));
      return;
    }
    const spanId = this.optionalId(w.spanId, 16);
    if (spanId === undefined) {
      this.reject(group, index, badId("span id", w.spanId, 16));
      return;
    }
    const { time, observed, observedOnArrival } = logTimes(
      w.timeUnixNano,
      w.observedTimeUnixNano,
      this.receivedUnixNano,
    );
    const record: LogRecord = {
      timeUnixNano: time,
      observedTimeUnixNano: observed,
      severityNumber: w.severityNumber,
      severity: severityOf(w.severityNumber, w.severityText),
      severityText: w.severityText,
      body: w.body,
      attributes: w.attributes,
      traceId,
      spanId,
      service: group.service,
      resource: group.resource,
      scope: group.scope,
    };
    if (observedOnArrival) record.observedOnArrival = true;
    if (w.eventName !== "") record.eventName = w.eventName;
    if (w.flags !== 0) record.flags = w.flags;
    const droppedAttributesCount = w.droppedAttributesCount + w.attributesOverLimit;
    if (droppedAttributesCount !== 0) record.droppedAttributesCount = droppedAttributesCount;
    if (w.bodyEntriesDropped !== 0) record.droppedBodyEntries = w.bodyEntriesDropped;
    const bytes = logBytes(
      w.bodyIsBytes && typeof w.body === "string",
      keptPlaces(w.bytesKeys, w.attributes),
      w.bodyPaths.length === 0 ? undefined : keptBodyPaths(w.bodyPaths, w.body),
      group.resourceBytes,
    );
    if (bytes !== undefined) record.bytes = bytes;
    this.logs.push(record);
  }

  result(): LogDecodeResult {
    return { logs: this.logs, rejectedLogRecords: this.rejectedLogRecords, errors: this.errors };
  }

  /** The id, null when absent or all zero, undefined when invalid. */
  private optionalId(raw: string, length: number): string | null | undefined {
    if (raw === "" || isZeroId(raw, length)) return null;
    const id = this.hexIds ? checkHexId(raw, length) : parseHexId(raw, length);
    return id ?? undefined;
  }
}
