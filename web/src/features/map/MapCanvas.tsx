import { useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { MapEdgeNumbers, MapEdgeView, MapNodeView } from "./MapShapes";
import { fitBox, fitCutsMap, type MapLayout, neighbourhood, type PlacedEdge, tracesHref } from "./map-layout";
import { mapRates } from "./map-rates";
import { FIT_VIEW, type MapView, mapViewParam, zoomedView } from "./map-view";
import type { MapViewState } from "./use-map-view";

/** The map as SVG: drag to pan, wheel or buttons to zoom, hover to light a node's neighbours, click to open traces. */
export function MapCanvas(props: {
  layout: MapLayout;
  seconds: number;
  /** The window's start (unix ms) when a link is followed; undefined for everything stored. */
  since(): number | undefined;
  onOpen(href: string): void;
  /** The zoom and pan, held by the page: a window it picks takes the view on screen. */
  mapView: MapViewState;
}) {
  const { layout, seconds } = props;
  const { view, setView, flush } = props.mapView;
  const [hovered, setHovered] = useState<string | null>(null);
  const drag = useRef<{ x: number; y: number; view: MapView; moved: boolean } | null>(null);
  const lit = useMemo(() => (hovered === null ? null : neighbourhood(layout, hovered)), [hovered, layout]);
  const byId = useMemo(() => new Map(layout.nodes.map((node) => [node.id, node])), [layout]);
  const rates = useMemo(() => mapRates(layout.nodes, layout.edges, seconds), [layout, seconds]);
  const edgeDim = (edge: PlacedEdge) => lit !== null && !(lit.has(edge.from) && lit.has(edge.to));
  // One set of handlers on the drawing for every node and edge: a page of 50 services otherwise adds
  // hundreds of listeners on its first render.
  const linkOf = (event: Event): Element | null =>
    event.target instanceof Element ? event.target.closest("[data-node-id], [data-edge]") : null;
  const nodeOf = (event: Event): string | null => linkOf(event)?.getAttribute("data-node-id") ?? null;
  const open = (link: Element | null) => {
    if (link === null || drag.current?.moved) return;
    const nodeId = link.getAttribute("data-node-id");
    const edgeKey = link.getAttribute("data-edge");
    const node = nodeId === null ? undefined : byId.get(nodeId);
    const edge = edgeKey === null ? undefined : layout.edges.find((e) => e.key === edgeKey);
    const [from, to] = edge ? [byId.get(edge.from), byId.get(edge.to)] : [];
    // The address keeps the view before the traces' page is pushed over it: Back shows the map as it was.
    flush();
    if (node) props.onOpen(tracesHref(node, undefined, props.since()));
    else if (from && to) props.onOpen(tracesHref(to, from, props.since()));
  };
  /** Leaving a node for a part of the same node is not leaving it. */
  const leaves = (event: PointerEvent | FocusEvent) => {
    const link = linkOf(event);
    return link !== null && !(event.relatedTarget instanceof Node && link.contains(event.relatedTarget));
  };
  const svgRef = useRef<SVGSVGElement>(null);
  const [pixels, setPixels] = useState<{ width: number; height: number } | null>(null);
  useLayoutEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const measure = () => setPixels({ width: svg.clientWidth, height: svg.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(svg);
    return () => observer.disconnect();
  }, []);
  const bounds = fitBox(layout.bounds, pixels);
  const { width, height } = bounds;
  // Fit keeps the labels readable: a map too large for that shows its start, and says so.
  // (Told by the address it writes, so a view that rounds to Fit reads as Fit, as after a reload.)
  const cut = mapViewParam(view) === null && fitCutsMap(layout.bounds, bounds);

  return (
    <div class="map-canvas">
      <div class="map-zoom">
        <button
          type="button"
          class="icon-button"
          aria-label="Zoom in"
          onClick={() => setView((v) => zoomedView(v, 1.25))}
        >
          +
        </button>
        <button
          type="button"
          class="icon-button"
          aria-label="Zoom out"
          onClick={() => setView((v) => zoomedView(v, 1 / 1.25))}
        >
          −
        </button>
        <button type="button" class="button" onClick={() => setView(FIT_VIEW)}>
          Fit
        </button>
      </div>
      {cut && (
        <p class="map-cut faint" data-testid="map-cut">
          Part of the map, at a size its labels can be read: drag to see the rest, or zoom out
        </p>
      )}
      <svg
        ref={svgRef}
        class="map-svg"
        viewBox={`${bounds.x + view.x} ${bounds.y + view.y} ${width / view.scale} ${height / view.scale}`}
        role="img"
        aria-label="Service map: drag to pan, wheel or the buttons to zoom; every node and edge links to its traces"
        data-testid="service-map"
        onWheel={(event) => {
          event.preventDefault();
          const factor = event.deltaY < 0 ? 1.15 : 1 / 1.15;
          setView((v) => zoomedView(v, factor));
        }}
        onPointerDown={(event) => {
          if (event.button !== 0) return;
          drag.current = { x: event.clientX, y: event.clientY, view, moved: false };
        }}
        onPointerMove={(event) => {
          const start = drag.current;
          if (!start) return;
          const svg = event.currentTarget as SVGSVGElement;
          const perPixel = width / start.view.scale / Math.max(svg.clientWidth, 1);
          const dx = (event.clientX - start.x) * perPixel;
          const dy = (event.clientY - start.y) * perPixel;
          if (Math.abs(dx) + Math.abs(dy) > 2) start.moved = true;
          setView({ ...start.view, x: start.view.x - dx, y: start.view.y - dy });
        }}
        onPointerOver={(event) => {
          const id = nodeOf(event);
          if (id !== null) setHovered(id);
        }}
        onPointerOut={(event) => {
          if (nodeOf(event) !== null && leaves(event)) setHovered(null);
        }}
        onFocusIn={(event) => {
          const id = nodeOf(event);
          if (id !== null) setHovered(id);
        }}
        onFocusOut={(event) => {
          if (leaves(event)) setHovered(null);
        }}
        onClick={(event) => open(linkOf(event))}
        onKeyDown={(event) => {
          if (event.key === "Enter") open(linkOf(event));
        }}
        onPointerUp={() => {
          // A drag that moved is a pan, not a click on what it ended over.
          setTimeout(() => {
            drag.current = null;
          }, 0);
        }}
      >
        <defs>
          {/* A fixed 8 px, not a multiple of the line's width: the ends at one side of a box are 8 px or more apart (service-map-routes.ts), and a hovered line's head does not grow over its neighbours'. */}
          <marker
            id="map-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="8"
            markerHeight="8"
            markerUnits="userSpaceOnUse"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" class="map-arrow" />
          </marker>
        </defs>
        {layout.edges.map((edge) => (
          <MapEdgeView key={edge.key} edge={edge} rates={rates} dim={edgeDim(edge)} />
        ))}
        <MapEdgeNumbers edges={layout.edges} rates={rates} dim={edgeDim} />
        {layout.nodes.map((node) => (
          <MapNodeView key={node.id} node={node} rates={rates} dim={lit !== null && !lit.has(node.id)} />
        ))}
      </svg>
    </div>
  );
}
