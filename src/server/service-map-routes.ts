/**
 * The lines of the service map's edges, drawn through the columns dagre laid the map out in. dagre
 * gives each edge one point per column it passes (the free place kept for it there, away from every
 * node and label of that column) and then draws straight from the last such point to where that line
 * meets the callee's box, and likewise from the caller: a slanted line that may run through another
 * node of the callee's or the caller's column, so that the map reads as a call through that node.
 *
 * Here every edge leaves its caller from the side facing the callee (the right, as the map runs left to
 * right) at the box's vertical centre, runs level across each column it passes at the height of its
 * free place there, and turns only in the empty space between two columns; it enters the callee level,
 * at the middle of its side. Between columns there is nothing to cross, and across a column the line
 * keeps to a height no box of that column covers, so no line passes through a node or another label.
 * The lines at one side of a box meet it at heights of their own (endHeights), in the order they come
 * from, so that two calls into one callee do not end in one arrowhead.
 */

export interface Point {
  x: number;
  y: number;
}

/** A box by its centre. */
export interface CentredBox extends Point {
  width: number;
  height: number;
}

/** How far a line runs level out of its caller and into its callee, so the arrowhead points along it. */
const END_RUN = 10;

/**
 * Half the width of every column of the layout, by its centre's x: the widest node or label in it.
 * dagre centres all nodes and free places of one column on the same x (kept here to a tenth of a pixel).
 */
export function columnHalfWidths(boxes: Iterable<CentredBox>): Map<number, number> {
  const half = new Map<number, number>();
  for (const box of boxes) half.set(column(box.x), Math.max(half.get(column(box.x)) ?? 0, box.width / 2));
  return half;
}

const column = (x: number) => Math.round(x * 10);

/** An edge as dagre placed it: its two nodes, its places in the columns between, where its numbers go. */
export interface PlacedThrough {
  key: string;
  from: CentredBox;
  to: CentredBox;
  /** dagre's points without the first and the last, in order from `from`. */
  passes: Point[];
  /** One of `passes` (an edge between neighbouring columns has only this one). */
  label: Point | undefined;
}

/**
 * dagre orders each column's places to cross few lines over the whole map, yet two calls of one caller
 * to two callees next to each other can still leave it in the wrong order and swap over just past their
 * numbers. Among places next to each other in a column that each hold the numbers of an edge between
 * the neighbouring columns (its only place), the order of the nodes on their left, then on their right,
 * crosses two such lines only where their nodes' order makes them cross anyway; the lines around keep
 * their crossings, as no place moves past one of theirs. The same places, handed out anew.
 */
export function untangleNeighbourCalls(edges: PlacedThrough[]): void {
  const columns = new Map<number, { y: number; edge: PlacedThrough | null }[]>();
  for (const edge of edges) {
    for (const pass of edge.passes) {
      const items = columns.get(column(pass.x)) ?? [];
      items.push({ y: pass.y, edge: edge.passes.length === 1 ? edge : null });
      columns.set(column(pass.x), items);
    }
  }
  for (const items of columns.values()) {
    items.sort((a, b) => a.y - b.y);
    let run: PlacedThrough[] = [];
    for (const item of [...items, { y: Number.POSITIVE_INFINITY, edge: null }]) {
      if (item.edge !== null) {
        run.push(item.edge);
        continue;
      }
      if (run.length > 1) handOutInOrder(run);
      run = [];
    }
  }
}

function handOutInOrder(run: PlacedThrough[]): void {
  const ys = run.map((edge) => (edge.passes[0] as Point).y).sort((a, b) => a - b);
  // A call to a node on the left (a cycle's) has its caller on the right.
  const ends = (edge: PlacedThrough) => (edge.to.x < edge.from.x ? [edge.to, edge.from] : [edge.from, edge.to]);
  const ordered = [...run].sort((a, b) => {
    const [aLeft, aRight] = ends(a) as [CentredBox, CentredBox];
    const [bLeft, bRight] = ends(b) as [CentredBox, CentredBox];
    return aLeft.y - bLeft.y || aRight.y - bRight.y || (a.key < b.key ? -1 : 1);
  });
  for (const [i, edge] of ordered.entries()) {
    const place = { x: (edge.passes[0] as Point).x, y: ys[i] as number };
    edge.passes = [place];
    if (edge.label !== undefined) edge.label = place;
  }
}

/** The room between the ends of two lines at one side of a box, when it has it: an arrowhead's height (8 px, MapCanvas). */
const END_GAP = 9;
/** What the ends keep clear of a box's corners: five ends fit apart on a node's side (46 px). */
const CORNER_ROOM = 5;

/** The height at which an edge leaves its caller and enters its callee (see endHeights). */
export interface EndHeights {
  fromY: number;
  toY: number;
}

/** One line's end at a side of a box: which edge, which of its ends, the heights it is ordered by. */
interface SideEnd {
  key: string;
  end: keyof EndHeights;
  /** Where the line goes from here: its nearest place in a column, else the box at its other end. */
  toward: number;
  /** The box at its other end. */
  far: number;
}

/**
 * Where each edge meets its two boxes: the lines at one side of a box are spread over its middle, at
 * most END_GAP apart, ordered by where each comes from or goes to (its nearest place in a column, else
 * the box at its other end), so that they neither share an arrowhead nor cross on their way in or out.
 * A box's side with one line keeps it at the middle.
 */
export function endHeights(edges: readonly PlacedThrough[]): Map<string, EndHeights> {
  /** The lines at each side (-1 left, 1 right) of each box. */
  const sides = new Map<CentredBox, Map<number, SideEnd[]>>();
  const atSide = (box: CentredBox, side: number): SideEnd[] => {
    const ofBox = sides.get(box) ?? new Map<number, SideEnd[]>();
    sides.set(box, ofBox);
    const list = ofBox.get(side) ?? [];
    ofBox.set(side, list);
    return list;
  };
  const heights = new Map<string, EndHeights>();
  for (const edge of edges) {
    const dir = edge.to.x < edge.from.x ? -1 : 1;
    const first = edge.passes[0] ?? edge.to;
    const last = edge.passes[edge.passes.length - 1] ?? edge.from;
    atSide(edge.from, dir).push({ key: edge.key, end: "fromY", toward: first.y, far: edge.to.y });
    atSide(edge.to, -dir).push({ key: edge.key, end: "toY", toward: last.y, far: edge.from.y });
    heights.set(edge.key, { fromY: edge.from.y, toY: edge.to.y });
  }
  for (const [box, ofBox] of sides) {
    for (const ends of ofBox.values()) {
      if (ends.length < 2) continue;
      ends.sort((a, b) => a.toward - b.toward || a.far - b.far || (a.key < b.key ? -1 : 1));
      const gap = Math.min(END_GAP, Math.max(0, box.height - 2 * CORNER_ROOM) / (ends.length - 1));
      for (const [i, end] of ends.entries()) {
        (heights.get(end.key) as EndHeights)[end.end] = box.y + (i - (ends.length - 1) / 2) * gap;
      }
    }
  }
  return heights;
}

/**
 * The line of one edge from `from` to `to` through `passes`, its free places in the columns between
 * (dagre's points without the first and the last), given the columns' half widths, leaving and
 * entering its boxes at `ends` (their middles when not given).
 */
export function routeEdge(
  from: CentredBox,
  to: CentredBox,
  passes: Point[],
  half: Map<number, number>,
  ends: EndHeights = { fromY: from.y, toY: to.y },
): Point[] {
  // A call to a node on the left (dagre turns a cycle's edge around) runs right to left.
  const dir = to.x < from.x ? -1 : 1;
  const halfOf = (x: number) => half.get(column(x)) ?? 0;
  const points: Point[] = [
    { x: from.x + (dir * from.width) / 2, y: ends.fromY },
    { x: from.x + dir * Math.max(halfOf(from.x), from.width / 2 + END_RUN), y: ends.fromY },
  ];
  for (const pass of passes) {
    points.push({ x: pass.x - dir * halfOf(pass.x), y: pass.y }, { x: pass.x + dir * halfOf(pass.x), y: pass.y });
  }
  points.push(
    { x: to.x - dir * Math.max(halfOf(to.x), to.width / 2 + END_RUN), y: ends.toY },
    { x: to.x - (dir * to.width) / 2, y: ends.toY },
  );
  return withoutNeedlessPoints(points);
}

/** The same line without repeated points and without points in the middle of a level run. */
function withoutNeedlessPoints(points: Point[]): Point[] {
  const kept: Point[] = [];
  for (const point of points) {
    const last = kept[kept.length - 1];
    if (last !== undefined && last.x === point.x && last.y === point.y) continue;
    const before = kept[kept.length - 2];
    if (before !== undefined && last !== undefined && before.y === last.y && last.y === point.y) kept.pop();
    kept.push(point);
  }
  return kept;
}
