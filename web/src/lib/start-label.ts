/**
 * What a list row says of when its trace started: one presentation for the whole column, the clock
 * time (stable while read, and apart even in a burst; with the date before it for another day)
 * unless "ago" times were chosen. Never a mix: a column where some rows read "26s ago" and others
 * "20:16:47.541" cannot be scanned.
 */
import {
  clockSkewHint,
  formatAbsolute,
  formatRelative,
  formatStamp,
  formatTimeZone,
  type StampDate,
  stampColumnDate,
} from "./format";

export type StartMode = "clock" | "relative";

export const START_MODES: readonly StartMode[] = ["clock", "relative"];

/** What the column says of a trace with no start (every span's start unset, 0), and its tooltip. */
export const NO_START_LABEL = "–";
export const NO_START_TITLE = "No span of this trace has a start time (each one's is unset, 0)";

export function startLabel(mode: StartMode, startMs: number, nowMs: number): string {
  return mode === "clock" ? formatStamp(startMs, nowMs) : formatRelative(startMs, nowMs);
}

/**
 * How much date the column's widest label carries ("none", "day", "year"), so the column is as wide
 * as it: relative times never carry one.
 */
export function startColumnDate(mode: StartMode, startsMs: Iterable<number>, nowMs: number): StampDate {
  return mode === "relative" ? "none" : stampColumnDate(startsMs, nowMs);
}

/** The row's tooltip, whichever way the column reads: "2026-12-04 20:16:47.541 UTC+1 · 26s ago". */
export function startTitle(startMs: number, nowMs: number): string {
  const skew = clockSkewHint(startMs, nowMs);
  return `${formatAbsolute(startMs)} ${formatTimeZone(startMs)} · ${formatRelative(startMs, nowMs)}${skew ? ` (${skew})` : ""}`;
}

const STORAGE_KEY = "tracekit-local.start-mode";

/** The saved choice; clock times otherwise (also for "auto", saved by versions that mixed the two). */
export function readStartMode(): StartMode {
  try {
    return localStorage.getItem(STORAGE_KEY) === "relative" ? "relative" : "clock";
  } catch {
    return "clock";
  }
}

export function saveStartMode(mode: StartMode): void {
  try {
    localStorage.setItem(STORAGE_KEY, mode);
  } catch {
    // Storage blocked: the choice holds for this page only.
  }
}
