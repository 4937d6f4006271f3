/**
 * Traces saved from Grafana Tempo (its `GET /api/traces/<id>` answer, `/api/v2/traces/<id>`, and what
 * Grafana downloads for a Tempo trace) as an OTLP/JSON ExportTraceServiceRequest, so that they import
 * like any OTLP file. Tempo writes OTLP through Go's generic protobuf JSON mapping, not OTLP/JSON's:
 *
 * - ids (a span's `traceId`, `spanId`, `parentSpanId`, and a link's `traceId`, `spanId`) are base64 of
 *   their bytes, not hex. A base64 id is told by its length: 24 characters for 16 bytes, 12 for 8
 *   (hex has 32 and 16), so an id in hex is left as it is;
 * - the resources are under `batches` (before Tempo 2.x's v2 API), and under older Tempo versions the
 *   scopes are `instrumentationLibrarySpans` with an `instrumentationLibrary`, not `scopeSpans`/`scope`;
 * - the v2 API wraps the request: `{"trace": {"resourceSpans": […]}}`.
 *
 * Only files are read so: OTLP/HTTP's JSON encoding requires hex ids, and the receiver keeps to it.
 */

import { afterWhiteSpace } from "../otlp/files.js";
import { parseOtlpJson } from "../otlp/json/parse.js";

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a JSON text may be Tempo's, from its first key: read whole only then. */
export function mayBeTempoText(start: string): boolean {
  return /^\uFEFF?\s*\{\s*"(batches|trace|resourceSpans)"/.test(start);
}

/** Base64 (standard or URL-safe alphabet, padded) of 16 bytes, and of 8. */
const BASE64_TRACE_ID = /^[A-Za-z0-9+/_-]{22}==$/;
const BASE64_SPAN_ID = /^[A-Za-z0-9+/_-]{11}=$/;

/** An id as lower-case hex when it is base64 of `bytes` bytes; anything else as it is (hex, or what the decoder refuses). */
export function base64IdAsHex(value: unknown, bytes: 16 | 8): unknown {
  if (typeof value !== "string") return value;
  if (!(bytes === 16 ? BASE64_TRACE_ID : BASE64_SPAN_ID).test(value)) return value;
  const decoded = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return decoded.length === bytes ? decoded.toString("hex") : value;
}

const TRACE_ID_KEY = Buffer.from('"traceId"');
const OLDER_SCOPES_KEY = Buffer.from('"instrumentationLibrarySpans"');
const QUOTE = 0x22;
const COLON = 0x3a;
/** Longer than any id, base64 or hex: a longer value is no id to look at. */
const MAX_ID_CHARS = 64;

/** JSON white space from `from` on: space, tab, line feed, carriage return. */
function afterJsonSpace(bytes: Uint8Array, from: number): number {
  let i = from;
  for (let b = bytes[i]; b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d; b = bytes[++i]);
  return i;
}

/**
 * The value of the first `"traceId": "…"` in a document, and where that key is; found in its bytes,
 * wherever it is, without parsing it. A `"traceId"` inside a string is written `\"traceId\"` there, so
 * only a key is found (or the word as a value, which is followed by no colon and skipped).
 */
function firstTraceId(bytes: Buffer): { id: string; at: number } | null {
  for (let at = bytes.indexOf(TRACE_ID_KEY); at !== -1; at = bytes.indexOf(TRACE_ID_KEY, at + 1)) {
    const colon = afterJsonSpace(bytes, at + TRACE_ID_KEY.length);
    if (bytes[colon] !== COLON) continue;
    const open = afterJsonSpace(bytes, colon + 1);
    if (bytes[open] !== QUOTE) continue;
    const close = bytes.indexOf(QUOTE, open + 1);
    if (close === -1 || close - open - 1 > MAX_ID_CHARS) continue;
    return { id: bytes.toString("latin1", open + 1, close), at };
  }
  return null;
}

/**
 * Whether a `resourceSpans` document is Tempo's, from its bytes alone (cheap, and wherever its first
 * span is): the first trace id it names is base64, or its scopes are the older
 * `instrumentationLibrarySpans` (a resource's key, written before the spans it holds, so before the
 * first trace id). An OTLP file with hex ids is told so without being parsed.
 */
export function isTempoResourceSpans(document: Uint8Array): boolean {
  const bytes = Buffer.from(document.buffer, document.byteOffset, document.byteLength);
  const first = firstTraceId(bytes);
  if (first !== null && base64IdAsHex(first.id, 16) !== first.id) return true;
  return (first === null ? bytes : bytes.subarray(0, first.at)).includes(OLDER_SCOPES_KEY);
}

/**
 * Whether a whole JSON document is (or may be) Tempo's, told cheaply: by its first key, and for a plain
 * `resourceSpans` document by isTempoResourceSpans. Only then is it parsed to be converted.
 */
export function mayBeTempoDocument(bytes: Uint8Array): boolean {
  const start = afterWhiteSpace(bytes, 256);
  if (!mayBeTempoText(start)) return false;
  return !/^\uFEFF?\s*\{\s*"resourceSpans"/.test(start) || isTempoResourceSpans(bytes);
}

function spanAsHex(span: unknown): unknown {
  if (!isObject(span)) return span;
  const out: JsonObject = { ...span };
  if ("traceId" in span) out.traceId = base64IdAsHex(span.traceId, 16);
  if ("spanId" in span) out.spanId = base64IdAsHex(span.spanId, 8);
  if ("parentSpanId" in span) out.parentSpanId = base64IdAsHex(span.parentSpanId, 8);
  if (Array.isArray(span.links)) {
    out.links = span.links.map((link: unknown) =>
      isObject(link)
        ? {
            ...link,
            ...("traceId" in link ? { traceId: base64IdAsHex(link.traceId, 16) } : {}),
            ...("spanId" in link ? { spanId: base64IdAsHex(link.spanId, 8) } : {}),
          }
        : link,
    );
  }
  return out;
}

function scopeSpansOf(entry: JsonObject): JsonObject {
  const { instrumentationLibrary, ...rest } = entry;
  const scope = rest.scope ?? instrumentationLibrary;
  return {
    ...rest,
    ...(scope !== undefined ? { scope } : {}),
    ...(Array.isArray(entry.spans) ? { spans: entry.spans.map(spanAsHex) } : {}),
  };
}

function resourceSpansOf(entry: unknown): unknown {
  if (!isObject(entry)) return entry;
  const { instrumentationLibrarySpans, ...rest } = entry;
  const scopes = rest.scopeSpans ?? instrumentationLibrarySpans;
  return {
    ...rest,
    ...(Array.isArray(scopes)
      ? { scopeSpans: scopes.map((scope) => (isObject(scope) ? scopeSpansOf(scope) : scope)) }
      : {}),
  };
}

/**
 * A parsed document as an OTLP/JSON trace request when it is Tempo's (see the top of this file), else
 * null. A `resourceSpans` document is Tempo's when it holds an id in base64, or older scopes.
 */
export function tempoToOtlp(document: unknown): { resourceSpans: unknown[] } | null {
  if (!isObject(document)) return null;
  const request = isObject(document.trace) ? document.trace : document;
  const resources = request.resourceSpans ?? request.batches;
  if (!Array.isArray(resources)) return null;
  return { resourceSpans: resources.map(resourceSpansOf) };
}

/**
 * A whole JSON document as OTLP/JSON bytes when it is Tempo's, else null (OTLP, or anything else, which
 * the OTLP reader then reads or refuses as before). A plain `resourceSpans` document is parsed here
 * only when isTempoResourceSpans says it is Tempo's: an OTLP file with hex ids costs no second parse.
 */
export function tempoDocumentAsOtlp(bytes: Uint8Array): Uint8Array | null {
  if (!mayBeTempoDocument(bytes)) return null;
  let value: unknown;
  try {
    // As OTLP/JSON is read: integers of more than 53 bits keep their digits; a BOM is skipped.
    value = parseOtlpJson(bytes);
  } catch {
    return null;
  }
  const request = tempoToOtlp(value);
  return request === null ? null : Buffer.from(JSON.stringify(request));
}
