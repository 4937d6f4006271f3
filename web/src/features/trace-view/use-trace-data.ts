import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { TraceResponse } from "../../../../src/protocol";
import { ApiError, api } from "../../api/client";
import { useLiveMessages } from "../../state/live-context";
import { type LastRefresh, refreshDelayMs } from "./refresh-pacing";

export type TraceNotice = "cleared" | "evicted" | null;

export type TraceLoad =
  | { state: "loading" }
  | { state: "not-found" }
  | { state: "error"; message: string }
  | { state: "ready"; trace: TraceResponse; notice: TraceNotice; refreshError: string | null };

/**
 * Loads one trace and keeps it current: a live `traces` message naming it (with a different span
 * count) triggers a coalesced refetch, paced by what the last one cost (refresh-pacing.ts) so a big
 * trace that keeps growing does not freeze the page. A refetch waits for a fetch still running
 * rather than abort it (aborting would starve a slow one). Once shown, a trace stays on screen when
 * it is cleared or evicted; a notice says so.
 */
export function useTraceData(traceId: string): { load: TraceLoad; retry(): void } {
  const [load, setLoad] = useState<TraceLoad>({ state: "loading" });
  const latest = useRef(load);
  const scheduleRef = useRef(() => {});
  latest.current = load;
  const inFlight = useRef<AbortController | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** Counts live messages about this trace, to tell whether one came in while a fetch ran. */
  const news = useRef(0);
  /** The span count the newest live message gave for this trace. */
  const pushedSpanCount = useRef<number | null>(null);
  /** What the last successful fetch cost, from the request to the trace rendered. */
  const lastRefresh = useRef<LastRefresh | null>(null);
  /** A refresh was asked for while a fetch ran: schedule it when that one ends. */
  const wantedAfterFetch = useRef(false);

  const fetchTrace = useCallback(() => {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    wantedAfterFetch.current = false;
    const newsAtStart = news.current;
    const startedAt = performance.now();
    api.trace(traceId, controller.signal).then(
      (trace) => {
        if (controller.signal.aborted) return;
        setLoad({ state: "ready", trace, notice: null, refreshError: null });
        // Preact renders in a microtask: a timer runs after the new trace is on screen, so the cost
        // counts the download, the decoding and the render.
        setTimeout(() => {
          if (controller.signal.aborted) return;
          const endedAt = performance.now();
          lastRefresh.current = { endedAt, costMs: endedAt - startedAt };
          inFlight.current = null;
          // Spans arrived while it was on its way (the connect snapshot alone changes nothing).
          const grew = news.current !== newsAtStart && pushedSpanCount.current !== trace.spans.length;
          if (grew || wantedAfterFetch.current) scheduleRef.current();
        }, 0);
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        inFlight.current = null;
        const notFound = error instanceof ApiError && error.status === 404;
        const message = error instanceof Error ? error.message : String(error);
        setLoad((previous) => {
          if (previous.state === "ready") {
            return notFound ? { ...previous, notice: "evicted" } : { ...previous, refreshError: message };
          }
          return notFound ? { state: "not-found" } : { state: "error", message };
        });
        // Spans of this trace arrived while the 404 was on its way: it exists now.
        if ((notFound && news.current !== newsAtStart) || wantedAfterFetch.current) scheduleRef.current();
      },
    );
  }, [traceId]);

  // Coalesce: a burst of messages yields one fetch, paced by the cost of the last one.
  scheduleRef.current = () => {
    if (timer.current !== null) return;
    if (inFlight.current !== null && latest.current.state === "ready") {
      wantedAfterFetch.current = true;
      return;
    }
    timer.current = setTimeout(
      () => {
        timer.current = null;
        fetchTrace();
      },
      refreshDelayMs(performance.now(), lastRefresh.current),
    );
  };

  useEffect(() => {
    fetchTrace();
    return () => {
      inFlight.current?.abort();
      if (timer.current !== null) clearTimeout(timer.current);
    };
  }, [fetchTrace]);

  useLiveMessages((message) => {
    const gone: TraceNotice =
      message.type === "cleared"
        ? "cleared"
        : message.type === "evicted" && message.traceIds.includes(traceId)
          ? "evicted"
          : null;
    if (gone !== null) {
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
      // A refresh in flight would only bring back what just left; a first load may finish (a 404).
      if (latest.current.state === "ready") {
        inFlight.current?.abort();
        inFlight.current = null;
        wantedAfterFetch.current = false;
      }
      setLoad((previous) => (previous.state === "ready" ? { ...previous, notice: gone } : previous));
      return;
    }
    if (message.type === "evicted") {
      // Past the feed's bound the ids it left out may include this one: asking again tells (a 404).
      if (message.omitted !== undefined && message.omitted > 0 && latest.current.state === "ready") {
        if (latest.current.notice === null) scheduleRef.current();
      }
      return;
    }
    if (message.type === "snapshots") {
      // A snapshot captured in this trace: fetch it again to show its mark (when it is on screen).
      if (latest.current.state === "ready" && message.snapshots.some((snapshot) => snapshot.traceId === traceId)) {
        scheduleRef.current();
      }
      return;
    }
    if (message.type !== "traces") return;
    const summary = message.traces.find((trace) => trace.traceId === traceId);
    if (!summary) return;
    news.current++;
    pushedSpanCount.current = summary.spanCount;
    const current = latest.current;
    // The first fetch is still running: it refetches by itself when it ends (see `news`).
    if (current.state === "loading") return;
    if (current.state === "ready" && current.notice === null && current.trace.spans.length === summary.spanCount)
      return;
    scheduleRef.current();
  });

  const retry = useCallback(() => {
    setLoad((previous) => (previous.state === "ready" ? previous : { state: "loading" }));
    fetchTrace();
  }, [fetchTrace]);

  return { load, retry };
}
