import { describe, expect, it } from "vitest";
import { traceNameOf } from "../../src/domain/trace-name.js";

describe("traceNameOf", () => {
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
  });

  it("leaves a bare method alone when nothing says where the request went", () => {
    expect(traceNameOf("GET", {})).toBe("GET");
    expect(traceNameOf("GET", { "http.route": "", "http.target": 42 })).toBe("GET");
  });
});
