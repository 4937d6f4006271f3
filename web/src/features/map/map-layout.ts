/**
 * Where the service map's nodes and edges go: a left-to-right layered layout by dagre, the same
 * for the same graph, so the map stays put while traffic changes only the numbers.
 */
import { Graph, layout } from "@dagrejs/dagre";
import type { ServiceMapResponse } from "../../../../src/protocol";

export type MapNodeJson = ServiceMapResponse["nodes"][number];
export type MapEdgeJson = ServiceMapResponse["edges"][number];

export interface PlacedNode extends MapNodeJson {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge extends MapEdgeJson {
  points: { x: number; y: number }[];
}

export interface MapLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export const NODE_HEIGHT = 46;
/** Room for the stats line ("8.7/s · 3.1% err · p95 1.36s") under the name. */
const MIN_NODE_WIDTH = 215;
/** Roughly a character of the node's 13 px label. */
const CHAR_WIDTH = 7.4;

export function layoutMap(map: Pick<ServiceMapResponse, "nodes" | "edges">): MapLayout {
  const graph = new Graph({ multigraph: false });
  graph.setGraph({ rankdir: "LR", nodesep: 28, ranksep: 120, marginx: 20, marginy: 20 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of map.nodes) {
    graph.setNode(node.id, {
      width: Math.max(MIN_NODE_WIDTH, 44 + node.name.length * CHAR_WIDTH),
      height: NODE_HEIGHT,
    });
  }
  for (const edge of map.edges) if (edge.from !== edge.to) graph.setEdge(edge.from, edge.to);
  layout(graph);
  const nodes = map.nodes.map((node) => {
    const placed = graph.node(node.id);
    return { ...node, x: placed.x, y: placed.y, width: placed.width, height: placed.height };
  });
  const edges = map.edges
    .filter((edge) => edge.from !== edge.to)
    .map((edge) => ({ ...edge, points: graph.edge(edge.from, edge.to)?.points ?? [] }));
  const label = graph.graph();
  return { nodes, edges, width: label.width ?? 0, height: label.height ?? 0 };
}

/** The ids a node touches (itself and its neighbours), for hover highlighting. */
export function neighbourhood(map: Pick<ServiceMapResponse, "edges">, id: string): Set<string> {
  const ids = new Set([id]);
  for (const edge of map.edges) {
    if (edge.from === id) ids.add(edge.to);
    if (edge.to === id) ids.add(edge.from);
  }
  return ids;
}

/** The trace list that shows a node's traces, or an edge's (the caller's traces that reach the callee). */
export function tracesHref(node: MapNodeJson, from?: MapNodeJson): string {
  const params = new URLSearchParams();
  const query = calleeQuery(node);
  if (from !== undefined) {
    params.set("service", from.name);
    params.set("q", query);
  } else if (node.kind === "service") params.set("service", node.name);
  else params.set("q", query);
  return `/?${params}`;
}

function quoted(value: string): string {
  return /^[\w./:-]+$/.test(value) ? value : `"${value.replace(/["\\]/g, "\\$&")}"`;
}

/** A query (see the README's grammar) for spans that belong to or call this node. */
function calleeQuery(node: MapNodeJson): string {
  const [system] = node.name.split(" ");
  switch (node.kind) {
    case "service":
    case "external":
      return node.kind === "service" ? `service=${quoted(node.name)}` : quoted(node.name);
    case "database":
    case "cache":
      return `db.system=${quoted(system ?? node.name)}`;
    case "queue":
      return `messaging.system=${quoted(system ?? node.name)}`;
    case "llm":
      return `gen_ai.provider.name=${quoted(node.name)}`;
  }
}
