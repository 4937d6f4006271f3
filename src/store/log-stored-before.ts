import { type LogRecord, sameLogRecord } from "../domain/log.js";

/**
 * The records of a request that may be sent again (an import) that each store holds already: the
 * request's record objects, each with how many times it stands in the request as such a record.
 */
export type StoredBefore = Map<LogRecord, number>;

/**
 * Which of a request's records were stored before: those equal to a stored record of their own (two
 * equal records of the request need two stored ones, so equal records a store holds once are kept
 * once more, and a loop's equal records in a file are all kept the first time it is imported). Null
 * when none were. `newestStored` is the newest stored time (-1n: none): a record newer than it is new
 * without a look-up, which tells nearly every record of an import new; `storedAt` gives the stored
 * records of a time, and is asked once for each time of the request's other records.
 */
export function recordsStoredBefore(
  records: readonly LogRecord[],
  newestStored: bigint,
  storedAt: (time: bigint) => readonly LogRecord[],
): StoredBefore | null {
  let byTime: Map<bigint, LogRecord[]> | undefined;
  for (const record of records) {
    if (record.timeUnixNano > newestStored) continue;
    byTime ??= new Map();
    const same = byTime.get(record.timeUnixNano);
    if (same === undefined) byTime.set(record.timeUnixNano, [record]);
    else same.push(record);
  }
  if (byTime === undefined) return null;
  let found: StoredBefore | null = null;
  for (const [time, sent] of byTime) {
    const stored = storedAt(time);
    if (stored.length === 0) continue;
    const taken = new Uint8Array(stored.length);
    let left = stored.length;
    for (const record of sent) {
      let i = 0;
      while (i < stored.length && (taken[i] === 1 || !sameLogRecord(stored[i] as LogRecord, record))) i++;
      if (i === stored.length) continue;
      taken[i] = 1;
      found ??= new Map();
      found.set(record, (found.get(record) ?? 0) + 1);
      if (--left === 0) break;
    }
  }
  return found;
}

/**
 * The records of one slice of a request that were not stored before, in order; takes those found in
 * it from `before`, so that the request's other slices are not counted against them again.
 */
export function recordsNotStoredBefore(records: readonly LogRecord[], before: StoredBefore): LogRecord[] {
  const fresh: LogRecord[] = [];
  for (const record of records) {
    const times = before.get(record);
    if (times === undefined) fresh.push(record);
    else if (times === 1) before.delete(record);
    else before.set(record, times - 1);
  }
  return fresh;
}
