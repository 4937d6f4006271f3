import type { Attributes, AttrValue, InstrumentationScope } from "./span.js";

/** Severity ranges of OTLP's severity_number, lowest first (UNSPECIFIED is 0). */
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
}

/** A stored record and the number the store gave it on arrival (its id, and the order ties break by). */
export interface StoredLog {
  seq: number;
  record: LogRecord;
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
): { time: bigint; observed: bigint } {
  const observed = observedTimeUnixNano !== 0n ? observedTimeUnixNano : receivedUnixNano;
  return { time: timeUnixNano !== 0n ? timeUnixNano : observed, observed };
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

/** True when `matches` finds its needle in the record's body, an attribute value (never a key) or its event name. */
export function logContainsText(record: LogRecord, matches: TextMatcher): boolean {
  if (valueContains(record.body, matches, 0)) return true;
  if (record.eventName !== undefined && matches(record.eventName)) return true;
  const attributes = record.attributes;
  for (const key in attributes) if (valueContains(attributes[key] as AttrValue, matches, 0)) return true;
  return false;
}

function valueContains(value: AttrValue, matches: TextMatcher, depth: number): boolean {
  if (value === null || depth > 32) return false;
  if (typeof value === "string") return matches(value);
  if (typeof value !== "object") return matches.inScalars && matches(String(value));
  if (Array.isArray(value)) {
    for (const item of value) if (valueContains(item, matches, depth + 1)) return true;
    return false;
  }
  for (const key in value) if (valueContains(value[key] as AttrValue, matches, depth + 1)) return true;
  return false;
}

export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
