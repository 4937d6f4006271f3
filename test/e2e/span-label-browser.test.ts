/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("spans named just an HTTP method, in Chromium", () => {
  const suite = useAppInChromium();

  it("are labelled with their route or host and path; the details keep the span's own name", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const [rootId, clientId] = [newSpanId(), newSpanId()];
    // OTLP kinds: 2 SERVER, 3 CLIENT (as the OpenTelemetry HTTP instrumentation names them: just the method)
    const response = await postJson(
      app.base,
      jsonTraceRequest("shop", [
        { traceId, spanId: rootId, name: "GET", kind: 2, attributes: { "http.route": "/orders/:id" } },
        {
          traceId,
          spanId: clientId,
          parentSpanId: rootId,
          name: "POST",
          kind: 3,
          attributes: { "url.full": "http://payments:3000/charge?id=7" },
        },
      ]),
    );
    expect(response.status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}?span=${clientId}`);
    const row = (id: string) => page.locator(`[data-span-id="${id}"] .tv-row-name`);
    await expect.poll(() => row(rootId).textContent()).toBe("GET /orders/:id");
    await expect.poll(() => row(clientId).textContent()).toBe("POST payments:3000/charge");
    await expect.poll(() => page.getByTestId("trace-header").textContent()).toContain("GET /orders/:id");
    const details = page.getByTestId("span-details");
    await expect.poll(() => details.locator(".tv-details-title").textContent()).toBe("POST payments:3000/charge");
    await expect.poll(() => details.locator(".tv-details-name").textContent()).toBe("span name POST");
    await page.close();
    expect(problems).toEqual([]);
  });
});
