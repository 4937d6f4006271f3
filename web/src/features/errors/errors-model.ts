/** What the Errors page draws, as pure functions of GET /api/errors's answer. */
import type { ErrorGroupJson } from "../../../../src/protocol";
import { clipText } from "../../lib/long-text";

/** The failing span of a trace, opened in the trace view. */
export function failingSpanLink(traceId: string, spanId: string): string {
  return `/traces/${traceId}?span=${spanId}`;
}

/** Where a group leads: its newest trace, on the span that failed. */
export function groupLink(group: ErrorGroupJson): string | null {
  const newest = group.latest[0];
  return newest === undefined ? null : failingSpanLink(newest.traceId, newest.spanId);
}

export interface SparkBar {
  x: number;
  y: number;
  width: number;
  height: number;
  count: number;
}

/**
 * One bar per bucket, scaled to the group's own busiest bucket (at least 1 px tall when it has
 * errors, so a lone error shows), in a `width` × `height` box.
 */
export function sparkBars(counts: readonly number[], width: number, height: number): SparkBar[] {
  const max = Math.max(1, ...counts);
  const step = counts.length === 0 ? 0 : width / counts.length;
  return counts.map((count, i) => {
    const h = count === 0 ? 0 : Math.max(1, (count / max) * height);
    return { x: i * step, y: height - h, width: Math.max(step - 1, 1), height: h, count };
  });
}

/** An error message's first line that says something, trimmed ("" when none does). */
export function messageLine(message: string): string {
  return (message.split("\n").find((l) => l.trim() !== "") ?? "").trim();
}

/**
 * The group's headline: the type, then its newest error's message as it was, on one line (the
 * pattern that grouped it replaces the variable parts, the very words that tell errors apart:
 * "HTTP <n>", `"type":"<value>"`). No message when it only repeats the type ("HTTP 500").
 * `pattern` is what grouped it, for the details and a tooltip.
 */
export function groupTitle(group: ErrorGroupJson): { type: string; message: string; pattern: string } {
  const line = messageLine(group.sample.message);
  const message = line || group.pattern;
  return {
    type: group.type,
    message: message.toLowerCase() === group.type.toLowerCase() ? "" : clipText(message),
    pattern: group.pattern || line,
  };
}

/** A grouping frame (`file:function`) as read: an anonymous function's frame is its file alone. */
export function frameText(frame: string): string {
  return frame.endsWith(":") ? `${frame.slice(0, -1)} (anonymous)` : frame;
}
