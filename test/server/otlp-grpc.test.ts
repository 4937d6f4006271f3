import { connect as connectHttp2 } from "node:http2";
import { type AddressInfo, connect as connectTcp, createServer as createTcpServer, type Socket } from "node:net";
import { status as grpcStatus } from "@grpc/grpc-js";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-grpc";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-grpc";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as OTLPJsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportClient } from "../../bench/grpc-client.mjs";
import { OTLP_GRPC_SERVICES } from "../../src/otlp/grpc-services.js";
import { startOtlpGrpcServer } from "../../src/server/otlp-grpc.js";
import type { OtlpRouteDeps } from "../../src/server/routes/otlp.js";
import { createMemoryStore } from "../../src/store/memory-store.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { rawRequest, readJson } from "../helpers/http.js";
import { connectLive, waitFor } from "../helpers/live.js";
import { sendLogsInTrace } from "../helpers/logs-in-trace.js";
import { sendSdkTrace } from "../helpers/otel.js";
import { sdkMeter } from "../helpers/otel-metrics.js";
import { traceRouteDeps } from "../helpers/otlp-route-deps.js";
import { loadOtlpMetricsRoot, loadOtlpRoot, PKG } from "../otlp/helpers.js";
import { encodeLogRequest, loadOtlpLogsRoot, protoLogRequest } from "../otlp/log-sample-request.js";
import { protoRequest } from "../otlp/sample-request.js";

const root = loadOtlpRoot();
const TraceRequest = root.lookupType(`${PKG}.ExportTraceServiceRequest`);
const TraceResponse = root.lookupType(`${PKG}.ExportTraceServiceResponse`);

function encodeTraceRequest(object: Record<string, unknown>): Uint8Array {
  return TraceRequest.encode(TraceRequest.fromObject(object)).finish();
}

/**
 * One gRPC call written by hand over HTTP/2, for what no gRPC client sends: a message flagged as
 * compressed with `encoding` whatever its bytes are. Resolves with the grpc-status and grpc-message.
 */
function rawGrpcCall(
  port: number,
  path: string,
  message: Buffer,
  encoding: string,
): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const request = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
      "grpc-encoding": encoding,
    });
    let answer: Record<string, unknown> = {};
    // A refusal before any message comes in the headers (trailers-only); otherwise in the trailers.
    request.on("response", (headers) => {
      answer = { ...answer, ...headers };
    });
    request.on("trailers", (trailers) => {
      answer = { ...answer, ...trailers };
    });
    request.resume();
    request.on("end", () => {
      session.close();
      resolve({
        status: Number(answer["grpc-status"]),
        message: decodeURIComponent(String(answer["grpc-message"] ?? "")),
      });
    });
    request.on("error", reject);
    const prefix = Buffer.alloc(5);
    prefix.writeUInt8(1, 0);
    prefix.writeUInt32BE(message.byteLength, 1);
    request.end(Buffer.concat([prefix, message]));
  });
}

/** Spans from the real SDK, kept in memory for an exporter under test to send. */
async function finishedSpans(service: string): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  provider.getTracer("grpc-test").startSpan("GET /wrong-port").end();
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/**
 * A TCP relay to `port` that passes the client's first `trickled` bytes one at a time, a few milliseconds
 * apart, and the rest as they come: a connection whose first bytes arrive in many small reads.
 */
async function trickleRelay(port: number, trickled: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const relay = createTcpServer((client) => {
    const upstream = connectTcp(port, "127.0.0.1");
    sockets.add(client).add(upstream);
    let queue = Promise.resolve();
    let left = trickled;
    client.on("data", (chunk: Buffer) => {
      const slow = chunk.subarray(0, Math.max(0, left));
      const rest = chunk.subarray(slow.byteLength);
      left -= slow.byteLength;
      queue = queue.then(async () => {
        for (const byte of slow) {
          upstream.write(Uint8Array.of(byte));
          await new Promise((r) => setTimeout(r, 2));
        }
        if (rest.byteLength > 0) upstream.write(rest);
      });
    });
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
  return {
    port: (relay.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const socket of sockets) socket.destroy();
        relay.close(() => r());
      }),
  };
}

let app: TestApp;
let grpcPort: number;
let httpPort: number;
beforeAll(async () => {
  app = await startTestApp({ otlpGrpcPort: 0, otlpHttpPort: 0 });
  grpcPort = Number(new URL(app.otlpGrpcEndpoint ?? "").port);
  httpPort = Number(new URL(app.otlpHttpEndpoint ?? "").port);
});
afterAll(async () => {
  await app.close();
});

describe("OTLP/gRPC receiver", { timeout: 30_000 }, () => {
  it("stores traces from the real OTLP gRPC exporter with gzip on, and pushes them live", async () => {
    const live = await connectLive(app.port);
    try {
      const sent = await sendSdkTrace("", {
        service: "grpc-checkout",
        name: "GET /grpc",
        children: 3,
        exporter: new OTLPTraceExporter({
          url: `http://127.0.0.1:${grpcPort}`,
          compression: CompressionAlgorithm.GZIP,
        }),
      });
      const body = await readJson(fetch(`${app.base}/api/traces/${sent.traceId}`));
      expect(body.spans).toHaveLength(4);
      expect(body.spans.map((s: { service: string }) => s.service)).toEqual(Array(4).fill("grpc-checkout"));
      await waitFor(() =>
        live.messages.find(
          (m) => m.type === "traces" && m.traces.some((t: { traceId: string }) => t.traceId === sent.traceId),
        ),
      );
      expect(app.events).toContainEqual({ type: "new-service", service: "grpc-checkout" });
    } finally {
      live.ws.close();
    }
  });

  it("stores logs and metrics from the real OTLP gRPC exporters", async () => {
    const grpcUrl = `http://127.0.0.1:${grpcPort}`;
    const sent = await sendLogsInTrace("", {
      service: "grpc-logs",
      name: "POST /pay",
      logs: [{ in: "child", severity: SeverityNumber.WARN, body: "card retry over gRPC" }],
      exporters: {
        traces: new OTLPTraceExporter({ url: grpcUrl }),
        logs: new OTLPLogExporter({ url: grpcUrl, compression: CompressionAlgorithm.GZIP }),
      },
    });
    const logs = await readJson(fetch(`${app.base}/api/logs?traceId=${sent.traceId}`));
    expect(logs.logs.map((l: { body: unknown }) => l.body)).toEqual(["card retry over gRPC"]);

    const meter = sdkMeter("", "grpc-metrics", new OTLPMetricExporter({ url: grpcUrl }));
    meter.meter.createCounter("grpc.requests").add(7, { route: "/pay" });
    await meter.flush();
    await meter.shutdown();
    const metrics = await readJson(fetch(`${app.base}/api/metrics`));
    expect(JSON.stringify(metrics)).toContain("grpc.requests");
  });

  it("answers a malformed request INVALID_ARGUMENT with the reason, counts it, and keeps serving", async () => {
    const client = exportClient(grpcPort, OTLP_GRPC_SERVICES.traces);
    try {
      const before = (await readJson(fetch(`${app.base}/api/health`))).counts.rejectedRequests;
      // Field 1 (resource_spans) as a length-delimited value that runs past the end.
      const { error } = await client.send(Uint8Array.from([0x0a, 0x7f, 0x01, 0x02]));
      expect(error?.code).toBe(grpcStatus.INVALID_ARGUMENT);
      expect(error?.details).toMatch(/cannot decode protobuf ExportTraceServiceRequest/);
      const health = await readJson(fetch(`${app.base}/api/health`));
      expect(health.counts.rejectedRequests).toBe(before + 1);
      expect(app.events).toContainEqual(
        expect.objectContaining({ type: "client-error", path: `/${OTLP_GRPC_SERVICES.traces}/Export`, status: 400 }),
      );

      const ok = await client.send(encodeTraceRequest({ resourceSpans: [] }));
      expect(ok.error).toBeNull();
      expect(ok.response?.byteLength).toBe(0);
    } finally {
      client.close();
    }
  });

  it("answers partial_success with the refused count and reasons, gzip request or not, and counts them", async () => {
    const before = (await readJson(fetch(`${app.base}/api/health`))).counts;
    for (const gzip of [false, true]) {
      const client = exportClient(grpcPort, OTLP_GRPC_SERVICES.traces, { gzip });
      try {
        const { error, response } = await client.send(encodeTraceRequest(protoRequest()));
        expect(error).toBeNull();
        const decoded = TraceResponse.toObject(TraceResponse.decode(response as Buffer), { longs: Number }) as {
          partialSuccess: { rejectedSpans: number; errorMessage: string };
        };
        expect(decoded.partialSuccess.rejectedSpans).toBe(4);
        expect(decoded.partialSuccess.errorMessage).toMatch(/span/);
      } finally {
        client.close();
      }
    }
    const logs = exportClient(grpcPort, OTLP_GRPC_SERVICES.logs);
    try {
      const { error, response } = await logs.send(encodeLogRequest(loadOtlpLogsRoot(), protoLogRequest()));
      expect(error).toBeNull();
      expect(response?.byteLength).toBeGreaterThan(0);
    } finally {
      logs.close();
    }
    const after = (await readJson(fetch(`${app.base}/api/health`))).counts;
    expect(after.rejectedSpans - before.rejectedSpans).toBe(8);
    expect(after.rejectedLogRecords - before.rejectedLogRecords).toBe(2);
    expect(app.events).toContainEqual(
      expect.objectContaining({
        type: "client-error",
        path: `/${OTLP_GRPC_SERVICES.logs}/Export`,
        status: 200,
      }),
    );
  });

  it("answers partial_success for a counter's negative value and a histogram count its buckets do not add up to", async () => {
    const metricsRoot = loadOtlpMetricsRoot();
    const Request = metricsRoot.lookupType(`${PKG}.ExportMetricsServiceRequest`);
    const Response = metricsRoot.lookupType(`${PKG}.ExportMetricsServiceResponse`);
    const at = String(BigInt(Date.now() - 1000) * 1_000_000n);
    const start = String(BigInt(Date.now() - 11_000) * 1_000_000n);
    const request = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "grpc-refused" } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: "grpc.negative",
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [{ startTimeUnixNano: start, timeUnixNano: at, asInt: -50 }],
                  },
                },
                {
                  name: "grpc.latency",
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [{ timeUnixNano: at, count: 100, bucketCounts: [1, 3], explicitBounds: [10] }],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const client = exportClient(grpcPort, OTLP_GRPC_SERVICES.metrics);
    try {
      const { error, response } = await client.send(Request.encode(Request.fromObject(request)).finish());
      expect(error).toBeNull();
      const where = "resourceMetrics[0].scopeMetrics[0].metrics";
      expect(Response.toObject(Response.decode(response as Buffer), { longs: Number })).toEqual({
        partialSuccess: {
          rejectedDataPoints: 2,
          errorMessage:
            `${where}[0].dataPoints[0]: monotonic sum "grpc.negative" has a negative value (-50); a counter only counts up from 0; ` +
            `${where}[1].dataPoints[0]: histogram "grpc.latency" has count 100 but its bucketCounts add up to 4`,
        },
      });
    } finally {
      client.close();
    }
    const catalog = await readJson(fetch(`${app.base}/api/metrics?q=grpc.`));
    expect(catalog.metrics.map((m: { name: string }) => m.name)).not.toContain("grpc.negative");
    expect(catalog.metrics.map((m: { name: string }) => m.name)).not.toContain("grpc.latency");
  });

  it("answers a service it does not have UNIMPLEMENTED", async () => {
    const client = exportClient(grpcPort, "opentelemetry.proto.collector.profiles.v1development.ProfilesService");
    try {
      const { error } = await client.send(new Uint8Array(0));
      expect(error?.code).toBe(grpcStatus.UNIMPLEMENTED);
    } finally {
      client.close();
    }
  });
});

describe("OTLP/HTTP on the second port", { timeout: 30_000 }, () => {
  it("stores what the real OTLP/HTTP exporter sends there", async () => {
    const sent = await sendSdkTrace(`http://127.0.0.1:${httpPort}`, { service: "second-port", name: "GET /4318" });
    const body = await readJson(fetch(`${app.base}/api/traces/${sent.traceId}`));
    expect(body.spans).toHaveLength(3);
  });

  it("serves nothing but OTLP: other paths are 404 naming the main port, and the Host policy holds", async () => {
    const health = await fetch(`http://127.0.0.1:${httpPort}/api/health`);
    expect(health.status).toBe(404);
    expect((await readJson(health)).error.message).toContain(`the UI and API are at http://localhost:${app.port}`);
    expect((await fetch(`http://127.0.0.1:${httpPort}/`)).status).toBe(404);

    const preflight = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, {
      method: "OPTIONS",
      headers: { Origin: "http://localhost:5173", "Access-Control-Request-Headers": "content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    const get = await fetch(`http://127.0.0.1:${httpPort}/v1/logs`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await readJson(get)).code).toBe(12);

    const rebound = await rawRequest(httpPort, {
      method: "POST",
      path: "/v1/traces",
      headers: { Host: "evil.example", "Content-Type": "application/json" },
      body: "{}",
    });
    expect(rebound.status).toBe(403);
  });
});

describe("/api/health as a handshake", () => {
  it("has apiVersion, every listener with its real port and encodings, and forwarding null", async () => {
    const health = await readJson(fetch(`${app.base}/api/health`));
    const main = `http://localhost:${app.port}`;
    expect(health).toMatchObject({
      status: "ok",
      name: "tracekit-local",
      apiVersion: 1,
      forwarding: null,
      otlp: {
        endpoint: main,
        traces: `${main}/v1/traces`,
        protocols: ["http/protobuf", "http/json"],
        http: {
          port: app.port,
          url: main,
          paths: { traces: "/v1/traces", logs: "/v1/logs", metrics: "/v1/metrics" },
          encodings: ["protobuf", "json"],
          compression: ["gzip"],
        },
        extraHttp: { port: httpPort, url: `http://localhost:${httpPort}`, encodings: ["protobuf", "json"] },
        grpc: {
          port: grpcPort,
          url: `http://localhost:${grpcPort}`,
          services: OTLP_GRPC_SERVICES,
          encodings: ["protobuf"],
        },
      },
      storage: { kind: "memory" },
    });
    expect(health.otlp.grpc.compression).toContain("gzip");
  });

  it("says null for listeners that were not asked for", async () => {
    const plain = await startTestApp();
    try {
      const health = await readJson(fetch(`${plain.base}/api/health`));
      expect(health.otlp.extraHttp).toBeNull();
      expect(health.otlp.grpc).toBeNull();
      expect(plain.otlpGrpcEndpoint).toBeNull();
    } finally {
      await plain.close();
    }
  });
});

describe("an OTLP/HTTP exporter sent to the gRPC port", { timeout: 30_000 }, () => {
  it("is answered 400 over HTTP/1.1 naming the OTLP/HTTP port, counted, and told; nothing is stored", async () => {
    const before = (await readJson(fetch(`${app.base}/api/health`))).counts;
    const spans = await finishedSpans("wrong-port");
    const message = `port ${grpcPort} receives OTLP/gRPC only; send OTLP/HTTP to port ${httpPort}, or set OTEL_EXPORTER_OTLP_PROTOCOL=grpc`;
    for (const exporter of [
      new OTLPJsonTraceExporter({ url: `http://127.0.0.1:${grpcPort}/v1/traces` }),
      new OTLPProtoTraceExporter({ url: `http://127.0.0.1:${grpcPort}/v1/traces` }),
    ]) {
      const result = await exportWith(exporter, spans);
      await exporter.shutdown();
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect((result.error as { code?: number }).code).toBe(400);
      // The body is a google.rpc.Status in the request's encoding; its message reads in either.
      expect(String((result.error as { data?: string }).data)).toContain(message);
    }
    const health = await readJson(fetch(`${app.base}/api/health`));
    expect(health.counts.rejectedRequests).toBe(before.rejectedRequests + 2);
    expect(health.counts.spans).toBe(before.spans);
    const told = app.events.filter((event) => event.type === "http-on-grpc");
    expect(told).toEqual([
      { type: "http-on-grpc", port: grpcPort, httpPort, method: "POST", path: "/v1/traces" },
      { type: "http-on-grpc", port: grpcPort, httpPort, method: "POST", path: "/v1/traces" },
    ]);
    // Not also told as a refused export: one line in the terminal, not two.
    expect(app.events).not.toContainEqual(expect.objectContaining({ type: "client-error", path: "/v1/traces" }));

    const json = await fetch(`http://127.0.0.1:${grpcPort}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ code: grpcStatus.INVALID_ARGUMENT, message });
  });

  it("records the method an HTTP/1.1 request came with, for the web app's notice (a browser's GET)", async () => {
    const live = await connectLive(app.port);
    try {
      for (const method of ["GET", "POST"]) {
        const response = await fetch(`http://127.0.0.1:${grpcPort}/v1/metrics?from=${method}`, { method });
        expect(response.status).toBe(400);
        const shown = await waitFor(() =>
          live.messages.find(
            (message: { type: string; last?: { path: string } }) =>
              message.type === "rejections" && message.last?.path === `/v1/metrics?from=${method}`,
          ),
        );
        expect(shown.last).toMatchObject({ method, status: 400 });
      }
    } finally {
      live.ws.close();
    }
    expect(app.events.filter((event) => event.type === "http-on-grpc").slice(-2)).toEqual([
      { type: "http-on-grpc", port: grpcPort, httpPort, method: "GET", path: "/v1/metrics?from=GET" },
      { type: "http-on-grpc", port: grpcPort, httpPort, method: "POST", path: "/v1/metrics?from=POST" },
    ]);
  });

  it("tells HTTP/1.1 from gRPC by the first bytes even when they arrive a byte at a time", async () => {
    const relay = await trickleRelay(grpcPort, 30);
    const client = exportClient(relay.port, OTLP_GRPC_SERVICES.traces);
    try {
      const ok = await client.send(encodeTraceRequest({ resourceSpans: [] }));
      expect(ok.error).toBeNull();
      const refused = await fetch(`http://127.0.0.1:${relay.port}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body: new Uint8Array(0),
      });
      expect(refused.status).toBe(400);
      expect(refused.headers.get("content-type")).toBe("application/x-protobuf");
    } finally {
      client.close();
      await relay.close();
    }
  });
});

/** Connects to `port` and resolves, once the server closes the connection, with what it sent and after how long. */
function closedAfter(port: number, send: string): Promise<{ ms: number; received: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connectTcp(port, "127.0.0.1", () => {
      if (send !== "") socket.write(send);
    });
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve({ ms: Date.now() - started, received }));
    setTimeout(() => {
      socket.destroy();
      reject(new Error("the connection was still open after 10 s"));
    }, 10_000).unref();
  });
}

describe("connections to the gRPC port that are not gRPC", { timeout: 30_000 }, () => {
  const timeouts = { firstBytesMs: 300, headersMs: 600, requestMs: 1200 };
  let slow: TestApp;
  let port: number;
  beforeAll(async () => {
    slow = await startTestApp({ otlpGrpcPort: 0, grpcPortTimeouts: timeouts });
    port = Number(new URL(slow.otlpGrpcEndpoint ?? "").port);
  });
  afterAll(async () => {
    await slow.close();
  });

  it("closes a connection that sends nothing once it has been silent for the first-bytes timeout", async () => {
    const { ms, received } = await closedAfter(port, "");
    expect(ms).toBeGreaterThanOrEqual(timeouts.firstBytesMs - 50);
    expect(ms).toBeLessThan(timeouts.headersMs);
    expect(received).toBe("");
  });

  it("answers 408 and closes an HTTP/1.1 request whose headers do not all arrive in time", async () => {
    const { ms, received } = await closedAfter(port, "POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    expect(ms).toBeGreaterThanOrEqual(timeouts.headersMs - 50);
    expect(ms).toBeLessThan(timeouts.requestMs);
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it("answers 408 and closes an HTTP/1.1 request whose body does not all arrive in time", async () => {
    const { ms, received } = await closedAfter(
      port,
      "POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    );
    expect(ms).toBeGreaterThanOrEqual(timeouts.requestMs - 50);
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it("still answers an HTTP/1.1 request that arrives in time, and keeps an idle gRPC connection open", async () => {
    const refused = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: "POST", body: "{}" });
    expect(refused.status).toBe(400);

    const session = connectHttp2(`http://127.0.0.1:${port}`);
    let closed = false;
    session.on("close", () => {
      closed = true;
    });
    session.on("error", () => {});
    await new Promise((resolve) => session.once("connect", resolve));
    // Idle past every bound above: a gRPC connection has none of them.
    await new Promise((resolve) => setTimeout(resolve, timeouts.requestMs + 300));
    expect(closed).toBe(false);
    const answer = await new Promise<string>((resolve, reject) => {
      const request = session.request({
        ":method": "POST",
        ":path": `/${OTLP_GRPC_SERVICES.traces}/Export`,
        "content-type": "application/grpc",
        te: "trailers",
      });
      request.on("trailers", (trailers) => resolve(String(trailers["grpc-status"])));
      request.on("error", reject);
      request.resume();
      request.end(Buffer.alloc(5));
    });
    session.close();
    expect(answer).toBe(String(grpcStatus.OK));
  });
});

describe("limits and shutdown", { timeout: 30_000 }, () => {
  it("answers a message over the body limit RESOURCE_EXHAUSTED, before and after gunzip", async () => {
    const small = await startTestApp({ otlpGrpcPort: 0, maxBodyBytes: 64 * 1024 });
    const port = Number(new URL(small.otlpGrpcEndpoint ?? "").port);
    const big = encodeTraceRequest({
      resourceSpans: [{ resource: { attributes: [{ key: "pad", value: { stringValue: "x".repeat(100_000) } }] } }],
    });
    try {
      for (const gzip of [false, true]) {
        const client = exportClient(port, OTLP_GRPC_SERVICES.traces, { gzip });
        const { error } = await client.send(big);
        client.close();
        expect(error?.code, `gzip ${gzip}`).toBe(grpcStatus.RESOURCE_EXHAUSTED);
      }
      // No RetryInfo: OTLP clients must not retry it.
      const client = exportClient(port, OTLP_GRPC_SERVICES.traces);
      const { error } = await client.send(big);
      client.close();
      expect(error?.metadata.get("grpc-status-details-bin")).toEqual([]);
      // Counted and told as OTLP/HTTP's 413 is, though grpc-js refused them before the handler ran.
      expect((await readJson(fetch(`${small.base}/api/health`))).counts.rejectedRequests).toBe(3);
      const told = small.events.filter((event) => event.type === "client-error");
      expect(told).toHaveLength(3);
      expect(told[0]).toMatchObject({ path: `/${OTLP_GRPC_SERVICES.traces}/Export`, status: 413 });
    } finally {
      await small.close();
    }
  });

  it("answers a message that does not inflate INVALID_ARGUMENT and an unknown grpc-encoding UNIMPLEMENTED, and counts both", async () => {
    const before = (await readJson(fetch(`${app.base}/api/health`))).counts.rejectedRequests;
    const path = `/${OTLP_GRPC_SERVICES.logs}/Export`;
    const badGzip = await rawGrpcCall(grpcPort, path, Buffer.from("not gzip at all"), "gzip");
    expect(badGzip.status).toBe(grpcStatus.INVALID_ARGUMENT);
    const snappy = await rawGrpcCall(
      grpcPort,
      path,
      Buffer.from(encodeLogRequest(loadOtlpLogsRoot(), protoLogRequest())),
      "snappy",
    );
    expect(snappy.status).toBe(grpcStatus.UNIMPLEMENTED);
    expect(snappy.message).toContain("snappy");
    expect((await readJson(fetch(`${app.base}/api/health`))).counts.rejectedRequests).toBe(before + 2);
    expect(app.events).toContainEqual(expect.objectContaining({ type: "client-error", path, status: 400 }));
    expect(app.events).toContainEqual(expect.objectContaining({ type: "client-error", path, status: 415 }));
  });

  it("close() stops both extra listeners; a call that arrives while it runs is UNAVAILABLE", async () => {
    const other = await startTestApp({ otlpGrpcPort: 0, otlpHttpPort: 0 });
    const port = Number(new URL(other.otlpGrpcEndpoint ?? "").port);
    const client = exportClient(port, OTLP_GRPC_SERVICES.traces);
    try {
      expect((await client.send(new Uint8Array(0))).error).toBeNull();
      const closing = other.close();
      const during = await client.send(new Uint8Array(0));
      await closing;
      expect(during.error?.code).toBe(grpcStatus.UNAVAILABLE);
      const after = await client.send(new Uint8Array(0));
      expect(after.error?.code).toBe(grpcStatus.UNAVAILABLE);
      await expect(fetch(`${other.otlpHttpEndpoint}/v1/traces`, { method: "POST" })).rejects.toThrow();
    } finally {
      client.close();
    }
  });
});

describe("the gRPC port while the stores open", () => {
  /** A gRPC port bound before its stores are open, as a start on a `--db` file binds it. */
  async function startBeforeStores(maxHeld?: { calls: number; bytes: number }) {
    let fail: (error: unknown) => void = () => {};
    let open: (deps: OtlpRouteDeps) => void = () => {};
    const stores = new Promise<OtlpRouteDeps>((resolve, reject) => {
      open = resolve;
      fail = reject;
    });
    const server = await startOtlpGrpcServer({
      otlp: stores,
      ...(maxHeld === undefined ? {} : { maxHeld }),
      maxBodyBytes: 1 << 20,
      host: "127.0.0.1",
      port: 0,
      httpPort: () => 0,
    });
    return { server, fail, open, client: exportClient(server.port, OTLP_GRPC_SERVICES.traces) };
  }
  const request = () => encodeTraceRequest({ resourceSpans: [] });
  const settledWithin = (promise: Promise<unknown>, ms: number) =>
    Promise.race([promise.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), ms))]);

  it("holds an export until the start fails, then answers it UNAVAILABLE", async () => {
    const { server, fail, client } = await startBeforeStores();
    try {
      const sent = client.send(request());
      expect(await settledWithin(sent, 300)).toBe(false);
      fail(new Error("the file could not be opened"));
      const { error } = await sent;
      expect([error?.code, error?.details]).toEqual([grpcStatus.UNAVAILABLE, "tracekit-local did not start"]);
      // And those after.
      expect((await client.send(request())).error?.code).toBe(grpcStatus.UNAVAILABLE);
    } finally {
      client.close();
      await server.close();
    }
  });

  it("holds a bounded number of exports and bytes, and answers those past it UNAVAILABLE with a RetryInfo", async () => {
    const padded = (bytes: number) =>
      encodeTraceRequest({
        resourceSpans: [{ resource: { attributes: [{ key: "pad", value: { stringValue: "x".repeat(bytes) } }] } }],
      });
    for (const [maxHeld, second, holds] of [
      [{ calls: 1, bytes: 1 << 20 }, request(), "1 export"],
      [{ calls: 10, bytes: 1_000 }, padded(600), `${padded(600).byteLength} bytes of exports (at most 1,000 bytes)`],
    ] as const) {
      const { server, client } = await startBeforeStores(maxHeld);
      try {
        const first = client.send(padded(600));
        expect(await settledWithin(first, 300)).toBe(false);
        const { error } = await client.send(second);
        expect(error?.code).toBe(grpcStatus.UNAVAILABLE);
        expect(error?.details).toBe(
          `tracekit-local is still starting and already holds ${holds} until it is ready; retry in a moment`,
        );
        expect(error?.metadata.get("grpc-status-details-bin")).toHaveLength(1);
        expect(await settledWithin(first, 100)).toBe(false);
      } finally {
        client.close();
        await server.close();
      }
    }
  });

  it("answers held exports 'did not start' when it is told the start failed and closed at once", async () => {
    const { server, client } = await startBeforeStores();
    try {
      const held = client.send(request());
      expect(await settledWithin(held, 300)).toBe(false);
      // As a failed start does: told, then closed in the same turn.
      server.fail();
      const closed = server.close();
      const { error } = await held;
      expect([error?.code, error?.details]).toEqual([grpcStatus.UNAVAILABLE, "tracekit-local did not start"]);
      await closed;
    } finally {
      client.close();
    }
  });

  it("counts a message refused before the stores open once they are", async () => {
    const { server, open, client } = await startBeforeStores();
    try {
      const over = encodeTraceRequest({
        resourceSpans: [{ resource: { attributes: [{ key: "pad", value: { stringValue: "x".repeat(1 << 20) } }] } }],
      });
      const { error } = await client.send(over);
      expect(error?.code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
      const told: [string, number][] = [];
      const deps = traceRouteDeps(createMemoryStore({ maxSpans: 10 }), 1 << 20, {
        onClientError: (path, status) => told.push([path, status]),
      });
      open(deps);
      await new Promise((resolve) => setImmediate(resolve));
      expect(deps.rejections.counts()).toMatchObject({ rejectedRequests: 1 });
      expect(told).toEqual([[`/${OTLP_GRPC_SERVICES.traces}/Export`, 413]]);
    } finally {
      client.close();
      await server.close();
    }
  });

  it("serves held exports over several turns once the stores open, and one that comes meanwhile", async () => {
    const { server, open, client } = await startBeforeStores();
    const store = createMemoryStore({ maxSpans: 1_000 });
    const traceId = "5b8efff798038103d269b633813fc60c";
    // 20 exports of 200 KB: each is decoded and stored at once (below the sliced size), 4 MB in all.
    const exportOf = (index: number) =>
      encodeTraceRequest({
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "held" } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: Buffer.from(traceId, "hex"),
                    spanId: Buffer.from(index.toString(16).padStart(16, "0"), "hex"),
                    name: `span ${index}`,
                    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(index)),
                    endTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(index) + 1n),
                    attributes: [{ key: "pad", value: { stringValue: "x".repeat(200_000) } }],
                  },
                ],
              },
            ],
          },
        ],
      });
    try {
      const sent = Array.from({ length: 20 }, (_, index) => client.send(exportOf(index + 1)));
      // Every message has arrived and is held (4 MB over loopback).
      expect(await settledWithin(Promise.all(sent), 1_000)).toBe(false);
      const stored = () => store.getTrace(traceId)?.length ?? 0;
      open(traceRouteDeps(store, 1 << 20));
      // The next turn after the stores opened (what /api/health is answered in) comes before all are served.
      const atNextTurn = await new Promise<number>((resolve) => setImmediate(() => resolve(stored())));
      expect(atNextTurn).toBeGreaterThan(0);
      expect(atNextTurn).toBeLessThan(20);
      const after = client.send(exportOf(21));
      for (const { error } of await Promise.all([...sent, after])) expect(error).toBeNull();
      expect(stored()).toBe(21);
    } finally {
      client.close();
      await server.close();
    }
  });

  it("answers a held export UNAVAILABLE when it closes meanwhile, and closes promptly", async () => {
    const { server, client } = await startBeforeStores();
    try {
      const held = client.send(request());
      expect(await settledWithin(held, 300)).toBe(false);
      const closed = server.close();
      const { error } = await held;
      expect([error?.code, error?.details]).toEqual([grpcStatus.UNAVAILABLE, "tracekit-local is shutting down"]);
      expect(await settledWithin(closed, 3_000)).toBe(true);
    } finally {
      client.close();
    }
  });
});
