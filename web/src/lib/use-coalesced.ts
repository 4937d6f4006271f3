import { useCallback, useEffect, useRef } from "preact/hooks";

/**
 * Returns a function that runs `callback` once, `delayMs` after the first of any number of calls:
 * a burst of live messages becomes one refresh. A pending run is dropped on unmount.
 */
export function useCoalesced(callback: () => void, delayMs: number): () => void {
  const latest = useRef(callback);
  latest.current = callback;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );
  return useCallback(() => {
    if (timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, delayMs);
  }, [delayMs]);
}
