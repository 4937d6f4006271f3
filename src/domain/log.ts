import { type BytesPlace, samePlaces, type ValueStep } from "./bytes-places.js";
import type { Attributes, AttrValue, InstrumentationScope } from "./span.js";

/** Severity ranges of OTLP's severity_number, lowest first (UNSPECIFIED is 0). */
/**
 * The most records a counted log query (`count=true`) counts, its page's included, whatever its limit:
 * past it the answer gives no count. The stores count to it; the Logs page names it.
 */
export const LOG_COUNT_BOUND = 2_000;

export const LOG_SEVERITIES = ["UNSPECIFIED", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;
export type LogSeverity = (typeof LOG_SEVERITIES)[number];

/**
 * One OTLP log record as the stores keep it. `resource` and `scope` are shared by reference between
 * the records of one ScopeLogs, and records are read-only once decoded.
 */
export interface LogRecord {
  /** `time_unix_nano`, or the observed time when the record has no time of its own. */
  timeUnixNano: bigint;
  /** `observed_time_unix_nano`, or the time this server received it when the sender left it out. */
  observedTimeUnixNano: bigint;
  /** The sender left the observed time out: `observedTimeUnixNano` is when this server received it. */
  observedOnArrival?: true;
  /** As sent (0–24 in a well-formed record). */
  severityNumber: number;
  severity: LogSeverity;
  /** As sent, "" when absent. */
  severityText: string;
  /** Any AnyValue; null when the record has no body. */
  body: AttrValue;
  attributes: Attributes;
  /** Lower-case hex, or null when the record was not emitted inside a span. */
  traceId: string | null;
  spanId: string | null;
  service: string;
  resource: Attributes;
  scope: InstrumentationScope;
  /** OTLP `event_name`: the record is an event. */
  eventName?: string;
  flags?: number;
  droppedAttributesCount?: number;
  /**
   * Entries of the body (list items and map entries, nested ones included) this server dropped: those
   * past its bounds on one value's entries, one record's values, or the nesting (otlp/limits.ts).
   * Absent when none was.
   */
  droppedBodyEntries?: number;
  /**
   * Which values arrived as OTLP `bytes` (kept as base64 strings, which alone could not be told from
   * text): the body, and the keys of such attributes; and the int64s past 2^53 kept as their digits,
   * by places (paths) ending in INT_MARK (see BytesPlace). Absent when none did.
   */
  bytes?: LogBytes;
}

/** Which values of a log record were OTLP bytes (see LogRecord.bytes). */
export interface LogBytes {
  /** `true`: the body itself; paths: values inside the body (a list or a map), each step an index or a key. */
  body?: true | ValueStep[][];
  /** Where the attributes' bytes values are (see BytesPlace). */
  attributes?: BytesPlace[];
  /** The same for the resource's attributes (shared with the records of its request as read). */
  resource?: BytesPlace[];
}

/** `LogRecord.bytes` from what a decoder saw, or undefined when nothing was bytes. */
export function logBytes(
  body: boolean,
  attributes: BytesPlace[] | undefined,
  bodyPaths?: ValueStep[][],
  resource?: BytesPlace[],
): LogBytes | undefined {
  if (!body && attributes === undefined && bodyPaths === undefined && resource === undefined) return undefined;
  const bytes: LogBytes = {};
  if (body) bytes.body = true;
  else if (bodyPaths !== undefined) bytes.body = bodyPaths;
  if (attributes !== undefined) bytes.attributes = attributes;
  if (resource !== undefined) bytes.resource = resource;
  return bytes;
}

function sameBytes(a: LogBytes | undefined, b: LogBytes | undefined): boolean {
  const x = a?.body;
  const y = b?.body;
  const sameBody = x === y || (Array.isArray(x) && Array.isArray(y) && samePlaces(x, y));
  return sameBody && samePlaces(a?.attributes, b?.attributes) && samePlaces(a?.resource, b?.resource);
}

/** A stored record and the number the store gave it on arrival (its id, and the order ties break by). */
export interface StoredLog {
  seq: number;
  record: LogRecord;
}

/**
 * Whether two records are equal in every field they have (both times, severity, body, attributes,
 * trace context, resource, scope, event name, flags): OTLP gives a log record no id, so nothing else
 * could tell them apart (see `recordsStoredBefore`). Attribute maps compare as maps: the order of
 * their keys is not data. An observed time this server gave on arrival is not the sender's, and is not
 * compared: a retry arrives later.
 */
export function sameLogRecord(a: LogRecord, b: LogRecord): boolean {
  return (
    a.timeUnixNano === b.timeUnixNano &&
    (a.observedTimeUnixNano === b.observedTimeUnixNano ||
      a.observedOnArrival === true ||
      b.observedOnArrival === true) &&
    a.severityNumber === b.severityNumber &&
    a.severityText === b.severityText &&
    a.traceId === b.traceId &&
    a.spanId === b.spanId &&
    a.service === b.service &&
    a.eventName === b.eventName &&
    a.flags === b.flags &&
    a.droppedAttributesCount === b.droppedAttributesCount &&
    // Not droppedBodyEntries: OTLP has no field for it, so a cut record exported and imported again
    // comes back without it, and is still the record stored.
    sameBytes(a.bytes, b.bytes) &&
    sameValue(a.body, b.body, 0) &&
    sameAttributes(a.attributes, b.attributes, 0) &&
    sameAttributes(a.resource, b.resource, 0) &&
    a.scope.name === b.scope.name &&
    a.scope.version === b.scope.version &&
    sameAttributes(a.scope.attributes ?? {}, b.scope.attributes ?? {}, 0) &&
    samePlaces(a.scope.bytes, b.scope.bytes)
  );
}

/** Values nested deeper than this are taken as different: a false "different" only stores a record twice. */
const MAX_COMPARED_DEPTH = 64;

function sameAttributes(a: Attributes, b: Attributes, depth: number): boolean {
  // Records of one batch share their resource and scope objects.
  if (a === b) return true;
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(b, key) || !sameValue(a[key] as AttrValue, b[key] as AttrValue, depth + 1)) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

function sameValue(a: AttrValue, b: AttrValue, depth: number): boolean {
  if (a === b) return true;
  // NaN, which a body or attribute may hold (the SQLite store boxes it), equals itself here.
  if (typeof a === "number") return typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (depth > MAX_COMPARED_DEPTH) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i] as AttrValue, b[i] as AttrValue, depth + 1)) return false;
    return true;
  }
  return !Array.isArray(b) && sameAttributes(a, b, depth);
}

/** How severe a severity is: 0 for UNSPECIFIED up to 6 for FATAL. */
export function severityRank(severity: LogSeverity): number {
  return LOG_SEVERITIES.indexOf(severity);
}

/**
 * The severity of a record: severity_number 1–24 falls in its range (1–4 TRACE … 21–24 FATAL).
 * A record without a usable number (0, or out of range) takes the level its severity_text names, as
 * loggers that only set the text (`"warning"`, `"CRITICAL"`, `"Information"`) mean it; else UNSPECIFIED.
 */
export function severityOf(severityNumber: number, severityText: string): LogSeverity {
  if (Number.isInteger(severityNumber) && severityNumber >= 1 && severityNumber <= 24) {
    return LOG_SEVERITIES[Math.ceil(severityNumber / 4)] as LogSeverity;
  }
  return severityFromText(severityText) ?? "UNSPECIFIED";
}

/** The level with its step inside its range when the number gives one (OTLP's INFO2, ERROR3 …). */
export function severityLevelText(record: Pick<LogRecord, "severity" | "severityNumber">): string {
  const step = severityOf(record.severityNumber, "") === record.severity ? (record.severityNumber - 1) % 4 : 0;
  return step > 0 ? `${record.severity}${step + 1}` : record.severity;
}

/**
 * What a record's severity reads as, as the Logs page's badge says it: the sender's own severity text
 * when it gave one (`NOTICE`), else the level and its step (`INFO2`); "" for a record of neither.
 */
export function severityShown(record: Pick<LogRecord, "severity" | "severityNumber" | "severityText">): string {
  const said = record.severityText.trim();
  if (said !== "") return said;
  return record.severity === "UNSPECIFIED" ? "" : severityLevelText(record);
}

/**
 * Level names as logging libraries and the OpenTelemetry short names spell them (`WARN2`, `INFO4`).
 * Python's CRITICAL, syslog's crit/alert/emerg and Java's SEVERE/FINE/FINEST are mapped as the
 * OpenTelemetry log bridges for those libraries map them.
 */
const LEVEL_NAMES: Readonly<Record<string, LogSeverity>> = {
  trace: "TRACE",
  finest: "TRACE",
  finer: "TRACE",
  verbose: "TRACE",
  debug: "DEBUG",
  dbug: "DEBUG",
  fine: "DEBUG",
  config: "DEBUG",
  info: "INFO",
  information: "INFO",
  informational: "INFO",
  notice: "INFO",
  warn: "WARN",
  warning: "WARN",
  error: "ERROR",
  err: "ERROR",
  severe: "ERROR",
  fatal: "FATAL",
  critical: "FATAL",
  crit: "FATAL",
  alert: "FATAL",
  emerg: "FATAL",
  emergency: "FATAL",
  panic: "FATAL",
};

/** The level a severity text names (any case, an OpenTelemetry digit suffix allowed), or undefined. */
export function severityFromText(text: string): LogSeverity | undefined {
  if (text.length === 0 || text.length > 16) return undefined;
  const name = text
    .trim()
    .toLowerCase()
    .replace(/[1-4]$/, "");
  return Object.hasOwn(LEVEL_NAMES, name) ? LEVEL_NAMES[name] : undefined;
}

/**
 * A record's two times. OTLP leaves both optional: the observed time is when a collector saw the
 * record, and this server is the collector, so it is the receipt time when the sender left it out;
 * a record without a time of its own is placed at its observed time, never at 1970.
 */
export function logTimes(
  timeUnixNano: bigint,
  observedTimeUnixNano: bigint,
  receivedUnixNano: bigint,
): { time: bigint; observed: bigint; observedOnArrival: boolean } {
  const observedOnArrival = observedTimeUnixNano === 0n;
  const observed = observedOnArrival ? receivedUnixNano : observedTimeUnixNano;
  return { time: timeUnixNano !== 0n ? timeUnixNano : observed, observed, observedOnArrival };
}

/** Whether a text has the needle a query asked for, ignoring case. */
export interface TextMatcher {
  (text: string): boolean;
  /** False when the needle cannot be in any number's or boolean's text, so those are not looked at. */
  readonly inScalars: boolean;
}

/**
 * A case-insensitive matcher for `needle`. An ASCII needle becomes a case-insensitive regular
 * expression, which finds it without making a lower-cased copy of every value searched (three times
 * faster over a million records); any other needle is compared with lower-cased text.
 */
export function textMatcher(needle: string): TextMatcher {
  const lower = needle.toLowerCase();
  let matches: (text: string) => boolean;
  if (isAscii(needle)) {
    const pattern = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i");
    matches = (text) => pattern.test(text);
  } else {
    matches = (text) => text.toLowerCase().includes(lower);
  }
  const inScalars =
    /^[-+.0-9e]*$/.test(lower) || ["infinity", "nan", "true", "false"].some((word) => word.includes(lower));
  return Object.assign(matches, { inScalars });
}

/**
 * True when `matches` finds its needle in the record's body (its keys too: a structured body is
 * shown as JSON, keys and all), an attribute value (never an attribute's key) or its event name.
 */
export function logContainsText(record: LogRecord, matches: TextMatcher): boolean {
  if (valueContains(record.body, matches, 0, true)) return true;
  if (record.eventName !== undefined && matches(record.eventName)) return true;
  const attributes = record.attributes;
  for (const key in attributes) if (valueContains(attributes[key] as AttrValue, matches, 0, false)) return true;
  return false;
}

function valueContains(value: AttrValue, matches: TextMatcher, depth: number, keys: boolean): boolean {
  if (value === null || depth > 32) return false;
  if (typeof value === "string") return matches(value);
  if (typeof value !== "object") return matches.inScalars && matches(String(value));
  if (Array.isArray(value)) {
    for (const item of value) if (valueContains(item, matches, depth + 1, keys)) return true;
    return false;
  }
  for (const key in value) {
    if ((keys && matches(key)) || valueContains(value[key] as AttrValue, matches, depth + 1, keys)) return true;
  }
  return false;
}

export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
