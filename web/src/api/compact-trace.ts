import { SPAN_KINDS, STATUS_CODES } from "../../../src/domain/span";
import type { CompactSpanJson, CompactTraceResponse, SpanJson, TraceResponse } from "../../../src/protocol";

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

/**
 * What most spans hold alike, made once instead of per span (a 100,000-span trace made 300,000 such
 * objects before its first row): a status without a message, one per code, and no events or links.
 * Frozen: the page reads spans, it never changes them.
 */
const STATUSES = STATUS_CODES.map((code) => Object.freeze({ code }));
const NONE = Object.freeze([]) as unknown as [];

/** Thrown for an answer that names a place it does not hold. */
export class CompactTraceError extends Error {}

/** What an answer holds besides its spans: its members before `spans` and after it. */
export type CompactTraceHead = Omit<CompactTraceResponse, "spans">;

/**
 * Whether `value` is what compactTraceExpander reads of an answer's head: the earliest start as a
 * decimal string and the tables spans name by place. Other JSON (a proxy's, another server's) would
 * fail there with a TypeError that says nothing of the answer.
 */
function isCompactHead(value: unknown): value is CompactTraceHead {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const head = value as Partial<Record<keyof CompactTraceHead, unknown>>;
  return (
    typeof head.startTimeUnixNano === "string" &&
    /^-?[0-9]+$/.test(head.startTimeUnixNano) &&
    Array.isArray(head.strings) &&
    Array.isArray(head.resources) &&
    Array.isArray(head.scopes)
  );
}

/** Whether `value` is a list of spans as compactTraceExpander takes them apart: arrays, each. */
const isSpanList = (value: unknown): value is CompactSpanJson[] => Array.isArray(value) && value.every(Array.isArray);

/**
 * Expands a compact answer's spans as they come, a slice at a time (see readCompactTrace), then makes
 * the trace: `add` each slice in order, `finish` once with what the answer holds after its spans.
 */
export interface CompactTraceExpander {
  add(slice: readonly CompactSpanJson[]): void;
  finish(after?: Partial<CompactTraceHead>): TraceResponse;
}

const place = <T>(list: readonly T[], index: number, what: string, spanId: string): T => {
  const item = list[index];
  if (item === undefined) throw new CompactTraceError(`span ${spanId} names a ${what} the answer does not hold`);
  return item;
};

export function compactTraceExpander(head: CompactTraceHead): CompactTraceExpander {
  const { traceId, strings, resources, scopes } = head;
  const base = head.startTimeUnixNano;
  const high = base.length > LOW_DIGITS ? base.slice(0, base.length - LOW_DIGITS) : "";
  const low = Number(base.slice(high.length));
  const spans: SpanJson[] = [];
  /** Each span's id as the answer gives it, by place: what a parent named by place is called. */
  const ids: string[] = [];
  /** The numbers of each slice (see SpanNumbers), joined into one array each by `finish`. */
  const slices: { starts: Float64Array; ends: Float64Array; parents: Int32Array }[] = [];
  /** Spans whose parent's place comes later in the answer: span, then place, for `finish`. */
  const later: number[] = [];
  let allExact = true;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  return {
    add(slice) {
      const starts = new Float64Array(slice.length);
      const ends = new Float64Array(slice.length);
      const parents = new Int32Array(slice.length).fill(-1);
      slices.push({ starts, ends, parents });
      for (let j = 0; j < slice.length; j++) {
        const i = spans.length;
        const [
          spanId,
          parent,
          name,
          kind,
          service,
          start,
          length,
          status,
          attributes,
          resourceIndex,
          scopeIndex,
          rest,
        ] = slice[j]!;
        ids.push(spanId);
        let parentSpanId: string | null = null;
        if (typeof parent === "string") parentSpanId = parent;
        else if (parent !== null) {
          // A place not a whole number from 0 up has no span: `place` refuses it here or in `finish`.
          if (parent < i) parentSpanId = place(ids, parent, "parent", spanId);
          else if (parent === i) parentSpanId = spanId;
          else later.push(i, parent);
          parents[j] = parent;
        }
        const exact = start !== null && length !== null;
        if (exact && Number.isSafeInteger(start) && Number.isSafeInteger(start + length)) {
          starts[j] = start;
          ends[j] = start + length;
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
          status: place(STATUSES, status, "status", spanId),
          attributes,
          events: NONE,
          links: NONE,
          resource: place(resources, resourceIndex, "resource", spanId),
          scope: place(scopes, scopeIndex, "scope", spanId),
        };
        if (rest !== undefined) {
          Object.assign(span, rest);
          if ("startTimeUnixNano" in rest || "endTimeUnixNano" in rest || "parentSpanId" in rest || "spanId" in rest) {
            allExact = false;
          }
        }
        spans.push(span);
      }
    },
    finish(after = {}) {
      for (let k = 0; k < later.length; k += 2) {
        const span = spans[later[k]!]!;
        const parentSpanId = place(ids, later[k + 1]!, "parent", ids[later[k]!]!);
        // A parent the span's own fields name stands (as Object.assign left it).
        if (span.parentSpanId === null) span.parentSpanId = parentSpanId;
      }
      // Offsets from another start than the earliest are left to the strings.
      if (allExact && first === 0) {
        const joined = (pick: "starts" | "ends") => {
          const all = new Float64Array(spans.length);
          let at = 0;
          for (const slice of slices) {
            all.set(slice[pick], at);
            at += slice[pick].length;
          }
          return all;
        };
        const parents = new Int32Array(spans.length);
        let at = 0;
        for (const slice of slices) {
          parents.set(slice.parents, at);
          at += slice.parents.length;
        }
        spanNumbers.set(spans, {
          startNanos: timeAfter(base, high, low, 0),
          endNanos: timeAfter(base, high, low, last),
          starts: joined("starts"),
          ends: joined("ends"),
          parents,
        });
      }
      const {
        form: _form,
        startTimeUnixNano: _start,
        strings: _strings,
        resources: _r,
        scopes: _s,
        ...fields
      } = {
        ...head,
        ...after,
      };
      return { ...fields, spans };
    },
  };
}

/**
 * The trace of a `form=compact1` answer as the full form has it (TraceResponse): every span a SpanJson
 * with the fields and values GET /api/traces/:traceId gives it. Spans of one resource (or scope) hold the
 * same object, as they do in the stores.
 */
export function expandCompactTrace(compact: CompactTraceResponse): TraceResponse {
  const { spans, ...head } = compact;
  const expander = compactTraceExpander(head);
  expander.add(spans);
  return expander.finish();
}

/**
 * A `form=compact1` answer read as it arrives: its spans come a slice to a line (JSON text has no raw
 * line break anywhere else: strings hold theirs escaped), and each line is parsed and expanded once
 * whole, while the rest is still on its way, instead of all of it after the last byte. The first
 * line holds the members before `spans`, the last one the members after it. An answer on one line
 * (`null` for a trace not stored) is read whole. `onRead` runs when the last byte is in.
 *
 * Rejects with a CompactTraceError for an answer that is not JSON (a proxy's HTML page) or JSON but not
 * a compact trace (a head without its tables, a span that is not an array), or that ends
 * before the members after its spans (cut off between two lines or within one); the body is cancelled
 * when the answer is refused before its end.
 */
export async function readCompactTrace(
  body: ReadableStream<Uint8Array>,
  onRead: () => void = () => {},
): Promise<TraceResponse | null> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let expander: CompactTraceExpander | null = null;
  let after: Partial<CompactTraceHead> | undefined;
  const notATrace = () => new CompactTraceError("the server's answer is not a trace");
  const cut = () => new CompactTraceError("the answer ends before its spans do");
  /**
   * A line's JSON; `last`: the text after the last line break, which the server always ends with a
   * line break unless the answer stopped short (a line cut in its middle is said to be, as one cut
   * between two lines is, not in JSON.parse's words).
   */
  const parsed = (json: string, last: boolean): unknown => {
    try {
      return JSON.parse(json);
    } catch {
      throw last ? cut() : notATrace();
    }
  };
  const line = (text: string, last = false) => {
    if (expander === null) {
      const head = parsed(`${text}]}`, false);
      if (!isCompactHead(head)) throw notATrace();
      const { spans: _none, ...rest } = head as CompactTraceResponse;
      expander = compactTraceExpander(rest);
    } else if (text.startsWith("]")) {
      const { spans: _none, ...rest } = parsed(`{"spans":[${text}`, last) as CompactTraceResponse;
      after = rest;
    } else if (text !== "") {
      const slice = parsed(`[${text.endsWith(",") ? text.slice(0, -1) : text}]`, last);
      if (!isSpanList(slice)) throw notATrace();
      expander.add(slice);
    }
  };
  /** What came after the last line break so far. */
  let pending = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const chunk = done ? decoder.decode() : decoder.decode(value, { stream: true });
      let from = 0;
      for (let at = chunk.indexOf("\n"); at !== -1; at = chunk.indexOf("\n", from)) {
        line(pending + chunk.slice(from, at));
        pending = "";
        from = at + 1;
      }
      pending += from === 0 ? chunk : chunk.slice(from);
      if (done) break;
    }
  } catch (error) {
    // Nothing more is read: the connection and what the browser holds of the body are let go now.
    reader.cancel().catch(() => {});
    throw error;
  }
  onRead();
  if (expander === null) {
    let whole: CompactTraceResponse | null;
    try {
      whole = JSON.parse(pending) as CompactTraceResponse | null;
    } catch {
      // No line break came, so the text may be a head cut in its middle (or a one-line answer cut):
      // one that starts as the server's answers do is said to be cut, as one cut later is.
      throw pending.startsWith('{"traceId"') ? cut() : notATrace();
    }
    if (whole === null) return null;
    // JSON, but not a trace's answer (a proxy's or another server's JSON).
    if (!isCompactHead(whole) || !isSpanList(whole.spans)) throw notATrace();
    return expandCompactTrace(whole);
  }
  line(pending, true);
  if (after === undefined) throw cut();
  return (expander as CompactTraceExpander).finish(after);
}
