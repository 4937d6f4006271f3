/** A trace's logs, for the trace view: in time order, per span, and the marks on waterfall rows. Pure. */
import type { LogRecordJson, LogSeverity } from "../../../../src/protocol";
import { nanosDiffMs } from "../../lib/format";
import { OrderedList } from "../../lib/ordered-list";
import { compareLogsOldestFirst } from "./log-feed";
import { worseSeverity } from "./severity";

/** A trace's logs, oldest first, each once however often it arrives (a page and a live push). */
export class TraceLogList extends OrderedList<LogRecordJson> {
  constructor() {
    super((record) => record.id, compareLogsOldestFirst);
  }

  /** Adds the records of this trace; says whether any was new. */
  addAll(records: readonly LogRecordJson[], traceId: string): boolean {
    let added = false;
    for (const record of records) {
      if (record.traceId === traceId && this.upsert(record) === "added") added = true;
    }
    return added;
  }
}

/** The logs of each span, in the order given (oldest first); records outside any span are left out. */
export function logsBySpan(logs: readonly LogRecordJson[]): Map<string, LogRecordJson[]> {
  const bySpan = new Map<string, LogRecordJson[]>();
  for (const record of logs) {
    if (record.spanId === null) continue;
    const list = bySpan.get(record.spanId);
    if (list) list.push(record);
    else bySpan.set(record.spanId, [record]);
  }
  return bySpan;
}

/** What a waterfall row shows of its span's logs: how many, and the worst level among them. */
export interface SpanLogMark {
  count: number;
  worst: LogSeverity;
}

export function logMarks(bySpan: ReadonlyMap<string, readonly LogRecordJson[]>): Map<string, SpanLogMark> {
  const marks = new Map<string, SpanLogMark>();
  for (const [spanId, records] of bySpan) {
    let worst: LogSeverity = "UNSPECIFIED";
    for (const record of records) worst = worseSeverity(worst, record.severity);
    marks.set(spanId, { count: records.length, worst });
  }
  return marks;
}

/** A record's time after the trace's start, in ms (negative when it was logged before the first span). */
export function offsetInTraceMs(record: Pick<LogRecordJson, "timeUnixNano">, traceStartNanos: string): number {
  return nanosDiffMs(traceStartNanos, record.timeUnixNano);
}

/** "+12.3ms" / "−4ms": an offset with its sign. */
export function formatOffset(ms: number, format: (ms: number) => string): string {
  return ms < 0 ? `−${format(-ms)}` : `+${format(ms)}`;
}
