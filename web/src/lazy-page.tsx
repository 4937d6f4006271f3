import type { ComponentType } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { lazy } from "preact-iso";
import { useLiveState } from "./state/live-context";

/**
 * In place of a page whose code did not arrive: the server was stopped or updated since this tab
 * opened. Once the live connection opens again (the server is back), the tab reloads by itself: the
 * browser keeps a module that failed to load as failed, so only a reload fetches it again.
 */
function PageNotLoaded() {
  const { generation } = useLiveState();
  const shownAt = useRef(generation);
  useEffect(() => {
    if (generation !== shownAt.current) location.reload();
  }, [generation]);
  return (
    <div class="page-message" role="alert" data-testid="page-not-loaded">
      <h2>This page could not be loaded</h2>
      <p>
        Its code did not arrive: tracekit-local may have been stopped or updated since this tab opened. The tab reloads
        once it is back.{" "}
        <button type="button" class="button" onClick={() => location.reload()}>
          Reload
        </button>
      </p>
    </div>
  );
}

/**
 * A page whose code, and the libraries only it uses, is fetched when the page is first opened. The
 * router keeps the page shown before it until the code is there; the server names the chunk of the
 * page a navigation opens in the HTML (modulepreload), so a cold load fetches it beside the app's own.
 */
export function lazyPage<P>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  return lazy(() => load().catch(() => PageNotLoaded as ComponentType<P>));
}
