/**
 * Where the map page draws the service map (`GET /api/service-map?layout=1`): a left-to-right layered
 * layout by dagre, worked out once per set of nodes and edges and kept. Traffic that changes only the
 * numbers costs no layout, and a page opens with its map laid out already: dagre's first run in a
 * fresh page took longer than the rest of drawing the map, while here it runs warm, once for every
 * page that shows the same map. dagre is imported on the first layout asked for.
 */
import { ascending } from "../domain/order.js";
import type { MapEdge, MapNode, ServiceMap } from "../domain/service-map.js";
import type { ServiceMapLayoutJson } from "../protocol.js";
import {
  type CentredBox,
  columnHalfWidths,
  endHeights,
  type PlacedThrough,
  routeEdge,
  untangleNeighbourCalls,
} from "./service-map-routes.js";

type Dagre = typeof import("@dagrejs/dagre");

const MAP_NODE_HEIGHT = 46;
/** Room for the stats line ("8.7/s · 3.1% err · p95 1.36s") under the name. */
const MIN_NODE_WIDTH = 215;
/** Roughly a character of the node's 13 px label. */
const CHAR_WIDTH = 7.4;
/**
 * The box kept free for an edge's numbers ("48.7/min · 12.5% · p95 1.36s" in 10.5 px): dagre places it
 * on the edge's line like a node of its own, so no label covers a node, another label or another line.
 */
const EDGE_LABEL_WIDTH = 170;
const EDGE_LABEL_HEIGHT = 16;
/** Node sets kept: a few windows' maps, and the one before the newest service appeared. */
const DEFAULT_KEEP = 8;

export interface ServiceMapLayouts {
  /** The layout of the map's nodes and edges (not its numbers): the kept one when they were laid out lately. */
  layoutOf(map: ServiceMap): Promise<ServiceMapLayoutJson>;
  /** How many times dagre has run. */
  readonly runs: number;
}

export interface ServiceMapLayoutOptions {
  /** How many node-and-edge sets to keep the layout of (default 8). */
  keep?: number;
  /** Where dagre comes from (tests count or replace it). */
  loadDagre?: () => Promise<Dagre>;
}

const edgeKey = (edge: Pick<MapEdge, "from" | "to">) => `${edge.from}>${edge.to}`;
const tenth = (n: number) => Math.round(n * 10) / 10;

function mapNodeWidth(name: string): number {
  return Math.max(MIN_NODE_WIDTH, Math.ceil(44 + name.length * CHAR_WIDTH));
}

/** dagre's answer depends on the order nodes and edges are added: one order for one set. */
function topology(map: ServiceMap): { nodes: MapNode[]; edges: MapEdge[]; key: string } {
  const nodes = [...map.nodes].sort((a, b) => ascending(a.id, b.id));
  const edges = map.edges
    .filter((edge) => edge.from !== edge.to)
    .sort((a, b) => ascending(a.from, b.from) || ascending(a.to, b.to));
  const key = JSON.stringify([nodes.map((node) => [node.id, node.name]), edges.map((edge) => [edge.from, edge.to])]);
  return { nodes, edges, key };
}

function runLayout(dagre: Dagre, nodes: MapNode[], edges: MapEdge[]): ServiceMapLayoutJson {
  const graph = new dagre.Graph({ multigraph: false });
  // With edge labels, dagre puts a rank of labels between two ranks of nodes, half `ranksep` from each.
  graph.setGraph({ rankdir: "LR", nodesep: 28, edgesep: 14, ranksep: 60, marginx: 20, marginy: 20 });
  for (const node of nodes) graph.setNode(node.id, { width: mapNodeWidth(node.name), height: MAP_NODE_HEIGHT });
  for (const edge of edges) {
    graph.setEdge(edge.from, edge.to, { width: EDGE_LABEL_WIDTH, height: EDGE_LABEL_HEIGHT, labelpos: "c" });
  }
  dagre.layout(graph);
  const layout: ServiceMapLayoutJson = { width: 0, height: 0, nodes: {}, edges: {}, labels: {} };
  for (const node of nodes) {
    const placed = graph.node(node.id);
    layout.nodes[node.id] = {
      x: tenth(placed.x ?? 0),
      y: tenth(placed.y ?? 0),
      width: placed.width,
      height: placed.height,
    };
  }
  const boxOf = (id: string) => graph.node(id) as CentredBox;
  const placed: PlacedThrough[] = edges.map((edge) => {
    const line = graph.edge(edge.from, edge.to);
    return {
      key: edgeKey(edge),
      from: boxOf(edge.from),
      to: boxOf(edge.to),
      // dagre's first and last points are where its slanted end lines meet the boxes: routed anew, level.
      passes: (line?.points ?? []).slice(1, -1),
      label: line?.x !== undefined && line.y !== undefined ? { x: line.x, y: line.y } : undefined,
    };
  });
  untangleNeighbourCalls(placed);
  const labelBoxes = placed.flatMap(({ label }) =>
    label === undefined ? [] : [{ ...label, width: EDGE_LABEL_WIDTH, height: EDGE_LABEL_HEIGHT }],
  );
  const half = columnHalfWidths([...nodes.map((node) => boxOf(node.id)), ...labelBoxes]);
  const ends = endHeights(placed);
  for (const edge of placed) {
    const points = routeEdge(edge.from, edge.to, edge.passes, half, ends.get(edge.key));
    layout.edges[edge.key] = points.map((p) => ({ x: tenth(p.x), y: tenth(p.y) }));
    if (edge.label !== undefined) layout.labels[edge.key] = { x: tenth(edge.label.x), y: tenth(edge.label.y) };
  }
  const label = graph.graph();
  layout.width = Math.ceil(label.width ?? 0);
  layout.height = Math.ceil(label.height ?? 0);
  return layout;
}

export function createServiceMapLayouts(options: ServiceMapLayoutOptions = {}): ServiceMapLayouts {
  const keep = options.keep ?? DEFAULT_KEEP;
  const loadDagre = options.loadDagre ?? (() => import("@dagrejs/dagre"));
  let dagre: Promise<Dagre> | null = null;
  /** Layouts by node-and-edge set, least recently asked for first. */
  const kept = new Map<string, ServiceMapLayoutJson>();
  let runs = 0;

  return {
    get runs() {
      return runs;
    },
    async layoutOf(map) {
      const { nodes, edges, key } = topology(map);
      let layout = kept.get(key);
      if (layout === undefined) {
        dagre ??= loadDagre();
        const library = await dagre;
        // Another request may have laid the same set out while this one waited for the import.
        layout = kept.get(key);
        if (layout === undefined) {
          layout = runLayout(library, nodes, edges);
          runs++;
        }
      }
      kept.delete(key);
      kept.set(key, layout);
      while (kept.size > keep) kept.delete(kept.keys().next().value as string);
      return layout;
    },
  };
}
