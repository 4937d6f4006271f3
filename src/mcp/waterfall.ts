/** A trace as a compact text waterfall: one indented line per span, parents before children. */
import type { TraceResponse } from "../protocol.js";
import { cut, formatMs, formatTime } from "./format.js";
import { errorText, keyAttributes } from "./span-text.js";
import { spanTree } from "./trace-analysis.js";

const NANOS_PER_MS = 1_000_000n;

/** The header and at most `maxSpans` span lines; a note says how many were left out and how to see them. */
export function traceWaterfall(trace: TraceResponse, maxSpans: number): string {
  const nodes = spanTree(trace.spans);
  if (nodes.length === 0) return `Trace ${trace.traceId} has no spans.`;
  let start = BigInt(nodes[0]!.span.startTimeUnixNano);
  let end = BigInt(nodes[0]!.span.endTimeUnixNano);
  for (const { span } of nodes) {
    const s = BigInt(span.startTimeUnixNano);
    const e = BigInt(span.endTimeUnixNano);
    if (s < start) start = s;
    if (e > end) end = e;
  }
  const services = [...new Set(nodes.map((node) => node.span.service))];
  const errors = nodes.filter((node) => node.span.status.code === "ERROR").length;
  const lines = [
    `Trace ${trace.traceId} "${cut(trace.name, 120)}"`,
    `started ${formatTime(String(start))}, took ${formatMs(Number(end - start) / 1e6)}, ${nodes.length} spans, ` +
      `${errors} failing, services: ${services.join(", ")}`,
    "Each line: name [service] duration @start offset, then ERROR and key attributes.",
  ];
  for (const node of nodes.slice(0, maxSpans)) {
    const { span } = node;
    const offset = Number((BigInt(span.startTimeUnixNano) - start) / NANOS_PER_MS);
    const parts = [`${"  ".repeat(Math.min(node.depth, 30))}${cut(span.name, 100)} [${span.service}]`];
    parts.push(`${formatMs(span.durationMs)} @+${formatMs(offset)}`);
    if (span.kind !== "INTERNAL" && span.kind !== "UNSPECIFIED") parts.push(span.kind.toLowerCase());
    if (span.status.code === "ERROR") parts.push(`ERROR ${errorText(span)}`);
    parts.push(...keyAttributes(span));
    if (node.orphan) parts.push(`(parent ${span.parentSpanId} not received)`);
    lines.push(parts.join("  "));
  }
  if (nodes.length > maxSpans) {
    lines.push(
      `[${nodes.length - maxSpans} more spans not shown; call get_trace with max_spans up to 1000 to see them]`,
    );
  }
  if (trace.snapshots !== undefined && trace.snapshots.length > 0) {
    lines.push(`${trace.snapshots.length} code-monitoring snapshot(s) captured in this trace.`);
  }
  return lines.join("\n");
}
