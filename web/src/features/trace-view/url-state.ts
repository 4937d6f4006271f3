/** The trace page's bits of URL state: `?span=<spanId>` and where Escape should lead. */

export function readSpanParam(): string | null {
  const value = new URLSearchParams(location.search).get("span");
  return value ? value.toLowerCase() : null;
}

/** Replaces (never pushes) the entry, so Back still leads to the page before the trace. */
export function writeSpanParam(spanId: string | null): void {
  const url = new URL(location.href);
  if (spanId === null) url.searchParams.delete("span");
  else url.searchParams.set("span", spanId);
  const next = `${url.pathname}${url.search}${url.hash}`;
  if (next !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, "", next);
}

interface NavigationEntryLike {
  url: string | null;
  index: number;
}
interface NavigationLike {
  currentEntry: NavigationEntryLike | null;
  entries(): NavigationEntryLike[];
}

/**
 * Whether the history entry before this one is the trace list of this app, so `history.back()`
 * returns to it with its filters. Uses the Navigation API where the browser has it; otherwise
 * trusts that the trace page was reached by an in-app link (`wasPush`).
 */
export function previousEntryIsList(wasPush: boolean): boolean {
  const navigation = (window as unknown as { navigation?: NavigationLike }).navigation;
  if (navigation?.currentEntry && typeof navigation.entries === "function") {
    const index = navigation.currentEntry.index;
    if (index <= 0) return false;
    const previous = navigation.entries()[index - 1];
    if (!previous?.url) return false;
    const url = new URL(previous.url);
    return url.origin === location.origin && url.pathname === "/";
  }
  return wasPush && history.length > 1;
}
