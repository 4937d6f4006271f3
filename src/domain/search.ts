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
  const parts: string[] = [name];
  if (statusMessage) parts.push(statusMessage);
  for (const value of Object.values(attributes)) collectValueText(value, parts, 0);
  for (const event of events) {
    parts.push(event.name);
    for (const value of Object.values(event.attributes)) collectValueText(value, parts, 0);
  }
  return parts.join("\n").toLowerCase();
}

function collectValueText(value: AttrValue, parts: string[], depth: number): void {
  if (value === null || depth > 8) return;
  if (Array.isArray(value)) {
    for (const item of value) collectValueText(item, parts, depth + 1);
  } else if (typeof value === "object") {
    for (const item of Object.values(value)) collectValueText(item, parts, depth + 1);
  } else {
    parts.push(String(value));
  }
}
