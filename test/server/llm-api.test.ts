import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
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

        const assistant = await (await fetch(`${app.base}/api/llm?service=assistant&limit=3`)).json();
        expect(assistant.totals.calls).toBe(4);
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
