/** POST /v1/logs: the same OTLP/HTTP conformance as /v1/traces, on a real server. */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { jsonLogRequest, newSpanId, newTraceId, postLogs } from "../helpers/payloads.js";
import { PKG } from "../otlp/helpers.js";
import { encodeLogRequest, loadOtlpLogsRoot, protoLogRequest } from "../otlp/log-sample-request.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url), "utf8");
const root = loadOtlpLogsRoot();

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

async function logsOf(traceId: string): Promise<any[]> {
  return (await readJson(fetch(`${app.base}/api/logs?traceId=${traceId}&order=asc`))).logs;
}

function postProtobuf(body: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${app.base}/v1/logs`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf", ...headers },
    body: Buffer.from(body),
  });
}

describe("OTLP/HTTP log receiver", () => {
  it("accepts the example logs.json and serves every field of it", async () => {
    const response = await postLogs(app.base, fixture("logs.json"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(await readJson(response)).toEqual({});
    const [log] = await logsOf("5b8efff798038103d269b633813fc60c");
    expect(log).toEqual({
      id: expect.stringMatching(/^\d+$/),
      timeUnixNano: "1544712660300000000",
      observedTimeUnixNano: "1544712660300000000",
      severityNumber: 10,
      severity: "INFO",
      severityText: "Information",
      body: "Example log record",
      attributes: {
        "string.attribute": "some string",
        "boolean.attribute": true,
        "int.attribute": 10,
        "double.attribute": 637.704,
        "array.attribute": ["many", "values"],
        "map.attribute": { "some.map.key": "some value" },
      },
      traceId: "5b8efff798038103d269b633813fc60c",
      spanId: "eee19b7ec3c1b174",
      service: "my.service",
      resource: { "service.name": "my.service" },
      scope: { name: "my.library", version: "1.0.0", attributes: { "my.scope.attribute": "some scope attribute" } },
    });
  });

  it("answers the query language in q, and a query that does not parse with a 400 saying where", async () => {
    expect((await postLogs(app.base, fixture("logs.json"))).status).toBe(200);
    const q = (query: string) => fetch(`${app.base}/api/logs?q=${encodeURIComponent(query)}`);
    const found = await readJson(q("int.attribute>=10 service=my.service severity>=info"));
    expect(found.logs.map((log: { body: string }) => log.body)).toContain("Example log record");
    expect((await readJson(q("int.attribute>10"))).logs).toEqual([]);
    const broken = await q("(Example");
    expect(broken.status).toBe(400);
    expect(await readJson(broken)).toMatchObject({ error: { code: "bad_query", position: 0 } });
    const spanTerm = await q("Example status=error");
    expect(spanTerm.status).toBe(400);
    expect(await readJson(spanTerm)).toMatchObject({ error: { code: "bad_query", position: 8 } });
  });

  it("finds a record by its instrumentation scope (otel.scope.name, .version), as the trace list finds a span", async () => {
    const service = `scoped-${newSpanId()}`;
    const scopeLogs = (name: string, version: string, body: string) => ({
      scope: { name, version },
      logRecords: [{ timeUnixNano: "1765000000000000000", severityNumber: 9, body: { stringValue: body } }],
    });
    const request = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
          scopeLogs: [
            scopeLogs("@opentelemetry/winston-transport", "0.9.0", "from winston"),
            scopeLogs("pino-logger", "2.1.0", "from pino"),
          ],
        },
      ],
    };
    expect((await postLogs(app.base, request)).status).toBe(200);
    const bodies = async (query: string) =>
      (await readJson(fetch(`${app.base}/api/logs?service=${service}&q=${encodeURIComponent(query)}`))).logs.map(
        (log: { body: string }) => log.body,
      );
    expect(await bodies("otel.scope.name=pino-logger")).toEqual(["from pino"]);
    expect(await bodies("otel.scope.name~winston")).toEqual(["from winston"]);
    expect(await bodies("otel.scope.version=0.9.0")).toEqual(["from winston"]);
    expect(await bodies("otel.library.name!=pino-logger")).toEqual(["from winston"]);
  });

  it("accepts the example events.json: the record keeps its eventName", async () => {
    expect((await postLogs(app.base, fixture("events.json"))).status).toBe(200);
    const { logs } = await readJson(fetch(`${app.base}/api/logs?q=guid%20generator`));
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      eventName: "browser.page_view",
      severity: "INFO",
      severityText: "test severity text",
      body: { type: 0, title: "Free Online GUID Generator" },
      traceId: null,
      spanId: null,
    });
  });

  it("accepts protobuf, answers in protobuf, and reports partial success there", async () => {
    const response = await postProtobuf(encodeLogRequest(root, protoLogRequest()));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-protobuf");
    const Response = root.lookupType(`${PKG}.ExportLogsServiceResponse`);
    const answer = Response.toObject(Response.decode(new Uint8Array(await response.arrayBuffer())), { longs: Number });
    expect(answer.partialSuccess.rejectedLogRecords).toBe(2);
    expect(answer.partialSuccess.errorMessage).toMatch(/logRecords\[2\]: trace id "abcd"/);
    const stored = await logsOf("0af7651916cd43dd8448eb211c80319c");
    expect(stored.map((log) => log.body)).toEqual(["payment failed"]);
  });

  it("accepts gzip and a charset parameter", async () => {
    const traceId = newTraceId();
    const response = await fetch(`${app.base}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "content-encoding": "gzip" },
      body: gzipSync(JSON.stringify(jsonLogRequest("gz", [{ traceId, body: "zipped" }]))),
    });
    expect(response.status).toBe(200);
    expect((await logsOf(traceId)).map((log) => log.body)).toEqual(["zipped"]);
    const protobuf = await postProtobuf(gzipSync(encodeLogRequest(root, protoLogRequest())), {
      "content-encoding": "gzip",
    });
    expect(protobuf.status).toBe(200);
  });

  it("rejects only the records with invalid ids, keeps the rest, and counts them in health", async () => {
    const before = (await readJson(fetch(`${app.base}/api/health`))).counts.rejectedLogRecords;
    const traceId = newTraceId();
    const response = await postLogs(
      app.base,
      jsonLogRequest("partial", [
        { traceId, spanId: newSpanId(), body: "kept" },
        { traceId: "xyz", body: "bad trace" },
        { traceId, spanId: "12345", body: "bad span" },
        { traceId: "00000000000000000000000000000000", body: "no context" },
      ]),
    );
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.partialSuccess.rejectedLogRecords).toBe(2);
    expect(body.partialSuccess.errorMessage).toMatch(/trace id "xyz".*; .*span id "12345"/);
    expect((await logsOf(traceId)).map((log) => log.body)).toEqual(["kept"]);
    expect((await readJson(fetch(`${app.base}/api/logs?q=no%20context`))).logs[0].traceId).toBeNull();
    const after = (await readJson(fetch(`${app.base}/api/health`))).counts.rejectedLogRecords;
    expect(after - before).toBe(2);
  });
});

describe("bad input on /v1/logs gets its 4xx and loses nothing else", () => {
  let keptTraceId: string;
  beforeAll(async () => {
    keptTraceId = newTraceId();
    expect((await postLogs(app.base, jsonLogRequest("keeper", [{ traceId: keptTraceId }]))).status).toBe(200);
  });

  async function expectStillServing(): Promise<void> {
    expect(await logsOf(keptTraceId)).toHaveLength(1);
    const traceId = newTraceId();
    expect((await postLogs(app.base, jsonLogRequest("after", [{ traceId }]))).status).toBe(200);
    expect(await logsOf(traceId)).toHaveLength(1);
  }

  it("undecodable JSON or protobuf → 400 with a google.rpc.Status in the request's encoding", async () => {
    for (const body of ["{not json", '"a string"', '{"resourceLogs":"nope"}', '{"resourceLogs":[{"scopeLogs":[7]}]}']) {
      const response = await postLogs(app.base, body);
      expect(response.status, body).toBe(400);
      const status = await readJson(response);
      expect(status.code).toBe(3);
      expect(status.message, body).toMatch(/ExportLogsServiceRequest/);
    }
    const protobuf = await postProtobuf(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f]));
    expect(protobuf.status).toBe(400);
    expect(protobuf.headers.get("content-type")).toBe("application/x-protobuf");
    await expectStillServing();
  });

  it("a wrong content type or encoding → 415; a body over the limit → 413", async () => {
    const text = await fetch(`${app.base}/v1/logs`, { method: "POST", headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    const br = await postLogs(app.base, "{}", { "content-encoding": "br" });
    expect(br.status).toBe(415);
    const big = await postLogs(app.base, Buffer.alloc(33 * 1024 * 1024, 0x20).toString());
    expect(big.status).toBe(413);
    await expectStillServing();
  });
});

describe("CORS for browser log exporters", () => {
  it("answers the preflight and adds Allow-Origin for a dev origin only", async () => {
    const preflight = await fetch(`${app.base}/v1/logs`, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    const dev = await postLogs(app.base, jsonLogRequest("cors", [{}]), { origin: "http://127.0.0.1:3000" });
    expect(dev.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:3000");
    const foreign = await postLogs(app.base, jsonLogRequest("cors", [{}]), { origin: "https://evil.example" });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });
});
