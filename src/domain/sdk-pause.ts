/**
 * When a TraceKit SDK stopped capturing snapshots by itself: its circuit breaker trips after captures
 * it could not send (no answer, or a 5xx) and pauses capture for minutes, then tells this server with
 * its next check-in (a `circuit_breaker_tripped` SDK event). Pure.
 */
import { count } from "./count-text.js";
import { formatDuration } from "./duration-text.js";

export interface SdkPause {
  /** When it tripped (unix ms): the SDK's time stamp, kept within the poll before its event arrived. */
  since: number;
  /**
   * When the SDK captures again (unix ms): the end of its cooldown, or earlier, when a capture from
   * its service arrived after it began (`endPauseAt`).
   */
  until: number;
  failures: number | null;
  windowSeconds: number | null;
}

/** An SdkPause as the breakpoints response carries it (`sdkPauses`): times as ISO 8601. */
export interface SdkPauseJson {
  since: string;
  until: string;
  failures: number | null;
  windowSeconds: number | null;
}

/** The Node SDK's cooldown after its circuit breaker trips, for an event that does not say (or says less than 0). */
const DEFAULT_PAUSE_SECONDS = 300;

/**
 * The longest pause taken from an event (a day; the SDK's is 5 minutes): a longer cooldown reads as
 * this, so every pause's end is a time that can be written (a cooldown of 1e13 s cannot).
 */
export const MAX_PAUSE_SECONDS = 86_400;

/**
 * How long after a pause began a capture from its service must arrive to end it (`endPauseAt`): the
 * SDK stamps its trip just after its last failed reply, so a capture it sent before (still in flight),
 * or one stamped by a clock a little ahead of the SDK's, is no sign that it captures again.
 */
export const PAUSE_END_MARGIN_MS = 5_000;

/** Unix ms a Date can hold, with room for a pause after it. */
const LATEST_MS = 8.64e15 - MAX_PAUSE_SECONDS * 1000;

/**
 * How long before its arrival an SDK event may have happened: the Node SDK sends the events it queued
 * with its next poll, every 30 s (60 s while the kill switch is on), and a little more for the request.
 */
const EVENT_DELAY_MS = 65_000;

function nonNegative(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * The pause one event tells of, whether over or not; null for another kind of event. `receivedAtMs`
 * is when this server received it: the SDK's own time stamp is taken only within the poll before it
 * (its clock is not this server's, to which captures and the page's clock are compared).
 */
export function pauseOfEvent(
  event: { type: string; data: Record<string, unknown> },
  receivedAtMs: number,
): SdkPause | null {
  if (event.type !== "circuit_breaker_tripped" || !(Math.abs(receivedAtMs) <= LATEST_MS)) return null;
  const stamped = typeof event.data.timestamp === "string" ? Date.parse(event.data.timestamp) : Number.NaN;
  const since = Number.isFinite(stamped)
    ? Math.min(receivedAtMs, Math.max(receivedAtMs - EVENT_DELAY_MS, stamped))
    : receivedAtMs;
  return {
    since,
    until:
      since + Math.min(nonNegative(event.data.cooldown_seconds) ?? DEFAULT_PAUSE_SECONDS, MAX_PAUSE_SECONDS) * 1000,
    failures: nonNegative(event.data.failure_count),
    windowSeconds: nonNegative(event.data.window_seconds),
  };
}

/**
 * When a pause ends, as every reader (the terminal, the page, MCP) writes it: rounded up to the whole
 * second, so the time shown is never one at which the SDK still captures nothing.
 */
export function pauseEnd(pause: SdkPause): number {
  return Math.ceil(pause.until / 1000) * 1000;
}

/**
 * How long a pause has left at `nowMs`, as every reader writes it (to `pauseEnd`): to the nearest
 * minute ("5m" from 4m 30s to 5m 29s: a 5-minute pause read just after it began says 5m, not 6m), and
 * in seconds, rounded up, in its last minute ("45s"); "0s" once over.
 */
export function pauseLeftText(pause: SdkPause, nowMs: number): string {
  const seconds = Math.ceil(Math.max(0, pauseEnd(pause) - nowMs) / 1000);
  if (seconds < 60) return `${seconds}s`;
  return formatDuration(Math.round(seconds / 60) * 60_000);
}

/** Why the SDK paused: "after 3 captures it could not send within 1m (this server could not be reached or failed, or the SDK could not serialize the variables, such as an object that refers to itself: see the app's console)". */
export function pauseCauseText(pause: SdkPause): string {
  const captures =
    pause.failures === null ? "captures" : `${count(pause.failures)} capture${pause.failures === 1 ? "" : "s"}`;
  const within =
    pause.failures !== null && pause.windowSeconds !== null
      ? ` within ${formatDuration(pause.windowSeconds * 1000)}`
      : "";
  return `after ${captures} it could not send${within} (this server could not be reached or failed, or the SDK could not serialize the variables, such as an object that refers to itself: see the app's console)`;
}

export function sdkPauseToJson(pause: SdkPause): SdkPauseJson {
  return {
    since: new Date(pause.since).toISOString(),
    until: new Date(pause.until).toISOString(),
    failures: pause.failures,
    windowSeconds: pause.windowSeconds,
  };
}

/** The breakpoints response's `sdkPauses` read back (absent from older servers: none). */
export function sdkPausesFromJson(json: Readonly<Record<string, SdkPauseJson>> | undefined): Record<string, SdkPause> {
  const pauses: Record<string, SdkPause> = {};
  for (const [service, pause] of Object.entries(json ?? {})) {
    const since = Date.parse(pause.since);
    const until = Date.parse(pause.until);
    if (Number.isFinite(since) && Number.isFinite(until)) {
      pauses[service] = { since, until, failures: pause.failures, windowSeconds: pause.windowSeconds };
    }
  }
  return pauses;
}

/**
 * The pause, ended at `capturedAtMs` when a capture from its service arrived while it ran, from
 * PAUSE_END_MARGIN_MS after it began: a paused SDK sends none, so an SDK of the service captures (the
 * app restarted, or another instance of it did not pause). The same pause otherwise.
 */
export function endPauseAt(pause: SdkPause, capturedAtMs: number): SdkPause {
  return capturedAtMs >= pause.since + PAUSE_END_MARGIN_MS && capturedAtMs < pause.until
    ? { ...pause, until: capturedAtMs }
    : pause;
}

/**
 * A pause as a store kept it, or null when it is not one this server writes (times that are not
 * numbers a Date holds, an end before its start); one longer than MAX_PAUSE_SECONDS ends there.
 * Both stores read their pauses through it, so they give the same back.
 */
export function storedSdkPause(value: unknown): SdkPause | null {
  if (value === null || typeof value !== "object") return null;
  const { since, until, failures, windowSeconds } = value as Record<string, unknown>;
  if (typeof since !== "number" || !(Math.abs(since) <= LATEST_MS)) return null;
  if (typeof until !== "number" || !Number.isFinite(until) || until < since) return null;
  return {
    since,
    until: Math.min(until, since + MAX_PAUSE_SECONDS * 1000),
    failures: nonNegative(failures),
    windowSeconds: nonNegative(windowSeconds),
  };
}

/** The pause `service`'s SDK is under at `nowMs`, or null: none, or over. */
export function servicePause(
  pauses: Readonly<Record<string, SdkPause>> | undefined,
  service: string,
  nowMs: number,
): SdkPause | null {
  const pause = pauses?.[service];
  return pause === undefined || pause.until <= nowMs ? null : pause;
}
