/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

/** The channels (0–255) of a computed `rgb()`, `rgba()` or `color(srgb …)` colour, alpha last (1 when not given). */
function channels(color: string): [number, number, number, number] {
  const numbers = color.match(/[\d.]+/g)?.map(Number) ?? [];
  if (numbers.length < 3) throw new Error(`not an rgb colour: ${color}`);
  const [r = 0, g = 0, b = 0, a = 1] = numbers;
  // color-mix() computes to `color(srgb r g b / a)`, its channels from 0 to 1.
  const scale = color.startsWith("color(srgb") ? 255 : 1;
  return [r * scale, g * scale, b * scale, a];
}

/** How far apart the selection's colour, laid over the background, is from the background (0–255). */
function contrast(selection: string, background: string): number {
  const [r, g, b, a] = channels(selection);
  const under = channels(background);
  const over = [r, g, b].map((value, i) => value * a + (under[i] ?? 0) * (1 - a));
  return Math.max(...over.map((value, i) => Math.abs(value - (under[i] ?? 0))));
}

/** The selection's and the page's computed backgrounds while a rectangle is dragged on the chart. */
async function colorsWhileDragging(page: Page): Promise<{ selection: string; background: string }> {
  const plot = page.locator('[data-testid="latency-chart"] .u-over');
  const box = await plot.boundingBox();
  if (!box) throw new Error("the chart has no plot area");
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.8, { steps: 5 });
  const colors = await page.locator('[data-testid="latency-chart"] .u-select').evaluate((select) => ({
    width: select.clientWidth,
    selection: getComputedStyle(select).backgroundColor,
    background: getComputedStyle(document.body).backgroundColor,
  }));
  expect(colors.width, "the rectangle's width while dragged").toBeGreaterThan(20);
  await page.mouse.up();
  return colors;
}

describe.skipIf(!available)("the latency chart's dragged rectangle, in Chromium", () => {
  const suite = useAppInChromium();

  it("shows clearly on the light and the dark background", async () => {
    const { app, browser } = suite;
    const startMs = Date.now() - 60_000;
    for (let i = 0; i < 5; i++) {
      const request = jsonTraceRequest("brushed", [
        {
          traceId: newTraceId(),
          name: `GET /item/${i}`,
          startNs: BigInt(startMs + i * 1000) * 1_000_000n,
          durationNs: BigInt((i + 1) * 20) * 1_000_000n,
        },
      ]);
      expect((await postJson(app.base, request)).status).toBe(200);
    }
    for (const colorScheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      await page.goto(`${app.base}/?service=brushed`);
      await expect.poll(() => page.getByTestId("latency-caption").textContent()).toMatch(/^5 traces /);
      const { selection, background } = await colorsWhileDragging(page);
      // uPlot's own, rgba(0, 0, 0, 0.07), is 1.5 from the dark background: invisible.
      expect(contrast(selection, background), `${colorScheme}: ${selection} on ${background}`).toBeGreaterThan(25);
      expect(problems).toEqual([]);
      await context.close();
    }
  });
});
