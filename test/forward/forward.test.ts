import { createServer as createHttp2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { OTLPTraceExporter as GrpcTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import { afterEach, describe, expect, it } from "vitest";
import { forwardEventLine } from "../../src/cli/forward-lines.js";
import { INT_MARK } from "../../src/domain/bytes-places.js";
import type { ForwardEvent } from "../../src/forward/target.js";
import { openOffline } from "../../src/offline.js";
import { decodeLogRequestJson } from "../../src/otlp/json/logs.js";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { decodeLogRequestProtobuf } from "../../src/otlp/protobuf/logs.js";
import { encodeExportResponseProtobuf, encodeStatusProtobuf } from "../../src/otlp/protobuf/status.js";
import { decodeTraceRequestProtobuf } from "../../src/otlp/protobuf/traces.js";
import { spanToJson } from "../../src/protocol-json.js";
import { exportLines } from "../../src/transfer/export.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { rawRequest, readJson } from "../helpers/http.js";
import { connectLive, waitFor } from "../helpers/live.js";
import { sendSdkTrace } from "../helpers/otel.js";
import { jsonLogRequest, jsonTraceRequest, newTraceId, postJson, postLogs } from "../helpers/payloads.js";
import { eventually, startUpstream, type Upstream } from "./upstream.js";

const started: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of started.splice(0).reverse()) await thing.close();
});

async function upstream(): Promise<Upstream> {
  const u = await startUpstream();
  started.push(u);
  return u;
}

async function app(options: Parameters<typeof startTestApp>[0]): Promise<TestApp> {
  const a = await startTestApp(options);
  started.push(a);
  return a;
}

/** Every span the upstream was delivered, decoded with the project's own protobuf decoder. */
function deliveredSpans(u: Upstream) {
  return u
    .delivered()
    .filter((r) => r.path === "/v1/traces")
    .flatMap((r) => decodeTraceRequestProtobuf(r.body).spans);
}

const JSON_HEADERS = { "content-type": "application/json" };

const byId = (a: { spanId: string }, b: { spanId: string }) => a.spanId.localeCompare(b.spanId);

async function health(a: TestApp) {
  return readJson(fetch(`${a.base}/api/health`));
}

describe("--forward: everything received passes on upstream as OTLP/HTTP protobuf", { timeout: 30_000 }, () => {
  it("spans from the real exporters (http/protobuf, http/json, gRPC) arrive upstream exactly once, decoded equal, with the headers", async () => {
    const up = await upstream();
    const local = await app({
      otlpGrpcPort: 0,
      // Credentials in the URL become Basic auth; a URL ending in /v1/traces is read as its base.
      forward: [`http://forwarder:s%3Acret@127.0.0.1:${up.port}/v1/traces`],
      forwardHeader: ["x-api-key=team-key-1", "X-Scope-OrgID=tenant-a"],
      forwardTuning: { lingerMs: 50 },
    });
    const grpcUrl = local.otlpGrpcEndpoint?.replace("localhost", "127.0.0.1") ?? "";
    const sent = [
      await sendSdkTrace(local.base, { service: "proto-svc", name: "GET /proto", children: 2 }),
      await sendSdkTrace("", {
        service: "json-svc",
        name: "GET /json",
        children: 3,
        error: true,
        exporter: new JsonTraceExporter({ url: `${local.base}/v1/traces` }),
      }),
      await sendSdkTrace("", {
        service: "grpc-svc",
        name: "GET /grpc",
        children: 1,
        exporter: new GrpcTraceExporter({ url: grpcUrl, compression: CompressionAlgorithm.GZIP }),
      }),
    ];
    const expectedIds = sent.flatMap((s) => [s.rootSpanId, ...s.spanIds]);
    await eventually(() => (deliveredSpans(up).length >= expectedIds.length ? true : undefined));
    // A moment more, so a duplicate would have arrived too.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const spans = deliveredSpans(up);
    expect(spans.map((s) => s.spanId).sort()).toEqual([...expectedIds].sort());

    for (const trace of sent) {
      const stored = await readJson(fetch(`${local.base}/api/traces/${trace.traceId}`));
      const forwarded = spans.filter((s) => s.traceId === trace.traceId).map((span) => spanToJson(span));
      expect(forwarded.sort(byId)).toEqual([...stored.spans].sort(byId));
    }

    for (const request of up.requests) {
      expect(request.path).toBe("/v1/traces");
      expect(request.headers["content-type"]).toBe("application/x-protobuf");
      expect(request.headers["content-encoding"]).toBe("gzip");
      expect(request.headers["x-api-key"]).toBe("team-key-1");
      expect(request.headers["x-scope-orgid"]).toBe("tenant-a");
      expect(request.headers.authorization).toBe(`Basic ${Buffer.from("forwarder:s:cret").toString("base64")}`);
    }
    const target = (await health(local)).forwarding.targets[0];
    expect(target).toMatchObject({ url: `http://127.0.0.1:${up.port}`, state: "ok", retried: 0, lastError: null });
    expect(target.dropped).toEqual({ queueFull: 0, rejected: 0, shutdown: 0, bytes: 0 });
    expect(target.sent.batches).toBe(up.requests.length);
    expect(JSON.stringify(await health(local))).not.toContain("s%3Acret");
  });

  it("passes logs on, and a TraceKit SDK's local-UI JSON with API span kinds reaches a second tracekit-local as it is shown here", async () => {
    const upstreamApp = await app({});
    const local = await app({ forward: [upstreamApp.base], forwardTuning: { lingerMs: 30 } });
    const traceId = newTraceId();
    // The SDK's local-UI path: OTLP/JSON with neither a User-Agent nor an X-API-Key; kind 1 is the API's SERVER.
    const body = jsonTraceRequest("py-shop", [
      { traceId, spanId: "a000000000000001", name: "GET /cart", kind: 1 },
      { traceId, spanId: "a000000000000002", parentSpanId: "a000000000000001", name: "SELECT", kind: 2 },
      { traceId, spanId: "a000000000000003", parentSpanId: "a000000000000001", name: "render" },
    ]);
    // A span without a kind is the API's INTERNAL (0).
    const spans = (body.resourceSpans as { scopeSpans: { spans: { kind?: number }[] }[] }[])[0]?.scopeSpans[0]?.spans;
    delete spans?.[2]?.kind;
    const answer = await rawRequest(local.port, {
      method: "POST",
      path: "/v1/traces",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(answer.status).toBe(200);
    const there = await eventually(async () => {
      const res = await fetch(`${upstreamApp.base}/api/traces/${traceId}`);
      return res.status === 200 ? ((await res.json()) as { spans: { kind: string }[] }) : undefined;
    });
    const here = await readJson(fetch(`${local.base}/api/traces/${traceId}`));
    expect(there).toEqual(here);
    expect(here.spans.map((s: { kind: string }) => s.kind).sort()).toEqual(["CLIENT", "INTERNAL", "SERVER"]);

    const logTrace = newTraceId();
    expect(
      (await postLogs(local.base, jsonLogRequest("py-shop", [{ body: "cart saved", traceId: logTrace }]))).status,
    ).toBe(200);
    const logs = await eventually(async () => {
      const res = await readJson(fetch(`${upstreamApp.base}/api/logs?traceId=${logTrace}`));
      return res.logs.length > 0 ? res.logs : undefined;
    });
    expect(logs.map((l: { body: unknown }) => l.body)).toEqual(["cart saved"]);
  });

  it("does not pass on OTLP/JSON sent to another signal's path: nothing of it is stored here, and the sender is told where it goes", async () => {
    const up = await upstream();
    const upstreamApp = await app({});
    const local = await app({ forward: [up.url, upstreamApp.base], forwardTuning: { lingerMs: 10 } });
    // Logs sent to the traces path, then logs where they belong.
    const misdirected = await postJson(local.base, jsonLogRequest("wrong-door", [{ body: "lost" }]));
    expect(misdirected.status).toBe(200);
    expect(await misdirected.json()).toEqual({
      partialSuccess: {
        rejectedSpans: 0,
        errorMessage: "nothing stored: OTLP/JSON logs (resourceLogs) go to /v1/logs",
      },
    });
    expect((await postLogs(local.base, jsonLogRequest("right-door", [{ body: "kept" }]))).status).toBe(200);
    await eventually(async () => {
      const res = await readJson(fetch(`${upstreamApp.base}/api/logs?service=right-door`));
      return res.logs.length > 0 ? true : undefined;
    });
    await eventually(() => (up.delivered().length > 0 ? true : undefined));
    expect(up.requests.map((r) => r.path)).toEqual(["/v1/logs"]);
    const { counts, forwarding } = await health(local);
    expect(counts.misdirectedRequests).toBe(1);
    expect(forwarding.targets.map((t: { sent: { batches: number } }) => t.sent.batches)).toEqual([1, 1]);
  });

  it("says what it is in a User-Agent, as OTLP asks of an exporter, unless a --forward-header sets one", async () => {
    const up = await upstream();
    const plain = await app({ forward: [up.url], forwardTuning: { lingerMs: 10 } });
    await postJson(plain.base, jsonTraceRequest("ua", [{ name: "GET /ua" }]));
    await eventually(() => (up.delivered().length === 1 ? true : undefined));
    expect(up.requests[0]?.headers["user-agent"]).toMatch(/^tracekit-local\/\d+\.\d+\.\d+/);
    const named = await app({
      forward: [up.url],
      forwardHeader: ["user-agent=laptop-of-ana"],
      forwardTuning: { lingerMs: 10 },
    });
    await postJson(named.base, jsonTraceRequest("ua", [{ name: "GET /ua2" }]));
    await eventually(() => (up.delivered().length === 2 ? true : undefined));
    expect(up.requests[1]?.headers["user-agent"]).toBe("laptop-of-ana");
  });

  it("retries 503 and 429 honouring Retry-After (seconds and an HTTP date), then delivers once and says so", async () => {
    const up = await upstream();
    up.behave((i) => {
      if (i === 0) return { status: 503, headers: { "Retry-After": "1" } };
      if (i === 1) return { status: 429, headers: { "Retry-After": new Date(Date.now() + 1000).toUTCString() } };
      return { status: 200 };
    });
    const local = await app({ forward: [up.url], forwardTuning: { lingerMs: 10 } });
    const started = Date.now();
    const traceId = newTraceId();
    expect((await postJson(local.base, jsonTraceRequest("retry-svc", [{ traceId, name: "GET /r" }]))).status).toBe(200);
    await eventually(() => (up.delivered().length === 1 ? true : undefined));
    // Retry-After: 1 s, then an HTTP date (whole seconds, so up to a second) later.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(up.requests.map((r) => r.answered)).toEqual([503, 429, 200]);
    expect(new Set(up.requests.map((r) => r.body.toString("hex"))).size).toBe(1);
    expect(deliveredSpans(up).map((s) => s.traceId)).toEqual([traceId]);
    const target = (await health(local)).forwarding.targets[0];
    expect(target).toMatchObject({ state: "ok", retried: 2, sent: { batches: 1 } });
    expect(target.lastError.message).toBe("HTTP 429: unavailable");
    const lines = local.events.filter((e) => e.type === "forward").map((e) => e.type === "forward" && e.event.type);
    expect(lines).toEqual(["failing", "recovered"]);
  });

  it("an upstream that keeps answering 503 with Retry-After: 0 is backed off from, not asked again at once", async () => {
    const up = await upstream();
    let down = true;
    up.behave(() => (down ? { status: 503, headers: { "Retry-After": "0" } } : { status: 200 }));
    const local = await app({ forward: [up.url], forwardTuning: { lingerMs: 10, random: () => 0 } });
    expect((await postJson(local.base, jsonTraceRequest("hurried", [{ name: "GET /h" }]))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Backoff without jitter: sent, then again after 250 ms, 500 ms and 1 s.
    expect(up.requests.length).toBeGreaterThanOrEqual(2);
    expect(up.requests.length).toBeLessThanOrEqual(4);
    down = false;
    await eventually(() => (up.delivered().length === 1 ? true : undefined));
    expect((await health(local)).forwarding.targets[0]).toMatchObject({ state: "ok", sent: { batches: 1 } });
  });

  it("waits out the longer Retry-After when a second batch in flight asks for more than the wait already running", async () => {
    const up = await upstream();
    const arrived: number[] = [];
    up.behave((i) => {
      arrived.push(Date.now());
      // The first answer starts a wait of 1 s; the second, 200 ms into it, asks for 3 s.
      if (i === 0) return { status: 503, headers: { "Retry-After": "1" } };
      if (i === 1) return { status: 429, headers: { "Retry-After": "3" }, delayMs: 200 };
      return { status: 200 };
    });
    // A trace batch and a log batch, sealed by the same linger, are sent together.
    const local = await app({ forward: [up.url], forwardTuning: { lingerMs: 200 } });
    expect((await postJson(local.base, jsonTraceRequest("waits", [{ name: "GET /w" }]))).status).toBe(200);
    expect((await postLogs(local.base, jsonLogRequest("waits", [{ body: "waiting" }]))).status).toBe(200);
    await eventually(() => (up.delivered().length === 2 ? true : undefined));
    expect(up.requests.map((r) => r.answered)).toEqual([503, 429, 200, 200]);
    // Sent again 3 s after the 429 was answered, which was 200 ms after it arrived.
    expect((arrived[2] ?? 0) - (arrived[1] ?? 0)).toBeGreaterThanOrEqual(3000);
  });

  it("an upstream that does not answer times out, and the batch is sent again", async () => {
    const up = await upstream();
    up.behave((i) => (i === 0 ? "hang" : { status: 200 }));
    const local = await app({ forward: [up.url], forwardTuning: { lingerMs: 10, timeoutMs: 1_000 } });
    expect((await postJson(local.base, jsonTraceRequest("slow-up", [{ name: "GET /s" }]))).status).toBe(200);
    // While it waits for the answer, the batch is still not sent: health counts it as queued.
    await eventually(() => (up.requests.length === 1 ? true : undefined));
    expect((await health(local)).forwarding.targets[0].queued).toMatchObject({ batches: 1 });
    expect((await health(local)).forwarding.targets[0].queued.bytes).toBeGreaterThan(0);
    await eventually(() => (up.delivered().length === 1 ? true : undefined));
    const target = (await health(local)).forwarding.targets[0];
    expect(target).toMatchObject({ state: "ok", retried: 1 });
    // It was reached, and took the request: not "cannot reach it", which points at the network.
    expect(target.lastError.message).toBe("it took the request but sent no answer within 1 s");
  });

  it("an upstream that trickles its answer and never ends it times out as a whole, and the batch is sent again", async () => {
    const up = await upstream();
    // A byte every 50 ms: each would restart a timeout of the socket's idle time.
    up.behave((i) => (i === 0 ? "trickle" : { status: 200 }));
    const local = await app({ forward: [up.url], forwardTuning: { lingerMs: 10, timeoutMs: 300 } });
    expect((await postJson(local.base, jsonTraceRequest("trickled", [{ name: "GET /t" }]))).status).toBe(200);
    await eventually(() => (up.delivered().length === 1 ? true : undefined), 10_000);
    expect(up.requests.map((r) => r.answered)).toEqual(["trickle", 200]);
    const target = (await health(local)).forwarding.targets[0];
    expect(target).toMatchObject({ state: "ok", retried: 1, sent: { batches: 1 } });
    expect(target.lastError.message).toBe("it took the request but sent no answer within 0.3 s");
  });

  it("says a redirect (301, 308) is one and where it points, without following it, and which --forward URL that is", async () => {
    const up = await upstream();
    up.behave((i, path) =>
      i === 0
        ? { status: 308, headers: { Location: `https://collector.example.com${path}` }, body: "" }
        : { status: 301, headers: { Location: `/otlp${path}` }, body: "" },
    );
    const local = await app({ forward: [up.url], forwardTuning: { lingerMs: 10 } });
    expect((await postJson(local.base, jsonTraceRequest("moved", [{ name: "GET /m" }]))).status).toBe(200);
    const target = await eventually(async () => {
      const t = (await health(local)).forwarding.targets[0];
      return t.dropped.rejected === 1 ? t : undefined;
    });
    expect(target).toMatchObject({
      state: "rejecting",
      retried: 0,
      lastError: {
        message:
          "HTTP 308: redirected to https://collector.example.com/v1/traces (not followed: use --forward https://collector.example.com)",
      },
    });
    const refusal = local.events.find((e) => e.type === "forward" && e.event.type === "rejecting");
    expect(refusal).toMatchObject({
      event: {
        redirect: { location: "https://collector.example.com/v1/traces", forward: "https://collector.example.com" },
      },
    });
    expect(forwardEventLine((refusal as { event: ForwardEvent }).event)).toBe(
      `  ! forwarding to ${up.url} is redirected to https://collector.example.com/v1/traces; --forward does not follow redirects, so these batches are dropped: give --forward https://collector.example.com instead`,
    );
    // A Location relative to the request's URL is read against it.
    expect((await postLogs(local.base, jsonLogRequest("moved", [{ body: "moved" }]))).status).toBe(200);
    await eventually(async () =>
      (await health(local)).forwarding.targets[0].dropped.rejected === 2 ? true : undefined,
    );
    expect((await health(local)).forwarding.targets[0].lastError.message).toBe(
      `HTTP 301: redirected to ${up.url}/otlp/v1/logs (not followed: use --forward ${up.url}/otlp)`,
    );
    // Nothing was sent to where it pointed: the upstream saw the two requests and no more.
    expect(up.requests.map((r) => r.answered)).toEqual([308, 301]);
  });

  it("drops a batch the upstream refuses (400) without retrying: counted, said once, until one is taken again", async () => {
    const up = await upstream();
    let refuse = true;
    up.behave(() =>
      refuse ? { status: 400, body: JSON.stringify({ code: 3, message: "bad span" }) } : { status: 200 },
    );
    const local = await app({ forward: [up.url], forwardTuning: { lingerMs: 10 } });
    for (let i = 0; i < 2; i++) {
      await postJson(local.base, jsonTraceRequest("refused", [{ name: `GET /${i}` }]));
      await eventually(() => (up.requests.length === i + 1 ? true : undefined));
    }
    const target = await eventually(async () => {
      const t = (await health(local)).forwarding.targets[0];
      return t.dropped.rejected === 2 ? t : undefined;
    });
    expect(target).toMatchObject({ retried: 0, state: "rejecting", lastError: { message: "HTTP 400: bad span" } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(up.requests).toHaveLength(2);
    const drops = local.events.filter((e) => e.type === "forward" && e.event.type === "dropped");
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({ event: { reason: "rejected", batches: 1, message: "HTTP 400: bad span" } });
    const refusals = local.events.filter((e) => e.type === "forward" && e.event.type === "rejecting");
    expect(refusals).toEqual([
      { type: "forward", event: { type: "rejecting", url: up.url, status: 400, message: "HTTP 400: bad span" } },
    ]);
    // The upstream takes batches again (the key was fixed): ok, and said so.
    refuse = false;
    await postJson(local.base, jsonTraceRequest("taken", [{ name: "GET /2" }]));
    await eventually(async () => ((await health(local)).forwarding.targets[0].state === "ok" ? true : undefined));
    expect(local.events.some((e) => e.type === "forward" && e.event.type === "recovered")).toBe(true);
  });

  it("says it refuses, not that it retries, when an upstream that was failing answers with a refusal, and says so again each time", async () => {
    const up = await upstream();
    let answer: { status: number } = { status: 503 };
    up.behave(() => answer);
    const local = await app({ forward: [up.url], forwardTuning: { lingerMs: 10 } });
    const state = async () => (await health(local)).forwarding.targets[0];
    await postJson(local.base, jsonTraceRequest("flaky", [{ name: "GET /a" }]));
    await eventually(async () => ((await state()).state === "retrying" ? true : undefined));
    // It comes back refusing (a wrong path or key): the batch retried is refused, and the state says so.
    answer = { status: 404 };
    const refusing = await eventually(async () => {
      const t = await state();
      return t.dropped.rejected === 1 ? t : undefined;
    }, 10_000);
    expect(refusing).toMatchObject({ state: "rejecting", queued: { batches: 0 } });
    // Unreachable again, then refusing again: each change of mind said once.
    answer = { status: 503 };
    await postJson(local.base, jsonTraceRequest("flaky", [{ name: "GET /b" }]));
    await eventually(async () => ((await state()).state === "retrying" ? true : undefined));
    answer = { status: 404 };
    await eventually(async () => ((await state()).dropped.rejected === 2 ? true : undefined), 10_000);
    expect((await state()).state).toBe("rejecting");
    const said = local.events.flatMap((e) =>
      e.type === "forward" && (e.event.type === "failing" || e.event.type === "rejecting") ? [e.event.type] : [],
    );
    expect(said).toEqual(["failing", "rejecting", "failing", "rejecting"]);
  });

  it("says an upstream that does not answer HTTP/1.1 is likely an OTLP/gRPC port, not that it cannot be reached", async () => {
    // What the OTLP/gRPC port of a Collector is: HTTP/2 without TLS, which answers HTTP/1.1 with a frame.
    const grpcLike = createHttp2Server();
    await new Promise<void>((resolve) => grpcLike.listen(0, "127.0.0.1", resolve));
    started.push({ close: () => new Promise<void>((resolve) => grpcLike.close(() => resolve())) });
    const port = (grpcLike.address() as AddressInfo).port;
    const local = await app({ forward: [`http://127.0.0.1:${port}`], forwardTuning: { lingerMs: 10 } });
    await postJson(local.base, jsonTraceRequest("grpc-port", [{ name: "GET /g" }]));
    const target = await eventually(async () => {
      const t = (await health(local)).forwarding.targets[0];
      return t.lastError === null ? undefined : t;
    });
    expect(target.state).toBe("retrying");
    expect(target.lastError.message).toBe(
      "its answer is not HTTP/1.1: an OTLP/gRPC port (4317)? --forward needs the OTLP/HTTP one (4318)",
    );
    const failing = local.events.find((e) => e.type === "forward" && e.event.type === "failing");
    expect(failing).toMatchObject({ event: { message: target.lastError.message } });
  });

  it("reads the reason of a refusal in OTLP's protobuf google.rpc.Status, as a Collector answers a protobuf export", async () => {
    const up = await upstream();
    up.behave(() => ({
      status: 400,
      headers: { "Content-Type": "application/x-protobuf" },
      body: encodeStatusProtobuf(3, "proto: cannot parse invalid wire-format data"),
    }));
    const local = await app({ forward: [up.url], forwardTuning: { lingerMs: 10 } });
    await postJson(local.base, jsonTraceRequest("refused-pb", [{ name: "GET /p" }]));
    const target = await eventually(async () => {
      const t = (await health(local)).forwarding.targets[0];
      return t.dropped.rejected === 1 ? t : undefined;
    });
    expect(target.lastError.message).toBe("HTTP 400: proto: cannot parse invalid wire-format data");
    const refusal = local.events.find((e) => e.type === "forward" && e.event.type === "rejecting");
    expect(refusal).toMatchObject({ event: { message: "HTTP 400: proto: cannot parse invalid wire-format data" } });
  });

  it("counts and says once what an upstream rejected from batches it took (partial success), without sending them again", async () => {
    const up = await upstream();
    up.behave((_, path) =>
      path === "/v1/traces"
        ? {
            status: 200,
            headers: { "Content-Type": "application/x-protobuf" },
            body: encodeExportResponseProtobuf(2, "span name too long"),
          }
        : {
            status: 200,
            headers: { "Content-Type": "application/json" },
            body: '{"partialSuccess":{"rejectedLogRecords":"1200"}}',
          },
    );
    const local = await app({ forward: [up.url], forwardTuning: { lingerMs: 10 } });
    for (let i = 0; i < 2; i++) {
      await postJson(local.base, jsonTraceRequest("partly", [{ name: `GET /${i}` }, { name: `GET /${i}b` }]));
      await eventually(() => (up.requests.length === i + 1 ? true : undefined));
    }
    await postLogs(local.base, jsonLogRequest("partly", [{ body: "one" }]));
    const target = await eventually(async () => {
      const t = (await health(local)).forwarding.targets[0];
      return t.rejectedItems === 1_204 ? t : undefined;
    });
    expect(target).toMatchObject({ state: "ok", retried: 0, sent: { batches: 3 }, dropped: { rejected: 0 } });
    expect(target.lastError.message).toBe("HTTP 200, partial success: 1,200 rejected");
    expect(up.requests).toHaveLength(3);
    const said = local.events.filter((e) => e.type === "forward" && e.event.type === "partial");
    expect(said).toEqual([
      { type: "forward", event: { type: "partial", url: up.url, rejected: 2, message: "span name too long" } },
    ]);
    // The web app's notice hears of them too, as of drops.
    const live = await connectLive(local.port);
    try {
      const message = await waitFor(() => live.messages.find((m) => m.type === "forwarding-drops"));
      expect(message.targets).toEqual([
        {
          url: up.url,
          dropped: 0,
          queueFull: 0,
          rejectedItems: 1_204,
          lastError: "HTTP 200, partial success: 1,200 rejected",
        },
      ]);
    } finally {
      live.ws.close();
    }
  });

  it("reads the reason of a refusal in this server's own error shape", async () => {
    const up = await upstream();
    up.behave(() => ({
      status: 401,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ error: { code: "unauthorized", message: "no such API key" } }),
    }));
    const local = await app({ forward: [up.url], forwardTuning: { lingerMs: 10 } });
    await postJson(local.base, jsonTraceRequest("refused", [{ name: "GET /key" }]));
    const target = await eventually(async () => {
      const t = (await health(local)).forwarding.targets[0];
      return t.dropped.rejected === 1 ? t : undefined;
    });
    expect(target).toMatchObject({ state: "rejecting", lastError: { message: "HTTP 401: no such API key" } });
  });

  it("reads the reason of an HTML error page from its words, not its first tag", async () => {
    const up = await upstream();
    // Python's http.server answering a POST, and nginx in front of a stopped receiver.
    const python =
      '<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n        <title>Error response</title>\n' +
      "    </head>\n    <body>\n        <h1>Error response</h1>\n        <p>Error code: 501</p>\n" +
      "        <p>Message: Unsupported method (&#x27;POST&#x27;).</p>\n    </body>\n</html>\n";
    const nginx =
      "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n" +
      "<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n";
    let page = python;
    up.behave(() => ({
      status: page === python ? 501 : 502,
      headers: { "Content-Type": "text/html;charset=utf-8" },
      body: page,
    }));
    const local = await app({ forward: [up.url], forwardTuning: { lingerMs: 10 } });
    await postJson(local.base, jsonTraceRequest("html", [{ name: "GET /page" }]));
    const refused = await eventually(async () => {
      const t = (await health(local)).forwarding.targets[0];
      return t.dropped.rejected === 1 ? t : undefined;
    });
    expect(refused.lastError.message).toBe(
      "HTTP 501: Error response Error code: 501 Message: Unsupported method ('POST').",
    );
    page = nginx;
    await postJson(local.base, jsonTraceRequest("html", [{ name: "GET /page" }]));
    const retrying = await eventually(async () => {
      const t = (await health(local)).forwarding.targets[0];
      return t.lastError?.message.startsWith("HTTP 502") ? t : undefined;
    });
    expect(retrying.lastError.message).toBe("HTTP 502: 502 Bad Gateway nginx/1.25.3");
  });

  it("bounds the queue: while the upstream is down the oldest batches are dropped and counted; after recovery the newest arrive", async () => {
    const up = await upstream();
    let down = true;
    up.behave(() => (down ? { status: 503, headers: { "Retry-After": "1" } } : { status: 200 }));
    const bodies = Array.from({ length: 12 }, (_, i) =>
      jsonTraceRequest("queued", [{ name: `req-${String(i).padStart(2, "0")}`, attributes: { pad: "x".repeat(400) } }]),
    );
    const local = await app({
      forward: [up.url],
      // Uncompressed, so the bound holds a known number of these requests.
      forwardCompression: "none",
      // Each request its own batch; room for about three of them.
      forwardTuning: { lingerMs: 5, maxBatchBytes: 1, maxQueueBytes: 2000, concurrency: 1 },
    });
    for (const body of bodies) {
      expect((await postJson(local.base, body)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    const during = (await health(local)).forwarding.targets[0];
    expect(during.state).toBe("retrying");
    expect(during.dropped.queueFull).toBeGreaterThanOrEqual(8);
    // The bound holds what waits; the one batch being sent (concurrency 1, ~600 bytes) is counted beside it.
    expect(during.queued.bytes).toBeLessThanOrEqual(2000 + 1000);
    await eventually(() =>
      local.events.some((e) => e.type === "forward" && e.event.type === "dropped") ? true : undefined,
    );
    down = false;
    // Every request is either delivered or counted as dropped: none lost, none twice. The upstream has a
    // batch as soon as it reads it, and the queue counts it until its answer comes back.
    const after = await eventually(async () => {
      const t = (await health(local)).forwarding.targets[0];
      const settled = t.state === "ok" && t.queued.batches === 0;
      return settled && deliveredSpans(up).length + t.dropped.queueFull === 12 ? t : undefined;
    });
    const names = deliveredSpans(up).map((s) => s.name);
    expect(after.queued).toEqual({ bytes: 0, batches: 0 });
    // What survived is the newest, in order.
    expect(names).toEqual(
      bodies.slice(12 - names.length).map((_, i) => `req-${String(12 - names.length + i).padStart(2, "0")}`),
    );
    // The web app's notice hears of it: a retained live message, sent to a page that connects later.
    const live = await connectLive(local.port);
    try {
      const message = await waitFor(() => live.messages.find((m) => m.type === "forwarding-drops"));
      expect(message.targets).toEqual([
        {
          url: up.url,
          dropped: after.dropped.queueFull,
          queueFull: after.dropped.queueFull,
          rejectedItems: 0,
          lastError: "HTTP 503: unavailable",
        },
      ]);
      // With the bound, for the notice to say why they were dropped.
      expect(message).toMatchObject({ maxQueueBytes: 2000 });
    } finally {
      live.ws.close();
    }
  });

  it("on close sends what is still lingering, and drops and reports what the upstream will not take in time", async () => {
    const up = await upstream();
    const local = await startTestApp({ forward: [up.url], forwardTuning: { lingerMs: 60_000 } });
    const traceId = newTraceId();
    await postJson(local.base, jsonTraceRequest("at-close", [{ traceId, name: "GET /bye" }]));
    await local.close();
    expect(deliveredSpans(up).map((s) => s.traceId)).toEqual([traceId]);

    up.behave(() => ({ status: 503 }));
    const failing = await startTestApp({ forward: [up.url], forwardTuning: { lingerMs: 60_000 } });
    await postJson(failing.base, jsonTraceRequest("at-close", [{ name: "GET /lost" }]));
    const before = Date.now();
    await failing.close();
    expect(Date.now() - before).toBeLessThan(4000);
    expect(failing.events).toContainEqual(expect.objectContaining({ type: "forward-stopped", batches: 1 }));
  });

  it("keeps batches within their size: a request that would pass it starts a new batch, and one larger alone goes alone", async () => {
    const up = await upstream();
    const local = await app({
      forward: [up.url],
      forwardCompression: "none",
      forwardTuning: { maxBatchBytes: 3000, concurrency: 1 },
    });
    const { encodeExportRequestFromJson } = await import("../../src/otlp/protobuf/from-json.js");
    // About 2,000, 2,500 and 4,000 bytes: any two of them together are past the limit.
    const bodies = [2000, 2500, 4000].map((pad, i) =>
      encodeExportRequestFromJson(
        "/v1/traces",
        jsonTraceRequest("sized", [{ name: `req-${i}`, attributes: { pad: "x".repeat(pad) } }]),
      ),
    );
    for (const bytes of bodies) {
      const res = await fetch(`${local.base}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body: Buffer.from(bytes),
      });
      expect(res.status).toBe(200);
    }
    await eventually(() => (deliveredSpans(up).length === 3 ? true : undefined));
    expect(up.requests.map((r) => r.body.byteLength)).toEqual(bodies.map((b) => b.byteLength));
    expect(up.requests.map((r) => decodeTraceRequestProtobuf(r.body).spans.map((s) => s.name))).toEqual([
      ["req-0"],
      ["req-1"],
      ["req-2"],
    ]);
  });

  it("forwards an exported file's int64s past 2^53 as int64s: imported again, they pass on as sent first", async () => {
    const up = await upstream();
    const local = await app({ forward: [up.url], forwardTuning: { lingerMs: 10 } });
    const big = { intValue: "-9223372036854775808" };
    const attributes = [
      { key: "big", value: big },
      { key: "list", value: { arrayValue: { values: [big] } } },
    ];
    const traceId = newTraceId();
    const traces = jsonTraceRequest("big-ints", [{ traceId }]);
    const span = (traces as any).resourceSpans[0].scopeSpans[0].spans[0];
    span.attributes = attributes;
    const logs = jsonLogRequest("big-ints", [{ body: "paid" }]);
    (logs as any).resourceLogs[0].scopeLogs[0].logRecords[0].attributes = attributes;
    // The file `tracekit-local export` writes of them, imported into the forwarding instance.
    const source = await openOffline({ dbPath: null, create: true });
    started.push({ close: async () => source.close() });
    source.store.insertSpans(decodeTraceRequestJson(traces).spans);
    source.logs.insertLogs(decodeLogRequestJson(logs).logs);
    for (const line of exportLines(source, {}, new Set(["traces", "logs"] as const))) {
      const path = line.json.startsWith('{"resourceSpans"') ? "/v1/traces" : "/v1/logs";
      expect(
        (await rawRequest(local.port, { method: "POST", path, body: line.json, headers: JSON_HEADERS })).status,
      ).toBe(200);
    }
    await eventually(() => (up.delivered().length === 2 ? true : undefined));
    const places = [
      ["big", INT_MARK],
      ["list", 0, INT_MARK],
    ];
    const [forwarded] = deliveredSpans(up);
    expect(forwarded?.attributes).toEqual({ big: "-9223372036854775808", list: ["-9223372036854775808"] });
    expect(forwarded?.bytes).toEqual(places);
    const [record] = up
      .delivered()
      .filter((r) => r.path === "/v1/logs")
      .flatMap((r) => decodeLogRequestProtobuf(r.body).logs);
    expect(record?.bytes?.attributes).toEqual(places);
  });

  it("forwards log requests sent as protobuf byte for byte (here without compression, --forward-compression none)", async () => {
    const up = await upstream();
    const local = await app({ forward: [up.url], forwardCompression: "none", forwardTuning: { lingerMs: 10 } });
    const { encodeExportRequestFromJson } = await import("../../src/otlp/protobuf/from-json.js");
    const bytes = encodeExportRequestFromJson("/v1/logs", jsonLogRequest("proto-logs", [{ body: "paid" }]));
    const res = await fetch(`${local.base}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: Buffer.from(bytes),
    });
    expect(res.status).toBe(200);
    await eventually(() => (up.delivered().length === 1 ? true : undefined));
    expect(up.requests[0]?.path).toBe("/v1/logs");
    expect(up.requests[0]?.headers["content-encoding"]).toBeUndefined();
    expect(Buffer.from(up.requests[0]?.body ?? []).equals(Buffer.from(bytes))).toBe(true);
    expect(decodeLogRequestProtobuf(up.requests[0]?.body ?? new Uint8Array()).logs[0]?.body).toBe("paid");
  });
});
