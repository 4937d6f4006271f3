import { showBidiControls } from "../../lib/bidi-controls";
import { formatCount, formatDuration, formatPercent } from "../../lib/format";
import { serviceColor } from "../../lib/service-color";
import { formatRateIn } from "../services/request-rate";
import type { MapNodeJson, PlacedEdge, PlacedNode } from "./map-layout";
import { type MapRates, perSecondOf } from "./map-rates";

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

/**
 * What a node's numbers count, under them in its tooltip: a service's differ from its Services row
 * when it also has root spans of other kinds (a job) or spans called without a SERVER span.
 */
export function nodeCountsNote(kind: MapNodeJson["kind"]): string {
  return kind === "service"
    ? "Counts requests into the service: its SERVER and CONSUMER spans, its root spans, and its spans called " +
        "from another service. The Services page counts SERVER and CONSUMER spans (root spans when it has none); " +
        "for the same requests both read the same p50 and p95."
    : "Counts calls into it from the services that call it, as their spans timed them.";
}

/** What an edge's numbers count, in its tooltip. */
export const EDGE_COUNTS_NOTE =
  "Calls along the edge, timed by the callee's spans when it sends spans, else by the caller's; failed when either side's span did.";

function rate(calls: number, rates: MapRates): string {
  return formatRateIn(perSecondOf(calls, rates.seconds), rates.unit);
}

/**
 * One node: a box at its place (one `transform`, so a move touches one attribute), its name and
 * numbers. It acts as a link; the canvas handles its pointer, focus and key events. SVG text cannot
 * hold the isolated marks UserText draws: the name's bidirectional controls are written as marks.
 */
export function MapNodeView({ node, rates, dim }: { node: PlacedNode; rates: MapRates; dim: boolean }) {
  const failing = node.errors > 0;
  const name = showBidiControls(node.name);
  const stats =
    node.calls === 0
      ? "no entry spans"
      : `${rate(node.calls, rates)} · ${formatPercent(node.errors / node.calls)} err · p95 ${formatDuration(node.p95Ms)}`;
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG group is the node; it acts as a link to its traces
    <g
      class={`map-node ${node.kind}${dim ? " dim" : ""}${failing ? " failing" : ""}`}
      transform={`translate(${node.x - node.width / 2},${node.y - node.height / 2})`}
      data-node-id={node.id}
      role="link"
      tabindex={0}
      aria-label={`${KIND_NAME[node.kind]} ${name}: ${stats}. Open its traces`}
    >
      <title>{`${name} (${KIND_NAME[node.kind]})\n${stats}\np50 ${formatDuration(node.p50Ms)}\n${nodeCountsNote(node.kind)}`}</title>
      <rect width={node.width} height={node.height} rx={8} class="map-node-box" />
      <rect
        width={5}
        height={node.height}
        rx={2}
        style={{ fill: node.kind === "service" ? serviceColor(node.name) : undefined }}
        class="map-node-stripe"
      />
      <text x={14} y={19} class="map-node-name">
        {KIND_GLYPH[node.kind]} {name}
      </text>
      <text x={14} y={36} class="map-node-stats">
        {stats}
      </text>
    </g>
  );
}

/** The width of the chip under an edge's numbers: about a character of the 10.5 px label each, and a margin. */
function chipWidth(label: string): number {
  return Math.ceil(label.length * 5.9 + 8);
}

function edgeLabel(edge: PlacedEdge, rates: MapRates): string {
  return `${rate(edge.calls, rates)} · ${formatPercent(edge.errors / Math.max(edge.calls, 1))} · p95 ${formatDuration(edge.p95Ms)}`;
}

/** A node's name from its id (`service:checkout` → checkout, `queue:kafka orders` → kafka orders), as text shows it. */
const nodeName = (id: string) => showBidiControls(id.slice(id.indexOf(":") + 1));

/** One edge: its line with an arrow; a link, like a node. Its numbers are drawn over every line (MapEdgeNumbers). */
export function MapEdgeView({ edge, rates, dim }: { edge: PlacedEdge; rates: MapRates; dim: boolean }) {
  if (edge.points.length === 0) return null;
  const d = edge.points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x},${p.y}`).join(" ");
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG group is the edge; it acts as a link to its traces
    <g
      class={`map-edge${dim ? " dim" : ""}${edge.errors > 0 ? " failing" : ""}`}
      data-edge={edge.key}
      role="link"
      tabindex={0}
      aria-label={`calls from ${nodeName(edge.from)} to ${nodeName(edge.to)}: ${edgeLabel(edge, rates)}. Open these traces`}
    >
      <title>{`${formatCount(edge.calls)} calls, ${formatCount(edge.errors)} failed\np50 ${formatDuration(edge.p50Ms)} · p95 ${formatDuration(edge.p95Ms)}\n${EDGE_COUNTS_NOTE}`}</title>
      <path d={d} class="map-edge-hit" />
      <path d={d} class="map-edge-line" marker-end="url(#map-arrow)" />
    </g>
  );
}

/**
 * Every edge's numbers, after every line (else a line drawn later crosses them): on the edge's line
 * where the layout kept room for them, on a chip of the canvas's colour that hides the line behind
 * the text; without such a place, above the line's middle point. Screen readers hear them in the
 * edge's link; the pointer goes through them to the line below.
 */
export function MapEdgeNumbers({
  edges,
  rates,
  dim,
}: {
  edges: PlacedEdge[];
  rates: MapRates;
  dim(edge: PlacedEdge): boolean;
}) {
  return (
    // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a plain SVG group, never focused; each edge's link says the same
    <g class="map-edge-numbers" aria-hidden="true">
      {edges.map((edge) => {
        if (edge.points.length === 0) return null;
        const label = edgeLabel(edge, rates);
        const at = edge.label ?? (edge.points[Math.floor(edge.points.length / 2)] as { x: number; y: number });
        const width = chipWidth(label);
        return (
          <g key={edge.key} data-edge-label={edge.key} class={dim(edge) ? "dim" : undefined}>
            {edge.label !== null && (
              <rect x={at.x - width / 2} y={at.y - 8} width={width} height={16} rx={4} class="map-edge-chip" />
            )}
            <text x={at.x} y={edge.label === null ? at.y - 6 : at.y + 3.5} class="map-edge-label" text-anchor="middle">
              {label}
            </text>
          </g>
        );
      })}
    </g>
  );
}
