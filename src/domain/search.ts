import type { Attributes, AttrValue, Span, SpanEvent } from "./span.js";

/** Lower-cased text that free-text search (`q`) looks in: span name, status message, attribute values, event names and their attribute values. */
export function spanSearchText(span: Span): string {
  return searchTextOf(span.name, span.status.message, span.attributes, span.events);
}

/** `spanSearchText` from the fields it reads, for a store that keeps spans in another form. */
export function searchTextOf(
  name: string,
  statusMessage: string | undefined,
  attributes: Attributes,
  events: readonly SpanEvent[],
): string {
  const parts: string[] = [];
  forEachSearchPart(name, statusMessage, attributes, events, (part) => void parts.push(part));
  return parts.join("\n").toLowerCase();
}

/**
 * The pieces of a span's search text, before they are joined with "\n" and lower-cased: text
 * without a line break is in the search text exactly when it is in one piece, lower-cased (a line
 * break neither is nor extends a cased letter, so lower-casing the pieces one by one changes nothing).
 */
export function forEachSearchPart(
  name: string,
  statusMessage: string | null | undefined,
  attributes: Attributes,
  events: readonly SpanEvent[],
  visit: (part: string) => void,
): void {
  visit(name);
  if (statusMessage) visit(statusMessage);
  for (const value of Object.values(attributes)) visitValueText(value, visit, 0);
  for (const event of events) {
    visit(event.name);
    for (const value of Object.values(event.attributes)) visitValueText(value, visit, 0);
  }
}

function visitValueText(value: AttrValue, visit: (part: string) => void, depth: number): void {
  if (value === null || depth > 8) return;
  if (Array.isArray(value)) {
    for (const item of value) visitValueText(item, visit, depth + 1);
  } else if (typeof value === "object") {
    for (const item of Object.values(value)) visitValueText(item, visit, depth + 1);
  } else {
    visit(String(value));
  }
}
