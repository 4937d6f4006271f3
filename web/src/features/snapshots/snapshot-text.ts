/**
 * Text about a snapshot that the SDKs send in their own shapes: stack frames, security flags, SDK
 * events and the request context. Pure, so each SDK's variant is tested.
 */
import { stackLineParts } from "../../../../src/domain/code-location";
import {
  PAUSE_END_MARGIN_MS,
  pauseCauseText,
  pauseEnd,
  pauseOfEvent,
  type SdkPause,
} from "../../../../src/domain/sdk-pause";
import { maskQuerySecrets } from "../../../../src/domain/secret-scan";
import type { SdkEventJson } from "../../../../src/protocol";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatClock } from "../../lib/format";

/**
 * Whose code a frame runs: the app's own (shown strongest), the TraceKit SDK's (its capture call and
 * snapshot client, wherever it is installed), or a library's or the runtime's.
 */
export type FrameOrigin = "app" | "sdk" | "library";

export interface StackFrame {
  /** The function, when the line names one. */
  fn: string | null;
  /** `file:line[:column]`, or the whole line when it is not a frame. */
  location: string;
  origin: FrameOrigin;
}

const LIBRARY =
  /node_modules|site-packages|dist-packages|^node:|\(node:|<frozen |internal\/|\/lib\/python\d|^<anonymous>$|^index \d+$|^native$/;

/**
 * The part of a path after its last folder of installed packages (`node_modules`, Python's
 * `site-packages`, `dist-packages`): it starts with the package the file is in. A dependency the SDK
 * installed under its own folder (`node_modules/@tracekit/node-apm/node_modules/express/…`) is
 * express's, not the SDK's.
 */
const INSTALLED = /^(?:.*[\\/])?(?:node_modules|site-packages|dist-packages)[\\/](.*)$/;
/** The SDK installed: a `@tracekit/` package (`@tracekit/node-apm`), Python's `tracekit` package. */
const SDK_PACKAGE = /^(?:@tracekit|tracekit)[\\/]/;
/**
 * The SDK checked out (no folder of packages in its path): `node-apm/`, `python-apm/`. Not a bare
 * `tracekit/` folder, which may be the app's own (`~/src/tracekit/server.js`): a checkout's Python
 * package of that name is told by its snapshot client's file in the same folder (see parseStackTrace).
 */
const SDK_CHECKOUT = /[\\/](?:node-apm|python-apm|tracekit-apm)[\\/]/;
/** The SDK's snapshot client file, whatever folder holds it. */
const SDK_FILE = /(?:^|[\\/])(?:snapshot-client\.[cm]?[jt]s|snapshot_client\.py):\d/;
/** The SDK's classes, as Node names their methods (`TracekitClient.captureSnapshot`, `SnapshotClient._doCheckAndCapture`). */
const SDK_FUNCTION = /^(?:TracekitClient|SnapshotClient)\./;

/** Whether a frame is in the SDK's own code: by the package it is installed in, else by its checkout's folder, file or class. */
function inSdk(frame: { fn: string | null; location: string }): boolean {
  const installed = INSTALLED.exec(frame.location);
  if (installed) return SDK_PACKAGE.test(installed[1] ?? "");
  return SDK_CHECKOUT.test(frame.location) || SDK_FILE.test(frame.location) || SDK_FUNCTION.test(frame.fn ?? "");
}

/** The folder of a `file:line[:column]` location, or null when it names none. */
function folderOf(location: string): string | null {
  const file = location.replace(/(?::\d+){1,2}$/, "");
  const at = Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\"));
  return at <= 0 ? null : file.slice(0, at + 1);
}

/**
 * The frames of a stack trace as the SDKs write it (`stackLineParts`: Node's `at fn (file:line:col)`,
 * the Python SDK's `fn at file:line`), after the `Error` heading, which is dropped. Other lines are
 * kept as they are. The SDK's frames are told by the package they are installed in (`inSdk`), or in a
 * checkout by its folder, its snapshot client's file or its class names; any other frame in a folder of
 * those (its `client.js` in a local checkout) is the SDK's too.
 */
export function parseStackTrace(text: string): StackFrame[] {
  const lines: { fn: string | null; location: string }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    if (lines.length === 0 && /^(?:Error|Traceback)\b/.test(line) && !line.includes(" at ")) continue;
    const frame = stackLineParts(line);
    lines.push({ fn: frame?.fn ?? null, location: frame?.location ?? line });
  }
  const sdkFolders = new Set(lines.filter(inSdk).flatMap((frame) => folderOf(frame.location) ?? []));
  return lines.map((frame) => {
    const folder = folderOf(frame.location);
    const origin: FrameOrigin =
      inSdk(frame) || (folder !== null && sdkFolders.has(folder))
        ? "sdk"
        : LIBRARY.test(frame.location)
          ? "library"
          : "app";
    return { ...frame, origin };
  });
}

/**
 * One line for an SDK event: what happened to capturing in which service. Given the time, a pause
 * says whether it is over (the list keeps the event after its SDK captures again); given the
 * services' pauses as the server keeps them (`sdkPauses`), one a capture from its service ended
 * ends there, as the breakpoint's badge, the terminal and MCP read it; given when the next pause of
 * its service began before its end (`laterPauseStarts`), it reads as superseded by that one.
 */
export function describeSdkEvent(
  event: SdkEventJson,
  nowMs?: number,
  pauses?: Readonly<Record<string, SdkPause>>,
  laterPauseStart?: number,
): string {
  const reported = pauseOfEvent(event, Date.parse(event.receivedAt));
  if (reported !== null) {
    const kept = pauses?.[event.service];
    const pause = kept !== undefined && kept.since === reported.since ? kept : reported;
    const text = `${event.service}: the SDK paused snapshot capture ${pauseCauseText(pause)}`;
    // Its service's SDK paused again before this pause's end: the app restarted (this one was over), or
    // another instance of it paused (this one may still run), which nothing here tells apart; the server,
    // the badge and the terminal keep the newer pause alone. Either way it no longer reads as running on.
    if (laterPauseStart !== undefined && laterPauseStart < pause.until) {
      const at = formatClock(laterPauseStart).slice(0, 8);
      return `${text}; superseded by the pause that began at ${at} (the app restarted, or another instance of it paused).`;
    }
    const at = formatClock(pauseEnd(pause)).slice(0, 8);
    return nowMs !== undefined && pause.until <= nowMs
      ? `${text}; the pause ended at ${at}.`
      : `${text}; it captures again at ${at}.`;
  }
  if (event.type === "capture_refused") return refusedCaptureText(event);
  return `${event.service}: ${event.type.replace(/_/g, " ")}`;
}

/**
 * A capture this server refused before reading it (too large, too deep), kept as its service's event
 * because no breakpoint hears of it: which label, the answer's status and why.
 */
function refusedCaptureText(event: SdkEventJson): string {
  const { label, status, message } = event.data;
  const at = typeof label === "string" && label !== "" ? ` at "${showBidiControls(label)}"` : "";
  const answer = typeof status === "number" ? ` (${status})` : "";
  const why = typeof message === "string" ? `: ${message}` : "";
  return `${event.service}: a capture${at} was refused${answer}${why}; nothing of it was kept`;
}

/**
 * For each listed pause event (by id), when the next pause of its service began: the earliest start
 * at least PAUSE_END_MARGIN_MS after its own among the events given, in whatever order they arrived
 * (another instance may report an older trip later). A trip within that margin is the same outage seen
 * by another instance (the Node SDK clears its failures only after its cooldown, so one SDK cannot trip
 * twice in a pause), not a later pause. Pauses none followed are left out.
 */
export function laterPauseStarts(events: readonly SdkEventJson[]): Map<string, number> {
  const starts = new Map<string, { id: string; since: number }[]>();
  for (const event of events) {
    const pause = pauseOfEvent(event, Date.parse(event.receivedAt));
    if (pause === null) continue;
    const list = starts.get(event.service) ?? [];
    list.push({ id: event.id, since: pause.since });
    starts.set(event.service, list);
  }
  const later = new Map<string, number>();
  for (const list of starts.values()) {
    list.sort((a, b) => a.since - b.since);
    list.forEach(({ id, since }, i) => {
      const next = list.slice(i + 1).find((other) => other.since >= since + PAUSE_END_MARGIN_MS);
      if (next !== undefined) later.set(id, next.since);
    });
  }
  return later;
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

/**
 * The list's trace cell for a capture whose trace is not stored here: on its way while its spans may
 * still arrive (spansMayStillArrive), else not here (never sent, or evicted since), with the trace's id
 * in the title.
 */
export function missingTraceText(
  traceId: string,
  capturedAtMs: number,
  nowMs: number,
): { text: string; title: string } {
  return spansMayStillArrive(capturedAtMs, nowMs)
    ? {
        text: "trace on its way",
        title: `Trace ${traceId} has not arrived yet: the SDK sends its spans a few seconds after the capture`,
      }
    : {
        text: "trace not here",
        title: `Trace ${traceId} is not stored here: its spans were not sent here, or were evicted since`,
      };
}
