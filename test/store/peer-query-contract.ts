import { expect, it } from "vitest";
import { buildServiceMap, type PeerNames, serviceMapOf } from "../../src/domain/service-map.js";
import type { Span } from "../../src/domain/span.js";
import type { Store } from "../../src/store/store.js";
import { makeSpan, traceId } from "./span-fixtures.js";

type Fresh = (options?: { peerNames?: PeerNames; maxSpans?: number }) => Promise<Store>;

interface SpanSpec {
  id: number;
  parent: number | null;
  service: string;
  kind: Span["kind"];
  start: number;
  end: number;
  attributes?: Span["attributes"];
  scope?: Span["scope"];
}

function trace(trace: number, specs: SpanSpec[]): Span[] {
  return specs.map((s) => ({
    ...makeSpan({
      trace,
      span: s.id,
      parent: s.parent,
      service: s.service,
      start: trace * 1000 + s.start,
      end: trace * 1000 + s.end,
    }),
    kind: s.kind,
    attributes: s.attributes ?? {},
    ...(s.scope === undefined ? {} : { scope: s.scope }),
  }));
}

const TRACES: Record<number, Span[]> = {
  // 1: frontend calls checkout (instrumented), which calls postgres.
  1: trace(1, [
    { id: 1, parent: null, service: "frontend", kind: "SERVER", start: 0, end: 100 },
    {
      id: 2,
      parent: 1,
      service: "frontend",
      kind: "CLIENT",
      start: 5,
      end: 90,
      attributes: { "url.full": "http://checkout:8080/pay" },
    },
    { id: 3, parent: 2, service: "checkout", kind: "SERVER", start: 6, end: 89 },
    {
      id: 4,
      parent: 3,
      service: "checkout",
      kind: "CLIENT",
      start: 10,
      end: 20,
      attributes: { "db.system": "postgresql", "db.name": "shop" },
    },
  ]),
  // 2: frontend and checkout in one trace, but gateway calls each: frontend never calls checkout.
  2: trace(2, [
    { id: 1, parent: null, service: "gateway", kind: "SERVER", start: 0, end: 100 },
    { id: 2, parent: 1, service: "gateway", kind: "CLIENT", start: 1, end: 40 },
    { id: 3, parent: 2, service: "frontend", kind: "SERVER", start: 2, end: 39 },
    { id: 4, parent: 1, service: "gateway", kind: "CLIENT", start: 50, end: 90 },
    { id: 5, parent: 4, service: "checkout", kind: "SERVER", start: 51, end: 89 },
  ]),
  // 3: frontend calls checkout, which sent no span: the call names it (checkout.internal is checkout).
  3: trace(3, [
    { id: 1, parent: null, service: "frontend", kind: "SERVER", start: 0, end: 100 },
    {
      id: 2,
      parent: 1,
      service: "frontend",
      kind: "CLIENT",
      start: 5,
      end: 90,
      attributes: { "url.full": "http://checkout.internal:8080/pay" },
    },
  ]),
  // 4: a call to the host "payments" answered by the instrumented payment-service: an edge to payment-service only.
  4: trace(4, [
    { id: 1, parent: null, service: "frontend", kind: "SERVER", start: 0, end: 100 },
    {
      id: 2,
      parent: 1,
      service: "frontend",
      kind: "CLIENT",
      start: 5,
      end: 90,
      attributes: { "url.full": "http://payments/charge" },
    },
    { id: 3, parent: 2, service: "payment-service", kind: "SERVER", start: 6, end: 89 },
  ]),
  // 5: one request to checkout told twice (the HTTP server's span and a framework's inside it): one call.
  5: trace(5, [
    { id: 1, parent: null, service: "frontend", kind: "SERVER", start: 0, end: 100 },
    {
      id: 2,
      parent: 1,
      service: "frontend",
      kind: "CLIENT",
      start: 5,
      end: 90,
      attributes: { "url.full": "http://checkout:8080/pay" },
    },
    { id: 3, parent: 2, service: "checkout", kind: "SERVER", start: 6, end: 89 },
    { id: 4, parent: 2, service: "checkout", kind: "SERVER", start: 7, end: 88 },
  ]),
  // 6: checkout calls itself by its host name: no edge (the map draws none from a node to itself).
  6: trace(6, [
    { id: 1, parent: null, service: "checkout", kind: "SERVER", start: 0, end: 100 },
    {
      id: 2,
      parent: 1,
      service: "checkout",
      kind: "CLIENT",
      start: 5,
      end: 90,
      attributes: { "url.full": "http://checkout:8080/x" },
    },
  ]),
  // 7: frontend calls 10.0.0.5:8080, which only a --service-name-mapping names checkout.
  7: trace(7, [
    { id: 1, parent: null, service: "frontend", kind: "SERVER", start: 0, end: 100 },
    {
      id: 2,
      parent: 1,
      service: "frontend",
      kind: "CLIENT",
      start: 5,
      end: 90,
      attributes: { "server.address": "10.0.0.5", "server.port": 8080 },
    },
  ]),
  // 8: web calls its own address and answers the request itself (a server-rendered page fetching its own
  // API): a call of web to web, which the map draws no edge for, not a call to the host localhost:3000.
  8: trace(8, [
    { id: 1, parent: null, service: "web", kind: "SERVER", start: 0, end: 100 },
    {
      id: 2,
      parent: 1,
      service: "web",
      kind: "CLIENT",
      start: 5,
      end: 90,
      attributes: { "url.full": "http://localhost:3000/api/cart", "server.address": "localhost", "server.port": 3000 },
    },
    { id: 3, parent: 2, service: "web", kind: "SERVER", start: 6, end: 89 },
  ]),
  // 9: web publishes to a queue and consumes it itself (an outbox): the queue stays a node between them.
  9: trace(9, [
    { id: 1, parent: null, service: "web", kind: "SERVER", start: 0, end: 100 },
    {
      id: 2,
      parent: 1,
      service: "web",
      kind: "PRODUCER",
      start: 5,
      end: 10,
      attributes: { "messaging.system": "kafka", "messaging.destination.name": "orders" },
    },
    { id: 3, parent: 2, service: "web", kind: "CONSUMER", start: 20, end: 40 },
  ]),
};

/** The traces `q` lists, every page (a page a slow walk cut short says so, and goes on from its cursor). */
export function found(store: Store, q: string): number[] {
  const out: number[] = [];
  let cursor: string | undefined;
  do {
    const page = store.listTraces({ limit: 1_000, q, ...(cursor === undefined ? {} : { cursor }) });
    for (const t of page.traces) out.push(Number.parseInt(t.traceId, 16));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out.sort((a, b) => a - b);
}

/** Each edge of the store's map as `from → to`, with the traces whose own map has it. */
function edgeTraces(store: Store, names?: PeerNames): Map<string, number[]> {
  const byEdge = new Map<string, number[]>();
  const nameOf = (id: string) => id.slice(id.indexOf(":") + 1);
  const storeEdges = serviceMapOf(store.serviceTraffic({}), names).edges.map(
    (e) => `${nameOf(e.from)} → ${nameOf(e.to)}`,
  );
  for (const edge of storeEdges) byEdge.set(edge, []);
  for (const number of Object.keys(TRACES).map(Number)) {
    const spans = store.getTrace(traceId(number)) ?? [];
    for (const e of buildServiceMap([spans], names).edges) {
      byEdge.get(`${nameOf(e.from)} → ${nameOf(e.to)}`)?.push(number);
    }
  }
  return byEdge;
}

/**
 * Each edge the stored traces' own maps have (`from → to`, by node names), with those traces; every
 * trace of `numbers` the store holds is read whole.
 */
function ownEdges(store: Store, numbers: readonly number[]): Map<string, number[]> {
  const byEdge = new Map<string, number[]>();
  const nameOf = (id: string) => id.slice(id.indexOf(":") + 1);
  for (const number of numbers) {
    const spans = store.getTrace(traceId(number));
    if (spans === undefined) continue;
    for (const e of buildServiceMap([spans]).edges) {
      const edge = `${nameOf(e.from)} → ${nameOf(e.to)}`;
      byEdge.set(edge, [...(byEdge.get(edge) ?? []), number]);
    }
  }
  return byEdge;
}

/** `service=A peer=B` lists exactly the traces whose own map has the edge A → B, for every such edge and a few others. */
export function expectPeerQueriesAsOwnMaps(store: Store, numbers: readonly number[], label = ""): void {
  const edges = ownEdges(store, numbers);
  for (const [edge, traces] of edges) {
    const [from, to] = edge.split(" → ") as [string, string];
    expect(found(store, `service=${quoted(from)} peer=${quoted(to)}`), `${label} ${edge}`).toEqual(traces);
  }
  const callees = new Map<string, Set<number>>();
  for (const [edge, traces] of edges) {
    const to = edge.slice(edge.indexOf(" → ") + 3);
    const set = callees.get(to) ?? new Set();
    for (const n of traces) set.add(n);
    callees.set(to, set);
  }
  for (const [to, traces] of callees) {
    expect(found(store, `peer=${quoted(to)}`), `${label} peer=${to}`).toEqual([...traces].sort((a, b) => a - b));
  }
}

/** A trace's spans in `parts` requests, the last spans first (children before their parents). */
function inParts(spans: readonly Span[], parts: number): Span[][] {
  const out: Span[][] = Array.from({ length: parts }, () => []);
  const reversed = [...spans].reverse();
  reversed.forEach((span, i) => {
    out[Math.floor((i * parts) / reversed.length)]?.push(span);
  });
  return out;
}

/** Trace `n` (above, by number) as trace `as`: the same spans under another trace id and later start. */
function renumbered(n: number, as: number): Span[] {
  const shift = BigInt((as - n) * 1000) * 1_000_000n;
  return (TRACES[n] as Span[]).map((span) => ({
    ...span,
    traceId: traceId(as),
    startTimeUnixNano: span.startTimeUnixNano + shift,
    endTimeUnixNano: span.endTimeUnixNano + shift,
  }));
}

function quoted(text: string): string {
  return `"${text.replace(/["\\]/g, "\\$&")}"`;
}

/**
 * `peer=`, part of the Store contract: a span that calls the node by the service map's rule, so that
 * `service=A peer=B` lists exactly the traces counted on the map's edge A → B.
 */
export function peerQueryContract(fresh: Fresh): void {
  it("service=A peer=B lists exactly the traces the map counts on the edge A → B", async () => {
    const store = await fresh();
    store.insertSpans(Object.values(TRACES).flat());
    expect(found(store, "service=frontend peer=checkout")).toEqual([1, 3, 5]);
    // The link the map made before: every trace holding both services.
    expect(found(store, "service=frontend")).toEqual([1, 2, 3, 4, 5, 7]);
    expect(found(store, "service=checkout")).toEqual([1, 2, 5, 6]);
    expect(found(store, 'service=frontend peer="payment-service"')).toEqual([4]);
    expect(found(store, "peer=payments")).toEqual([]);
    expect(found(store, "service=checkout peer=checkout")).toEqual([]);
    expect(found(store, 'service=checkout peer="postgresql shop"')).toEqual([1]);
    expect(found(store, "peer=frontend")).toEqual([2]);
    expect(found(store, "peer=10.0.0.5")).toEqual([7]);
    expect(found(store, 'peer="localhost:3000"')).toEqual([]);
    expect(found(store, "service=web")).toEqual([8, 9]);
    expect(found(store, 'peer="kafka orders"')).toEqual([9]);
    const edges = edgeTraces(store);
    expect([...edges.keys()].sort()).toEqual([
      "checkout → postgresql shop",
      "frontend → 10.0.0.5",
      "frontend → checkout",
      "frontend → payment-service",
      "gateway → checkout",
      "gateway → frontend",
      "web → kafka orders",
    ]);
    for (const [edge, traces] of edges) {
      const [from, to] = edge.split(" → ") as [string, string];
      expect(found(store, `service=${quoted(from)} peer=${quoted(to)}`), edge).toEqual(traces);
    }
    // The request told twice is one call on the edge, in one trace.
    const edge = serviceMapOf(store.serviceTraffic({})).edges.find(
      (e) => e.from === "service:frontend" && e.to === "service:checkout",
    );
    expect(edge?.calls).toBe(3);
  });

  it("peer!= and peer~, with OR, NOT and other terms of the same span", async () => {
    const store = await fresh();
    store.insertSpans(Object.values(TRACES).flat());
    // A span that calls something, and not checkout.
    expect(found(store, "service=frontend peer!=checkout")).toEqual([4, 7]);
    expect(found(store, "peer~CHECK")).toEqual([1, 2, 3, 5]);
    expect(found(store, "peer~ment")).toEqual([4]);
    expect(found(store, 'peer="payment-service" | peer=frontend')).toEqual([2, 4]);
    expect(found(store, "service=gateway -peer=frontend peer~o")).toEqual([2]);
    // One span must have both: gateway's spans call frontend, not checkout's.
    expect(found(store, "kind=client peer=frontend")).toEqual([2]);
    expect(found(store, "kind=server peer=frontend")).toEqual([]);
    expect(found(store, "service=frontend (peer=checkout | peer=10.0.0.5) url.full~internal")).toEqual([3]);
    expect(
      store
        .attributeValues("peer", 10)
        .values.map((v) => v.value)
        .sort(),
    ).toEqual(["10.0.0.5", "checkout", "frontend", "kafka orders", "payment-service", "postgresql shop"]);
  });

  it("names peers by --service-name-mapping, as the map does", async () => {
    const names: PeerNames = new Map([["10.0.0.5:8080", "checkout"]]);
    const store = await fresh({ peerNames: names });
    store.insertSpans(Object.values(TRACES).flat());
    expect(found(store, "service=frontend peer=checkout")).toEqual([1, 3, 5, 7]);
    expect(found(store, "peer=10.0.0.5")).toEqual([]);
    for (const [edge, traces] of edgeTraces(store, names)) {
      const [from, to] = edge.split(" → ") as [string, string];
      expect(found(store, `service=${quoted(from)} peer=${quoted(to)}`), edge).toEqual(traces);
    }
  });

  it("reads what a span calls whatever its name and attribute values (quotes, backslashes, NaN, -0)", async () => {
    const store = await fresh();
    const named = (spans: Span[], names: string[], attributes: Span["attributes"][]) =>
      spans.map((span, i) => ({
        ...span,
        name: names[i] ?? span.name,
        attributes: { ...span.attributes, ...attributes[i] },
      }));
    // web calls checkout's host, which sends no span.
    const called = trace(8, [
      { id: 1, parent: null, service: "web", kind: "SERVER", start: 0, end: 100 },
      {
        id: 2,
        parent: 1,
        service: "web",
        kind: "CLIENT",
        start: 5,
        end: 90,
        attributes: { "url.full": "http://checkout/x" },
      },
    ]);
    // A web span calls checkout's instrumented server.
    const instrumented = trace(9, [
      { id: 1, parent: null, service: "web", kind: "INTERNAL", start: 0, end: 100 },
      { id: 2, parent: 1, service: "checkout", kind: "SERVER", start: 5, end: 90 },
    ]);
    store.insertSpans([
      ...named(called, ['GET "quoted" \\path', 'POST "x"'], [{ "app.x": -0 }, { "app.y": Number.NaN }]),
      ...named(instrumented, ["say hi", "x \\ y"], [{ "app.y": Number.NaN }, { "app.x": -0 }]),
    ]);
    expect(found(store, "service=web peer=checkout")).toEqual([8, 9]);
    expect(found(store, "service=checkout peer=checkout")).toEqual([]);
  });

  it("counts a TraceKit SDK's INTERNAL span naming a database as a call, as the map does, and no other INTERNAL span", async () => {
    const store = await fresh();
    const node = { name: "@tracekit/node-apm", version: "1.0.0" };
    const python = { name: "tracekit.client", version: "1.0.0" };
    const prisma = { name: "prisma", version: "5.0.0" };
    const pg = { name: "@opentelemetry/instrumentation-pg", version: "0.40.0" };
    const postgres = { "db.system": "postgresql" };
    const spans = [
      // The TraceKit Node SDK's client.startSpan('SELECT orders', {'db.system': 'postgresql'}): INTERNAL.
      ...trace(10, [
        { id: 1, parent: null, service: "shop", kind: "SERVER", start: 0, end: 100 },
        { id: 2, parent: 1, service: "shop", kind: "INTERNAL", start: 5, end: 20, attributes: postgres, scope: node },
        // A TraceKit span naming only a URL is the app's own work, not a call to that host.
        {
          id: 3,
          parent: 1,
          service: "shop",
          kind: "INTERNAL",
          start: 30,
          end: 40,
          attributes: { "url.full": "http://pricing:80/x" },
          scope: node,
        },
      ]),
      // The Python SDK's start_span naming a cache.
      ...trace(11, [
        { id: 1, parent: null, service: "billing", kind: "SERVER", start: 0, end: 100 },
        {
          id: 2,
          parent: 1,
          service: "billing",
          kind: "INTERNAL",
          start: 5,
          end: 20,
          attributes: { "db.system": "redis" },
          scope: python,
        },
      ]),
      // Another instrumentation's INTERNAL span naming the database wraps its own CLIENT span: one call, the CLIENT's.
      ...trace(12, [
        { id: 1, parent: null, service: "shop", kind: "SERVER", start: 0, end: 100 },
        { id: 2, parent: 1, service: "shop", kind: "INTERNAL", start: 5, end: 50, attributes: postgres, scope: prisma },
        { id: 3, parent: 2, service: "shop", kind: "CLIENT", start: 6, end: 40, attributes: postgres, scope: pg },
      ]),
      // The same instrumentation's INTERNAL span with no CLIENT span under it calls nothing.
      ...trace(13, [
        { id: 1, parent: null, service: "shop", kind: "SERVER", start: 0, end: 100 },
        { id: 2, parent: 1, service: "shop", kind: "INTERNAL", start: 5, end: 50, attributes: postgres, scope: prisma },
      ]),
    ];
    store.insertSpans(spans);
    expect(found(store, "service=shop peer=postgresql")).toEqual([10, 12]);
    expect(found(store, "kind=internal peer=postgresql")).toEqual([10]);
    expect(found(store, "kind=client peer=postgresql")).toEqual([12]);
    expect(found(store, "service=billing peer=redis")).toEqual([11]);
    expect(found(store, "peer=pricing")).toEqual([]);
    expect(found(store, "peer~pric")).toEqual([]);
    expect(
      store
        .attributeValues("peer", 10)
        .values.map((v) => `${v.value} ${v.count}`)
        .sort(),
    ).toEqual(["postgresql 2", "redis 1"]);
    // Each of the map's edges lists exactly the traces whose own map has it.
    const edges = serviceMapOf(store.serviceTraffic({})).edges;
    expect(edges.map((e) => `${e.from} → ${e.to} ${e.calls}`).sort()).toEqual([
      "service:billing → cache:redis 1",
      "service:shop → database:postgresql 2",
    ]);
    for (const e of edges) {
      const from = e.from.slice(e.from.indexOf(":") + 1);
      const to = e.to.slice(e.to.indexOf(":") + 1);
      const own = [10, 11, 12, 13].filter((n) =>
        buildServiceMap([store.getTrace(traceId(n)) ?? []]).edges.some((x) => x.from === e.from && x.to === e.to),
      );
      expect(found(store, `service=${quoted(from)} peer=${quoted(to)}`), `${from} → ${to}`).toEqual(own);
    }
  });

  it("counts an LLM call and the HTTP request that carries it as one call to the LLM, and no other request", async () => {
    const store = await fresh();
    const tracekit = { name: "@tracekit/node-apm", version: "1.0.0" };
    const http = { name: "@opentelemetry/instrumentation-http", version: "0.56.0" };
    const genai = { name: "@opentelemetry/instrumentation-openai", version: "0.1.0" };
    // The TraceKit Node SDK's GenAI span names no server, and its request is its sibling, inside its time.
    const sdkLlm = { "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini" };
    const sdkRequest = {
      "http.url": "http://localhost:47312/v1/chat/completions",
      "net.peer.name": "localhost",
      "net.peer.port": 47312,
      "peer.service": "localhost",
    };
    // OpenTelemetry's GenAI instrumentation names the server; the request is its child.
    const otelLlm = { "gen_ai.system": "openai", "server.address": "api.openai.com", "server.port": 443 };
    const otelRequest = {
      "url.full": "https://api.openai.com/v1/chat/completions",
      "server.address": "api.openai.com",
      "server.port": 443,
    };
    const llmSpan = (id: number, start: number, end: number, attributes: Span["attributes"], parent = 1) => ({
      id,
      parent,
      service: "chat",
      kind: "CLIENT" as const,
      start,
      end,
      attributes,
      scope: attributes === otelLlm ? genai : tracekit,
    });
    const request = (id: number, parent: number, start: number, end: number, attributes: Span["attributes"]) => ({
      id,
      parent,
      service: "chat",
      kind: "CLIENT" as const,
      start,
      end,
      attributes,
      scope: http,
    });
    const root = { id: 1, parent: null, service: "chat", kind: "SERVER" as const, start: 0, end: 100 };
    const traces: Record<number, Span[]> = {
      20: trace(20, [root, llmSpan(2, 5, 60, sdkLlm), request(3, 1, 5, 58, sdkRequest)]),
      21: trace(21, [root, llmSpan(2, 5, 60, otelLlm), request(3, 2, 6, 58, otelRequest)]),
      // A retry: two requests inside one call are both its transport.
      22: trace(22, [
        root,
        llmSpan(2, 5, 60, sdkLlm),
        request(3, 1, 5, 20, sdkRequest),
        request(4, 1, 22, 59, sdkRequest),
      ]),
      // Calls of their own: to another host than the LLM call's server, inside its time or under it,
      // and a request of the same parent that outlasts an LLM call naming no server.
      23: trace(23, [
        root,
        llmSpan(2, 5, 60, otelLlm),
        request(3, 1, 10, 20, { "url.full": "https://weather.example.com/today" }),
        request(4, 2, 30, 40, { "url.full": "https://tools.example.com/search" }),
        llmSpan(5, 62, 80, sdkLlm),
        request(6, 1, 61, 95, { "url.full": "https://slow.example.com/x" }),
      ]),
      // An LLM call answered by an instrumented service calls that service, and still carries its request.
      24: trace(24, [
        root,
        llmSpan(2, 5, 60, sdkLlm),
        request(3, 1, 6, 58, sdkRequest),
        { id: 4, parent: 2, service: "llm-proxy", kind: "SERVER", start: 7, end: 57 },
      ]),
    };
    // Each trace's spans arrive in two inserts, the requests first, then the LLM calls; and the other way round.
    const isLlm = (span: Span) => span.attributes["gen_ai.system"] ?? span.attributes["gen_ai.provider.name"];
    const all = Object.values(traces).flat();
    store.insertSpans(all.filter((span) => !isLlm(span)));
    store.insertSpans(all.filter((span) => isLlm(span)));
    const edges = serviceMapOf(store.serviceTraffic({})).edges;
    expect(edges.map((e) => `${e.from} → ${e.to} ${e.calls}`).sort()).toEqual([
      "service:chat → llm:openai 5",
      "service:chat → service:llm-proxy 1",
      "service:chat → service:slow.example.com 1",
      "service:chat → service:tools.example.com 1",
      "service:chat → service:weather.example.com 1",
    ]);
    const nodes = serviceMapOf(store.serviceTraffic({})).nodes.map((n) => n.id);
    expect(nodes).not.toContain("service:localhost:47312");
    expect(nodes).not.toContain("service:api.openai.com");
    expect(found(store, "service=chat peer=openai")).toEqual([20, 21, 22, 23]);
    expect(found(store, 'service=chat peer="llm-proxy"')).toEqual([24]);
    expect(found(store, 'peer="localhost:47312"')).toEqual([]);
    expect(found(store, 'peer="api.openai.com"')).toEqual([]);
    expect(found(store, 'peer="weather.example.com"')).toEqual([23]);
    expect(found(store, 'peer="tools.example.com"')).toEqual([23]);
    expect(found(store, 'peer="slow.example.com"')).toEqual([23]);
    // The whole traces' maps agree with the store's, edge by edge.
    for (const e of edges) {
      const to = e.to.slice(e.to.indexOf(":") + 1);
      const own = [20, 21, 22, 23, 24].filter((n) =>
        buildServiceMap([store.getTrace(traceId(n)) ?? []]).edges.some((x) => x.from === e.from && x.to === e.to),
      );
      expect(found(store, `service=chat peer=${quoted(to)}`), to).toEqual(own);
    }
    // Arriving the other way round, the LLM calls first.
    const other = await fresh();
    other.insertSpans(all.filter((span) => isLlm(span)));
    other.insertSpans(all.filter((span) => !isLlm(span)));
    expect(
      serviceMapOf(other.serviceTraffic({}))
        .edges.map((e) => `${e.from} → ${e.to} ${e.calls}`)
        .sort(),
    ).toEqual(edges.map((e) => `${e.from} → ${e.to} ${e.calls}`).sort());
  });

  it("follows traces whose spans arrive in several requests, with queries between them", async () => {
    const store = await fresh();
    const numbers = Object.keys(TRACES).map(Number);
    const parts = numbers.map((n) => inParts(TRACES[n] as Span[], 3));
    for (let request = 0; request < 3; request++) {
      store.insertSpans(parts.flatMap((trace) => trace[request] ?? []));
      expectPeerQueriesAsOwnMaps(store, numbers, `after request ${request + 1}:`);
    }
    expect(found(store, "service=frontend peer=checkout")).toEqual([1, 3, 5]);
    // A span re-sent changes nothing.
    store.insertSpans(TRACES[1] as Span[]);
    expect(found(store, "service=frontend peer=checkout")).toEqual([1, 3, 5]);
  });

  it("forgets evicted traces, and follows the traces stored after them", async () => {
    // Room for about four of the traces above: each new one evicts the oldest.
    const store = await fresh({ maxSpans: 16 });
    const numbers: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const n of Object.keys(TRACES).map(Number)) {
        const as = round * 10 + n;
        numbers.push(as);
        const [first, second] = inParts(renumbered(n, as), 2);
        store.insertSpans(first ?? []);
        expectPeerQueriesAsOwnMaps(store, numbers, `trace ${as}, first part:`);
        store.insertSpans(second ?? []);
        expectPeerQueriesAsOwnMaps(store, numbers, `trace ${as}:`);
      }
    }
    expect(store.stats().evictedTraces).toBeGreaterThan(10);
    // Only the last of the three traces calling 10.0.0.5 is still stored.
    expect(found(store, "peer=10.0.0.5")).toEqual([27]);
  });

  it("draws no call to its own address for an app calling itself, whichever of the two spans arrives first", async () => {
    for (const order of ["caller first", "callee first"]) {
      const store = await fresh();
      const spans = order === "caller first" ? (TRACES[8] as Span[]) : [...(TRACES[8] as Span[])].reverse();
      for (const span of spans) store.insertSpans([span]);
      const map = serviceMapOf(store.serviceTraffic({}));
      expect(
        map.nodes.map((node) => node.id),
        order,
      ).toEqual(["service:web"]);
      expect(map.edges, order).toEqual([]);
      expect(found(store, 'peer="localhost:3000"'), order).toEqual([]);
    }
  });

  it("counts a request to another instance of the same service once, though its SDK tells it twice, whichever arrives first", async () => {
    // shop-api's /call → its client call to the second shop-api instance, whose request the TraceKit Node
    // SDK tells twice: the HTTP server's SERVER span and the Express middleware's beside it, a few ms inside.
    const spans = trace(30, [
      { id: 1, parent: null, service: "shop-api", kind: "SERVER", start: 0, end: 40 },
      {
        id: 2,
        parent: 1,
        service: "shop-api",
        kind: "CLIENT",
        start: 2,
        end: 37,
        attributes: { "server.address": "localhost", "server.port": 46002 },
      },
      { id: 3, parent: 2, service: "shop-api", kind: "SERVER", start: 3, end: 35 },
      { id: 4, parent: 2, service: "shop-api", kind: "SERVER", start: 4, end: 33 },
    ]);
    const caller = spans.slice(0, 2);
    const callee = spans.slice(2);
    for (const [order, batches] of [
      ["caller first", [caller, callee]],
      ["callee first", [callee, caller]],
      ["one request", [spans]],
      ["one by one", spans.map((span) => [span])],
    ] as const) {
      const store = await fresh();
      for (const batch of batches) store.insertSpans([...batch]);
      const map = serviceMapOf(store.serviceTraffic({}));
      expect(
        map.nodes.map((node) => [node.id, node.calls]),
        order,
      ).toEqual([["service:shop-api", 2]]);
      expect(map.edges, order).toEqual([]);
      expect(store.listServices().map((service) => [service.name, service.requestCount])).toEqual([["shop-api", 2]]);
    }
  });

  it("fails an edge's call when its caller saw it fail (a 404: the client span failed, the server's did not), in either order", async () => {
    // gateway's request → its GET to inventory (404: ERROR on the client span) → inventory's request (unset).
    const spans = trace(31, [
      { id: 1, parent: null, service: "gateway", kind: "SERVER", start: 0, end: 40 },
      { id: 2, parent: 1, service: "gateway", kind: "CLIENT", start: 2, end: 37 },
      { id: 3, parent: 2, service: "inventory", kind: "SERVER", start: 3, end: 35 },
    ]);
    (spans[1] as Span).status = { code: "ERROR" };
    for (const [order, batches] of [
      ["caller first", [spans.slice(0, 2), spans.slice(2)]],
      ["callee first", [spans.slice(2), spans.slice(0, 2)]],
    ] as const) {
      const store = await fresh();
      for (const batch of batches) store.insertSpans([...batch]);
      const map = serviceMapOf(store.serviceTraffic({}));
      expect(
        map.edges.map((edge) => [edge.from, edge.to, edge.calls, edge.errors]),
        order,
      ).toEqual([["service:gateway", "service:inventory", 1, 1]]);
      // The callee's own requests did not fail.
      expect(map.nodes.find((node) => node.id === "service:inventory")?.errors, order).toBe(0);
    }
    // A failure of the caller's own request is not its call's, nor that of a handler span that threw
    // after its call returned, nor a publish's that failed to be confirmed, in either order.
    for (const [kind, parentKind] of [
      ["SERVER", "SERVER"],
      ["INTERNAL", "SERVER"],
      ["PRODUCER", "CONSUMER"],
    ] as const) {
      const request = trace(32, [
        { id: 1, parent: null, service: "gateway", kind: "SERVER", start: 0, end: 40 },
        ...(kind === "SERVER" ? [] : [{ id: 2, parent: 1, service: "gateway", kind, start: 1, end: 39 }]),
        { id: 3, parent: kind === "SERVER" ? 1 : 2, service: "inventory", kind: parentKind, start: 3, end: 35 },
      ]);
      for (const span of request) if (span.service === "gateway") span.status = { code: "ERROR" };
      for (const spans of [request, [...request].reverse()]) {
        const store = await fresh();
        for (const span of spans) store.insertSpans([span]);
        expect(
          serviceMapOf(store.serviceTraffic({})).edges.map((edge) => edge.errors),
          kind,
        ).toEqual([0]);
      }
    }
  });

  it("follows a trace as its spans arrive, the callee's before the caller's", async () => {
    const store = await fresh();
    const spans = TRACES[1] as Span[];
    // checkout's spans first: frontend's call to it is not known yet.
    store.insertSpans(spans.slice(2));
    expect(found(store, "peer=checkout")).toEqual([]);
    expect(found(store, 'peer="postgresql shop"')).toEqual([1]);
    store.insertSpans(spans.slice(0, 2));
    expect(found(store, "service=frontend peer=checkout")).toEqual([1]);
    // A call to a peer that later sends spans of its own becomes a call to that service.
    store.insertSpans((TRACES[4] as Span[]).slice(0, 2));
    expect(found(store, "peer=payments")).toEqual([4]);
    store.insertSpans((TRACES[4] as Span[]).slice(2));
    expect(found(store, "peer=payments")).toEqual([]);
    expect(found(store, 'peer="payment-service"')).toEqual([4]);
  });
}
