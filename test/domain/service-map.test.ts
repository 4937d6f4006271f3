import { describe, expect, it } from "vitest";
import { estimateFromExactMs } from "../../src/domain/latency-buckets.js";
import { buildServiceMap, calleeOf, peerNameOfHost, peerOf } from "../../src/domain/service-map.js";
import type { Span } from "../../src/domain/span.js";
import { makeSpan } from "../store/span-fixtures.js";

const span = (
  id: number,
  parent: number | null,
  service: string,
  kind: Span["kind"],
  ms: number,
  extra: Partial<Span> = {},
): Span => ({ ...makeSpan({ trace: 1, span: id, parent, service, start: 0, end: ms }), kind, ...extra });

describe("service map", () => {
  it("names peers by TraceKit's host rules", () => {
    expect(peerNameOfHost("payment-service")).toBe("payment-service");
    expect(peerNameOfHost("payment.internal")).toBe("payment");
    expect(peerNameOfHost("payment.svc.cluster.local")).toBe("payment");
    expect(peerNameOfHost("api.example.com")).toBe("api.example.com");
    expect(peerNameOfHost("10.0.0.7")).toBe("10.0.0.7");
    const client = (attributes: Span["attributes"]) => span(9, null, "web", "CLIENT", 1, { attributes });
    expect(calleeOf(client({ "url.full": "http://payment-service:3000/charge" }))).toEqual({
      name: "payment-service",
      kind: "external",
    });
    expect(calleeOf(client({ "server.address": "payment.svc.cluster.local" }))?.name).toBe("payment");
    expect(calleeOf(client({ "peer.service": "billing", "server.address": "10.1.1.1" }))?.name).toBe("billing");
    expect(calleeOf(client({ "db.system": "redis" }))).toEqual({ name: "redis", kind: "cache" });
    // Redis names its database by index.
    expect(calleeOf(client({ "db.system.name": "redis", "db.namespace": "0" }))).toEqual({
      name: "redis db 0",
      kind: "cache",
    });
    expect(calleeOf(client({ "db.system.name": "postgresql", "db.namespace": "shop" }))).toEqual({
      name: "postgresql shop",
      kind: "database",
    });
    expect(calleeOf(client({ "messaging.system": "rabbitmq", "messaging.destination.name": "emails" }))).toEqual({
      name: "rabbitmq emails",
      kind: "queue",
    });
    expect(calleeOf(client({ "gen_ai.provider.name": "openai", "server.address": "api.openai.com" }))).toEqual({
      name: "openai",
      kind: "llm",
    });
    expect(calleeOf(client({}))).toBeNull();
  });

  it("keeps the port of a loopback host, where local services differ by port only", () => {
    const client = (attributes: Span["attributes"]) => span(9, null, "web", "CLIENT", 1, { attributes });
    expect(calleeOf(client({ "url.full": "http://localhost:9662/users/1" }))?.name).toBe("localhost:9662");
    expect(calleeOf(client({ "net.peer.name": "localhost", "net.peer.port": 9663 }))?.name).toBe("localhost:9663");
    expect(calleeOf(client({ "server.address": "127.0.0.1", "server.port": 8080 }))?.name).toBe("127.0.0.1:8080");
    expect(calleeOf(client({ "url.full": "http://[::1]:5000/" }))?.name).toBe("[::1]:5000");
    expect(calleeOf(client({ "server.address": "localhost" }))?.name).toBe("localhost");
    // As the TraceKit Node SDK writes a call whose serviceNameMappings missed: peer.service is the host.
    const sdkCall = {
      "peer.service": "localhost",
      "http.url": "http://localhost:9662/profile/3",
      "net.peer.port": 9662,
    };
    expect(calleeOf(client(sdkCall))?.name).toBe("localhost:9662");
    // The same call refused (nothing listens on the port): Node's HTTP instrumentation then writes no
    // net.peer.port, and net.peer.name comes before the URL that holds the port.
    const refused = {
      "http.url": "http://localhost:9662/profile/3",
      "net.peer.name": "localhost",
      "http.host": "localhost:9662",
      "peer.service": "localhost",
    };
    expect(calleeOf(client(refused))?.name).toBe("localhost:9662");
    expect(calleeOf(client(refused), new Map([["localhost:9662", "users-service"]]))?.name).toBe("users-service");
    // A port of another host is not taken for this one's.
    expect(calleeOf(client({ "server.address": "localhost", "http.url": "http://proxy.local:8080/x" }))?.name).toBe(
      "localhost",
    );
    expect(calleeOf(client({ "peer.service": "users-service", "http.url": "http://localhost:9662/" }))?.name).toBe(
      "users-service",
    );
    // A mapping still names it; other hosts still drop their port.
    const names = new Map([["localhost:9662", "users-service"]]);
    expect(calleeOf(client({ "url.full": "http://localhost:9662/users/1" }), names)?.name).toBe("users-service");
    expect(calleeOf(client({ "url.full": "http://payment-service:3000/charge" }))?.name).toBe("payment-service");
  });

  it("counts edges from cross-service parent links and from calls to peers that send no spans", () => {
    // web → checkout (twice, one failing) → postgres; checkout → payment-service, which sends no spans.
    const traces: Span[][] = [];
    for (const [i, fails] of [
      [1, false],
      [2, true],
    ] as const) {
      const t = (s: Span): Span => ({ ...s, traceId: `${"0".repeat(31)}${i}` });
      traces.push([
        t(span(1, null, "web", "SERVER", 100)),
        t(span(2, 1, "web", "CLIENT", 90, { attributes: { "url.full": "http://checkout:8080/orders" } })),
        t(span(3, 2, "checkout", "SERVER", 80, fails ? { status: { code: "ERROR" } } : {})),
        t(span(4, 3, "checkout", "CLIENT", 10, { attributes: { "db.system": "postgresql" } })),
        t(span(5, 3, "checkout", "CLIENT", 40 + i * 10, { attributes: { "server.address": "payment-service" } })),
      ]);
    }
    const map = buildServiceMap(traces);
    expect(map.nodes.map((n) => [n.id, n.kind, n.calls, n.errors])).toEqual([
      ["database:postgresql", "database", 2, 0],
      ["service:checkout", "service", 2, 1],
      ["service:payment-service", "external", 2, 0],
      ["service:web", "service", 2, 0],
    ]);
    // Percentiles read as the Services page's: the middle of the exact value's latency bucket, held
    // within the shortest and longest call (50.64 ms for the calls of 50 and 60 ms).
    expect(map.edges.map((e) => [e.from, e.to, e.calls, e.errors, e.p50Ms, e.p95Ms])).toEqual([
      ["service:checkout", "database:postgresql", 2, 0, 10, 10],
      ["service:checkout", "service:payment-service", 2, 0, estimateFromExactMs(50, 50, 60), 60],
      ["service:web", "service:checkout", 2, 1, 80, 80],
    ]);
    expect(estimateFromExactMs(50, 50, 60)).toBeCloseTo(50.64, 2);
  });

  it("counts a TraceKit SDK's startSpan naming a database as a call to it, though the SDK makes it INTERNAL", () => {
    const tracekit = { name: "@tracekit/node-apm", version: "1.0.0" };
    const python = { name: "tracekit.client", version: "1.0.0" };
    const other = { name: "@prisma/instrumentation", version: "5.0.0" };
    const db = { "db.system": "postgresql", "db.name": "shop" };
    const trace: Span[] = [
      span(1, null, "backend", "SERVER", 30),
      span(2, 1, "backend", "INTERNAL", 15, { attributes: db, scope: tracekit }),
      span(3, 1, "backend", "INTERNAL", 5, { attributes: { "db.system": "redis" }, scope: python }),
      // Another instrumentation's INTERNAL span wraps its own CLIENT span: the call is counted once.
      span(4, 1, "backend", "INTERNAL", 9, { attributes: { "db.system": "mysql" }, scope: other }),
      span(5, 4, "backend", "CLIENT", 8, { attributes: { "db.system": "mysql" }, scope: other }),
      // A TraceKit span with only a URL is the app's own work, not a call to that host.
      span(6, 1, "backend", "INTERNAL", 2, { attributes: { "url.full": "http://pricing:80/x" }, scope: tracekit }),
    ];
    const map = buildServiceMap([trace]);
    expect(map.edges.map((e) => [e.from, e.to, e.calls, e.p50Ms])).toEqual([
      ["service:backend", "cache:redis", 1, 5],
      ["service:backend", "database:mysql", 1, 8],
      ["service:backend", "database:postgresql shop", 1, 15],
    ]);
  });

  it("names a called host by the user's mappings first: host:port, then host, then the host rules", () => {
    const names = new Map([
      ["localhost:8082", "payment-service"],
      ["localhost", "local-thing"],
      ["billing", "billing-v2"],
    ]);
    const client = (attributes: Span["attributes"]) => span(9, null, "web", "CLIENT", 1, { attributes });
    expect(peerOf(client({ "server.address": "localhost", "server.port": 8082 }))).toEqual({
      kind: "external",
      name: "localhost",
      port: "8082",
      host: true,
    });
    expect(calleeOf(client({ "url.full": "http://localhost:8082/pay" }), names)?.name).toBe("payment-service");
    expect(calleeOf(client({ "server.address": "LOCALHOST", "server.port": "8082" }), names)?.name).toBe(
      "payment-service",
    );
    expect(calleeOf(client({ "http.url": "http://localhost:9000/x" }), names)?.name).toBe("local-thing");
    expect(calleeOf(client({ "peer.service": "billing" }), names)?.name).toBe("billing-v2");
    expect(calleeOf(client({ "server.address": "orders.internal:7000" }), names)?.name).toBe("orders");

    // On the map, a mapped peer that sends spans of its own is that service.
    const t = (s: Span): Span => ({ ...s, traceId: `${"0".repeat(31)}7` });
    const map = buildServiceMap(
      [
        [
          t(span(1, null, "web", "SERVER", 30)),
          t(span(2, 1, "web", "CLIENT", 20, { attributes: { "url.full": "http://localhost:8082/pay" } })),
          t(span(3, null, "payment-service", "SERVER", 5)),
        ],
      ],
      names,
    );
    expect(map.nodes.map((n) => `${n.id} ${n.kind}`)).toEqual([
      "service:payment-service service",
      "service:web service",
    ]);
    expect(map.edges.map((e) => `${e.from} → ${e.to}`)).toEqual(["service:web → service:payment-service"]);
  });
});
