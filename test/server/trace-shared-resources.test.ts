import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SharedTraceResponse, SpanJson, TraceResponse } from "../../src/protocol.js";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { getSized } from "../helpers/http.js";
import { sendTraceOfManyResources } from "../helpers/otel-resources.js";

const withoutPlace = ({ resource: _r, scope: _s, ...rest }: SpanJson) => rest;

describe.each(["memory", "sqlite"] as const)("GET /api/traces/:traceId?resources=shared, %s store", (kind) => {
  const dir = tempDir();
  let app: TestApp;
  let traceId: string;
  beforeAll(async () => {
    app = await startTestApp(kind === "sqlite" ? { db: join(dir.path, "shared.db") } : {});
    traceId = (await sendTraceOfManyResources(app.base)).traceId;
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  const get = (path: string) => getSized(`${app.base}${path}`);

  it("sends each distinct resource and scope once, and every span as the full form has it", async () => {
    const full = await get(`/api/traces/${traceId}`);
    const shared = await get(`/api/traces/${traceId}?resources=shared`);
    expect(full.status).toBe(200);
    expect(shared.status).toBe(200);
    const fullBody = full.body as TraceResponse;
    const sharedBody = shared.body as SharedTraceResponse;
    expect(fullBody.spans).toHaveLength(8);
    expect(Object.keys(sharedBody)).toEqual([
      "traceId",
      "name",
      "service",
      "resources",
      "scopes",
      "spans",
      "snapshots",
    ]);
    expect(sharedBody.traceId).toBe(traceId);
    expect(sharedBody.name).toBe(fullBody.name);
    expect(sharedBody.service).toBe(fullBody.service);
    expect(sharedBody.snapshots).toEqual(fullBody.snapshots);

    // Seven spans in seven requests, two services: two resources, not seven; and the signer's.
    expect(sharedBody.resources.map((resource) => resource["service.name"])).toEqual(
      expect.arrayContaining(["frontend", "orders", "signer"]),
    );
    expect(sharedBody.resources).toHaveLength(3);
    expect(sharedBody.scopes.map((scope) => scope.name).sort()).toEqual(["db-client", "orders-api", "web"]);
    const frontend = sharedBody.resources.find((resource) => resource["service.name"] === "frontend");
    expect(frontend?.["process.command_args"]).toEqual(["/usr/local/bin/node", "/srv/app/server.js"]);

    // Span by span: the same fields in the same order, the resource and scope named by index.
    expect(sharedBody.spans.map((span) => span.spanId)).toEqual(fullBody.spans.map((span) => span.spanId));
    sharedBody.spans.forEach((span, i) => {
      const fullSpan = fullBody.spans[i] as SpanJson;
      const { resourceIndex, scopeIndex, ...rest } = span;
      expect(Object.keys(span)).not.toContain("resource");
      expect(Object.keys(span)).not.toContain("scope");
      expect(rest).toEqual(withoutPlace(fullSpan));
      expect(sharedBody.resources[resourceIndex]).toEqual(fullSpan.resource);
      expect(sharedBody.scopes[scopeIndex]).toEqual(fullSpan.scope);
    });
    // What the resource's bytes value was stays on its span, as in the full form.
    const signed = sharedBody.spans.find((span) => span.name === "sign");
    expect(signed?.resourceBytes).toEqual(["signer.key"]);
    expect(shared.bytes).toBeLessThan(full.bytes * 0.75);
  });

  it("keeps the full form for `resources=inline`, answers null for a trace not stored, and refuses other values", async () => {
    expect((await get(`/api/traces/${traceId}?resources=inline`)).body).toEqual(
      (await get(`/api/traces/${traceId}`)).body,
    );
    const missing = await get(`/api/traces/${"ab".repeat(16)}?missing=null&resources=shared`);
    expect(missing).toMatchObject({ status: 200, body: null });
    const bad = await get(`/api/traces/${traceId}?resources=once`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({
      code: "invalid_query",
      message: 'resources must be "shared" or "inline", not "once"',
    });
  });
});
