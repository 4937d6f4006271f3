/**
 * One span as get_span tells it: what it is and did (kind, status, times, attributes, events, links,
 * resource, scope), then its place in the trace's waterfall (the spans above it, it, the spans below
 * it), then the log records emitted in it.
 */

import { count, plural } from "../domain/count-text.js";
import { formatDuration } from "../domain/duration-text.js";
import { spanLabel } from "../domain/span-label.js";
import { isUnsetTime } from "../domain/time.js";
import type { LogRecordJson, SnapshotSummaryJson, SpanContextResponse, SpanJson } from "../protocol.js";
import { cut, formatTime, MAX_ANSWER_CHARS } from "./format.js";
import { attributeLines, logLine } from "./log-text.js";
import { errorText } from "./span-text.js";
import type { SpanNode } from "./trace-analysis.js";
import { msAfter, spanLine } from "./waterfall.js";

/** The most spans below the span its waterfall lists; the rest are counted. */
export const MAX_SPANS_BELOW = 30;
/** The most spans above it its waterfall lists (the nearest ones); the rest are counted. */
export const MAX_SPANS_ABOVE = 20;
/** The most events and links an answer lists. */
const MAX_EVENTS = 20;
/** The log records of the span an answer lists. */
export const MAX_SPAN_LOGS = 10;

/** The most characters the span's attributes, events, links and resource take: a third of an answer. */
const DETAIL_CHARS = Math.floor(MAX_ANSWER_CHARS / 3);

/** The logs emitted in the span: the first of them, oldest first, and whether more follow. */
export interface SpanLogs {
  logs: readonly LogRecordJson[];
  more: boolean;
}

/** "+12ms" after `from`, "-3ms" before it (an event timed before its span's start). */
function offsetText(unixNano: string, from: bigint): string {
  const ms = msAfter(unixNano, from);
  return ms < 0 ? `-${formatDuration(-ms)}` : `+${formatDuration(ms)}`;
}

function statusText(span: SpanJson): string {
  if (span.status.code === "ERROR") return `ERROR ${errorText(span)}`;
  const message = span.status.message ? ` (${cut(span.status.message, 200)})` : "";
  return `status ${span.status.code}${message}`;
}

/** The header's line on the span's parent (the nearest span above it, when it is there). */
function parentText(context: SpanContextResponse): string {
  const { span } = context;
  if (span.parentSpanId === null) return "parent: none (a root span)";
  const parent = context.above.at(-1);
  return parent === undefined || parent.spanId !== span.parentSpanId
    ? `parent: ${span.parentSpanId} (not received)`
    : `parent: ${parent.spanId} "${cut(spanLabel(parent), 100)}" [${cut(parent.service, 60)}]`;
}

/** The span's waterfall lines: the spans above it, it (marked), and the spans below it, each side capped. */
function around(context: SpanContextResponse): string[] {
  const start = BigInt(context.traceStartUnixNano);
  const { depth } = context;
  const node = (span: SpanJson, at: number): SpanNode => ({
    span,
    depth: at,
    orphan: at === 0 && span.parentSpanId !== null,
  });
  const lines: string[] = [];
  if (context.above.length < depth) lines.push(`[${plural(depth - context.above.length, "span")} above not shown]`);
  context.above.forEach((span, i) => {
    lines.push(spanLine(node(span, depth - context.above.length + i), start));
  });
  lines.push(`${spanLine(node(context.span, depth), start)}  <-- this span`);
  for (const below of context.below) lines.push(spanLine(node(below.span, depth + below.depth), start));
  if (context.belowCount > context.below.length) {
    lines.push(
      `[${plural(context.belowCount - context.below.length, "more span")} below it not shown; get_trace lists them all]`,
    );
  }
  const siblings = context.siblingCount;
  if (siblings > 0)
    lines.push(`[its parent has ${count(siblings)} other child span${siblings === 1 ? "" : "s"}, not shown here]`);
  return lines;
}

/**
 * The span's attributes, events, links, resource and scope, as lines. Each value is cut at 1,000
 * characters (a stack trace too, on one line), and the section at DETAIL_CHARS (see withinBudget).
 */
function spanFacts(span: SpanJson): string[] {
  const lines: string[] = [];
  const attributes = Object.keys(span.attributes).length;
  lines.push(attributes === 0 ? "attributes: none" : `attributes (${count(attributes)}):`);
  lines.push(...attributeLines(span.attributes, span.bytes));
  if (span.droppedAttributesCount) lines.push(`  (${count(span.droppedAttributesCount)} more dropped by the sender)`);
  if (span.events.length > 0) {
    lines.push(`events (${count(span.events.length)}):`);
    for (const event of span.events.slice(0, MAX_EVENTS)) {
      lines.push(`  ${offsetText(event.timeUnixNano, BigInt(span.startTimeUnixNano))} ${cut(event.name, 100)}`);
      lines.push(...attributeLines(event.attributes, event.bytes).map((line) => `  ${line}`));
    }
    if (span.events.length > MAX_EVENTS) lines.push(`  [${plural(span.events.length - MAX_EVENTS, "more event")}]`);
  }
  if (span.links.length > 0) {
    lines.push(`links (${count(span.links.length)}):`);
    for (const link of span.links.slice(0, MAX_EVENTS)) lines.push(`  trace=${link.traceId} span=${link.spanId}`);
    if (span.links.length > MAX_EVENTS) lines.push(`  [${plural(span.links.length - MAX_EVENTS, "more link")}]`);
  }
  lines.push("resource:", ...attributeLines(span.resource, span.resourceBytes));
  lines.push(`scope: ${span.scope.name || "(none)"}${span.scope.version ? ` ${span.scope.version}` : ""}`);
  return lines;
}

/** Whole lines of `lines` up to `budget` characters, then a note of what was left out. */
function withinBudget(lines: readonly string[], budget: number): string[] {
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    used += lines[i]!.length + 1;
    if (used > budget && i > 0) {
      const left = lines.slice(i).reduce((sum, line) => sum + line.length + 1, 0);
      return [
        ...lines.slice(0, i),
        `[${count(lines.length - i)} more lines of its attributes, events, links and resource not shown ` +
          `(${count(left)} characters): cut to leave room for its waterfall and logs]`,
      ];
    }
  }
  return [...lines];
}

/** The code-monitoring snapshots an answer names: those of the span, oldest first (a few per span at most). */
export const MAX_SPAN_SNAPSHOTS = 10;

/**
 * get_span's answer: the span of `context` whole, its place in its trace's waterfall, its logs, and the
 * code-monitoring snapshots captured in it (as get_trace names a trace's), oldest first. `allSnapshots`
 * false: the trace's oldest snapshots were not read (see spanSnapshots), so the span may have more.
 */
export function spanDetail(
  context: SpanContextResponse,
  logs: SpanLogs,
  snapshots: readonly SnapshotSummaryJson[] = [],
  allSnapshots = true,
): string {
  const { span, traceId } = context;
  const traceStart = BigInt(context.traceStartUnixNano);
  const lines = [
    `Span ${span.spanId} "${cut(spanLabel(span), 120)}" [${cut(span.service, 60)}] in trace ${traceId} "${cut(context.traceName, 120)}"`,
    isUnsetTime(span.startTimeUnixNano)
      ? `${span.kind.toLowerCase()}, ${statusText(span)}, no start time (unset, 0: it places nothing in time)`
      : `${span.kind.toLowerCase()}, ${statusText(span)}, took ${formatDuration(span.durationMs)}, started ` +
        `${formatTime(span.startTimeUnixNano)} (${offsetText(span.startTimeUnixNano, traceStart)} into the trace)`,
    parentText(context),
  ];
  lines.push(...withinBudget(spanFacts(span), DETAIL_CHARS));
  const spans = context.spanCount;
  lines.push(
    "",
    `In the trace's waterfall (${count(spans)} span${spans === 1 ? "" : "s"}; get_trace trace_id="${traceId}" shows ${spans === 1 ? "it" : "them all"}):`,
    ...around(context),
  );
  if (logs.logs.length === 0) {
    lines.push("", "No log records name this span.");
  } else {
    const more = logs.more ? `; the first ${count(logs.logs.length)}` : "";
    lines.push("", `Log records emitted in this span, oldest first${more}:`, ...logs.logs.map(logLine));
    if (logs.more) lines.push(`[more records: get_logs with trace_id="${traceId}" lists the trace's]`);
  }
  const unread = `the trace's oldest snapshots were not read: list_snapshots with trace_id="${traceId}" pages through them`;
  if (snapshots.length === 0 && !allSnapshots) {
    lines.push("", `No code-monitoring snapshot of this span among the trace's newest; ${unread}.`);
  } else if (snapshots.length > 0) {
    const shown = snapshots.slice(0, MAX_SPAN_SNAPSHOTS);
    const found = plural(snapshots.length, "code-monitoring snapshot");
    lines.push(
      "",
      allSnapshots
        ? `${found} captured in this span (get_snapshot shows one's variables):`
        : `At least ${found} captured in this span, oldest read first (${unread}; get_snapshot shows one's variables):`,
      ...shown.map((s) => `  ${s.id} "${cut(s.label, 60)}" captured ${s.capturedAt}`),
    );
    if (snapshots.length > shown.length)
      lines.push(`  [${count(snapshots.length - shown.length)} more: list_snapshots with trace_id="${traceId}"]`);
  }
  return lines.join("\n");
}
