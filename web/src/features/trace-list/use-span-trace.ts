import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";

/**
 * The trace that holds the span a search names by its id (see spanIdOfQuery), as the server says
 * (`GET /api/spans/:spanId`): its trace id, null when no stored span has that id (or the server
 * could not say), undefined while asking or when `spanId` is null. Asked whenever `spanId` becomes
 * that id (a typing pause, Enter, Back, the page loaded with it), again when the live feed
 * reconnects (`generation`: the server may have restarted), and again when `asking` changes (Enter
 * on an id the server did not know: its span may have arrived since).
 */
export function useSpanTrace(spanId: string | null, generation: number, asking: number): string | null | undefined {
  const [answer, setAnswer] = useState<{
    spanId: string;
    generation: number;
    asking: number;
    traceId: string | null;
  } | null>(null);
  useEffect(() => {
    if (spanId === null) return;
    const controller = new AbortController();
    api.spanTrace(spanId, controller.signal).then(
      (found) => setAnswer({ spanId, generation, asking, traceId: found?.traceId ?? null }),
      () => {
        if (!controller.signal.aborted) setAnswer({ spanId, generation, asking, traceId: null });
      },
    );
    return () => controller.abort();
  }, [spanId, generation, asking]);
  return spanId !== null && answer?.spanId === spanId && answer.generation === generation && answer.asking === asking
    ? answer.traceId
    : undefined;
}
