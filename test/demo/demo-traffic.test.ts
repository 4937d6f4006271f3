import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoTotals, runDemoTraffic } from "../../src/demo/traffic.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";

let app: TestApp;
let totals: DemoTotals;
let spans: any[];
let progressCalls = 0;

beforeAll(async () => {
  app = await startTestApp();
  totals = await runDemoTraffic({
    url: app.base,
    durationMs: 1_500,
    rate: 40,
    onProgress: () => {
      progressCalls++;
    },
  });
  const list = await readJson(fetch(`${app.base}/api/traces?limit=1000`));
  const traces = await Promise.all(
    list.traces.map((summary: any) => readJson(fetch(`${app.base}/api/traces/${summary.traceId}`))),
  );
  spans = traces.flatMap((trace: any) => trace.spans);
});
afterAll(async () => {
  await app?.close();
});

const byId = () => new Map(spans.map((span) => [span.spanId, span]));

describe("runDemoTraffic against a real server", () => {
  it("delivers every span it generated, through OTLP/HTTP", async () => {
    expect(totals.traces).toBeGreaterThanOrEqual(20);
    expect(progressCalls).toBe(totals.traces);
    expect(totals.failedSpans).toBe(0);
    const health = await readJson(fetch(`${app.base}/api/health`));
    expect(health.counts.traces).toBe(totals.traces);
    expect(health.counts.spans).toBe(totals.spans);
    expect(spans).toHaveLength(totals.spans);
  });

  it("traffic comes from the six services, each with its own resource", async () => {
    const { services } = await readJson(fetch(`${app.base}/api/services`));
    expect(services.map((s: any) => s.name).sort()).toEqual([
      "checkout-api",
      "email-worker",
      "inventory-sync",
      "payment-service",
      "support-assistant",
      "web-frontend",
    ]);
    const frontend = spans.find((span) => span.service === "web-frontend");
    expect(frontend.resource).toMatchObject({
      "service.name": "web-frontend",
      "deployment.environment.name": "development",
      "telemetry.sdk.name": "opentelemetry",
      "telemetry.sdk.language": "nodejs",
    });
    expect(frontend.resource["service.version"]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("sends each request's access log and each failure's error log, in the context of its span", async () => {
    const { logs } = await readJson(fetch(`${app.base}/api/logs?limit=1000`));
    const spansById = byId();
    const access = logs.filter((log: any) => log.attributes["http.route"] !== undefined);
    expect(access.length).toBeGreaterThan(0);
    for (const log of access) {
      const span = spansById.get(log.spanId);
      expect(span, log.body).toMatchObject({ kind: "SERVER", traceId: log.traceId, service: log.service });
      expect(log.body).toContain(String(span.attributes["http.response.status_code"]));
      expect(log.severity).toBe(span.attributes["http.response.status_code"] >= 500 ? "ERROR" : "INFO");
    }
    const errors = logs.filter((log: any) => log.attributes["exception.type"] !== undefined);
    expect(errors.length).toBeGreaterThan(0);
    for (const log of errors) {
      expect(log.severity).toBe("ERROR");
      expect(spansById.get(log.spanId)?.events.some((event: any) => event.name === "exception")).toBe(true);
    }
  });

  it("dates each log record's observation no earlier than the record itself", async () => {
    // A demo trace is laid out ahead of the clock: its logs are observed when its span ends, not before.
    const { logs } = await readJson(fetch(`${app.base}/api/logs?limit=1000`));
    expect(logs.length).toBeGreaterThan(0);
    const early = logs.filter((log: any) => BigInt(log.observedTimeUnixNano) < BigInt(log.timeUnixNano));
    expect(early.map((log: any) => log.body)).toEqual([]);
  });

  it("sends the semantic-convention duration histograms, per route", async () => {
    const { metrics } = await readJson(fetch(`${app.base}/api/metrics`));
    const names = metrics.map((metric: any) => metric.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "http.server.request.duration",
        "db.client.operation.duration",
        "gen_ai.client.token.usage",
      ]),
    );
    const server = metrics.find((metric: any) => metric.name === "http.server.request.duration");
    expect(server).toMatchObject({ kind: "histogram", chart: "distribution", unit: "s" });
    expect(server.attributeKeys).toEqual(expect.arrayContaining(["http.route", "http.response.status_code"]));
    const serverSpans = spans.filter((span) => span.kind === "SERVER" && span.attributes["http.request.method"]);
    const since = Date.now() - 10 * 60_000;
    const chart = await readJson(
      fetch(`${app.base}/api/metrics/http.server.request.duration?since=${since}&groupBy=service.name`),
    );
    const counted = chart.series.reduce(
      (sum: number, series: any) => sum + series.counts.reduce((a: number, b: number | null) => a + (b ?? 0), 0),
      0,
    );
    expect(counted).toBe(serverSpans.length);
  });

  it("counts the queue's messages sent and consumed, so the Metrics page has counters beside histograms", async () => {
    const { metrics } = await readJson(fetch(`${app.base}/api/metrics`));
    const sent = metrics.find((metric: any) => metric.name === "messaging.client.sent.messages");
    const consumed = metrics.find((metric: any) => metric.name === "messaging.client.consumed.messages");
    for (const counter of [sent, consumed]) {
      expect(counter).toMatchObject({ kind: "sum", chart: "rate", monotonic: true, unit: "{message}" });
      expect(counter.attributeKeys).toEqual(
        expect.arrayContaining(["messaging.system", "messaging.destination.name", "messaging.operation.name"]),
      );
    }
    const producers = new Set(spans.filter((s) => s.kind === "PRODUCER").map((s) => s.service));
    const consumers = new Set(spans.filter((s) => s.kind === "CONSUMER").map((s) => s.service));
    expect(sent.services).toEqual([...producers]);
    expect(consumed.services).toEqual([...consumers]);
  });

  it("every trace has one root and every other span's parent is in the same trace", async () => {
    const list = await readJson(fetch(`${app.base}/api/traces?limit=1000`));
    for (const summary of list.traces) {
      const trace = await readJson(fetch(`${app.base}/api/traces/${summary.traceId}`));
      const ids = new Set(trace.spans.map((span: any) => span.spanId));
      expect(trace.spans.filter((span: any) => span.parentSpanId === null)).toHaveLength(1);
      for (const span of trace.spans) {
        if (span.parentSpanId !== null) expect(ids.has(span.parentSpanId), `${summary.name}: ${span.name}`).toBe(true);
      }
    }
  });

  it("CLIENT spans in one service are the parents of SERVER spans in the next", () => {
    const spansById = byId();
    const hops = new Set<string>();
    for (const span of spans) {
      const parent = span.parentSpanId === null ? undefined : spansById.get(span.parentSpanId);
      if (parent === undefined || parent.service === span.service) continue;
      expect(`${parent.kind} → ${span.kind}`).toMatch(/^(CLIENT → SERVER|PRODUCER → CONSUMER)$/);
      hops.add(`${parent.service} → ${span.service}`);
      if (span.kind === "SERVER") expect(parent.attributes["peer.service"]).toBe(span.service);
    }
    expect([...hops]).toEqual(
      expect.arrayContaining([
        "checkout-api → email-worker",
        "checkout-api → payment-service",
        "web-frontend → checkout-api",
        "web-frontend → support-assistant",
      ]),
    );
  });

  it("has failing spans with exception events, and the failure propagates up as a 500", () => {
    const failed = spans.filter((span) => span.status.code === "ERROR");
    const withException = failed.filter((span) => span.events.some((event: any) => event.name === "exception"));
    expect(withException.length).toBeGreaterThan(0);
    const exception = withException[0].events.find((event: any) => event.name === "exception");
    expect(exception.attributes["exception.type"]).toEqual(expect.any(String));
    expect(exception.attributes["exception.message"]).toEqual(expect.any(String));
    expect(exception.attributes["exception.stacktrace"].split("\n").length).toBeGreaterThan(2);

    const payment = failed.find((span) => span.service === "payment-service" && span.kind === "SERVER");
    expect(payment.attributes["http.response.status_code"]).toBe(502);
    const root = spans.find((span) => span.traceId === payment.traceId && span.parentSpanId === null);
    expect(root).toMatchObject({ service: "web-frontend", status: { code: "ERROR" } });
    expect(root.attributes["http.response.status_code"]).toBe(500);

    const redisTimeout = failed.find((span) => span.attributes["db.system.name"] === "redis");
    expect(redisTimeout.durationMs).toBeGreaterThanOrEqual(500);
  });

  it("has LLM spans from OpenAI and Anthropic with models, token counts and finish reasons", () => {
    const chats = spans.filter((span) => span.attributes["gen_ai.operation.name"] === "chat");
    const answered = chats.filter((span) => span.status.code !== "ERROR");
    expect(new Set(answered.map((span) => span.attributes["gen_ai.provider.name"]))).toEqual(
      new Set(["openai", "anthropic"]),
    );
    for (const span of answered) {
      expect(span.kind).toBe("CLIENT");
      expect(span.attributes["gen_ai.system"]).toBe(span.attributes["gen_ai.provider.name"]);
      expect(span.attributes["gen_ai.request.model"]).toMatch(/^(gpt-4o-mini|claude-sonnet-4-5)$/);
      expect(span.attributes["gen_ai.response.model"]).toEqual(expect.any(String));
      expect(span.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
      expect(span.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
      expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual([expect.any(String)]);
      expect(typeof span.attributes["gen_ai.request.temperature"]).toBe("number");
      expect(Number.isInteger(span.attributes["gen_ai.request.max_tokens"])).toBe(true);
    }
    // Prompts are captured as attributes or, the older way, as events; some calls capture none.
    const prompts = answered.flatMap((span) => [
      ...(span.attributes["gen_ai.input.messages"] !== undefined
        ? [JSON.parse(span.attributes["gen_ai.input.messages"])[0].parts[0].content]
        : []),
      ...span.events.filter((event: any) => event.name === "gen_ai.user.message").map((e: any) => e.attributes.content),
    ]);
    expect(prompts.length).toBeGreaterThan(0);
    for (const prompt of prompts) expect(prompt).toEqual(expect.any(String));
  });

  it("has Postgres and Redis CLIENT spans with their statements", () => {
    const postgres = spans.filter((span) => span.attributes["db.system.name"] === "postgresql");
    const redis = spans.filter((span) => span.attributes["db.system.name"] === "redis");
    expect(postgres.length).toBeGreaterThan(0);
    expect(redis.length).toBeGreaterThan(0);
    for (const span of [...postgres, ...redis]) expect(span.kind).toBe("CLIENT");
    expect(
      postgres.some((span) => /\bFROM\b[\s\S]*\bJOIN\b[\s\S]*\bWHERE\b/.test(span.attributes["db.query.text"])),
    ).toBe(true);
    expect(postgres[0].attributes).toMatchObject({
      "db.namespace": "shop",
      "server.address": "localhost",
      "db.operation.name": expect.any(String),
      "db.collection.name": expect.any(String),
    });
    expect(redis.some((span) => /^GET cart:\d+$/.test(span.attributes["db.query.text"]))).toBe(true);
    const slow = postgres.filter((span) => span.durationMs >= 1_000 && span.durationMs <= 2_000);
    expect(slow.length).toBeGreaterThan(0);
  });

  it("has events, links, an outside call and attributes of every type", () => {
    expect(spans.some((span) => span.events.some((event: any) => event.name === "cache miss"))).toBe(true);
    expect(spans.some((span) => span.links.length > 0)).toBe(true);
    expect(spans.some((span) => span.attributes["server.address"] === "api.stripe.com")).toBe(true);
    const values = spans.flatMap((span) => Object.values(span.attributes));
    expect(values.some((value) => typeof value === "string")).toBe(true);
    expect(values.some((value) => Number.isInteger(value))).toBe(true);
    expect(values.some((value) => typeof value === "number" && !Number.isInteger(value))).toBe(true);
    expect(values.some((value) => typeof value === "boolean")).toBe(true);
    expect(values.some((value) => Array.isArray(value) && value.every((item) => typeof item === "string"))).toBe(true);
    const batch = spans.filter((span) => span.service === "inventory-sync");
    expect(batch.length).toBeGreaterThanOrEqual(100);
  });
});

describe("runDemoTraffic stops", () => {
  it("when its duration has passed, not at the last trace that arrived within it", async () => {
    const local = await startTestApp();
    try {
      const started = Date.now();
      // One trace at the start; at this rate the next would come minutes later.
      const result = await runDemoTraffic({
        url: local.base,
        durationMs: 800,
        rate: 0.01,
        random: () => 0.5,
        signals: false,
        codeMonitoring: false,
      });
      expect(result.traces).toBe(1);
      expect(result.elapsedMs).toBeGreaterThanOrEqual(800);
      expect(Date.now() - started).toBeGreaterThanOrEqual(800);
      expect(result.elapsedMs).toBeLessThan(5_000);
    } finally {
      await local.close();
    }
  });

  it("when its signal aborts, and still delivers what it generated", async () => {
    const local = await startTestApp();
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 400);
      const started = Date.now();
      const result = await runDemoTraffic({ url: local.base, durationMs: 0, rate: 30, signal: controller.signal });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(result.traces).toBeGreaterThan(0);
      const health = await readJson(fetch(`${local.base}/api/health`));
      expect(health.counts.spans).toBe(result.spans);
    } finally {
      await local.close();
    }
  });
});
