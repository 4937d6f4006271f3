import { useEffect, useRef } from "preact/hooks";

/**
 * Calls `onReturn` when Back or Forward lands on another history entry of this same page (a filter
 * pick is one): state the page keeps in the address but holds itself (an open row, a selection) is
 * to be read again from that entry, not kept as it was when the reader left. Back to another page
 * does not call it: this one is leaving.
 */
export function useHistoryReturn(onReturn: () => void): void {
  const latest = useRef(onReturn);
  latest.current = onReturn;
  useEffect(() => {
    const path = location.pathname;
    function onPopState() {
      if (location.pathname === path) latest.current();
    }
    addEventListener("popstate", onPopState);
    return () => removeEventListener("popstate", onPopState);
  }, []);
}
