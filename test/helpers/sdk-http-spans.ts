import type { Attributes, SpanKind } from "../../src/domain/span.js";

/**
 * Spans named by their HTTP method alone, shaped as the TraceKit Node SDK sends them (a failed request
 * through two services), and others, each with the label the trace view gives it.
 */
export const sdkSpans: { name: string; kind: SpanKind; attributes: Attributes; label: string }[] = [
  {
    name: "GET",
    kind: "SERVER",
    attributes: { "http.url": "http://127.0.0.1:9962/fail", "http.target": "/fail", "http.status_code": 502 },
    label: "GET /fail",
  },
  {
    name: "GET /fail",
    kind: "SERVER",
    attributes: { "http.url": "/fail", "http.route": "/fail", "http.status_code": 502 },
    label: "GET /fail",
  },
  {
    name: "GET",
    kind: "CLIENT",
    attributes: { "http.url": "http://127.0.0.1:9963/fail", "http.target": "/fail", "net.peer.name": "127.0.0.1" },
    label: "GET 127.0.0.1:9963/fail",
  },
  {
    name: "GET",
    kind: "SERVER",
    attributes: { "http.route": "/orders/:id", "url.path": "/orders/7" },
    label: "GET /orders/:id",
  },
  { name: "GET", kind: "SERVER", attributes: { "url.path": "/orders/7?x=1" }, label: "GET /orders/7" },
  {
    name: "GET",
    kind: "CLIENT",
    attributes: { "server.address": "api", "server.port": 8080, "url.path": "/a" },
    label: "GET api:8080/a",
  },
  { name: "GET", kind: "SERVER", attributes: {}, label: "GET" },
  { name: "GET", kind: "INTERNAL", attributes: { "http.route": "/x" }, label: "GET" },
  { name: "get", kind: "CLIENT", attributes: { "db.system": "redis", "net.peer.name": "cache" }, label: "get" },
  { name: "SELECT orders", kind: "INTERNAL", attributes: { "db.system": "postgresql" }, label: "SELECT orders" },
];
