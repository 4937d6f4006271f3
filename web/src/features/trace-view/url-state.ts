/** The trace page's bits of URL state: `?span=<spanId>` and where Escape should lead. */
import { replaceSearchParam } from "../../lib/url";

export function readSpanParam(): string | null {
  const value = new URLSearchParams(location.search).get("span");
  return value ? value.toLowerCase() : null;
}

/** Replaces (never pushes) the entry, so Back still leads to the page before the trace. */
export function writeSpanParam(spanId: string | null): void {
  replaceSearchParam("span", spanId);
}

/** `?highlight=critical|self`: what the waterfall highlights, so a shared link shows the same. */
export function readHighlightParam(): "critical" | "self" | null {
  const value = new URLSearchParams(location.search).get("highlight");
  return value === "critical" || value === "self" ? value : null;
}

export function writeHighlightParam(highlight: "critical" | "self" | null): void {
  replaceSearchParam("highlight", highlight);
}

interface NavigationEntryLike {
  url: string | null;
  index: number;
}
interface NavigationLike {
  currentEntry: NavigationEntryLike | null;
  entries(): NavigationEntryLike[];
}

/** How far back through other trace pages history may go to find the list. */
const MAX_STEPS_BACK = 20;

/**
 * How many history entries back the page the trace was opened from is (the trace list, Logs, Errors,
 * the LLM page, the map…), so `history.go(-n)` returns to it with its filters; 0 when it is not there. Only other
 * trace pages may lie in between (a double push, or links followed from trace to trace). Uses the Navigation API where the browser has it; otherwise
 * trusts that the trace page was reached by an in-app link (`wasPush`) and goes one step back.
 */
export function stepsBackToList(wasPush: boolean): number {
  const navigation = (window as unknown as { navigation?: NavigationLike }).navigation;
  if (!navigation?.currentEntry || typeof navigation.entries !== "function") {
    return wasPush && history.length > 1 ? 1 : 0;
  }
  const entries = navigation.entries();
  const current = navigation.currentEntry.index;
  for (let steps = 1; steps <= Math.min(current, MAX_STEPS_BACK); steps++) {
    const url = entries[current - steps]?.url;
    if (!url) return 0;
    const { origin, pathname } = new URL(url);
    if (origin !== location.origin) return 0;
    // The page the trace was opened from: the list, Logs, Errors, the LLM page, the map…
    if (!pathname.startsWith("/traces/")) return steps;
  }
  return 0;
}
