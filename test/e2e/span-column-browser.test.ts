import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("the waterfall's span column in Chromium", () => {
  const suite = useAppInChromium();

  it("fits the widest of 3,000 distinct names whole, and is not much wider", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const root = newSpanId();
    const start = 1_700_000_000_000_000_000n;
    const spans = [
      { traceId, spanId: root, name: "GET /report", kind: 2, startNs: start, durationNs: 4_000_000_000n },
      ...Array.from({ length: 3000 }, (_, i) => ({
        traceId,
        parentSpanId: root,
        // Names of every width, the widest last: Latin, then CJK and an emoji (measured by code point).
        name: `render section ${["", "WW", "日本語 😀 WW"][Math.floor(i / 1000)]} ${i}`,
        startNs: start + BigInt(i) * 1_000_000n,
        durationNs: 500_000n,
      })),
    ];
    for (let i = 0; i < spans.length; i += 1000) {
      expect((await postJson(app.base, jsonTraceRequest("report-service", spans.slice(i, i + 1000)))).status).toBe(200);
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}`);
    await page.locator("[data-span-id]").first().waitFor();
    // The widest rows are last: scroll the waterfall to its end.
    await page
      .locator("[data-span-id]")
      .first()
      .evaluate((row) => {
        const list = row.closest(".vlist") as HTMLElement;
        list.scrollTop = list.scrollHeight;
      });
    const last = page.getByText("render section 日本語 😀 WW 2999", { exact: true });
    await last.waitFor();
    const fit = await last.evaluate((name) => {
      const tree = name.closest(".tv-row-tree") as HTMLElement;
      const range = document.createRange();
      range.selectNodeContents(name);
      return {
        cut: name.scrollWidth - name.clientWidth,
        spare: tree.getBoundingClientRect().right - range.getBoundingClientRect().right,
      };
    });
    expect(fit.cut).toBe(0);
    // The column leaves room for the row's marks, not much more.
    expect(fit.spare).toBeLessThan(80);
    expect(problems).toEqual([]);
    await page.close();
  });
});
