/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("a span's links, in Chromium", () => {
  const suite = useAppInChromium();

  it("names what each link points at: the linked trace and service, a span of this trace, or a trace not stored", async () => {
    const { app, browser } = suite;
    // The request that queued the job…
    const checkout = { traceId: newTraceId(), spanId: newSpanId() };
    await postJson(app.base, jsonTraceRequest("shop-web", [{ ...checkout, name: "POST /checkout", kind: 2 }]));
    // …and the job, in a trace of its own, linked to it, to a span of its own trace and to one never sent.
    const job = { traceId: newTraceId(), root: newSpanId(), batch: newSpanId() };
    const unknown = { traceId: newTraceId(), spanId: newSpanId() };
    const request = jsonTraceRequest("mailer", [
      { traceId: job.traceId, spanId: job.root, name: "send receipts", kind: 5 },
      { traceId: job.traceId, spanId: job.batch, parentSpanId: job.root, name: "render batch" },
    ]) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    const root = request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    root.links = [
      { ...checkout, attributes: [{ key: "messaging.operation", value: { stringValue: "receive" } }] },
      { traceId: job.traceId, spanId: job.batch },
      unknown,
    ];
    expect((await postJson(app.base, request)).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${job.traceId}?span=${job.root}`);
    const targets = page.getByTestId("span-details").getByTestId("link-target");
    // They read as ids alone before, the one not stored like the others.
    await expect
      .poll(() => targets.allTextContents())
      .toEqual(["POST /checkout in shop-web", "render batch in mailer", "a trace not stored here"]);
    // The first opens the queuing request on its span.
    await page.getByRole("link", { name: `${checkout.traceId} / span ${checkout.spanId}` }).click();
    await page.waitForURL(`**/traces/${checkout.traceId}?span=${checkout.spanId}`);
    await expect.poll(() => page.locator(".tv-details-title").textContent()).toBe("POST /checkout");
    await page.close();
    expect(problems).toEqual([]);
  });
});
