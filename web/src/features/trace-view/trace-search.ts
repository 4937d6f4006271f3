/**
 * Find-in-trace: which spans match a query, and where in a piece of text it matched.
 * Case-insensitive substring matching over span names (and waterfall labels), services, attribute values, events and
 * the status message. The lower-cased text of each span is built once, on the first query.
 */

import { spanLabel } from "../../../../src/domain/span-label";
import type { AttrValue, SpanJson } from "../../../../src/protocol";

/** Field separator that no query can contain, so a match never spans two fields. */
const SEPARATOR = "\u0000";

function pushValue(parts: string[], value: AttrValue): void {
  if (value === null) return;
  parts.push(typeof value === "object" ? JSON.stringify(value) : String(value));
}

/** Everything of one span a search looks at, joined and lower-cased. */
export function spanSearchText(span: SpanJson): string {
  const parts: string[] = [span.name, span.service];
  const label = spanLabel(span);
  if (label !== span.name) parts.push(label); // what the row shows ("GET /orders/:id") is findable as shown
  if (span.status.message) parts.push(span.status.message);
  for (const key in span.attributes) pushValue(parts, span.attributes[key]!);
  for (const event of span.events) {
    parts.push(event.name);
    for (const key in event.attributes) pushValue(parts, event.attributes[key]!);
  }
  return parts.join(SEPARATOR).toLowerCase();
}

export function normalizeQuery(query: string): string {
  return query.trim().toLowerCase().replaceAll(SEPARATOR, "");
}

export interface TraceSearch {
  /** Ids of the matching spans in the order the spans were given (tree order), without repeats. */
  find(query: string): string[];
}

/** A searcher over spans given in tree order; it remembers the last answer, so re-asking is free. */
export function createTraceSearch(spans: readonly SpanJson[]): TraceSearch {
  let texts: string[] | null = null;
  let lastQuery = "";
  let lastResult: string[] = [];
  return {
    find(query) {
      const needle = normalizeQuery(query);
      if (needle === "") return [];
      if (needle === lastQuery) return lastResult;
      texts ??= spans.map(spanSearchText);
      const seen = new Set<string>();
      const result: string[] = [];
      for (let i = 0; i < spans.length; i++) {
        const span = spans[i]!;
        if (seen.has(span.spanId)) continue;
        if (texts[i]!.includes(needle) || span.spanId === needle) {
          seen.add(span.spanId);
          result.push(span.spanId);
        }
      }
      lastQuery = needle;
      lastResult = result;
      return result;
    },
  };
}

export interface TextSegment {
  text: string;
  match: boolean;
}

/** Splits `text` around every case-insensitive occurrence of `query`, for <mark> rendering. */
export function highlightSegments(text: string, query: string): TextSegment[] {
  const needle = normalizeQuery(query);
  if (needle === "" || text === "") return [{ text, match: false }];
  const haystack = text.toLowerCase();
  // toLowerCase can change the length of a few characters (İ); then positions would not line up.
  if (haystack.length !== text.length) return [{ text, match: haystack.includes(needle) }];
  const segments: TextSegment[] = [];
  let from = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, from)) {
    if (at > from) segments.push({ text: text.slice(from, at), match: false });
    segments.push({ text: text.slice(at, at + needle.length), match: true });
    from = at + needle.length;
  }
  if (from < text.length) segments.push({ text: text.slice(from), match: false });
  return segments.length > 0 ? segments : [{ text, match: false }];
}

/**
 * The match to go to from the current position: the next (or previous) one in tree order,
 * wrapping around. `position` is the tree index of the current selection; `indexOf` maps a
 * match id to its tree index. Returns an index into `matches`, or -1 when there is none.
 */
export function stepMatch(
  matches: readonly string[],
  current: number,
  direction: 1 | -1,
  position?: { selectedIndex: number; indexOf(id: string): number },
): number {
  if (matches.length === 0) return -1;
  if (current >= 0 && current < matches.length) {
    return (current + direction + matches.length) % matches.length;
  }
  if (position) {
    // No current match: start from the selected row, so "next" means below what you look at.
    if (direction === 1) {
      const after = matches.findIndex((id) => position.indexOf(id) >= position.selectedIndex);
      return after === -1 ? 0 : after;
    }
    for (let i = matches.length - 1; i >= 0; i--) {
      if (position.indexOf(matches[i]!) <= position.selectedIndex) return i;
    }
  }
  return direction === 1 ? 0 : matches.length - 1;
}
