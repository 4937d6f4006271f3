import { count as number, plural } from "../domain/count-text.js";

/** What a store evicted to stay within its bounds: traces with their spans, and log records. */
export interface EvictedCounts {
  traces: number;
  spans: number;
  logs: number;
}

/**
 * What was evicted and the bounds it kept to (`8 traces (16 spans) to stay within 10 spans and 5 log
 * records to stay within 10`), with the flags that raise those bounds (`--max-spans / --max-logs`);
 * null when nothing was. `import` and a start word their notes with it alike.
 */
export function evictedWithin(
  evicted: EvictedCounts,
  bounds: { maxSpans: number; maxLogs: number },
): { what: string; flags: string } | null {
  if (evicted.traces <= 0 && evicted.logs <= 0) return null;
  const parts: string[] = [];
  if (evicted.traces > 0) {
    parts.push(
      `${plural(evicted.traces, "trace")} (${plural(evicted.spans, "span")}) to stay within ${number(bounds.maxSpans)} spans`,
    );
  }
  if (evicted.logs > 0) parts.push(`${plural(evicted.logs, "log record")} to stay within ${number(bounds.maxLogs)}`);
  const flags = [evicted.traces > 0 ? "--max-spans" : "", evicted.logs > 0 ? "--max-logs" : ""].filter(
    (flag) => flag !== "",
  );
  return { what: parts.join(" and "), flags: flags.join(" / ") };
}

/**
 * The start's line when opening its `--db` file evicted to fit bounds below what the file held: the
 * traces larger than --max-spans alone and the oldest arrivals, the oldest log records. Without it,
 * a smaller bound given by mistake empties a file with nothing said.
 */
export function openEvictionLine(
  path: string,
  evicted: EvictedCounts,
  bounds: { maxSpans: number; maxLogs: number },
): string | null {
  const within = evictedWithin(evicted, bounds);
  if (within === null) return null;
  return `  ! ${path}: evicted ${within.what} as it opened; pass a larger ${within.flags} to keep more`;
}
