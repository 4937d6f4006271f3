import { describe, expect, it } from "vitest";
import { parseQuery } from "../../src/domain/query";
import type { ServiceMapLayoutJson } from "../../src/protocol";
import { serviceMapPath } from "../../src/server/page-preload";
import { query } from "../../web/src/api/client";
import { readWindowKey, TIME_WINDOWS, windowSince } from "../../web/src/components/time-window";
import {
  fitBox,
  fitCutsMap,
  type LaidOutMap,
  type MapEdgeJson,
  type MapNodeJson,
  MIN_FIT_SCALE,
  mapRequestParams,
  neighbourhood,
  placeMap,
  tracesHref,
} from "../../web/src/features/map/map-layout";

const node = (id: string, calls = 1): MapNodeJson => ({
  id,
  name: id.slice(id.indexOf(":") + 1),
  kind: "service",
  calls,
  errors: 0,
  p50Ms: 1,
  p95Ms: 2,
});
const edge = (from: string, to: string, calls = 1): MapEdgeJson => ({ from, to, calls, errors: 0, p50Ms: 1, p95Ms: 2 });
const box = (x: number, y: number) => ({ x, y, width: 200, height: 46 });
const line = (from: { x: number; y: number }, to: { x: number; y: number }) => [from, to];

/** web → api → db, laid out as the server would, with `calls` on everything. */
function answer(calls: number, layout: ServiceMapLayoutJson): LaidOutMap {
  const ids = Object.keys(layout.nodes);
  return {
    nodes: ids.map((id) => node(id, calls)),
    edges: Object.keys(layout.edges).map((key) => {
      const [from, to] = key.split(">") as [string, string];
      return edge(from, to, calls);
    }),
    layout,
  };
}

const THREE: ServiceMapLayoutJson = {
  width: 800,
  height: 100,
  nodes: { "service:web": box(120, 50), "service:api": box(400, 50), "service:db": box(680, 50) },
  edges: {
    "service:web>service:api": line({ x: 220, y: 50 }, { x: 300, y: 50 }),
    "service:api>service:db": line({ x: 500, y: 50 }, { x: 580, y: 50 }),
  },
  labels: { "service:web>service:api": { x: 260, y: 50 }, "service:api>service:db": { x: 540, y: 50 } },
};

const position = (map: ReturnType<typeof placeMap>) =>
  Object.fromEntries(map.nodes.map((n) => [n.id, [n.x, n.y, n.width, n.height]]));

describe("fitBox", () => {
  it("draws a map smaller than the canvas at its own size, centred, not blown up to fill it", () => {
    // One service's node (about 220 by 60) on a 1240 by 700 canvas.
    const box = fitBox({ x: 0, y: 0, width: 220, height: 60 }, { width: 1240, height: 700 });
    expect(box).toEqual({ x: -510, y: -320, width: 1240, height: 700 });
  });

  it("keeps the whole of a map a little larger than the canvas, and a floor until the canvas is measured", () => {
    const bounds = { x: 10, y: 20, width: 1400, height: 800 };
    const fit = fitBox(bounds, { width: 1240, height: 700 });
    expect(fit).toEqual(bounds);
    expect(fitCutsMap(bounds, fit)).toBe(false);
    expect(fitBox({ x: 0, y: 0, width: 100, height: 50 }, null)).toEqual({ x: -100, y: -75, width: 300, height: 200 });
  });

  it("never draws a large map so small its labels cannot be read: it shows its start at the least scale", () => {
    // A map of 3000 by 1300 on a 1240 by 700 canvas drew at 0.41: 10.5 px edge labels at 4.3 px.
    const bounds = { x: 10, y: 20, width: 3000, height: 1300 };
    const fit = fitBox(bounds, { width: 1240, height: 700 });
    expect(fit.x).toBe(10);
    expect(fit.y).toBe(20);
    expect(fit.width).toBeCloseTo(1240 / MIN_FIT_SCALE);
    expect(fit.height).toBeCloseTo(700 / MIN_FIT_SCALE);
    expect(Math.min(1240 / fit.width, 700 / fit.height)).toBeCloseTo(MIN_FIT_SCALE);
    expect(10.5 * MIN_FIT_SCALE).toBeGreaterThanOrEqual(6);
    expect(fitCutsMap(bounds, fit)).toBe(true);
    // Wide but low: all of its height, centred, and its left part.
    const low = fitBox({ x: 0, y: 0, width: 3000, height: 200 }, { width: 760, height: 470 });
    expect(low.x).toBe(0);
    expect(low.width).toBeCloseTo(760 / MIN_FIT_SCALE);
    expect(low).toMatchObject({ y: -135, height: 470 });
  });
});

describe("placeMap", () => {
  it("draws a first answer where the server laid it out", () => {
    const map = placeMap(answer(1, THREE), null);
    expect(position(map)["service:api"]).toEqual([400, 50, 200, 46]);
    expect(map.edges.map((e) => e.key)).toEqual(["service:web>service:api", "service:api>service:db"]);
    expect(map.bounds).toEqual({ x: 0, y: 0, width: 800, height: 100 });
    expect(map.edges.map((e) => e.label)).toEqual([
      { x: 260, y: 50 },
      { x: 540, y: 50 },
    ]);
  });

  it("keeps every place when only the numbers change, whatever layout comes with them", () => {
    const first = placeMap(answer(1, THREE), null);
    const elsewhere = structuredClone(THREE);
    for (const b of Object.values(elsewhere.nodes)) b.y += 300;
    const next = placeMap(answer(9, elsewhere), first);
    expect(position(next)).toEqual(position(first));
    expect(next.edges.map((e) => e.points)).toEqual(first.edges.map((e) => e.points));
    expect(next.edges.map((e) => e.label)).toEqual(first.edges.map((e) => e.label));
    expect(next.bounds).toBe(first.bounds);
    expect(next.nodes.map((n) => n.calls)).toEqual([9, 9, 9]);
  });

  it("keeps the places of what is left when nodes and edges go", () => {
    const first = placeMap(answer(1, THREE), null);
    const fewer: LaidOutMap = {
      nodes: [node("service:web"), node("service:api")],
      edges: [edge("service:web", "service:api")],
      layout: {
        width: 500,
        height: 100,
        nodes: { "service:web": box(120, 50), "service:api": box(380, 50) },
        edges: {},
        labels: {},
      },
    };
    const next = placeMap(fewer, first);
    expect(position(next)).toEqual({
      "service:web": position(first)["service:web"],
      "service:api": position(first)["service:api"],
    });
    expect(next.edges[0]?.points).toEqual(first.edges[0]?.points);
  });

  it("shifts a new layout so that most nodes already drawn stay where they were", () => {
    const first = placeMap(answer(1, THREE), null);
    // A new caller on the left: the server's layout moves everything 300 right and 20 down, and api up.
    const grown: ServiceMapLayoutJson = {
      width: 1100,
      height: 140,
      nodes: {
        "service:cron": box(120, 70),
        "service:web": box(420, 70),
        "service:api": box(700, 40),
        "service:db": box(980, 70),
      },
      edges: {
        "service:cron>service:web": line({ x: 220, y: 70 }, { x: 320, y: 70 }),
        "service:web>service:api": line({ x: 520, y: 70 }, { x: 600, y: 40 }),
        "service:api>service:db": line({ x: 800, y: 40 }, { x: 880, y: 70 }),
      },
      labels: { "service:cron>service:web": { x: 270, y: 70 } },
    };
    const next = placeMap(answer(1, grown), first);
    const at = position(next);
    expect(at["service:web"]).toEqual(position(first)["service:web"]);
    expect(at["service:db"]).toEqual(position(first)["service:db"]);
    expect(at["service:cron"]).toEqual([-180, 50, 200, 46]);
    expect(next.edges.find((e) => e.key === "service:cron>service:web")?.points[0]).toEqual({ x: -80, y: 50 });
    // Its numbers move with it; an edge the layout kept no room for has none.
    expect(next.edges.find((e) => e.key === "service:cron>service:web")?.label).toEqual({ x: -30, y: 50 });
    expect(next.edges.find((e) => e.key === "service:api>service:db")?.label).toBeNull();
    // The drawing still holds what it held, and the newcomer.
    expect(next.bounds).toEqual({ x: -300, y: -20, width: 1100, height: 140 });
  });

  it("draws no line for calls of a node to itself, and lights a node's neighbours", () => {
    const layout = structuredClone(THREE);
    const map = answer(1, layout);
    map.edges.push(edge("service:api", "service:api"));
    const placed = placeMap(map, null);
    expect(placed.edges).toHaveLength(2);
    expect([...neighbourhood(placed, "service:api")].sort()).toEqual(["service:api", "service:db", "service:web"]);
  });
});

describe("the map's first request", () => {
  it("is the one the server names in a /map page's HTML, for every window it can name ahead", () => {
    for (const window of [...TIME_WINDOWS.map((w) => w.key), "bogus", undefined]) {
      const key = readWindowKey(window);
      const asked = `/api/service-map${query(mapRequestParams(windowSince(key, 1_700_000_000_000)))}`;
      const named = serviceMapPath(new URLSearchParams(window === undefined ? {} : { window }));
      expect(named, String(window)).toBe(key === "all" ? asked : null);
    }
  });
});

describe("tracesHref", () => {
  const kinded = (kind: MapNodeJson["kind"], name: string): MapNodeJson => ({ ...node(`${kind}:${name}`), kind, name });
  const queryOf = (href: string) => Object.fromEntries(new URLSearchParams(href.slice(2)));

  it("opens an edge's traces by what its caller calls, and a called node's by what calls it", () => {
    const web = kinded("service", "web");
    expect(queryOf(tracesHref(kinded("service", "checkout"), web))).toEqual({ q: "service=web peer=checkout" });
    expect(queryOf(tracesHref(kinded("database", "postgresql shop"), web, 1000))).toEqual({
      q: 'service=web peer="postgresql shop"',
      since: "1000",
    });
    expect(queryOf(tracesHref(kinded("external", "[::1]:8082"), kinded("service", 'a "b"')))).toEqual({
      q: 'service="a \\"b\\"" peer="[::1]:8082"',
    });
    expect(queryOf(tracesHref(kinded("llm", "openai")))).toEqual({ q: "peer=openai" });
    expect(queryOf(tracesHref(web))).toEqual({ service: "web" });
    // Each query reads back as the names it was made of.
    expect(parseQuery('service="a \\"b\\"" peer="[::1]:8082"')).toEqual({
      type: "and",
      items: [
        { type: "field", field: "service", op: "=", value: 'a "b"' },
        { type: "field", field: "peer", op: "=", value: "[::1]:8082" },
      ],
    });
  });
});
