import { readFileSync } from "node:fs";
import { request } from "node:http";
import { gzipSync } from "node:zlib";
import { status as grpcStatus } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportClient } from "../../bench/grpc-client.mjs";
import { OTLP_GRPC_SERVICES } from "../../src/otlp/grpc-services.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { connectLive, waitFor } from "../helpers/live.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url), "utf8");

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

async function traceExists(traceId: string): Promise<boolean> {
  const response = await fetch(`${app.base}/api/traces/${traceId}`);
  return response.status === 200;
}

describe("OTLP/JSON of another signal than the path takes", () => {
  it("answers each wrong pairing with OTLP's warning naming the right path, stores nothing, and tells it once", async () => {
    const own = await startTestApp();
    try {
      const bodies = { "/v1/traces": "trace.json", "/v1/logs": "logs.json", "/v1/metrics": "metrics.json" };
      const fields = {
        "/v1/traces": "rejectedSpans",
        "/v1/logs": "rejectedLogRecords",
        "/v1/metrics": "rejectedDataPoints",
      };
      const what = { "/v1/traces": "traces", "/v1/logs": "logs", "/v1/metrics": "metrics" };
      const paths = Object.keys(bodies) as (keyof typeof bodies)[];
      let wrong = 0;
      for (const to of paths) {
        for (const sent of paths) {
          if (sent === to) continue;
          wrong++;
          const response = await fetch(`${own.base}${to}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: fixture(bodies[sent]),
          });
          expect(response.status).toBe(200);
          const key = /"(resource\w+)"/.exec(fixture(bodies[sent]))?.[1];
          expect(await readJson(response)).toEqual({
            partialSuccess: {
              [fields[to]]: 0,
              errorMessage: `nothing stored: OTLP/JSON ${what[sent]} (${key}) go to ${sent}`,
            },
          });
        }
      }
      const health = await readJson(fetch(`${own.base}/api/health`));
      // Counted apart from refusals: these were accepted, with a warning.
      expect(health.counts).toMatchObject({
        spans: 0,
        logs: 0,
        metricPoints: 0,
        rejectedRequests: 0,
        misdirectedRequests: wrong,
      });
      // Retained: a page opened later is told it on connect, for its notice.
      const live = await connectLive(own.port);
      const shown = await waitFor(() => live.messages.find((m: { type: string }) => m.type === "rejections"));
      live.ws.close();
      expect(shown).toMatchObject({ misdirectedRequests: wrong, rejectedSpans: 0, rejectedLogRecords: 0 });
      expect(own.events).toContainEqual({
        type: "client-error",
        path: "/v1/traces",
        status: 200,
        message: "nothing stored: OTLP/JSON logs (resourceLogs) go to /v1/logs",
      });
      // The right path answers as before.
      const right = await postJson(own.base, fixture("trace.json"));
      expect(await readJson(right)).toEqual({});
    } finally {
      await own.close();
    }
  });
});

describe("OTLP/HTTP trace receiver", () => {
  it("accepts the example trace.json with upper-case ids and keeps every field", async () => {
    const response = await postJson(app.base, fixture("trace.json"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(await readJson(response)).toEqual({});
    const body = await readJson(fetch(`${app.base}/api/traces/5b8efff798038103d269b633813fc60c`));
    expect(body.spans).toHaveLength(1);
    const [span] = body.spans;
    expect(span).toMatchObject({
      traceId: "5b8efff798038103d269b633813fc60c",
      spanId: "eee19b7ec3c1b174",
      parentSpanId: "eee19b7ec3c1b173",
      name: "I'm a server span",
      kind: "SERVER",
      service: "my.service",
      startTimeUnixNano: "1544712660000000000",
      endTimeUnixNano: "1544712661000000000",
      durationMs: 1000,
      status: { code: "UNSET" },
      scope: { name: "my.library", version: "1.0.0" },
    });
    expect(span.attributes).toMatchObject({ "my.span.attr": "some value" });
    expect(span.resource).toMatchObject({ "service.name": "my.service" });
  });

  it("keeps a link's flags, and reads a double literal past a double's range as ±Infinity, as protobuf's", async () => {
    const traceId = newTraceId();
    const linked = { traceId: newTraceId(), spanId: newSpanId(), flags: 257, attributes: [] };
    const request = jsonTraceRequest("links", [{ traceId }]) as any;
    const span = request.resourceSpans[0].scopeSpans[0].spans[0];
    span.links = [linked];
    span.attributes = [
      { key: "d", value: { doubleValue: "PLACEHOLDER_D" } },
      { key: "n", value: { doubleValue: "PLACEHOLDER_N" } },
    ];
    const body = JSON.stringify(request).replace('"PLACEHOLDER_D"', "1e400").replace('"PLACEHOLDER_N"', "-1e400");
    expect((await postJson(app.base, body)).status).toBe(200);
    const [stored] = (await readJson(fetch(`${app.base}/api/traces/${traceId}`))).spans;
    expect(stored.links).toEqual([{ traceId: linked.traceId, spanId: linked.spanId, flags: 257, attributes: {} }]);
    expect(stored.attributes).toEqual({ d: "Infinity", n: "-Infinity" });
  });

  it("reads a body after a byte order mark, and an attribute nested as deep as allowed, at any body size", async () => {
    const BOM = "\ufeff";
    /** `levels` AnyValues nested as key-value lists (four JSON levels each). */
    const nested = (levels: number): unknown => {
      let value: unknown = { stringValue: "deep" };
      for (let i = 1; i < levels; i++) value = { kvlistValue: { values: [{ key: "k", value }] } };
      return value;
    };
    for (const spans of [2, 3000]) {
      const traceId = newTraceId();
      const request = jsonTraceRequest(
        "bom",
        Array.from({ length: spans }, () => ({ traceId, name: "x".repeat(100) })),
      ) as any;
      request.resourceSpans[0].scopeSpans[0].spans[0].attributes = [{ key: "deep", value: nested(32) }];
      const text = `${BOM}${JSON.stringify(request)}`;
      expect(text.length > 256 * 1024, `${spans} spans`).toBe(spans > 2);
      const response = await postJson(app.base, text);
      expect(response.status, await response.clone().text()).toBe(200);
      const stored = await readJson(fetch(`${app.base}/api/traces/${traceId}`));
      expect(stored.spans).toHaveLength(spans);
      // One level more is cut at the AnyValue bound, in a small body and a large one alike: the entry
      // past it is dropped and counted, as past the other bounds of a value; every span is stored.
      const deepId = newTraceId();
      const deeper = jsonTraceRequest(
        "bom",
        Array.from({ length: spans }, () => ({ traceId: deepId, name: "x".repeat(100) })),
      ) as any;
      deeper.resourceSpans[0].scopeSpans[0].spans[0].attributes = [
        { key: "deep", value: nested(33) },
        { key: "plain", value: { stringValue: "kept" } },
      ];
      const tooDeep = await postJson(app.base, JSON.stringify(deeper));
      expect(tooDeep.status, await tooDeep.clone().text()).toBe(200);
      const cut = await readJson(fetch(`${app.base}/api/traces/${deepId}`));
      expect(cut.spans).toHaveLength(spans);
      const [first] = cut.spans.filter((span: any) => span.attributes.deep !== undefined);
      expect(first.attributes.plain).toBe("kept");
      expect(first.droppedAttributesCount).toBe(1);
      let value = first.attributes.deep;
      let levels = 1;
      while (value.k !== undefined) {
        value = value.k;
        levels++;
      }
      expect(levels).toBe(32);
      expect(value).toEqual({});
    }
    const logs = `${BOM}${JSON.stringify({
      resourceLogs: [
        {
          scopeLogs: [{ logRecords: Array.from({ length: 3000 }, () => ({ body: { stringValue: "y".repeat(100) } })) }],
        },
      ],
    })}`;
    const logsResponse = await fetch(`${app.base}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: logs,
    });
    expect(logsResponse.status, await logsResponse.clone().text()).toBe(200);
    const metrics = `${BOM}${JSON.stringify({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: Array.from({ length: 3000 }, (_, i) => ({
                name: `bom.metric.${i}`,
                gauge: { dataPoints: [{ timeUnixNano: "1700000000000000000", asDouble: 1 }] },
              })),
            },
          ],
        },
      ],
    })}`;
    expect(metrics.length).toBeGreaterThan(256 * 1024);
    const metricsResponse = await fetch(`${app.base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: metrics,
    });
    expect(metricsResponse.status, await metricsResponse.clone().text()).toBe(200);
  });

  it("accepts metrics.json without a 5xx", async () => {
    // The large export above filled the series bound, past which points are refused (and said to be).
    await fetch(`${app.base}/api/traces`, { method: "DELETE", headers: { origin: app.base } });
    for (const [path, file] of [["/v1/metrics", "metrics.json"]] as const) {
      const response = await fetch(`${app.base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: fixture(file),
      });
      expect(response.status, file).toBeLessThan(500);
      expect(response.headers.get("content-type")).toMatch(/json/);
      const body = await readJson(response);
      if (path === "/v1/metrics") expect(body, file).toEqual({});
      else expect(body.message, file).toMatch(/traces/);
    }
  });

  it("accepts gzip, a charset parameter, and answers with the request's encoding", async () => {
    const traceId = newTraceId();
    const body = gzipSync(JSON.stringify(jsonTraceRequest("gz", [{ traceId }])));
    const response = await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "content-encoding": "gzip" },
      body,
    });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({});
    expect(await traceExists(traceId)).toBe(true);
  });

  it("reports partial success for spans with invalid ids and keeps the valid ones", async () => {
    const good = newTraceId();
    const response = await postJson(
      app.base,
      jsonTraceRequest("partial", [
        { traceId: good },
        { traceId: "xyz" },
        { traceId: good, spanId: "0000000000000000" },
        { traceId: "00000000000000000000000000000000" },
      ]),
    );
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(Number(body.partialSuccess.rejectedSpans)).toBe(3);
    expect(body.partialSuccess.errorMessage).toMatch(/id/i);
    const stored = await readJson(fetch(`${app.base}/api/traces/${good}`));
    expect(stored.spans).toHaveLength(1);
  });
});

describe("64-bit integers sent as JSON numbers", () => {
  const start = "1700000000123456789";
  const end = "1700000000987654321";
  // Written by hand: JSON.stringify of a JavaScript number past 2^53 could not say these.
  const spanBody = (traceId: string, spansKey: string) =>
    `{"${spansKey}":[{"scopeSpans":[{"spans":[{"traceId":"${traceId}","spanId":"1112131415161718","name":"n",` +
    `"startTimeUnixNano":${start},"endTimeUnixNano":${end},"events":[{"name":"e","timeUnixNano":${end}}],` +
    `"attributes":[{"key":"i","value":{"intValue":9007199254740993}},{"key":"min","value":{"intValue":-9223372036854775808}},` +
    `{"key":"d","value":{"doubleValue":12345678901234568}},{"key":"f","value":{"doubleValue":1.2345678901234567890}}]}]}]}]}`;

  it("keeps span and event times and intValues exact, on both JSON readers", async () => {
    // camelCase is read straight from the bytes; a snake_case name sends the body through JSON.parse.
    for (const spansKey of ["resourceSpans", "resource_spans"]) {
      const traceId = newTraceId();
      const response = await postJson(app.base, spanBody(traceId, spansKey));
      expect(response.status, spansKey).toBe(200);
      const [span] = (await readJson(fetch(`${app.base}/api/traces/${traceId}`))).spans;
      expect(span, spansKey).toMatchObject({ startTimeUnixNano: start, endTimeUnixNano: end, durationMs: 864.197532 });
      expect(span.events[0].timeUnixNano, spansKey).toBe(end);
      expect(span.attributes, spansKey).toEqual({
        i: "9007199254740993",
        min: "-9223372036854775808",
        d: 12345678901234568,
        f: 1.2345678901234567,
      });
    }
  });

  it("keeps a log record's times and int body exact", async () => {
    const body = `{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"int64-logs"}}]},"scopeLogs":[{"logRecords":[{"timeUnixNano":${start},"observedTimeUnixNano":${end},"body":{"intValue":9223372036854775807}}]}]}]}`;
    const response = await fetch(`${app.base}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(response.status).toBe(200);
    const { logs } = await readJson(fetch(`${app.base}/api/logs?service=int64-logs`));
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      timeUnixNano: start,
      observedTimeUnixNano: end,
      body: "9223372036854775807",
    });
  });
});

describe("an export sent again", () => {
  let fresh: TestApp;
  beforeAll(async () => {
    fresh = await startTestApp();
  });
  afterAll(async () => {
    await fresh.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${fresh.base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
  const counts = async () => (await readJson(fetch(`${fresh.base}/api/health`))).counts;

  it("is stored once, and the count of items stored already is told to a sender that asks", async () => {
    const ask = { "x-tracekit-report-duplicates": "1" };
    const sent = [
      ["/v1/traces", fixture("trace.json"), 1],
      ["/v1/logs", fixture("logs.json"), 1],
      ["/v1/metrics", fixture("metrics.json"), 4],
    ] as const;
    for (const [path, body] of sent) {
      const first = await post(path, body, ask);
      expect(await readJson(first)).toEqual({});
      expect(first.headers.get("x-tracekit-duplicates"), path).toBe("0");
    }
    const before = await counts();
    const logs = await readJson(fetch(`${fresh.base}/api/logs`));
    for (const [path, body, items] of sent) {
      const again = await post(path, body, ask);
      expect(again.status).toBe(200);
      // A trace export also names the traces that took no new span (the sender counts the ones it added).
      const traceId = (
        JSON.parse(body) as { resourceSpans?: { scopeSpans: { spans: { traceId: string }[] }[] }[] }
      ).resourceSpans?.[0]?.scopeSpans[0]?.spans[0]?.traceId.toLowerCase();
      expect(await readJson(again)).toEqual(path === "/v1/traces" ? { tracekitUnchangedTraceIds: [traceId] } : {});
      expect(again.headers.get("x-tracekit-duplicates"), path).toBe(String(items));
      // An exporter that does not ask gets the answer the OTLP specification has.
      const plain = await post(path, body);
      expect(await readJson(plain)).toEqual({});
      expect(plain.headers.get("x-tracekit-duplicates")).toBeNull();
    }
    // Only the log records of the exporter's plain resend were stored again: an application's log
    // requests are stored whole (equal ones are a loop logging one line, see logs-sent-again-http).
    expect(await counts()).toEqual({ ...before, logs: before.logs + 1 });
    const after = await readJson(fetch(`${fresh.base}/api/logs`));
    expect(after.logs).toHaveLength(logs.logs.length + 1);
    expect(after.logs.map((log: { body: unknown }) => log.body)).toEqual([
      logs.logs[0].body,
      ...logs.logs.map((log: { body: unknown }) => log.body),
    ]);
  });
});

describe("bad input gets its 4xx and loses nothing else", () => {
  let keptTraceId: string;
  beforeAll(async () => {
    keptTraceId = newTraceId();
    expect(
      (await postJson(app.base, jsonTraceRequest("keeper", [{ traceId: keptTraceId, spanId: newSpanId() }]))).status,
    ).toBe(200);
  });

  async function expectStillServing(): Promise<void> {
    expect(await traceExists(keptTraceId)).toBe(true);
    const traceId = newTraceId();
    expect((await postJson(app.base, jsonTraceRequest("after", [{ traceId }]))).status).toBe(200);
    expect(await traceExists(traceId)).toBe(true);
  }

  it("invalid JSON → 400 with a google.rpc.Status body", async () => {
    const response = await postJson(app.base, "{not json");
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.code).toBe(3);
    expect(body.message).toMatch(/JSON/);
    await expectStillServing();
  });

  it("JSON of the wrong shape → 400 with the reason", async () => {
    for (const body of ['"a string"', "[1,2]", '{"resourceSpans":"nope"}', "null"]) {
      const response = await postJson(app.base, body);
      expect(response.status, body).toBe(400);
      expect((await readJson(response)).message, body).toBeTruthy();
    }
    await expectStillServing();
  });

  it("truncated and random protobuf → 400 in protobuf", async () => {
    const random = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 256));
    for (const body of [random, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), Buffer.from([0x0a, 0x05, 0x0a])]) {
      const response = await fetch(`${app.base}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body,
      });
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/x-protobuf");
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    await expectStillServing();
  });

  it("a wrong content type → 415; an unknown content encoding → 415", async () => {
    const text = await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hi",
    });
    expect(text.status).toBe(415);
    expect((await readJson(text)).message).toMatch(/Content-Type/);
    const br = await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "br" },
      body: "{}",
    });
    expect(br.status).toBe(415);
    await expectStillServing();
  });

  it("a body over 32 MiB → 413", async () => {
    const big = Buffer.alloc(33 * 1024 * 1024, 0x20);
    const response = await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: big,
    });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("body is larger than the 32 MiB (33,554,432 bytes) limit");
    await expectStillServing();
  });

  it("a chunked body (no Content-Length) that grows past 32 MiB → 413, and a small chunked one is read", async () => {
    const chunked = (chunks: Buffer[]) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: "127.0.0.1",
            port: app.port,
            method: "POST",
            path: "/v1/traces",
            headers: { "content-type": "application/json" },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        // The server may answer and close before the rest is written.
        req.on("error", (error) => (/EPIPE|ECONNRESET/.test(String(error)) ? undefined : reject(error)));
        let i = 0;
        const writeNext = () => {
          while (i < chunks.length) if (!req.write(chunks[i++] as Buffer)) return void req.once("drain", writeNext);
          req.end();
        };
        writeNext();
      });
    const mib = Buffer.alloc(1024 * 1024, 0x20);
    expect(await chunked(Array.from({ length: 34 }, () => mib))).toBe(413);
    await expectStillServing();
    const traceId = newTraceId();
    const body = Buffer.from(JSON.stringify(jsonTraceRequest("chunked", [{ traceId }])));
    expect(await chunked([body.subarray(0, 10), body.subarray(10)])).toBe(200);
    expect(await traceExists(traceId)).toBe(true);
  });

  it("a gzip bomb → 413 without inflating it all", async () => {
    // 64 MiB of zeros compresses to ~64 KiB.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    const response = await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf", "content-encoding": "gzip" },
      body: bomb,
    });
    expect(response.status).toBe(413);
    await expectStillServing();
  });

  it("a body that claims gzip but is not → 400", async () => {
    const response = await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: "{}",
    });
    expect(response.status).toBe(400);
    await expectStillServing();
  });
});

describe("an OTLP/gRPC exporter sent to the HTTP port", () => {
  it("is refused, counted in /api/health as refused connections (not requests), and told once as such, not also as a refusal", async () => {
    const before = (await readJson(fetch(`${app.base}/api/health`))).counts;
    const live = await connectLive(app.port);
    const client = exportClient(app.port, OTLP_GRPC_SERVICES.traces);
    try {
      for (let i = 0; i < 2; i++)
        expect((await client.send(new Uint8Array(0))).error?.code).toBe(grpcStatus.UNAVAILABLE);
    } finally {
      client.close();
    }
    const health = await readJson(fetch(`${app.base}/api/health`));
    const told = app.events.filter((event) => event.type === "grpc-on-http");
    // grpc-js may fail the second call on its backoff without connecting again.
    expect(told.length).toBeGreaterThanOrEqual(1);
    expect(told[0]).toEqual({ type: "grpc-on-http", port: app.port, grpcPort: null });
    // One per connection refused, each told by its own event (the terminal prints those, throttled); not
    // requests: the calls grpc-js failed without connecting again were never seen.
    expect(health.counts.rejectedGrpcConnections).toBe(before.rejectedGrpcConnections + told.length);
    expect(health.counts.rejectedRequests).toBe(before.rejectedRequests);
    // The web app's notice tells the reason, as the live `rejections` message carries it.
    const shown = await waitFor(() =>
      live.messages.find(
        (message: { type: string; last?: { path: string } }) =>
          message.type === "rejections" && message.last?.path === "*",
      ),
    );
    live.ws.close();
    expect(shown.rejectedGrpcConnections).toBeGreaterThanOrEqual(1);
    expect(shown.last).toMatchObject({
      status: 400,
      message: `port ${app.port} receives OTLP/HTTP only; set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, or start with --otlp-grpc-port 4317`,
    });
    expect(app.events).not.toContainEqual(expect.objectContaining({ type: "client-error", path: "*" }));
  });
});

describe("a method other than POST on a signal's path", () => {
  it("→ 405 with Allow: POST and a google.rpc.Status body, counted as no refusal", async () => {
    const before = (await readJson(fetch(`${app.base}/api/health`))).counts.rejectedRequests;
    for (const path of ["/v1/traces", "/v1/logs", "/v1/metrics"]) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const response = await fetch(`${app.base}${path}`, { method });
        expect(response.status).toBe(405);
        expect(response.headers.get("allow")).toBe("POST");
        expect(response.headers.get("content-type")).toMatch(/^application\/json/);
        expect(await readJson(response)).toEqual({
          code: 12,
          message: `${method} is not allowed on ${path}: OTLP/HTTP exports are sent with POST`,
        });
      }
      const head = await fetch(`${app.base}${path}`, { method: "HEAD" });
      expect(head.status).toBe(405);
      expect(head.headers.get("allow")).toBe("POST");
    }
    const dev = await fetch(`${app.base}/v1/traces`, { headers: { origin: "http://localhost:5173" } });
    expect(dev.status).toBe(405);
    expect(dev.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect((await readJson(fetch(`${app.base}/api/health`))).counts.rejectedRequests).toBe(before);
  });
});

describe("CORS for browser exporters", () => {
  it("answers a preflight from a localhost dev origin", async () => {
    const response = await fetch(`${app.base}/v1/traces`, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,x-custom",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(response.headers.get("access-control-allow-methods")).toMatch(/POST/);
    expect(response.headers.get("access-control-allow-headers")).toBe("content-type,x-custom");
    expect(Number(response.headers.get("access-control-max-age"))).toBeGreaterThan(0);
  });

  it("adds Allow-Origin to the POST response for a dev origin and not for a foreign one", async () => {
    const dev = await postJson(app.base, jsonTraceRequest("cors", [{}]), { origin: "http://localhost:3000" });
    expect(dev.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    const foreign = await postJson(app.base, jsonTraceRequest("cors", [{}]), { origin: "https://evil.example" });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetch(`${app.base}/v1/traces`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});
