import {
  type LogRecord,
  logContainsText,
  type StoredLog,
  severityRank,
  type TextMatcher,
  textMatcher,
} from "../domain/log.js";
import { compareLogPositions, decodeLogCursor, encodeLogCursor } from "./log-cursor.js";
import type { LogPage, LogQuery } from "./log-store.js";

/** A query's filters, prepared once per query and checked per record by both log stores. */
export interface LogFilter {
  matches(record: LogRecord): boolean;
  /** The free-text part alone, when the query has one. */
  text: TextMatcher | undefined;
}

export function logFilter(query: LogQuery): LogFilter {
  const { service, traceId, spanId, sinceUnixNano, untilUnixNano } = query;
  const minRank = query.minSeverity === undefined ? 0 : severityRank(query.minSeverity);
  const needle = query.q?.trim() || undefined;
  const text = needle === undefined ? undefined : textMatcher(needle);
  return {
    text,
    matches(record) {
      if (service !== undefined && record.service !== service) return false;
      if (traceId !== undefined && record.traceId !== traceId) return false;
      if (spanId !== undefined && record.spanId !== spanId) return false;
      if (sinceUnixNano !== undefined && record.timeUnixNano < sinceUnixNano) return false;
      if (untilUnixNano !== undefined && record.timeUnixNano > untilUnixNano) return false;
      if (minRank > 0 && severityRank(record.severity) < minRank) return false;
      return text === undefined || logContainsText(record, text);
    },
  };
}

/** Collects one page of matching records in order, and knows whether another page follows. */
export class LogPageBuilder {
  private readonly logs: StoredLog[] = [];
  private more = false;

  constructor(private readonly limit: number) {}

  /** Adds a matching record; false once the page is full and this one proves a next page. */
  offer(log: StoredLog): boolean {
    if (this.logs.length === this.limit) {
      this.more = true;
      return false;
    }
    this.logs.push(log);
    return true;
  }

  page(): LogPage {
    const page: LogPage = { logs: this.logs };
    const last = this.logs[this.logs.length - 1];
    if (this.more && last !== undefined) {
      page.nextCursor = encodeLogCursor({ timeUnixNano: last.record.timeUnixNano, seq: last.seq });
    }
    return page;
  }
}

/**
 * A page of one trace's records (all of them at hand, in any order): those the filter and the cursor
 * let through, in the query's order.
 */
export function traceLogPage(logs: StoredLog[], query: LogQuery, filter: LogFilter): LogPage {
  const cursor = query.cursor === undefined ? undefined : decodeLogCursor(query.cursor);
  const sign = query.order === "desc" ? -1 : 1;
  const builder = new LogPageBuilder(query.limit);
  const sorted = logs
    .filter((log) => filter.matches(log.record))
    .filter(
      (log) =>
        cursor === undefined ||
        sign * compareLogPositions(log.record.timeUnixNano, log.seq, cursor.timeUnixNano, cursor.seq) > 0,
    )
    .sort((a, b) => sign * compareLogPositions(a.record.timeUnixNano, a.seq, b.record.timeUnixNano, b.seq));
  for (const log of sorted) if (!builder.offer(log)) break;
  return builder.page();
}
