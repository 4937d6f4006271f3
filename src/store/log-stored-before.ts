import { type LogRecord, type StoredLog, sameLogRecord } from "../domain/log.js";

/** A record of a request equal to a stored one, and what has become of it. */
interface Match {
  readonly record: LogRecord;
  /** The stored record's number. */
  readonly seq: number;
  /** 0 until a call takes the record's slice; then that call's number. */
  call: number;
  /** The stored record is evicted, or will be by the call that found it so: the request's record is stored. */
  gone: boolean;
}

/** Where a store's numbers stand: they are consecutive, and past `maxLogs` the lowest are evicted first. */
export interface StoredNumbers {
  /** The lowest number still stored (`nextSeq` when none is). */
  firstSeq: number;
  nextSeq: number;
  maxLogs: number;
}

/**
 * The records of a request that may be sent again (an import) that a store held when it was judged,
 * each with the stored record it is equal to. A record is left out only while that stored record
 * stays: what a call stores evicts the lowest numbers first, so the matches are kept by number.
 */
export class StoredBefore {
  private readonly bySeq: Match[];
  private readonly ofRecord = new Map<LogRecord, Match[]>();
  /** bySeq before this is gone. */
  private low = 0;
  private calls = 0;

  constructor(matches: Match[]) {
    this.bySeq = matches.sort((a, b) => a.seq - b.seq);
    for (const match of matches) {
      const same = this.ofRecord.get(match.record);
      if (same === undefined) this.ofRecord.set(match.record, [match]);
      else same.push(match);
    }
  }

  /**
   * What one slice of the request stores (the whole request when it is not sliced): its records not
   * stored before, in order, then those of its earlier slices whose stored record this call evicts
   * (or something else evicted since). A record is never left out for a stored record the same call
   * evicts: each record stored evicts one more, so the stored ones found below the bound are taken
   * in until the lowest left is above it. `duplicates` is how many more of the request's records
   * are counted as stored before: this slice's left out, less the earlier slices' stored now (so a
   * slice's may be negative; a request's slices add up to the request's).
   */
  take(records: readonly LogRecord[], numbers: StoredNumbers): { fresh: LogRecord[]; duplicates: number } {
    const call = ++this.calls;
    const found: (Match | undefined)[] = [];
    let storing = 0;
    for (const record of records) {
      const match = this.ofRecord.get(record)?.shift();
      found.push(match);
      if (match === undefined || match.gone) storing++;
      else match.call = call;
    }
    const later: LogRecord[] = [];
    const { firstSeq, nextSeq, maxLogs } = numbers;
    while (this.low < this.bySeq.length) {
      const match = this.bySeq[this.low] as Match;
      if (match.seq >= Math.max(firstSeq, nextSeq + storing - maxLogs)) break;
      this.low++;
      match.gone = true;
      // A record of a later slice is stored when its slice comes.
      if (match.call === 0) continue;
      storing++;
      if (match.call !== call) later.push(match.record);
    }
    const fresh: LogRecord[] = [];
    for (let i = 0; i < records.length; i++) {
      const match = found[i];
      if (match === undefined || match.gone) fresh.push(records[i] as LogRecord);
    }
    const duplicates = records.length - fresh.length - later.length;
    for (const record of later) fresh.push(record);
    return { fresh, duplicates };
  }
}

/**
 * What a record is filed under when it is looked for among many of one time: fields that equal
 * records share (`sameLogRecord` compares them as they are), so only records of its key are compared
 * with it. A burst logged in one millisecond does not make each record compared with each.
 */
function keyOf(record: LogRecord): string {
  const { body } = record;
  const text = typeof body === "string" ? `s${body}` : "o";
  return `${record.severityNumber} ${record.severityText} ${record.service} ${record.traceId} ${record.spanId} ${text}`;
}

/**
 * Which of a request's records were stored before: those equal to a stored record of their own (two
 * equal records of the request need two stored ones, so equal records a store holds once are kept
 * once more, and a loop's equal records in a file are all kept the first time it is imported). Null
 * when none were. `newestStored` is the newest stored time (-1n: none) and `oldestStored` tells the
 * oldest (asked only when a record is not newer than the newest): a record outside them is new without
 * a look-up, which tells nearly every record of an import new (it is newer, or older than what
 * retention kept); `storedAt` gives the stored records of a time in the order of their numbers (oldest
 * first), and is asked once for each time of the request's other records.
 */
export function recordsStoredBefore(
  records: readonly LogRecord[],
  newestStored: bigint,
  oldestStored: () => bigint,
  storedAt: (time: bigint) => readonly StoredLog[],
): StoredBefore | null {
  let oldest: bigint | undefined;
  let byTime: Map<bigint, LogRecord[]> | undefined;
  for (const record of records) {
    const time = record.timeUnixNano;
    if (time > newestStored) continue;
    oldest ??= oldestStored();
    if (time < oldest) continue;
    byTime ??= new Map();
    const same = byTime.get(time);
    if (same === undefined) byTime.set(time, [record]);
    else same.push(record);
  }
  if (byTime === undefined) return null;
  const matches: Match[] = [];
  for (const [time, sent] of byTime) {
    const stored = storedAt(time);
    if (stored.length === 0) continue;
    const byKey = new Map<string, StoredLog[]>();
    for (const log of stored) {
      const key = keyOf(log.record);
      const same = byKey.get(key);
      if (same === undefined) byKey.set(key, [log]);
      else same.push(log);
    }
    for (const record of sent) {
      const key = keyOf(record);
      const same = byKey.get(key);
      if (same === undefined) continue;
      // The newest equal copy (the stored records come in their numbers' order): the last to be evicted,
      // so a record is left out for the copy most likely to outlive this insert.
      let i = same.length - 1;
      while (i >= 0 && !sameLogRecord((same[i] as StoredLog).record, record)) i--;
      if (i < 0) continue;
      matches.push({ record, seq: (same[i] as StoredLog).seq, call: 0, gone: false });
      // Taken: equal records sent again each find the next newest copy at once, at the end.
      if (i === same.length - 1) same.pop();
      else same.splice(i, 1);
      if (same.length === 0) byKey.delete(key);
    }
  }
  return matches.length === 0 ? null : new StoredBefore(matches);
}
