/** A trace as a compact text waterfall: one indented line per span, parents before children. */

import { count, plural } from "../domain/count-text.js";
import { formatDuration } from "../domain/duration-text.js";
import { spanLabel } from "../domain/span-label.js";
import { isUnsetTime, UNSET_TIME } from "../domain/time.js";
import type { TraceResponse } from "../protocol.js";
import { cut, formatTime, MAX_ANSWER_CHARS } from "./format.js";
import { errorText, keyAttributes } from "./span-text.js";
import { type SpanNode, spanTree } from "./trace-analysis.js";

const NANOS_PER_MS = 1_000_000n;

/** The most spans one get_trace answer lists. */
export const MAX_SPANS = 1000;

/**
 * Room for the span lines in one answer: what the header and the notes leave of MAX_ANSWER_CHARS. Past
 * it the answer would be cut mid-tree, losing the note that says how to see the rest.
 */
const SPAN_LINES_CHARS = MAX_ANSWER_CHARS - 1000;

/**
 * The earliest start and the latest end of the trace's spans that have a start (nanoseconds), as the
 * trace list and page reckon them: a span whose start is unset (0) places nothing in time. Null when
 * no span has a start.
 */
export function traceBounds(nodes: readonly SpanNode[]): { start: bigint; end: bigint } | null {
  let bounds: { start: bigint; end: bigint } | null = null;
  for (const { span } of nodes) {
    const s = BigInt(span.startTimeUnixNano);
    if (s === UNSET_TIME) continue;
    const e = BigInt(span.endTimeUnixNano);
    if (bounds === null) bounds = { start: s, end: e };
    if (s < bounds.start) bounds.start = s;
    if (e > bounds.end) bounds.end = e;
  }
  return bounds;
}

/** Whole milliseconds from `from` to `unixNano` (negative when it is earlier). */
export function msAfter(unixNano: string, from: bigint): number {
  return Number((BigInt(unixNano) - from) / NANOS_PER_MS);
}

/** A span's waterfall line, indented by its depth: name (spanLabel: a bare HTTP method with its route or target) [service] duration @+offset from `traceStart`, kind, ERROR, key attributes. */
export function spanLine(node: SpanNode, traceStart: bigint): string {
  const { span } = node;
  const parts = [`${"  ".repeat(Math.min(node.depth, 30))}${cut(spanLabel(span), 100)} [${cut(span.service, 60)}]`];
  if (isUnsetTime(span.startTimeUnixNano)) parts.push("no start time");
  else {
    const offset = msAfter(span.startTimeUnixNano, traceStart);
    parts.push(`${formatDuration(span.durationMs)} @+${formatDuration(offset)}`);
  }
  if (span.kind !== "INTERNAL" && span.kind !== "UNSPECIFIED") parts.push(span.kind.toLowerCase());
  if (span.status.code === "ERROR") parts.push(`ERROR ${errorText(span)}`);
  parts.push(...keyAttributes(span));
  if (node.orphan) parts.push(`(parent ${span.parentSpanId} not received)`);
  return parts.join("  ");
}

/**
 * The header and at most `maxSpans` span lines after the first `skip` (in tree order), no more than
 * fit in one answer; a note says how many were left out and how to see them.
 */
export function traceWaterfall(trace: TraceResponse, maxSpans: number, skip = 0, maxChars = SPAN_LINES_CHARS): string {
  const nodes = spanTree(trace.spans);
  if (nodes.length === 0) return `Trace ${trace.traceId} has no spans.`;
  const bounds = traceBounds(nodes);
  const start = bounds?.start ?? UNSET_TIME;
  const services = [...new Set(nodes.map((node) => node.span.service))];
  const errors = nodes.filter((node) => node.span.status.code === "ERROR").length;
  const when =
    bounds === null
      ? "no span has a start time"
      : `started ${formatTime(String(bounds.start))}, took ${formatDuration(Number(bounds.end - bounds.start) / 1e6)}`;
  const lines = [
    `Trace ${trace.traceId} "${cut(trace.name, 120)}"`,
    `${when}, ${count(nodes.length)} spans, ${count(errors)} failing, services: ${cut(services.join(", "), 300)}`,
    "Each line: name [service] duration @start offset, then ERROR and key attributes.",
  ];
  if (skip >= nodes.length) {
    lines.push(`[skip=${skip} passes every span: the trace has ${count(nodes.length)}]`);
    return lines.join("\n");
  }
  if (skip > 0) lines.push(skip === 1 ? "[the first span skipped]" : `[the first ${count(skip)} spans skipped]`);
  let used = 0;
  let shown = 0;
  for (const node of nodes.slice(skip, skip + maxSpans)) {
    const line = spanLine(node, start);
    // The first line always: an answer must move on.
    if (shown > 0 && used + line.length + 1 > maxChars) break;
    used += line.length + 1;
    shown++;
    lines.push(line);
  }
  const left = nodes.length - skip - shown;
  if (left > 0) {
    const full = shown < maxSpans ? " (the answer is full)" : "";
    const more = shown < maxSpans || maxSpans >= MAX_SPANS ? "" : ` (or a higher max_spans, up to ${MAX_SPANS})`;
    lines.push(
      `[${plural(left, "more span")} not shown${full}; call get_trace with skip=${skip + shown}${more} to see them]`,
    );
  }
  if (trace.snapshots !== undefined && trace.snapshots.length > 0) {
    const snapshots = trace.snapshots.length;
    lines.push(
      `${count(snapshots)} code-monitoring snapshot${snapshots === 1 ? "" : "s"} captured in this trace (get_snapshot shows one's variables):`,
    );
    for (const snapshot of trace.snapshots.slice(0, 20)) {
      const span = snapshot.spanId === null ? "" : ` at span ${snapshot.spanId}`;
      lines.push(`  ${snapshot.id} "${cut(snapshot.label, 60)}" [${snapshot.service}]${span}`);
    }
    if (snapshots > 20)
      lines.push(`  [${count(snapshots - 20)} more: list_snapshots with trace_id="${trace.traceId}"]`);
  }
  return lines.join("\n");
}
