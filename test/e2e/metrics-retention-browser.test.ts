/// <reference lib="dom" />
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { nodeMetricsBody, postTraceKitMetrics } from "../helpers/tracekit-metrics.js";

const available = chromiumAvailable();

describe.skipIf(!available)("Metrics that retention removed, in Chromium", () => {
  const suite = useAppInChromium();

  it("says why a linked metric is gone, counts what retention removed, and asks for nothing that is not there", async () => {
    const { app, browser } = suite;
    // The OTLP example's metrics, from 2018, answered 200 and stored...
    const example = readFileSync("test/fixtures/otlp-examples/metrics.json");
    const posted = await fetch(`${app.base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: example,
    });
    expect(posted.status).toBe(200);
    expect((await (await fetch(`${app.base}/api/metrics`)).json()).metrics).toHaveLength(4);
    // ...until a current point makes them more than a day older than the newest point stored.
    const now = nodeMetricsBody("shop", [
      { name: "shop.requests", type: "counter", value: 1, atMs: Date.now() - 1000 },
    ]);
    expect((await postTraceKitMetrics(app.port, now, "node")).status).toBe(200);
    const health = await (await fetch(`${app.base}/api/health`)).json();
    expect(health.counts.expiredMetricSeries).toBe(4);

    for (const width of [1280, 1024]) {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      const asked: string[] = [];
      page.on("request", (request) => {
        if (request.url().includes("/api/metrics/")) asked.push(request.url());
      });
      await page.goto(`${app.base}/metrics?metric=my.counter`);
      const gone = page.getByTestId("metric-expired");
      await gone.waitFor();
      await expect(gone.locator("h2").textContent()).resolves.toBe("my.counter was removed by retention");
      const why = (await gone.textContent()) ?? "";
      expect(why).toContain("2018-12-");
      expect(why).toContain("more than a day older than the newest metric point received");
      const summary = (await page.getByTestId("expired-series").textContent()) ?? "";
      expect(summary).toMatch(
        /^4 series were removed by retention \(all of my\.counter, my\.exponential\.histogram, my\.gauge and 1 more\)/,
      );
      expect(await page.getByTestId("metric-unknown").count()).toBe(0);
      // The removed metric's series is never asked for: no 404 in the console.
      expect(asked).toEqual([]);
      // A metric that is stored still opens from its link, fetched beside the app.
      await page.goto(`${app.base}/metrics?metric=shop.requests`);
      await page.locator('[data-metric="shop.requests"] [data-testid="metric-chart"]').waitFor();
      expect(asked).toHaveLength(1);
      expect(problems).toEqual([]);
      await page.close();
    }
  });
});
