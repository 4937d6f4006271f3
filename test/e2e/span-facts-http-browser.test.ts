/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { readJson } from "../helpers/http.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("a span's HTTP facts, in Chromium", () => {
  const suite = useAppInChromium();

  it("read status 0 (a browser request that got no response) as no response, coloured as a failure", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const [root, refused, notFound, ok] = [newSpanId(), newSpanId(), newSpanId(), newSpanId()];
    // As @opentelemetry/instrumentation-fetch writes a refused or CORS-blocked fetch: status code 0,
    // the span's status left unset.
    const client = (spanId: string, statusCode: number, path: string) => ({
      traceId,
      spanId,
      parentSpanId: root,
      name: "GET",
      kind: 3,
      attributes: {
        "http.request.method": "GET",
        "url.full": `http://localhost:8080${path}`,
        "http.response.status_code": statusCode,
      },
    });
    const response = await postJson(
      app.base,
      jsonTraceRequest("my-frontend", [
        { traceId, spanId: root, name: "checkout page" },
        client(refused, 0, "/api/cart"),
        client(notFound, 404, "/api/missing"),
        client(ok, 200, "/api/user"),
      ]),
    );
    expect(response.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const details = page.getByTestId("span-details");
    const status = details.locator(".tv-http-status");
    const colour = () => status.evaluate((el) => getComputedStyle(el).color);

    await page.goto(`${app.base}/traces/${traceId}?span=${notFound}`);
    await expect.poll(() => status.textContent()).toBe("404");
    const failureColour = await colour();
    await page.goto(`${app.base}/traces/${traceId}?span=${ok}`);
    await expect.poll(() => status.textContent()).toBe("200");
    const successColour = await colour();
    expect(failureColour).not.toBe(successColour);

    await page.goto(`${app.base}/traces/${traceId}?span=${refused}`);
    await expect.poll(() => status.textContent()).toBe("no response");
    expect(await details.locator(".tv-fact-line").first().textContent()).not.toContain("GET 0");
    expect(await status.getAttribute("title")).toBe(
      "Status 0: the request got no HTTP response (a network error, a refused connection, or a request blocked by CORS)",
    );
    const noResponseColour = await colour();
    expect(noResponseColour).not.toBe(successColour);
    expect(await status.evaluate((el) => el.classList.contains("error"))).toBe(true);

    // Display only: the span's status stays unset, so the trace counts no error.
    const list = await readJson(fetch(`${app.base}/api/traces`));
    expect(list.traces.find((t: { traceId: string }) => t.traceId === traceId).errorCount).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });
});
