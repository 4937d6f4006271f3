import { useEffect, useState } from "preact/hooks";
import type { SnapshotJson } from "../../../../src/protocol";
import { ApiError, api } from "../../api/client";
import { useLiveMessages } from "../../state/live-context";
import { capturedAtMs } from "./snapshot-feed";
import { SPANS_IN_FLIGHT_MS, spansMayStillArrive } from "./snapshot-text";

export type SnapshotLoad =
  | { state: "loading" }
  | { state: "not-found" }
  | { state: "error"; message: string }
  | { state: "ready"; snapshot: SnapshotJson };

/** Whether the snapshot's trace is stored here: its spans often arrive after the snapshot (the span ends later). */
export type TraceAvailability = "none" | "checking" | "stored" | "missing";

export function useSnapshot(id: string, generation: number): { load: SnapshotLoad; trace: TraceAvailability } {
  const [load, setLoad] = useState<SnapshotLoad>({ state: "loading" });
  const [trace, setTrace] = useState<TraceAvailability>("checking");
  /** Bumped to ask for the trace again while its spans may still be on their way. */
  const [recheck, setRecheck] = useState(0);
  const traceId = load.state === "ready" ? load.snapshot.traceId : null;
  const capturedAt = load.state === "ready" ? capturedAtMs(load.snapshot) : Number.NaN;

  useEffect(() => {
    const controller = new AbortController();
    api.snapshot(id, controller.signal).then(
      (snapshot) => setLoad({ state: "ready", snapshot }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 404) setLoad({ state: "not-found" });
        else setLoad({ state: "error", message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => controller.abort();
  }, [id, generation]);

  useEffect(() => {
    if (load.state !== "ready") return;
    if (traceId === null) {
      setTrace("none");
      return;
    }
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A re-check keeps what the page says until it knows better.
    if (recheck === 0) setTrace("checking");
    api.trace(traceId, controller.signal).then(
      () => setTrace("stored"),
      () => {
        if (controller.signal.aborted) return;
        setTrace("missing");
        // The live `traces` message tells when its spans arrive; one more look as the wait ends, in
        // case that message was missed, so the page's last word is the server's.
        const now = Date.now();
        if (spansMayStillArrive(capturedAt, now)) {
          timer = setTimeout(() => setRecheck((n) => n + 1), capturedAt + SPANS_IN_FLIGHT_MS - now + 500);
        }
      },
    );
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [load.state, traceId, capturedAt, generation, recheck]);

  useLiveMessages((message) => {
    if (traceId === null) return;
    if (message.type === "traces" && message.traces.some((t) => t.traceId === traceId)) setTrace("stored");
    if (message.type === "cleared") setTrace("missing");
  });

  return { load, trace };
}
