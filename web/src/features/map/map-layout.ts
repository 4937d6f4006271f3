/**
 * What the map page draws from each answer of `GET /api/service-map?layout=1`, given what it drew
 * before. The server lays the map out (left to right, by dagre, the same for the same nodes and
 * edges); here the drawing is kept stable while traffic changes: the same nodes and edges, or fewer,
 * stay exactly where they were (only the numbers change), and a layout with new ones is shifted so
 * that as many of the nodes already shown as possible keep their place.
 */
import type { ServiceMapLayoutJson, ServiceMapResponse } from "../../../../src/protocol";

export type MapNodeJson = ServiceMapResponse["nodes"][number];
export type MapEdgeJson = ServiceMapResponse["edges"][number];

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode extends MapNodeJson {
  /** The box's centre. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge extends MapEdgeJson {
  /** `from>to`. */
  key: string;
  points: Point[];
  /** The centre of the edge's numbers, on its line (null: the line's middle point). */
  label: Point | null;
}

/** The area drawn on: the layout's coordinates run from (x, y) over width × height. */
export interface MapBounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface MapLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  bounds: MapBounds;
}

/**
 * The least scale "Fit" draws at: the smallest text, the edge labels (10.5 px), stays above 6 px, the
 * node's figures (11 px) near 6.6 px and its name (13 px) near 8 px, and the demo's map still fits whole
 * in a 1366 by 768 laptop window (it needs ~0.64 there, ~0.73 at 1440 by 900) (at 800 by 600 a map of eight
 * services fitted whole drew them at 4 to 5 px). A map too large for that is shown from its start (the callers, on
 * the left, and its top); the rest is a drag away, or the zoom-out button's, which may go smaller.
 */
export const MIN_FIT_SCALE = 0.6;

/**
 * The drawing's viewBox at "Fit": the whole map, centred, never drawn larger than life nor smaller
 * than MIN_FIT_SCALE. A box smaller than the canvas (`pixels`, null until measured) is widened to it,
 * or a one-service map fills the page with its node at four times its size; a side too long to fit
 * at the least scale is cut to what fits, from its start.
 */
export function fitBox(bounds: MapBounds, pixels: { width: number; height: number } | null): MapBounds {
  const side = (start: number, size: number, room: number) => {
    if (size <= room) return { start: start - (room - size) / 2, size: room };
    return { start, size: Math.min(size, room / MIN_FIT_SCALE) };
  };
  const x = side(bounds.x, bounds.width, pixels?.width ?? 300);
  const y = side(bounds.y, bounds.height, pixels?.height ?? 200);
  return { x: x.start, y: y.start, width: x.size, height: y.size };
}

/** Whether the map at "Fit" (`fitBox`) shows only part of the drawing. */
export function fitCutsMap(bounds: MapBounds, fit: MapBounds): boolean {
  return fit.width < bounds.width || fit.height < bounds.height;
}

export type LaidOutMap = Pick<ServiceMapResponse, "nodes" | "edges"> & { layout: ServiceMapLayoutJson };

/** The query of the map's request: the window's start (none for everything) and the layout. */
export function mapRequestParams(since: number | undefined): Record<string, number | undefined> {
  return { since, layout: 1 };
}

export const edgeKey = (edge: Pick<MapEdgeJson, "from" | "to">): string => `${edge.from}>${edge.to}`;

/** The shift of `next` that keeps the most of the nodes both place where `previous` had them. */
function keepingShift(previous: MapLayout, next: ServiceMapLayoutJson["nodes"]): Point {
  const votes = new Map<string, { shift: Point; count: number }>();
  let best: { shift: Point; count: number } = { shift: { x: 0, y: 0 }, count: 0 };
  for (const node of previous.nodes) {
    const box = next[node.id];
    if (box === undefined) continue;
    const shift = { x: node.x - box.x, y: node.y - box.y };
    const key = `${shift.x.toFixed(1)},${shift.y.toFixed(1)}`;
    const vote = votes.get(key) ?? { shift, count: 0 };
    vote.count++;
    votes.set(key, vote);
    if (vote.count > best.count) best = vote;
  }
  return best.shift;
}

function union(a: MapBounds, b: MapBounds): MapBounds {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

/**
 * The map to draw for `answer`. With the same nodes and edges as `previous`, or some of them, every
 * node and edge keeps its place and the drawing its bounds; otherwise the answer's layout, shifted as
 * `keepingShift` says, on bounds that still hold what was drawn before.
 */
export function placeMap(answer: LaidOutMap, previous: MapLayout | null): MapLayout {
  const drawnNodes = new Map(previous?.nodes.map((node) => [node.id, node]));
  const drawnEdges = new Map(previous?.edges.map((edge) => [edge.key, edge]));
  const drawable = answer.edges.filter((edge) => edge.from !== edge.to);
  const kept =
    previous !== null &&
    answer.nodes.every((node) => drawnNodes.has(node.id)) &&
    drawable.every((edge) => drawnEdges.has(edgeKey(edge)));
  if (kept) {
    return {
      nodes: answer.nodes.map((node) => {
        const { x, y, width, height } = drawnNodes.get(node.id) as PlacedNode;
        return { ...node, x, y, width, height };
      }),
      edges: drawable.map((edge) => {
        const key = edgeKey(edge);
        const drawn = drawnEdges.get(key) as PlacedEdge;
        return { ...edge, key, points: drawn.points, label: drawn.label };
      }),
      bounds: previous.bounds,
    };
  }
  const { layout } = answer;
  const shift = previous === null ? { x: 0, y: 0 } : keepingShift(previous, layout.nodes);
  const move = (p: Point): Point => ({ x: p.x + shift.x, y: p.y + shift.y });
  const own = { x: shift.x, y: shift.y, width: layout.width, height: layout.height };
  return {
    nodes: answer.nodes.map((node) => {
      const box = layout.nodes[node.id] ?? { x: 0, y: 0, width: 0, height: 0 };
      return { ...node, ...move(box), width: box.width, height: box.height };
    }),
    edges: drawable.map((edge) => {
      const key = edgeKey(edge);
      const label = layout.labels[key];
      return {
        ...edge,
        key,
        points: (layout.edges[key] ?? []).map(move),
        label: label === undefined ? null : move(label),
      };
    }),
    bounds: previous === null ? own : union(previous.bounds, own),
  };
}

/** The ids a node touches (itself and its neighbours), for hover highlighting. */
export function neighbourhood(map: Pick<MapLayout, "edges">, id: string): Set<string> {
  const ids = new Set([id]);
  for (const edge of map.edges) {
    if (edge.from === id) ids.add(edge.to);
    if (edge.to === id) ids.add(edge.from);
  }
  return ids;
}

/**
 * The trace list that shows a node's traces, or an edge's, in the map's window (`since`, unix ms; none
 * for everything stored) so it lists the calls counted. A service's are those with a span of it; a node
 * that sends no spans, and an edge, are called: `peer=` finds a span that calls the node by the map's
 * own rule, `service=A peer=B` one of A that calls B (the traces counted on the edge A → B).
 */
export function tracesHref(node: MapNodeJson, from?: MapNodeJson, since?: number): string {
  const params = new URLSearchParams();
  const callee = `peer=${quoted(node.name)}`;
  if (from !== undefined) params.set("q", `service=${quoted(from.name)} ${callee}`);
  else if (node.kind === "service") params.set("service", node.name);
  else params.set("q", callee);
  if (since !== undefined) params.set("since", String(since));
  return `/?${params}`;
}

function quoted(value: string): string {
  return /^[\w./:-]+$/.test(value) ? value : `"${value.replace(/["\\]/g, "\\$&")}"`;
}
