/**
 * Whether an enabled breakpoint's SDK has heard of it and still runs: what the server knows of the
 * SDKs (who listens live, who asked for the breakpoints when, whose SDK paused capturing) turned into
 * the state the Snapshots page's badge and MCP's list_snapshots both tell. Pure; reads the REST API's
 * breakpoints answer.
 */
import type { BreakpointJson, BreakpointsResponse } from "../protocol.js";
import { captureState } from "./breakpoint-state.js";
import { type SdkPause, sdkPausesFromJson } from "./sdk-pause.js";

export type BreakpointState =
  | "capturing"
  | "waiting"
  | "silent"
  | "paused"
  | "unplaced"
  | "disabled"
  | "expired"
  | "exhausted"
  | "killed";

/**
 * What the server knows of the SDKs: who listens live, who asked for the breakpoints when, and which
 * services' SDKs paused capturing by themselves (the response's `sdkPauses`, read back).
 */
export type SdkContact = Pick<
  BreakpointsResponse,
  "connectedSdks" | "lastCheckIns" | "killSwitchChangedAt" | "serverStartedAt" | "deletedFrom" | "keptAcrossRestarts"
> & {
  pauses?: Readonly<Record<string, SdkPause>>;
};

/** The contact of a breakpoints answer. Older servers send no check-ins nor pauses: nothing then reads as waiting or paused. */
export function sdkContactOf(body: BreakpointsResponse): SdkContact {
  return {
    connectedSdks: body.connectedSdks,
    lastCheckIns: body.lastCheckIns ?? {},
    killSwitchChangedAt: body.killSwitchChangedAt ?? null,
    serverStartedAt: body.serverStartedAt,
    deletedFrom: body.deletedFrom ?? [],
    keptAcrossRestarts: body.keptAcrossRestarts ?? false,
    // An SDK whose circuit breaker tripped captures nothing until its cooldown is over: its rows say so.
    pauses: sdkPausesFromJson(body.sdkPauses),
  };
}

/** A row's state; a paused one with its SDK's pause. */
export type BreakpointStatus =
  | { state: Exclude<BreakpointState, "paused">; pause?: undefined }
  | { state: "paused"; pause: SdkPause };

/**
 * Whether a service's SDKs have yet to hear of a change: none listens live (Python always polls every
 * 30 s; with the kill switch on, the Node SDK closes its stream and asks only every ~60 s) and none
 * has asked since (ever, for a service never heard from; check-ins are kept in a `--db` file, so
 * also across a restart). The changes: the kill switch going off, and an edit of the breakpoint its
 * SDKs have not heard of otherwise (`unheardEdit`, see breakpointAwaitsCheckIn).
 */
export function awaitsCheckIn(service: string, contact: SdkContact, unheardEdit?: string): boolean {
  if ((contact.connectedSdks[service] ?? 0) > 0) return false;
  const last = contact.lastCheckIns[service];
  const lastMs = last === undefined ? Number.NEGATIVE_INFINITY : Date.parse(last);
  if (contact.killSwitchChangedAt !== null && lastMs < Date.parse(contact.killSwitchChangedAt)) return true;
  return unheardEdit !== undefined && lastMs < Date.parse(unheardEdit);
}

/**
 * Whether a breakpoint's SDKs have yet to hear of its last edit or of the kill switch (awaitsCheckIn).
 * An edit is heard without a check-in when a capture came since (the SDK acted on it), or when the
 * SDK got the breakpoint as it is in the answer to its own registration (`heardAt`: a breakpoint made
 * on the page and handed over by the SDK's first capture call with its label, say). A time equal to
 * the change's reads as heard: the server stamps a change a millisecond after any check-in, answer or
 * capture before it in the same millisecond (ingest's changeTime), so an equal one came after it.
 */
export function breakpointAwaitsCheckIn(breakpoint: BreakpointJson, contact: SdkContact): boolean {
  const { updatedAt, lastCapturedAt, heardAt } = breakpoint;
  const heard = (lastCapturedAt !== null && lastCapturedAt >= updatedAt) || (heardAt !== null && heardAt >= updatedAt);
  return awaitsCheckIn(breakpoint.service, contact, heard ? undefined : updatedAt);
}

/**
 * Whether the SDK would capture here now, and if not, why (the reason the row shows): captureState,
 * shared with MCP, then whether an enabled one's SDKs have heard of it yet.
 */
export function breakpointStatus(
  breakpoint: BreakpointJson,
  nowMs: number,
  killSwitch: boolean,
  contact?: SdkContact,
): BreakpointStatus {
  const status = captureState(breakpoint, nowMs, killSwitch, contact?.pauses);
  if (status.state === "paused") return status;
  // Made on the page by its label ("unplaced"): the SDK gets it with its first capture call there, not at a check-in.
  if (status.state !== "enabled") return { state: status.state };
  if (contact === undefined) return { state: "capturing" };
  if (breakpointAwaitsCheckIn(breakpoint, contact)) return { state: "waiting" };
  if (sdkSilentSince(breakpoint.service, contact, nowMs) !== null) return { state: "silent" };
  return { state: "capturing" };
}

/**
 * Since when a service that has heard of everything is nonetheless silent (unix ms of its last
 * check-in), or null: no SDK of it listens live and its last check-in is older than a poll interval
 * allows (checkInOverdueSince). Its app has most likely stopped, so "capturing" would be untrue. A
 * service that never checked in is not judged: it may capture without polling (a first capture call).
 */
export function sdkSilentSince(service: string, contact: SdkContact, nowMs: number): number | null {
  if ((contact.connectedSdks[service] ?? 0) > 0 || contact.lastCheckIns[service] === undefined) return null;
  return checkInOverdueSince(service, contact, nowMs);
}

/**
 * How long after its last check-in (or, when it has none, after the kill switch's change or the edit
 * it waits to hear of), and after this server started, a service's next check-in is overdue: twice
 * the longest poll (Node's 60 s; 30 s otherwise, and Python's). Past it, the app has most likely
 * stopped, and waiting "within about 60 s" would be untrue.
 */
export const CHECK_IN_OVERDUE_MS = 120_000;

/**
 * Since when a service's expected check-in is overdue (unix ms of its last check-in; when it has none,
 * of the kill switch's change, else of `waitingSince`, the edit waited on), or null while one may
 * still come within its poll interval. That interval counts from the later of that time and this
 * server's start (`serverStartedAt`): an app that polled before a restart (kept with --db, or from a
 * file that kept no check-ins) polls again within 30 s of it, whatever the time before.
 */
export function checkInOverdueSince(
  service: string,
  contact: SdkContact,
  nowMs: number,
  waitingSince?: string,
): number | null {
  const last = contact.lastCheckIns[service];
  const since = Date.parse(last ?? contact.killSwitchChangedAt ?? waitingSince ?? "");
  if (!Number.isFinite(since)) return null;
  const started = Date.parse(contact.serverStartedAt ?? "");
  const from = Number.isFinite(started) ? Math.max(since, started) : since;
  return nowMs - from > CHECK_IN_OVERDUE_MS ? since : null;
}
