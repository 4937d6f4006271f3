import { type ComponentChildren, createContext } from "preact";
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { HealthResponse, LiveMessage } from "../../../src/protocol";
import { api } from "../api/client";
import { connectLive, type LiveStatus } from "../api/live";
import { serviceColors } from "../lib/service-color";

export type LiveListener = (message: LiveMessage) => void;

export interface LiveState {
  status: LiveStatus;
  /** False until the server holds at least one trace (drives the onboarding page). */
  hasData: boolean;
  /** Whether `hasData` is known yet (the first health answer or live message arrived). */
  known: boolean;
  /**
   * Bumped whenever the connection opens after one closed or failed (not when the first attempt opens):
   * the server may have restarted meanwhile, even when no connection to the old one ever opened.
   */
  generation: number;
  /** Where the server keeps what it receives (memory, or its `--db` file), from health; null until it answers. */
  storage: HealthResponse["storage"] | null;
  subscribe(listener: LiveListener): () => void;
}

const LiveContext = createContext<LiveState | null>(null);

/** One `/api/live` connection for the whole app; pages subscribe to its messages. */
/** How long after a failed health check it is asked again. */
const HEALTH_RETRY_MS = 2_000;

export function LiveProvider({ children }: { children: ComponentChildren }) {
  const listeners = useRef(new Set<LiveListener>());
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [hasData, setHasData] = useState(false);
  const [known, setKnown] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [storage, setStorage] = useState<HealthResponse["storage"] | null>(null);

  useEffect(() => {
    let active = true;
    // What the page loaded before may be from a server that has gone since: a first attempt that failed
    // (a busy server restarting before it answered) is as much a sign of that as a connection lost.
    let lostBefore = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const checkHealth = () =>
      api
        .health()
        .then((health) => {
          if (!active) return;
          setHasData(health.counts.traces > 0);
          setStorage(health.storage);
          setKnown(true);
        })
        .catch(() => {
          if (!active) return;
          // Pages reload when the live connection next opens; health is asked again soon in any case,
          // as the live connection may be open already (what the store is would stay unknown).
          lostBefore = true;
          setKnown(true);
          clearTimeout(retry);
          retry = setTimeout(() => void checkHealth(), HEALTH_RETRY_MS);
        });
    void checkHealth();
    const connection = connectLive({
      onStatus: (next) => {
        setStatus(next);
        if (next === "closed") lostBefore = true;
        if (next !== "open" || !lostBefore) return;
        // A reconnection may be to a restarted server with other data: pages reload what they show.
        lostBefore = false;
        setGeneration((g) => g + 1);
        void checkHealth();
      },
      onMessage: (message) => {
        if (message.type === "traces" && message.traces.length > 0) setHasData(true);
        if (message.type === "cleared") setHasData(false);
        if (message.type === "service-colors") serviceColors.apply(message.slots);
        setKnown(true);
        for (const listener of listeners.current) listener(message);
      },
    });
    return () => {
      active = false;
      clearTimeout(retry);
      connection.close();
    };
  }, []);

  const subscribe = useCallback((listener: LiveListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo<LiveState>(
    () => ({ status, hasData, known, generation, storage, subscribe }),
    [status, hasData, known, generation, storage, subscribe],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLiveState(): LiveState {
  const state = useContext(LiveContext);
  if (state === null) throw new Error("useLiveState outside LiveProvider");
  return state;
}

/** Calls `listener` for every live message while the component is mounted (latest closure wins). */
export function useLiveMessages(listener: LiveListener): void {
  const { subscribe } = useLiveState();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => subscribe((message) => latest.current(message)), [subscribe]);
}
