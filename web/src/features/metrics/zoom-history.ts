/**
 * The history of zooms on the Metrics chart: each zoom is an entry of its own, pushed with the page's
 * address before it in its history state, so a double-click can step back out of it (as Back does)
 * after a reload, or after Back and Forward, too.
 */
import { entriesBehind } from "../../lib/history-entries";

/** The history state key of an entry a zoom pushed: the address the page had before it. */
const ZOOMED_FROM = "metricsZoomedFrom";

/** The address before the zoom that pushed the current entry; null when no zoom pushed it (a shared link). */
export function zoomedFrom(): string | null {
  const state: unknown = history.state;
  if (typeof state !== "object" || state === null) return null;
  const before = (state as Record<string, unknown>)[ZOOMED_FROM];
  return typeof before === "string" ? before : null;
}

/** Marks the entry just pushed for a zoom with the address the page had before it. */
export function markZoomStep(before: string): void {
  history.replaceState({ [ZOOMED_FROM]: before }, "", `${location.pathname}${location.search}${location.hash}`);
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
