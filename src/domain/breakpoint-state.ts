/**
 * Whether a breakpoint's SDK would capture there now, and if not, why: one order of reasons for the
 * Snapshots page's badge and MCP's list_snapshots. Pure; reads the breakpoint as the REST API sends it.
 */
import { breakpointRefusal } from "./code-monitoring.js";
import { type SdkPause, servicePause } from "./sdk-pause.js";

/** What of a breakpoint decides its state (BreakpointJson's fields). */
export interface BreakpointStateFacts {
  service: string;
  enabled: boolean;
  /** ISO 8601, or null: never. */
  expireAt: string | null;
  maxCaptures: number;
  captureCount: number;
  /** "" for one made on the page by its label that no capture call has taken yet. */
  filePath: string;
}

/** "enabled": nothing here keeps it from capturing; "paused" comes with its SDK's pause. */
export type CaptureState =
  | { state: "disabled" | "killed" | "expired" | "exhausted" | "unplaced" | "enabled" }
  | { state: "paused"; pause: SdkPause };

/**
 * The first reason a breakpoint does not capture now. The kill switch and the breakpoint's own
 * settings come first; then its SDK's pause (`pauses`, sdk-pause.ts): a paused SDK captures nothing,
 * so one made by its label is not taken at its first capture call either ("unplaced") until it ends.
 */
export function captureState(
  breakpoint: BreakpointStateFacts,
  nowMs: number,
  killSwitch: boolean,
  pauses?: Readonly<Record<string, SdkPause>>,
): CaptureState {
  if (!breakpoint.enabled) return { state: "disabled" };
  if (killSwitch) return { state: "killed" };
  // The server's own rules (an unreadable expiry never passes: NaN compares false).
  const expireAt = breakpoint.expireAt === null ? null : Date.parse(breakpoint.expireAt);
  const refusal = breakpointRefusal({ ...breakpoint, expireAt }, nowMs);
  if (refusal !== null) return { state: refusal };
  const pause = servicePause(pauses, breakpoint.service, nowMs);
  if (pause !== null) return { state: "paused", pause };
  return { state: breakpoint.filePath === "" ? "unplaced" : "enabled" };
}
