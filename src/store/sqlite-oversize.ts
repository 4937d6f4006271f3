import { traceIdFingerprint } from "./evicted-traces.js";
import { SPAN_SLOTS, type SqliteDatabase, type Statements } from "./sqlite-schema.js";

/**
 * At open, before the traces are read back: evicts the traces that alone hold more spans than
 * `maxSpans`, in one transaction, counted as evicted as retention counts its traces.
 *
 * Only a file filled under a larger --max-spans holds such a trace (ingest refuses a trace's spans
 * past the bound). Retention evicts the oldest arrivals until the rest fits, which never happens
 * while such a trace is left: when it arrived last, every trace went, itself too. Evicted first, it
 * leaves the newest whole traces that fit, as a store kept to this bound all along would have held.
 *
 * Called before the file is read back, so that what is kept in memory (statistics, error groups)
 * is read from the file without them: the statistics' operations and minute bounds left with no
 * span are dropped as the file is read (see loadingOperationStats), and their error rows are
 * skipped and leave with the oldest arrivals later.
 */
export function evictTracesLargerThanBound(db: SqliteDatabase, stmts: Statements, maxSpans: number): void {
  const [spans] = stmts.counters.get() as [bigint];
  // No trace can be larger than the bound when all of them fit in it.
  if (Number(spans) <= maxSpans) return;
  const oversize = stmts.tracesLargerThan.all(maxSpans) as [bigint, string, bigint][];
  if (oversize.length === 0) return;
  db.transaction(() => {
    let evictedSpans = 0;
    const fingerprints = new Float64Array(oversize.length);
    for (const [i, [seq, traceId, spanCount]] of oversize.entries()) {
      const low = Number(seq) * SPAN_SLOTS;
      stmts.deleteSpansBetween.run(low, low + SPAN_SLOTS);
      stmts.deleteSpanStatsBetween.run(low, low + SPAN_SLOTS);
      stmts.deleteTrace.run(seq);
      fingerprints[i] = traceIdFingerprint(traceId);
      evictedSpans += Number(spanCount);
    }
    // Their late spans are dropped as any evicted trace's are (see StoredTraces.writeEvicted); the
    // next eviction deletes the oldest rows past what the store remembers.
    const lastRow = stmts.lastEvictedFingerprintsSeq.get() as bigint | null;
    stmts.evictedFingerprintsInsert.run(Number(lastRow ?? 0) + 1, Buffer.from(fingerprints.buffer));
    const [held, traces, evictedBefore, evictedSpansBefore] = stmts.counters.get() as [bigint, bigint, bigint, bigint];
    stmts.countersUpdate.run(
      Number(held) - evictedSpans,
      Number(traces) - oversize.length,
      Number(evictedBefore) + oversize.length,
      Number(evictedSpansBefore) + evictedSpans,
    );
  })();
}
