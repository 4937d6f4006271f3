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

/**
 * A query (`""` or `"?a=1"`) with `name=value` added at its end, the value encoded; the query as it
 * is for a null value. The pages keep their selection this way when a filter pick makes a new address.
 */
export function withParam(search: string, name: string, value: string | null): string {
  if (value === null) return search;
  return `${search}${search === "" ? "?" : "&"}${name}=${encodeURIComponent(value)}`;
}
