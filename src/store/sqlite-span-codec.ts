import type { BytesPlace } from "../domain/bytes-places.js";
import { sharedList } from "../domain/shared-lists.js";
import {
  type Attributes,
  type AttrValue,
  SPAN_KINDS,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  STATUS_CODES,
  type StatusCode,
} from "../domain/span.js";
import { type ErrorOriginSpan, TraceAggregate, type TraceLlm } from "../domain/trace-summary.js";
import { attributesHaveBoxedNumber, encodeJson } from "./sqlite-json.js";
import type { TraceRow } from "./sqlite-schema.js";

/** How the SQLite span store turns spans and trace summaries into column values and back. */

const I64_MAX = 2n ** 63n - 1n;
const KIND_CODES = new Map<SpanKind, number>(SPAN_KINDS.map((kind, index) => [kind, index]));
export const STATUS_CODE_NUMBERS = new Map<StatusCode, number>(STATUS_CODES.map((code, index) => [code, index]));

/**
 * OTLP times are unsigned 64-bit; SQLite integers are signed. Values past 2^63 (year 2262, only
 * ever garbage) are stored wrapped to negative so they still round-trip exactly.
 */
export function toStoredNs(value: bigint): bigint {
  return value > I64_MAX ? BigInt.asIntN(64, value) : value;
}

export function fromStoredNs(value: bigint): bigint {
  return value < 0n ? BigInt.asUintN(64, value) : value;
}

interface StoredEvent {
  name: string;
  timeUnixNano: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
  /** SpanEvent.bytes; absent in rows from before it. */
  bytes?: BytesPlace[];
}

/** Read back with Object.assign onto the span: a member added here needs no change to the reader. */
interface SpanExtra {
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
  /**
   * Span.bytes; absent in rows from before it (links keep theirs in the stored link objects, the
   * scope in the `scopes` row's JSON). Rows from before bytes nested in lists and maps were named
   * hold keys only, which read the same.
   */
  bytes?: BytesPlace[];
  /** Span.resourceBytes (the `resources` table keeps a resource's attributes alone); absent in rows from before it. */
  resourceBytes?: BytesPlace[];
}

/**
 * Everything of a span that no query filters on, as one JSON array in the `body` column. One text
 * value per span rather than thirteen columns: binding a parameter costs ~0.15 µs in better-sqlite3,
 * which at 18 columns was a third of the time to insert a span.
 */
export type SpanBody = [
  spanId: string,
  parentSpanId: string | null,
  name: string,
  kind: number,
  statusMessage: string | null,
  flags: number | null,
  traceState: string | null,
  /** The values of the keys listed by shape `shapeId`, in order; a plain object when it has no shape. */
  attributes: AttrValue[] | Attributes,
  events: StoredEvent[] | null,
  links: readonly SpanLink[] | null,
  extra: SpanExtra | null,
  shapeId?: number,
];

function storedEvents(events: readonly SpanEvent[]): StoredEvent[] | null {
  if (events.length === 0) return null;
  return events.map((event): StoredEvent => {
    const out: StoredEvent = {
      name: event.name,
      timeUnixNano: event.timeUnixNano.toString(),
      attributes: event.attributes,
    };
    if (event.droppedAttributesCount !== undefined) out.droppedAttributesCount = event.droppedAttributesCount;
    if (event.bytes !== undefined) out.bytes = event.bytes;
    return out;
  });
}

export function eventsFromStored(stored: StoredEvent[] | null): SpanEvent[] {
  if (stored === null) return [];
  return stored.map((event) => {
    const out: SpanEvent = { name: event.name, timeUnixNano: BigInt(event.timeUnixNano), attributes: event.attributes };
    if (event.droppedAttributesCount !== undefined) out.droppedAttributesCount = event.droppedAttributesCount;
    if (event.bytes !== undefined) out.bytes = event.bytes;
    return out;
  });
}

function spanExtra(span: Span): SpanExtra | null {
  if (
    span.droppedAttributesCount === undefined &&
    span.droppedEventsCount === undefined &&
    span.droppedLinksCount === undefined &&
    span.bytes === undefined &&
    span.resourceBytes === undefined
  ) {
    return null;
  }
  const extra: SpanExtra = {};
  if (span.droppedAttributesCount !== undefined) extra.droppedAttributesCount = span.droppedAttributesCount;
  if (span.droppedEventsCount !== undefined) extra.droppedEventsCount = span.droppedEventsCount;
  if (span.droppedLinksCount !== undefined) extra.droppedLinksCount = span.droppedLinksCount;
  if (span.bytes !== undefined) extra.bytes = span.bytes;
  if (span.resourceBytes !== undefined) extra.resourceBytes = span.resourceBytes;
  return extra;
}

/** `shapeId` null: attributes stored as an object (no shape, or too many distinct shapes seen). */
export function encodeBody(span: Span, shapeId: number | null): string {
  let boxed = attributesHaveBoxedNumber(span.attributes);
  for (const event of span.events) if (!boxed && attributesHaveBoxedNumber(event.attributes)) boxed = true;
  for (const link of span.links) if (!boxed && attributesHaveBoxedNumber(link.attributes)) boxed = true;
  const body: SpanBody = [
    span.spanId,
    span.parentSpanId,
    span.name,
    KIND_CODES.get(span.kind) ?? 0,
    span.status.message ?? null,
    span.flags ?? null,
    span.traceState ?? null,
    shapeId === null ? span.attributes : Object.values(span.attributes),
    storedEvents(span.events),
    span.links.length === 0 ? null : span.links,
    spanExtra(span),
  ];
  if (shapeId !== null) body.push(shapeId);
  return encodeJson(body, boxed);
}

export function aggregateFromRow(row: TraceRow): TraceAggregate {
  const [
    ,
    traceId,
    startNs,
    endNs,
    spanCount,
    errorCount,
    rootName,
    rootService,
    firstName,
    firstService,
    services,
    errorMessage,
    llm,
    errorException,
    errorStartNs,
    errorSpanJson,
  ] = row;
  const aggregate = new TraceAggregate(traceId);
  aggregate.setTimes(fromStoredNs(startNs), fromStoredNs(endNs));
  aggregate.spanCount = Number(spanCount);
  aggregate.errorCount = Number(errorCount);
  aggregate.rootName = rootName;
  aggregate.rootService = rootService;
  aggregate.firstName = firstName;
  aggregate.firstService = firstService;
  aggregate.services = sharedList(JSON.parse(services) as string[]);
  let span: ErrorOriginSpan | null = null;
  if (errorSpanJson !== null) {
    const [spanId, parentSpanId, kind, service, endNs] = JSON.parse(errorSpanJson) as [
      string,
      string | null,
      string,
      string,
      string,
    ];
    span = { spanId, parentSpanId, kind, service, endTimeUnixNano: BigInt(endNs) };
  }
  aggregate.restoreError(
    errorMessage,
    errorException === null || errorStartNs === null
      ? null
      : { exception: errorException === 1n, start: fromStoredNs(errorStartNs), span },
  );
  aggregate.restoreLlm(llmFromStored(llm));
  return aggregate;
}

/**
 * A trace's LLM totals as the `traces.llm` column keeps them (see migration 6):
 * `[calls, inputTokens, outputTokens, [[model, calls, input, output, cachedInput, cacheWriteInput, noUsageCalls]…], noUsageCalls]`
 * (rows written before cache writes were counted have no 6th element in a model, those written
 * before calls without usage were counted no `noUsageCalls`: 0 is read for them; those written
 * before each model counted its calls without usage no 7th: see llmFromStored).
 */
export function llmToStored(llm: TraceLlm | null): string | null {
  if (llm === null) return null;
  const models = llm.models.map((m) => [
    m.model,
    m.calls,
    m.inputTokens,
    m.outputTokens,
    m.cachedInputTokens,
    m.cacheWriteInputTokens,
    m.noUsageCalls,
  ]);
  return JSON.stringify([llm.calls, llm.inputTokens, llm.outputTokens, models, llm.noUsageCalls]);
}

type StoredModel = [string, number, number, number, number, number?, number?];

function llmFromStored(text: string | null): TraceLlm | null {
  if (text === null) return null;
  const [calls, inputTokens, outputTokens, models, noUsageCalls] = JSON.parse(text) as [
    number,
    number,
    number,
    unknown,
    unknown,
  ];
  // A row written before the totals kept their models (a 5th element, the cost then) has no model to price.
  const stored = Array.isArray(models) ? (models as StoredModel[]) : [];
  // Before, a 5th element was the count of unpriced calls (models held the cost then).
  const noUsage = Array.isArray(models) && typeof noUsageCalls === "number" ? noUsageCalls : 0;
  // A row written before each model counted its calls without usage: a lone model's are the trace's;
  // among several they are unknown, and 0 (such a call may then be said both unpriced and without usage).
  const unknownNoUsage = stored.length === 1 ? noUsage : 0;
  return {
    calls,
    inputTokens,
    outputTokens,
    noUsageCalls: noUsage,
    models: stored.map(
      ([model, modelCalls, input, output, cachedInput, cacheWriteInput = 0, modelNoUsage = unknownNoUsage]) => ({
        model,
        calls: modelCalls,
        inputTokens: input,
        outputTokens: output,
        cachedInputTokens: cachedInput,
        cacheWriteInputTokens: cacheWriteInput,
        noUsageCalls: modelNoUsage,
      }),
    ),
  };
}
