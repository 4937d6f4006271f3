/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)('the trace list\'s "N new" pill, in Chromium', () => {
  const suite = useAppInChromium();

  it("covers no column label, row, control or caption, and nothing moves when it comes", async () => {
    const { app, browser } = suite;
    const start = BigInt(Date.now() - 60_000) * 1_000_000n;
    const spans = Array.from({ length: 30 }, (_, i) => ({
      traceId: newTraceId(),
      name: `GET /api/orders/${i} with a fairly long trace name`,
      startNs: start + BigInt(i) * 1_000_000n,
      durationNs: 12_000_000n,
    }));
    expect((await postJson(app.base, jsonTraceRequest("payments-service", spans))).status).toBe(200);

    for (const [width, height] of [
      [1280, 800],
      [900, 700],
    ] as const) {
      const page = await browser.newPage({ viewport: { width, height } });
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      await page.goto(`${app.base}/`);
      await expect.poll(() => page.getByTestId("trace-count").textContent()).toMatch(/^\d+ traces$/);
      await page.locator('[data-connection="open"]').waitFor();
      await page.getByRole("button", { name: "Pause" }).click();
      const headerBefore = await page.locator(".trace-header-row").boundingBox();

      const late = newTraceId();
      const request = jsonTraceRequest("checkout", [
        { traceId: late, name: `late at ${width}`, startNs: BigInt(Date.now()) * 1_000_000n, durationNs: 1_000_000n },
      ]);
      expect((await postJson(app.base, request)).status).toBe(200);
      const pill = page.getByTestId("new-traces");
      await expect.poll(() => pill.textContent()).toBe("↑ 1 new trace");
      expect(await page.locator(".trace-header-row").boundingBox()).toEqual(headerBefore);

      // Whatever a user reads or presses on the page, the pill must leave uncovered.
      const covered = await pill.evaluate((element) => {
        const box = element.getBoundingClientRect();
        const overlaps = (other: DOMRect) =>
          other.width > 0 &&
          other.height > 0 &&
          other.left < box.right &&
          box.left < other.right &&
          other.top < box.bottom &&
          box.top < other.bottom;
        const found: string[] = [];
        const check = (selector: string) => {
          for (const other of document.querySelectorAll(selector)) {
            if (other === element || other.contains(element)) continue;
            if (overlaps(other.getBoundingClientRect())) found.push(`${selector}: ${other.textContent}`);
          }
        };
        check(".trace-header-row th");
        check(".trace-row");
        check(".list-toolbar :is(input, select, button, a, .list-count)");
        check(".latency-chart-bar > button");
        const caption = document.querySelector(".latency-chart-caption");
        if (caption !== null) {
          const range = document.createRange();
          range.selectNodeContents(caption);
          for (const rect of range.getClientRects()) if (overlaps(rect)) found.push(`caption: ${caption.textContent}`);
        }
        return found;
      });
      expect(covered).toEqual([]);

      // Pressed, it shows the trace that waited.
      await pill.click();
      await page.locator(`[data-trace-id="${late}"]`).waitFor();
      expect(await pill.count()).toBe(0);
      await page.close();
      expect(problems).toEqual([]);
    }
  });
});
