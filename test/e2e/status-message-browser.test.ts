/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("a span's status message, in Chromium", () => {
  const suite = useAppInChromium();

  it("shows a message beside an OK or UNSET status plainly, and only an ERROR status's as a failure", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const [root, ok, unset] = [newSpanId(), newSpanId(), newSpanId()];
    const request = jsonTraceRequest("shop", [
      { traceId, spanId: root, name: "POST /buy", kind: 2, statusCode: 2, statusMessage: "card declined" },
      { traceId, spanId: ok, parentSpanId: root, name: "grpc call", kind: 3, statusCode: 1, statusMessage: "OK" },
      { traceId, spanId: unset, parentSpanId: root, name: "lookup" },
    ]) as { resourceSpans: { scopeSpans: { spans: { status: unknown }[] }[] }[] };
    const spans = request.resourceSpans[0]?.scopeSpans[0]?.spans ?? [];
    (spans[2] as { status: unknown }).status = { code: 0, message: "fine" };
    await postJson(app.base, request);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const look = async (spanId: string) => {
      await page.goto(`${app.base}/traces/${traceId}?span=${spanId}`);
      const message = page.getByTestId("span-details").locator(".tv-status-message");
      await message.waitFor();
      return message.evaluate((element) => {
        const style = getComputedStyle(element);
        const error = getComputedStyle(document.documentElement).getPropertyValue("--error").trim();
        const probe = document.createElement("span");
        probe.style.color = error;
        document.body.append(probe);
        const errorColor = getComputedStyle(probe).color;
        probe.remove();
        return { text: element.textContent, failure: style.color === errorColor };
      });
    };
    expect(await look(root)).toEqual({ text: "card declined", failure: true });
    expect(await look(ok)).toEqual({ text: "OK", failure: false });
    expect(await look(unset)).toEqual({ text: "fine", failure: false });
    await page.close();
    expect(problems).toEqual([]);
  });
});
