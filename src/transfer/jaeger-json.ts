/**
 * Jaeger's JSON (what its UI's "Trace JSON" and its query API `GET /api/traces/<id>` answer, and what the
 * UI's upload takes: `{"data": [{"traceID", "spans", "processes"}]}`, or one such trace alone) as an
 * OTLP/JSON ExportTraceServiceRequest, so that traces saved from Jaeger import like any OTLP file.
 *
 * Jaeger keeps what OTLP has fields for as tags; they are read back into those fields: `span.kind`,
 * `otel.status_code` / `otel.status_description` (or `error=true`), `otel.scope.name` / `.version`
 * (`otel.library.*` before), `w3c.tracestate`; a value of `span.kind` or `otel.status_code` that names
 * no kind or status stays an attribute. A span's logs are its events (named by their `event` field), its
 * first CHILD_OF reference in its own trace its parent (else its first FOLLOWS_FROM there, as Jaeger
 * reads it), and its other references its links, each with its type as `opentracing.ref_type`
 * (`child_of`, `follows_from`). Jaeger's `warnings` on a span are its attribute `jaeger.warnings`.
 * Integers of any size keep all their digits.
 */

import { afterWhiteSpace } from "../otlp/files.js";
import { parseOtlpJson } from "../otlp/json/parse.js";

type JsonObject = Record<string, unknown>;

interface JaegerKeyValue {
  key?: unknown;
  type?: unknown;
  value?: unknown;
}

const KINDS: Record<string, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const STATUS_CODES: Record<string, number> = { UNSET: 0, OK: 1, ERROR: 2 };
const REF_TYPES: Record<string, string> = { CHILD_OF: "child_of", FOLLOWS_FROM: "follows_from" };
/** Tags read into a span's own fields, so not kept as attributes (`span.kind` and `otel.status_code` when read). */
const SPAN_FIELD_TAGS = new Set([
  "otel.status_description",
  "otel.scope.name",
  "otel.scope.version",
  "otel.library.name",
  "otel.library.version",
  "w3c.tracestate",
  "internal.span.format",
]);

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A trace of Jaeger's JSON: its spans and the processes (services) they name. */
function isJaegerTrace(value: unknown): value is JsonObject {
  return isObject(value) && Array.isArray(value.spans) && isObject(value.processes);
}

/** Whether a parsed JSON document is Jaeger's: `{"data": [trace…]}` with at least one trace, or one trace. */
export function isJaegerDocument(value: unknown): boolean {
  if (isJaegerTrace(value)) return true;
  return isObject(value) && Array.isArray(value.data) && value.data.length > 0 && value.data.every(isJaegerTrace);
}

/** Whether a JSON text may be Jaeger's, from its first key: read whole only then. */
export function mayBeJaegerText(start: string): boolean {
  return /^\uFEFF?\s*\{\s*"(data|traceID|spans|processes)"/.test(start);
}

function hexId(value: unknown, digits: number): string {
  return typeof value === "string" ? value.toLowerCase().padStart(digits, "0") : "";
}

function anyValue(tag: JaegerKeyValue): JsonObject {
  const { type, value } = tag;
  if (type === "bool" || typeof value === "boolean") return { boolValue: value === true || value === "true" };
  if (type === "int64") return { intValue: String(value) };
  if (type === "float64" || typeof value === "number") return { doubleValue: value };
  if (type === "binary") return { bytesValue: String(value) };
  return { stringValue: typeof value === "string" ? value : JSON.stringify(value ?? null) };
}

function keyValues(tags: unknown, skip: (key: string) => boolean = () => false): JsonObject[] {
  if (!Array.isArray(tags)) return [];
  const out: JsonObject[] = [];
  for (const tag of tags as JaegerKeyValue[]) {
    if (!isObject(tag) || typeof tag.key !== "string" || skip(tag.key)) continue;
    out.push({ key: tag.key, value: anyValue(tag) });
  }
  return out;
}

/** A tag's value as text, or undefined when the span has no such tag. */
function tagText(tags: unknown, key: string): string | undefined {
  if (!Array.isArray(tags)) return undefined;
  const tag = (tags as JaegerKeyValue[]).find((t) => isObject(t) && t.key === key);
  return tag === undefined ? undefined : String(tag.value);
}

/** Microseconds (Jaeger's times) as nanoseconds in decimal. */
function nanos(micros: unknown): bigint {
  if (typeof micros === "string" && /^-?\d+$/.test(micros)) return BigInt(micros) * 1000n;
  const n = typeof micros === "string" ? Number(micros) : micros;
  return typeof n === "number" && Number.isFinite(n) ? BigInt(Math.round(n)) * 1000n : 0n;
}

function otlpSpan(span: JsonObject, traceId: string): JsonObject {
  const tags = span.tags;
  const start = nanos(span.startTime);
  const statusText = tagText(tags, "otel.status_code");
  const statusCode = statusText === undefined ? undefined : STATUS_CODES[statusText.toUpperCase()];
  const code = statusCode ?? (tagText(tags, "error") === "true" ? 2 : undefined);
  const status: JsonObject = {};
  if (code !== undefined) status.code = code;
  const message = tagText(tags, "otel.status_description");
  if (message !== undefined) status.message = message;
  const references = Array.isArray(span.references) ? (span.references as JsonObject[]).filter(isObject) : [];
  const inTrace = (type: string) => (ref: JsonObject) => ref.refType === type && hexId(ref.traceID, 32) === traceId;
  const parent = references.find(inTrace("CHILD_OF")) ?? references.find(inTrace("FOLLOWS_FROM"));
  const links = references
    .filter((ref) => ref !== parent)
    .map((ref) => {
      const refType = typeof ref.refType === "string" ? REF_TYPES[ref.refType] : undefined;
      const attributes =
        refType === undefined ? [] : [{ key: "opentracing.ref_type", value: { stringValue: refType } }];
      return { traceId: hexId(ref.traceID, 32), spanId: hexId(ref.spanID, 16), attributes };
    });
  const events = (Array.isArray(span.logs) ? (span.logs as JsonObject[]) : []).filter(isObject).map((log) => {
    const name = tagText(log.fields, "event");
    return {
      timeUnixNano: nanos(log.timestamp).toString(),
      name: name ?? "log",
      attributes: keyValues(log.fields, (key) => key === "event" && name !== undefined),
    };
  });
  const kindText = tagText(tags, "span.kind");
  const kind = kindText === undefined ? undefined : KINDS[kindText.toLowerCase()];
  const attributes = keyValues(
    tags,
    (key) =>
      SPAN_FIELD_TAGS.has(key) ||
      (key === "span.kind" && kind !== undefined) ||
      (key === "otel.status_code" && statusCode !== undefined) ||
      // `error=true` on a failed span is its status, said once; any other `error` tag stays an attribute.
      (key === "error" && code === 2 && tagText(tags, "error") === "true"),
  );
  const warnings = Array.isArray(span.warnings) ? span.warnings.filter((w) => typeof w === "string") : [];
  if (warnings.length > 0) {
    attributes.push({
      key: "jaeger.warnings",
      value: { arrayValue: { values: warnings.map((w) => ({ stringValue: w })) } },
    });
  }
  const out: JsonObject = {
    traceId,
    spanId: hexId(span.spanID, 16),
    name: typeof span.operationName === "string" ? span.operationName : "",
    kind: kind ?? 0,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + nanos(span.duration)).toString(),
    attributes,
    events,
    links,
    status,
  };
  if (parent !== undefined) out.parentSpanId = hexId(parent.spanID, 16);
  const traceState = tagText(tags, "w3c.tracestate");
  if (traceState !== undefined) out.traceState = traceState;
  return out;
}

/** The resource of a Jaeger process: its service name and tags. */
function resourceOf(process: unknown): JsonObject {
  const serviceName = isObject(process) && typeof process.serviceName === "string" ? process.serviceName : "";
  const attributes = keyValues(isObject(process) ? process.tags : undefined, (key) => key === "service.name");
  return { attributes: [{ key: "service.name", value: { stringValue: serviceName } }, ...attributes] };
}

/**
 * Jaeger's JSON (see isJaegerDocument) as an OTLP/JSON ExportTraceServiceRequest: a resource per
 * process of each trace, a scope per instrumentation scope its spans name.
 */
export function jaegerToOtlp(document: unknown): { resourceSpans: JsonObject[] } {
  const traces = isJaegerTrace(document) ? [document] : ((document as JsonObject).data as JsonObject[]);
  const resourceSpans: JsonObject[] = [];
  for (const trace of traces) {
    const processes = trace.processes as JsonObject;
    // Spans by process, then by scope, in the order they first appear.
    const byProcess = new Map<string, Map<string, { scope: JsonObject; spans: JsonObject[] }>>();
    for (const span of trace.spans as unknown[]) {
      if (!isObject(span)) continue;
      const processId = typeof span.processID === "string" ? span.processID : "";
      let scopes = byProcess.get(processId);
      if (scopes === undefined) {
        scopes = new Map();
        byProcess.set(processId, scopes);
      }
      const name = tagText(span.tags, "otel.scope.name") ?? tagText(span.tags, "otel.library.name") ?? "";
      const version = tagText(span.tags, "otel.scope.version") ?? tagText(span.tags, "otel.library.version") ?? "";
      const scopeKey = JSON.stringify([name, version]);
      let scope = scopes.get(scopeKey);
      if (scope === undefined) {
        scope = { scope: { name, version }, spans: [] };
        scopes.set(scopeKey, scope);
      }
      scope.spans.push(otlpSpan(span, hexId(span.traceID ?? trace.traceID, 32)));
    }
    for (const [processId, scopes] of byProcess) {
      resourceSpans.push({
        resource: resourceOf(processes[processId]),
        scopeSpans: [...scopes.values()],
      });
    }
  }
  return { resourceSpans };
}

/**
 * A whole JSON document as OTLP/JSON bytes when it is Jaeger's, else null (OTLP, or anything else, which
 * the OTLP reader then reads or refuses as before).
 */
export function jaegerDocumentAsOtlp(bytes: Uint8Array): Uint8Array | null {
  if (!mayBeJaegerText(afterWhiteSpace(bytes, 256))) return null;
  let value: unknown;
  try {
    // As OTLP/JSON is read: an int64 tag's value of more than 53 bits keeps its digits; a BOM is skipped.
    value = parseOtlpJson(bytes);
  } catch {
    return null;
  }
  return isJaegerDocument(value) ? Buffer.from(JSON.stringify(jaegerToOtlp(value))) : null;
}
