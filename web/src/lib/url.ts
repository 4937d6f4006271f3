/**
 * Sets (or, with null, removes) one query parameter of the current history entry without adding an
 * entry, so Back still leads where it did. The router is not told: it is page state, not a route.
 */
export function replaceSearchParam(name: string, value: string | null): void {
  const url = new URL(location.href);
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  const next = `${url.pathname}${url.search}${url.hash}`;
  if (next !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, "", next);
}

/** The query part of a router URL ("/logs?service=a" → "?service=a"; "" when there is none). */
export function searchOf(url: string): string {
  const at = url.indexOf("?");
  return at === -1 ? "" : url.slice(at);
}
