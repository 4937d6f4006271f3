import * as dagre from "@dagrejs/dagre";
import { describe, expect, it } from "vitest";
import type { MapEdge, MapNode, ServiceMap } from "../../src/domain/service-map.js";
import type { ServiceMapLayoutJson } from "../../src/protocol.js";
import { createServiceMapLayouts } from "../../src/server/service-map-layout.js";

const node = (id: string, calls = 1): MapNode => ({
  id,
  name: id.slice(id.indexOf(":") + 1),
  kind: id.startsWith("database:") ? "database" : "service",
  calls,
  errors: 0,
  p50Ms: 1,
  p95Ms: 2,
});
type Box = { x: number; y: number; width: number; height: number };
type Point = { x: number; y: number };

/** Whether the segment a–b passes inside the box (centred at x, y); touching its outline is not crossing. */
function crosses(a: Point, b: Point, box: Box): boolean {
  const inset = 0.5;
  const [left, right] = [box.x - box.width / 2 + inset, box.x + box.width / 2 - inset];
  const [top, bottom] = [box.y - box.height / 2 + inset, box.y + box.height / 2 - inset];
  // The part of the segment within the box's left and right, then within its top and bottom.
  let [t0, t1] = [0, 1];
  for (const [start, delta, low, high] of [
    [a.x, b.x - a.x, left, right],
    [a.y, b.y - a.y, top, bottom],
  ] as const) {
    if (delta === 0) {
      if (start < low || start > high) return false;
      continue;
    }
    const [u, v] = [(low - start) / delta, (high - start) / delta];
    t0 = Math.max(t0, Math.min(u, v));
    t1 = Math.min(t1, Math.max(u, v));
  }
  return t0 < t1;
}
const edge = (from: string, to: string, calls = 1): MapEdge => ({ from, to, calls, errors: 0, p50Ms: 1, p95Ms: 2 });

function shop(calls: number): ServiceMap {
  return {
    nodes: [node("database:postgresql", calls), node("service:checkout", calls), node("service:web", calls)],
    edges: [
      edge("service:checkout", "database:postgresql", calls),
      edge("service:web", "service:checkout", calls),
      edge("service:web", "service:web", calls),
    ],
  };
}

const mapOf = (calls: [string, string][]): ServiceMap => ({
  nodes: [...new Set(calls.flat())].map((id) => node(id)),
  edges: calls.map(([from, to]) => edge(from, to)),
});

/** Whether segments a–b and c–d cross at a point inside both (lines that only touch or overlap do not). */
function crossEachOther(a: Point, b: Point, c: Point, d: Point): boolean {
  const side = (p: Point, q: Point, r: Point) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  const [s1, s2, s3, s4] = [side(a, b, c), side(a, b, d), side(c, d, a), side(c, d, b)];
  return s1 * s2 < 0 && s3 * s4 < 0;
}

/**
 * The pairs of edges between neighbouring columns, of one caller or into one callee, whose lines cross
 * (two of one caller to callees next to each other swapped over just past their numbers).
 */
function neighbourCallsCrossing(layout: ServiceMapLayoutJson): string[] {
  const columns = new Set(Object.values(layout.nodes).map((box) => box.x));
  const neighbours = (key: string) => {
    const [from, to] = key.split(">").map((id) => layout.nodes[id]?.x ?? 0) as [number, number];
    return ![...columns].some((x) => Math.min(from, to) < x && x < Math.max(from, to));
  };
  const lines = Object.entries(layout.edges).filter(([key]) => neighbours(key));
  const found: string[] = [];
  for (const [i, [key, points]] of lines.entries()) {
    for (const [other, others] of lines.slice(i + 1)) {
      const [from, to] = key.split(">");
      const [otherFrom, otherTo] = other.split(">");
      if (from !== otherFrom && to !== otherTo) continue;
      const crossing = points
        .slice(0, -1)
        .some((a, j) =>
          others.slice(0, -1).some((c, k) => crossEachOther(a, points[j + 1] as Point, c, others[k + 1] as Point)),
        );
      if (crossing) found.push(`${key} × ${other}`);
    }
  }
  return found;
}

/** Every edge clear of the nodes it does not join, out of and into their facing sides, its numbers on it. */
function expectRoutedAround(layout: ServiceMapLayoutJson, edges: number) {
  expect(Object.keys(layout.edges)).toHaveLength(edges);
  for (const [key, points] of Object.entries(layout.edges)) {
    const [fromId, toId] = key.split(">") as [string, string];
    const from = layout.nodes[fromId] as Box;
    const to = layout.nodes[toId] as Box;
    for (const [id, box] of Object.entries(layout.nodes)) {
      if (id === fromId || id === toId) continue;
      for (const [i, a] of points.slice(0, -1).entries()) {
        expect(crosses(a, points[i + 1] as Point, box), `${key} through ${id}`).toBe(false);
      }
    }
    // Out of the caller's side that faces the callee and into the callee's, level, clear of their corners.
    const dir = Math.sign(to.x - from.x);
    const first = points[0] as Point;
    const [beforeLast, last] = points.slice(-2) as [Point, Point];
    expect(first.x).toBe(from.x + (dir * from.width) / 2);
    expect(Math.abs(first.y - from.y)).toBeLessThanOrEqual(from.height / 2 - 5);
    expect(last.x).toBe(to.x - (dir * to.width) / 2);
    expect(Math.abs(last.y - to.y)).toBeLessThanOrEqual(to.height / 2 - 5);
    expect((points[1] as Point).y).toBe(first.y);
    expect(beforeLast.y).toBe(last.y);
    expect((last.x - beforeLast.x) * dir).toBeGreaterThan(0);
    // Its numbers sit on its line, where the line runs level.
    const label = layout.labels[key] as Point;
    const under = points.slice(0, -1).some((a, i) => {
      const b = points[i + 1] as Point;
      return a.y === label.y && b.y === label.y && Math.min(a.x, b.x) <= label.x && label.x <= Math.max(a.x, b.x);
    });
    expect(under, `${key}'s numbers on its line`).toBe(true);
  }
}

/** The pairs of edges that meet a box at the same point (two calls into one callee ending in one arrowhead). */
function sharedEnds(layout: ServiceMapLayoutJson): string[] {
  const byPoint = new Map<string, string[]>();
  for (const [key, points] of Object.entries(layout.edges)) {
    for (const point of [points[0], points[points.length - 1]] as Point[]) {
      const at = `${point.x},${point.y}`;
      byPoint.set(at, [...(byPoint.get(at) ?? []), key]);
    }
  }
  return [...byPoint.values()].filter((keys) => keys.length > 1).map((keys) => keys.join(" = "));
}

describe("the service map's layouts", () => {
  it("lays out left to right, callers before callees, with a line per edge between two nodes", async () => {
    const layouts = createServiceMapLayouts();
    const layout = await layouts.layoutOf(shop(1));
    const x = (id: string) => layout.nodes[id]?.x ?? Number.NaN;
    expect(x("service:web")).toBeLessThan(x("service:checkout"));
    expect(x("service:checkout")).toBeLessThan(x("database:postgresql"));
    expect(Object.keys(layout.edges).sort()).toEqual([
      "service:checkout>database:postgresql",
      "service:web>service:checkout",
    ]);
    for (const points of Object.values(layout.edges)) expect(points.length).toBeGreaterThanOrEqual(2);
    expect(layout.width).toBeGreaterThan(x("database:postgresql"));
    // Each edge's numbers go between its two nodes, clear of both boxes.
    expect(Object.keys(layout.labels).sort()).toEqual(Object.keys(layout.edges).sort());
    for (const [key, label] of Object.entries(layout.labels)) {
      const [from, to] = key.split(">").map((id) => layout.nodes[id]) as [Box, Box];
      expect(label.x - 85).toBeGreaterThanOrEqual(from.x + from.width / 2);
      expect(label.x + 85).toBeLessThanOrEqual(to.x - to.width / 2);
    }
  });

  it("keeps every edge's numbers clear of every node and of each other on a busy map", async () => {
    // A caller fanning out to ten services, each calling the same database: labels run close together.
    const callees = Array.from({ length: 10 }, (_, i) => `service:s${i}`);
    const map: ServiceMap = {
      nodes: [node("service:gateway"), node("database:postgresql"), ...callees.map((id) => node(id))],
      edges: callees.flatMap((id) => [edge("service:gateway", id), edge(id, "database:postgresql")]),
    };
    const layout = await createServiceMapLayouts().layoutOf(map);
    const labels = Object.values(layout.labels).map((p) => ({ x: p.x, y: p.y, width: 170, height: 16 }));
    expect(labels).toHaveLength(20);
    const overlap = (a: Box, b: Box) =>
      Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height;
    for (const [i, label] of labels.entries()) {
      for (const box of Object.values(layout.nodes)) expect(overlap(label, box)).toBe(false);
      for (const other of labels.slice(i + 1)) expect(overlap(label, other)).toBe(false);
    }
  });

  it("draws no edge through a node but its own two, into each callee level from the left, no calls swapped", async () => {
    // The demo's services, and a frontend → backend pair beside them: web-frontend's call to
    // checkout-api turned late and steeply into it, through a service of checkout-api's column; and
    // support-assistant's calls to openai, anthropic and checkout-api swapped over past their numbers.
    const calls: [string, string][] = [
      ["service:checkout-api", "cache:redis db 0"],
      ["service:checkout-api", "database:postgresql shop"],
      ["service:checkout-api", "service:email-worker"],
      ["service:checkout-api", "service:payment-service"],
      ["service:email-worker", "database:postgresql shop"],
      ["service:email-worker", "service:api.sendgrid.com"],
      ["service:frontend", "service:backend"],
      ["service:inventory-sync", "cache:redis db 0"],
      ["service:inventory-sync", "database:postgresql shop"],
      ["service:inventory-sync", "service:feeds.supplier.example.com"],
      ["service:payment-service", "database:postgresql shop"],
      ["service:payment-service", "service:api.stripe.com"],
      ["service:support-assistant", "cache:redis db 0"],
      ["service:support-assistant", "database:postgresql shop"],
      ["service:support-assistant", "llm:anthropic"],
      ["service:support-assistant", "llm:openai"],
      ["service:support-assistant", "service:checkout-api"],
      ["service:web-frontend", "service:checkout-api"],
      ["service:web-frontend", "service:support-assistant"],
    ];
    const layout = await createServiceMapLayouts().layoutOf(mapOf(calls));
    expectRoutedAround(layout, calls.length);
    expect(neighbourCallsCrossing(layout)).toEqual([]);
    // postgresql shop's five callers each end in an arrowhead of their own, spread over its side in
    // the order they come from, and a caller's calls leave it apart.
    expect(sharedEnds(layout)).toEqual([]);
    const into = (id: string) =>
      Object.entries(layout.edges)
        .filter(([key]) => key.endsWith(`>${id}`))
        .map(([, points]) => points);
    const intoDatabase = into("database:postgresql shop");
    expect(intoDatabase).toHaveLength(5);
    // Their arrowheads (8 px) side by side: ends 9 px apart.
    const ends = intoDatabase.map((points) => (points.at(-1) as Point).y).sort((a, b) => a - b);
    for (const [i, y] of ends.slice(1).entries()) expect(y - (ends[i] as number)).toBeGreaterThanOrEqual(8);
    const byEnd = [...intoDatabase].sort((a, b) => (a.at(-1) as Point).y - (b.at(-1) as Point).y);
    const byApproach = [...intoDatabase].sort((a, b) => (a.at(-3) as Point).y - (b.at(-3) as Point).y);
    expect(byEnd).toEqual(byApproach);
  });

  it("routes around a column of several callees, each called from another column too", async () => {
    // A caller of five services that share a column with five more, each called from elsewhere.
    const fan = Array.from({ length: 5 }, (_, i) => `service:callee-${i}`);
    const others = Array.from({ length: 5 }, (_, i) => `service:other-${i}`);
    const calls: [string, string][] = [
      ...fan.map((id): [string, string] => ["service:gateway", id]),
      ...others.map((id): [string, string] => ["service:router", id]),
      ["service:gateway", "service:router"],
      ["service:router", "service:callee-0"],
      ["service:callee-4", "service:router"],
      // Calls back and forth: one of the two runs right to left.
      ["service:other-4", "service:router"],
      ["service:cron", "service:callee-2"],
      ["service:cron", "service:other-3"],
    ];
    const layout = await createServiceMapLayouts().layoutOf(mapOf(calls));
    expectRoutedAround(layout, calls.length);
    expect(neighbourCallsCrossing(layout)).toEqual([]);
    expect(sharedEnds(layout)).toEqual([]);
  });

  it("runs dagre once for the same nodes and edges, whatever their numbers or order", async () => {
    const layouts = createServiceMapLayouts();
    const first = await layouts.layoutOf(shop(1));
    const busier = shop(40);
    busier.nodes.reverse();
    busier.edges.reverse();
    expect(await layouts.layoutOf(busier)).toBe(first);
    expect(layouts.runs).toBe(1);
    // A new edge is a new layout; the old set's is still kept.
    const more = shop(1);
    more.edges.push(edge("service:web", "database:postgresql"));
    expect(await layouts.layoutOf(more)).not.toBe(first);
    expect(await layouts.layoutOf(shop(2))).toBe(first);
    expect(layouts.runs).toBe(2);
  });

  it("keeps the layouts of the sets asked for most lately, and loads dagre once", async () => {
    let loads = 0;
    const layouts = createServiceMapLayouts({
      keep: 2,
      loadDagre: async () => {
        loads++;
        return dagre;
      },
    });
    const only = (id: string): ServiceMap => ({ nodes: [node(id)], edges: [] });
    const [a, b] = await Promise.all([layouts.layoutOf(only("service:a")), layouts.layoutOf(only("service:b"))]);
    await layouts.layoutOf(only("service:a"));
    await layouts.layoutOf(only("service:c")); // b, asked for least lately, is dropped
    expect(await layouts.layoutOf(only("service:a"))).toBe(a);
    expect(await layouts.layoutOf(only("service:b"))).not.toBe(b);
    expect(layouts.runs).toBe(4);
    expect(loads).toBe(1);
  });
});
