import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { replaceSearchParam } from "../../lib/url";
import { useHistoryReturn } from "../../lib/use-history-return";
import { type MapView, mapViewParam, readMapView } from "./map-view";

/** How long the view rests before the address takes it: a drag or a wheel spin is one write, not hundreds. */
const WRITE_DELAY_MS = 250;

function viewOfAddress(): MapView {
  return readMapView(new URLSearchParams(location.search).get("view"));
}

export interface MapViewState {
  view: MapView;
  setView(next: MapView | ((view: MapView) => MapView)): void;
  flush(): void;
}

/**
 * The map's zoom and pan, kept in the address (`?view=`) as every page keeps its view, so a reload,
 * Back from the traces a node opened, or a shared link show the map as it was. Replaced, never
 * pushed: panning is no step Back undoes. `flush` writes a view still waiting, before the page is left.
 */
export function useMapView(): MapViewState {
  const [view, setView] = useState<MapView>(viewOfAddress);
  const path = useRef(location.pathname);
  const pending = useRef<{ timer: ReturnType<typeof setTimeout>; view: MapView } | null>(null);
  const write = useCallback((next: MapView) => {
    // The page may be gone (a link followed): its parameter is not another page's.
    if (location.pathname === path.current) replaceSearchParam("view", mapViewParam(next));
  }, []);
  const flush = useCallback(() => {
    const waiting = pending.current;
    if (waiting === null) return;
    clearTimeout(waiting.timer);
    pending.current = null;
    write(waiting.view);
  }, [write]);
  // Also the view the address holds already (on mount, after Back): replacing it with itself is no write.
  useEffect(() => {
    if (pending.current !== null) clearTimeout(pending.current.timer);
    pending.current = { view, timer: setTimeout(flush, WRITE_DELAY_MS) };
  }, [view, flush]);
  useEffect(() => flush, [flush]);
  // Back or Forward to another entry of this page (a window pick) shows the view that entry kept.
  useHistoryReturn(() => {
    if (pending.current !== null) clearTimeout(pending.current.timer);
    pending.current = null;
    setView(viewOfAddress());
  });
  return { view, setView, flush };
}
