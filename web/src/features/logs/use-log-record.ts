import { useEffect, useState } from "preact/hooks";
import type { LogRecordJson } from "../../../../src/protocol";
import { ApiError } from "../../api/client";
import { fetchLog } from "../../api/logs";

export interface LogRecordLookup {
  record: LogRecordJson | undefined;
  /** Why it could not be read (null while asking, or when there is nothing to ask). */
  problem: "not-stored" | "failed" | null;
}

const NOTHING: LogRecordLookup = { record: undefined, problem: null };

/**
 * The open record when the list does not hold it (`?log=<id>` of a record older than the pages
 * loaded, or filtered out): read by its id, so a link to one record opens it wherever it sits.
 * `id` is null when there is nothing to look up.
 */
export function useLogRecord(id: string | null): LogRecordLookup {
  const [found, setFound] = useState<{ id: string; lookup: LogRecordLookup } | null>(null);
  useEffect(() => {
    if (id === null) return;
    if (!/^[1-9]\d{0,14}$/.test(id)) {
      setFound({ id, lookup: { record: undefined, problem: "not-stored" } });
      return;
    }
    const controller = new AbortController();
    fetchLog(id, controller.signal).then(
      ({ log }) => setFound({ id, lookup: { record: log, problem: null } }),
      (reason: unknown) => {
        if (controller.signal.aborted) return;
        const problem = reason instanceof ApiError && reason.status === 404 ? "not-stored" : "failed";
        setFound({ id, lookup: { record: undefined, problem } });
      },
    );
    return () => controller.abort();
  }, [id]);
  return id !== null && found?.id === id ? found.lookup : NOTHING;
}
