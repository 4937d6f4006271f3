import { formatDuration, formatPercent } from "../../lib/format";
import { serviceColor } from "../../lib/service-color";
import type { MapNodeJson, PlacedEdge, PlacedNode } from "./map-layout";

export const KIND_GLYPH: Record<MapNodeJson["kind"], string> = {
  service: "●",
  database: "⛁",
  cache: "⚡",
  queue: "✉",
  llm: "✦",
  external: "◌",
};

export const KIND_NAME: Record<MapNodeJson["kind"], string> = {
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

/**
 * One node: a box at its place (one `transform`, so a move touches one attribute), its name and
 * numbers. It acts as a link; the canvas handles its pointer, focus and key events.
 */
export function MapNodeView({ node, seconds, dim }: { node: PlacedNode; seconds: number; dim: boolean }) {
  const failing = node.errors > 0;
  const stats =
    node.calls === 0
      ? "no entry spans"
      : `${rate(node.calls, seconds)} · ${formatPercent(node.errors / node.calls)} err · p95 ${formatDuration(node.p95Ms)}`;
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG group is the node; it acts as a link to its traces
    <g
      class={`map-node ${node.kind}${dim ? " dim" : ""}${failing ? " failing" : ""}`}
      transform={`translate(${node.x - node.width / 2},${node.y - node.height / 2})`}
      data-node-id={node.id}
      role="link"
      tabIndex={0}
      aria-label={`${KIND_NAME[node.kind]} ${node.name}: ${stats}. Open its traces`}
    >
      <title>{`${node.name} (${KIND_NAME[node.kind]})\n${stats}\np50 ${formatDuration(node.p50Ms)}`}</title>
      <rect width={node.width} height={node.height} rx={8} class="map-node-box" />
      <rect
        width={5}
        height={node.height}
        rx={2}
        style={{ fill: node.kind === "service" ? serviceColor(node.name) : undefined }}
        class="map-node-stripe"
      />
      <text x={14} y={19} class="map-node-name">
        {KIND_GLYPH[node.kind]} {node.name}
      </text>
      <text x={14} y={36} class="map-node-stats">
        {stats}
      </text>
    </g>
  );
}

/** One edge: its line with an arrow, and its numbers at the middle; a link, like a node. */
export function MapEdgeView({ edge, seconds, dim }: { edge: PlacedEdge; seconds: number; dim: boolean }) {
  if (edge.points.length === 0) return null;
  const d = edge.points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x},${p.y}`).join(" ");
  const middle = edge.points[Math.floor(edge.points.length / 2)] as { x: number; y: number };
  const label = `${rate(edge.calls, seconds)} · ${formatPercent(edge.errors / Math.max(edge.calls, 1))} · p95 ${formatDuration(edge.p95Ms)}`;
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG group is the edge; it acts as a link to its traces
    <g
      class={`map-edge${dim ? " dim" : ""}${edge.errors > 0 ? " failing" : ""}`}
      data-edge={edge.key}
      role="link"
      tabIndex={0}
      aria-label={`calls from ${edge.from} to ${edge.to}: ${label}. Open these traces`}
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
