import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import { nanosToMillis } from "../../lib/format";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLiveMessages, useLiveState } from "../../state/live-context";
import type { StoredData } from "./setup-status";

/**
 * What the server holds (counts and the newest trace), read on open and again, coalesced, whenever
 * a live message says something arrived or was cleared; null until the first answer.
 */
export function useStoredData(): StoredData | null {
  const { generation } = useLiveState();
  const [stored, setStored] = useState<StoredData | null>(null);
  const refresh = () => {
    Promise.all([api.health(), api.traces({ limit: 1 })])
      .then(([health, list]) => {
        const newest = list.traces[0];
        setStored({
          traces: health.counts.traces,
          logs: health.counts.logs,
          metricSeries: health.counts.metricSeries,
          newest: newest
            ? { name: newest.name, service: newest.service, startMs: nanosToMillis(newest.startTimeUnixNano) }
            : null,
        });
      })
      .catch(() => {}); // the connection status says what is wrong
  };
  const refreshSoon = useCoalesced(refresh, 500);
  useEffect(refresh, [generation]);
  useLiveMessages((message) => {
    if (message.type === "traces" || message.type === "logs" || message.type === "metrics") refreshSoon();
    if (message.type === "cleared") refresh();
  });
  return stored;
}
