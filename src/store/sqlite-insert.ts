import { type EntryNesting, entryTellings, isEntrySpan, operationOf } from "../domain/operation.js";
import type { Span } from "../domain/span.js";
import { type EntryMark, entryMarkOf } from "./sqlite-operation-stats.js";
import { MAX_TRACE_SEQ, SPAN_SLOTS } from "./sqlite-schema.js";
import type { SpanLink, SpanWriter } from "./sqlite-span-writer.js";
import type { StoredTraces, TraceEntry } from "./sqlite-traces.js";
import { type InsertOptions, type InsertResult, tooBigTraceMessage } from "./store.js";
import { countedOperationName, noteOperation } from "./trace-operations.js";

export interface SpanInsertDeps {
  traces: StoredTraces;
  writer: SpanWriter;
  /** Pending spans that trigger a write at once. */
  flushSpans: number;
  assertOpen(): void;
  /** Told of every accepted span (autocomplete's sample of the newest spans, the span views). */
  recentSpans: { add(span: Span, entry: TraceEntry): void };
  /** Where stored errors are grouped. */
  errors: { addSpan(span: Span, trace: TraceEntry): void };
  /** A written trace's entry spans told apart, read from its rows (sqlite-operation-stats.ts readEntryNesting). */
  readEntryNesting(entry: TraceEntry): EntryNesting<EntryMark>;
  /** The ids and parent ids of a trace's spans, written and pending (see TraceAggregate.linkSpans). */
  readSpanLinks(entry: TraceEntry): Iterable<SpanLink>;
}

/**
 * The SQLite span store's `insertSpans`: new spans join their trace's entry in memory (summary,
 * list order, span ids) at once and wait in the writer as rows until its next flush.
 */
export function createSpanInsert(
  deps: SpanInsertDeps,
): (spans: readonly Span[], options?: InsertOptions) => InsertResult {
  const { traces, writer, flushSpans, assertOpen, recentSpans, errors, readEntryNesting, readSpanLinks } = deps;
  const { evictedIds, maxSpans, maxSpansPerTrace } = traces;
  let callNumber = 0;

  return function insertSpans(spans: readonly Span[], options?: InsertOptions): InsertResult {
    assertOpen();
    writer.flushTimer.throwDeferred();
    const call = ++callNumber;
    const changed: TraceEntry[] = [];
    let inserted = 0;
    let duplicateSpans = 0;
    let lateSpans = 0;
    let rejectedSpans = 0;
    let rejectionMessage: string | undefined;
    const tellings = entryTellings(spans);
    /** Traces this call gave entry spans, and those spans. */
    let renest: Map<TraceEntry, EntryMark[]> | null = null;
    const storeEvicted = options?.storeEvictedTraces === true;
    for (const span of spans) {
      let entry = traces.entries.get(span.traceId);
      if (entry === undefined) {
        if (!storeEvicted && evictedIds.has(span.traceId)) {
          lateSpans++;
          continue;
        }
        if (traces.nextSeq >= MAX_TRACE_SEQ) throw new Error("the SQLite store ran out of trace numbers; clear it");
        entry = traces.add(span.traceId);
      }
      const ids = traces.spanIdsOf(entry, call);
      if (ids.has(span.spanId)) {
        duplicateSpans++;
        continue;
      }
      const slot = entry.aggregate.spanCount;
      if (slot >= maxSpansPerTrace) {
        rejectedSpans++;
        rejectionMessage ??= tooBigTraceMessage(span.traceId, maxSpans);
        continue;
      }
      ids.add(span.spanId);
      traces.cachedSpanIds++;
      const services = entry.aggregate.services.length;
      entry.aggregate.add(span);
      if (entry.aggregate.wantsLinks) entry.aggregate.linkSpans(readSpanLinks(entry));
      // A trace out of the statistics already leaves with the next commit, this span with it.
      const counted = !entry.statsRetired;
      // A new trace is counted per service when filed (StoredTraces.file), under the start it is filed by.
      if (counted && entry.filed && entry.aggregate.services.length > services) {
        traces.stats.addTrace(span.service, entry.sortStart);
      }
      const isNested = tellings?.nested.has(span) === true;
      if (counted) traces.stats.add(span, entry.stats, isNested);
      const operation = counted ? countedOperationName(entry.stats, span) : operationOf(span).name;
      entry.operations = noteOperation(entry.operations, operation, traces.operationCounts);
      if (counted && isEntrySpan(span)) {
        const failedInside = tellings?.failedInside.has(span) === true;
        if (failedInside) traces.stats.failInside(span, entry.stats, true);
        // Null only while every entry span of the trace is written (the cache dropped them with its span ids).
        entry.entryNesting ??= readEntryNesting(entry);
        renest ??= new Map();
        const mark = entryMarkOf(span, isNested, failedInside);
        const added = renest.get(entry);
        if (added === undefined) renest.set(entry, [mark]);
        else added.push(mark);
      }
      writer.appendPendingRow(entry.seq * SPAN_SLOTS + slot, span);
      recentSpans.add(span, entry);
      errors.addSpan(span, entry);
      inserted++;
      if (!entry.dirty) {
        entry.dirty = true;
        traces.dirtyEntries.push(entry);
      }
      if (entry.lastChangeCall !== call) {
        entry.lastChangeCall = call;
        changed.push(entry);
      }
    }
    if (renest !== null) for (const [entry, added] of renest) renestTrace(entry, added);
    traces.file(changed);
    const changedTraceIds = changed.map((entry) => entry.traceId);
    // Flushing here rather than mid-loop keeps retention from splitting a trace this call is adding.
    if (writer.pendingSpans >= flushSpans && options?.writeLater !== true) {
      const evicted = writer.flush();
      // Like the memory store, do not report a trace this very insert pushed out.
      if (evicted.length > 0) {
        const gone = new Set(evicted);
        return result(changedTraceIds.filter((id) => !gone.has(id)));
      }
    } else if (writer.pendingSpans > 0) {
      writer.flushTimer.schedule();
    }
    return result(changedTraceIds);

    /** Tells the trace's entry spans apart again with `added`, new in this call (see EntryNesting). */
    function renestTrace(entry: TraceEntry, added: EntryMark[]): void {
      const addedTellings = {
        nested: new Set(added.filter((mark) => mark.nested)),
        failedInside: new Set(added.filter((mark) => mark.failedInside)),
      };
      const changes = (entry.entryNesting as EntryNesting<EntryMark>).add(added, addedTellings);
      if (changes === null) return;
      traces.stats.retell(changes, entry.stats);
      for (const [mark, isNested] of changes.nested) mark.nested = isNested;
      for (const [mark, failedInside] of changes.failedInside) mark.failedInside = failedInside;
    }

    function result(changedIds: string[]): InsertResult {
      const out: InsertResult = {
        inserted,
        duplicateSpans,
        changedTraceIds: changedIds,
        storedTraceIds: changedTraceIds,
        lateSpans,
        rejectedSpans,
      };
      if (rejectionMessage !== undefined) out.rejectionMessage = rejectionMessage;
      return out;
    }
  };
}
