import { useCallback, useEffect, useRef, useState } from "preact/hooks";

function message(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/** The one request in flight: what it was asked for, and whether another is to follow it. */
interface InFlight {
  key: string;
  controller: AbortController;
  again: boolean;
}

/**
 * A page's data for what `key` names (its filters), asked for one request at a time. `load()` while a
 * request for another key is in flight aborts it (its answer is for filters no longer shown); while one
 * for the same key is in flight (a live refresh), it lets it finish and asks once more after it, so a
 * server slower than the refreshes never has a pile of them to answer, and answers arrive in the order
 * they were asked. `reload()` aborts whatever is in flight and asks now (after a clear, say, when an
 * answer on its way is out of date). An error shows only for a request not aborted, and the next
 * answer hides it. `answeredFor` is the key the data shown answers. A `fetcher` that returns null has
 * nothing to ask: the data is then null.
 */
export function useLatestFetch<T>(key: string, fetcher: (signal: AbortSignal) => Promise<T> | null) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const answeredFor = useRef<string | null>(null);
  const inFlight = useRef<InFlight | null>(null);
  const latest = useRef({ key, fetcher });
  latest.current = { key, fetcher };
  const start = useCallback(() => {
    inFlight.current?.controller.abort();
    inFlight.current = null;
    const { key, fetcher } = latest.current;
    const request: InFlight = { key, controller: new AbortController(), again: false };
    const pending = fetcher(request.controller.signal);
    if (pending === null) {
      setData(null);
      return;
    }
    inFlight.current = request;
    const settle = () => {
      inFlight.current = null;
      if (request.again) start();
    };
    pending.then(
      (body) => {
        if (request.controller.signal.aborted) return;
        answeredFor.current = key;
        setData(body);
        setError(null);
        settle();
      },
      (reason: unknown) => {
        if (request.controller.signal.aborted) return;
        setError(message(reason));
        settle();
      },
    );
  }, []);
  const load = useCallback(() => {
    const request = inFlight.current;
    if (request !== null && request.key === latest.current.key) request.again = true;
    else start();
  }, [start]);
  useEffect(() => () => inFlight.current?.controller.abort(), []);
  return { data, error, load, reload: start, setData, answeredFor };
}
