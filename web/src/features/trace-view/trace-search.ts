/**
 * Find-in-trace: which spans match a query, and where in a piece of text it matched.
 * Case-insensitive substring matching over span names (and waterfall labels), services, attribute values, events,
 * links (the trace and span they point at, their attributes), the status message and the resource's attribute
 * values (a host name, a pod). The lower-cased text of each span is built once, on the first query; a resource's
 * once per resource, as spans of one resource share its object.
 */

import { spanLabel } from "../../../../src/domain/span-label";
import type { Attributes, AttrValue, SpanJson } from "../../../../src/protocol";

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
  for (const link of span.links) {
    parts.push(link.traceId, link.spanId);
    for (const key in link.attributes) pushValue(parts, link.attributes[key]!);
  }
  return parts.join(SEPARATOR).toLowerCase();
}

/** A resource's attribute values as a search looks at them, joined and lower-cased. */
export function resourceSearchText(resource: Attributes): string {
  const parts: string[] = [];
  for (const key in resource) pushValue(parts, resource[key]!);
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
  const resourceTexts = new Map<Attributes, string>();
  let lastQuery = "";
  let lastResult: string[] = [];
  return {
    find(query) {
      const needle = normalizeQuery(query);
      if (needle === "") return [];
      if (needle === lastQuery) return lastResult;
      texts ??= spans.map(spanSearchText);
      // Whether each resource matches, asked once per resource object for this query.
      const resourceMatches = new Map<Attributes, boolean>();
      const inResource = (resource: Attributes) => {
        let match = resourceMatches.get(resource);
        if (match === undefined) {
          let text = resourceTexts.get(resource);
          if (text === undefined) {
            text = resourceSearchText(resource);
            resourceTexts.set(resource, text);
          }
          match = text.includes(needle);
          resourceMatches.set(resource, match);
        }
        return match;
      };
      const seen = new Set<string>();
      const result: string[] = [];
      for (let i = 0; i < spans.length; i++) {
        const span = spans[i]!;
        if (seen.has(span.spanId)) continue;
        if (texts[i]!.includes(needle) || span.spanId === needle || inResource(span.resource)) {
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
