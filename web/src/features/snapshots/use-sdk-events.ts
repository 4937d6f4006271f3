import { useEffect, useState } from "preact/hooks";
import type { SdkEventJson } from "../../../../src/protocol";
import { api } from "../../api/client";
import { useLiveMessages } from "../../state/live-context";

/** Events shown at most; the newest. */
const MAX_EVENTS = 20;

/** What the SDKs reported about themselves (e.g. a tripped circuit breaker), newest first. */
export function useSdkEvents(generation: number): SdkEventJson[] {
  const [events, setEvents] = useState<SdkEventJson[]>([]);
  useEffect(() => {
    let active = true;
    api
      .sdkEvents()
      .then((body) => {
        if (active) setEvents(newestFirst(body.events));
      })
      .catch(() => {});
    return () => {
      active = false;
    };
  }, [generation]);
  useLiveMessages((message) => {
    if (message.type === "cleared") setEvents([]);
    if (message.type !== "sdk-events") return;
    setEvents((old) => {
      const seen = new Set(old.map((e) => e.id));
      return newestFirst([...message.events.filter((e) => !seen.has(e.id)), ...old]);
    });
  });
  return events;
}

function newestFirst(events: SdkEventJson[]): SdkEventJson[] {
  return [...events].sort((a, b) => Date.parse(b.receivedAt) - Date.parse(a.receivedAt)).slice(0, MAX_EVENTS);
}
