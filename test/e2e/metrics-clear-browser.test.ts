/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { nodeMetricsBody, postTraceKitMetrics } from "../helpers/tracekit-metrics.js";

const available = chromiumAvailable();

describe.skipIf(!available)("the Metrics catalog with nothing stored (Chromium)", () => {
  const suite = useAppInChromium();

  it("says no metrics are stored yet after Clear, with the set-up hint, not that none matches", async () => {
    const points = Array.from({ length: 5 }, (_, k) => ({
      name: "cart.checkouts",
      type: "counter" as const,
      value: 1 + k,
      atMs: Date.now() - (4 - k) * 20_000,
    }));
    expect((await postTraceKitMetrics(suite.app.port, nodeMetricsBody("shop", points), "node")).status).toBe(200);
    const page = await suite.browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${suite.app.base}/metrics?metric=cart.checkouts`);
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    const catalog = page.getByRole("complementary", { name: "Metrics" });

    // A search that leaves every metric out: none matches.
    await page.getByLabel("Search metric names and descriptions").fill("nothing-like-this");
    await page.getByLabel("Search metric names and descriptions").press("Enter");
    await expect.poll(() => catalog.textContent()).toContain("No metric matches.");
    await page.getByLabel("Search metric names and descriptions").fill("");
    await page.getByLabel("Search metric names and descriptions").press("Enter");
    await catalog.locator(".catalog-row").first().waitFor();

    // Cleared: nothing is stored, which no search explains.
    expect((await fetch(`${suite.app.base}/api/traces`, { method: "DELETE" })).status).toBe(200);
    const empty = page.getByTestId("metric-catalog-empty");
    await expect.poll(() => empty.textContent(), { timeout: 10_000 }).toContain("No metrics yet");
    expect(await catalog.textContent()).not.toContain("No metric matches");
    await expect(
      empty.getByTestId("setup-hint").getByRole("link", { name: "Connect an app" }).getAttribute("href"),
    ).resolves.toBe("/setup");
    // The chart open when the store was cleared asks for its metric again, which is no longer stored (a 404).
    expect(problems.filter((problem) => !problem.includes("404"))).toEqual([]);
    await page.close();
  });
});
