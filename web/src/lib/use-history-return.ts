import { useLayoutEffect, useRef } from "preact/hooks";

/**
 * Calls `onReturn` when Back or Forward lands on another history entry of this same page (a filter
 * pick is one): state the page keeps in the address but holds itself (an open row, a selection) is
 * to be read again from that entry, not kept as it was when the reader left. Back to another page
 * does not call it: this one is leaving.
 */
export function useHistoryReturn(onReturn: () => void): void {
  const latest = useRef(onReturn);
  latest.current = onReturn;
  // Listening from the page's first commit, not after its first paint (when useEffect runs): a Back
  // or Forward in between (a page just shown, quickly left) was missed, and the page kept showing the
  // entry it was opened on under another entry's address.
  useLayoutEffect(() => {
    const path = location.pathname;
    function onPopState() {
      if (location.pathname === path) latest.current();
    }
    addEventListener("popstate", onPopState);
    return () => removeEventListener("popstate", onPopState);
  }, []);
}
