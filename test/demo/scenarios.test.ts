import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { type ExportResult, ExportResultCode, hrTimeToMilliseconds } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { createDemoProviders } from "../../src/demo/providers.js";
import { createRandom, type RandomSource } from "../../src/demo/random.js";
import { createRecentSpans, createScenarioPicker, SCENARIOS, type Scenario } from "../../src/demo/scenarios.js";

/** Deterministic uniform numbers (mulberry32), so a failure reproduces. */
function seeded(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class CollectingExporter implements SpanExporter {
  constructor(private readonly into: ReadableSpan[]) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.into.push(...spans);
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const AT = Date.UTC(2025, 0, 15, 9, 30);

/** Runs `scenario` `times` times through real providers; returns every span, grouped by trace. */
async function runScenario(scenario: Scenario, seed: number, times = 1): Promise<Map<string, ReadableSpan[]>> {
  const spans: ReadableSpan[] = [];
  const providers = createDemoProviders({ createExporter: () => new CollectingExporter(spans) });
  const random = createRandom(seeded(seed));
  const recent = createRecentSpans();
  for (let i = 0; i < times; i++) scenario.run({ tracers: providers, random, at: AT + i * 1000, recent });
  await providers.close();
  const traces = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    const traceId = span.spanContext().traceId;
    traces.set(traceId, [...(traces.get(traceId) ?? []), span]);
  }
  return traces;
}

const service = (span: ReadableSpan) => span.resource.attributes["service.name"];

describe.each(SCENARIOS.map((scenario) => ({ name: scenario.name, scenario })))("scenario $name", ({ scenario }) => {
  it("lays out whole, well-formed traces", async () => {
    const traces = await runScenario(scenario, 7, 20);
    expect(traces.size).toBe(20);
    for (const spans of traces.values()) {
      const isBatchJob = scenario.name.includes("batch");
      expect(spans.length).toBeGreaterThanOrEqual(isBatchJob ? 100 : 3);
      expect(spans.length).toBeLessThanOrEqual(isBatchJob ? 1_000 : 40);
      const ids = new Set(spans.map((span) => span.spanContext().spanId));
      const roots = spans.filter((span) => span.parentSpanContext === undefined);
      expect(roots).toHaveLength(1);
      const root = roots[0] as ReadableSpan;
      for (const span of spans) {
        if (span !== root) expect(ids.has(span.parentSpanContext?.spanId ?? "")).toBe(true);
        const start = hrTimeToMilliseconds(span.startTime);
        expect(hrTimeToMilliseconds(span.endTime)).toBeGreaterThanOrEqual(start);
        expect(start).toBeGreaterThanOrEqual(AT);
        expect(span.resource.attributes["deployment.environment.name"]).toBe("development");
        expect(span.resource.attributes["telemetry.sdk.language"]).toBe("nodejs");
      }
      expect(hrTimeToMilliseconds(root.startTime)).toBeLessThan(AT + 20 * 1000);
    }
  });
});

describe("scenario mix", () => {
  it("shows every scenario in the first round, then keeps to the weights", () => {
    const pick = createScenarioPicker(createRandom(seeded(3)));
    const firstRound = SCENARIOS.map(() => pick());
    expect(new Set(firstRound).size).toBe(SCENARIOS.length);
    const counts = new Map<Scenario, number>();
    for (let i = 0; i < 5_000; i++) {
      const scenario = pick();
      counts.set(scenario, (counts.get(scenario) ?? 0) + 1);
    }
    const totalWeight = SCENARIOS.reduce((sum, scenario) => sum + scenario.weight, 0);
    for (const scenario of SCENARIOS) {
      expect((counts.get(scenario) ?? 0) / 5_000).toBeCloseTo(scenario.weight / totalWeight, 1);
    }
  });

  it("a failing payment is an ERROR chain from Stripe up to the frontend's 500", async () => {
    const scenario = SCENARIOS.find((s) => s.name === "place order, payment fails") as Scenario;
    const [spans = []] = (await runScenario(scenario, 11)).values();
    const payment = spans.find((span) => service(span) === "payment-service" && span.kind === SpanKind.SERVER);
    expect(payment?.attributes["http.response.status_code"]).toBe(502);
    expect(payment?.status.code).toBe(SpanStatusCode.ERROR);
    const exception = payment?.events.find((event) => event.name === "exception");
    expect(exception?.attributes?.["exception.type"]).toBe("PaymentProviderError");
    expect(String(exception?.attributes?.["exception.stacktrace"]).split("\n").length).toBeGreaterThan(3);
    const root = spans.find((span) => span.parentSpanContext === undefined);
    expect(root?.attributes["http.response.status_code"]).toBe(500);
    expect(root?.status.code).toBe(SpanStatusCode.ERROR);
    // The CLIENT span in checkout-api is the parent of payment-service's SERVER span.
    const client = spans.find((span) => span.spanContext().spanId === payment?.parentSpanContext?.spanId);
    expect(client?.kind).toBe(SpanKind.CLIENT);
    expect(service(client as ReadableSpan)).toBe("checkout-api");
    expect(client?.attributes["peer.service"]).toBe("payment-service");
  });

  it("the email task's CONSUMER span in email-worker is a child of checkout-api's PRODUCER span", async () => {
    const scenario = SCENARIOS.find((s) => s.name === "place order") as Scenario;
    const [spans = []] = (await runScenario(scenario, 5)).values();
    const consumer = spans.find((span) => span.kind === SpanKind.CONSUMER);
    expect(service(consumer as ReadableSpan)).toBe("email-worker");
    expect(consumer?.attributes["celery.task_name"]).toBe("emails.send_order_confirmation");
    const producer = spans.find((span) => span.spanContext().spanId === consumer?.parentSpanContext?.spanId);
    expect(producer?.kind).toBe(SpanKind.PRODUCER);
    expect(producer?.attributes).toMatchObject({
      "messaging.system": "rabbitmq",
      "messaging.destination.name": "emails",
      "messaging.operation.type": "publish",
    });
  });

  it("the batch job links to orders placed before it", async () => {
    const spans: ReadableSpan[] = [];
    const providers = createDemoProviders({ createExporter: () => new CollectingExporter(spans) });
    const random = createRandom(seeded(9));
    const recent = createRecentSpans();
    const order = SCENARIOS.find((s) => s.name === "place order") as Scenario;
    const job = SCENARIOS.find((s) => s.name.includes("batch")) as Scenario;
    order.run({ tracers: providers, random, at: AT, recent });
    job.run({ tracers: providers, random, at: AT + 1000, recent });
    await providers.close();
    const root = spans.find((span) => span.name === "sync inventory");
    const producer = spans.find((span) => span.kind === SpanKind.PRODUCER);
    expect(root?.links.map((link) => link.context.spanId)).toEqual([producer?.spanContext().spanId]);
  });
});
