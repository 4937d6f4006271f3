/**
 * What the Logs page's count says: every record stored when nothing is filtered, every match when the
 * server counts them (a trace's or a span's records, or up to its bound), else the matches loaded so
 * far, with "+" while more pages follow and a title saying why and how to count them all. Pure.
 */
import { LOG_COUNT_BOUND } from "../../../../src/domain/log";
import { formatCount } from "../../lib/format";
import { hasLogFilters, type LogFilters } from "./log-filters";

export interface LogCountText {
  /** "1,204 records", "200+ records". */
  text: string;
  /** What the number counts, and when it is a lower bound, how to reach the rest. */
  title: string;
}

export interface LogCounts {
  /** Every record stored, kept live (LogFeedState.storedCount). */
  storedCount: number | null;
  /** Every record that matches, when the server counts them (LogFeedState.matchedCount). */
  matchedCount: number | null;
  /** More pages of matches follow the rows loaded. */
  hasMore: boolean;
}

function records(n: number, more = false): string {
  return `${formatCount(n)}${more ? "+" : ""} record${n === 1 && !more ? "" : "s"}`;
}

/** The count for `loaded` rows shown under `filters`. */
export function logCount(filters: LogFilters, loaded: number, counts: LogCounts): LogCountText {
  if (!hasLogFilters(filters)) {
    if (counts.storedCount !== null && counts.storedCount >= loaded) {
      return { text: records(counts.storedCount), title: "Every record stored" };
    }
  } else if (counts.matchedCount !== null) {
    // Live records that match are in the rows a moment before the count is asked again.
    const all = Math.max(counts.matchedCount, loaded);
    const whose =
      filters.spanId !== undefined
        ? "this span's records"
        : filters.traceId !== undefined
          ? "this trace's records"
          : "the records";
    return { text: records(all), title: `Every one of ${whose} that the filters let through` };
  }
  if (!counts.hasMore) return { text: records(loaded), title: "Every record that the filters let through" };
  return {
    text: records(loaded, true),
    title:
      `The first ${formatCount(loaded)} records that the filters let through: more match than the server counts at ` +
      `once (${formatCount(LOG_COUNT_BOUND)} in all). Scrolling down loads more and counts them; a narrower filter ` +
      "(a shorter window, a higher level, a trace) is counted whole.",
  };
}
