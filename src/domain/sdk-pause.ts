/**
 * When a TraceKit SDK stopped capturing snapshots by itself: its circuit breaker trips after captures
 * it could not send (no answer, or a 5xx) and pauses capture for minutes, then tells this server with
 * its next check-in (a `circuit_breaker_tripped` SDK event). Pure.
 */

/** An SDK event as the server keeps it (SdkEventJson's shape). */
export interface ReportedSdkEvent {
  service: string;
  type: string;
  /** ISO time it arrived. */
  receivedAt: string;
  /** The event object as the SDK sent it. */
  data: Record<string, unknown>;
}

export interface SdkPause {
  /** When it tripped (unix ms, the SDK's own time stamp when it sent one). */
  since: number;
  /** When the SDK captures again (unix ms). */
  until: number;
  failures: number | null;
  windowSeconds: number | null;
}

/** The Node SDK's cooldown after its circuit breaker trips, for an event that does not say. */
const DEFAULT_PAUSE_SECONDS = 300;

function count(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}

/** The pause one event tells of, whether over or not; null for another kind of event. */
export function pauseOfEvent(event: ReportedSdkEvent): SdkPause | null {
  if (event.type !== "circuit_breaker_tripped") return null;
  const stamped = typeof event.data.timestamp === "string" ? Date.parse(event.data.timestamp) : Number.NaN;
  const since = Number.isFinite(stamped) ? stamped : Date.parse(event.receivedAt);
  if (!Number.isFinite(since)) return null;
  return {
    since,
    until: since + (count(event.data.cooldown_seconds) ?? DEFAULT_PAUSE_SECONDS) * 1000,
    failures: count(event.data.failure_count),
    windowSeconds: count(event.data.window_seconds),
  };
}

/** The services whose SDK is paused at `nowMs`, each with its newest pause. */
export function sdkPauses(events: readonly ReportedSdkEvent[], nowMs: number): Record<string, SdkPause> {
  const pauses: Record<string, SdkPause> = {};
  for (const event of events) {
    const pause = pauseOfEvent(event);
    if (pause === null || pause.until <= nowMs) continue;
    const known = pauses[event.service];
    if (known === undefined || known.since < pause.since) pauses[event.service] = pause;
  }
  return pauses;
}

/**
 * The pause a breakpoint of `service` is under at `nowMs`, or null: none, over, or the breakpoint
 * captured since it tripped (`lastCapturedAt`, ISO: another instance of the service still captures).
 */
export function breakpointPause(
  pauses: Readonly<Record<string, SdkPause>> | undefined,
  service: string,
  lastCapturedAt: string | null,
  nowMs: number,
): SdkPause | null {
  const pause = pauses?.[service];
  if (pause === undefined || pause.until <= nowMs) return null;
  const last = lastCapturedAt === null ? Number.NaN : Date.parse(lastCapturedAt);
  return Number.isFinite(last) && last >= pause.since ? null : pause;
}
