import { useEffect, useState } from "preact/hooks";

/**
 * The current time, read at every render and re-rendered at least every `intervalMs`, so "5s ago"
 * labels stay true. Read at the render, not kept from the last tick: data that arrives between two
 * ticks is drawn with a clock that has seen it, never one up to `intervalMs` behind it ("in 6s").
 */
export function useNow(intervalMs: number): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((tick) => tick + 1), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return Date.now();
}
