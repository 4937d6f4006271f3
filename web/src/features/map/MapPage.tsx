import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { ServiceMapResponse } from "../../../../src/protocol";
import { api } from "../../api/client";
import { BuildingNote, useReloadWhileBuilding } from "../../components/BuildingNote";
import { readWindowKey, TimeWindowSelect, windowSince } from "../../components/TimeWindowSelect";
import { formatDuration, formatPercent } from "../../lib/format";
import { serviceColor } from "../../lib/service-color";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLiveMessages } from "../../state/live-context";
import { layoutMap, type MapNodeJson, neighbourhood, type PlacedEdge, type PlacedNode, tracesHref } from "./map-layout";
import "./map.css";

const KIND_GLYPH: Record<MapNodeJson["kind"], string> = {
  service: "●",
  database: "⛁",
  cache: "⚡",
  queue: "✉",
  llm: "✦",
  external: "◌",
};

const KIND_NAME: Record<MapNodeJson["kind"], string> = {
  service: "service",
  database: "database",
  cache: "cache",
  queue: "queue",
  llm: "LLM provider",
  external: "called host (sends no spans)",
};

function rate(calls: number, seconds: number): string {
  const perSecond = calls / Math.max(seconds, 1);
  return perSecond >= 1 ? `${perSecond.toFixed(1)}/s` : `${(perSecond * 60).toFixed(1)}/min`;
}

/** `/map`: which service calls which, with rates, errors and latency; live. */
export function MapPage() {
  const { query, route, path } = useLocation();
  const windowKey = readWindowKey(query.window);
  const [map, setMap] = useState<ServiceMapResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [hovered, setHovered] = useState<string | null>(null);

  useEffect(() => {
    document.title = "Service map · tracekit-local";
    return () => {
      document.title = "tracekit-local";
    };
  }, []);

  const load = useCallback(() => {
    api
      .serviceMap({ since: windowSince(windowKey) })
      .then((body) => {
        setMap(body);
        setError(null);
      })
      .catch((reason: unknown) => setError(reason instanceof Error ? reason.message : String(reason)));
  }, [windowKey]);
  useEffect(load, [load]);
  useLiveMessages(useCoalesced(load, 2000));
  useReloadWhileBuilding(map?.building, load);

  const placed = useMemo(() => (map === null ? null : layoutMap(map)), [map]);
  const lit = useMemo(() => (hovered === null || map === null ? null : neighbourhood(map, hovered)), [hovered, map]);

  return (
    <div class="map-page">
      <div class="map-header">
        <h1>Service map</h1>
        <TimeWindowSelect
          value={windowKey}
          onChange={(value) => route(`${path}${value === "all" ? "" : `?window=${value}`}`, true)}
        />
        <span class="muted map-legend">
          {(Object.keys(KIND_GLYPH) as MapNodeJson["kind"][]).map((kind) => (
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
        </div>
      )}
      {map !== null && placed !== null && map.nodes.length > 0 && (
        <>
          {map.truncated && (
            <div class="map-note" role="status">
              Drawn from the newest {map.tracesRead.toLocaleString("en-US")} traces; narrow the window for the rest.
            </div>
          )}
          <MapCanvas
            layout={placed}
            seconds={map.seconds}
            lit={lit}
            onHover={setHovered}
            onOpen={(href) => route(href)}
          />
        </>
      )}
    </div>
  );
}

interface View {
  x: number;
  y: number;
  scale: number;
}

function MapCanvas(props: {
  layout: ReturnType<typeof layoutMap>;
  seconds: number;
  lit: Set<string> | null;
  onHover(id: string | null): void;
  onOpen(href: string): void;
}) {
  const { layout, seconds, lit } = props;
  const [view, setView] = useState<View>({ x: 0, y: 0, scale: 1 });
  const drag = useRef<{ x: number; y: number; view: View; moved: boolean } | null>(null);
  const byId = useMemo(() => new Map(layout.nodes.map((node) => [node.id, node])), [layout]);
  const width = Math.max(layout.width, 300);
  const height = Math.max(layout.height, 200);

  return (
    <div class="map-canvas">
      <div class="map-zoom">
        <button
          type="button"
          class="icon-button"
          aria-label="Zoom in"
          onClick={() => setView((v) => ({ ...v, scale: Math.min(4, v.scale * 1.25) }))}
        >
          +
        </button>
        <button
          type="button"
          class="icon-button"
          aria-label="Zoom out"
          onClick={() => setView((v) => ({ ...v, scale: Math.max(0.25, v.scale / 1.25) }))}
        >
          −
        </button>
        <button type="button" class="button" onClick={() => setView({ x: 0, y: 0, scale: 1 })}>
          Fit
        </button>
      </div>
      <svg
        class="map-svg"
        viewBox={`${view.x} ${view.y} ${width / view.scale} ${height / view.scale}`}
        role="img"
        aria-label="Service map: drag to pan, wheel or the buttons to zoom; every node and edge links to its traces"
        data-testid="service-map"
        onWheel={(event) => {
          event.preventDefault();
          const factor = event.deltaY < 0 ? 1.15 : 1 / 1.15;
          setView((v) => ({ ...v, scale: Math.min(4, Math.max(0.25, v.scale * factor)) }));
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
        onPointerUp={() => {
          // A drag that moved is a pan, not a click on what it ended over.
          setTimeout(() => {
            drag.current = null;
          }, 0);
        }}
      >
        <defs>
          <marker id="map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" class="map-arrow" />
          </marker>
        </defs>
        {layout.edges.map((edge) => (
          <MapEdgeView
            key={`${edge.from}>${edge.to}`}
            edge={edge}
            seconds={seconds}
            dim={lit !== null && !(lit.has(edge.from) && lit.has(edge.to))}
            onOpen={() => {
              if (drag.current?.moved) return;
              const from = byId.get(edge.from);
              const to = byId.get(edge.to);
              if (from && to) props.onOpen(tracesHref(to, from));
            }}
          />
        ))}
        {layout.nodes.map((node) => (
          <MapNodeView
            key={node.id}
            node={node}
            seconds={seconds}
            dim={lit !== null && !lit.has(node.id)}
            onHover={props.onHover}
            onOpen={() => {
              if (!drag.current?.moved) props.onOpen(tracesHref(node));
            }}
          />
        ))}
      </svg>
    </div>
  );
}

function MapNodeView(props: {
  node: PlacedNode;
  seconds: number;
  dim: boolean;
  onHover(id: string | null): void;
  onOpen(): void;
}) {
  const { node } = props;
  const left = node.x - node.width / 2;
  const top = node.y - node.height / 2;
  const failing = node.errors > 0;
  const stats =
    node.calls === 0
      ? "no entry spans"
      : `${rate(node.calls, props.seconds)} · ${formatPercent(node.errors / node.calls)} err · p95 ${formatDuration(node.p95Ms)}`;
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG group is the node; it acts as a link to its traces
    <g
      class={`map-node ${node.kind}${props.dim ? " dim" : ""}${failing ? " failing" : ""}`}
      data-node-id={node.id}
      role="link"
      tabIndex={0}
      aria-label={`${KIND_NAME[node.kind]} ${node.name}: ${stats}. Open its traces`}
      onPointerEnter={() => props.onHover(node.id)}
      onPointerLeave={() => props.onHover(null)}
      onFocus={() => props.onHover(node.id)}
      onBlur={() => props.onHover(null)}
      onClick={props.onOpen}
      onKeyDown={(event) => {
        if (event.key === "Enter") props.onOpen();
      }}
    >
      <title>{`${node.name} (${KIND_NAME[node.kind]})\n${stats}\np50 ${formatDuration(node.p50Ms)}`}</title>
      <rect x={left} y={top} width={node.width} height={node.height} rx={8} class="map-node-box" />
      <rect
        x={left}
        y={top}
        width={5}
        height={node.height}
        rx={2}
        style={{ fill: node.kind === "service" ? serviceColor(node.name) : undefined }}
        class="map-node-stripe"
      />
      <text x={left + 14} y={top + 19} class="map-node-name">
        {KIND_GLYPH[node.kind]} {node.name}
      </text>
      <text x={left + 14} y={top + 36} class="map-node-stats">
        {stats}
      </text>
    </g>
  );
}

function MapEdgeView(props: { edge: PlacedEdge; seconds: number; dim: boolean; onOpen(): void }) {
  const { edge } = props;
  if (edge.points.length === 0) return null;
  const d = edge.points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
  const middle = edge.points[Math.floor(edge.points.length / 2)]!;
  const label = `${rate(edge.calls, props.seconds)} · ${formatPercent(edge.errors / Math.max(edge.calls, 1))} · p95 ${formatDuration(edge.p95Ms)}`;
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG group is the edge; it acts as a link to its traces
    <g
      class={`map-edge${props.dim ? " dim" : ""}${edge.errors > 0 ? " failing" : ""}`}
      data-edge={`${edge.from}>${edge.to}`}
      role="link"
      tabIndex={0}
      aria-label={`calls from ${edge.from} to ${edge.to}: ${label}. Open these traces`}
      onClick={props.onOpen}
      onKeyDown={(event) => {
        if (event.key === "Enter") props.onOpen();
      }}
    >
      <title>{`${edge.calls} calls, ${edge.errors} failed\np50 ${formatDuration(edge.p50Ms)} · p95 ${formatDuration(edge.p95Ms)}`}</title>
      <path d={d} class="map-edge-hit" />
      <path d={d} class="map-edge-line" marker-end="url(#map-arrow)" />
      <text x={middle.x} y={middle.y - 6} class="map-edge-label" text-anchor="middle">
        {label}
      </text>
    </g>
  );
}
