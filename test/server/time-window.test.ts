/** `window` on every route that takes a time window: a duration ending now, as the pages' addresses say it. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { jsonLogRequest, jsonTraceRequest, postJson, postLogs } from "../helpers/payloads.js";

const WINDOWED = [
  "/api/traces",
  "/api/errors",
  "/api/service-map",
  "/api/llm",
  "/api/services",
  "/api/services/windowed/operations",
  "/api/logs",
];

describe.each(["memory", "sqlite"] as const)("window on the windowed routes (%s store)", (store) => {
  let app: TestApp;
  let dir: ReturnType<typeof tempDir> | undefined;
  beforeAll(async () => {
    dir = store === "sqlite" ? tempDir() : undefined;
    app = await startTestApp(dir === undefined ? {} : { db: `${dir.path}/store.db` });
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const twoHoursAgoNs = nowNs - 2n * 3_600_000_000_000n;
    for (const [name, startNs] of [
      ["GET /old", twoHoursAgoNs],
      ["GET /new", nowNs - 60_000_000_000n],
    ] as const) {
      const sent = await postJson(
        app.base,
        jsonTraceRequest("windowed", [{ name, kind: 2, startNs, statusCode: 2, statusMessage: `${name} failed` }]),
      );
      expect(sent.status).toBe(200);
      const logged = await postLogs(app.base, jsonLogRequest("windowed", [{ body: name, timeNs: startNs }]));
      expect(logged.status).toBe(200);
    }
    const gauge = { dataPoints: [{ timeUnixNano: (nowNs - 60_000_000_000n).toString(), asDouble: 5 }] };
    const metrics = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "windowed" } }] },
          scopeMetrics: [{ metrics: [{ name: "queue.depth", gauge }] }],
        },
      ],
    };
    const measured = await fetch(`${app.base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(metrics),
    });
    expect(measured.status).toBe(200);
  });
  afterAll(async () => {
    await app.close();
    dir?.remove();
  });

  async function get(path: string): Promise<{ status: number; body: any }> {
    const response = await fetch(`${app.base}${path}`);
    return { status: response.status, body: await response.json() };
  }

  it("answers a bad window, or one beside since or until, with a 400 saying what to write", async () => {
    for (const path of WINDOWED) {
      for (const [query, message] of [
        ["window=zzz", 'window must be a duration such as 90s, 15m, 6h or 7d, not "zzz"'],
        ["window=15", 'not "15"'],
        ["window=1h&since=1", "window (a duration ending now) replaces since and until"],
      ] as const) {
        const { status, body } = await get(`${path}?${query}`);
        expect([path, query, status, body.error?.code]).toEqual([path, query, 400, "invalid_query"]);
        expect(body.error.message).toContain(message);
      }
    }
  });

  it("reads a window as the time that long before now, and all as everything stored", async () => {
    const traces = async (query: string) => (await get(`/api/traces?${query}`)).body.traces.map((t: any) => t.name);
    expect(await traces("window=1h")).toEqual(["GET /new"]);
    expect(await traces("window=3h")).toEqual(["GET /new", "GET /old"]);
    expect(await traces("window=all")).toEqual(["GET /new", "GET /old"]);

    const errors = async (query: string) =>
      (await get(`/api/errors?${query}`)).body.groups.map((g: any) => g.sample.message).sort();
    expect(await errors("window=1h")).toEqual(["GET /new failed"]);
    expect(await errors("window=all")).toEqual(["GET /new failed", "GET /old failed"]);

    const logs = async (query: string) => (await get(`/api/logs?${query}`)).body.logs.map((l: any) => l.body);
    expect(await logs("window=90m")).toEqual(["GET /new"]);
    expect(await logs("window=1d")).toEqual(["GET /new", "GET /old"]);

    const operations = async (query: string) =>
      (await get(`/api/services/windowed/operations?${query}`)).body.operations.map((o: any) => o.name).sort();
    expect(await operations("window=1h")).toEqual(["GET /new"]);
    expect(await operations("window=all")).toEqual(["GET /new", "GET /old"]);
  });

  it("reads a window reaching before 1970 as everything stored, on every route", async () => {
    for (const path of WINDOWED) {
      const { status, body } = await get(`${path}?window=999999d`);
      expect([path, status]).toEqual([path, 200]);
      const all = (await get(`${path}?window=all`)).body;
      if (path === "/api/services") expect(body).toEqual(all);
    }
    const logs = (await get("/api/logs?window=999999d")).body.logs.map((l: any) => l.body);
    expect(logs).toEqual(["GET /new", "GET /old"]);
    const errors = (await get("/api/errors?window=30000d")).body;
    expect(errors.groups.length).toBe(2);
    expect(errors).toEqual((await get("/api/errors?window=all")).body);
    expect(BigInt(errors.bucketStartUnixNano)).toBeGreaterThan(0n);
    const operations = (await get("/api/services/windowed/operations?window=999999d")).body;
    expect(operations).toEqual((await get("/api/services/windowed/operations?window=all")).body);
    expect(operations.windowSeconds).toBeLessThan(86_400);
    const metric = (await get("/api/metrics/queue.depth?window=999999d")).body;
    expect(metric.fromUnixMs).toBeGreaterThanOrEqual(0);
    expect(metric.series[0].values).toContain(5);
  });
});
