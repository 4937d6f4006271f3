/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("a link to a stored trace that does not hold its span, in Chromium", () => {
  const suite = useAppInChromium();

  it("says the span is not in that trace, rather than read as the trace's root", async () => {
    const { app, browser } = suite;
    const checkout = { traceId: newTraceId(), spanId: newSpanId() };
    await postJson(app.base, jsonTraceRequest("shop-web", [{ ...checkout, name: "POST /checkout", kind: 2 }]));
    const job = { traceId: newTraceId(), root: newSpanId() };
    const absent = newSpanId();
    const request = jsonTraceRequest("mailer", [{ traceId: job.traceId, spanId: job.root, name: "send receipts" }]) as {
      resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
    };
    request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.links = [
      { traceId: checkout.traceId, spanId: absent },
      { traceId: checkout.traceId, spanId: checkout.spanId },
    ];
    expect((await postJson(app.base, request)).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${job.traceId}?span=${job.root}`);
    const targets = page.getByTestId("span-details").getByTestId("link-target");
    // The first read "POST /checkout in shop-web", as if it were the request's own span.
    await expect
      .poll(() => targets.allTextContents())
      .toEqual(["a span not in the stored trace POST /checkout in shop-web", "POST /checkout in shop-web"]);
    // Opened, the trace says the span is not in it.
    await page.getByRole("link", { name: `${checkout.traceId} / span ${absent}` }).click();
    await page.waitForURL(`**/traces/${checkout.traceId}?span=${absent}`);
    await expect.poll(() => page.getByText(/is not in this trace/).count()).toBe(1);
    await page.close();
    expect(problems).toEqual([]);
  });
});
