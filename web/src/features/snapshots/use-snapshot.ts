import { useEffect, useState } from "preact/hooks";
import type { SnapshotJson } from "../../../../src/protocol";
import { ApiError, api } from "../../api/client";
import { useLiveMessages } from "../../state/live-context";

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
  const traceId = load.state === "ready" ? load.snapshot.traceId : null;

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
    setTrace("checking");
    api.trace(traceId, controller.signal).then(
      () => setTrace("stored"),
      () => {
        if (!controller.signal.aborted) setTrace("missing");
      },
    );
    return () => controller.abort();
  }, [load.state, traceId, generation]);

  useLiveMessages((message) => {
    if (traceId === null) return;
    if (message.type === "traces" && message.traces.some((t) => t.traceId === traceId)) setTrace("stored");
    if (message.type === "cleared") setTrace("missing");
  });

  return { load, trace };
}
