import { useEffect } from "preact/hooks";

/** Names the page in the tab and the browser's history ("Traces · tracekit-local") while it is open. */
export function usePageTitle(page: string): void {
  useEffect(() => {
    document.title = `${page} · tracekit-local`;
    return () => {
      document.title = "tracekit-local";
    };
  }, [page]);
}
