/**
 * Text about a snapshot that the SDKs send in their own shapes: stack frames, security flags, SDK
 * events and the request context. Pure, so each SDK's variant is tested.
 */
import { stackLineParts } from "../../../../src/domain/code-location";
import type { SdkEventJson, SecurityFlagJson } from "../../../../src/protocol";
import { maskQuerySecrets } from "./secret-scan";

export interface StackFrame {
  /** The function, when the line names one. */
  fn: string | null;
  /** `file:line[:column]`, or the whole line when it is not a frame. */
  location: string;
  /** A frame in a dependency or the runtime, shown quieter than the app's own. */
  library: boolean;
}

const LIBRARY = /node_modules|site-packages|dist-packages|^node:|\(node:|<frozen |internal\/|\/lib\/python\d/;

/**
 * The frames of a stack trace as the SDKs write it (`stackLineParts`: Node's `at fn (file:line:col)`,
 * the Python SDK's `fn at file:line`), after the `Error` heading, which is dropped. Other lines are
 * kept as they are.
 */
export function parseStackTrace(text: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    if (frames.length === 0 && /^(?:Error|Traceback)\b/.test(line) && !line.includes(" at ")) continue;
    const frame = stackLineParts(line);
    const location = frame?.location ?? line;
    frames.push({ fn: frame?.fn ?? null, location, library: LIBRARY.test(location) });
  }
  return frames;
}

/** What a security flag says, in words: the Node SDK writes `sensitive_data_[REDACTED:email]`, Python `sensitive_data_email`. */
export function describeSecurityFlag(flag: SecurityFlagJson): string {
  const type = flag.type;
  if (type === "sensitive_variable_name") return "sensitive variable name";
  const data = /^sensitive_data_(?:\[REDACTED:)?([\w.-]+?)\]?$/.exec(type);
  if (data) return `${(data[1] as string).replace(/_/g, " ")} in the value`;
  return type.replace(/_/g, " ");
}

function numberField(data: Record<string, unknown>, key: string): number | null {
  const value = data[key];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function seconds(value: number): string {
  if (value >= 60 && value % 60 === 0) return `${value / 60} min`;
  return `${value} s`;
}

/** One line for an SDK event: what happened to capturing in which service. */
export function describeSdkEvent(event: SdkEventJson): string {
  if (event.type === "circuit_breaker_tripped") {
    const failures = numberField(event.data, "failure_count");
    const window = numberField(event.data, "window_seconds");
    const cooldown = numberField(event.data, "cooldown_seconds");
    let text = `${event.service}: the SDK paused snapshot capture`;
    if (failures !== null) {
      text += ` after ${failures} failed send${failures === 1 ? "" : "s"}`;
      if (window !== null) text += ` in ${seconds(window)}`;
    }
    if (cooldown !== null) text += `; it tries again after ${seconds(cooldown)}`;
    return `${text}.`;
  }
  return `${event.service}: ${event.type.replace(/_/g, " ")}`;
}

export interface RequestSummary {
  method: string | null;
  /** Path (or URL) of the request. */
  target: string | null;
}

/** The request line of a snapshot's request context (either SDK's field names), when it has one. */
export function requestSummary(context: unknown): RequestSummary | null {
  if (context === null || typeof context !== "object" || Array.isArray(context)) return null;
  const record = context as Record<string, unknown>;
  const text = (key: string) =>
    typeof record[key] === "string" && record[key] !== "" ? (record[key] as string) : null;
  const method = text("method");
  const raw = text("url") ?? text("path") ?? text("route");
  if (method === null && raw === null) return null;
  // A one-line summary cannot be revealed value by value: query secrets stay masked here (the tree
  // below shows each one masked, with Reveal).
  return { method, target: raw === null ? null : maskQuerySecrets(raw) };
}

/** The payload-limit marker the Node SDK sends instead of variables that were too large. */
export function truncatedPayload(variables: unknown): { size: number; max: number } | null {
  if (variables === null || typeof variables !== "object") return null;
  const record = variables as Record<string, unknown>;
  if (record._truncated !== true) return null;
  const size = typeof record._payload_size === "number" ? record._payload_size : 0;
  const max = typeof record._max_payload === "number" ? record._max_payload : 0;
  return { size, max };
}

/**
 * How long after a capture its trace's spans may still be on their way: the SDK's span exporter
 * batches them for about 5 s, and the request's span ends after the capture.
 */
export const SPANS_IN_FLIGHT_MS = 30_000;

/** Whether a capture is young enough that its trace, not stored yet, may still arrive. */
export function spansMayStillArrive(capturedAtMs: number, nowMs: number): boolean {
  return Number.isFinite(capturedAtMs) && nowMs - capturedAtMs < SPANS_IN_FLIGHT_MS;
}
