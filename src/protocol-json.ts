import type { Span } from "./domain/span.js";
import { durationMs } from "./domain/time.js";
import type { TraceSummary } from "./domain/trace-summary.js";
import type { SpanJson, TraceSummaryJson } from "./protocol.js";

export function traceSummaryToJson(summary: TraceSummary): TraceSummaryJson {
  return {
    traceId: summary.traceId,
    name: summary.name,
    service: summary.service,
    startTimeUnixNano: summary.startTimeUnixNano.toString(),
    endTimeUnixNano: summary.endTimeUnixNano.toString(),
    durationMs: summary.durationMs,
    spanCount: summary.spanCount,
    errorCount: summary.errorCount,
    services: summary.services,
    hasRoot: summary.hasRoot,
  };
}

export function spanToJson(span: Span): SpanJson {
  const json: SpanJson = {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    service: span.service,
    startTimeUnixNano: span.startTimeUnixNano.toString(),
    endTimeUnixNano: span.endTimeUnixNano.toString(),
    durationMs: durationMs(span.startTimeUnixNano, span.endTimeUnixNano),
    status: span.status,
    attributes: span.attributes,
    events: span.events.map((event) => ({
      name: event.name,
      timeUnixNano: event.timeUnixNano.toString(),
      attributes: event.attributes,
      ...(event.droppedAttributesCount ? { droppedAttributesCount: event.droppedAttributesCount } : {}),
    })),
    links: span.links.map((link) => ({
      traceId: link.traceId,
      spanId: link.spanId,
      attributes: link.attributes,
      ...(link.traceState ? { traceState: link.traceState } : {}),
      ...(link.droppedAttributesCount ? { droppedAttributesCount: link.droppedAttributesCount } : {}),
    })),
    resource: span.resource,
    scope: span.scope,
  };
  if (span.traceState) json.traceState = span.traceState;
  if (span.flags) json.flags = span.flags;
  if (span.droppedAttributesCount) json.droppedAttributesCount = span.droppedAttributesCount;
  if (span.droppedEventsCount) json.droppedEventsCount = span.droppedEventsCount;
  if (span.droppedLinksCount) json.droppedLinksCount = span.droppedLinksCount;
  return json;
}
