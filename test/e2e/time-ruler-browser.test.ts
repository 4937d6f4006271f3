/// <reference lib="dom" />

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();
const T0 = 1_700_000_000_000_000_000n;
const MS = 1_000_000n;

describe.skipIf(!available)("the trace page's time ruler, in Chromium", () => {
  const suite = useAppInChromium();

  it("never draws two tick labels over each other, at any width and trace duration", async () => {
    const { app, browser } = suite;
    const traces: { ms: number; traceId: string }[] = [];
    for (const ms of [400, 500, 730, 1000, 2500, 61_000]) {
      const traceId = newTraceId();
      const root = newSpanId();
      const spans = [
        { traceId, spanId: root, name: "request", startNs: T0, durationNs: BigInt(ms) * MS },
        { traceId, parentSpanId: root, name: "work", startNs: T0 + MS, durationNs: BigInt(ms / 2) * MS },
      ];
      expect((await postJson(app.base, jsonTraceRequest("ruler", spans))).status).toBe(200);
      traces.push({ ms, traceId });
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 600 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const overlaps: string[] = [];
    const check = async (where: string) => {
      const labels = await shownLabels(page);
      for (let i = 1; i < labels.length; i++) {
        if (labels[i]!.left - labels[i - 1]!.right < 4)
          overlaps.push(`${labels[i - 1]!.text}|${labels[i]!.text} ${where}`);
      }
      if (labels.length < 2) overlaps.push(`fewer than two labels ${where}`);
    };
    for (const viewport of [420, 800, 1280]) {
      await page.setViewportSize({ width: viewport, height: 600 });
      for (const { ms, traceId } of traces) {
        await page.goto(`${app.base}/traces/${traceId}`);
        await expect.poll(() => page.locator(".tv-tick").count()).toBeGreaterThan(1);
        await check(`on a ${ms} ms trace at ${viewport} px`);
        if (viewport !== 1280 || ms > 1000) continue;
        // Every width of the timeline a few pixels apart (as a wider tree column or another window
        // leaves it): where the ticks fall, and how many fit, changes with it.
        for (let width = 240; width <= 900; width += 6) {
          await page.locator(".tv-ruler").evaluate(async (ruler: HTMLElement, px) => {
            ruler.style.width = `${px}px`;
            for (let frame = 0; frame < 2; frame++) await new Promise((done) => requestAnimationFrame(done));
          }, width);
          await check(`on a ${ms} ms trace, the timeline ${width} px wide`);
        }
      }
    }
    expect(overlaps).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});

/** The tick labels shown (not hidden), left to right: where each one's text is drawn, as the reader sees it. */
function shownLabels(page: Page): Promise<{ text: string; left: number; right: number }[]> {
  return page.locator(".tv-tick").evaluateAll((ticks) =>
    ticks
      .flatMap((tick) => {
        const walker = document.createTreeWalker(tick, NodeFilter.SHOW_TEXT);
        const texts: Text[] = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) texts.push(node as Text);
        return texts.filter((text) => text.parentElement?.checkVisibility({ visibilityProperty: true }));
      })
      .map((text) => {
        const range = document.createRange();
        range.selectNodeContents(text);
        const rect = range.getBoundingClientRect();
        return { text: text.data, left: rect.left, right: rect.right };
      })
      .filter((box) => box.right > box.left)
      .sort((a, b) => a.left - b.left),
  );
}
