import { afterAll, describe, expect, it } from "vitest";
import { startUpstream } from "../forward/upstream.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();
// An upstream that refuses everything: each forwarded batch is dropped.
const upstream = await startUpstream();
upstream.behave(() => ({ status: 400, body: JSON.stringify({ code: 3, message: "tenant unknown" }) }));
afterAll(() => upstream.close());

describe.skipIf(!available)("forwarding in Chromium", () => {
  const suite = useAppInChromium({ forward: [upstream.url], forwardTuning: { lingerMs: 10 } });

  it("shows a quiet notice when data was not forwarded, dismissed until more is dropped", async () => {
    const { app, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(app.base);
    const notice = page.getByTestId("forwarding-notice");
    await postJson(app.base, jsonTraceRequest("shop", [{ name: "GET /kept-here" }]));
    await expect.poll(() => notice.textContent()).toContain(`1 batch not forwarded to ${upstream.url}`);
    expect(await notice.textContent()).toContain("HTTP 400: tenant unknown");
    // The data itself is here.
    await expect.poll(() => page.getByText("GET /kept-here").count()).toBeGreaterThan(0);
    await notice.getByRole("button", { name: "Dismiss" }).click();
    expect(await notice.count()).toBe(0);
    await postJson(app.base, jsonTraceRequest("shop", [{ name: "GET /again" }]));
    await expect.poll(() => notice.textContent()).toContain("2 batches not forwarded");
    await page.close();
    expect(problems).toEqual([]);
  });
});
