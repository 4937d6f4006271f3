/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("The latency chart of a single trace, in Chromium", () => {
  const suite = useAppInChromium();

  it("spans a second around the trace, and a brush across it is a window of that second", async () => {
    const { app, browser } = suite;
    const startMs = Date.now() - 60_000;
    const traceId = newTraceId();
    const request = jsonTraceRequest("solo", [
      { traceId, name: "GET /only", startNs: BigInt(startMs) * 1_000_000n, durationNs: 40_000_000n },
    ]);
    expect((await postJson(app.base, request)).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/?service=solo`);
    await expect.poll(() => page.getByTestId("latency-caption").textContent()).toMatch(/^1 trace /);
    const plot = page.locator('[data-testid="latency-chart"] .u-over');
    const box = await plot.boundingBox();
    if (!box) throw new Error("the chart has no plot area");
    // The trace's dot is in the middle of the time axis (it was at the far left of three years): the
    // pointer finds it somewhere on the plot's vertical centre line.
    let found = false;
    for (let y = 2; y < box.height && !found; y += 6) {
      await page.mouse.move(box.x + box.width / 2, box.y + y);
      found = (await page.getByTestId("latency-tooltip").count()) > 0;
    }
    expect(found, "a dot under the middle of the time axis").toBe(true);
    await page.mouse.move(box.x + 2, box.y + 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
    await page.mouse.move(box.x + box.width - 2, box.y + box.height - 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => new URL(page.url()).searchParams.get("until")).not.toBeNull();
    const params = new URL(page.url()).searchParams;
    const since = Number(params.get("since"));
    const until = Number(params.get("until"));
    expect(since).toBeLessThanOrEqual(startMs);
    expect(until).toBeGreaterThanOrEqual(startMs);
    expect(until - since, "the brushed window in ms").toBeLessThanOrEqual(1_100);
    await expect.poll(() => page.locator(".trace-row").count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });
});
