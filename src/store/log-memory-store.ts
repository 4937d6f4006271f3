import type { LogRecord, StoredLog } from "../domain/log.js";
import { compareLogPositions, decodeLogCursor, encodeLogCursor, type LogPosition } from "./log-cursor.js";
import { logFilter } from "./log-query-match.js";
import { DEFAULT_MAX_LOGS, type LogPage, type LogQuery, type LogStore } from "./log-store.js";
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
  /** Numbers of each trace's records, in arrival order. */
  const byTrace = new Map<string, number[]>();

  function evictOldest(): void {
    while (arrival.length - head > maxLogs) {
      const seq = baseSeq + head;
      const record = recordOf(seq);
      byTime.remove(seq);
      if (record.traceId !== null) {
        const ofTrace = byTrace.get(record.traceId) as number[];
        ofTrace.shift();
        if (ofTrace.length === 0) byTrace.delete(record.traceId);
      }
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

  function insertLogs(records: readonly LogRecord[]): StoredLog[] {
    const first = nextSeq;
    for (const record of records) {
      const seq = nextSeq++;
      arrival.push(record);
      timeHigh.push(Number(record.timeUnixNano >> 20n));
      timeLow.push(Number(record.timeUnixNano & 0xfffffn));
      byTime.insert(seq);
      if (record.traceId !== null) {
        const ofTrace = byTrace.get(record.traceId);
        if (ofTrace === undefined) byTrace.set(record.traceId, [seq]);
        else ofTrace.push(seq);
      }
    }
    evictOldest();
    const stored: StoredLog[] = [];
    for (let seq = Math.max(first, baseSeq + head); seq < nextSeq; seq++) stored.push({ seq, record: recordOf(seq) });
    return stored;
  }

  function listLogs(query: LogQuery): LogPage {
    const cursor = query.cursor === undefined ? undefined : decodeLogCursor(query.cursor);
    const filter = logFilter(query);
    const desc = query.order === "desc";
    const out: StoredLog[] = [];
    let more = false;
    /** Takes a matching record; false once the page is full and one more match proves a next page. */
    const take = (seq: number): boolean => {
      const record = recordOf(seq);
      if (!filter.matches(record)) return true;
      if (out.length === query.limit) {
        more = true;
        return false;
      }
      out.push({ seq, record });
      return true;
    };
    const compareTo = (seq: number, position: LogPosition) =>
      compareLogPositions(recordOf(seq).timeUnixNano, seq, position.timeUnixNano, position.seq);

    if (query.traceId !== undefined) {
      const seqs = (byTrace.get(query.traceId) ?? []).filter(
        (seq) => cursor === undefined || (desc ? compareTo(seq, cursor) < 0 : compareTo(seq, cursor) > 0),
      );
      seqs.sort(
        (a, b) => (desc ? -1 : 1) * compareLogPositions(recordOf(a).timeUnixNano, a, recordOf(b).timeUnixNano, b),
      );
      for (const seq of seqs) if (!take(seq)) break;
    } else if (desc) {
      const { untilUnixNano: until, sinceUnixNano: since } = query;
      byTime.walkDown(
        (seq) => (since !== undefined && recordOf(seq).timeUnixNano < since ? false : take(seq)),
        cursor === undefined && until === undefined
          ? undefined
          : (seq) =>
              (cursor === undefined || compareTo(seq, cursor) < 0) &&
              (until === undefined || recordOf(seq).timeUnixNano <= until),
      );
    } else {
      const { untilUnixNano: until, sinceUnixNano: since } = query;
      byTime.walkUp(
        (seq) => (until !== undefined && recordOf(seq).timeUnixNano > until ? false : take(seq)),
        cursor === undefined && since === undefined
          ? undefined
          : (seq) =>
              (cursor !== undefined && compareTo(seq, cursor) <= 0) ||
              (since !== undefined && recordOf(seq).timeUnixNano < since),
      );
    }
    const page: LogPage = { logs: out };
    const last = out[out.length - 1];
    if (more && last !== undefined) {
      page.nextCursor = encodeLogCursor({ timeUnixNano: last.record.timeUnixNano, seq: last.seq });
    }
    return page;
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
