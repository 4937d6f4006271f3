import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { distributionStat } from "../../../../src/domain/metric";
import type { MetricCatalogResponse, MetricQueryResponse } from "../../../../src/protocol";
import { api } from "../../api/client";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLiveMessages, useLiveState } from "../../state/live-context";
import { type MetricsUrlState, metricQuerySearch } from "./metrics-url";

function message(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/** A fetch that aborts the one before it and drops answers that arrive after a newer request. */
function useLatestFetch<T>(fetcher: (signal: AbortSignal) => Promise<T> | null) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  const latest = useRef(fetcher);
  latest.current = fetcher;
  const load = useCallback(() => {
    controller.current?.abort();
    const ac = new AbortController();
    controller.current = ac;
    const pending = latest.current(ac.signal);
    if (pending === null) {
      setData(null);
      return;
    }
    pending
      .then((body) => {
        if (ac.signal.aborted) return;
        setData(body);
        setError(null);
      })
      .catch((reason: unknown) => {
        if (!ac.signal.aborted) setError(message(reason));
      });
  }, []);
  useEffect(() => () => controller.current?.abort(), []);
  return { data, error, load, setData };
}

/** The catalog, refreshed (at most every 2 s) while metrics arrive, and after a clear or a reconnection. */
export function useMetricCatalog(): { catalog: MetricCatalogResponse | null; error: string | null } {
  const { generation } = useLiveState();
  const { data, error, load } = useLatestFetch((signal) => api.metricCatalog(signal));
  // Asked for as soon as the page is rendered, beside the series, rather than after it is painted.
  useLayoutEffect(load, [generation]);
  const loadSoon = useCoalesced(load, 2000);
  useLiveMessages((m) => {
    if (m.type === "metrics") loadSoon();
    else if (m.type === "cleared") load();
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
  const { data, error, load, setData } = useLatestFetch((signal) =>
    metric && enabled
      ? api.metric(metric, metricQuerySearch({ metric, service, groupBy, window, from, to, chart, stat }), signal)
      : null,
  );
  const queryKey = `${enabled}\u0000${metric}\u0000${service}\u0000${groupBy}\u0000${window}\u0000${from}\u0000${to}\u0000${chart}\u0000${generation}`;
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
    else if (m.type === "cleared") load();
  });
  return { response: data?.metric.name === metric ? data : null, error };
}
