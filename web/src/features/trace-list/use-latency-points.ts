import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, api } from "../../api/client";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLiveMessages } from "../../state/live-context";
import { filtersToSearch, type ListFilters, matchesFilters } from "../../state/trace-list-model";
import { type LatencyPoint, LatencyPoints, MAX_POINTS } from "./latency-chart-model";

/** The chart redraws at most this often under live traffic. */
const REDRAW_MS = 1000;
/** A query (`q`) cannot be decided from a pushed summary: the chart asks the server again, at most this often. */
const REFETCH_MS = 5000;
const PAGE = 1000;

export interface LatencyPointsState {
  points: readonly LatencyPoint[];
  /** Matching traces with no start (every span's unset): not drawn, but counted in the total. */
  unplaced: number;
  /** More traces matched than the chart draws (it shows the newest MAX_POINTS). */
  capped: boolean;
  loading: boolean;
  /** The points are those of the current filters (false while they load for new ones, or failed to). */
  current: boolean;
  /** Why the last load for the current filters failed: a query that does not parse, or another reason. */
  failure: { badQuery: true } | { badQuery: false; message: string } | null;
}

/** The newest MAX_POINTS traces that match the filters, pages of 1,000 (a search past its time budget continues). */
async function fetchPoints(filters: ListFilters, into: LatencyPoints, signal: AbortSignal): Promise<boolean> {
  let cursor: string | undefined;
  for (let calls = 0; calls < 20 && !signal.aborted; calls++) {
    const page = await api.traces(
      { ...filters, sort: undefined, order: undefined, limit: Math.min(PAGE, MAX_POINTS - into.size), cursor },
      signal,
    );
    for (const summary of page.traces) into.upsert(summary);
    cursor = page.nextCursor;
    if (cursor === undefined) return false;
    if (into.size >= MAX_POINTS) return true;
  }
  return cursor !== undefined;
}

/**
 * The latency chart's traces: loaded for the filters (whatever the list's order), then kept live from
 * the pushed summaries, redrawn at most once a second. Nothing is loaded while the chart is closed.
 * While the list is `paused` the chart holds still with it (the same traces, the same count), and
 * loads afresh when the list shows what came meanwhile.
 */
export function useLatencyPoints(
  filters: ListFilters,
  enabled: boolean,
  generation: number,
  paused = false,
): LatencyPointsState {
  const { sort: _sort, order: _order, ...chartFilters } = filters;
  const key = filtersToSearch(chartFilters);
  const store = useRef(new LatencyPoints()).current;
  const [version, setVersion] = useState(0);
  const [loading, setLoading] = useState(false);
  /** The filters whose points the store holds, or null after a failed load. */
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const [failure, setFailure] = useState<LatencyPointsState["failure"]>(null);
  const [refetches, setRefetches] = useState(0);
  const redraw = useCoalesced(() => setVersion((v) => v + 1), REDRAW_MS);
  const refetch = useCoalesced(() => setRefetches((n) => n + 1), REFETCH_MS);
  // Live summaries are not taken while paused: once resumed, what came meanwhile is loaded.
  const wasPaused = useRef(paused);
  useEffect(() => {
    if (wasPaused.current && !paused) setRefetches((n) => n + 1);
    wasPaused.current = paused;
  }, [paused]);

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    setLoading(true);
    const fresh = new LatencyPoints();
    fetchPoints(chartFilters, fresh, controller.signal)
      .then((capped) => {
        if (controller.signal.aborted) return;
        store.replaceWith(fresh);
        store.capped = capped;
        setLoadedKey(key);
        setFailure(null);
        setVersion((v) => v + 1);
      })
      .catch((reason: unknown) => {
        if (controller.signal.aborted) return;
        setLoadedKey(null);
        setFailure(
          reason instanceof ApiError && reason.code === "bad_query"
            ? { badQuery: true }
            : { badQuery: false, message: reason instanceof Error ? reason.message : String(reason) },
        );
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [key, enabled, generation, refetches]);

  useLiveMessages((message) => {
    if (!enabled) return;
    // Cleared is cleared, paused or not (the list empties too).
    if (message.type === "cleared") {
      store.clear();
      setVersion((v) => v + 1);
      return;
    }
    if (message.type === "evicted" && !paused) {
      // Gone from the store: no point stands for them (past the feed's bound, the chart loads afresh).
      if (message.omitted !== undefined && message.omitted > 0) refetch();
      for (const id of message.traceIds) store.remove(id);
      if (message.traceIds.length > 0) redraw();
      return;
    }
    if (message.type !== "traces" || paused) return;
    let changed = false;
    for (const summary of message.traces) {
      const match = matchesFilters(summary, chartFilters);
      if (match === "yes") {
        store.upsert(summary);
        changed = true;
      } else if (match === "no") {
        store.remove(summary.traceId);
        changed = true;
      } else {
        refetch();
      }
    }
    if (changed) redraw();
  });

  const points = useMemo(() => store.list(), [version]);
  const unplaced = useMemo(() => store.unplacedCount, [version]);
  const current = loadedKey === key;
  return { points, unplaced, capped: store.capped, loading, current, failure: current || loading ? null : failure };
}
