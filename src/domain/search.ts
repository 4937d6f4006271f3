import type { AttrValue, Span } from "./span.js";

/** Lower-cased text that free-text search (`q`) looks in: span name, status message, attribute values, event names and their attribute values. */
export function spanSearchText(span: Span): string {
  const parts: string[] = [span.name];
  if (span.status.message) parts.push(span.status.message);
  for (const value of Object.values(span.attributes)) collectValueText(value, parts, 0);
  for (const event of span.events) {
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
