import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { rawRequest } from "../helpers/http.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

async function getJson(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.base}${path}`);
  return { status: response.status, body: await response.json() };
}

describe("GET /api/health", () => {
  it("identifies the server for SDK detection", async () => {
    const { status, body } = await getJson("/api/health");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", name: "tracekit-local" });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.otlp.traces).toBe(`http://localhost:${app.port}/v1/traces`);
    expect(body.storage.kind).toBe("memory");
  });
});

describe("GET /api/health uptime", () => {
  it("counts from the start, not from when the routes of the API were made (after the URL is printed)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const own = await startTestApp();
      try {
        // The routes are made after this turn: a minute and a half later, as far as Date tells.
        vi.setSystemTime(Date.now() + 90_000);
        const health = (await (await fetch(`${own.base}/api/health`)).json()) as { uptimeSeconds: number };
        expect(health.uptimeSeconds).toBe(90);
      } finally {
        await own.close();
      }
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("GET /api/health and /api/stats for scripts written against the first local UI", () => {
  it("answer {status, uptime, stats} with stats {totalTraces, services, oldestTrace, newestTrace}", async () => {
    const own = await startTestApp();
    try {
      const get = async (path: string) => (await fetch(`${own.base}${path}`)).json() as Promise<any>;
      const empty = await get("/api/health");
      expect(empty).toMatchObject({ status: "ok", uptimeSeconds: expect.any(Number), counts: expect.any(Object) });
      expect(empty.uptime).toBeGreaterThanOrEqual(0);
      expect(empty.stats).toEqual({
        totalTraces: 0,
        totalSpans: 0,
        services: [],
        oldestTrace: null,
        newestTrace: null,
      });
      expect(await get("/api/stats")).toEqual(empty.stats);

      const started = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;
      await postJson(own.base, jsonTraceRequest("billing", [{ startNs: started("2026-12-05T10:00:00.000Z") }]));
      await postJson(own.base, jsonTraceRequest("checkout", [{ startNs: started("2026-12-05T11:30:00.000Z") }]));
      const stats = {
        totalTraces: 2,
        totalSpans: 2,
        services: ["billing", "checkout"],
        oldestTrace: "2026-12-05T10:00:00.000Z",
        newestTrace: "2026-12-05T11:30:00.000Z",
      };
      expect((await get("/api/health")).stats).toEqual(stats);
      expect(await get("/api/stats")).toEqual(stats);
      // A trace whose spans have no start (0) dates nothing: the oldest is still billing's, not 1970.
      const clockless = Array.from({ length: 150 }, () => ({ traceId: newTraceId(), startNs: 0n, durationNs: 0n }));
      await postJson(own.base, jsonTraceRequest("clockless", clockless));
      expect(await get("/api/stats")).toMatchObject({ totalTraces: 152, oldestTrace: "2026-12-05T10:00:00.000Z" });
    } finally {
      await own.close();
    }
  });
});

describe("GET /api/health seen from web pages", () => {
  const dir = tempDir();
  let dbApp: TestApp;
  beforeAll(async () => {
    dbApp = await startTestApp({ db: join(dir.path, "health.db") });
  });
  afterAll(async () => {
    await dbApp.close();
    dir.remove();
  });

  async function health(origin?: string) {
    const response = await fetch(`${dbApp.base}/api/health`, origin === undefined ? {} : { headers: { origin } });
    return { allowOrigin: response.headers.get("access-control-allow-origin"), body: (await response.json()) as any };
  }

  it("shows the --db path to SDK probes and to the app's own page only", async () => {
    expect((await health()).body.storage.path).toBe(join(dir.path, "health.db"));
    expect((await health(`http://localhost:${dbApp.port}`)).body.storage.path).toBe(join(dir.path, "health.db"));
    expect((await health("http://localhost:3000")).body.storage.path).toBeUndefined();
    expect((await health("https://evil.example")).body.storage.path).toBeUndefined();
  });

  it("lets dev origins read it and no other web page", async () => {
    expect((await health("http://localhost:3000")).allowOrigin).toBe("http://localhost:3000");
    expect((await health("https://evil.example")).allowOrigin).toBeNull();
    expect((await health()).allowOrigin).toBeNull();
  });
});

describe("X-Content-Type-Options", () => {
  it("is nosniff on API, OTLP and SDK answers, errors included", async () => {
    const answers = [
      await fetch(`${app.base}/api/health`),
      await fetch(`${app.base}/api/traces`),
      await fetch(`${app.base}/api/nope`),
      await fetch(`${app.base}/api/traces/zz`),
      await fetch(`${app.base}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
      await fetch(`${app.base}/v1/traces`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" }),
      await fetch(`${app.base}/v1/logs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "[",
      }),
      await fetch(`${app.base}/sdk/snapshots/active/checkout`),
    ];
    for (const response of answers) {
      expect(response.headers.get("x-content-type-options"), response.url).toBe("nosniff");
      await response.arrayBuffer();
    }
  });
});

describe("trace API", () => {
  const root = newSpanId();
  const traceId = newTraceId();
  const errorTraceId = newTraceId();

  beforeAll(async () => {
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    // The child arrives before its parent, in a separate request.
    await postJson(
      app.base,
      jsonTraceRequest("checkout", [
        {
          traceId,
          parentSpanId: root,
          name: "SELECT orders",
          kind: 3,
          startNs: 1_700_000_000_010_000_000n,
          durationNs: 20_000_000n,
          attributes: { "db.statement": "SELECT * FROM orders WHERE id = 42" },
        },
      ]),
    );
    let page = await getJson("/api/traces");
    expect(page.body.traces[0]).toMatchObject({ traceId, name: "SELECT orders", spanCount: 1 });
    await postJson(
      app.base,
      jsonTraceRequest("frontend", [
        {
          traceId,
          spanId: root,
          name: "GET /orders/:id",
          kind: 2,
          startNs: 1_700_000_000_000_000_000n,
          durationNs: 120_000_000n,
        },
      ]),
    );
    await postJson(
      app.base,
      jsonTraceRequest("payments", [
        {
          traceId: errorTraceId,
          name: "POST /charge",
          kind: 2,
          startNs: 1_700_000_001_000_000_000n,
          durationNs: 3_000_000n,
          statusCode: 2,
          statusMessage: "card declined",
        },
      ]),
    );
    page = await getJson("/api/traces");
    expect(page.body.traces).toHaveLength(2);
  });

  it("lists traces newest first with correct summaries", async () => {
    const { body } = await getJson("/api/traces");
    expect(body.traces.map((t: any) => t.traceId)).toEqual([errorTraceId, traceId]);
    expect(body.traces[1]).toMatchObject({
      traceId,
      name: "GET /orders/:id",
      service: "frontend",
      startTimeUnixNano: "1700000000000000000",
      durationMs: 120,
      spanCount: 2,
      errorCount: 0,
      services: ["checkout", "frontend"],
    });
    expect(body.traces[0]).toMatchObject({ errorCount: 1, service: "payments" });
  });

  it("filters by service, text, status and duration", async () => {
    const ids = async (query: string) => (await getJson(`/api/traces?${query}`)).body.traces.map((t: any) => t.traceId);
    expect(await ids("service=checkout")).toEqual([traceId]);
    expect(await ids("q=orders%20WHERE")).toEqual([traceId]);
    expect(await ids("q=CARD%20DECLINED")).toEqual([errorTraceId]);
    expect(await ids("status=error")).toEqual([errorTraceId]);
    expect(await ids("status=ok")).toEqual([traceId]);
    expect(await ids("minDurationMs=100")).toEqual([traceId]);
    expect(await ids("maxDurationMs=3")).toEqual([errorTraceId]);
    expect(await ids("minDurationMs=3&maxDurationMs=120")).toEqual([errorTraceId, traceId]);
    expect(await ids("service=nobody")).toEqual([]);
  });

  it("sorts by duration, span count or errors both ways, and pages in that order", async () => {
    const ids = async (query: string) => (await getJson(`/api/traces?${query}`)).body.traces.map((t: any) => t.traceId);
    expect(await ids("sort=duration")).toEqual([traceId, errorTraceId]);
    expect(await ids("sort=duration&order=asc")).toEqual([errorTraceId, traceId]);
    expect(await ids("sort=spans&order=desc")).toEqual([traceId, errorTraceId]);
    expect(await ids("sort=errors")).toEqual([errorTraceId, traceId]);
    expect(await ids("sort=start&order=asc")).toEqual([traceId, errorTraceId]);
    const first = await getJson("/api/traces?sort=duration&limit=1");
    expect(first.body.nextCursor).toMatch(/^duration\.desc:/);
    const cursor = encodeURIComponent(first.body.nextCursor);
    expect(await ids(`sort=duration&limit=1&cursor=${cursor}`)).toEqual([errorTraceId]);
    const wrong = await getJson(`/api/traces?sort=spans&cursor=${cursor}`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain("sort=duration&order=desc");
  });

  it("filters by a window on the trace's start (unix ms, both ends inclusive)", async () => {
    const ids = async (query: string) => (await getJson(`/api/traces?${query}`)).body.traces.map((t: any) => t.traceId);
    expect(await ids("since=1700000000000")).toEqual([errorTraceId, traceId]);
    expect(await ids("since=1700000000001")).toEqual([errorTraceId]);
    expect(await ids("until=1700000000999")).toEqual([traceId]);
    expect(await ids("since=1700000000000&until=1700000000000")).toEqual([traceId]);
    expect(await ids("since=1700000001000&until=1700000001000&status=error")).toEqual([errorTraceId]);
  });

  it("filters with the query language in q, answering a query that does not parse with 400 bad_query", async () => {
    const ids = async (q: string) =>
      (await getJson(`/api/traces?q=${encodeURIComponent(q)}`)).body.traces.map((t: any) => t.traceId);
    expect(await ids("db.query.text~where")).toEqual([traceId]);
    expect(await ids("kind=server duration>=100ms")).toEqual([traceId]);
    expect(await ids("service=payments status=error | service=checkout")).toEqual([errorTraceId, traceId]);
    expect(await ids("db.statement")).toEqual([traceId]);
    const bad = await getJson(`/api/traces?q=${encodeURIComponent("duration>soon")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({
      code: "bad_query",
      message: expect.stringContaining('"soon" is not a duration'),
      position: 9,
    });
  });

  it("lists attribute keys and the top values of a key for autocomplete", async () => {
    const keys = await getJson("/api/attributes");
    expect(keys.status).toBe(200);
    expect(keys.body.sampledSpans).toBe(3);
    expect(keys.body.keys).toContainEqual({ key: "service.name", source: "resource", count: 3 });
    expect(keys.body.keys).toContainEqual({ key: "db.statement", source: "span", count: 1 });
    const services = await getJson("/api/attributes/service/values?limit=2");
    expect(services.body).toEqual({
      key: "service",
      values: [
        { value: "checkout", count: 1 },
        { value: "frontend", count: 1 },
      ],
      sampledSpans: 3,
    });
    const statements = await getJson(`/api/attributes/${encodeURIComponent("db.query.text")}/values`);
    expect(statements.body.values).toEqual([{ value: "SELECT * FROM orders WHERE id = 42", count: 1 }]);
    const bad = await getJson("/api/attributes/service/values?limit=0");
    expect(bad.status).toBe(400);
  });

  it("pages with limit and cursor", async () => {
    const first = await getJson("/api/traces?limit=1");
    expect(first.body.traces).toHaveLength(1);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await getJson(`/api/traces?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.traces.map((t: any) => t.traceId)).toEqual([traceId]);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it("returns one trace by id in any case, 404 JSON for an unknown one, 400 for a malformed one", async () => {
    const { status, body } = await getJson(`/api/traces/${traceId.toUpperCase()}`);
    expect(status).toBe(200);
    expect(body.traceId).toBe(traceId);
    expect(body.spans.map((s: any) => s.name)).toEqual(["GET /orders/:id", "SELECT orders"]);
    expect(body.spans[0].parentSpanId).toBeNull();
    expect(body.spans[1].parentSpanId).toBe(root);
    const missing = await getJson(`/api/traces/${newTraceId()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("trace_not_found");
    // The web app's trace page asks so that a trace not stored is an answer, not a failed request.
    const missingForPage = await getJson(`/api/traces/${newTraceId()}?missing=null`);
    expect(missingForPage.status).toBe(200);
    expect(missingForPage.body).toBeNull();
    expect((await getJson(`/api/traces/${traceId}?missing=null`)).body.traceId).toBe(traceId);
    const bad = await getJson("/api/traces/not-an-id");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBeTruthy();
  });

  it("names the trace of a span by its id in any case, 404 JSON (or null when asked) for an unknown one, 400 for a malformed one", async () => {
    const { status, body } = await getJson(`/api/spans/${root.toUpperCase()}`);
    expect(status).toBe(200);
    expect(body).toEqual({ spanId: root, traceId });
    const unknown = newSpanId();
    const missing = await getJson(`/api/spans/${unknown}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("span_not_found");
    const missingForPage = await getJson(`/api/spans/${unknown}?missing=null`);
    expect(missingForPage.status).toBe(200);
    expect(missingForPage.body).toBeNull();
    for (const bad of ["not-an-id", traceId, "0000000000000000"]) {
      const answer = await getJson(`/api/spans/${bad}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: "invalid_span_id", message: expect.stringContaining("16 hex") });
    }
    // Asked of one trace, as the trace page asks of a span link: that trace, or none.
    expect((await getJson(`/api/spans/${root}?trace=${traceId.toUpperCase()}`)).body).toEqual({
      spanId: root,
      traceId,
    });
    expect((await getJson(`/api/spans/${root}?trace=${newTraceId()}&missing=null`)).body).toBeNull();
    expect((await getJson(`/api/spans/${unknown}?trace=${traceId}`)).status).toBe(404);
    const badTrace = await getJson(`/api/spans/${root}?trace=nope`);
    expect(badTrace.status).toBe(400);
    expect(badTrace.body.error.code).toBe("invalid_trace_id");
  });

  it("answers a span's context: it, the spans above and below it with counts; 404 and 400 as for its trace", async () => {
    const { status, body } = await getJson(`/api/spans/${root.toUpperCase()}/context?below=0`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      traceId,
      traceName: "GET /orders/:id",
      spanCount: 2,
      traceStartUnixNano: "1700000000000000000",
      span: { spanId: root, name: "GET /orders/:id", service: "frontend" },
      depth: 0,
      above: [],
      below: [],
      belowCount: 1,
      siblingCount: 0,
    });
    const child = (await getJson(`/api/spans/${root}/context`)).body.below[0];
    expect(child).toMatchObject({ depth: 1, span: { name: "SELECT orders", parentSpanId: root } });
    const above = await getJson(`/api/spans/${child.span.spanId}/context`);
    expect(above.body.above.map((s: any) => s.spanId)).toEqual([root]);
    expect(above.body.depth).toBe(1);
    expect((await getJson(`/api/spans/${newSpanId()}/context`)).body.error.code).toBe("span_not_found");
    expect((await getJson("/api/spans/nope/context")).body.error.code).toBe("invalid_span_id");
    for (const bad of ["-1", "1001", "x"]) {
      const answer = await getJson(`/api/spans/${root}/context?above=${bad}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: "invalid_query", message: expect.stringContaining("above") });
    }
  });

  it("gives the summaries of the traces asked for by id (?ids=), those stored, in the order asked", async () => {
    const unknown = newTraceId();
    const { status, body } = await getJson(`/api/traces?ids=${traceId.toUpperCase()},${unknown},${errorTraceId}`);
    expect(status).toBe(200);
    expect(body.traces.map((t: any) => [t.traceId, t.name, t.service])).toEqual([
      [traceId, "GET /orders/:id", "frontend"],
      [errorTraceId, "POST /charge", "payments"],
    ]);
    expect(body.nextCursor).toBeUndefined();
    const bad = await getJson(`/api/traces?ids=${traceId},nope`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/"nope" is not a trace id/);
    // An id is read without the spaces around it; the message quotes it as it was written.
    const spaced = await getJson(`/api/traces?ids=%20${traceId}%20,%20nope`);
    expect(spaced.status).toBe(400);
    expect(spaced.body.error).toMatchObject({
      code: "invalid_trace_id",
      message: '" nope" is not a trace id (32 hex digits)',
    });
    const snapshots = await getJson(`/api/snapshots?traceId=${"x".repeat(80)}`);
    expect(snapshots.status).toBe(400);
    expect(snapshots.body.error).toMatchObject({
      code: "invalid_trace_id",
      message: `"${"x".repeat(64)}" is not a trace id (32 hex digits)`,
    });
    const tooMany = await getJson(`/api/traces?ids=${Array.from({ length: 101 }, () => traceId).join(",")}`);
    expect(tooMany.status).toBe(400);
  });

  it("names the attributes of a span, its events and links that were sent as bytes", async () => {
    const id = newTraceId();
    const request = jsonTraceRequest("bytes-svc", [{ traceId: id, attributes: { text: "aGk=" } }]);
    const span = (request as any).resourceSpans[0].scopeSpans[0].spans[0];
    span.attributes.push({ key: "blob", value: { bytesValue: "aGkA/w==" } });
    span.events = [
      { name: "e", timeUnixNano: span.startTimeUnixNano, attributes: [{ key: "p", value: { bytesValue: "AQ==" } }] },
    ];
    span.links = [
      { traceId: newTraceId(), spanId: newSpanId(), attributes: [{ key: "t", value: { bytesValue: "Ag==" } }] },
    ];
    // An app of its own: its service would join the services this suite counts.
    const own = await startTestApp();
    let json: any;
    try {
      expect((await postJson(own.base, request)).status).toBe(200);
      [json] = ((await (await fetch(`${own.base}/api/traces/${id}`)).json()) as any).spans;
    } finally {
      await own.close();
    }
    expect(json.attributes).toMatchObject({ text: "aGk=", blob: "aGkA/w==" });
    expect(json.bytes).toEqual(["blob"]);
    expect(json.events[0].bytes).toEqual(["p"]);
    expect(json.links[0].bytes).toEqual(["t"]);
  });

  it("rejects bad query values with a JSON 400", async () => {
    for (const query of [
      "limit=0",
      "limit=abc",
      "minDurationMs=-1",
      "status=fine",
      "cursor=garbage",
      "since=yesterday",
      "until=-5",
      "since=2000&until=1000",
      "maxDurationMs=soon",
      "minDurationMs=10&maxDurationMs=5",
      "sort=slowest",
      "sort=duration&order=up",
    ]) {
      const { status, body } = await getJson(`/api/traces?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.code, query).toBeTruthy();
    }
  });

  it("summarises services", async () => {
    const { body } = await getJson("/api/services");
    const payments = body.services.find((s: any) => s.name === "payments");
    expect(payments).toMatchObject({ spanCount: 1, errorCount: 1, traceCount: 1, errorRate: 1, basis: "entry" });
    // Percentiles come from a log-bucketed histogram: within 2.2% of the exact value.
    expect(Math.abs(payments.p50Ms - 3)).toBeLessThan(3 * 0.022);
    expect(body.services.map((s: any) => s.name)).toEqual(["checkout", "frontend", "payments"]);
    // checkout sent only a database call: no entry or root span of its own.
    expect(body.services[0]).toMatchObject({ name: "checkout", basis: "root", requestCount: 0, spanCount: 1 });
    // Over everything stored, rates are per the time the spans cover: first start to last end.
    expect(body.rateBasis).toEqual({
      seconds: 1.003,
      fromMs: 1_700_000_000_000,
      toMs: 1_700_000_001_003,
      idleSeconds: 0,
    });
    const since = 1_700_000_000_500;
    const until = 1_700_000_030_500;
    const windowed = await getJson(`/api/services?since=${since}&until=${until}`);
    // The window's own length (its end is inclusive: up to the last nanosecond of `until`'s millisecond).
    expect(windowed.body.rateBasis.fromMs).toBe(since);
    expect(windowed.body.rateBasis.toMs - until).toBeGreaterThanOrEqual(0);
    expect(windowed.body.rateBasis.toMs - until).toBeLessThanOrEqual(1);
    expect(windowed.body.rateBasis.seconds).toBeCloseTo(30, 2);
  });

  it("lists a service's operations, in a window, and says which service is unknown", async () => {
    const { status, body } = await getJson("/api/services/checkout/operations");
    expect(status).toBe(200);
    expect(body.service).toMatchObject({ name: "checkout", spanCount: 1 });
    expect(body.operations).toMatchObject([
      { group: "outgoing", kind: "CLIENT", name: "SELECT orders", count: 1, errorCount: 0, errorRate: 0 },
    ]);
    const traces = await getJson(`/api/traces?q=${encodeURIComponent(body.operations[0].query)}`);
    expect(traces.body.traces).toHaveLength(1);
    // The spans were sent in 2023: a window of the last hour holds none of them.
    const recent = await getJson(`/api/services/checkout/operations?since=${Date.now() - 3_600_000}`);
    expect(recent.status).toBe(404);
    expect(recent.body.error.code).toBe("not_found");
    expect((await getJson(`/api/services?since=${Date.now() - 3_600_000}`)).body.services).toEqual([]);
    expect((await getJson("/api/services/nobody/operations")).status).toBe(404);
    const bad = await getJson("/api/services?since=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/since/);
  });

  it("answers unknown API paths with a JSON 404", async () => {
    const { status, body } = await getJson("/api/nope");
    expect(status).toBe(404);
    expect(body.error.code).toBe("not_found");
  });
});

describe("the first spans of a service", () => {
  it("are news once: not again for the services of a --db file after a restart", async () => {
    const dir = tempDir();
    const db = join(dir.path, "services.db");
    const send = (app: TestApp, service: string) =>
      postJson(app.base, jsonTraceRequest(service, [{ traceId: newTraceId(), spanId: newSpanId(), name: "work" }]));
    try {
      const first = await startTestApp({ db });
      expect((await send(first, "orders")).status).toBe(200);
      expect((await send(first, "orders")).status).toBe(200);
      expect(first.events.filter((event) => event.type === "new-service")).toEqual([
        { type: "new-service", service: "orders" },
      ]);
      await first.close();

      const second = await startTestApp({ db });
      try {
        expect((await send(second, "orders")).status).toBe(200);
        expect((await send(second, "payments")).status).toBe(200);
        expect(second.events.filter((event) => event.type === "new-service")).toEqual([
          { type: "new-service", service: "payments" },
        ]);
      } finally {
        await second.close();
      }
    } finally {
      dir.remove();
    }
  });
});

describe("safety", () => {
  it("refuses a Host header naming another server (DNS rebinding)", async () => {
    for (const path of ["/api/health", "/api/traces", "/v1/traces"]) {
      const response = await rawRequest(app.port, { path, headers: { host: `evil.example:${app.port}` } });
      expect(response.status, path).toBe(403);
      expect(JSON.parse(response.body).error.code).toBe("forbidden_host");
    }
    const ok = await rawRequest(app.port, { path: "/api/health", headers: { host: `localhost:${app.port}` } });
    expect(ok.status).toBe(200);
  });

  it("accepts DELETE only from the app's own origin (or a non-browser client)", async () => {
    const traceId = newTraceId();
    await postJson(app.base, jsonTraceRequest("x", [{ traceId }]));
    const foreign = await fetch(`${app.base}/api/traces`, {
      method: "DELETE",
      headers: { origin: "http://localhost:3000" },
    });
    expect(foreign.status).toBe(403);
    expect((await fetch(`${app.base}/api/traces/${traceId}`)).status).toBe(200);
    const own = await fetch(`${app.base}/api/traces`, {
      method: "DELETE",
      headers: { origin: `http://localhost:${app.port}` },
    });
    expect(own.status).toBe(200);
    // The first local UI's scripts read `success`.
    expect(await own.json()).toEqual({ cleared: true, success: true });
    expect((await fetch(`${app.base}/api/traces/${traceId}`)).status).toBe(404);
    expect((await getJson("/api/traces")).body.traces).toEqual([]);
  });
});
