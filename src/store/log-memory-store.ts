import type { LogRecord, StoredLog } from "../domain/log.js";
import { compareLogPositions, decodeLogCursor, type LogPosition } from "./log-cursor.js";
import { LogPageBuilder, logFilter, traceLogPage } from "./log-query-match.js";
import { LogServiceIndex } from "./log-services.js";
import {
  DEFAULT_MAX_LOGS,
  LOG_COUNT_BUDGET,
  type LogInsertOptions,
  type LogInsertResult,
  type LogPage,
  type LogQuery,
  type LogStore,
} from "./log-store.js";
import { recordsStoredBefore, type StoredBefore } from "./log-stored-before.js";
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
  const services = new LogServiceIndex();
  /**
   * Requests stored in slices, and which of their records were stored before: judged at the first
   * slice, before any of the request is stored, and held only as long as the request is.
   */
  const verdicts = new WeakMap<readonly LogRecord[], StoredBefore | null>();

  /** The stored records of one time: they sit together in the time index. */
  function storedAt(time: bigint): StoredLog[] {
    const high = Number(time >> 20n);
    const low = Number(time & 0xfffffn);
    const before = (seq: number) => {
      const i = seq - baseSeq;
      const h = timeHigh[i] as number;
      return h < high || (h === high && (timeLow[i] as number) < low);
    };
    const found: StoredLog[] = [];
    byTime.walkUp((seq) => {
      const i = seq - baseSeq;
      if (timeHigh[i] !== high || timeLow[i] !== low) return false;
      found.push({ seq, record: recordOf(seq) });
      return true;
    }, before);
    return found;
  }

  function newestStored(): bigint {
    let newest = -1n;
    byTime.walkDown((seq) => {
      newest = recordOf(seq).timeUnixNano;
      return false;
    });
    return newest;
  }

  function oldestStored(): bigint {
    let oldest = -1n;
    byTime.walkUp((seq) => {
      oldest = recordOf(seq).timeUnixNano;
      return false;
    });
    return oldest;
  }

  function storedBefore(records: readonly LogRecord[], request: readonly LogRecord[] | undefined): StoredBefore | null {
    if (request === undefined) return recordsStoredBefore(records, newestStored(), oldestStored, storedAt);
    let verdict = verdicts.get(request);
    if (verdict === undefined) {
      verdict = recordsStoredBefore(request, newestStored(), oldestStored, storedAt);
      verdicts.set(request, verdict);
    }
    return verdict;
  }

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

  function insertLogs(records: readonly LogRecord[], options: LogInsertOptions = {}): LogInsertResult {
    if (records.length === 0) return { stored: [], duplicates: 0 };
    let fresh = records;
    let duplicates = 0;
    if (options.mayBeSentAgain !== false) {
      const before = storedBefore(records, options.request);
      if (before !== null) {
        ({ fresh, duplicates } = before.take(records, { firstSeq: baseSeq + head, nextSeq, maxLogs }));
      }
      if (fresh.length === 0) return { stored: [], duplicates };
    }
    const first = nextSeq;
    for (const record of fresh) {
      const seq = nextSeq++;
      arrival.push(record);
      timeHigh.push(Number(record.timeUnixNano >> 20n));
      timeLow.push(Number(record.timeUnixNano & 0xfffffn));
      byTime.insert(seq);
      if (record.traceId !== null) byTrace.add(seq, record.traceId);
      services.add(record.service, seq);
    }
    evictOldest();
    const stored: StoredLog[] = [];
    for (let seq = Math.max(first, baseSeq + head); seq < nextSeq; seq++) stored.push({ seq, record: recordOf(seq) });
    return { stored, duplicates };
  }

  function listLogs(query: LogQuery): LogPage {
    const filter = logFilter(query);
    if (query.afterSeq !== undefined) {
      const builder = new LogPageBuilder(query.limit);
      for (let seq = Math.max(query.afterSeq + 1, baseSeq + head); seq < nextSeq; seq++) {
        const record = recordOf(seq);
        if (filter.matches(record) && !builder.offer({ seq, record })) break;
      }
      return builder.page();
    }
    if (query.traceId !== undefined) {
      const logs = byTrace.seqsOf(query.traceId).map((seq) => ({ seq, record: recordOf(seq) }));
      return traceLogPage(logs, query, filter);
    }
    const cursor = query.cursor === undefined ? undefined : decodeLogCursor(query.cursor);
    const builder = new LogPageBuilder(query.limit, query.count === true ? LOG_COUNT_BUDGET : 0);
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

  function getLog(seq: number): StoredLog | undefined {
    if (!Number.isSafeInteger(seq) || seq < baseSeq + head || seq >= nextSeq) return undefined;
    return { seq, record: recordOf(seq) };
  }

  function clear(): void {
    arrival = [];
    timeHigh = [];
    timeLow = [];
    head = 0;
    baseSeq = nextSeq;
    byTime.clear();
    byTrace.clear();
    services.clear();
  }

  return {
    kind: "memory",
    insertLogs,
    listLogs,
    getLog,
    logServices: () => services.names(baseSeq + head),
    clear,
    stats: () => ({ logs: arrival.length - head, maxLogs, evictedLogs }),
    lastSeq: () => nextSeq - 1,
    close: clear,
  };
}
