/**
 * The TraceKit SDKs' code-monitoring JSON (snake_case, as their snapshot clients send and read it)
 * ↔ domain objects. Every rejection is a 400 with the field at fault: the SDKs count only 5xx and
 * network errors toward their circuit breaker.
 */

import { NODE_SDK_CAPTURE_FUNCTION } from "../domain/code-location.js";
import {
  type Breakpoint,
  isCapturing,
  MAX_SERVICE_NAME,
  type SecurityFlag,
  type Snapshot,
  serviceNameProblem,
  variableNamesOf,
} from "../domain/code-monitoring.js";
import { count } from "../domain/count-text.js";
import { AppError } from "../domain/errors.js";
import { parseHexId } from "../domain/ids.js";
import { byteSize } from "../domain/size-text.js";

type JsonObject = Record<string, unknown>;

const MAX_NAME = 512;
const MAX_PATH = 4096;
const MAX_FLAGS = 1000;
export const MAX_EVENTS_PER_REQUEST = 100;
const MAX_EVENT_BYTES = 16 * 1024;

function invalid(what: string, message: string): AppError {
  return new AppError(400, `invalid_${what}`, message);
}

function asObject(value: unknown, what: string): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalid(what, `the body must be a JSON object, not ${describe(value)}`);
  }
  return value as JsonObject;
}

/** A JSON value as a reason names it: `null`, `an array`, `an object`, `the number 5`, `true`, `the string "…"`. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return `the string ${JSON.stringify(value.slice(0, 40))}`;
    case "number":
      return `the number ${value}`;
    case "boolean":
      return String(value);
    case "object":
      return "an object";
    default:
      return `a ${typeof value}`;
  }
}

/** The reason a field of the wrong type is refused; a field left out is said to be missing. */
function wrongType(key: string, expected: string, value: unknown): string {
  return value === undefined ? `"${key}" is missing` : `"${key}" must be ${expected}, not ${describe(value)}`;
}

function requiredString(obj: JsonObject, key: string, what: string, max: number): string {
  const value = obj[key];
  if (typeof value !== "string") throw invalid(what, wrongType(key, "a string", value));
  if (value.length > max) throw invalid(what, `"${key}" is longer than ${max} characters`);
  return value;
}

/** A string that may be absent or null (then ""). */
function optionalString(obj: JsonObject, key: string, what: string, max: number): string {
  const value = obj[key];
  if (value === undefined || value === null) return "";
  return requiredString(obj, key, what, max);
}

function lineNumber(obj: JsonObject, what: string): number {
  const value = obj.line_number;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(what, wrongType("line_number", "a whole number >= 0", value));
  }
  return value;
}

function serviceName(obj: JsonObject, what: string): string {
  const service = requiredString(obj, "service_name", what, MAX_SERVICE_NAME);
  const problem = serviceNameProblem(service);
  if (problem !== null) throw invalid(what, `"service_name" ${problem}`);
  return service;
}

export interface AutoRegisterRequest {
  service: string;
  filePath: string;
  lineNumber: number;
  functionName: string;
  label: string;
}

/** POST /sdk/snapshots/auto-register `{service_name, file_path, line_number, function_name, label}`. */
export function decodeAutoRegister(json: unknown): AutoRegisterRequest {
  const obj = asObject(json, "breakpoint");
  return {
    service: serviceName(obj, "breakpoint"),
    filePath: requiredString(obj, "file_path", "breakpoint", MAX_PATH),
    lineNumber: lineNumber(obj, "breakpoint"),
    functionName: optionalString(obj, "function_name", "breakpoint", MAX_NAME),
    label: optionalString(obj, "label", "breakpoint", MAX_NAME),
  };
}

/** A decoded capture: everything of a snapshot but what the server decides (id, arrival, counts, caller). */
export type CaptureRequest = Omit<
  Snapshot,
  "id" | "receivedAt" | "securityFlagCount" | "breakpointId" | "capturedAt" | "calledFrom"
> & {
  breakpointId: string | null;
  /** null when the SDK sent none. */
  capturedAt: string | null;
};

/** POST /sdk/snapshots/capture, as both SDKs build it (Node omits unset fields, Python sends null). */
export function decodeCapture(json: unknown): CaptureRequest {
  const obj = asObject(json, "snapshot");
  const breakpointId = optionalString(obj, "breakpoint_id", "snapshot", MAX_NAME);
  const variables = obj.variables ?? {};
  const requestContext = obj.request_context ?? null;
  if (typeof requestContext !== "object" || Array.isArray(requestContext)) {
    throw invalid("snapshot", `"request_context" must be an object or null, not ${describe(requestContext)}`);
  }
  return {
    breakpointId: breakpointId === "" ? null : breakpointId,
    service: serviceName(obj, "snapshot"),
    filePath: requiredString(obj, "file_path", "snapshot", MAX_PATH),
    functionName: optionalString(obj, "function_name", "snapshot", MAX_NAME),
    label: optionalString(obj, "label", "snapshot", MAX_NAME),
    lineNumber: lineNumber(obj, "snapshot"),
    capturedAt: capturedAt(obj.captured_at),
    traceId: hexId(obj, "trace_id", 32),
    spanId: hexId(obj, "span_id", 16),
    variables,
    variableNames: variableNamesOf(variables),
    securityFlags: securityFlags(obj.security_flags),
    stackTrace: optionalString(obj, "stack_trace", "snapshot", 256 * 1024),
    requestContext,
  };
}

function capturedAt(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length > 64 || Number.isNaN(Date.parse(value))) {
    throw invalid("snapshot", `"captured_at" must be an RFC 3339 time, not ${describe(value)}`);
  }
  return value;
}

/** Lower-case hex, or null when absent, empty or all zeros (no trace context). */
function hexId(obj: JsonObject, key: string, length: number): string | null {
  const value = obj[key];
  if (value === undefined || value === null || value === "") return null;
  if (typeof value === "string" && /^0+$/.test(value) && value.length === length) return null;
  const id = typeof value === "string" ? parseHexId(value, length) : null;
  if (id === null) throw invalid("snapshot", `"${key}" must be ${length} hex digits or null, not ${describe(value)}`);
  return id;
}

function securityFlags(value: unknown): SecurityFlag[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid("snapshot", `"security_flags" must be an array, not ${describe(value)}`);
  if (value.length > MAX_FLAGS) throw invalid("snapshot", `"security_flags" has more than ${MAX_FLAGS} entries`);
  return value.map((entry, i) => {
    const flag = entry as JsonObject;
    if (
      flag === null ||
      typeof flag !== "object" ||
      typeof flag.type !== "string" ||
      typeof flag.severity !== "string"
    ) {
      throw invalid("snapshot", `"security_flags[${i}]" must be {type, severity, variable?} with string values`);
    }
    const out: SecurityFlag = { type: flag.type, severity: flag.severity };
    if (typeof flag.variable === "string") out.variable = flag.variable;
    return out;
  });
}

/** The `events` of POST /sdk/snapshots/active/:service; an empty or absent list is fine. */
export function decodeSdkEvents(json: unknown): { type: string; data: JsonObject }[] {
  const obj = asObject(json, "events");
  const events = obj.events ?? [];
  if (!Array.isArray(events)) throw invalid("events", `"events" must be an array, not ${describe(events)}`);
  if (events.length > MAX_EVENTS_PER_REQUEST) {
    throw invalid("events", `at most ${count(MAX_EVENTS_PER_REQUEST)} events per request, not ${count(events.length)}`);
  }
  return events.map((event, i) => {
    if (event === null || typeof event !== "object" || Array.isArray(event)) {
      throw invalid("events", `"events[${i}]" must be an object, not ${describe(event)}`);
    }
    const data = event as JsonObject;
    if (typeof data.type !== "string" || data.type === "" || data.type.length > MAX_NAME) {
      throw invalid("events", `"events[${i}].type" must be a non-empty string`);
    }
    if (JSON.stringify(data).length > MAX_EVENT_BYTES) {
      throw invalid("events", `"events[${i}]" is larger than ${byteSize(MAX_EVENT_BYTES, { exact: true })}`);
    }
    return { type: data.type, data };
  });
}

/**
 * A breakpoint as the SDKs read it. `enabled` is whether it captures now (an expired or used-up
 * breakpoint reads as disabled, so the SDK stops sending, and a capture after its time is refused
 * here). `expire_at` is always null: the expiry is kept here alone. Python compares a time it is
 * given with its naive `datetime.now()`, which an offset makes raise inside the app, and which a time
 * without one makes wrong by the zones between this machine and the app's (an app in a container on
 * UTC, this machine in New York, read a breakpoint due in an hour as expired hours ago, and captured
 * nothing while the page said "capturing"); Node ignores it.
 */
export function breakpointToSdk(breakpoint: Breakpoint, now: number): JsonObject {
  // Made on the page by its label and not yet placed: the Node SDK 1.7 finds a breakpoint by
  // `function:label`, its function always its own capture call, and registers a label once per run,
  // so an app that already called it (before this server restarted, or before the breakpoint was
  // remade) finds this one only under that name. Other SDKs match nothing by it.
  const unplaced = breakpoint.filePath === "" && breakpoint.label !== "";
  return {
    id: breakpoint.id,
    service_name: breakpoint.service,
    file_path: breakpoint.filePath,
    function_name: unplaced ? NODE_SDK_CAPTURE_FUNCTION : breakpoint.functionName,
    label: breakpoint.label,
    line_number: breakpoint.lineNumber,
    condition: breakpoint.condition,
    max_captures: breakpoint.maxCaptures,
    capture_count: breakpoint.captureCount,
    expire_at: null,
    enabled: isCapturing(breakpoint, now),
  };
}
