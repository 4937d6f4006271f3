/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();
const MS = 1_000_000n;

/** A call as a TraceKit SDK's OpenAI instrumentation records it: 12 tokens in, 5 out (about $0.0000048). */
function cheapCall(startMs: number, traceId = newTraceId()) {
  const root = newSpanId();
  const t0 = BigInt(startMs) * MS;
  return jsonTraceRequest("llm-svc", [
    { traceId, spanId: root, name: "GET /ask", kind: 2, startNs: t0, durationNs: 20n * MS },
    {
      traceId,
      parentSpanId: root,
      name: "chat gpt-4o-mini",
      kind: 3,
      startNs: t0 + MS,
      durationNs: 12n * MS,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 5,
      },
    },
  ]);
}

describe.skipIf(!available)("the LLM page's cost axis, in Chromium", () => {
  const suite = useAppInChromium();

  it("is wide enough for a cheap call's labels ($0.000010), not cut at the chart's left edge", async () => {
    const { app, browser } = suite;
    const now = Date.now();
    await postJson(app.base, cheapCall(now - 500));
    await postJson(app.base, cheapCall(now));
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/llm`);
    const chart = page.getByTestId("llm-chart-model");
    await chart.locator(".u-over").waitFor();
    // The plot starts where the value axis ends: past the widest label drawn in the axis font, and its tick.
    const fit = await chart.evaluate((element) => {
      const over = element.querySelector(".u-over") as HTMLElement;
      const ctx = document.createElement("canvas").getContext("2d") as CanvasRenderingContext2D;
      ctx.font = `11px ${getComputedStyle(document.body).fontFamily}`;
      return { axis: over.offsetLeft, label: ctx.measureText("$0.000010").width };
    });
    expect(fit.axis).toBeGreaterThanOrEqual(fit.label + 4 + 5);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("writes a cheap call's cost with its digits, as the axis does, on the page and in the trace header", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    await postJson(app.base, cheapCall(Date.now(), traceId));
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/llm`);
    await page.getByTestId("llm-chart-model").locator(".u-over").waitFor();
    await expect.poll(() => page.locator("body").innerText()).toContain("$0.0000048");
    expect(await page.locator("body").innerText()).not.toContain("<$");
    await page.goto(`${app.base}/traces/${traceId}`);
    await expect.poll(() => page.getByTestId("llm-totals").innerText()).toContain("$0.0000048");
    await page.close();
    expect(problems).toEqual([]);
  });
});
