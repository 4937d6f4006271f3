import { describe, expect, it } from "vitest";
import { operationOf } from "../../src/domain/operation.js";
import type { Span } from "../../src/domain/span.js";

const op = (name: string, kind: Span["kind"], attributes: Span["attributes"]) =>
  operationOf({ name, kind, attributes });

describe("operation names", () => {
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
