/**
 * What the Metrics page says of metrics that retention removed (see MetricCatalogResponse): why one a
 * link names is gone, and how many went. Pure.
 */
import type { ExpiredMetricJson, MetricCatalogResponse } from "../../../../src/protocol";
import { formatAbsolute, formatCount, formatDuration, formatRelative, nanosToMillis } from "../../lib/format";

const DAY_MS = 86_400_000;

/** The retention window in words: "a day", "2 days", else a duration. */
export function retentionText(ms: number): string {
  if (ms === DAY_MS) return "a day";
  return ms % DAY_MS === 0 ? `${ms / DAY_MS} days` : formatDuration(ms);
}

/** The metric a link names, when retention removed it (and it has not arrived again). */
export function expiredMetric(catalog: MetricCatalogResponse | null, name: string): ExpiredMetricJson | null {
  return catalog?.expiredMetrics?.find((m) => m.name === name) ?? null;
}

/** Why a removed metric is not shown: its newest point, the newest point stored, and the rule. */
export function expiredReason(metric: ExpiredMetricJson, retentionMs: number, nowMs: number): string {
  const last = nanosToMillis(metric.lastTimeUnixNano);
  const series = `${formatCount(metric.seriesCount)} series`;
  return (
    `Its newest point (${formatAbsolute(last).slice(0, 19)}, ${formatRelative(last, nowMs)}) was more than ` +
    `${retentionText(retentionMs)} older than the newest metric point received (${formatAbsolute(metric.newestUnixMs).slice(0, 19)}), ` +
    `so its ${series} ${metric.seriesCount === 1 ? "was" : "were"} removed: a series is kept while its newest point is ` +
    `within ${retentionText(retentionMs)} of the newest point of any metric (the senders' clocks, not this machine's).`
  );
}

/** The quiet line that counts series retention removed, or null when it removed none. */
export function expiredSummary(catalog: MetricCatalogResponse): string | null {
  const count = catalog.expiredSeries ?? 0;
  if (count === 0) return null;
  const names = (catalog.expiredMetrics ?? []).map((m) => m.name).sort();
  const shown = names.slice(0, 3).join(", ");
  const more = names.length > 3 ? ` and ${formatCount(names.length - 3)} more` : "";
  const which = names.length > 0 ? ` (all of ${shown}${more})` : "";
  return (
    `${formatCount(count)} series ${count === 1 ? "was" : "were"} removed by retention${which}: ` +
    `their newest point was more than ${retentionText(catalog.retentionMs)} older than the newest metric point received.`
  );
}
