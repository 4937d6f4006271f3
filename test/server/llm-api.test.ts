import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { sendUnknownCostCalls } from "../helpers/llm-calls.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const MS = 1_000_000n;

/** A trace with two priced calls, one unpriced, one failing, and a span that is no LLM call. */
async function sendCalls(app: TestApp, service: string, t0: bigint): Promise<string> {
  const traceId = newTraceId();
  const root = newSpanId();
  const call = (model: string, input: number, output: number, startMs: number, extra = {}) => ({
    traceId,
    parentSpanId: root,
    name: `chat ${model}`,
    kind: 3,
    startNs: t0 + BigInt(startMs) * MS,
    durationNs: 400n * MS,
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.response.model": model,
      "gen_ai.usage.input_tokens": input,
      "gen_ai.usage.output_tokens": output,
      ...extra,
    },
  });
  const response = await postJson(
    app.base,
    jsonTraceRequest(service, [
      { traceId, spanId: root, name: "POST /ask", startNs: t0, durationNs: 2_000n * MS },
      call("gpt-4o-2024-08-06", 1_000, 100, 10),
      call("gpt-4o-mini", 10_000, 1_000, 500),
      call("local-llama", 50, 5, 1_000, { "gen_ai.provider.name": "ollama" }),
      { ...call("gpt-4o", 100, 0, 1_500), statusCode: 2 },
      { traceId, parentSpanId: root, name: "SELECT", startNs: t0 + 5n * MS },
    ]),
  );
  expect(response.status).toBe(200);
  return traceId;
}

describe("GET /api/llm", () => {
  for (const store of ["memory", "sqlite"] as const) {
    it(`lists every call with its cost and totals per model and service (${store} store)`, async () => {
      const dir = tempDir();
      const app = await startTestApp(store === "sqlite" ? { db: join(dir.path, "llm.db") } : {});
      try {
        const t0 = BigInt(Date.now()) * MS;
        const traceId = await sendCalls(app, "assistant", t0);
        await sendCalls(app, "search", t0 + 10_000n * MS);
        await postJson(app.base, jsonTraceRequest("plain", [{ name: "GET /" }]));

        const body = await (await fetch(`${app.base}/api/llm`)).json();
        // gpt-4o: 1,000 × $2.50 + 100 × $10 = $0.0035; gpt-4o-mini: 10,000 × $0.15 + 1,000 × $0.60 = $0.0021;
        // the failing gpt-4o call: 100 × $2.50 = $0.00025; local-llama has no price. Two traces.
        expect(body.totals).toMatchObject({ key: "all", calls: 8, unpriced: 2, failed: 2 });
        expect(body.totals.usd).toBeCloseTo(2 * (0.0035 + 0.0021 + 0.00025), 10);
        expect(body.byModel.map((g: { key: string; calls: number }) => [g.key, g.calls])).toEqual([
          ["gpt-4o-2024-08-06", 2],
          ["gpt-4o-mini", 2],
          ["gpt-4o", 2],
          ["local-llama", 2],
        ]);
        expect(body.byModel[3]).toMatchObject({ usd: 0, unpriced: 2 });
        expect(body.byService.map((g: { key: string }) => g.key).sort()).toEqual(["assistant", "search"]);
        expect(body.calls).toHaveLength(8);
        expect(body.calls[0].service).toBe("search");
        expect(body.calls.at(-1)).toMatchObject({ traceId, service: "assistant", provider: "openai", durationMs: 400 });
        expect(body.calls.at(-1).cost).toMatchObject({ priceKey: "gpt-4o", inputTokens: 1_000, outputTokens: 100 });
        expect(body).toMatchObject({ pricesDate: "2025-10-01", tracesRead: 2, truncated: false });

        // The services with calls, for the page's picker ("plain" made none), however the list is filtered.
        expect(body.services).toEqual(["assistant", "search"]);
        const assistant = await (await fetch(`${app.base}/api/llm?service=assistant&limit=3`)).json();
        expect(assistant.totals.calls).toBe(4);
        expect(assistant.services).toEqual(["assistant", "search"]);
        const later = await (await fetch(`${app.base}/api/llm?since=${Date.now() + 60_000}`)).json();
        expect(later.services).toEqual([]);
        expect(assistant.calls).toHaveLength(3);
        const bad = await fetch(`${app.base}/api/llm?limit=0`);
        expect(bad.status).toBe(400);
      } finally {
        await app.close();
        dir.remove();
      }
    });
  }
});

describe("LLM calls that reported no usage", () => {
  for (const store of ["memory", "sqlite"] as const) {
    it(`are counted apart from calls of 0 tokens in /api/llm, the trace list and the trace (${store} store)`, async () => {
      const dir = tempDir();
      const app = await startTestApp(store === "sqlite" ? { db: join(dir.path, "llm.db") } : {});
      try {
        const traceId = newTraceId();
        const root = newSpanId();
        const t0 = BigInt(Date.now()) * MS;
        const chat = (startMs: number, extra: Record<string, number>) => ({
          traceId,
          parentSpanId: root,
          name: "chat gpt-4o-mini",
          kind: 3,
          startNs: t0 + BigInt(startMs) * MS,
          durationNs: 300n * MS,
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o-mini",
            ...extra,
          },
        });
        // The first call got a 429 from OpenAI: the span failed and reports no gen_ai.usage.* at all.
        const refused = { ...chat(10, {}), statusCode: 2 };
        const answered = chat(500, { "gen_ai.usage.input_tokens": 10_000, "gen_ai.usage.output_tokens": 1_000 });
        const response = await postJson(
          app.base,
          jsonTraceRequest("assistant", [
            { traceId, spanId: root, name: "POST /ask", startNs: t0, durationNs: 1_000n * MS },
            refused,
            answered,
          ]),
        );
        expect(response.status).toBe(200);

        const body = await (await fetch(`${app.base}/api/llm`)).json();
        // gpt-4o-mini: 10,000 × $0.15 + 1,000 × $0.60 = $0.0021; the refused call's cost is unknown.
        expect(body.totals).toMatchObject({ calls: 2, failed: 1, unpriced: 0, noUsage: 1, inputTokens: 10_000 });
        expect(body.totals.usd).toBeCloseTo(0.0021, 10);
        expect(body.byModel.map((g: { key: string; noUsage: number }) => [g.key, g.noUsage])).toEqual([
          ["gpt-4o-mini", 1],
        ]);
        expect(body.byService[0].noUsage).toBe(1);
        expect(
          body.calls.map((c: { failed: boolean; cost: { usageReported: boolean } }) => [
            c.failed,
            c.cost.usageReported,
          ]),
        ).toEqual([
          [false, true],
          [true, false],
        ]);

        const list = await (await fetch(`${app.base}/api/traces`)).json();
        expect(list.traces[0].llm).toEqual({
          calls: 2,
          inputTokens: 10_000,
          outputTokens: 1_000,
          usd: expect.closeTo(0.0021, 10),
          unpricedCalls: 0,
          noUsageCalls: 1,
          unpricedNoUsageCalls: 0,
        });

        const trace = await (await fetch(`${app.base}/api/traces/${traceId}`)).json();
        const costs = trace.spans
          .filter((s: { llmCost?: unknown }) => s.llmCost !== undefined)
          .map((s: { status: { code: string }; llmCost: { usageReported: boolean; usd: number } }) => [
            s.status.code,
            s.llmCost.usageReported,
          ]);
        expect(costs.sort()).toEqual([
          ["ERROR", false],
          ["UNSET", true],
        ]);
      } finally {
        await app.close();
        dir.remove();
      }
    });
  }
});

describe("A trace's LLM calls of unknown cost in the trace list", () => {
  for (const store of ["memory", "sqlite"] as const) {
    it(`say which calls without usage are unpriced too, at the prices in use (${store} store)`, async () => {
      const dir = tempDir();
      const app = await startTestApp(store === "sqlite" ? { db: join(dir.path, "llm.db") } : {});
      try {
        const traceId = await sendUnknownCostCalls(app.base);
        const list = await (await fetch(`${app.base}/api/traces`)).json();
        expect(list.traces[0]).toMatchObject({ traceId });
        // Two calls reported no usage; one of them (home-grown-7b) is unpriced too.
        expect(list.traces[0].llm).toEqual({
          calls: 3,
          inputTokens: 1000,
          outputTokens: 100,
          usd: expect.closeTo(0.0035, 10),
          unpricedCalls: 1,
          noUsageCalls: 2,
          unpricedNoUsageCalls: 1,
        });
      } finally {
        await app.close();
        dir.remove();
      }
    });
  }
});

describe("GET /api/llm over a window up to now", () => {
  it("charts the window up to now, the quiet minutes after the newest call too", async () => {
    const app = await startTestApp();
    try {
      const now = Date.now();
      // Calls 5 minutes ago, none since.
      await sendCalls(app, "assistant", BigInt(now - 5 * 60_000) * MS);
      const body = await (await fetch(`${app.base}/api/llm?since=${now - 15 * 60_000}`)).json();
      expect(body.totals.calls).toBe(4);
      const { startMs, stepMs, buckets } = body.timeline;
      expect(startMs).toBeLessThanOrEqual(now - 15 * 60_000);
      expect(startMs + buckets * stepMs).toBeGreaterThan(now);
      // Everything stored ends at the newest call, as does a window with its own end.
      const all = (await (await fetch(`${app.base}/api/llm`)).json()).timeline;
      expect(all.startMs + all.buckets * all.stepMs).toBeLessThan(now - 4 * 60_000);
      const until = now - 4 * 60_000;
      const closed = (await (await fetch(`${app.base}/api/llm?since=${now - 15 * 60_000}&until=${until}`)).json())
        .timeline;
      expect(closed.startMs + (closed.buckets - 1) * closed.stepMs).toBeLessThanOrEqual(until);
    } finally {
      await app.close();
    }
  });
});

/** An OTLP/JSON request of GenAI spans in one trace, each group under its own instrumentation scope. */
function scopedCalls(traceId: string, t0: bigint, scopes: [string, Record<string, string | number>[]][]) {
  let n = 0;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "assistant" } }] },
        scopeSpans: scopes.map(([name, calls]) => ({
          scope: { name, version: "1.0.0" },
          spans: calls.map((attributes) => {
            const start = t0 + BigInt(++n) * 100n * MS;
            return {
              traceId,
              spanId: newSpanId(),
              name: "chat",
              kind: 3,
              startTimeUnixNano: start.toString(),
              endTimeUnixNano: (start + 50n * MS).toString(),
              attributes: Object.entries(attributes).map(([key, value]) => ({
                key,
                value: typeof value === "string" ? { stringValue: value } : { intValue: String(value) },
              })),
            };
          }),
        })),
      },
    ],
  };
}

describe("GET /api/llm with prompt caches", () => {
  // claude-sonnet-4-5 per 1M tokens: $3 input, $0.30 cache reads, $3.75 cache writes (5-minute cache), $15 output.
  const anthropic = { "gen_ai.operation.name": "chat", "gen_ai.response.model": "claude-sonnet-4-5-20250929" };
  for (const store of ["memory", "sqlite"] as const) {
    it(`counts Anthropic's cache reads and writes into the input and prices each at its own rate (${store} store)`, async () => {
      const dir = tempDir();
      const db = join(dir.path, "llm.db");
      let app = await startTestApp(store === "sqlite" ? { db } : {});
      try {
        const traceId = newTraceId();
        const t0 = BigInt(Date.now()) * MS;
        const request = scopedCalls(traceId, t0, [
          [
            // The TraceKit Node SDK copies Anthropic's usage as it is: input_tokens without the cache's tokens.
            "@tracekit/node-apm",
            [
              {
                ...anthropic,
                "gen_ai.provider.name": "anthropic",
                "gen_ai.usage.input_tokens": 12,
                "gen_ai.usage.cache_read.input_tokens": 40_000,
                "gen_ai.usage.cache_creation.input_tokens": 0,
                "gen_ai.usage.output_tokens": 300,
              },
              {
                ...anthropic,
                "gen_ai.provider.name": "anthropic",
                "gen_ai.usage.input_tokens": 50,
                "gen_ai.usage.cache_creation.input_tokens": 2_000,
                "gen_ai.usage.output_tokens": 100,
              },
            ],
          ],
          [
            // OpenTelemetry's Anthropic instrumentation adds the three up, as the semantic conventions ask.
            "opentelemetry.instrumentation.anthropic",
            [
              {
                ...anthropic,
                "gen_ai.system": "anthropic",
                "gen_ai.usage.input_tokens": 40_312,
                "gen_ai.usage.cache_read.input_tokens": 40_000,
                "gen_ai.usage.cache_creation.input_tokens": 300,
                "gen_ai.usage.output_tokens": 300,
              },
            ],
          ],
        ]);
        expect((await postJson(app.base, request)).status).toBe(200);
        // 12 × 3 + 40,000 × 0.3 + 300 × 15 = 16,536 → $0.016536
        // 50 × 3 + 2,000 × 3.75 + 100 × 15 = 9,150 → $0.00915
        // 12 × 3 + 40,000 × 0.3 + 300 × 3.75 + 300 × 15 = 17,661 → $0.017661
        const usd = [0.016536, 0.00915, 0.017661];
        const total = 0.016536 + 0.00915 + 0.017661;
        const check = async () => {
          const body = await (await fetch(`${app.base}/api/llm`)).json();
          expect(body.totals).toMatchObject({
            calls: 3,
            inputTokens: 40_012 + 2_050 + 40_312,
            cachedInputTokens: 80_000,
            cacheWriteInputTokens: 2_300,
            outputTokens: 700,
          });
          expect(body.totals.usd).toBeCloseTo(total, 10);
          const calls = [...body.calls].reverse();
          expect(calls.map((call: { cost: { inputTokens: number } }) => call.cost.inputTokens)).toEqual([
            40_012, 2_050, 40_312,
          ]);
          calls.forEach((call: { cost: { usd: number } }, i: number) => {
            expect(call.cost.usd).toBeCloseTo(usd[i] as number, 10);
          });
          const list = await (await fetch(`${app.base}/api/traces`)).json();
          expect(list.traces[0].llm).toMatchObject({ calls: 3, inputTokens: 82_374, outputTokens: 700 });
          expect(list.traces[0].llm.usd).toBeCloseTo(total, 10);
          const trace = await (await fetch(`${app.base}/api/traces/${traceId}`)).json();
          const first = trace.spans.find(
            (span: { llmCost?: { inputTokens: number } }) => span.llmCost?.inputTokens === 40_012,
          );
          expect(first.llmCost).toMatchObject({ cachedInputTokens: 40_000, cacheWriteInputTokens: 0 });
          expect(first.llmCost.usd).toBeCloseTo(usd[0] as number, 10);
        };
        await check();
        if (store === "sqlite") {
          // Read back from the file: the trace list's stored totals and the LLM page's index built from the spans.
          await app.close();
          app = await startTestApp({ db });
          await waitForViews(app.base);
          await check();
        }
      } finally {
        await app.close();
        dir.remove();
      }
    });
  }
});

/** Waits until the LLM page's index has read every span the file held. */
async function waitForViews(base: string): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const body = await (await fetch(`${base}/api/llm`)).json();
    if (body.building === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the views were still building");
}
