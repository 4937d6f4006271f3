import { callerOf } from "../domain/code-location.js";
import {
  type Breakpoint,
  breakpointRefusal,
  captureTime,
  locationKey,
  type SdkEvent,
  type Snapshot,
} from "../domain/code-monitoring.js";
import { AppError } from "../domain/errors.js";
import { endPauseAt, pauseOfEvent, type SdkPause, sdkPauseToJson } from "../domain/sdk-pause.js";
import type { LiveHub } from "../live/hub.js";
import type { SdkStreams } from "../live/sdk-streams.js";
import type { BreakpointsResponse, LiveMessage, SnapshotSummaryJson } from "../protocol.js";
import { breakpointToJson, sdkEventToJson, snapshotSummaryToJson } from "../protocol-json.js";
import { type AutoRegisterRequest, breakpointToSdk, type CaptureRequest } from "../sdk/code-monitoring-wire.js";
import { type CodeMonitoringStore, MAX_BREAKPOINTS } from "../store/code-monitoring-store.js";
import { storeUnavailableReason } from "../store/store-unavailable.js";

/** Deleted breakpoint ids remembered to refuse their late captures (see findCaptureTarget). */
const DELETED_IDS_KEPT = 1_000;
/** Services whose last check-in, or last SDK pause, is remembered (the oldest is forgotten past it). */
const MAX_CHECK_IN_SERVICES = 1000;
/** SDK events read back from a --db file at start for the pauses they tell of (the newest). */
const SDK_EVENTS_READ_AT_START = 1000;

/** A refused capture's event is kept at most this often per service and label: an app sends the same body each time its code runs. */
export const REFUSAL_EVENT_MS = 10_000;

/** A breakpoint made on the Snapshots page. */
export interface BreakpointInput {
  service: string;
  filePath: string;
  lineNumber: number;
  functionName: string;
  label: string;
  condition: string;
  maxCaptures: number;
  expireAt: number | null;
  enabled: boolean;
}

export type BreakpointPatch = Partial<Pick<Breakpoint, "enabled" | "maxCaptures" | "expireAt" | "condition" | "label">>;

export interface CodeMonitoring {
  /** What GET/POST /sdk/snapshots/active/:service answers, in the SDKs' shape. */
  sdkView(service: string): { breakpoints: Record<string, unknown>[]; killSwitch: boolean };
  /** One breakpoint in the SDKs' shape. */
  sdkBreakpoint(breakpoint: Breakpoint): Record<string, unknown>;
  /**
   * The same breakpoint for a location already known (its line follows the code), else a new, disabled
   * one. `answerKept`: the SDK keeps the answer as its copy of the breakpoint (the Node SDK does), so
   * the breakpoint as answered is heard (`heardAt`) without a check-in.
   */
  autoRegister(request: AutoRegisterRequest, answerKept?: boolean): { breakpoint: Breakpoint; created: boolean };
  /** Keeps a capture, or throws a 4xx saying why it was not taken. */
  capture(request: CaptureRequest): Snapshot;
  reportEvents(service: string, events: readonly { type: string; data: Record<string, unknown> }[]): void;
  /**
   * A capture the server refused before reading it (too large, too deep, not JSON), from the service
   * and label its body named: kept as a `capture_refused` event beside what the SDKs report, so the
   * page shows why nothing arrives. At most one per service and label every REFUSAL_EVENT_MS.
   */
  captureRefused(
    service: string,
    label: string | null,
    refusal: { status: number; code: string; message: string },
  ): void;
  /** A service's SDK asked for its breakpoints: it now knows the current ones and the kill switch. */
  sdkCheckedIn(service: string): void;

  state(): BreakpointsResponse;
  createBreakpoint(input: BreakpointInput): Breakpoint;
  updateBreakpoint(id: string, patch: BreakpointPatch): Breakpoint;
  deleteBreakpoint(id: string): void;
  setKillSwitch(enabled: boolean): void;
  /**
   * After the UI's "clear everything": snapshots and SDK events go; breakpoints stay, their counts of
   * captures start again from 0 (told to their SDKs, which stop at `max_captures` by that count).
   * SDK pauses stay (a paused SDK still captures nothing until its pause ends), and so does when each
   * service's last capture was answered, which ends them.
   */
  clearCaptured(): void;
  /** Republishes the breakpoint list (connected-SDK counts changed). */
  sdkConnectionsChanged(): void;
  close(): void;
}

export interface CodeMonitoringDeps {
  store: CodeMonitoringStore;
  hub: LiveHub;
  streams: SdkStreams;
  /** Most breakpoints kept (default MAX_BREAKPOINTS); creating one more is a 409. */
  maxBreakpoints?: number;
  /** Something a developer at the terminal wants to hear of (the CLI prints a line for each). */
  onEvent?(event: CodeMonitoringEvent): void;
  now?(): number;
  /** How soon an expiry whose read of the store failed is tried again (default EXPIRY_RETRY_MS). */
  expiryRetryMs?: number;
  /** The store keeps breakpoints in a `--db` file, across restarts (said to the page). */
  persistent?: boolean;
}

/** A store that could not read its `--db` file at an expiry is read again this much later. */
const EXPIRY_RETRY_MS = 5_000;

/** What the terminal hears of code monitoring. */
export type CodeMonitoringEvent =
  /** An SDK registered a location not seen before (disabled until enabled on the Snapshots page). */
  | { type: "registered"; breakpoint: Breakpoint }
  /** A capture for a breakpoint this server did not know (it restarted without `--db`) made it again, enabled. */
  | { type: "remade"; breakpoint: Breakpoint }
  /** An SDK's first capture call with the label of a breakpoint made on the page placed it there. */
  | { type: "placed"; breakpoint: Breakpoint }
  /** A snapshot was stored. */
  | { type: "captured"; breakpoint: Breakpoint; traceId: string | null }
  /** A breakpoint was enabled or disabled on the page. */
  | { type: "switched"; breakpoint: Breakpoint }
  | { type: "kill-switch"; enabled: boolean }
  /**
   * A service's SDK reported that it stopped capturing by itself (its circuit breaker tripped after
   * captures it could not send), until `pause.until`.
   */
  | { type: "sdk-paused"; service: string; pause: SdkPause }
  /**
   * A breakpoint's expiry could not read the store's file (`reason`): its SDKs are not told it stopped
   * until a read succeeds, tried every `retryMs`. Once per run of failed tries.
   */
  | { type: "expiry-deferred"; reason: string; retryMs: number }
  /**
   * A capture from `service` was answered, but what that changed could not be written to the store's
   * file (`reason`): the end of the service's SDK pause (`pause`, which still reads as running), or,
   * with `pause` null, only when the service last captured (which ends a pause its SDK reports later).
   */
  | { type: "capture-time-unsaved"; service: string; reason: string; pause: SdkPause | null };

/**
 * How far ahead of now a heard time may be and still move a change past it: the same millisecond, and a
 * clock's small steps. A time further ahead (a check-in kept from a clock that ran a day fast, or from
 * another machine's file) is not followed: every later change would be stamped in the future with it,
 * and the kill switch for every service.
 */
const AHEAD_FOLLOWED_MS = 1_000;

/** `t`, or a millisecond after the latest of `times` when that is not before it (and at most AHEAD_FOLLOWED_MS ahead). */
function after(t: number, times: Iterable<number | null | undefined>): number {
  let latest = t;
  for (const at of times) {
    if (at !== null && at !== undefined && at >= latest && at <= t + AHEAD_FOLLOWED_MS) latest = at + 1;
  }
  return latest;
}

/** The code-monitoring write path: every rule about breakpoints and captures, and who hears of a change. */
export function createCodeMonitoring(deps: CodeMonitoringDeps): CodeMonitoring {
  const { store, hub, streams } = deps;
  const now = deps.now ?? Date.now;
  const maxBreakpoints = deps.maxBreakpoints ?? MAX_BREAKPOINTS;
  /** When this server started: a check-in expected after a restart is not overdue before it (see `state`). */
  const startedAt = new Date(now()).toISOString();
  let expiryTimer: NodeJS.Timeout | null = null;
  /** Whether the last expiry could not read the store (the terminal was told; not again until one reads). */
  let expiryDeferred = false;
  /** Ids deleted on the Snapshots page (the newest DELETED_IDS_KEPT): a late capture must not bring one back. */
  const deletedIds = new Set<string>();
  /** Services a breakpoint of which was deleted since the start (their apps register it again only at a restart). */
  const deletedFrom = new Set<string>();
  /**
   * Each service's last check-in (ms), oldest first; bounded, as any client may poll under any name,
   * and saved in the store.
   */
  const checkIns = new Map<string, number>();
  /** When each service and label last had a refused capture kept (captureRefused), oldest first; bounded as checkIns. */
  const lastRefusals = new Map<string, number>();
  /**
   * Each service's newest SDK pause, oldest first; bounded as checkIns, and saved in the store. Over
   * ones are kept (clients compare), ended ones too (`endPauseAt`).
   */
  const pauses = new Map<string, SdkPause>();
  /**
   * When each service's last capture was answered (stored, or refused with a 4xx; ms), bounded as
   * checkIns, and saved in the store: it ends a pause its SDK reports later but that began before
   * (another instance of the service captures), also after Clear and a restart.
   */
  const lastCaptures = new Map<string, number>();

  /**
   * Keeps `reported` as the service's pause, saved first (memory follows the file): ended already when
   * a capture from the service came after it began. Returns the pause kept, or null when one as new or
   * newer was kept before (the same pause again, an event read back at start: what was saved stands,
   * ended perhaps).
   */
  function rememberPause(service: string, reported: SdkPause): SdkPause | null {
    const known = pauses.get(service);
    if (known !== undefined && known.since >= reported.since) return null;
    const captured = lastCaptures.get(service);
    const pause = captured === undefined ? reported : endPauseAt(reported, captured);
    store.saveSdkPause(service, pause);
    pauses.delete(service);
    pauses.set(service, pause);
    if (pauses.size > MAX_CHECK_IN_SERVICES) {
      const oldest = pauses.keys().next().value as string;
      store.deleteSdkPause(oldest);
      pauses.delete(oldest);
    }
    return pause;
  }

  /**
   * A capture from `service` was answered at `t`, stored or refused with a 4xx (a 5xx is one its SDK
   * counts toward the breaker that pauses it): its SDK is not paused, so a pause it reported is over
   * (the page and MCP stop reading "SDK paused"), whatever Clear did to the breakpoints since. The
   * capture's answer stands if what it changed cannot be saved (the terminal is told why): an ended
   * pause is then left as the file holds it, and the next capture ends it.
   */
  function captureArrived(service: string, t: number): void {
    lastCaptures.delete(service);
    lastCaptures.set(service, t);
    let unsaved: unknown = null;
    try {
      store.saveLastCapture(service, t);
    } catch (error) {
      unsaved = error;
    }
    forgetOldestCaptures();
    const pause = pauses.get(service);
    const ended = pause === undefined ? pause : endPauseAt(pause, t);
    if (pause !== undefined && ended !== undefined && ended !== pause) {
      try {
        store.saveSdkPause(service, ended);
        pauses.set(service, ended);
        publishState();
      } catch (error) {
        tellUnsaved(service, error, pause);
        return;
      }
    }
    if (unsaved !== null) tellUnsaved(service, unsaved, null);
  }

  /**
   * Keeps the times of at most MAX_CHECK_IN_SERVICES services (the most recent) in `times` (last
   * captures, check-ins), in memory whether or not the file can be written (`remove` drops a service's
   * row): a row the file could not drop is dropped when it is read back.
   */
  function forgetOldest(times: Map<string, unknown>, remove: (service: string) => void): void {
    while (times.size > MAX_CHECK_IN_SERVICES) {
      const oldest = times.keys().next().value as string;
      times.delete(oldest);
      try {
        remove(oldest);
      } catch {
        // Left in the file (it cannot be written now): cut back when the file is read back.
      }
    }
  }
  const forgetOldestCaptures = () => forgetOldest(lastCaptures, (service) => store.deleteLastCapture(service));
  const forgetOldestCheckIns = () => forgetOldest(checkIns, (service) => store.deleteCheckIn(service));

  /** The terminal hears why what a capture's answer changed was not saved (see `capture-time-unsaved`). */
  function tellUnsaved(service: string, error: unknown, pause: SdkPause | null): void {
    const reason =
      storeUnavailableReason(error, "write") ??
      `the store could not write to its file (${error instanceof Error ? error.message : String(error)})`;
    deps.onEvent?.({ type: "capture-time-unsaved", service, reason, pause });
  }

  /**
   * The time of a change to a breakpoint of `service`: now, but strictly after every moment its SDKs
   * were heard to know it before (`heard`: the breakpoint's heardAt or last capture; the service's last
   * check-in). The page reads a change as heard when a check-in, a registration's answer or a capture
   * is at or after its time, so a change in the same millisecond as the check-in before it must read as
   * later, not as heard: the SDK did not get it. A breakpoint's own last change is passed too, so that
   * its `updatedAt` never goes back.
   */
  function changeTime(service: string, ...heard: (number | null)[]): number {
    return after(now(), [checkIns.get(service), ...heard]);
  }

  /** changeTime for a change to `breakpoint`, past what was heard of it and its own last change. */
  function breakpointChangeTime(breakpoint: Breakpoint): number {
    return changeTime(breakpoint.service, breakpoint.heardAt, breakpoint.lastCapturedAt, breakpoint.updatedAt);
  }

  /** As changeTime, for the kill switch, which every service's SDKs hear of. */
  function killSwitchChangeTime(): number {
    return after(now(), checkIns.values());
  }

  function state(): BreakpointsResponse {
    const killSwitchChangedAt = store.killSwitchChangedAt();
    return {
      breakpoints: store.listBreakpoints().map(breakpointToJson),
      killSwitch: store.killSwitch(),
      connectedSdks: streams.counts(),
      lastCheckIns: Object.fromEntries([...checkIns].map(([service, t]) => [service, new Date(t).toISOString()])),
      killSwitchChangedAt: killSwitchChangedAt === null ? null : new Date(killSwitchChangedAt).toISOString(),
      sdkPauses: Object.fromEntries([...pauses].map(([service, pause]) => [service, sdkPauseToJson(pause)])),
      serverStartedAt: startedAt,
      deletedFrom: [...deletedFrom],
      keptAcrossRestarts: deps.persistent === true,
    };
  }

  function publishState(): void {
    hub.publishState("breakpoints", () => ({ type: "breakpoints", ...state() }));
  }

  /** The SDK-facing breakpoint: while the kill switch is on every breakpoint reads as disabled (Python ignores the switch). */
  function toSdk(breakpoint: Breakpoint): Record<string, unknown> {
    const sdk = breakpointToSdk(breakpoint, now());
    if (store.killSwitch()) sdk.enabled = false;
    return sdk;
  }

  /** Tells the breakpoint's SDKs and the live page; a new schedule only when an expiry may have changed. */
  function changed(
    breakpoint: Breakpoint,
    event: "breakpoint_created" | "breakpoint_updated",
    rescheduled = true,
  ): void {
    streams.broadcast(breakpoint.service, event, JSON.stringify(toSdk(breakpoint)));
    publishState();
    if (rescheduled) scheduleExpiry();
  }

  /** At the next expiry, tells SDKs the breakpoint stopped (Node never checks expire_at itself). */
  function scheduleExpiry(): void {
    if (expiryTimer !== null) clearTimeout(expiryTimer);
    expiryTimer = null;
    const t = now();
    const next = Math.min(
      ...store
        .listBreakpoints()
        .filter((b) => b.enabled && b.expireAt !== null && b.expireAt > t)
        .map((b) => b.expireAt as number),
    );
    if (!Number.isFinite(next)) return;
    expireLater(t, Math.min(next - t + 1, 2 ** 31 - 1));
  }

  /** In `ms`, tells SDKs of the breakpoints expired since `since` (ms), and schedules the next expiry. */
  function expireLater(since: number, ms: number): void {
    expiryTimer = setTimeout(() => {
      expiryTimer = null;
      try {
        const at = now();
        for (const b of store.listBreakpoints()) {
          if (b.enabled && b.expireAt !== null && b.expireAt <= at && b.expireAt > since) {
            streams.broadcast(b.service, "breakpoint_updated", JSON.stringify(toSdk(b)));
          }
        }
        expiryDeferred = false;
        publishState();
        scheduleExpiry();
      } catch (error) {
        // The store could not read its --db file (a timer has nobody to answer, and a throw would end
        // the process): the SDKs are told once it can, and the terminal now, why they are not yet.
        const retryMs = deps.expiryRetryMs ?? EXPIRY_RETRY_MS;
        if (!expiryDeferred) {
          expiryDeferred = true;
          const reason =
            storeUnavailableReason(error, "read") ??
            `the store could not read its file (${error instanceof Error ? error.message : String(error)})`;
          deps.onEvent?.({ type: "expiry-deferred", reason, retryMs });
        }
        if (expiryTimer === null) expireLater(since, retryMs);
      }
    }, ms);
    expiryTimer.unref();
  }

  function assertRoom(): void {
    if (store.stats().breakpoints >= maxBreakpoints) {
      throw new AppError(
        409,
        "too_many_breakpoints",
        `at most ${maxBreakpoints} breakpoints are kept; delete some on the Snapshots page`,
      );
    }
  }

  function assertFreeLocation(candidate: Breakpoint): void {
    const other = store.findBreakpoint(locationKey(candidate));
    if (other !== undefined && other.id !== candidate.id) {
      throw new AppError(409, "breakpoint_exists", `breakpoint ${other.id} is already at this location`);
    }
  }

  /** A breakpoint made on the page by label that no SDK has called yet. */
  function unplacedBreakpoint(service: string, label: string): Breakpoint | undefined {
    return store.listBreakpoints().find((b) => b.filePath === "" && b.service === service && b.label === label);
  }

  function mustGet(id: string): Breakpoint {
    const breakpoint = store.getBreakpoint(id);
    if (breakpoint === undefined) throw new AppError(404, "breakpoint_not_found", `no breakpoint ${id}`);
    return breakpoint;
  }

  /**
   * The breakpoint a capture is for: by its id, else by its location. An SDK registers a location
   * once per run, so one this server does not know (it restarted without --db) is made again from the
   * capture, under the SDK's id and enabled, as the SDK holds it; its next check-in then finds it. A
   * breakpoint deleted on the page stays deleted: its late captures are refused.
   */
  function findCaptureTarget(request: CaptureRequest): Breakpoint {
    const id = request.breakpointId;
    let breakpoint = id === null ? undefined : store.getBreakpoint(id);
    breakpoint ??= store.findBreakpoint(locationKey(request));
    if (breakpoint === undefined) {
      if (id !== null && deletedIds.has(id)) {
        throw new AppError(404, "breakpoint_not_found", `breakpoint ${id} was deleted; nothing was stored`);
      }
      breakpoint = saveAutoBreakpoint(request, id ?? crypto.randomUUID(), true, true);
      deps.onEvent?.({ type: "remade", breakpoint });
    }
    if (breakpoint.service !== request.service) {
      throw new AppError(
        400,
        "invalid_snapshot",
        `breakpoint ${breakpoint.id} belongs to service "${breakpoint.service}", not "${request.service}"`,
      );
    }
    return breakpoint;
  }

  /** A breakpoint an SDK's request makes at its location: registered (off until enabled) or remade from a capture. */
  function saveAutoBreakpoint(location: AutoRegisterRequest, id: string, enabled: boolean, heard: boolean): Breakpoint {
    assertRoom();
    const t = now();
    const breakpoint: Breakpoint = {
      id,
      service: location.service,
      filePath: location.filePath,
      lineNumber: location.lineNumber,
      functionName: location.functionName,
      label: location.label,
      condition: "",
      maxCaptures: 0,
      captureCount: 0,
      expireAt: null,
      enabled,
      origin: "auto",
      createdAt: t,
      updatedAt: t,
      lastCapturedAt: null,
      // Made from the SDK's own request: it holds the breakpoint as this is when it keeps the answer,
      // or when it captured there.
      heardAt: heard ? t : null,
      calledFrom: null,
    };
    store.saveBreakpoint(breakpoint);
    changed(breakpoint, "breakpoint_created");
    return breakpoint;
  }

  /** Keeps a capture, or throws a 4xx saying why it was not taken. */
  function takeCapture(request: CaptureRequest): Snapshot {
    if (store.killSwitch()) {
      throw new AppError(409, "kill_switch_on", "the kill switch is on: captures are refused and nothing was stored");
    }
    let breakpoint = findCaptureTarget(request);
    const t = now();
    // Made on the page by its label and taken by an SDK that knew the label already (it heard of
    // the breakpoint at a check-in): placed where the capture says, as a registration would.
    if (breakpoint.filePath === "" && store.findBreakpoint(locationKey(request)) === undefined) {
      const { filePath, functionName, lineNumber } = request;
      breakpoint = { ...breakpoint, filePath, functionName, lineNumber, updatedAt: t };
      store.saveBreakpoint(breakpoint);
      deps.onEvent?.({ type: "placed", breakpoint });
    }
    const refusal = breakpointRefusal(breakpoint, t);
    if (refusal !== null) {
      throw new AppError(409, `breakpoint_${refusal}`, `breakpoint ${breakpoint.id} is ${refusal}; nothing was stored`);
    }
    const { breakpointId: _, capturedAt, securityFlags, ...rest } = request;
    const calledFrom = callerOf(request.stackTrace, request);
    const snapshot: Snapshot = {
      ...rest,
      id: crypto.randomUUID(),
      breakpointId: breakpoint.id,
      capturedAt: captureTime(capturedAt, t),
      receivedAt: t,
      securityFlags,
      securityFlagCount: securityFlags.length,
      calledFrom,
    };
    const counted: Breakpoint = {
      ...breakpoint,
      captureCount: breakpoint.captureCount + 1,
      lastCapturedAt: t,
      calledFrom: calledFrom ?? breakpoint.calledFrom ?? null,
    };
    store.insertSnapshot(snapshot, counted);
    hub.publishItems<SnapshotSummaryJson>("snapshots", [snapshotSummaryToJson(snapshot)], (snapshots) => ({
      type: "snapshots",
      snapshots,
    }));
    // The SDK reads capture_count to stop at max_captures.
    changed(counted, "breakpoint_updated", false);
    deps.onEvent?.({ type: "captured", breakpoint: counted, traceId: snapshot.traceId });
    return snapshot;
  }

  // With --db: the services' last captures and check-ins, and the pauses saved before a restart, then those told of
  // by SDK events stored before pauses were saved (oldest first here).
  for (const { service, at } of store.listLastCaptures().sort((a, b) => a.at - b.at)) lastCaptures.set(service, at);
  forgetOldestCaptures();
  for (const { service, at } of store.listCheckIns().sort((a, b) => a.at - b.at)) checkIns.set(service, at);
  forgetOldestCheckIns();
  for (const { service, pause } of store.listSdkPauses().sort((a, b) => a.pause.since - b.pause.since)) {
    pauses.set(service, pause);
  }
  for (const event of store.listSdkEvents(SDK_EVENTS_READ_AT_START).reverse()) {
    const pause = pauseOfEvent(event, event.receivedAt);
    if (pause !== null) rememberPause(event.service, pause);
  }
  // Clients that connect get the breakpoints a --db file brought back; expiries keep their schedule.
  if (store.stats().breakpoints > 0 || store.killSwitch()) publishState();
  scheduleExpiry();

  const codeMonitoring: CodeMonitoring = {
    sdkBreakpoint: toSdk,
    sdkView(service) {
      const breakpoints = store.listBreakpoints().filter((b) => b.service === service);
      return { breakpoints: breakpoints.map(toSdk), killSwitch: store.killSwitch() };
    },

    // An SDK that keeps the breakpoint this answers as its own (the Node SDK caches it, enabled or
    // not) knows of it without a check-in: the answer is heard (heardAt). One that keeps only the id
    // (the Python SDK) hears of the breakpoint as it is only at its next poll.
    autoRegister(request, answerKept = false) {
      const known = store.findBreakpoint(locationKey(request));
      if (known !== undefined) {
        const t = now();
        if (known.lineNumber === request.lineNumber) {
          if (!answerKept) return { breakpoint: known, created: false };
          // Answered as it is now: heard, also when its last change was stamped a moment ahead (changeTime).
          const heard = { ...known, heardAt: Math.max(t, known.updatedAt) };
          try {
            store.saveBreakpoint(heard);
          } catch {
            // The answer stands; the page reads the breakpoint as awaiting the SDK's next check-in.
            return { breakpoint: known, created: false };
          }
          publishState();
          return { breakpoint: heard, created: false };
        }
        const movedAt = breakpointChangeTime(known);
        const moved = {
          ...known,
          lineNumber: request.lineNumber,
          updatedAt: movedAt,
          heardAt: answerKept ? movedAt : known.heardAt,
        };
        store.saveBreakpoint(moved);
        changed(moved, "breakpoint_updated");
        return { breakpoint: moved, created: false };
      }
      // A breakpoint made on the page by its label takes the place of the SDK's first call with it,
      // keeping its settings: the SDK holds what this answers (enabled, say) and captures at once.
      const waiting = request.label === "" ? undefined : unplacedBreakpoint(request.service, request.label);
      if (waiting !== undefined) {
        const { filePath, functionName, lineNumber } = request;
        const t = breakpointChangeTime(waiting);
        const heardAt = answerKept ? t : waiting.heardAt;
        const placed: Breakpoint = { ...waiting, filePath, functionName, lineNumber, updatedAt: t, heardAt };
        store.saveBreakpoint(placed);
        changed(placed, "breakpoint_updated");
        deps.onEvent?.({ type: "placed", breakpoint: placed });
        return { breakpoint: placed, created: false };
      }
      const breakpoint = saveAutoBreakpoint(request, crypto.randomUUID(), false, answerKept);
      deps.onEvent?.({ type: "registered", breakpoint });
      return { breakpoint, created: true };
    },

    capture(request) {
      try {
        const snapshot = takeCapture(request);
        captureArrived(request.service, snapshot.receivedAt);
        return snapshot;
      } catch (error) {
        if (error instanceof AppError && error.status < 500) captureArrived(request.service, now());
        throw error;
      }
    },

    captureRefused(service, label, refusal) {
      const key = `${service}\u0000${label ?? ""}`;
      const t = now();
      const last = lastRefusals.get(key);
      if (last !== undefined && t - last < REFUSAL_EVENT_MS && t >= last) return;
      lastRefusals.delete(key);
      lastRefusals.set(key, t);
      if (lastRefusals.size > MAX_CHECK_IN_SERVICES) lastRefusals.delete(lastRefusals.keys().next().value as string);
      codeMonitoring.reportEvents(service, [
        {
          type: "capture_refused",
          data: { label, status: refusal.status, code: refusal.code, message: refusal.message },
        },
      ]);
    },

    reportEvents(service, events) {
      const t = now();
      const stored: SdkEvent[] = events.map((e) => ({
        id: crypto.randomUUID(),
        service,
        type: e.type,
        receivedAt: t,
        data: e.data,
      }));
      store.insertSdkEvents(stored);
      let paused = false;
      for (const event of events) {
        const reported = pauseOfEvent(event, t);
        const pause = reported === null ? null : rememberPause(service, reported);
        if (pause === null) continue;
        paused = true;
        // The terminal hears of a pause that is new and still running (one a capture ended is none).
        if (pause.until > t) deps.onEvent?.({ type: "sdk-paused", service, pause });
      }
      // Its enabled breakpoints read "SDK paused" from now on.
      if (paused) publishState();
      hub.publishItems(
        "sdk-events",
        stored.map(sdkEventToJson),
        (list) => ({ type: "sdk-events", events: list }) as LiveMessage,
      );
    },

    sdkCheckedIn(service) {
      const before = checkIns.get(service);
      const t = now();
      checkIns.delete(service);
      checkIns.set(service, t);
      // Saved so that after a restart an edit made since still reads as unheard (memory follows even
      // when the file cannot be written: the poll is answered all the same).
      try {
        store.saveCheckIn(service, t);
      } catch {
        // Kept in memory only: after a restart, this service reads as last checking in before it.
      }
      forgetOldestCheckIns();
      // Only a check-in the page may be waiting for is published (the service's first, the first since
      // the kill switch changed, the first since one of its breakpoints was edited); the others ride
      // with the next change.
      const killSwitchChangedAt = store.killSwitchChangedAt();
      const awaited =
        before === undefined ||
        (killSwitchChangedAt !== null && before <= killSwitchChangedAt) ||
        store.listBreakpoints().some((b) => b.service === service && b.updatedAt > before);
      if (awaited) publishState();
    },

    state,

    createBreakpoint(input) {
      if (input.filePath === "") {
        // By its label alone: the SDK's first capture call with it takes it, so one label, one breakpoint.
        const same = store.listBreakpoints().find((b) => b.service === input.service && b.label === input.label);
        if (same !== undefined) {
          throw new AppError(
            409,
            "breakpoint_exists",
            `${input.service} already has a breakpoint labelled "${input.label}" (${same.id}); enable or edit that one`,
          );
        }
      }
      const t = changeTime(input.service);
      const breakpoint: Breakpoint = {
        id: crypto.randomUUID(),
        ...input,
        captureCount: 0,
        origin: "manual",
        createdAt: t,
        updatedAt: t,
        lastCapturedAt: null,
        heardAt: null,
        calledFrom: null,
      };
      assertFreeLocation(breakpoint);
      assertRoom();
      store.saveBreakpoint(breakpoint);
      changed(breakpoint, "breakpoint_created");
      return breakpoint;
    },

    updateBreakpoint(id, patch) {
      const before = mustGet(id);
      // Both SDKs find a breakpoint they registered by `function:label`, the label being the one in
      // their capture call: under another label it would read as enabled here and never capture
      // again, and the SDK's next start would register the old label as a new breakpoint.
      if (before.origin === "auto" && patch.label !== undefined && patch.label !== before.label) {
        throw new AppError(
          409,
          "label_from_code",
          `breakpoint ${id} has the label its SDK registered, "${before.label}", which the SDK finds it by; ` +
            "change the label in the code's capture call instead",
        );
      }
      const updatedAt = breakpointChangeTime(before);
      const updated: Breakpoint = { ...before, ...patch, updatedAt };
      assertFreeLocation(updated);
      store.saveBreakpoint(updated);
      changed(updated, "breakpoint_updated");
      if (updated.enabled !== before.enabled) deps.onEvent?.({ type: "switched", breakpoint: updated });
      return updated;
    },

    deleteBreakpoint(id) {
      const breakpoint = mustGet(id);
      store.deleteBreakpoint(id);
      deletedIds.add(id);
      if (deletedIds.size > DELETED_IDS_KEPT) deletedIds.delete(deletedIds.values().next().value as string);
      // One an SDK registered comes back when its app restarts, and so does one made on the page that a
      // capture call took (that call registers its label again); one no capture call reached never does.
      if (breakpoint.origin === "auto" || breakpoint.lastCapturedAt !== null || breakpoint.heardAt !== null) {
        deletedFrom.delete(breakpoint.service);
        deletedFrom.add(breakpoint.service);
        if (deletedFrom.size > DELETED_IDS_KEPT) deletedFrom.delete(deletedFrom.values().next().value as string);
      }
      streams.broadcast(breakpoint.service, "breakpoint_deleted", JSON.stringify({ id }));
      publishState();
      scheduleExpiry();
    },

    setKillSwitch(enabled) {
      const changes = store.killSwitch() !== enabled;
      // Kept with the switch, so a restart still tells since when captures are off.
      store.setKillSwitch(enabled, changes ? killSwitchChangeTime() : undefined);
      if (changes) deps.onEvent?.({ type: "kill-switch", enabled });
      streams.broadcast(null, "kill_switch", JSON.stringify({ enabled }));
      publishState();
    },

    clearCaptured() {
      store.clearCaptured();
      // A fresh start: the breakpoints stay, their counts of captures start again (so one that had
      // reached its limit captures again), and their SDKs hear of it.
      for (const breakpoint of store.listBreakpoints()) {
        if (breakpoint.captureCount === 0 && breakpoint.lastCapturedAt === null) continue;
        const updatedAt = breakpointChangeTime(breakpoint);
        const reset: Breakpoint = { ...breakpoint, captureCount: 0, lastCapturedAt: null, updatedAt };
        store.saveBreakpoint(reset);
        changed(reset, "breakpoint_updated", false);
      }
    },

    sdkConnectionsChanged: publishState,

    close() {
      if (expiryTimer !== null) clearTimeout(expiryTimer);
      expiryTimer = null;
    },
  };
  return codeMonitoring;
}
