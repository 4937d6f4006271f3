/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { nodeMetricsBody, postTraceKitMetrics } from "../helpers/tracekit-metrics.js";

const available = chromiumAvailable();

const MANY_SERVICES = ["checkout-api", "email-worker", "inventory-sync", "payment-service", "support-assistant"];

/** An OTel SDK's histogram export (OTLP/JSON) of one service, one point a second ago. */
function histogramBody(service: string, name: string, unit: string): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeMetrics: [
          {
            scope: { name: "layout-e2e" },
            metrics: [
              {
                name,
                unit,
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: [
                    {
                      startTimeUnixNano: String(now - 60_000_000_000n),
                      timeUnixNano: String(now - 1_000_000_000n),
                      count: "3",
                      sum: 0.6,
                      bucketCounts: ["1", "2"],
                      explicitBounds: [0.1],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

/**
 * Each text of a catalog row that does not show all of itself: its text, its width and its title.
 * Also those that lie outside their row (cut by the row's overflow).
 */
async function cutTexts(page: Page, metric: string) {
  return page.locator(`.catalog-row[data-metric="${metric}"]`).evaluate((row) => {
    const rowBox = row.getBoundingClientRect();
    const cut: { text: string; width: number; title: string | null; outside: boolean }[] = [];
    const leaves = [...row.querySelectorAll("span")].filter((span) => span.children.length === 0);
    for (const span of leaves) {
      const box = span.getBoundingClientRect();
      const outside = box.right > rowBox.right + 0.5 || box.left < rowBox.left - 0.5;
      if (span.scrollWidth > span.clientWidth || outside) {
        cut.push({ text: span.textContent ?? "", width: box.width, title: span.getAttribute("title"), outside });
      }
    }
    return cut;
  });
}

describe.skipIf(!available)("Metrics page layout in Chromium", () => {
  const suite = useAppInChromium();
  let page: Page;

  beforeEach(async () => {
    page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    return async () => {
      await page.close();
      expect(problems).toEqual([]);
    };
  });

  it("lays a catalog row out so its name, unit and services read: cut with an ellipsis and a title, never to a letter", async () => {
    const now = Date.now();
    // A TraceKit SDK's duration histogram: gauge points read as samples, its unit from the `unit` tag.
    const body = nodeMetricsBody(
      "checkout-api",
      [40, 20, 60].map((value, i) => ({
        name: "checkout.request.duration",
        type: "histogram" as const,
        value,
        atMs: now - 3_000 + i,
        tags: { unit: "ms" },
      })),
    );
    expect((await postTraceKitMetrics(suite.app.port, body, "node")).status).toBe(200);
    for (const service of MANY_SERVICES) {
      const status = await fetch(`${suite.app.base}/v1/metrics`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: histogramBody(service, "gen_ai.client.token.usage", "{token}"),
      });
      expect(status.status).toBe(200);
    }
    await page.goto(`${suite.app.base}/metrics`);
    const tracekitRow = page.locator('.catalog-row[data-metric="checkout.request.duration"]');
    await tracekitRow.waitFor();
    await page.locator('.catalog-row[data-metric="gen_ai.client.token.usage"]').waitFor();

    // The TraceKit metric's one service is there in full, as are its kind and unit.
    await expect(tracekitRow.textContent()).resolves.toContain("TraceKit samples");
    expect(await cutTexts(page, "checkout.request.duration")).toEqual([]);
    const service = tracekitRow.locator('[title="checkout-api"]');
    const serviceBox = await service.boundingBox();
    expect(serviceBox?.width).toBeGreaterThan(40);
    await expect(service.textContent()).resolves.toBe("checkout-api");

    // Five services: what does not fit ends in an ellipsis, the whole list in the title, never a letter.
    for (const cut of await cutTexts(page, "gen_ai.client.token.usage")) {
      expect(cut.outside).toBe(false);
      expect(cut.width).toBeGreaterThanOrEqual(60);
      expect(cut.title ?? "").toContain(cut.text);
    }
    const services = page.locator('.catalog-row[data-metric="gen_ai.client.token.usage"] [data-field="services"]');
    await expect(services.getAttribute("title")).resolves.toBe(MANY_SERVICES.join(", "));
    await expect(services.textContent()).resolves.toBe("checkout-api +4");
    await expect(
      page.locator('.catalog-row[data-metric="gen_ai.client.token.usage"]').textContent(),
    ).resolves.toContain("{token}");
  });
});
