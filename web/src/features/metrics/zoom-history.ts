/**
 * The history of zooms on the Metrics chart: each zoom is an entry of its own, pushed with the page's
 * address before it in its history state, so a double-click can step back out of it (as Back does)
 * after a reload, or after Back and Forward, too. A step that keeps the range (a line hidden in the
 * legend, another statistic) carries the marks onto its entry: the page there is still zoomed.
 */
import { entriesBehind } from "../../lib/history-entries";

/** The history state key of an entry a zoom pushed: the address the page had before it. */
const ZOOMED_FROM = "metricsZoomedFrom";
/** The addresses before the zooms that led to that one, oldest first (a zoom within a zoom). */
const ZOOMED_EARLIER = "metricsZoomedEarlier";
/** Set on an entry that carries a zoom's marks without being the zoom's own entry. */
const CARRIED = "metricsZoomCarried";

/** The zoom the current entry shows: the addresses before each zoom, nearest last; and whether a later step carried them here. */
export interface ZoomMarks {
  before: readonly string[];
  carried: boolean;
}

/** The marks of the current entry; null when no zoom led to it (a shared link). */
export function zoomMarks(): ZoomMarks | null {
  const state: unknown = history.state;
  if (typeof state !== "object" || state === null) return null;
  const record = state as Record<string, unknown>;
  const nearest = record[ZOOMED_FROM];
  if (typeof nearest !== "string") return null;
  const earlier = Array.isArray(record[ZOOMED_EARLIER])
    ? (record[ZOOMED_EARLIER] as unknown[]).filter((href): href is string => typeof href === "string")
    : [];
  return { before: [...earlier, nearest], carried: record[CARRIED] === true };
}

/**
 * Marks the entry just pushed or replaced with the addresses before the zooms it shows (nearest last):
 * a zoom's own entry, or (`carried`) one a step that kept the range made.
 */
export function markZoomStep(before: readonly string[], carried = false): void {
  const nearest = before.at(-1);
  if (nearest === undefined) return;
  const state: Record<string, unknown> = { [ZOOMED_FROM]: nearest };
  if (before.length > 1) state[ZOOMED_EARLIER] = before.slice(0, -1);
  if (carried) state[CARRIED] = true;
  history.replaceState(state, "", `${location.pathname}${location.search}${location.hash}`);
}

/**
 * Whether the entry before the current one is `before` (the page before the zoom), so Back returns to
 * it. Without the Navigation API, the zoom's entry is trusted to follow the one it was pushed from.
 */
export function previousEntryIs(before: string): boolean {
  const behind = entriesBehind(1);
  if (behind === null) return true;
  const entry = behind[0];
  return entry != null && `${entry.pathname}${entry.search}` === before;
}
