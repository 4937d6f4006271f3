/**
 * What a list row says of when its trace started. "ago" times read best alone but say nothing
 * during a burst, when every row is "2m ago": then (mode "auto") rows that share their neighbour's
 * "ago" show the clock time instead.
 */
import { formatClock, formatRelative } from "./format";

export type StartMode = "auto" | "relative" | "clock";

export const START_MODES: readonly StartMode[] = ["auto", "clock", "relative"];

export function startLabel(
  mode: StartMode,
  startMs: number,
  nowMs: number,
  neighbourStartsMs: readonly number[],
): string {
  if (mode === "clock") return formatClock(startMs);
  const relative = formatRelative(startMs, nowMs);
  if (mode === "relative") return relative;
  return neighbourStartsMs.some((ms) => formatRelative(ms, nowMs) === relative) ? formatClock(startMs) : relative;
}

const STORAGE_KEY = "tracekit-local.start-mode";

export function readStartMode(): StartMode {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return saved === "clock" || saved === "relative" ? saved : "auto";
  } catch {
    return "auto";
  }
}

export function saveStartMode(mode: StartMode): void {
  try {
    localStorage.setItem(STORAGE_KEY, mode);
  } catch {
    // Storage blocked: the choice holds for this page only.
  }
}
