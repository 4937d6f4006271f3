import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { LogRecordJson } from "../../../../src/protocol";
import { fetchLogs } from "../../api/logs";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLiveMessages, useLiveState } from "../../state/live-context";
import { TraceLogList } from "./trace-logs";

/** A trace's logs are read in pages of this many, up to MAX_TRACE_LOGS (the Logs page has the rest). */
const PAGE_SIZE = 1000;
export const MAX_TRACE_LOGS = 10_000;

export interface TraceLogs {
  /** Oldest first. */
  logs: readonly LogRecordJson[];
  loading: boolean;
  error: string | null;
  /** More than MAX_TRACE_LOGS exist: only the first are here. */
  capped: boolean;
}

/**
 * The logs of one trace, oldest first (`GET /api/logs?traceId=…&order=asc`, page after page), kept
 * current by the live `logs` messages that name the trace. Loaded again after a reconnection, and
 * when a live message left records out (`omitted`): some of them may be this trace's.
 */
export function useTraceLogs(traceId: string): TraceLogs {
  const { generation } = useLiveState();
  const list = useRef(new TraceLogList()).current;
  const [version, setVersion] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [capped, setCapped] = useState(false);
  const [refreshes, setRefreshes] = useState(0);
  const refreshSoon = useCoalesced(() => setRefreshes((n) => n + 1), 300);

  // After a reconnection the server may have restarted with other records (and reused their ids).
  const loadedFor = useRef(generation);
  useEffect(() => {
    if (loadedFor.current !== generation) {
      loadedFor.current = generation;
      list.clear();
      setCapped(false);
    }
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    const load = async (cursor: string | undefined): Promise<void> => {
      const page = await fetchLogs({ traceId, order: "asc", limit: PAGE_SIZE, cursor }, controller.signal);
      if (controller.signal.aborted) return;
      list.addAll(page.logs, traceId);
      setVersion((v) => v + 1);
      if (page.nextCursor === undefined) return;
      if (list.size >= MAX_TRACE_LOGS) setCapped(true);
      else await load(page.nextCursor);
    };
    load(undefined)
      .catch((reason: unknown) => {
        if (!controller.signal.aborted) setError(reason instanceof Error ? reason.message : String(reason));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [traceId, generation, list, refreshes]);

  useLiveMessages((message) => {
    if (message.type !== "logs" || list.size >= MAX_TRACE_LOGS) return;
    if (list.addAll(message.logs, traceId)) setVersion((v) => v + 1);
    if (message.omitted) refreshSoon();
  });

  // The list changes in place; `version` says when.
  const logs = useMemo(() => [...list.list], [version, list]);
  return { logs, loading, error, capped };
}
