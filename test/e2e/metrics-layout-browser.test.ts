/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { nodeMetricsBody, postTraceKitMetrics } from "../helpers/tracekit-metrics.js";

const available = chromiumAvailable();

const MANY_SERVICES = ["checkout-api", "email-worker", "inventory-sync", "payment-service", "support-assistant"];

/**
 * An OTel SDK's cumulative histogram export (OTLP/JSON) of one service: a point at each of `timesMs`
 * (a second ago by default), three more values each time.
 */
function histogramBody(service: string, name: string, unit: string, timesMs = [Date.now() - 1000]): string {
  const start = BigInt((timesMs[0] as number) - 60_000) * 1_000_000n;
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
                  dataPoints: timesMs.map((ms, i) => ({
                    startTimeUnixNano: String(start),
                    timeUnixNano: String(BigInt(ms) * 1_000_000n),
                    count: String(3 * (i + 1)),
                    sum: 0.6 * (i + 1),
                    bucketCounts: [String(i + 1), String(2 * (i + 1))],
                    explicitBounds: [0.1],
                  })),
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

/**
 * For each chart on the page: whether any label of its x axis reaches the canvas's left or right
 * edge (ink in its first or last 2 px columns below the plot), and whether the axis has any label at all.
 */
async function xAxisInk(page: Page) {
  return page.locator(".uplot").evaluateAll((roots) =>
    roots.map((root) => {
      const canvas = root.querySelector("canvas");
      const over = root.querySelector(".u-over");
      if (!(canvas instanceof HTMLCanvasElement) || !(over instanceof HTMLElement)) throw new Error("no chart");
      const ratio = canvas.width / canvas.getBoundingClientRect().width;
      // Below the plot and its 4 px ticks: the labels' rows only.
      const top = Math.ceil((over.offsetTop + over.offsetHeight + 6) * ratio);
      const ctx = canvas.getContext("2d");
      if (ctx === null || top >= canvas.height) throw new Error("no axis");
      const strip = ctx.getImageData(0, top, canvas.width, canvas.height - top);
      const inkAt = (x: number) => {
        for (let y = 0; y < strip.height; y++)
          if ((strip.data[(y * strip.width + x) * 4 + 3] as number) > 0) return true;
        return false;
      };
      const edge = Math.ceil(2 * ratio);
      let edges = false;
      for (let x = 0; x < edge; x++) edges ||= inkAt(x) || inkAt(strip.width - 1 - x);
      let any = false;
      for (let x = 0; x < strip.width && !any; x++) any = inkAt(x);
      return { edges, any };
    }),
  );
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
    // Its unit as its values are written ({token} as "tokens"), the unit as sent in the title.
    const unit = page.locator('.catalog-row[data-metric="gen_ai.client.token.usage"] .catalog-unit');
    await expect(unit.textContent()).resolves.toBe("tokens");
    await expect(unit.getAttribute("title")).resolves.toBe("unit as sent: {token}");
  });

  it("shows each line's whole label in the chart's tooltip, so lines that differ only at the end read apart", async () => {
    const now = Date.now();
    const start = BigInt(now - 120_000) * 1_000_000n;
    const series = ["metrics-cum", "metrics-delta"].flatMap((service) =>
      ["/a", "/b"].map((route) => ({ service, route })),
    );
    for (const { service, route } of series) {
      const status = await fetch(`${suite.app.base}/v1/metrics`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          resourceMetrics: [
            {
              resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
              scopeMetrics: [
                {
                  scope: { name: "layout-e2e" },
                  metrics: [
                    {
                      name: "demo.requests",
                      unit: "{request}",
                      sum: {
                        aggregationTemporality: 2,
                        isMonotonic: true,
                        dataPoints: [60_000, 30_000, 1_000].map((ago, i) => ({
                          startTimeUnixNano: String(start),
                          timeUnixNano: String(BigInt(now - ago) * 1_000_000n),
                          asInt: String(1000 * (i + 1)),
                          attributes: [
                            { key: "http.request.method", value: { stringValue: "GET" } },
                            { key: "http.route", value: { stringValue: route } },
                          ],
                        })),
                      },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      });
      expect(status.status).toBe(200);
    }
    await page.goto(`${suite.app.base}/metrics?metric=demo.requests&window=5m`);
    const over = page.locator('[data-testid="metric-chart"] .u-over').first();
    await over.waitFor();
    const box = await over.boundingBox();
    if (box === null) throw new Error("no chart");
    let rows = 0;
    for (let x = box.x + box.width * 0.6; x < box.x + box.width && rows < 4; x += 4) {
      await page.mouse.move(x, box.y + box.height / 2);
      rows = await page.locator(".chart-tooltip-label").count();
    }
    expect(rows).toBe(4);
    const labels = await page.locator(".chart-tooltip-label").evaluateAll((spans) =>
      spans.map((span) => ({
        text: span.textContent,
        cut: span.scrollWidth > span.clientWidth + 0.5 || span.scrollHeight > span.clientHeight + 0.5,
        width: span.getBoundingClientRect().width,
      })),
    );
    expect(labels.every((l) => !l.cut)).toBe(true);
    // Wrapped at spaces in a tooltip as wide as it may be, not squeezed into a column a few letters wide.
    expect(Math.min(...labels.map((l) => l.width))).toBeGreaterThan(150);
    // Named by what tells them apart: the method every line shares is said once, above the legend.
    expect(labels.map((l) => l.text).sort()).toEqual(
      series.map(({ service, route }) => `http.route=${route}, service.name=${service}`).sort(),
    );
    expect(await page.getByTestId("legend-shared").textContent()).toBe("all with http.request.method=GET");
  });

  it("says a young metric's data begins where a counter's first point counted from, not that the point arrived then", async () => {
    // An app that ran 10 minutes before this instance: its first point, a second ago, counts from its start.
    const now = Date.now();
    const status = await fetch(`${suite.app.base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "older-app" } }] },
            scopeMetrics: [
              {
                scope: { name: "layout-e2e" },
                metrics: [
                  {
                    name: "older.requests",
                    unit: "{request}",
                    sum: {
                      aggregationTemporality: 2,
                      isMonotonic: true,
                      dataPoints: [
                        {
                          startTimeUnixNano: String(BigInt(now - 10 * 60_000) * 1_000_000n),
                          timeUnixNano: String(BigInt(now - 1_000) * 1_000_000n),
                          asInt: "600",
                        },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(status.status).toBe(200);
    await page.goto(`${suite.app.base}/metrics?metric=older.requests&window=15m`);
    const note = page.getByTestId("metric-starts-at-data");
    await note.waitFor();
    await expect(note.textContent()).resolves.toMatch(/^This metric's data begins 10m ago: the chart starts there/);
  });

  it("keeps every time label of a chart inside it, at any width from 900 px, when a tick falls on its right edge", async () => {
    // A custom window ending on a whole minute: uPlot puts a tick (and centres its label) on the right edge.
    const to = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
    const from = to - 5 * 60_000;
    const times = Array.from({ length: 20 }, (_, i) => from + 10_000 + i * 14_000);
    const status = await fetch(`${suite.app.base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: histogramBody("edge-svc", "edge.duration", "s", times),
    });
    expect(status.status).toBe(200);
    for (const width of [900, 1000, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${suite.app.base}/metrics?metric=edge.duration&from=${from}&to=${to}`);
      await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
      // The line chart and, below it, the heatmap of the buckets.
      await page.locator('[data-testid="metric-heatmap"] canvas').waitFor();
      expect({ width, charts: await xAxisInk(page) }).toEqual({
        width,
        charts: [
          { edges: false, any: true },
          { edges: false, any: true },
        ],
      });
    }
  });
});
