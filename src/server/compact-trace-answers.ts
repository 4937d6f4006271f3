import { BUNDLED_PRICES, type PriceList } from "../domain/llm-prices.js";
import type { Span } from "../domain/span.js";
import type { CompactTraceResponse, SnapshotSummaryJson } from "../protocol.js";
import { createCompactSpanWriter, earliestStartOf, spanPlaces } from "../protocol-json.js";
import type { Store, TraceInSlices } from "../store/store.js";

export interface CompactTraceAnswers {
  /**
   * GET /api/traces/:traceId?form=compact1's body (CompactTraceResponse) as JSON text, or undefined
   * when the trace is not stored. `name`, `service` and `snapshots` are asked for each answer.
   */
  answer(
    traceId: string,
    rest: () => { name: string; service: string; snapshots: SnapshotSummaryJson[] },
  ): string | undefined;
  /** Drops the answer kept (after the stores are cleared). */
  forget(): void;
}

/**
 * The longest answer kept (in characters; one byte each for ASCII text): a 100,000-span trace whose
 * spans carry an SDK's 15 resource attributes and one or two of their own is about 11.2 million.
 */
export const MAX_KEPT_CHARS = 16 * 1024 * 1024;

/**
 * Spans written to text per slice: what a slice's spans and their compact form make dies young. For
 * a 100,000-span trace in a `--db` file, written at once, they lived until the end, and copying them
 * out of the young generation was about a third of the answer's time.
 */
const SLICE_SPANS = 2000;

/** The members spansToCompactJson writes, as JSON text without the braces around them, a slice at a time and a slice to a line. */
function compactSpansText(traceId: string, slices: TraceInSlices, prices: PriceList): string {
  const writer = createCompactSpanWriter(traceId, slices.earliestStart, spanPlaces(slices.spanIds), prices);
  const pieces: string[] = [];
  for (let from = 0; from < slices.spanIds.length; from += SLICE_SPANS) {
    // JSON.stringify writes an array as its items' texts joined by commas: the pieces joined are the whole.
    pieces.push(JSON.stringify(writer.spans(slices.slice(from, from + SLICE_SPANS))).slice(1, -1));
  }
  // Each slice on a line of its own (JSON text allows a line break between values, and has none
  // elsewhere: JSON.stringify escapes those in strings): the page reads the answer a line at a time
  // as it arrives (web/src/api/compact-trace.ts, readCompactTrace).
  return `${JSON.stringify(writer.shared()).slice(1, -1)},"spans":[\n${pieces.join(",\n")}\n]`;
}

/** getTrace's spans, already made, as slices. */
function inSlices(spans: Span[] | undefined): TraceInSlices | undefined {
  if (spans === undefined) return undefined;
  return {
    spanIds: spans.map((span) => span.spanId),
    earliestStart: earliestStartOf(spans),
    slice: (from, to) => spans.slice(from, to),
  };
}

/**
 * The compact answers of a trace view, the last one kept as text by its trace's Store.traceVersion:
 * a page that asks for the same trace again (a reload, back from another page, the compare and
 * snapshot pages) gets it without the spans being read and written out again, which for a
 * 100,000-span trace in a `--db` file takes over half a second. A trace that took spans since (a live
 * one) has another version and is read again. One answer is kept, of up to `maxKeptChars` characters
 * (a larger one is written each time), and dropped once its trace is gone from the store, so what is
 * kept outside the stores' retention budget stays bounded.
 */
export function createCompactTraceAnswers(
  store: Store,
  prices: PriceList = BUNDLED_PRICES,
  maxKeptChars: number = MAX_KEPT_CHARS,
): CompactTraceAnswers {
  let last: { traceId: string; version: string; spansText: string } | null = null;

  /** The members spansToCompactJson writes, as JSON text without the braces around them. */
  function spansText(traceId: string): string | undefined {
    const version = store.traceVersion(traceId);
    if (version === undefined) {
      // Not stored (evicted, or never was): the kept answer of this trace goes with it.
      if (last?.traceId === traceId) last = null;
      return undefined;
    }
    if (last !== null && last.traceId === traceId && last.version === version) return last.spansText;
    const slices = store.getTraceInSlices?.(traceId) ?? inSlices(store.getTrace(traceId));
    if (slices === undefined) return undefined;
    const text = compactSpansText(traceId, slices, prices);
    last = text.length <= maxKeptChars ? { traceId, version, spansText: text } : null;
    return text;
  }

  return {
    answer(traceId, rest) {
      const text = spansText(traceId);
      if (text === undefined) return undefined;
      const { name, service, snapshots } = rest();
      // The members in CompactTraceResponse's order, as JSON.stringify writes the object.
      const head: Pick<CompactTraceResponse, "traceId" | "name" | "service"> = { traceId, name, service };
      const tail: Pick<CompactTraceResponse, "snapshots"> = { snapshots };
      return `${JSON.stringify(head).slice(0, -1)},${text},${JSON.stringify(tail).slice(1)}`;
    },
    forget() {
      last = null;
    },
  };
}
