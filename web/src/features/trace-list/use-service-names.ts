import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../api/client";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLiveMessages } from "../../state/live-context";

/** Service names for the filter menu, refreshed when a trace names a service not seen yet. */
export function useServiceNames(generation: number): string[] {
  const [names, setNames] = useState<string[]>([]);
  const known = useRef(new Set<string>());

  const refresh = () => {
    api
      .services()
      .then((body) => {
        const list = body.services.map((s) => s.name).sort((a, b) => a.localeCompare(b));
        known.current = new Set(list);
        setNames(list);
      })
      .catch(() => {});
  };

  const refreshSoon = useCoalesced(refresh, 500);

  // Again on every new connection: a restarted server has other services.
  useEffect(refresh, [generation]);

  useLiveMessages((message) => {
    if (message.type === "cleared") {
      known.current = new Set();
      setNames([]);
      return;
    }
    if (message.type !== "traces") return;
    const unseen = message.traces.some((t) => t.services.some((s) => !known.current.has(s)));
    if (unseen) refreshSoon();
  });
  return names;
}
