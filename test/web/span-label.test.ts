import { describe, expect, it } from "vitest";
import { spanLabel, urlHostAndPath } from "../../src/domain/span-label";
import { bareHttpMethod, traceNameOf } from "../../src/domain/trace-name";
import type { Attributes, SpanKind } from "../../src/protocol";
import { createTraceSearch } from "../../web/src/features/trace-view/trace-search";
import { buildWaterfallTree } from "../../web/src/features/trace-view/waterfall-model";

const label = (name: string, kind: SpanKind, attributes: Attributes = {}) => spanLabel({ name, kind, attributes });

describe("which names are a bare HTTP method", () => {
  const route = { "http.route": "/orders/:id" };

  it("follows the server's rule, which names traces and operations", () => {
    const names = [
      ...["GET", "post", "HTTP GET", "http patch", "QUERY", "HTTP QUERY", "_OTHER", "options", "HTTP TRACE"],
      ...[" DELETE ", "GET ", "HTTP  GET", "HTTP", "GET /orders", "GETTER", "fetch", "", "HTTP GET /x", "SELECT"],
    ];
    for (const name of names) {
      const method = bareHttpMethod(name, route);
      expect(label(name, "SERVER", route), name).toBe(method === undefined ? name : `${method} /orders/:id`);
      // A root span's row reads as the trace list names its trace.
      expect(label(name, "SERVER", route), name).toBe(traceNameOf(name, route));
    }
  });

  it("labels the names the two rules disagreed on as the server names them", () => {
    expect(label("QUERY", "SERVER", route)).toBe("QUERY /orders/:id");
    expect(label("_OTHER", "SERVER", route)).toBe("_OTHER /orders/:id");
    expect(label(" DELETE ", "SERVER", route)).toBe(" DELETE ");
    expect(label("HTTP  GET", "SERVER", route)).toBe("HTTP  GET");
  });

  it("takes a database, messaging or RPC span's command for what it is, not a method", () => {
    expect(label("get", "CLIENT", { "db.system": "redis", "net.peer.name": "cache" })).toBe("get");
    expect(label("GET", "CLIENT", { "db.system.name": "redis", "server.address": "cache" })).toBe("GET");
    expect(label("GET", "CLIENT", { "server.address": "cache" })).toBe("GET cache");
  });
});

describe("urlHostAndPath", () => {
  it("keeps host, a non-default port and the path; drops scheme, user, query and fragment", () => {
    expect(urlHostAndPath("https://user:pw@API.example.com/v1/charges?id=3#x")).toEqual({
      host: "api.example.com",
      path: "/v1/charges",
    });
    expect(urlHostAndPath("http://localhost:8082/charge")).toEqual({ host: "localhost:8082", path: "/charge" });
    expect(urlHostAndPath("http://example.com:80/a")).toEqual({ host: "example.com", path: "/a" });
    expect(urlHostAndPath("https://example.com:443")).toEqual({ host: "example.com", path: "/" });
    expect(urlHostAndPath("http://[::1]:9999/v1/traces")).toEqual({ host: "[::1]:9999", path: "/v1/traces" });
  });

  it("answers null for what is not an absolute URL", () => {
    expect(urlHostAndPath("/orders?x=1")).toBeNull();
    expect(urlHostAndPath("not a url")).toBeNull();
  });
});

describe("spanLabel", () => {
  it("labels a CLIENT span named after its method with host and path from url.full or http.url", () => {
    expect(label("GET", "CLIENT", { "url.full": "https://api.stripe.com/v1/charges?limit=3" })).toBe(
      "GET api.stripe.com/v1/charges",
    );
    expect(label("POST", "CLIENT", { "http.url": "http://payment-service:3000/pay" })).toBe(
      "POST payment-service:3000/pay",
    );
    expect(label("HTTP GET", "CLIENT", { "url.full": "http://localhost:8082/" })).toBe("GET localhost:8082/");
  });

  it("falls back to server.address or net.peer.name plus url.path or http.target for a CLIENT span", () => {
    expect(label("get", "CLIENT", { "server.address": "inventory", "server.port": 8080, "url.path": "/stock" })).toBe(
      "GET inventory:8080/stock",
    );
    expect(label("PUT", "CLIENT", { "net.peer.name": "cache.local", "http.target": "/keys/1?ttl=5" })).toBe(
      "PUT cache.local/keys/1",
    );
    expect(label("GET", "CLIENT", { "server.address": "example.com", "server.port": 443 })).toBe("GET example.com");
    expect(label("GET", "CLIENT", { "http.target": "/health" })).toBe("GET /health");
  });

  it("labels a SERVER span named after its method with http.route, else the path", () => {
    expect(label("GET", "SERVER", { "http.route": "/orders/:id", "url.path": "/orders/42" })).toBe("GET /orders/:id");
    expect(label("POST", "SERVER", { "url.path": "/checkout", "url.query": "a=1" })).toBe("POST /checkout");
    expect(label("GET", "SERVER", { "http.target": "/search?q=shoes" })).toBe("GET /search");
    expect(label("GET", "SERVER", { "http.url": "http://localhost:3000/cart?x=1" })).toBe("GET /cart");
  });

  it("keeps the name when there is nothing better, or when the span is not a bare-method CLIENT/SERVER span", () => {
    expect(label("GET", "CLIENT")).toBe("GET");
    expect(label("GET", "SERVER", { "http.route": "" })).toBe("GET");
    expect(label("GET", "INTERNAL", { "http.route": "/x" })).toBe("GET");
    expect(label("GET /orders/:id", "SERVER", { "http.route": "/orders/:id" })).toBe("GET /orders/:id");
    expect(label("SELECT orders", "CLIENT", { "url.full": "http://db/" })).toBe("SELECT orders");
    expect(label("GET", "SERVER", { "http.route": 42 })).toBe("GET"); // only text attributes count
  });
});

describe("labels in the waterfall and find-in-trace", () => {
  const span = (spanId: string, name: string, kind: SpanKind, attributes: Attributes) => ({
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId,
    parentSpanId: spanId === "a1" ? null : "a1",
    name,
    kind,
    service: "shop",
    startTimeUnixNano: "1764300000000000000",
    endTimeUnixNano: "1764300000005000000",
    durationMs: 5,
    status: { code: "UNSET" as const },
    attributes,
    events: [],
    links: [],
    resource: {},
    scope: { name: "", version: "" },
  });
  const spans = [
    span("a1", "GET", "SERVER", { "http.route": "/orders/:id" }),
    span("b2", "POST", "CLIENT", { "url.full": "http://payments:3000/charge" }),
    span("c3", "load order", "INTERNAL", {}),
  ];

  it("gives every node its label while the span keeps its real name", () => {
    const tree = buildWaterfallTree(spans);
    expect(tree.nodes.map((node) => node.label)).toEqual([
      "GET /orders/:id",
      "POST payments:3000/charge",
      "load order",
    ]);
    expect(tree.nodes.map((node) => node.span.name)).toEqual(["GET", "POST", "load order"]);
  });

  it("finds a span by its label as shown", () => {
    const search = createTraceSearch(spans);
    expect(search.find("GET /orders")).toEqual(["a1"]);
    expect(search.find("post payments:3000")).toEqual(["b2"]);
  });
});
