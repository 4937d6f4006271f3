/**
 * The TraceKit SDKs' development-mode path, request by request as the SDKs send it, against the real
 * server: span kinds, Python's JSON quirks, the SDK's own calls to this server, and trace names.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startApp } from "../../src/app.js";
import { resolveConfig } from "../../src/config.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { rawRequest, readJson } from "../helpers/http.js";
import { newSpanId, newTraceId, postJson } from "../helpers/payloads.js";
import {
  API_KIND,
  nodeLocalUiBody,
  nodeSdkDetectsUi,
  pythonLocalUiBody,
  type SdkSpan,
  sdkPost,
} from "../helpers/tracekit-sdk.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

async function getTrace(traceId: string): Promise<any> {
  return readJson(fetch(`${app.base}/api/traces/${traceId}`));
}

function byName(spans: any[]): Record<string, any> {
  return Object.fromEntries(spans.map((s) => [s.name, s]));
}

/** An Express request as the Node SDK traces it, including its own export and health calls. */
function expressRequest(port: number): { traceId: string; spans: SdkSpan[] } {
  const traceId = newTraceId();
  const root = newSpanId();
  const now = Date.now();
  const child = (name: string, kind: number, attributes: SdkSpan["attributes"], offset: number): SdkSpan => ({
    traceId,
    spanId: newSpanId(),
    parentSpanId: root,
    name,
    kind,
    startMs: now + offset,
    durationMs: 3,
    attributes,
  });
  return {
    traceId,
    spans: [
      child("SELECT users", API_KIND.CLIENT, { "db.system": "postgresql", "db.statement": "SELECT 1" }, 1),
      child("GET", API_KIND.CLIENT, { "http.method": "GET", "http.url": "http://payments:8080/charge?x=1" }, 5),
      child("render", API_KIND.INTERNAL, {}, 9),
      child("publish order", API_KIND.PRODUCER, { "messaging.system": "rabbitmq" }, 10),
      child("consume order", API_KIND.CONSUMER, { "messaging.system": "rabbitmq" }, 11),
      // The SDK's own calls to this server, traced by the app's HTTP instrumentation (old and new conventions).
      child(
        "POST",
        API_KIND.CLIENT,
        {
          "http.method": "POST",
          "http.url": `http://localhost:${port}/v1/traces`,
          "net.peer.name": "localhost",
          "net.peer.port": port,
        },
        12,
      ),
      child(
        "GET",
        API_KIND.CLIENT,
        { "http.request.method": "GET", "server.address": "localhost", "server.port": port, "url.path": "/api/health" },
        13,
      ),
      {
        traceId,
        spanId: root,
        name: "GET",
        kind: API_KIND.SERVER,
        startMs: now,
        durationMs: 20,
        attributes: {
          "http.method": "GET",
          "http.target": "/users/42?expand=1",
          "http.route": "/users/:id",
          "http.status_code": 200,
        },
      },
    ],
  };
}

describe("TraceKit Node SDK, development mode (batches without a User-Agent)", () => {
  it("stays detected after its health probe, whose answer it never reads", async () => {
    expect(await nodeSdkDetectsUi(app.port)).toBe(true);
  });

  it("shows every span kind right, names the trace by its route, and drops the SDK's own calls", async () => {
    const before = (await readJson(fetch(`${app.base}/api/health`))).counts.ownCallSpans;
    const { traceId, spans } = expressRequest(app.port);
    const response = await sdkPost(app.port, nodeLocalUiBody("users-api", spans), "node");
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({});

    const trace = await getTrace(traceId);
    expect(trace.spans).toHaveLength(6);
    const spansByName = byName(trace.spans);
    expect(spansByName["SELECT users"].kind).toBe("CLIENT");
    expect(spansByName.render.kind).toBe("INTERNAL");
    expect(spansByName["publish order"].kind).toBe("PRODUCER");
    expect(spansByName["consume order"].kind).toBe("CONSUMER");
    const root = trace.spans.find((s: any) => s.parentSpanId === null);
    expect(root).toMatchObject({ name: "GET", kind: "SERVER" });
    const outgoing = trace.spans.filter((s: any) => s.name === "GET" && s.parentSpanId !== null);
    expect(outgoing.map((s: any) => s.kind)).toEqual(["CLIENT"]);
    expect(trace.spans.some((s: any) => String(s.attributes["http.url"] ?? "").includes("/v1/traces"))).toBe(false);

    const health = await readJson(fetch(`${app.base}/api/health`));
    expect(health.counts.ownCallSpans - before).toBe(2);

    const list = await readJson(fetch(`${app.base}/api/traces?service=users-api`));
    expect(list.traces[0]).toMatchObject({ traceId, name: "GET /users/:id", spanCount: 6, hasRoot: true });
    const named = await readJson(fetch(`${app.base}/api/traces?name=${encodeURIComponent("/users")}`));
    expect(named.traces.map((t: any) => t.traceId)).toContain(traceId);
  });

  it("shows its startSpan naming a database as a call on the map, in the edge's traces and among the outgoing calls", async () => {
    const traceId = newTraceId();
    const root = newSpanId();
    const now = Date.now();
    const spans: SdkSpan[] = [
      {
        traceId,
        spanId: root,
        name: "GET /orders",
        kind: API_KIND.SERVER,
        startMs: now,
        durationMs: 20,
        attributes: { "http.route": "/orders" },
      },
      // client.startSpan('SELECT orders', {'db.system': 'postgresql'}): the SDK makes it INTERNAL.
      {
        traceId,
        spanId: newSpanId(),
        parentSpanId: root,
        name: "SELECT orders",
        kind: API_KIND.INTERNAL,
        startMs: now + 2,
        durationMs: 5,
        attributes: { "db.system": "postgresql" },
      },
    ];
    expect((await sdkPost(app.port, nodeLocalUiBody("orders-shop", spans), "node")).status).toBe(200);
    const map = await readJson(fetch(`${app.base}/api/service-map`));
    expect(map.edges).toContainEqual(
      expect.objectContaining({ from: "service:orders-shop", to: "database:postgresql", calls: 1 }),
    );
    const edgeQuery = encodeURIComponent("service=orders-shop peer=postgresql");
    const listed = await readJson(fetch(`${app.base}/api/traces?q=${edgeQuery}`));
    expect(listed.traces.map((t: any) => t.traceId)).toEqual([traceId]);
    const operations = await readJson(fetch(`${app.base}/api/services/orders-shop/operations`));
    const call = operations.operations.find((o: any) => o.name === "SELECT orders");
    expect(call).toMatchObject({ group: "outgoing", kind: "INTERNAL", peer: "postgresql", count: 1 });
    const opened = await readJson(fetch(`${app.base}/api/traces?q=${encodeURIComponent(call.query)}`));
    expect(opened.traces.map((t: any) => t.traceId)).toEqual([traceId]);
  });

  it("keeps a span whose integer attribute is past int64: the SDK writes 2**64 and 1e21 as String(v)", async () => {
    const traceId = newTraceId();
    const root: SdkSpan = {
      traceId,
      spanId: newSpanId(),
      name: "GET /local",
      kind: API_KIND.SERVER,
      startMs: Date.now(),
      durationMs: 20,
      attributes: { "http.route": "/local", big: 2 ** 64, "bytes.total": 1e21, small: -(2 ** 70), count: 3 },
    };
    const body = nodeLocalUiBody("int-svc", [root]);
    // What the SDK sends: {"intValue":"18446744073709552000"}, {"intValue":"1e+21"}.
    expect(body).toContain('"intValue":"1e+21"');
    const response = await sdkPost(app.port, body, "node");
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({});
    const trace = await getTrace(traceId);
    expect(trace.spans).toHaveLength(1);
    expect(trace.spans[0].attributes).toMatchObject({
      big: 18446744073709552000,
      "bytes.total": 1e21,
      small: -(2 ** 70),
      count: 3,
    });
  });

  it("still refuses only the span whose intValue is no number at all", async () => {
    const good = {
      traceId: newTraceId(),
      spanId: newSpanId(),
      name: "fine",
      kind: 1,
      startMs: Date.now(),
      durationMs: 1,
    };
    const bad = { ...good, traceId: newTraceId(), spanId: newSpanId(), name: "bad" };
    const body = nodeLocalUiBody("int-svc", [good, bad]).replace(
      /("name":"bad".*?"attributes":)\[\]/,
      '$1[{"key":"n","value":{"intValue":"abc"}}]',
    );
    const response = await sdkPost(app.port, body, "node");
    expect(JSON.parse(response.body).partialSuccess).toMatchObject({ rejectedSpans: 1 });
    expect((await getTrace(good.traceId)).spans).toHaveLength(1);
  });

  it("never grows a finished trace with later export spans", async () => {
    const { traceId, spans } = expressRequest(app.port);
    await sdkPost(app.port, nodeLocalUiBody("users-api", spans), "node");
    // Each following second the SDK exports again, and that export is traced under the same request.
    for (let i = 0; i < 3; i++) {
      const exportSpan: SdkSpan = {
        traceId,
        spanId: newSpanId(),
        parentSpanId: spans[spans.length - 1]?.spanId as string,
        name: "POST",
        kind: API_KIND.CLIENT,
        startMs: Date.now(),
        durationMs: 1,
        attributes: { "http.method": "POST", "http.url": `http://localhost:${app.port}/v1/traces` },
      };
      await sdkPost(app.port, nodeLocalUiBody("users-api", [exportSpan]), "node");
    }
    expect((await getTrace(traceId)).spans).toHaveLength(6);
  });

  it("keeps the spec's kinds for real OTLP senders: a User-Agent or an X-API-Key", async () => {
    const senders: Record<string, string>[] = [{ "user-agent": "curl/8.5.0" }, { "x-api-key": "anything" }];
    for (const headers of senders) {
      const traceId = newTraceId();
      const body = nodeLocalUiBody("otlp-sender", [
        { traceId, spanId: newSpanId(), name: "handler", kind: 2, startMs: Date.now(), durationMs: 1 },
      ]);
      const response = await postJson(app.base, body, headers);
      expect(response.status).toBe(200);
      expect((await getTrace(traceId)).spans[0].kind).toBe("SERVER");
    }
  });
});

describe("TraceKit Python SDK, development mode (one span per request)", () => {
  it("accepts its quirks: empty parent id, null message and version, NaN and Infinity tokens", async () => {
    const traceId = newTraceId();
    const rootId = newSpanId();
    const now = Date.now();
    const child: SdkSpan = {
      traceId,
      spanId: newSpanId(),
      parentSpanId: rootId,
      name: "compute",
      kind: API_KIND.INTERNAL,
      startMs: now + 1,
      durationMs: 2,
      attributes: {
        ratio: Number.NaN,
        upper: Number.POSITIVE_INFINITY,
        lower: Number.NEGATIVE_INFINITY,
        half: 0.5,
        note: "café NaN Infinity",
      },
    };
    const root: SdkSpan = {
      traceId,
      spanId: rootId,
      name: "GET",
      kind: API_KIND.SERVER,
      startMs: now,
      durationMs: 10,
      attributes: { "http.method": "GET", "http.target": "/orders/7?debug=1" },
    };
    const childBody = pythonLocalUiBody("orders-py", child);
    expect(childBody).toContain('"doubleValue": NaN');
    expect(childBody).toContain('"parentSpanId": "');
    for (const span of [child, root]) {
      const response = await sdkPost(app.port, pythonLocalUiBody("orders-py", span), "python");
      expect(response.status, response.body).toBe(200);
      expect(JSON.parse(response.body)).toEqual({});
    }
    const trace = await getTrace(traceId);
    const spansByName = byName(trace.spans);
    expect(spansByName.compute).toMatchObject({
      kind: "INTERNAL",
      parentSpanId: rootId,
      status: { code: "UNSET" },
      scope: { name: "tracekit", version: "" },
    });
    expect(spansByName.compute.attributes).toEqual({
      ratio: "NaN",
      upper: "Infinity",
      lower: "-Infinity",
      half: 0.5,
      note: "café NaN Infinity",
    });
    expect(spansByName.GET).toMatchObject({ kind: "SERVER", parentSpanId: null });
    const list = await readJson(fetch(`${app.base}/api/traces?service=orders-py`));
    expect(list.traces[0]).toMatchObject({ traceId, name: "GET /orders/7", spanCount: 2 });
  });

  it("still answers 400 for a body that is broken in another way too", async () => {
    const response = await sdkPost(app.port, '{"resourceSpans": [NaN, }', "python");
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).message).toMatch(/not valid JSON/);
  });
});

describe("the first TraceKit local UI's curl example", () => {
  it("rejects its 12-digit span id loudly: partialSuccess naming the fix, a CLI line, nothing half-stored", async () => {
    const traceId = newTraceId();
    const response = await postJson(
      app.base,
      {
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "api-gateway" } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: "a1b2c3d4e5f6",
                    name: "GET /api/users",
                    startTimeUnixNano: "1705593600000000000",
                    endTimeUnixNano: "1705593600050000000",
                  },
                ],
              },
            ],
          },
        ],
      },
      { "user-agent": "curl/8.5.0" },
    );
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.partialSuccess.rejectedSpans).toBe(1);
    expect(body.partialSuccess.errorMessage).toMatch(/span id "a1b2c3d4e5f6" is not 16 hex digits/);
    expect(app.events.some((e) => e.type === "client-error" && /a1b2c3d4e5f6/.test(e.message))).toBe(true);
    const health = await readJson(fetch(`${app.base}/api/health`));
    expect(health.counts.rejectedSpans).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${app.base}/api/traces/${traceId}`)).status).toBe(404);
  });

  it("answers GET /api/stats and status=ok", async () => {
    const stats = await readJson(fetch(`${app.base}/api/stats`));
    expect(stats.totalTraces).toBeGreaterThan(0);
    expect(stats.totalSpans).toBeGreaterThan(stats.totalTraces);
    expect(stats.services).toEqual(expect.arrayContaining(["users-api", "orders-py"]));
    expect(Date.parse(stats.newestTrace)).toBeGreaterThan(0);
    const ok = await readJson(fetch(`${app.base}/api/traces?status=ok&limit=1000`));
    expect(ok.traces.length).toBeGreaterThan(0);
    expect(ok.traces.every((t: any) => t.errorCount === 0)).toBe(true);
  });
});

describe("--strict-span-kinds", () => {
  it("reads every request's kinds as OTLP's", async () => {
    const strict: RunningApp = await startApp(resolveConfig({ port: 0, open: false, strictSpanKinds: true }, {}));
    try {
      const traceId = newTraceId();
      const body = nodeLocalUiBody("strict", [
        { traceId, spanId: newSpanId(), name: "handler", kind: 2, startMs: Date.now(), durationMs: 1 },
      ]);
      expect((await sdkPost(strict.port, body, "node")).status).toBe(200);
      const trace = await readJson(fetch(`http://127.0.0.1:${strict.port}/api/traces/${traceId}`));
      expect(trace.spans[0].kind).toBe("SERVER");
    } finally {
      await strict.close();
    }
  });
});

describe("apps in containers (--host 0.0.0.0)", () => {
  it("accepts OTLP and SDK requests for host.docker.internal and keeps the UI and /api/* guarded", async () => {
    const open: RunningApp = await startApp(resolveConfig({ port: 0, open: false, host: "0.0.0.0" }, {}));
    try {
      const traceId = newTraceId();
      const body = nodeLocalUiBody("in-docker", [
        { traceId, spanId: newSpanId(), name: "job", kind: API_KIND.INTERNAL, startMs: Date.now(), durationMs: 1 },
      ]);
      const host = `host.docker.internal:${open.port}`;
      const headers = { Host: host, "Content-Type": "application/json" };
      const posted = await rawRequest(open.port, { method: "POST", path: "/v1/traces", headers, body });
      expect(posted.status).toBe(200);
      const sdk = await rawRequest(open.port, { path: "/sdk/snapshots/active/in-docker", headers: { Host: host } });
      expect(sdk.status).not.toBe(403);
      for (const path of ["/api/traces", "/api/health", "/"]) {
        const guarded = await rawRequest(open.port, { path, headers: { Host: host } });
        expect(guarded.status, path).toBe(403);
      }
      const stored = await rawRequest(open.port, { path: `/api/traces/${traceId}`, headers: { Host: "localhost" } });
      expect(JSON.parse(stored.body).spans[0].kind).toBe("INTERNAL");
    } finally {
      await open.close();
    }
  });
});
