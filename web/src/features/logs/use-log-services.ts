import { useEffect, useState } from "preact/hooks";
import { fetchLogServices } from "../../api/logs";
import { useLiveMessages } from "../../state/live-context";

/**
 * The services with log records stored, for the Logs page's service menu: those that only log, and
 * those whose records are older than the rows loaded, which the rows alone would leave out. Asked again
 * on each connection (a restarted server holds others); the services of records that arrive live are
 * the page's to add.
 */
export function useLogServices(generation: number): string[] {
  const [names, setNames] = useState<string[]>([]);

  useEffect(() => {
    const controller = new AbortController();
    fetchLogServices(controller.signal)
      .then((body) => setNames(body.services))
      .catch(() => {});
    return () => controller.abort();
  }, [generation]);

  useLiveMessages((message) => {
    if (message.type === "cleared") setNames([]);
  });
  return names;
}
