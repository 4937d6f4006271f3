/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();
const MS = 1_000_000n;
const HOUR = 3_600_000n * MS;

describe.skipIf(!available)("a trace whose services' clocks differ, in Chromium", () => {
  const suite = useAppInChromium();

  it("flags the span whose times disagree with its calling span's, and says so beside the trace's duration", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const [root, call, pay] = [newSpanId(), newSpanId(), newSpanId()];
    const t0 = BigInt(Date.now() - 60_000) * MS;
    // frontend's 100 ms request calls payments, whose host's clock runs 3 h ahead.
    await postJson(
      app.base,
      jsonTraceRequest("frontend", [
        { traceId, spanId: root, name: "GET /checkout", kind: 2, startNs: t0, durationNs: 100n * MS },
        {
          traceId,
          spanId: call,
          parentSpanId: root,
          name: "POST payments",
          kind: 3,
          startNs: t0 + 10n * MS,
          durationNs: 80n * MS,
        },
      ]),
    );
    await postJson(
      app.base,
      jsonTraceRequest("payments", [
        {
          traceId,
          spanId: pay,
          parentSpanId: call,
          name: "POST /pay",
          kind: 2,
          startNs: t0 + HOUR * 3n + 15n * MS,
          durationNs: 70n * MS,
        },
      ]),
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}`);
    const badges = page.locator(".tv-skew");
    await expect.poll(() => badges.count()).toBe(1);
    expect(await badges.first().textContent()).toMatch(/^clock skew\? \+3h/);
    expect(await badges.first().getAttribute("title")).toContain(
      "after its calling span (frontend) ended: the two services' clocks may differ",
    );
    const duration = page.getByTestId("duration-skew");
    expect((await duration.textContent())?.replace(/\s+/g, " ")).toBe("Duration3h clock skew?");
    expect(await duration.getAttribute("title")).toContain(
      "1 span's times disagree with their parent's (the services' clocks may differ",
    );
    expect(await duration.getAttribute("title")).toContain("The root span took 100ms.");
    await page.close();
    expect(problems).toEqual([]);
  });
});
