import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("retention in Chromium", () => {
  const suite = useAppInChromium({ maxSpans: 5 });

  it("says when late spans of evicted traces were dropped, with the bound to raise", async () => {
    const { app, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(app.base);
    const notice = page.getByTestId("late-spans-notice");
    const traceId = newTraceId();
    const root = newSpanId();
    await postJson(app.base, jsonTraceRequest("shop", [{ traceId, parentSpanId: root, name: "child" }]));
    for (let i = 0; i < 5; i++) await postJson(app.base, jsonTraceRequest("shop", [{ name: `other ${i}` }]));
    expect(await notice.count()).toBe(0);
    await postJson(app.base, jsonTraceRequest("shop", [{ traceId, spanId: root, name: "GET /late" }]));
    await expect.poll(() => notice.textContent()).toContain("1 late span of evicted traces dropped");
    expect(await notice.textContent()).toContain("--max-spans");
    // The late root never shows up as a trace of its own.
    expect(await page.getByText("GET /late").count()).toBe(0);
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    await expect.poll(() => notice.count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });
});
