import { useCallback, useEffect, useState } from "preact/hooks";
import type { BreakpointJson } from "../../../../src/protocol";
import { api, type BreakpointPatch } from "../../api/client";
import { useLiveMessages } from "../../state/live-context";

export interface BreakpointsState {
  breakpoints: BreakpointJson[];
  killSwitch: boolean;
  /** SDKs listening for changes right now, per service. */
  connectedSdks: Record<string, number>;
  loaded: boolean;
  error: string | null;
  update(id: string, patch: BreakpointPatch): Promise<void>;
  remove(id: string): Promise<void>;
  setKillSwitch(enabled: boolean): Promise<void>;
}

const message = (reason: unknown) => (reason instanceof Error ? reason.message : String(reason));

/**
 * Every breakpoint and the kill switch: loaded once per connection, then replaced by each live
 * `breakpoints` message (the server sends the whole list after any change, including the SDK's own
 * auto-registrations). A change made here shows at once from the server's answer.
 */
export function useBreakpoints(generation: number): BreakpointsState {
  const [breakpoints, setBreakpoints] = useState<BreakpointJson[]>([]);
  const [killSwitch, setKill] = useState(false);
  const [connectedSdks, setConnected] = useState<Record<string, number>>({});
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    api
      .breakpoints()
      .then((body) => {
        if (!active) return;
        setBreakpoints(body.breakpoints);
        setKill(body.killSwitch);
        setConnected(body.connectedSdks);
        setLoaded(true);
        setError(null);
      })
      .catch((reason: unknown) => {
        if (!active) return;
        setLoaded(true);
        setError(message(reason));
      });
    return () => {
      active = false;
    };
  }, [generation]);

  useLiveMessages((live) => {
    if (live.type !== "breakpoints") return;
    setBreakpoints(live.breakpoints);
    setKill(live.killSwitch);
    setConnected(live.connectedSdks);
    setLoaded(true);
  });

  const update = useCallback(async (id: string, patch: BreakpointPatch) => {
    try {
      const updated = await api.updateBreakpoint(id, patch);
      if (updated && typeof updated === "object" && "id" in updated) {
        setBreakpoints((list) => list.map((b) => (b.id === updated.id ? updated : b)));
      }
      setError(null);
    } catch (reason) {
      setError(`Could not change the breakpoint: ${message(reason)}`);
    }
  }, []);

  const remove = useCallback(async (id: string) => {
    try {
      await api.deleteBreakpoint(id);
      setBreakpoints((list) => list.filter((b) => b.id !== id));
      setError(null);
    } catch (reason) {
      setError(`Could not delete the breakpoint: ${message(reason)}`);
    }
  }, []);

  const setKillSwitch = useCallback(async (enabled: boolean) => {
    try {
      await api.setKillSwitch(enabled);
      setKill(enabled);
      setError(null);
    } catch (reason) {
      setError(`Could not switch the kill switch: ${message(reason)}`);
    }
  }, []);

  return { breakpoints, killSwitch, connectedSdks, loaded, error, update, remove, setKillSwitch };
}
