import { describe, expect, it } from "vitest";
import {
  compareAddressNote,
  compareTraces,
  operationNameFilter,
  operationNameOf,
  percentChange,
  previousRun,
  rootNote,
  rowNames,
  SAME_WITHIN_TEXT,
  sameThresholdMs,
} from "../../web/src/features/compare/compare-model";
import { buildWaterfallTree } from "../../web/src/features/trace-view/waterfall-model";
import { span } from "./span-fixtures";

const named = (id: string, parent: string | null, name: string, start: number, end: number, extra = {}) =>
  span(id, parent, start, end, { name, ...extra });

describe("compareTraces", () => {
  // The same checkout twice: the second run's payment call got slower, a cache lookup is new, the
  // audit call is gone, and it made three queries named alike where the first made two.
  const first = buildWaterfallTree([
    named("a1", null, "POST /checkout", 0, 100),
    named("a2", "a1", "SELECT cart", 1, 11),
    named("a3", "a1", "POST /charge", 12, 62),
    named("a4", "a3", "SELECT card", 13, 20),
    named("a5", "a1", "UPDATE stock", 63, 70),
    named("a6", "a1", "UPDATE stock", 71, 78),
    named("a7", "a1", "POST /audit", 80, 95),
  ]);
  const second = buildWaterfallTree([
    named("b1", null, "POST /checkout", 0, 160),
    named("b0", "b1", "GET cache", 0.5, 0.9),
    named("b2", "b1", "SELECT cart", 1, 11.2),
    named("b3", "b1", "POST /charge", 12, 132, { status: { code: "ERROR" } }),
    named("b4", "b3", "SELECT card", 13, 20),
    named("b5", "b1", "UPDATE stock", 133, 140),
    named("b6", "b1", "UPDATE stock", 141, 148),
    named("b7", "b1", "UPDATE stock", 149, 156),
  ]);
  const { rows, totals } = compareTraces(first, second);
  const view = rows.map((r) => [
    "  ".repeat(r.depth) + (r.b ?? r.a)!.span.name,
    r.change,
    r.deltaMs === null ? null : Math.round(r.deltaMs * 10) / 10,
  ]);

  it("aligns spans by service and name path, occurrence by occurrence, and marks what changed", () => {
    expect(view).toEqual([
      ["POST /checkout", "slower", 60],
      ["  GET cache", "added", null],
      ["  SELECT cart", "same", 0.2],
      ["  POST /charge", "slower", 70],
      ["    SELECT card", "same", 0],
      ["  POST /audit", "missing", null],
      ["  UPDATE stock", "same", 0],
      ["  UPDATE stock", "same", 0],
      ["  UPDATE stock", "added", null],
    ]);
    expect(totals).toEqual({ deltaMs: 60, added: 2, missing: 1, slower: 2, faster: 0, same: 4 });
    expect(rows.find((r) => r.b?.spanId === "b3")?.errorChange).toBe("new");
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });

  it("counts every row: faster, slower, about the same (under the threshold it names), only in one", () => {
    // All seven spans got quicker; three of them by less than 5% (or 0.1 ms), timing noise.
    const before = buildWaterfallTree([
      named("r", null, "GET /products", 0, 100),
      named("c1", "r", "SELECT a", 1, 21),
      named("c2", "r", "SELECT b", 22, 42),
      named("c3", "r", "GET cache", 43, 44),
      named("c4", "r", "render", 45, 65),
      named("c5", "r", "log", 66, 66.05),
      named("c6", "r", "SELECT c", 67, 87),
    ]);
    const after = buildWaterfallTree([
      named("r", null, "GET /products", 0, 90),
      named("c1", "r", "SELECT a", 1, 20.423), // −577 µs of 20 ms: under 5%
      named("c2", "r", "SELECT b", 22, 41.806), // −194 µs
      named("c3", "r", "GET cache", 43, 43.957), // −43 µs: under 0.1 ms
      named("c4", "r", "render", 45, 60),
      named("c5", "r", "log", 66, 66.04),
      named("c6", "r", "SELECT c", 67, 80),
    ]);
    const { rows, totals } = compareTraces(before, after);
    expect(rows.every((r) => r.deltaMs !== null && r.deltaMs < 0)).toBe(true);
    expect(totals).toMatchObject({ slower: 0, faster: 3, same: 4, added: 0, missing: 0 });
    expect(totals.slower + totals.faster + totals.same + totals.added + totals.missing).toBe(rows.length);
    expect(SAME_WITHIN_TEXT).toBe("within 5% of A's duration or 100µs");
    expect(sameThresholdMs(20)).toBe(1);
    expect(sameThresholdMs(1)).toBe(0.1);
  });

  it("compares a trace with itself as all the same, and copes with an empty side", () => {
    const self = compareTraces(first, first);
    expect(self.rows.every((r) => r.change === "same" && r.deltaMs === 0)).toBe(true);
    expect(self.rows).toHaveLength(7);
    const againstEmpty = compareTraces(buildWaterfallTree([]), first);
    expect(againstEmpty.rows.map((r) => r.change)).toEqual(Array(7).fill("added"));
    expect(compareTraces(buildWaterfallTree([]), buildWaterfallTree([])).rows).toEqual([]);
  });
});

describe("compareTraces over the TraceKit Node SDK's spans", () => {
  // One request to /orders/:id as the SDK sends it: bare `GET` server and client spans with the path
  // in attributes, the Express middleware's span named by method and path (the path in http.route too),
  // a call to the backend, and the backend's own two server spans and a query.
  const sdkRun = (p: string, id: number, slowerBy = 0) =>
    buildWaterfallTree([
      span(`${p}1`, null, 0, 44 + slowerBy, {
        name: "GET",
        kind: "SERVER",
        service: "frontend",
        attributes: { "http.method": "GET", "http.target": `/orders/${id}`, "url.path": `/orders/${id}` },
      }),
      span(`${p}2`, `${p}1`, 1, 43 + slowerBy, {
        name: `GET /orders/${id}`,
        kind: "SERVER",
        service: "frontend",
        attributes: { "http.method": "GET", "http.url": `/orders/${id}`, "http.route": `/orders/${id}` },
      }),
      span(`${p}3`, `${p}2`, 2, 30 + slowerBy, {
        name: "GET",
        kind: "CLIENT",
        service: "frontend",
        attributes: {
          "http.method": "GET",
          "url.full": `http://127.0.0.1:7301/inventory/${id}`,
          "net.peer.name": "127.0.0.1",
          "net.peer.port": 7301,
        },
      }),
      span(`${p}4`, `${p}3`, 3, 29 + slowerBy, {
        name: "GET",
        kind: "SERVER",
        service: "backend",
        attributes: { "http.method": "GET", "http.target": `/inventory/${id}` },
      }),
      span(`${p}5`, `${p}4`, 4, 28 + slowerBy, {
        name: `GET /inventory/${id}`,
        kind: "SERVER",
        service: "backend",
        attributes: { "http.route": `/inventory/${id}` },
      }),
      span(`${p}6`, `${p}5`, 5, 20 + slowerBy, {
        name: "SELECT orders",
        service: "backend",
        attributes: { "db.system": "postgresql", "db.statement": "SELECT * FROM inventory WHERE id = $1" },
      }),
    ]);

  it("pairs every span of two runs of one route with other ids: same shape, same steps", () => {
    const { rows, totals } = compareTraces(sdkRun("a", 1), sdkRun("b", 2, 10));
    expect(rows.map((r) => [r.a?.spanId, r.b?.spanId, r.depth])).toEqual([
      ["a1", "b1", 0],
      ["a2", "b2", 1],
      ["a3", "b3", 2],
      ["a4", "b4", 3],
      ["a5", "b5", 4],
      ["a6", "b6", 5],
    ]);
    expect(totals).toMatchObject({ added: 0, missing: 0, slower: 6, faster: 0 });
    expect(rowNames(rows[2]!).map((n) => n.label)).toEqual(["GET 127.0.0.1:7301/inventory/2"]);
  });

  it("pairs a request told twice with its like by instrumentation, whichever telling started first", () => {
    // The TraceKit Node SDK's Express middleware span beside the HTTP instrumentation's, both under the
    // caller's span, times in whole milliseconds: in run A the HTTP span starts first, in run B they tie
    // and the middleware's comes first. The query runs under the middleware's span in both.
    const told = (p: string, id: number, httpStart: number, middlewareFirst: boolean) => {
      const http = span(`${p}2`, `${p}1`, httpStart, 24, {
        name: "GET",
        kind: "SERVER",
        service: "backend",
        attributes: { "http.method": "GET", "http.target": `/inventory/${id}` },
        scope: { name: "@opentelemetry/instrumentation-http", version: "0.56.0" },
      });
      const middleware = span(`${p}3`, `${p}1`, 2, 20, {
        name: `GET /inventory/${id}`,
        kind: "SERVER",
        service: "backend",
        attributes: { "http.route": `/inventory/${id}` },
        scope: { name: "@tracekit/node-apm", version: "1.0.0" },
      });
      return buildWaterfallTree([
        named(`${p}1`, null, "GET /orders", 0, 30, { kind: "CLIENT", service: "frontend" }),
        ...(middlewareFirst ? [middleware, http] : [http, middleware]),
        named(`${p}4`, `${p}3`, "SELECT orders", 3, 19, { service: "backend" }),
      ]);
    };
    const { rows, totals } = compareTraces(told("a", 1, 1, false), told("b", 3, 2, true));
    expect(rows.map((r) => [r.a?.spanId ?? null, r.b?.spanId ?? null])).toEqual([
      ["a1", "b1"],
      ["a3", "b3"],
      ["a4", "b4"],
      ["a2", "b2"],
    ]);
    expect(totals).toMatchObject({ added: 0, missing: 0 });
  });

  it("pairs calls to one service whose paths differ by a slug, in order, but not spans of other names", () => {
    const call = (id: string, parent: string, start: number, path: string) =>
      span(id, parent, start, start + 5, {
        name: "GET",
        kind: "CLIENT",
        service: "frontend",
        attributes: { "http.method": "GET", "url.full": `http://payments:8080${path}` },
      });
    const first = buildWaterfallTree([
      named("a1", null, "GET /cart", 0, 50),
      call("a2", "a1", 1, "/carts/alice-smith"),
      call("a3", "a1", 10, "/carts/alice-smith/total"),
      named("a4", "a1", "render", 20, 30),
    ]);
    const second = buildWaterfallTree([
      named("b1", null, "GET /cart", 0, 50),
      call("b2", "b1", 1, "/carts/bob-jones"),
      call("b3", "b1", 10, "/carts/bob-jones/total"),
      named("b4", "b1", "render page", 20, 30),
    ]);
    const { rows, totals } = compareTraces(first, second);
    expect(rows.map((r) => [r.a?.spanId ?? null, r.b?.spanId ?? null])).toEqual([
      ["a1", "b1"],
      ["a2", "b2"],
      ["a3", "b3"],
      [null, "b4"],
      ["a4", null],
    ]);
    expect(totals).toMatchObject({ added: 1, missing: 1 });
    // A pair of differently named calls is named by both.
    expect(rowNames(rows[1]!).map((n) => n.label)).toEqual([
      "GET payments:8080/carts/alice-smith",
      "GET payments:8080/carts/bob-jones",
    ]);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });
});

describe("previousRun", () => {
  const summary = (traceId: string, name: string, service: string, start: bigint) => ({
    traceId,
    name,
    service,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 1n).toString(),
    durationMs: 1,
    spanCount: 1,
    errorCount: 0,
    services: [service],
    hasRoot: true,
  });
  const t = 1_764_300_000_000_000_000n;
  it("finds the run of the same operation that started last before this one", () => {
    const current = summary("c", "POST /checkout", "shop", t + 100n);
    const candidates = [
      summary("later", "POST /checkout", "shop", t + 200n),
      current,
      summary("other-service", "POST /checkout", "admin", t + 90n),
      summary("other-name", "POST /checkout/v2", "shop", t + 95n),
      summary("older", "POST /checkout", "shop", t + 10n),
      summary("previous", "POST /checkout", "shop", t + 50n),
    ];
    expect(previousRun(candidates, current)?.traceId).toBe("previous");
    expect(previousRun([current, summary("later", "POST /checkout", "shop", t + 200n)], current)).toBeNull();
  });

  it("takes a run of the same route with other ids as a run of the operation", () => {
    const current = summary("c", "GET /items/1020", "frontend", t + 100n);
    const candidates = [
      current,
      summary("other-route", "GET /items/1019/reviews", "frontend", t + 90n),
      summary("previous", "GET /items/1019", "frontend", t + 80n),
      summary("older", "GET /items/1018", "frontend", t + 70n),
    ];
    expect(previousRun(candidates, current)?.traceId).toBe("previous");
    expect(operationNameOf("GET /items/1020")).toBe("GET /items/:id");
    expect(operationNameFilter("GET /items/1020")).toBe("GET /items/");
    expect(operationNameFilter("sync inventory")).toBe("sync inventory");
  });
});

describe("rootNote", () => {
  it("gives the root spans' difference when it is not the whole traces'", () => {
    // A's request answered in 285 ms, its queue consumer finished at 452; B's request took 1.39 s.
    const a = buildWaterfallTree([
      named("a1", null, "POST /checkout", 0, 285),
      named("a2", "a1", "send mail", 300, 452),
    ]);
    const b = buildWaterfallTree([named("b1", null, "POST /checkout", 0, 1390)]);
    const delta = b.totalMs - a.totalMs;
    expect(rootNote(a, b, delta)).toBe(" (root spans +1.1s)");
    // Roots as long as their traces: nothing to add.
    const c = buildWaterfallTree([named("c1", null, "POST /checkout", 0, 300)]);
    expect(rootNote(c, b, b.totalMs - c.totalMs)).toBe("");
  });
});

describe("the names and the percentage the page shows", () => {
  it("names a row pairing two different roots by both, A's first, and any other row by its span", () => {
    const first = buildWaterfallTree([
      named("a1", null, "GET /checkout", 0, 150),
      named("a2", "a1", "GET /stock", 50, 150),
    ]);
    const second = buildWaterfallTree([named("b1", null, "GET /items/:id", 0, 200)]);
    const { rows } = compareTraces(first, second);
    expect(rowNames(rows[0]!).map((n) => n.label)).toEqual(["GET /checkout", "GET /items/:id"]);
    expect(rowNames(rows[1]!).map((n) => n.label)).toEqual(["GET /stock"]);
    const same = compareTraces(first, first).rows[0]!;
    expect(rowNames(same).map((n) => n.label)).toEqual(["GET /checkout"]);
  });

  it("never writes a real change as 0%", () => {
    expect(percentChange(-0.433, 154)).toBe("−0.3%");
    expect(percentChange(47.2, 154)).toBe("+31%");
    expect(percentChange(0.01, 1000)).toBe("+0.001%");
    expect(percentChange(0, 154)).toBe("");
    expect(percentChange(5, 0)).toBe("");
  });
});

describe("compareAddressNote", () => {
  const id = "0af7651916cd43dd8448eb211c80319c";
  it("says which id of the address is missing or not a trace id, not that one of them is malformed", () => {
    expect(compareAddressNote(undefined, undefined)).toBe("");
    expect(compareAddressNote(id, undefined)).toBe("; the second trace id (b) is missing");
    expect(compareAddressNote(undefined, id)).toBe("; the first trace id (a) is missing");
    expect(compareAddressNote("nope", id)).toBe("; the first trace id (a) is not 32 hexadecimal digits");
    expect(compareAddressNote("nope", undefined)).toBe(
      "; the first trace id (a) is not 32 hexadecimal digits and the second trace id (b) is missing",
    );
    expect(compareAddressNote(id, id.toUpperCase())).toBe("");
  });
});
