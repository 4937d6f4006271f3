/**
 * OTLP/JSON ExportLogsServiceRequest (already parsed) → domain LogRecords. Faults above the record
 * level make the body undecodable (see ./groups.ts); a fault inside one record (a field of the wrong
 * type, a bad body or attribute value) rejects that record alone, with its reason, as for spans.
 * Nesting past the depth bound is hostile: OtlpDecodeError. Unknown fields are ignored.
 */
import { LOG_SEVERITIES } from "../../domain/log.js";
import { takeNestedPaths } from "../attributes.js";
import type { RequestLimits } from "../limits.js";
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
  anyValue,
  asArray,
  asEnum,
  asString,
  asUint32,
  asUint64,
  beginItem,
  either,
  endItem,
  isBytesAnyValue,
  type JsonObject,
  readKeyValues,
  valueBudget,
} from "./common.js";
import {
  forEachScopeGroup,
  type JsonGroupOpener,
  type SignalFieldNames,
  scratchItemReader,
  sliceScopeGroups,
} from "./groups.js";

const LOG_FIELDS: SignalFieldNames = {
  resources: ["resourceLogs", "resource_logs"],
  scopes: ["scopeLogs", "scope_logs"],
  items: ["logRecords", "log_records"],
};

/** SEVERITY_NUMBER_UNSPECIFIED = 0, SEVERITY_NUMBER_TRACE = 1, SEVERITY_NUMBER_TRACE2 = 2 … FATAL4 = 24. */
export const SEVERITY_NUMBER_NAMES: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
for (let n = 1; n <= 24; n++) {
  const step = (n - 1) % 4;
  SEVERITY_NUMBER_NAMES[`SEVERITY_NUMBER_${LOG_SEVERITIES[Math.ceil(n / 4)]}${step === 0 ? "" : step + 1}`] = n;
}

export function decodeLogRequestJson(body: unknown, options: LogDecodeOptions = {}): LogDecodeResult {
  const batch = new LogBatch(false, options.receivedUnixNano ?? nowUnixNano());
  forEachScopeGroup(body, LOG_FIELDS, recordReader(batch), "log records");
  return batch.result();
}

/** `decodeLogRequestJson` for a large body as received (never parsed whole), as steps to pace. */
export function* logRequestJsonSteps(
  bytes: Uint8Array,
  options: LogDecodeOptions = {},
  limits?: RequestLimits,
): Generator<void, LogDecodeResult, void> {
  const batch = new LogBatch(false, options.receivedUnixNano ?? nowUnixNano());
  yield* sliceScopeGroups(bytes, LOG_FIELDS, recordReader(batch), "log records", limits);
  return batch.result();
}

function recordReader(batch: LogBatch): JsonGroupOpener {
  return scratchItemReader(batch, "log record", newWireLog(), resetWireLog, readRecord, logGroup);
}

/** Reads one record, with its budget of values (MAX_VALUES_PER_ITEM). */
function readRecord(s: JsonObject, w: WireLogRecord): void {
  const outer = beginItem();
  try {
    readRecordFields(s, w);
  } finally {
    endItem(outer);
  }
}

/**
 * Reads one record's fields in a single pass over the keys it has (as json/traces.ts reads a span),
 * then checks the values in a fixed order, so the first reported fault does not depend on key order.
 */
function readRecordFields(s: JsonObject, w: WireLogRecord): void {
  let time: unknown;
  let timeSnake: unknown;
  let observed: unknown;
  let observedSnake: unknown;
  let severityNumber: unknown;
  let severityNumberSnake: unknown;
  let severityText: unknown;
  let severityTextSnake: unknown;
  let body: unknown;
  let attributes: unknown;
  let droppedAttributes: unknown;
  let droppedAttributesSnake: unknown;
  let flags: unknown;
  let traceId: unknown;
  let traceIdSnake: unknown;
  let spanId: unknown;
  let spanIdSnake: unknown;
  let eventName: unknown;
  let eventNameSnake: unknown;
  for (const key in s) {
    const value = s[key];
    switch (key) {
      case "timeUnixNano":
        time = value;
        break;
      case "time_unix_nano":
        timeSnake = value;
        break;
      case "observedTimeUnixNano":
        observed = value;
        break;
      case "observed_time_unix_nano":
        observedSnake = value;
        break;
      case "severityNumber":
        severityNumber = value;
        break;
      case "severity_number":
        severityNumberSnake = value;
        break;
      case "severityText":
        severityText = value;
        break;
      case "severity_text":
        severityTextSnake = value;
        break;
      case "body":
        body = value;
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
      case "flags":
        flags = value;
        break;
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
      case "eventName":
        eventName = value;
        break;
      case "event_name":
        eventNameSnake = value;
        break;
    }
  }
  w.timeUnixNano = asUint64(either(time, timeSnake), "timeUnixNano");
  w.observedTimeUnixNano = asUint64(either(observed, observedSnake), "observedTimeUnixNano");
  w.severityNumber = asEnum(either(severityNumber, severityNumberSnake), "severityNumber", SEVERITY_NUMBER_NAMES);
  w.severityText = asString(either(severityText, severityTextSnake), "severityText");
  const budget = valueBudget();
  w.body = anyValue(body, 1, budget);
  w.bodyEntriesDropped = budget.dropped;
  w.bodyIsBytes = isBytesAnyValue(body);
  if (budget.nested.paths.length !== 0) w.bodyPaths = takeNestedPaths(budget.nested);
  // Only the attributes kept say whether their key was bytes (not a repeat past the bound), as for spans.
  w.attributesOverLimit = readKeyValues(asArray(attributes, "attributes"), w.attributes, 1, undefined, w.bytesKeys);
  w.droppedAttributesCount = asUint32(either(droppedAttributes, droppedAttributesSnake), "droppedAttributesCount");
  w.flags = asUint32(flags, "flags");
  w.traceId = asString(either(traceId, traceIdSnake), "traceId");
  w.spanId = asString(either(spanId, spanIdSnake), "spanId");
  w.eventName = asString(either(eventName, eventNameSnake), "eventName");
}
