import { useCallback, useEffect, useState } from "preact/hooks";
import { sdkContactOf } from "../../../../src/domain/sdk-contact";
import type { BreakpointJson } from "../../../../src/protocol";
import { api, type BreakpointPatch, type NewBreakpoint } from "../../api/client";
import { useLiveMessages } from "../../state/live-context";
import type { SdkContact } from "./breakpoint-model";

export interface BreakpointsState {
  breakpoints: BreakpointJson[];
  killSwitch: boolean;
  /** SDKs listening for changes right now, per service; each service's last check-in; the kill switch's last change. */
  contact: SdkContact;
  loaded: boolean;
  error: string | null;
  /** Makes a breakpoint; resolves to why it could not, or null. */
  create(input: NewBreakpoint): Promise<string | null>;
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
  const [contact, setContact] = useState<SdkContact>({
    connectedSdks: {},
    lastCheckIns: {},
    killSwitchChangedAt: null,
  });
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
        setContact(sdkContactOf(body));
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
    setContact(sdkContactOf(live));
    setLoaded(true);
  });

  /** Runs one change; its failure is shown above the panel, its success clears the last failure. */
  const attempt = useCallback(async (failure: string, change: () => Promise<void>) => {
    try {
      await change();
      setError(null);
    } catch (reason) {
      setError(`${failure}: ${message(reason)}`);
    }
  }, []);

  const create = useCallback(async (input: NewBreakpoint) => {
    try {
      const made = await api.createBreakpoint(input);
      setBreakpoints((list) => (list.some((b) => b.id === made.id) ? list : [...list, made]));
      return null;
    } catch (reason) {
      return message(reason);
    }
  }, []);

  const update = useCallback(
    (id: string, patch: BreakpointPatch) =>
      attempt("Could not change the breakpoint", async () => {
        const updated = await api.updateBreakpoint(id, patch);
        setBreakpoints((list) => list.map((b) => (b.id === updated.id ? updated : b)));
      }),
    [attempt],
  );

  const remove = useCallback(
    (id: string) =>
      attempt("Could not delete the breakpoint", async () => {
        await api.deleteBreakpoint(id);
        setBreakpoints((list) => list.filter((b) => b.id !== id));
      }),
    [attempt],
  );

  const setKillSwitch = useCallback(
    (enabled: boolean) =>
      attempt("Could not switch the kill switch", async () => {
        await api.setKillSwitch(enabled);
        setKill(enabled);
      }),
    [attempt],
  );

  return { breakpoints, killSwitch, contact, loaded, error, create, update, remove, setKillSwitch };
}
