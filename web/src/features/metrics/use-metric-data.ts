import { useLayoutEffect, useRef } from "preact/hooks";
import { distributionStat } from "../../../../src/domain/metric";
import type { MetricCatalogResponse, MetricQueryResponse } from "../../../../src/protocol";
import { api } from "../../api/client";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLatestFetch } from "../../lib/use-latest-fetch";
import { useLiveMessages, useLiveState } from "../../state/live-context";
import { type MetricsUrlState, metricQuerySearch } from "./metrics-url";

/** The catalog, refreshed (at most every 2 s) while metrics arrive, and after a clear or a reconnection. */
export function useMetricCatalog(): { catalog: MetricCatalogResponse | null; error: string | null } {
  const { generation } = useLiveState();
  const { data, error, load, reload } = useLatestFetch(String(generation), (signal) => api.metricCatalog(signal));
  // Asked for as soon as the page is rendered, beside the series, rather than after it is painted.
  useLayoutEffect(load, [generation]);
  const loadSoon = useCoalesced(load, 2000);
  useLiveMessages((m) => {
    if (m.type === "metrics") loadSoon();
    else if (m.type === "cleared") reload();
  });
  return { catalog: data, error };
}

/**
 * The selected metric's series for the page's state. A live `metrics` message naming it fetches again,
 * at most once a second: the chart takes the new answer in place (zoom and hidden lines stay).
 */
export function useMetricQuery(
  state: MetricsUrlState,
  /** False while the catalog says the metric has not arrived: nothing to ask for yet. */
  enabled: boolean,
): {
  response: MetricQueryResponse | null;
  error: string | null;
} {
  const { generation } = useLiveState();
  const { metric, service, groupBy, window, from, to, chart } = state;
  const stat = distributionStat(state.stat);
  const queryKey = `${enabled}\u0000${metric}\u0000${service}\u0000${groupBy}\u0000${window}\u0000${from}\u0000${to}\u0000${chart}\u0000${generation}`;
  const { data, error, load, reload, setData } = useLatestFetch(`${queryKey}\u0000${stat}`, (signal) =>
    metric && enabled
      ? api.metric(metric, metricQuerySearch({ metric, service, groupBy, window, from, to, chart, stat }), signal)
      : null,
  );
  const asked = useRef<string | null>(null);
  // A different query shows nothing stale while its answer comes; another statistic keeps the answer in
  // hand (it says which statistic it carries) until its own comes. Asked for as soon as the panel is
  // rendered rather than after it is painted: a cold page's HTML names this request, so its answer is
  // usually waiting already, and the chart is then built a frame sooner.
  useLayoutEffect(() => {
    if (asked.current !== queryKey) setData(null);
    asked.current = queryKey;
    load();
  }, [queryKey, stat]);
  const loadSoon = useCoalesced(load, 1000);
  useLiveMessages((m) => {
    if (m.type === "metrics" && enabled && metric !== undefined && m.names.includes(metric)) loadSoon();
    else if (m.type === "cleared") reload();
  });
  return { response: data?.metric.name === metric ? data : null, error };
}
