/** The metrics the Services table shows per service, where the services send them. Pure. */
import type { MetricCatalogEntryJson, MetricQueryResponse } from "../../../../src/protocol";
import { lastValue } from "../metrics/metric-chart-model";

export interface KeyMetric {
  /** The column: one per label, filled by the first of its metrics that exists. */
  label: string;
  name: string;
  /** Which of the query's arrays to read: a percentile, or the values. */
  stat: "p95" | "values";
  title: string;
}

/** In order of preference within a column: current semantic conventions first, then the older names. */
export const KEY_METRICS: readonly KeyMetric[] = [
  {
    label: "HTTP p95",
    name: "http.server.request.duration",
    stat: "p95",
    title: "p95 of http.server.request.duration over the last 15 minutes (from the service's metrics)",
  },
  {
    label: "HTTP p95",
    name: "http.server.duration",
    stat: "p95",
    title: "p95 of http.server.duration over the last 15 minutes (from the service's metrics)",
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
