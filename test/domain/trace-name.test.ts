import { describe, expect, it } from "vitest";
import { routeNameOf, templatePath, traceNameOf } from "../../src/domain/trace-name.js";

describe("traceNameOf", () => {
  it("leaves a database span's command alone, though it reads like a method", () => {
    expect(traceNameOf("get", { "db.system": "redis", "url.path": "/x" })).toBe("get");
    expect(routeNameOf("GET", { "db.system.name": "redis", "http.route": "/x" })).toBe("GET");
    expect(traceNameOf("GET", { "http.route": "/users/:id" })).toBe("GET /users/:id");
  });

  it("keeps a name that is more than a method", () => {
    expect(traceNameOf("GET /users/:id", { "http.route": "/other" })).toBe("GET /users/:id");
    expect(traceNameOf("checkout", { "http.route": "/x" })).toBe("checkout");
    expect(traceNameOf("GETTER", { "http.route": "/x" })).toBe("GETTER");
  });

  it("adds the route to a bare method, else the path without query", () => {
    expect(traceNameOf("GET", { "http.route": "/users/:id", "http.target": "/users/1" })).toBe("GET /users/:id");
    expect(traceNameOf("post", { "url.path": "/orders" })).toBe("POST /orders");
    expect(traceNameOf("GET", { "http.target": "/search?q=shoes#top" })).toBe("GET /search");
    expect(traceNameOf("DELETE", { "url.full": "https://api.example.com:8443/items/9?force=1" })).toBe(
      "DELETE /items/9",
    );
    expect(traceNameOf("HTTP GET", { "http.url": "http://payments:8080" })).toBe("GET /");
    expect(traceNameOf("_OTHER", { "http.route": "/purge" })).toBe("_OTHER /purge");
    // The semantic conventions' name for a request whose method is not a known one.
    expect(traceNameOf("HTTP", { "http.route": "/purge", "http.request.method": "_OTHER" })).toBe("HTTP /purge");
    expect(traceNameOf("http", { "url.path": "/purge" })).toBe("HTTP /purge");
    expect(traceNameOf("HTTP", { "db.system.name": "redis", "http.route": "/x" })).toBe("HTTP");
  });

  it("leaves a bare method alone when nothing says where the request went", () => {
    expect(traceNameOf("GET", {})).toBe("GET");
    expect(traceNameOf("GET", { "http.route": "", "http.target": 42 })).toBe("GET");
  });
});

describe("templatePath and routeNameOf", () => {
  it("templates the segments that are ids, and nothing else", () => {
    expect(templatePath("/users/42")).toBe("/users/:id");
    expect(templatePath("/users/42/orders/7")).toBe("/users/:id/orders/:id");
    expect(templatePath("/orders/3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b")).toBe("/orders/:id");
    expect(templatePath("/docs/5f2b1c0e9a8d7e6f5a4b3c2d")).toBe("/docs/:id");
    expect(templatePath("/s/AbCdEf0123456789XyZ_-q")).toBe("/s/:id");
    for (const kept of ["/v1/users", "/api/v2/items/:id", "/blog/my-first-post", "/reports/q3-2024", "/", "/2fa"]) {
      expect(templatePath(kept)).toBe(kept);
    }
  });

  it("names a server span by its route, else its path, ids templated; a method-and-path name too", () => {
    expect(routeNameOf("GET", { "http.route": "/users/:id", "url.path": "/users/7" })).toBe("GET /users/:id");
    expect(routeNameOf("GET", { "http.route": "/users/7" })).toBe("GET /users/:id");
    expect(routeNameOf("GET", { "http.target": "/users/7?x=1" })).toBe("GET /users/:id");
    expect(routeNameOf("POST", { "url.full": "http://shop:8080/cart/9/items" })).toBe("POST /cart/:id/items");
    expect(routeNameOf("GET /users/7", {})).toBe("GET /users/:id");
    expect(routeNameOf("GET", {})).toBe("GET");
    expect(routeNameOf("orders process", { "http.route": "/users/7" })).toBe("orders process");
  });
});
