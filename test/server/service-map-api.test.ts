import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

describe("GET /api/service-map", () => {
  it("answers the services, what they call, and the calls between them over a window", async () => {
    const traceId = newTraceId();
    const [root, call] = [newSpanId(), newSpanId()];
    await postJson(
      app.base,
      jsonTraceRequest("web", [
        { traceId, spanId: root, name: "GET /", kind: 2 },
        { traceId, spanId: call, parentSpanId: root, name: "GET", kind: 3, attributes: { "server.address": "api" } },
      ]),
    );
    await postJson(
      app.base,
      jsonTraceRequest("api", [
        { traceId, parentSpanId: call, name: "GET /items", kind: 2, statusCode: 2 },
        { traceId, parentSpanId: call, name: "GET items", kind: 3, attributes: { "db.system": "redis" } },
      ]),
    );
    const body = await (await fetch(`${app.base}/api/service-map`)).json();
    expect(body.nodes.map((n: { id: string; kind: string }) => `${n.id} ${n.kind}`)).toEqual([
      "cache:redis cache",
      "service:api service",
      "service:web service",
    ]);
    expect(body.edges).toEqual([
      expect.objectContaining({ from: "service:api", to: "cache:redis", calls: 1, errors: 0 }),
      expect.objectContaining({ from: "service:web", to: "service:api", calls: 2, errors: 1 }),
    ]);
    expect(body).toMatchObject({ tracesRead: 1, truncated: false });
    expect(body.layout).toBeUndefined();
    // Laid out when asked: callers left of callees, a line for each edge.
    const { layout } = await (await fetch(`${app.base}/api/service-map?layout=1`)).json();
    expect(Object.keys(layout.nodes).sort()).toEqual(["cache:redis", "service:api", "service:web"]);
    expect(layout.nodes["service:web"].x).toBeLessThan(layout.nodes["service:api"].x);
    expect(layout.nodes["service:api"].x).toBeLessThan(layout.nodes["cache:redis"].x);
    expect(Object.keys(layout.edges).sort()).toEqual(["service:api>cache:redis", "service:web>service:api"]);
    // Rates are per the window, as on the Services page: everything stored is the time the calls span.
    expect(body.seconds).toBe(1);
    // A window of two minutes around the spans (sent at 1_700_000_000_000 ms): per its 120 s.
    const window = `since=${1_700_000_000_000 - 60_000}&until=${1_700_000_000_000 + 60_000}`;
    const windowed = await (await fetch(`${app.base}/api/service-map?${window}`)).json();
    expect(windowed.seconds).toBeCloseTo(120, 2);
    const services = await (await fetch(`${app.base}/api/services?${window}`)).json();
    const web = windowed.nodes.find((n: { id: string }) => n.id === "service:web");
    const webStats = services.services.find((s: { name: string }) => s.name === "web");
    expect(web.calls / windowed.seconds).toBeCloseTo(webStats.ratePerSec, 4);
    const future = await (await fetch(`${app.base}/api/service-map?since=${Date.now() + 60_000}`)).json();
    expect(future.nodes).toEqual([]);
    expect((await fetch(`${app.base}/api/service-map?since=soon`)).status).toBe(400);
  });
});
