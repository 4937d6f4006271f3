/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();
/** 13 Dec 2018, the OTLP examples' time. */
const OLD_MS = 1_544_712_660_000;

/** Whether hovering down the plot's vertical line at `fraction` of its width finds a trace. */
async function traceUnder(page: Page, fraction: number): Promise<boolean> {
  const box = await page.locator('[data-testid="latency-chart"] .u-over').boundingBox();
  if (!box) throw new Error("the chart has no plot area");
  for (let y = 2; y < box.height; y += 6) {
    await page.mouse.move(box.x + box.width * fraction, box.y + y);
    if ((await page.getByTestId("latency-tooltip").count()) > 0) return true;
  }
  return false;
}

describe.skipIf(!available)("The latency chart beside one much older trace, in Chromium", () => {
  const suite = useAppInChromium();

  it("spans the current traces, and counts the old one at the edge, a click away", async () => {
    const { app, browser } = suite;
    const now = Date.now() - 70_000;
    // A minute of current traffic, four traces a second, and one trace from 2018.
    const spans = Array.from({ length: 240 }, (_, i) => ({
      traceId: newTraceId(),
      name: "GET /now",
      startNs: BigInt(now + i * 250) * 1_000_000n,
      durationNs: 40_000_000n,
    }));
    spans.push({
      traceId: newTraceId(),
      name: "GET /old",
      startNs: BigInt(OLD_MS) * 1_000_000n,
      durationNs: 40_000_000n,
    });
    expect((await postJson(app.base, jsonTraceRequest("shop", spans))).status).toBe(200);

    for (const width of [1280, 1024]) {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      await page.goto(`${app.base}/?service=shop`);
      await expect.poll(() => page.getByTestId("latency-caption").textContent()).toMatch(/^241 traces .*1 much older/);
      // The current traces spread over the axis (they were one column at its right edge, 2018 at its left).
      expect(await traceUnder(page, 0.25), "a trace a quarter of the way along").toBe(true);
      expect(await traceUnder(page, 0.5), "a trace half way along").toBe(true);
      const older = page.getByTestId("latency-off-axis-before");
      await expect(older.textContent()).resolves.toContain("1 older");
      expect(await page.getByTestId("latency-off-axis-after").count()).toBe(0);
      // Dragging a rectangle over the axis still filters to it: a window within the current minute.
      const box = await page.locator('[data-testid="latency-chart"] .u-over').boundingBox();
      if (!box) throw new Error("the chart has no plot area");
      await page.mouse.move(box.x + box.width * 0.3, box.y + 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
      await page.mouse.move(box.x + box.width * 0.7, box.y + box.height - 2, { steps: 5 });
      await page.mouse.up();
      await expect.poll(() => new URL(page.url()).searchParams.get("until")).not.toBeNull();
      const brushed = new URL(page.url()).searchParams;
      expect(Number(brushed.get("since"))).toBeGreaterThan(now);
      expect(Number(brushed.get("until"))).toBeLessThan(now + 60_000);
      await expect.poll(() => page.locator(".trace-row").count()).toBeGreaterThan(5);
      expect(await page.locator(".trace-row", { hasText: "GET /old" }).count()).toBe(0);
      // The old trace is a click away: the marker lists it alone.
      await page.goto(`${app.base}/?service=shop`);
      await older.click();
      await expect.poll(() => page.locator(".trace-row").count()).toBe(1);
      await expect(page.locator(".trace-row").first().textContent()).resolves.toContain("GET /old");
      const since = Number(new URL(page.url()).searchParams.get("since"));
      expect(since).toBeLessThanOrEqual(OLD_MS);
      expect(since).toBeGreaterThan(OLD_MS - 1000);
      expect(problems).toEqual([]);
      await page.close();
    }
  });
});

/** The tooltip's text for a trace down the plot's vertical line at `fraction` of its width, or null. */
async function traceTextUnder(page: Page, fraction: number): Promise<string | null> {
  return (await traceUnder(page, fraction)) ? page.getByTestId("latency-tooltip").textContent() : null;
}

/** `count` one-span traces named `name`, `stepMs` apart from `fromMs`, each lasting `durationMs`. */
function traces(name: string, count: number, fromMs: number, stepMs: number, durationMs: number) {
  return Array.from({ length: count }, (_, i) => ({
    traceId: newTraceId(),
    name,
    startNs: BigInt(Math.round(fromMs + i * stepMs)) * 1_000_000n,
    durationNs: BigInt(durationMs) * 1_000_000n,
  }));
}

describe.skipIf(!available)("The latency chart after a pause of minutes in live traffic, in Chromium", () => {
  const suite = useAppInChromium();

  it("plots the newest traces, sent minutes after a burst, and counts only a clock far ahead at the edge", async () => {
    const { app, browser } = suite;
    const now = Date.now();
    // A 20 s burst ten minutes ago (a demo run), then, while the page is open, traces sent by hand.
    const burst = traces("GET /burst", 120, now - 600_000, 160, 40);
    expect((await postJson(app.base, jsonTraceRequest("shop", burst))).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/?service=shop`);
    await expect
      .poll(() => page.getByTestId("latency-caption").textContent(), { timeout: 10_000 })
      .toMatch(/^120 traces /);
    // Eight minutes after the burst: 20 traces over the last 40 s, a few at a time, as they were sent.
    for (let batch = 0; batch < 4; batch++) {
      const spans = traces("GET /later", 5, now - 40_000 + batch * 10_000, 2_000, 300);
      expect((await postJson(app.base, jsonTraceRequest("shop", spans))).status).toBe(200);
    }
    const caption = () => page.getByTestId("latency-caption").textContent();
    // Live updates: the list takes the new traces in batches, later under the whole suite's load.
    await expect.poll(caption, { timeout: 10_000 }).toMatch(/^140 traces /);
    expect(await caption()).not.toMatch(/at the edge/);
    expect(await page.getByTestId("latency-off-axis-after").count()).toBe(0);
    expect(await page.getByTestId("latency-off-axis-before").count()).toBe(0);
    // The newest are plotted at the axis's newer end, the burst at its older end.
    expect(await traceTextUnder(page, 0.975)).toContain("GET /later");
    expect(await traceTextUnder(page, 0.03)).toContain("GET /burst");
    // The same on a fresh load, in a small window.
    await page.setViewportSize({ width: 800, height: 600 });
    await page.reload();
    await expect.poll(caption, { timeout: 10_000 }).toMatch(/^140 traces /);
    expect(await caption()).not.toMatch(/at the edge/);
    expect(await traceTextUnder(page, 0.975)).toContain("GET /later");
    // A host whose clock runs three hours ahead: its trace is counted at the newer edge, and the
    // axis still ends at the newest trace that has started.
    const ahead = traces("GET /ahead", 1, Date.now() + 3 * 3_600_000, 0, 300);
    expect((await postJson(app.base, jsonTraceRequest("shop", ahead))).status).toBe(200);
    await expect.poll(caption, { timeout: 10_000 }).toMatch(/^141 traces .*1 dated in the future at the edge/);
    await expect(page.getByTestId("latency-off-axis-after").textContent()).resolves.toContain("1 in the future");
    expect(await traceTextUnder(page, 0.975)).toContain("GET /later");
    expect(problems).toEqual([]);
    await page.close();
  });
});
