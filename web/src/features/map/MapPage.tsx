import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api } from "../../api/client";
import { BuildingNote, useReloadWhileBuilding } from "../../components/BuildingNote";
import { SetupHint } from "../../components/SetupHint";
import { readWindowKey, TimeWindowSelect, windowSince } from "../../components/TimeWindowSelect";
import { withParam } from "../../lib/url";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLatestFetch } from "../../lib/use-latest-fetch";
import { useLiveMessages } from "../../state/live-context";
import { MapCanvas } from "./MapCanvas";
import { KIND_GLYPH, KIND_NAME } from "./MapShapes";
import { type MapLayout, type MapNodeJson, mapRequestParams, placeMap } from "./map-layout";
import { mapViewParam } from "./map-view";
import { useMapView } from "./use-map-view";
import "./map.css";
import { formatCount } from "../../lib/format";

/** `/map`: which service calls which, with rates, errors and latency; live. */
export function MapPage() {
  const { query, route, path } = useLocation();
  const windowKey = readWindowKey(query.window);

  useEffect(() => {
    document.title = "Service map · tracekit-local";
    return () => {
      document.title = "tracekit-local";
    };
  }, []);

  // One request at a time: a window picked aborts the one in flight, and a refresh while one for the same
  // window is in flight waits for it, so a late answer never replaces a newer one.
  const {
    data: map,
    error,
    load,
  } = useLatestFetch(windowKey, (signal) =>
    api.serviceMap(mapRequestParams(windowSince(windowKey)), signal).then((answer) => {
      if (answer.layout === undefined) throw new Error("the server sent the map without its layout");
      return answer;
    }),
  );
  // Each answer drawn from what was drawn before, so nodes that were there stay where they were.
  const placed = useRef<MapLayout | null>(null);
  const layout = useMemo(() => {
    if (map?.layout === undefined) return null;
    placed.current = placeMap({ ...map, layout: map.layout }, placed.current);
    return placed.current;
  }, [map]);
  // Asked for as soon as the page is rendered rather than after it is painted: the server names this
  // request in the page's HTML, so on a fresh load its answer is usually waiting already.
  useLayoutEffect(load, [windowKey]);
  useLiveMessages(useCoalesced(load, 2000));
  useReloadWhileBuilding(map?.building, load);
  const open = useCallback((href: string) => route(href), [route]);
  const mapView = useMapView();

  return (
    <div class="map-page">
      <div class="map-header">
        <h1>Service map</h1>
        <TimeWindowSelect
          value={windowKey}
          // A window picked is a step Back undoes, as on the other pages; the map keeps its zoom and pan.
          // The view on screen, which the address takes only once it rests: written to this entry first,
          // so Back shows the map as it was left.
          onChange={(value) => {
            mapView.flush();
            route(`${path}${withParam(value === "all" ? "" : `?window=${value}`, "view", mapViewParam(mapView.view))}`);
          }}
        />
        {/* The kinds of node this map draws, not every kind there is. */}
        <span class="muted map-legend">
          {(Object.keys(KIND_GLYPH) as MapNodeJson["kind"][])
            .filter((kind) => map?.nodes.some((node) => node.kind === kind))
            .map((kind) => (
              <span key={kind} class={`map-legend-item ${kind}`}>
                {KIND_GLYPH[kind]} {KIND_NAME[kind]}
              </span>
            ))}
        </span>
      </div>
      <BuildingNote building={map?.building} />
      {error !== null && (
        <div class="error-banner" role="alert">
          Could not load the service map: {error}
        </div>
      )}
      {map !== null && map.nodes.length === 0 && (
        <div class="page-message" data-testid="map-empty">
          <h2>No services {windowKey === "all" ? "yet" : "in this window"}</h2>
          <p>The map draws itself from traces: which service's spans call which, and what they call outside.</p>
          {windowKey === "all" && <SetupHint />}
        </div>
      )}
      {layout !== null && map !== null && map.nodes.length > 0 && (
        <>
          {map.truncated && (
            <div class="map-note" role="status">
              Drawn from the newest {formatCount(map.tracesRead)} traces; narrow the window for the rest.
            </div>
          )}
          <MapCanvas
            layout={layout}
            seconds={map.seconds}
            since={() => windowSince(windowKey)}
            onOpen={open}
            mapView={mapView}
          />
        </>
      )}
    </div>
  );
}
