import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type MetricUnit, metricUnit } from "../../../../src/domain/metric-units";
import { api } from "../../api/client";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLiveMessages } from "../../state/live-context";
import { type KeyMetric, keyMetricSearch, keyMetricsPresent, latestPerService } from "./key-metrics";

export interface KeyMetricColumn {
  key: KeyMetric;
  unit: MetricUnit;
  /** service name → latest value */
  values: Map<string, number>;
}

/**
 * The key metrics of every service that sends them over the page's window (`windowMs`, null for
 * everything stored; one query per metric, grouped by service), refreshed at most every 5 s while they
 * receive points.
 */
export function useKeyMetrics(windowMs: number | null): KeyMetricColumn[] {
  const [columns, setColumns] = useState<KeyMetricColumn[]>([]);
  const names = useRef(new Set<string>());
  const load = useCallback(() => {
    api
      .metricCatalog()
      .then(async (catalog) => {
        const keys = keyMetricsPresent(catalog.metrics);
        names.current = new Set(keys.map((k) => k.name));
        const search = keyMetricSearch(windowMs);
        const answers = await Promise.all(keys.map((key) => api.metric(key.name, search)));
        setColumns(
          answers.map((response, i) => {
            const key = keys[i] as KeyMetric;
            const values = latestPerService(key, response);
            return { key, unit: metricUnit(key.name, response.metric.unit, values.values()), values };
          }),
        );
      })
      .catch(() => {
        // Key metrics are extra: the table stands without them.
      });
  }, [windowMs]);
  useEffect(load, [load]);
  const loadSoon = useCoalesced(load, 5000);
  useLiveMessages((m) => {
    if (m.type === "metrics" && (names.current.size === 0 || m.names.some((n) => names.current.has(n)))) loadSoon();
    else if (m.type === "cleared") setColumns([]);
  });
  return columns;
}
