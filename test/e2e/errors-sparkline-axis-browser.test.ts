/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();
const MINUTE = 60_000_000_000n;

describe.skipIf(!available)("the Errors page's sparklines in Chromium", () => {
  const suite = useAppInChromium();

  it("with everything stored, share one time axis that spans the stored data, not the errors' own times", async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const span = (name: string, startNs: bigint, statusMessage?: string) =>
      jsonTraceRequest("shop-api", [
        { traceId: newTraceId(), name, startNs, ...(statusMessage ? { statusCode: 2, statusMessage } : {}) },
      ]);
    // The oldest trace stored, two hours ago, went well; the errors came in the last ten minutes.
    expect((await postJson(suite.app.base, span("GET /health", now - 120n * MINUTE))).status).toBe(200);
    for (const [at, message] of [
      [10n, "alpha failed"],
      [5n, "alpha failed"],
      [1n, "beta failed"],
    ] as const) {
      expect((await postJson(suite.app.base, span("GET /items", now - at * MINUTE, message))).status).toBe(200);
    }
    const page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${suite.app.base}/errors`);
    const sparks = page.locator(".error-spark");
    await expect.poll(() => sparks.count()).toBe(2);
    // Where each group's bars sit along its sparkline (0 its left edge, 1 its right).
    const places = await sparks.evaluateAll((svgs) =>
      svgs.map((svg) => {
        const width = Number(svg.getAttribute("width"));
        return [...svg.querySelectorAll("rect:not(.error-spark-base)")].map(
          (bar) => (Number(bar.getAttribute("x")) + Number(bar.getAttribute("width")) / 2) / width,
        );
      }),
    );
    // Two hours wide, ending now: the last ten minutes are the last twelfth of it, for both groups.
    expect(places.flat().length).toBeGreaterThanOrEqual(2);
    for (const place of places.flat()) expect(place).toBeGreaterThan(0.85);
    expect(problems).toEqual([]);
    await page.close();
  });
});
