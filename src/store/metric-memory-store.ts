import { MetricCollection } from "./metric-collection.js";
import { queryMetric } from "./metric-query.js";
import { DEFAULT_MAX_METRIC_SERIES, type MetricBounds, type MetricStore } from "./metric-store.js";

/** Metrics in memory (the default): the collection alone, gone when the process ends. */
export function createMemoryMetricStore(bounds: MetricBounds = { maxSeries: DEFAULT_MAX_METRIC_SERIES }): MetricStore {
  const collection = new MetricCollection(bounds.maxSeries);
  return {
    kind: "memory",
    insert: (metrics) => collection.insert(metrics),
    catalog: (query) => collection.catalog(query),
    metric: (name) => collection.metrics.get(name)?.info(),
    query(query) {
      const record = collection.metrics.get(query.name);
      if (record === undefined) return undefined;
      collection.settle(record);
      return queryMetric(record, query, (resource) => collection.resourceSeenMs(resource));
    },
    clear: () => collection.clear(),
    stats: () => collection.stats(),
    close() {},
  };
}
