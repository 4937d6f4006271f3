import { SPAN_KINDS, STATUS_CODES } from "../../../src/domain/span";
import type { CompactTraceResponse, SpanJson, TraceResponse } from "../../../src/protocol";

/** The low digits of a time that a double holds exactly, whatever is added to them below 10^15. */
const LOW_DIGITS = 15;
const LOW_LIMIT = 10 ** LOW_DIGITS;

/**
 * `base` + `offset` nanoseconds as a decimal string. Most of a trace's times share `base`'s high
 * digits: those take no BigInt (two per span were a tenth of reading a 100,000-span trace).
 */
function timeAfter(base: string, high: string, low: number, offset: number): string {
  const sum = low + offset;
  if (sum >= 0 && sum < LOW_LIMIT && Number.isSafeInteger(sum)) {
    return high === "" ? String(sum) : high + String(sum).padStart(LOW_DIGITS, "0");
  }
  return (BigInt(base) + BigInt(offset)).toString();
}

/**
 * What the compact form tells of an expanded trace's spans as numbers, one per span in the spans'
 * order: times in nanoseconds from `startNanos` (the earliest start), exact (safe integers), and
 * where each span's parent is (the span's index the answer names, -1 for no parent or one the
 * answer names by id). `startNanos` and `endNanos` (the latest start or end) are the strings of the
 * spans' own times.
 */
export interface SpanNumbers {
  startNanos: string;
  endNanos: string;
  starts: Float64Array;
  ends: Float64Array;
  parents: Int32Array;
}

const spanNumbers = new WeakMap<readonly SpanJson[], SpanNumbers>();

/**
 * The numbers `expandCompactTrace` read for these spans (this very array), when every span's times
 * were exact offsets; else undefined, and the spans' own fields are all there is. Reading them here
 * spares turning the decimal strings it wrote back into numbers, and looking parents up by id. An
 * array that no longer holds as many spans as it was made with has none.
 */
export function spanNumbersOf(spans: readonly SpanJson[]): SpanNumbers | undefined {
  const numbers = spanNumbers.get(spans);
  return numbers !== undefined && numbers.starts.length === spans.length ? numbers : undefined;
}

/** Thrown for an answer that names a place it does not hold. */
export class CompactTraceError extends Error {}

/**
 * The trace of a `form=compact1` answer as the full form has it (TraceResponse): every span a SpanJson
 * with the fields and values GET /api/traces/:traceId gives it. Spans of one resource (or scope) hold the
 * same object, as they do in the stores.
 */
export function expandCompactTrace(compact: CompactTraceResponse): TraceResponse {
  const { traceId, strings, resources, scopes } = compact;
  const base = compact.startTimeUnixNano;
  const high = base.length > LOW_DIGITS ? base.slice(0, base.length - LOW_DIGITS) : "";
  const low = Number(base.slice(high.length));
  const spans: SpanJson[] = new Array(compact.spans.length);
  const starts = new Float64Array(compact.spans.length);
  const ends = new Float64Array(compact.spans.length);
  const parents = new Int32Array(compact.spans.length).fill(-1);
  let allExact = true;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const place = <T>(list: readonly T[], index: number, what: string, spanId: string): T => {
    const item = list[index];
    if (item === undefined) throw new CompactTraceError(`span ${spanId} names a ${what} the answer does not hold`);
    return item;
  };
  for (let i = 0; i < compact.spans.length; i++) {
    const [spanId, parent, name, kind, service, start, length, status, attributes, resourceIndex, scopeIndex, rest] =
      compact.spans[i]!;
    let parentSpanId: string | null = null;
    if (typeof parent === "string") parentSpanId = parent;
    else if (parent !== null) {
      parentSpanId = place(compact.spans, parent, "parent", spanId)[0];
      parents[i] = parent;
    }
    const exact = start !== null && length !== null;
    if (exact && Number.isSafeInteger(start) && Number.isSafeInteger(start + length)) {
      starts[i] = start;
      ends[i] = start + length;
      if (start < first) first = start;
      if (start > last) last = start;
      if (start + length > last) last = start + length;
    } else allExact = false;
    const span: SpanJson = {
      traceId,
      spanId,
      parentSpanId,
      name: place(strings, name, "name", spanId),
      kind: place(SPAN_KINDS, kind, "kind", spanId),
      service: place(strings, service, "service", spanId),
      startTimeUnixNano: exact ? timeAfter(base, high, low, start) : "",
      endTimeUnixNano: exact ? timeAfter(base, high, low, start + length) : "",
      durationMs: exact && length > 0 ? length / 1e6 : 0,
      status: { code: place(STATUS_CODES, status, "status", spanId) },
      attributes,
      events: [],
      links: [],
      resource: place(resources, resourceIndex, "resource", spanId),
      scope: place(scopes, scopeIndex, "scope", spanId),
    };
    if (rest !== undefined) {
      Object.assign(span, rest);
      if ("startTimeUnixNano" in rest || "endTimeUnixNano" in rest || "parentSpanId" in rest || "spanId" in rest) {
        allExact = false;
      }
    }
    spans[i] = span;
  }
  // Offsets from another start than the earliest are left to the strings.
  if (allExact && first === 0) {
    const startNanos = timeAfter(base, high, low, 0);
    spanNumbers.set(spans, { startNanos, endNanos: timeAfter(base, high, low, last), starts, ends, parents });
  }
  const { form: _form, startTimeUnixNano: _start, strings: _strings, resources: _r, scopes: _s, ...fields } = compact;
  return { ...fields, spans };
}
