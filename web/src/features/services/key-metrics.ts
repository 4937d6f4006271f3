/** The metrics the Services table shows per service, where the services send them. Pure. */
import type { MetricCatalogEntryJson, MetricQueryResponse } from "../../../../src/protocol";
import { lastValue } from "../metrics/metric-chart-model";

export interface KeyMetric {
  /** The column: one per label, filled by the first of its metrics that exists. */
  label: string;
  name: string;
  /** Which of the query's arrays to read: a percentile, or the values. */
  stat: "p95" | "values";
  /** What the column shows; " over <the page's window>" follows for a percentile. */
  title: string;
}

/** In order of preference within a column: current semantic conventions first, then the older names. */
export const KEY_METRICS: readonly KeyMetric[] = [
  {
    label: "HTTP p95",
    name: "http.server.request.duration",
    stat: "p95",
    title: "p95 of http.server.request.duration (from the service's metrics)",
  },
  {
    label: "HTTP p95",
    name: "http.server.duration",
    stat: "p95",
    title: "p95 of http.server.duration (from the service's metrics)",
  },
  {
    label: "Active requests",
    name: "http.server.active_requests",
    stat: "values",
    title: "http.server.active_requests, the latest value (from the service's metrics)",
  },
];

/** The key metrics the catalog holds, one per column. */
export function keyMetricsPresent(catalog: readonly MetricCatalogEntryJson[]): KeyMetric[] {
  const names = new Set(catalog.map((m) => m.name));
  const chosen = new Map<string, KeyMetric>();
  for (const key of KEY_METRICS) if (names.has(key.name) && !chosen.has(key.label)) chosen.set(key.label, key);
  return [...chosen.values()];
}

/**
 * The query of a key metric for the Services page's window (`ms`, null for everything stored): grouped
 * by service, in one step, so a percentile is over the whole window, as the table's other columns are.
 */
export function keyMetricSearch(windowMs: number | null): string {
  // Metrics are kept for a day past their last point; a week covers everything stored.
  const ms = windowMs ?? 7 * 86_400_000;
  return `?${new URLSearchParams({ window: `${ms / 1000}s`, step: String(ms), groupBy: "service.name", stat: "p95" })}`;
}

/** The column's tooltip: what it shows, and over which window for a percentile. */
export function keyMetricTitle(key: KeyMetric, windowLabel: string): string {
  const label = windowLabel.toLowerCase();
  return key.stat === "p95" ? `${key.title}, over ${label.startsWith("last ") ? `the ${label}` : label}` : key.title;
}

/** Per service, the latest value of a key metric in a query grouped by `service.name`. */
export function latestPerService(key: KeyMetric, response: MetricQueryResponse): Map<string, number> {
  const out = new Map<string, number>();
  for (const series of response.series) {
    const service = series.attributes["service.name"] ?? series.label;
    const values = key.stat === "p95" ? series.p95 : series.values;
    if (typeof service !== "string" || !values) continue;
    const value = lastValue(values);
    if (value !== null) out.set(service, value);
  }
  return out;
}
