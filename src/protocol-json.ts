import { type BytesPlace, bytesOnly } from "./domain/bytes-places.js";
import {
  type Breakpoint,
  type SdkEvent,
  type Snapshot,
  type SnapshotSummary,
  snapshotSummary,
} from "./domain/code-monitoring.js";
import { llmCostOf, traceLlmCost } from "./domain/llm-cost.js";
import { BUNDLED_PRICES, type PriceList } from "./domain/llm-prices.js";
import { type LogBytes, logBytes, type StoredLog } from "./domain/log.js";
import { type Attributes, type InstrumentationScope, SPAN_KINDS, type Span, STATUS_CODES } from "./domain/span.js";
import { durationMs } from "./domain/time.js";
import type { TraceLlm, TraceSummary } from "./domain/trace-summary.js";
import type {
  BreakpointJson,
  CompactSpanJson,
  CompactTraceResponse,
  LogRecordJson,
  ScopeJson,
  SdkEventJson,
  SharedTraceResponse,
  SnapshotJson,
  SnapshotSummaryJson,
  SpanEventJson,
  SpanJson,
  SpanLinkJson,
  TraceLlmJson,
  TraceSummaryJson,
} from "./protocol.js";

/** `prices`: the table the trace's GenAI calls are priced at (`--prices`), the bundled one by default. */
export function traceSummaryToJson(summary: TraceSummary, prices: PriceList = BUNDLED_PRICES): TraceSummaryJson {
  return {
    traceId: summary.traceId,
    name: summary.name,
    ...(summary.nameLength === undefined ? {} : { nameLength: summary.nameLength }),
    service: summary.service,
    startTimeUnixNano: summary.startTimeUnixNano.toString(),
    endTimeUnixNano: summary.endTimeUnixNano.toString(),
    durationMs: summary.durationMs,
    spanCount: summary.spanCount,
    errorCount: summary.errorCount,
    services: summary.services,
    hasRoot: summary.hasRoot,
    ...(summary.errorMessage === null ? {} : { errorMessage: summary.errorMessage }),
    ...(summary.llm === null ? {} : { llm: traceLlmToJson(summary.llm, prices) }),
  };
}

function traceLlmToJson(
  { calls, inputTokens, outputTokens, noUsageCalls, models }: TraceLlm,
  prices: PriceList,
): TraceLlmJson {
  const { usd, unpricedCalls, unpricedNoUsageCalls } = traceLlmCost(models, prices.table);
  const counts = { calls, inputTokens, outputTokens, unpricedCalls, noUsageCalls, unpricedNoUsageCalls };
  return usd === null ? counts : { ...counts, usd };
}

/** A span as the REST API sends it; a GenAI span that names its model gets its cost (bundled prices). */
/** `prices`: the table a GenAI span is priced at (`--prices`), the bundled one by default. */
export function spanToJson(span: Span, prices: PriceList = BUNDLED_PRICES): SpanJson {
  return spanJsonWith(span, prices, { resource: span.resource, scope: scopeJson(span.scope) });
}

/**
 * A trace's spans as GET /api/traces/:traceId?resources=shared sends them: each distinct resource and
 * scope once, spans naming theirs by index. The stores hand out spans that share resource and scope
 * objects (one per stored resource, or per OTLP request), so each object is written to text once, and
 * equal ones from different requests become one entry.
 */
export function spansToSharedJson(
  spans: readonly Span[],
  prices: PriceList = BUNDLED_PRICES,
): Pick<SharedTraceResponse, "resources" | "scopes" | "spans"> {
  const resources = new SharedList<Attributes>();
  const scopes = new SharedList<ScopeJson>();
  const json = spans.map((span) =>
    spanJsonWith(span, prices, {
      resourceIndex: resources.indexOf(span.resource),
      scopeIndex: scopes.indexOf(scopeJson(span.scope)),
    }),
  );
  return { resources: resources.items, scopes: scopes.items, spans: json };
}

/** Distinct values in the order first met: by identity first, then by their JSON text. */
class SharedList<T extends object> {
  readonly items: T[] = [];
  private readonly byObject = new Map<T, number>();
  private readonly byText = new Map<string, number>();

  indexOf(item: T): number {
    let index = this.byObject.get(item);
    if (index !== undefined) return index;
    const text = JSON.stringify(item);
    index = this.byText.get(text);
    if (index === undefined) {
      index = this.items.push(item) - 1;
      this.byText.set(text, index);
    }
    this.byObject.set(item, index);
    return index;
  }
}

/** A span's JSON with `place` (its resource and scope, or their indexes) after its links. */
function spanJsonWith<Place extends object>(
  span: Span,
  prices: PriceList,
  place: Place,
): Omit<SpanJson, "resource" | "scope"> & Place {
  const json: Omit<SpanJson, "resource" | "scope"> & Place = {
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
    events: eventsJson(span),
    links: linksJson(span),
    ...place,
  };
  addOptionalFields(json, span, prices);
  return json;
}

function eventsJson(span: Span): SpanEventJson[] {
  return span.events.map((event) => ({
    name: event.name,
    timeUnixNano: event.timeUnixNano.toString(),
    attributes: event.attributes,
    ...(event.droppedAttributesCount ? { droppedAttributesCount: event.droppedAttributesCount } : {}),
    ...placesJson(event.bytes),
  }));
}

function linksJson(span: Span): SpanLinkJson[] {
  return span.links.map((link) => ({
    traceId: link.traceId,
    spanId: link.spanId,
    attributes: link.attributes,
    ...(link.traceState ? { traceState: link.traceState } : {}),
    ...(link.flags ? { flags: link.flags } : {}),
    ...(link.droppedAttributesCount ? { droppedAttributesCount: link.droppedAttributesCount } : {}),
    ...placesJson(link.bytes),
  }));
}

/** The fields a span's JSON has only when the span has them, and a GenAI call's cost. */
function addOptionalFields(json: Partial<SpanJson>, span: Span, prices: PriceList): void {
  if (span.traceState) json.traceState = span.traceState;
  if (span.flags) json.flags = span.flags;
  if (span.droppedAttributesCount) json.droppedAttributesCount = span.droppedAttributesCount;
  if (span.droppedEventsCount) json.droppedEventsCount = span.droppedEventsCount;
  if (span.droppedLinksCount) json.droppedLinksCount = span.droppedLinksCount;
  const bytes = bytesOnly(span.bytes);
  if (bytes) json.bytes = bytes;
  const resourceBytes = bytesOnly(span.resourceBytes);
  if (resourceBytes) json.resourceBytes = resourceBytes;
  const cost = llmCostOf(span.attributes, prices.table, span.scope.name);
  if (cost !== null) {
    json.llmCost = { ...cost, pricesDate: prices.bundledDate };
    if (prices.file !== null && cost.priceKey !== null && prices.fileModels.includes(cost.priceKey)) {
      json.llmCost.pricesFile = prices.file;
    }
  }
}

const KIND_PLACES = new Map<string, number>(SPAN_KINDS.map((kind, index) => [kind, index]));
const STATUS_PLACES = new Map<string, number>(STATUS_CODES.map((code, index) => [code, index]));

/**
 * A trace's spans as GET /api/traces/:traceId?form=compact1 sends them (CompactTraceResponse): each
 * span an array, and what spans repeat (resources, scopes, names, services, the trace id, the high
 * digits of the times) once. `web/src/api/compact-trace.ts` makes the full form of it again.
 */
export function spansToCompactJson(
  traceId: string,
  spans: readonly Span[],
  prices: PriceList = BUNDLED_PRICES,
): Pick<CompactTraceResponse, "form" | "startTimeUnixNano" | "strings" | "resources" | "scopes" | "spans"> {
  const base = earliestStartOf(spans);
  const writer = createCompactSpanWriter(traceId, base, spanPlaces(spans.map((span) => span.spanId)), prices);
  const json = writer.spans(spans);
  return { ...writer.shared(), spans: json };
}

/** The earliest start of `spans` (0 for none): what a compact answer's span times count from. */
export function earliestStartOf(spans: readonly Span[]): bigint {
  let earliest = spans[0]?.startTimeUnixNano ?? 0n;
  for (const span of spans) if (span.startTimeUnixNano < earliest) earliest = span.startTimeUnixNano;
  return earliest;
}

/** Each span id's place in `spanIds` (the first, should two spans share an id): a compact span's parent. */
export function spanPlaces(spanIds: readonly string[]): Map<string, number> {
  const places = new Map<string, number>();
  for (let i = 0; i < spanIds.length; i++) {
    const spanId = spanIds[i] as string;
    if (!places.has(spanId)) places.set(spanId, i);
  }
  return places;
}

export interface CompactSpanWriter {
  /** The compact form of the next spans of the trace, in order. */
  spans(spans: readonly Span[]): CompactSpanJson[];
  /** What the spans written so far share: the answer's members other than `spans`. */
  shared(): Pick<CompactTraceResponse, "form" | "startTimeUnixNano" | "strings" | "resources" | "scopes">;
}

/**
 * Writes a trace's spans in the compact form a slice at a time, in order: `base` is the earliest
 * start of any of them and `places` each span id's place (spanPlaces). A large trace's answer is
 * written a few thousand spans at a time (compact-trace-answers.ts), so the objects each slice makes
 * die young instead of being copied to the old generation.
 */
export function createCompactSpanWriter(
  traceId: string,
  base: bigint,
  places: ReadonlyMap<string, number>,
  prices: PriceList = BUNDLED_PRICES,
): CompactSpanWriter {
  const resources = new SharedList<Attributes>();
  const scopes = new SharedList<ScopeJson>();
  const strings: string[] = [];
  const stringPlaces = new Map<string, number>();
  const stringPlace = (text: string) => {
    let place = stringPlaces.get(text);
    if (place === undefined) {
      place = strings.push(text) - 1;
      stringPlaces.set(text, place);
    }
    return place;
  };
  const compactSpan = (span: Span): CompactSpanJson => {
    const start = Number(span.startTimeUnixNano - base);
    const length = Number(span.endTimeUnixNano - span.startTimeUnixNano);
    const exact =
      Number.isSafeInteger(start) &&
      Number.isSafeInteger(length) &&
      Number.isSafeInteger(Number(span.endTimeUnixNano - base));
    const rest: Partial<SpanJson> = {};
    if (span.traceId !== traceId) rest.traceId = span.traceId;
    if (!exact) {
      rest.startTimeUnixNano = span.startTimeUnixNano.toString();
      rest.endTimeUnixNano = span.endTimeUnixNano.toString();
      rest.durationMs = durationMs(span.startTimeUnixNano, span.endTimeUnixNano);
    }
    if (Object.keys(span.status).length > 1) rest.status = span.status;
    if (span.events.length > 0) rest.events = eventsJson(span);
    if (span.links.length > 0) rest.links = linksJson(span);
    addOptionalFields(rest, span, prices);
    const parent = span.parentSpanId;
    const compact: CompactSpanJson = [
      span.spanId,
      parent === null ? null : (places.get(parent) ?? parent),
      stringPlace(span.name),
      KIND_PLACES.get(span.kind) ?? 0,
      stringPlace(span.service),
      exact ? start : null,
      exact ? length : null,
      STATUS_PLACES.get(span.status.code) ?? 0,
      span.attributes,
      resources.indexOf(span.resource),
      scopes.indexOf(scopeJson(span.scope)),
    ];
    for (const _ in rest) {
      compact.push(rest);
      break;
    }
    return compact;
  };
  return {
    spans: (spans) => spans.map(compactSpan),
    shared: () => ({
      form: "compact1",
      startTimeUnixNano: base.toString(),
      strings,
      resources: resources.items,
      scopes: scopes.items,
    }),
  };
}

function isoTime(ms: number): string;
function isoTime(ms: number | null): string | null;
function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function breakpointToJson(breakpoint: Breakpoint): BreakpointJson {
  return {
    id: breakpoint.id,
    service: breakpoint.service,
    filePath: breakpoint.filePath,
    functionName: breakpoint.functionName,
    label: breakpoint.label,
    lineNumber: breakpoint.lineNumber,
    condition: breakpoint.condition,
    maxCaptures: breakpoint.maxCaptures,
    captureCount: breakpoint.captureCount,
    expireAt: isoTime(breakpoint.expireAt),
    enabled: breakpoint.enabled,
    origin: breakpoint.origin,
    createdAt: isoTime(breakpoint.createdAt),
    updatedAt: isoTime(breakpoint.updatedAt),
    lastCapturedAt: isoTime(breakpoint.lastCapturedAt),
    heardAt: isoTime(breakpoint.heardAt ?? null),
    calledFrom: breakpoint.calledFrom ?? null,
  };
}

export function snapshotSummaryToJson(snapshot: SnapshotSummary): SnapshotSummaryJson {
  const { receivedAt: _, ...json } = snapshotSummary(snapshot as Snapshot);
  return json;
}

export function snapshotToJson(snapshot: Snapshot): SnapshotJson {
  return {
    ...snapshotSummaryToJson(snapshot),
    variables: snapshot.variables,
    securityFlags: snapshot.securityFlags,
    stackTrace: snapshot.stackTrace,
    requestContext: snapshot.requestContext,
  };
}

export function sdkEventToJson(event: SdkEvent): SdkEventJson {
  return {
    id: event.id,
    service: event.service,
    type: event.type,
    receivedAt: isoTime(event.receivedAt),
    data: event.data,
  };
}

/** A stored log record; its id is the number the store gave it on arrival. */
export function logToJson({ seq, record }: StoredLog): LogRecordJson {
  const json: LogRecordJson = {
    id: String(seq),
    timeUnixNano: record.timeUnixNano.toString(),
    observedTimeUnixNano: record.observedTimeUnixNano.toString(),
    severityNumber: record.severityNumber,
    severity: record.severity,
    severityText: record.severityText,
    body: record.body,
    attributes: record.attributes,
    traceId: record.traceId,
    spanId: record.spanId,
    service: record.service,
    resource: record.resource,
    scope: scopeJson(record.scope),
  };
  if (record.eventName !== undefined) json.eventName = record.eventName;
  if (record.flags !== undefined) json.flags = record.flags;
  if (record.droppedAttributesCount !== undefined) json.droppedAttributesCount = record.droppedAttributesCount;
  if (record.droppedBodyEntries !== undefined) json.droppedBodyEntries = record.droppedBodyEntries;
  const bytes = logBytesJson(record.bytes);
  if (bytes !== undefined) json.bytes = bytes;
  return json;
}

/**
 * The API names where values sent as bytes are, not the int64s kept as their digits that the same
 * places name (see BytesPlace): those read as the decimal strings they are.
 */
function placesJson(places: readonly BytesPlace[] | undefined): { bytes?: BytesPlace[] } {
  const bytes = bytesOnly(places);
  return bytes === undefined ? {} : { bytes };
}

/**
 * Scopes without their int64s' places, made once per scope: answers list each scope once (SharedList),
 * by identity before JSON text, so a scope shared by many spans gives them one object, not a new one
 * for each span to be written out as text.
 */
const scopesJson = new WeakMap<InstrumentationScope, InstrumentationScope>();

/** A scope without the places of its int64s kept as digits (the same object when it names none). */
function scopeJson(scope: InstrumentationScope): InstrumentationScope {
  const bytes = bytesOnly(scope.bytes);
  if (bytes === scope.bytes) return scope;
  let json = scopesJson.get(scope);
  if (json === undefined) {
    const { bytes: _all, ...rest } = scope;
    json = bytes === undefined ? rest : { ...rest, bytes };
    scopesJson.set(scope, json);
  }
  return json;
}

/** A log record's `bytes` without the places of int64s kept as digits (see placesJson). */
function logBytesJson(bytes: LogBytes | undefined): LogBytes | undefined {
  if (bytes === undefined) return undefined;
  const body = bytes.body === true ? true : bytesOnly(bytes.body);
  const attributes = bytesOnly(bytes.attributes);
  const resource = bytesOnly(bytes.resource);
  if (body === bytes.body && attributes === bytes.attributes && resource === bytes.resource) return bytes;
  return logBytes(body === true, attributes, body === true ? undefined : body, resource);
}
