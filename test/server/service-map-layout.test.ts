import * as dagre from "@dagrejs/dagre";
import { describe, expect, it } from "vitest";
import type { MapEdge, MapNode, ServiceMap } from "../../src/domain/service-map.js";
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
