import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("span values sent as bytes in Chromium", () => {
  const suite = useAppInChromium();

  it("says an attribute of a span, an event or a link sent as bytes is bytes, beside its base64 text", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const spanId = newSpanId();
    const request = jsonTraceRequest("binary", [
      { traceId, spanId, name: "upload", attributes: { "as.text": "3q2+7w==" } },
    ]);
    const span = (request as any).resourceSpans[0].scopeSpans[0].spans[0];
    span.attributes.push({ key: "payload", value: { bytesValue: "3q2+7w==" } });
    span.events = [
      {
        name: "chunk",
        timeUnixNano: span.startTimeUnixNano,
        attributes: [{ key: "chunk", value: { bytesValue: "AQ==" } }],
      },
    ];
    span.links = [{ traceId, spanId, attributes: [{ key: "token", value: { bytesValue: "AAE=" } }] }];
    expect((await postJson(app.base, request)).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}?span=${spanId}`);
    const details = page.getByTestId("span-details");
    const payload = details.locator('[data-attr-key="payload"]');
    await expect.poll(() => payload.getByTestId("bytes-note").textContent()).toBe("base64 of 4 bytes");
    expect(await payload.locator(".tv-attr-value").textContent()).toBe("base64 of 4 bytes3q2+7w==");
    // The same text sent as a string says nothing of bytes.
    expect(await details.locator('[data-attr-key="as.text"]').getByTestId("bytes-note").count()).toBe(0);
    const chunk = details.locator('[data-event-attr-key="chunk"]');
    expect(await chunk.getByTestId("bytes-note").textContent()).toBe("base64 of 1 byte");
    const token = details.locator('[data-link-attr-key="token"]');
    expect(await token.getByTestId("bytes-note").textContent()).toBe("base64 of 2 bytes");
    expect(problems).toEqual([]);
    await page.close();
  });
});
