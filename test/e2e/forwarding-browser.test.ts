import { afterAll, describe, expect, it } from "vitest";
import { encodeExportResponseProtobuf } from "../../src/otlp/protobuf/status.js";
import { startUpstream } from "../forward/upstream.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();
// An upstream that refuses everything: each forwarded batch is dropped.
const upstream = await startUpstream();
upstream.behave(() => ({ status: 400, body: JSON.stringify({ code: 3, message: "tenant unknown" }) }));
// One that takes every batch but rejects some of its spans (OTLP's partial success).
const partial = await startUpstream();
partial.behave(() => ({
  status: 200,
  headers: { "Content-Type": "application/x-protobuf" },
  body: encodeExportResponseProtobuf(2, "span name too long"),
}));
// One that fails (503, retried): with a tiny queue bound, every batch is dropped for a full queue.
const failing = await startUpstream();
failing.behave(() => ({ status: 503, headers: { "Retry-After": "60" } }));
afterAll(() => Promise.all([upstream.close(), partial.close(), failing.close()]));

describe.skipIf(!available)("forwarding in Chromium", () => {
  const suite = useAppInChromium({ forward: [upstream.url], forwardTuning: { lingerMs: 10 } });

  it("shows a quiet notice when data was not forwarded, dismissed until more is dropped", async () => {
    const { app, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(app.base);
    // Before the first trace, the set-up page does not say that nothing leaves this machine: it names the upstream.
    await page.getByTestId("forwarding-intro").waitFor();
    expect((await page.getByTestId("onboarding").locator("p").first().textContent())?.replace(/\s+/g, " ")).toBe(
      `tracekit-local is listening for OpenTelemetry traces at ${app.base}. Point your app at it and its traces appear here as they happen; it was started with --forward and passes everything it receives on to ${upstream.url}.`,
    );
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

describe.skipIf(!available)("forwarding to an upstream that rejects some items, in Chromium", () => {
  const suite = useAppInChromium({ forward: [partial.url], forwardTuning: { lingerMs: 10 } });

  it("shows the items it rejected in the same notice, with its reason", async () => {
    const { app, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(app.base);
    const notice = page.getByTestId("forwarding-notice");
    await postJson(app.base, jsonTraceRequest("shop", [{ name: "GET /a" }, { name: "GET /b" }]));
    await expect.poll(() => notice.textContent()).toContain(`2 items rejected by ${partial.url}`);
    expect(await notice.textContent()).toContain("partial success: 2 rejected: span name too long");
    // Nothing was rejected here: what the upstream rejected is here only.
    expect(await notice.textContent()).toContain(
      "The items the upstream rejected are still here; its copy misses them.",
    );
    // Two spans with a bad id are rejected here, and forwarded too (requests go as received): the upstream
    // rejects them as well, so they are in neither place, and the notice does not say they are here.
    await postJson(
      app.base,
      jsonTraceRequest("shop", [
        { name: "GET /c" },
        { name: "GET /bad-1", spanId: "00" },
        { name: "GET /bad-2", spanId: "01" },
      ]),
    );
    await page.getByTestId("rejection-notice").waitFor();
    await expect.poll(() => notice.textContent()).toContain(`4 items rejected by ${partial.url}`);
    await expect.poll(() => notice.textContent()).toContain("they are in neither place");
    expect(await notice.textContent()).not.toContain("still here");
    await page.close();
    expect(problems).toEqual([]);
  });
});

describe.skipIf(!available)("forwarding to a failing upstream past the queue bound, in Chromium", () => {
  // Room for about one small batch: the one the upstream failed on waits (Retry-After: 60), the next pushes it out.
  const suite = useAppInChromium({ forward: [failing.url], forwardTuning: { lingerMs: 10, maxQueueBytes: 400 } });

  it("says the batches were dropped because the queue was full (its bound) while the upstream failed", async () => {
    const { app, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(app.base);
    const notice = page.getByTestId("forwarding-notice");
    await postJson(app.base, jsonTraceRequest("shop", [{ name: "GET /first" }]));
    await expect
      .poll(async () => (await (await fetch(`${app.base}/api/health`)).json()).forwarding.targets[0].retried)
      .toBe(1);
    for (const name of ["GET /q1", "GET /q2", "GET /q3"])
      await postJson(app.base, jsonTraceRequest("shop", [{ name }]));
    await expect.poll(() => notice.textContent()).toMatch(/\d+ batch(es)? not forwarded to /);
    expect(await notice.textContent()).toMatch(
      /dropped(, the oldest first,)? because the forwarding queue was full \(its bound, 400 B per upstream\) while the upstream failed\./,
    );
    expect(await notice.textContent()).toContain("Latest: HTTP 503");
    await page.close();
    expect(problems).toEqual([]);
  });
});
