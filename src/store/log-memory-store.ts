import { type LogRecord, type StoredLog, sameLogRecord } from "../domain/log.js";
import { compareLogPositions, decodeLogCursor, type LogPosition } from "./log-cursor.js";
import { LogPageBuilder, logFilter, traceLogPage } from "./log-query-match.js";
import { DEFAULT_MAX_LOGS, type LogInsertResult, type LogPage, type LogQuery, type LogStore } from "./log-store.js";
import { LogTraceIndex } from "./log-trace-index.js";
import { SortedChunks } from "./sorted-chunks.js";

export interface MemoryLogStoreOptions {
  maxLogs?: number;
}

/** Evicted slots at the front of the arrival list that trigger dropping them (and never fewer than half). */
const COMPACT_AFTER = 4096;

/**
 * Keeps records as objects, in an arrival list (retention drops from its front, and a record's
 * number is its place in it), with two indexes of arrival numbers: all records by (time, number) for
 * listing and time ranges, and each trace's records, which the trace view asks for. Indexes hold
 * numbers, not objects, so they cost a few bytes per record.
 */
export function createMemoryLogStore(options: MemoryLogStoreOptions = {}): LogStore {
  const maxLogs = options.maxLogs ?? DEFAULT_MAX_LOGS;
  /** arrival[i] has number baseSeq + i; slots before `head` were evicted. */
  let arrival: (LogRecord | undefined)[] = [];
  /**
   * Each record's time as two exact numbers beside `arrival` (the nanoseconds above and below bit 20):
   * the time index compares numbers, several times faster than bigints, and filing a record that is
   * not the newest takes ~15 compares.
   */
  let timeHigh: number[] = [];
  let timeLow: number[] = [];
  let head = 0;
  let baseSeq = 1;
  /** Never reset, so a number is never given twice (the web app keys rows by it). */
  let nextSeq = 1;
  let evictedLogs = 0;
  const recordOf = (seq: number) => arrival[seq - baseSeq] as LogRecord;
  const byTime = new SortedChunks<number>((a, b) => {
    const ia = a - baseSeq;
    const ib = b - baseSeq;
    const high = (timeHigh[ia] as number) - (timeHigh[ib] as number);
    if (high !== 0) return high;
    const low = (timeLow[ia] as number) - (timeLow[ib] as number);
    return low !== 0 ? low : a - b;
  });
  const byTrace = new LogTraceIndex();
  /** The record being inserted and its time's two parts, for the two checks below (made once, not per record). */
  let probe: LogRecord | undefined;
  let probeHigh = 0;
  let probeLow = 0;
  /** Whether a stored record has the probe's time: records of one time sit together in the time index. */
  const sameTime = (seq: number) => timeHigh[seq - baseSeq] === probeHigh && timeLow[seq - baseSeq] === probeLow;
  const sameRecord = (seq: number) => sameLogRecord(recordOf(seq), probe as LogRecord);

  function evictOldest(): void {
    while (arrival.length - head > maxLogs) {
      const seq = baseSeq + head;
      const record = recordOf(seq);
      byTime.remove(seq);
      if (record.traceId !== null) byTrace.removeOldest(record.traceId);
      arrival[head++] = undefined;
      evictedLogs++;
    }
    if (head > COMPACT_AFTER && head * 2 > arrival.length) {
      arrival = arrival.slice(head);
      timeHigh = timeHigh.slice(head);
      timeLow = timeLow.slice(head);
      baseSeq += head;
      head = 0;
    }
  }

  function insertLogs(records: readonly LogRecord[]): LogInsertResult {
    const first = nextSeq;
    let duplicates = 0;
    for (const record of records) {
      const seq = nextSeq;
      probe = record;
      probeHigh = Number(record.timeUnixNano >> 20n);
      probeLow = Number(record.timeUnixNano & 0xfffffn);
      arrival.push(record);
      timeHigh.push(probeHigh);
      timeLow.push(probeLow);
      // A record equal to a stored one is that record sent again: it would sit right after it.
      if (!byTime.insertUnless(seq, sameTime, sameRecord)) {
        arrival.pop();
        timeHigh.pop();
        timeLow.pop();
        duplicates++;
        continue;
      }
      nextSeq++;
      if (record.traceId !== null) byTrace.add(seq, record.traceId);
    }
    probe = undefined;
    evictOldest();
    const stored: StoredLog[] = [];
    for (let seq = Math.max(first, baseSeq + head); seq < nextSeq; seq++) stored.push({ seq, record: recordOf(seq) });
    return { stored, duplicates };
  }

  function listLogs(query: LogQuery): LogPage {
    const filter = logFilter(query);
    if (query.traceId !== undefined) {
      const logs = byTrace.seqsOf(query.traceId).map((seq) => ({ seq, record: recordOf(seq) }));
      return traceLogPage(logs, query, filter);
    }
    const cursor = query.cursor === undefined ? undefined : decodeLogCursor(query.cursor);
    const builder = new LogPageBuilder(query.limit);
    const take = (seq: number): boolean => {
      const record = recordOf(seq);
      return !filter.matches(record) || builder.offer({ seq, record });
    };
    const compareTo = (seq: number, position: LogPosition) =>
      compareLogPositions(recordOf(seq).timeUnixNano, seq, position.timeUnixNano, position.seq);
    const { untilUnixNano: until, sinceUnixNano: since } = query;
    if (query.order === "desc") {
      byTime.walkDown(
        (seq) => (since !== undefined && recordOf(seq).timeUnixNano < since ? false : take(seq)),
        cursor === undefined && until === undefined
          ? undefined
          : (seq) =>
              (cursor === undefined || compareTo(seq, cursor) < 0) &&
              (until === undefined || recordOf(seq).timeUnixNano <= until),
      );
    } else {
      byTime.walkUp(
        (seq) => (until !== undefined && recordOf(seq).timeUnixNano > until ? false : take(seq)),
        cursor === undefined && since === undefined
          ? undefined
          : (seq) =>
              (cursor !== undefined && compareTo(seq, cursor) <= 0) ||
              (since !== undefined && recordOf(seq).timeUnixNano < since),
      );
    }
    return builder.page();
  }

  function clear(): void {
    arrival = [];
    timeHigh = [];
    timeLow = [];
    head = 0;
    baseSeq = nextSeq;
    byTime.clear();
    byTrace.clear();
  }

  return {
    kind: "memory",
    insertLogs,
    listLogs,
    clear,
    stats: () => ({ logs: arrival.length - head, maxLogs, evictedLogs }),
    close: clear,
  };
}
