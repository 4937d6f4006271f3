import { describe, expect, it } from "vitest";
import { operationNameTexts, operationOf } from "../../src/domain/operation.js";
import type { Span } from "../../src/domain/span.js";

const SCOPE = { name: "test" };
const op = (name: string, kind: Span["kind"], attributes: Span["attributes"], scope = SCOPE) =>
  operationOf({ name, kind, attributes, scope });

describe("operation names", () => {
  it("names a TraceKit SDK's INTERNAL span naming a database a call to it, as the service map does", () => {
    const db = { "db.system": "postgresql" };
    expect(op("SELECT orders", "INTERNAL", db, { name: "@tracekit/node-apm" })).toEqual({
      group: "outgoing",
      kind: "INTERNAL",
      name: "SELECT orders",
      peer: "postgresql",
    });
    expect(op("GET cache", "INTERNAL", { "db.system": "redis" }, { name: "tracekit" })).toMatchObject({
      group: "outgoing",
      peer: "redis",
    });
    // Another instrumentation's INTERNAL span, and a TraceKit span naming only a host, are the app's own work.
    expect(op("SELECT orders", "INTERNAL", db)).toMatchObject({ group: "internal", peer: null });
    expect(op("fetch", "INTERNAL", { "url.full": "http://pricing/x" }, { name: "@tracekit/node-apm" })).toMatchObject({
      group: "internal",
      peer: null,
    });
  });

  it("names a bare-method HTTP call by method and callee, and keeps a Redis command as it is", () => {
    expect(op("GET", "CLIENT", { "url.full": "http://payments:8080/charge" })).toMatchObject({
      name: "GET payments",
      peer: "payments",
    });
    // A Redis client span named by its command: not an HTTP GET to "redis db 0".
    expect(op("get", "CLIENT", { "db.system": "redis", "db.namespace": "0" })).toMatchObject({
      name: "get",
      peer: "redis db 0",
    });
    expect(op("GET", "SERVER", { "http.route": "/users/:id" }).name).toBe("GET /users/:id");
  });
});

describe("texts that the spans of an operation hold (operationNameTexts)", () => {
  const spans: [string, Span["kind"], Span["attributes"]][] = [
    ["GET", "SERVER", { "http.route": "/users/:id" }],
    ["GET", "SERVER", { "url.path": "/items/5" }],
    ["GET", "SERVER", { "url.path": "/items/5/reviews/3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b" }],
    ["POST", "SERVER", { "http.target": "/orders/42?debug=1" }],
    ["HTTP GET", "SERVER", { "url.full": "https://shop.example.com/cart/7#top" }],
    ["get", "SERVER", { "http.url": "http://shop/" }],
    ["GET /items/9", "SERVER", {}],
    ["GET /Items/9/Reviews", "SERVER", {}],
    ["orders process", "CONSUMER", { "messaging.system": "kafka" }],
    ["GET", "CLIENT", { "url.full": "http://payments.internal:8080/charge" }],
    ["POST", "CLIENT", { "server.address": "LOCALHOST", "server.port": 3000 }],
    ["GET", "CLIENT", { "url.full": "http://[0:0:0:0:0:0:0:1]:9000/x" }],
    ["GET", "CLIENT", { "url.full": "http://bücher.example/x" }],
    ["GET", "CLIENT", { "url.full": "http://127.1/x" }],
    ["HTTP", "CLIENT", { "peer.service": "billing api" }],
    ["PUT", "PRODUCER", { "messaging.system": "rabbitmq", "messaging.destination.name": "jobs" }],
    ["POST", "CLIENT", { "gen_ai.system": " openai " }],
    ["SELECT users", "CLIENT", { "db.system.name": "postgresql", "db.namespace": "shop" }],
    ["GET", "CLIENT", { "db.system": "redis", "db.namespace": "0" }],
    ["render", "INTERNAL", {}],
    ["GET", "INTERNAL", { "url.path": "/a/1" }],
  ];

  it("names, of every span, a text its name or an attribute value holds", () => {
    for (const [name, kind, attributes] of spans) {
      const operation = operationOf({ name, kind, attributes, scope: SCOPE }).name;
      const texts = operationNameTexts(operation);
      expect(texts, operation).not.toBeNull();
      const values = [name, ...Object.values(attributes).map(String)].map((v) => v.toLowerCase());
      const holds = (texts ?? []).some((text) => values.some((value) => value.includes(text.toLowerCase())));
      expect(holds, `${operation}: ${texts} in ${values}`).toBe(true);
    }
  });

  it("is the route's longest part between ids for a route, the name itself when not a method and more", () => {
    expect(operationNameTexts("GET /items/:id/reviews")).toEqual(["/reviews", "/items/:id/reviews"]);
    expect(operationNameTexts("render items")).toEqual(["render items"]);
    expect(operationNameTexts("GET payments")).toEqual(["payments", "GET"]);
    expect(operationNameTexts("GET localhost:3000")).toEqual(["localhost:3000", "localhost", "GET"]);
    expect(operationNameTexts("GET :id")).toBeNull();
    expect(operationNameTexts("")).toBeNull();
  });
});
