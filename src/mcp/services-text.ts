/** list_services's answer: each service's numbers, every column saying what it counts. Pure. */
import { count } from "../domain/count-text.js";
import { formatDuration } from "../domain/duration-text.js";
import type { ServiceStatsJson } from "../protocol.js";
import { cut, table } from "./format.js";

const HEADER = [
  "service",
  "traces",
  "spans",
  "spans failed",
  "requests",
  "requests failed",
  "% requests failed",
  "requests/s",
  "p50",
  "p95",
  "p99",
];

/** What the columns count, after the table: two counts of failures side by side must not read as one. */
function legend(windowLines: readonly string[] | null): string[] {
  const window = windowLines === null ? "the stored window" : "the window, below";
  return [
    "requests: entry spans (SERVER, CONSUMER) not nested in another of the service; a service without any counts",
    '  its root spans instead, marked "(root spans)". requests failed, % requests failed, requests/s (averaged',
    `  over ${window}) and p50 / p95 / p99 (durations) are of those requests: estimated within 2.2%, never`,
    "  above the slowest request or below the fastest (in a minute retention took spans out of, within 4.4%),",
    "  and the same as service_map's for the same requests.",
    "spans, spans failed: every span of the service, of any kind, and those with status ERROR (a failed",
    "  request's database call or retry fails in a span of its own, so spans failed can exceed requests failed).",
    ...(windowLines ?? []),
  ];
}

/**
 * Requests per second, never "0.00" for a few: two decimals, two significant digits below 0.01, and
 * "< 0.0001" below that (a few requests in a store spanning days), never in exponent notation.
 */
export function perSecondText(perSecond: number): string {
  if (!(perSecond > 0)) return "0";
  if (perSecond >= 0.01) return perSecond.toFixed(2);
  return perSecond >= 0.0001 ? perSecond.toPrecision(2) : "< 0.0001";
}

/** `windowLines`: what names the window counted, when only spans that started in it were counted. */
export function servicesText(
  services: readonly ServiceStatsJson[],
  windowLines: readonly string[] | null = null,
): string {
  const rows = services.map((s) => [
    cut(s.name, 60),
    count(s.traceCount),
    count(s.spanCount),
    count(s.errorCount),
    s.basis === "root" ? `${count(s.requestCount)} (root spans)` : count(s.requestCount),
    count(s.requestErrorCount),
    s.requestCount === 0 ? "–" : `${(s.errorRate * 100).toFixed(1)}%`,
    perSecondText(s.ratePerSec),
    formatDuration(s.p50Ms),
    formatDuration(s.p95Ms),
    formatDuration(s.p99Ms),
  ]);
  return `${table(HEADER, rows)}\n\n${legend(windowLines).join("\n")}`;
}
