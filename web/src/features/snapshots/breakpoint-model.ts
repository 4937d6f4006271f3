/** The breakpoints panel's logic: grouping, counts, expiry and the edit form's parsing. Pure. */
import {
  type BreakpointState,
  type BreakpointStatus,
  breakpointStatus,
  checkInOverdueSince,
  type SdkContact,
  sdkSilentSince,
} from "../../../../src/domain/sdk-contact";
import { pauseCauseText, pauseEnd, pauseLeftText, type SdkPause } from "../../../../src/domain/sdk-pause";
import type { BreakpointJson } from "../../../../src/protocol";
import { formatClock, formatCount, formatRelative } from "../../lib/format";
import { placeOf } from "./code-place";

// The states themselves are the server's and MCP's too (domain/sdk-contact.ts); the page's wording is here.
export {
  awaitsCheckIn,
  type BreakpointState,
  type BreakpointStatus,
  breakpointAwaitsCheckIn,
  breakpointStatus,
  CHECK_IN_OVERDUE_MS,
  checkInOverdueSince,
  type SdkContact,
  sdkSilentSince,
} from "../../../../src/domain/sdk-contact";

export interface FileGroup {
  /** The file shown (see `placeOf`), or UNPLACED for breakpoints placed when they capture (their first, or next). */
  filePath: string;
  breakpoints: BreakpointJson[];
}

export interface ServiceGroup {
  service: string;
  files: FileGroup[];
  count: number;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const lineOf = (breakpoint: BreakpointJson) => placeOf(breakpoint)?.lineNumber ?? 0;

/** The heading of breakpoints whose line in the app is known only once they capture (`placeOf`). */
export const UNPLACED = "Placed when they capture";

/** Breakpoints by service, then by the file shown (both by name), then by line and label within a file. */
export function groupBreakpoints(breakpoints: readonly BreakpointJson[]): ServiceGroup[] {
  const services = new Map<string, Map<string, BreakpointJson[]>>();
  for (const breakpoint of breakpoints) {
    let files = services.get(breakpoint.service);
    if (!files) {
      files = new Map();
      services.set(breakpoint.service, files);
    }
    const file = placeOf(breakpoint)?.filePath ?? UNPLACED;
    const list = files.get(file);
    if (list) list.push(breakpoint);
    else files.set(file, [breakpoint]);
  }
  return [...services.keys()].sort(byText).map((service) => {
    const files = services.get(service) as Map<string, BreakpointJson[]>;
    const groups = [...files.keys()].sort(byText).map((filePath) => ({
      filePath,
      breakpoints: (files.get(filePath) as BreakpointJson[]).sort(
        (a, b) => lineOf(a) - lineOf(b) || byText(a.label, b.label) || byText(a.id, b.id),
      ),
    }));
    return { service, files: groups, count: groups.reduce((sum, group) => sum + group.breakpoints.length, 0) };
  });
}

/** A service's breakpoints, file after file. */
export function groupedBreakpoints(group: ServiceGroup): BreakpointJson[] {
  return group.files.flatMap((file) => file.breakpoints);
}

/**
 * How many breakpoints there are, how many of them capture when their code runs (`enabled`), and how
 * many are switched on but capture no more, as their rows say (expired, limit reached). The kill
 * switch and an SDK's pause are left out: the page says those once, for every breakpoint.
 */
export interface BreakpointCounts {
  total: number;
  enabled: number;
  expired: number;
  exhausted: number;
}

export function countBreakpoints(breakpoints: readonly BreakpointJson[], nowMs: number): BreakpointCounts {
  const counts: BreakpointCounts = { total: breakpoints.length, enabled: 0, expired: 0, exhausted: 0 };
  for (const breakpoint of breakpoints) {
    const state = breakpointState(breakpoint, nowMs, false);
    if (state === "expired") counts.expired++;
    else if (state === "exhausted") counts.exhausted++;
    else if (state !== "disabled") counts.enabled++;
  }
  return counts;
}

/** "7 breakpoints, 4 enabled, 2 expired, 1 limit reached": the page's and each service's heading. */
export function breakpointCountText(counts: BreakpointCounts): string {
  const parts = [
    `${formatCount(counts.total)} breakpoint${counts.total === 1 ? "" : "s"}`,
    `${formatCount(counts.enabled)} enabled`,
  ];
  if (counts.expired > 0) parts.push(`${formatCount(counts.expired)} ${STATE_TEXT.expired}`);
  if (counts.exhausted > 0) parts.push(`${formatCount(counts.exhausted)} ${STATE_TEXT.exhausted}`);
  return parts.join(", ");
}

/** "3 / 100", or "3 / ∞" when there is no limit. */
export function formatCaptures(breakpoint: Pick<BreakpointJson, "captureCount" | "maxCaptures">): string {
  const max = breakpoint.maxCaptures > 0 ? formatCount(breakpoint.maxCaptures) : "∞";
  return `${formatCount(breakpoint.captureCount)} / ${max}`;
}

/** "never", "in 45m", "in 2h", "expired 3m ago". */
export function formatExpiry(expireAt: string | null, nowMs: number): string {
  if (expireAt === null) return "never";
  const at = Date.parse(expireAt);
  if (!Number.isFinite(at)) return expireAt;
  if (at <= nowMs) return `expired ${formatRelative(at, nowMs)}`;
  return `in ${formatLeft(at - nowMs)}`;
}

function formatLeft(ms: number): string {
  // To the nearest minute: the page's clock ticks every few seconds, so an expiry picked as "in 15
  // minutes" is 15 min and a few seconds ahead of it, and rounding up read "in 16m".
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 || hours >= 10 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d`;
}

/** The badge's title for a paused breakpoint: why nothing is captured, and until when. */
export function pausedText(service: string, pause: SdkPause, nowMs: number): string {
  return (
    `${service}'s SDK paused capturing by itself ${pauseCauseText(pause)}. It captures again in ` +
    `${pauseLeftText(pause, nowMs)}, at ${formatClock(pauseEnd(pause)).slice(0, 8)}, or when ${service} restarts.`
  );
}

export function breakpointState(
  breakpoint: BreakpointJson,
  nowMs: number,
  killSwitch: boolean,
  contact?: SdkContact,
): BreakpointState {
  return breakpointStatus(breakpoint, nowMs, killSwitch, contact).state;
}

/**
 * Whether a service's heading says it waits for a check-in: only while one of its breakpoints is
 * "waiting" (breakpointState), so never while the kill switch is on (a Node SDK that heard it live
 * closes its stream at once, and nothing would capture anyway) nor for an expired or used-up one.
 */
export function serviceAwaitsCheckIn(
  group: ServiceGroup,
  nowMs: number,
  killSwitch: boolean,
  contact: SdkContact,
): boolean {
  return group.files.some((file) =>
    file.breakpoints.some((breakpoint) => breakpointState(breakpoint, nowMs, killSwitch, contact) === "waiting"),
  );
}

/**
 * Since when a service's heading has waited (serviceAwaitsCheckIn): the earliest last edit of its
 * waiting breakpoints, what an overdue check-in counts from when the service never checked in.
 */
export function serviceWaitingSince(
  group: ServiceGroup,
  nowMs: number,
  killSwitch: boolean,
  contact: SdkContact,
): string | undefined {
  let since: string | undefined;
  for (const file of group.files)
    for (const breakpoint of file.breakpoints)
      if (
        breakpointState(breakpoint, nowMs, killSwitch, contact) === "waiting" &&
        (since === undefined || breakpoint.updatedAt < since)
      )
        since = breakpoint.updatedAt;
  return since;
}

/** How long an SDK that is not listening live may take to ask again (Node's poll while the kill switch was on). */
export const CHECK_IN_TEXT = "within about 60 s";

/**
 * What a waiting row's badge title and its service's heading say in full: the wait, or, once the
 * check-in is overdue (`checkInOverdueSince`), when the service was last heard from.
 */
export function waitingText(service: string, contact?: SdkContact, nowMs?: number, waitingSince?: string): string {
  const overdue =
    contact === undefined || nowMs === undefined ? null : checkInOverdueSince(service, contact, nowMs, waitingSince);
  if (overdue === null) return `waiting for ${service}'s next check-in (${CHECK_IN_TEXT})`;
  const heard =
    contact?.lastCheckIns[service] === undefined
      ? `${service} has not checked in since tracekit-local started`
      : `${service} last checked in ${formatRelative(overdue, nowMs as number)}`;
  return `${heard}; it will pick this up when it runs again`;
}

/**
 * A row's badge: its state; for a paused one, how long the pause has left; for a waiting one whose
 * check-in is overdue, how long it has been.
 */
export function stateText(
  status: BreakpointStatus,
  service: string,
  contact: SdkContact,
  nowMs: number,
  waitingSince?: string,
): string {
  const { state } = status;
  if (state === "paused") return `SDK paused, ${pauseLeftText(status.pause, nowMs)} left`;
  if (state === "silent") {
    const silent = sdkSilentSince(service, contact, nowMs);
    return silent === null ? STATE_TEXT.capturing : `no check-in for ${ageOf(silent, nowMs)}`;
  }
  if (state !== "waiting") return STATE_TEXT[state];
  const overdue = checkInOverdueSince(service, contact, nowMs, waitingSince);
  if (overdue === null) return STATE_TEXT.waiting;
  return contact.lastCheckIns[service] === undefined ? "not checked in" : `no check-in for ${ageOf(overdue, nowMs)}`;
}

/** A silent row's badge title: why "capturing" is not said (sdkSilentSince). */
export function silentText(service: string, contact: SdkContact, nowMs: number): string {
  const silent = sdkSilentSince(service, contact, nowMs);
  const when = silent === null ? "" : ` ${formatRelative(silent, nowMs)}`;
  return (
    `Enabled, but no SDK of ${service} listens live and ${service} last checked in${when}: ` +
    `it has most likely stopped. It captures here again when it runs again.`
  );
}

/** "18m", "2h": how long ago, without "ago" (`formatRelative`). */
const ageOf = (epochMs: number, nowMs: number) => formatRelative(epochMs, nowMs).replace(/ ago$/, "");

export const STATE_TEXT: Record<BreakpointState, string> = {
  capturing: "capturing",
  waiting: "awaiting check-in",
  silent: "no check-in",
  paused: "SDK paused",
  unplaced: "at first call",
  disabled: "off",
  expired: "expired",
  exhausted: "limit reached",
  killed: "kill switch on",
};

/**
 * The question asked before a delete. It says what a running app does: a TraceKit SDK registers each
 * code location once per process run, so a breakpoint deleted while the app runs comes back only when
 * the app restarts. Disabling it stops captures and keeps it.
 */
export function deleteQuestion(
  breakpoint: Pick<
    BreakpointJson,
    "label" | "service" | "origin" | "enabled" | "filePath" | "lastCapturedAt" | "heardAt"
  >,
  where: string,
): string {
  const name = breakpoint.label === "" ? "the breakpoint" : `the breakpoint "${breakpoint.label}"`;
  // A capture call registers its label again when it first runs after the app restarts, whoever made
  // the breakpoint: one made on this page that a capture call took comes back too (switched off).
  const gone =
    breakpoint.origin === "auto"
      ? `It is gone while ${breakpoint.service} runs: the SDK registers each code location once per run, ` +
        `so it comes back (switched off) only when ${breakpoint.service} restarts, or when you make it again with New breakpoint and its label.`
      : breakpoint.lastCapturedAt === null && breakpoint.heardAt === null
        ? `No capture call has taken it: nothing registers it again, unless a capture call with its label runs after ${breakpoint.service} restarts.`
        : `It was made on this page; its capture call registers it again (switched off) when ${breakpoint.service} restarts.`;
  const keep = breakpoint.enabled
    ? "To stop captures and keep the breakpoint, Cancel and turn its switch off (Disable) instead."
    : "It is disabled already: it captures nothing, and Cancel keeps it that way.";
  // One made by its label that no capture call has taken yet is at no place.
  const at =
    breakpoint.filePath === "" ? ` of ${breakpoint.service} (no capture call has taken it yet)` : ` at ${where}`;
  return `Delete ${name}${at}?\n\n${gone}\n\n${keep}`;
}

/** Up to five service names as one phrase ("a, b and c (and 2 more)"). */
function serviceNames(services: readonly string[]): string {
  const shown = services.slice(0, 5);
  const names =
    shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1] as string}`;
  return `${names}${services.length > shown.length ? ` (and ${services.length - shown.length} more)` : ""}`;
}

/**
 * Why the page has no breakpoint though SDKs ask for them (`checkedIn`), or null when none asks and
 * none was deleted: breakpoints deleted here (`deletedFrom`: their apps register them again only
 * when restarted), or none registered with this run (without `--db` one an app registered with an
 * earlier run is gone; with it, none reached its capture call yet).
 */
export function unregisteredNote(
  checkedIn: readonly string[],
  contact: Pick<SdkContact, "deletedFrom" | "keptAcrossRestarts"> = {},
): string | null {
  const deleted = contact.deletedFrom ?? [];
  const others = checkedIn.filter((service) => !deleted.includes(service));
  if (deleted.length === 0 && others.length === 0) return null;
  const parts: string[] = [];
  if (deleted.length > 0) {
    parts.push(
      `Breakpoints that ${serviceNames(deleted)} registered were deleted. An SDK registers each capture location once per ` +
        `process: ${deleted.length === 1 ? "its app registers them" : "their apps register them"} again when restarted.`,
    );
  }
  if (others.length > 0) {
    const verb = others.length === 1 ? "asks" : "ask";
    parts.push(
      contact.keptAcrossRestarts === true
        ? `${serviceNames(others)} ${verb} for breakpoints, but none is kept here: an SDK registers a capture ` +
            "location the first time its code calls capture_snapshot / captureSnapshot there, once per process " +
            "(a location whose breakpoint was deleted is registered again only when the app restarts)."
        : `${serviceNames(others)} ${verb} for breakpoints, but none has registered one with this run of tracekit-local. ` +
            "An SDK registers each capture location once per process: an app that registered its locations with an " +
            "earlier run registers them again only when it restarts (start tracekit-local with --db to keep breakpoints " +
            "across its restarts).",
    );
  }
  parts.push(
    "Or make one with New breakpoint and the label the code passes: a Node SDK takes it at its next check-in.",
  );
  return parts.join(" ");
}

/** The expiry choices of the edit form, in minutes from now (null: never). */
export const EXPIRY_CHOICES: { label: string; minutes: number | null }[] = [
  { label: "never", minutes: null },
  { label: "in 15 minutes", minutes: 15 },
  { label: "in 1 hour", minutes: 60 },
  { label: "in 24 hours", minutes: 24 * 60 },
  { label: "in 7 days", minutes: 7 * 24 * 60 },
];

export function expiryFromChoice(minutes: number | null, nowMs: number): string | null {
  return minutes === null ? null : new Date(nowMs + minutes * 60_000).toISOString();
}

/**
 * The max-captures box: blank, "0" or "∞" → 0 (unlimited); a whole number ≥ 1 → itself; anything
 * else → null (the form says what it takes).
 */
export function parseMaxCaptures(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "∞") return 0;
  if (!/^\d{1,9}$/.test(trimmed)) return null;
  return Number(trimmed);
}

/** One row of the breakpoints panel: every kind has the same height, so the panel is a virtual list. */
export type PanelRow =
  | { kind: "service"; key: string; group: ServiceGroup }
  | { kind: "file"; key: string; filePath: string }
  | { kind: "breakpoint"; key: string; breakpoint: BreakpointJson }
  | { kind: "editor"; key: string; breakpoint: BreakpointJson };

/** The panel's rows: each service's heading, each file's heading, its breakpoints, and the open editor. */
export function panelRows(groups: readonly ServiceGroup[], editingId: string | null): PanelRow[] {
  const rows: PanelRow[] = [];
  for (const group of groups) {
    rows.push({ kind: "service", key: `service:${group.service}`, group });
    for (const file of group.files) {
      rows.push({ kind: "file", key: `file:${group.service}:${file.filePath}`, filePath: file.filePath });
      for (const breakpoint of file.breakpoints) {
        rows.push({ kind: "breakpoint", key: breakpoint.id, breakpoint });
        if (breakpoint.id === editingId) rows.push({ kind: "editor", key: `edit:${breakpoint.id}`, breakpoint });
      }
    }
  }
  return rows;
}
