import { type LogRecord, logContainsText, severityRank, type TextMatcher, textMatcher } from "../domain/log.js";
import type { LogQuery } from "./log-store.js";

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
