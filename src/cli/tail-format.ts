import { base64ByteCount } from "../domain/base64.js";
import { BIDI_CONTROLS, oneLineText } from "../domain/control-text.js";
import { formatDuration } from "../domain/duration-text.js";
import { errorOccurrencesOf, failedResponseOf, statusType } from "../domain/error-fingerprint.js";
import { exceptionFields, failureOf } from "../domain/failure.js";
import { severityShown } from "../domain/log.js";
import { eventNameOf } from "../domain/log-event.js";
import type { Span } from "../domain/span.js";
import { spanLabel } from "../domain/span-label.js";
import type { LogRecordJson, LogSeverity, SpanJson, TraceSummaryJson } from "../protocol.js";

/** ANSI styles, or none. */
export interface Palette {
  dim(text: string): string;
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const style = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

export function palette(colour: boolean): Palette {
  if (!colour) return { dim: plain, bold: plain, red: plain, yellow: plain, cyan: plain };
  return { dim: style(2, 22), bold: style(1, 22), red: style(31, 39), yellow: style(33, 39), cyan: style(36, 39) };
}

/** Colour only on a terminal, and never when NO_COLOR is set and not empty (https://no-color.org: an empty one is unset). */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

const MAX_TEXT = 300;

/** Telemetry as one safe line (domain/control-text.ts: no control character passes, nor a bidi control), at most `max` long. */
function safe(text: string, max = MAX_TEXT): string {
  const one = oneLineText(text).trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * Local time of day with milliseconds, from nanoseconds since the epoch, after the local date
 * (`2026-03-01 12:03:07.123`) when that is not `now`'s: a record of another day (an app whose clock
 * is off, logs sent late, an import) must not read as today's.
 */
export function clock(unixNano: string, now: Date = new Date()): string {
  const d = new Date(Number(BigInt(unixNano) / 1_000_000n));
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const date = localDate(d);
  return date === localDate(now) ? time : `${date} ${time}`;
}

/** `2026-03-01`, the local date. */
function localDate(t: Date): string {
  return `${pad(t.getFullYear(), 4)}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
}

const count = (n: number, one: string) => `${n} ${n === 1 ? one : `${one}s`}`;

/** `12:03:07.123  checkout  GET /orders  120ms  5 spans  1 error  4bf92f35…` */
export function traceLine(trace: TraceSummaryJson, p: Palette, now?: Date): string {
  const parts = [
    p.dim(clock(trace.startTimeUnixNano, now)),
    p.cyan(safe(trace.service, 60)),
    p.bold(safe(trace.name) || "(unnamed)"),
    formatDuration(trace.durationMs),
    count(trace.spanCount, "span"),
  ];
  if (trace.errorCount > 0) parts.push(p.red(count(trace.errorCount, "error")));
  parts.push(p.dim(trace.traceId));
  return parts.join("  ");
}

/** What `tail errors` says of an error span, besides its time, service and trace. */
export interface ErrorSummary {
  /** The span as the trace view labels it: `GET /fail`, `GET api:8080/fail` for a span named by its method alone. */
  label: string;
  /** What failed: the failed answer (`HTTP 502`), then what the span says (its exception, else its status message). */
  failure: string;
}

export function errorSummary(span: SpanJson): ErrorSummary {
  const response = failedResponseOf(span.attributes);
  const said = failureOf(span)?.message ?? "";
  const parts = response === null || said.startsWith(response) ? [said] : [response, said];
  const failure = parts.filter((part) => part !== "").join(": ");
  return {
    label: spanLabel(span),
    failure: failure || statusType(span),
  };
}

/**
 * An error span as the errors the Errors page counts in it (errorOccurrencesOf), one line each: the span
 * itself, or when it recorded several exceptions the page counts apart (a retry that failed otherwise),
 * the span once per exception, with that exception event alone.
 */
export function errorsOfSpan(span: SpanJson): SpanJson[] {
  const exceptions = span.events.filter((event) => event.name === "exception");
  if (exceptions.length < 2) return [span];
  // Only the fields errorOccurrencesOf reads are converted; the rest is passed as it is.
  const stored = {
    ...span,
    startTimeUnixNano: BigInt(span.startTimeUnixNano),
    endTimeUnixNano: BigInt(span.endTimeUnixNano),
    events: span.events.map((event) => ({ ...event, timeUnixNano: BigInt(event.timeUnixNano) })),
  } as unknown as Span;
  const counted = errorOccurrencesOf(stored);
  if (counted.length < 2) return [span];
  const views: SpanJson[] = [];
  for (const event of exceptions) {
    const fields = exceptionFields(event.attributes);
    const time = BigInt(event.timeUnixNano) > 0n ? BigInt(event.timeUnixNano) : stored.endTimeUnixNano;
    const counts = counted.some(
      (o) =>
        o.kind === "exception" &&
        o.timeUnixNano === time &&
        o.type === (fields?.type || "Error") &&
        o.message === fields?.message,
    );
    if (counts) views.push({ ...span, events: [event] });
  }
  return views.length === counted.length ? views : [span];
}

/** `12:03:07.123  checkout  GET api:8080/charge  HTTP 502: card declined  4bf92f35…` */
export function errorLine(span: SpanJson, p: Palette, now?: Date): string {
  const { label, failure } = errorSummary(span);
  return [
    p.dim(clock(span.endTimeUnixNano, now)),
    p.cyan(safe(span.service, 60)),
    p.bold(safe(label) || "(unnamed)"),
    p.red(safe(failure) || "error"),
    p.dim(span.traceId),
  ].join("  ");
}

function severityStyle(severity: LogSeverity, p: Palette): (text: string) => string {
  if (severity === "ERROR" || severity === "FATAL") return p.red;
  if (severity === "WARN") return p.yellow;
  if (severity === "TRACE" || severity === "DEBUG") return p.dim;
  return plain;
}

/**
 * `12:03:07.123  ERROR  checkout  payment failed for order 42  4bf92f35…`; the severity as the Logs page's
 * badge says it (the sender's own text, `NOTICE`, else the level and its step, `INFO2`) in its level's style.
 */
export function logLine(log: LogRecordJson, p: Palette, now?: Date): string {
  const text = log.body === null ? "" : typeof log.body === "string" ? log.body : JSON.stringify(log.body);
  // A body sent as bytes arrives as base64, which alone reads as text.
  const body =
    log.bytes?.body === true && typeof log.body === "string"
      ? `(base64 of ${count(base64ByteCount(log.body), "byte")}) ${text}`
      : text;
  const event = eventNameOf(log);
  const parts = [
    p.dim(clock(log.timeUnixNano, now)),
    severityStyle(log.severity, p)((safe(severityShown(log), 16) || "-").padEnd(5)),
    p.cyan(safe(log.service, 60)),
    safe(event ? `${event} ${body}` : body) || p.dim("(no body)"),
  ];
  if (log.traceId !== null) parts.push(p.dim(log.traceId));
  return parts.join("  ");
}

const JSON_UNESCAPED = new RegExp(`[\\u007f-\\u009f${BIDI_CONTROLS}]`, "g");

/**
 * JSON of telemetry for a terminal: JSON.stringify escapes the C0 controls, not DEL and the C1 ones
 * (U+007F–U+009F; U+009B starts a terminal escape sequence as ESC [ does), nor bidi controls.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNESCAPED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
