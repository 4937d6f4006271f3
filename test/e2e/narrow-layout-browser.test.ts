/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonLogRequest, jsonTraceRequest, newSpanId, newTraceId, postJson, postLogs } from "../helpers/payloads.js";
import { nodeMetricsBody, postTraceKitMetrics } from "../helpers/tracekit-metrics.js";

const available = chromiumAvailable();

/** The width of the first element `selector` finds (0 when hidden). */
function widthOf(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .first()
    .evaluate((element) => element.getBoundingClientRect().width);
}

/** How far the page scrolls sideways: its content's width beyond the window's. */
function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe.skipIf(!available)("the pages in a narrow window (Chromium)", () => {
  const suite = useAppInChromium();
  let traceId: string;
  let otherTraceId: string;

  beforeAll(async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    traceId = newTraceId();
    const root = newSpanId();
    const long = "POST /api/v1/orders/checkout/confirm-payment-and-reserve-stock";
    expect(
      (
        await postJson(
          suite.app.base,
          jsonTraceRequest("storefront-web", [
            { traceId, spanId: root, name: long, kind: 2, startNs: now, durationNs: 90_000_000n },
            {
              traceId,
              parentSpanId: root,
              name: "chat gpt-4o-mini",
              kind: 3,
              startNs: now + 1_000_000n,
              durationNs: 40_000_000n,
              statusCode: 2,
              statusMessage: "the model provider answered 529 overloaded, try again later",
              attributes: {
                "gen_ai.operation.name": "chat",
                "gen_ai.system": "openai",
                "gen_ai.request.model": "gpt-4o-mini",
                "gen_ai.usage.input_tokens": 120,
                "gen_ai.usage.output_tokens": 0,
              },
            },
          ]),
        )
      ).status,
    ).toBe(200);
    otherTraceId = newTraceId();
    expect(
      (
        await postJson(
          suite.app.base,
          jsonTraceRequest("storefront-web", [
            { traceId: otherTraceId, name: long, kind: 2, startNs: now + 5_000_000n, durationNs: 60_000_000n },
          ]),
        )
      ).status,
    ).toBe(200);
    const records = Array.from({ length: 5 }, (_, i) => ({
      timeNs: now + BigInt(i) * 1_000_000n,
      body: `payment declined for order ${i} by the card issuer`,
      traceId,
    }));
    expect((await postLogs(suite.app.base, jsonLogRequest("storefront-web", records))).status).toBe(200);
    const points = Array.from({ length: 10 }, (_, k) => ({
      name: "orders.placed.total",
      type: "counter" as const,
      value: 2 + k,
      atMs: Date.now() - (9 - k) * 20_000,
    }));
    expect((await postTraceKitMetrics(suite.app.port, nodeMetricsBody("storefront-web", points), "node")).status).toBe(
      200,
    );
  });

  async function narrowPage(width: number): Promise<{ page: Page; problems: string[] }> {
    const page = await suite.browser.newPage({ viewport: { width, height: 800 } });
    page.setDefaultTimeout(15_000);
    return { page, problems: collectPageProblems(page) };
  }

  it("at 420 px the Logs page gives the message room and the header's names stay apart", async () => {
    const { page, problems } = await narrowPage(420);
    await page.goto(`${suite.app.base}/logs`);
    await page.locator(".log-row").first().waitFor();
    expect(await widthOf(page, ".log-row .log-col-body")).toBeGreaterThan(180);
    // The header's names do not overlap: each ends before the next begins.
    const header = await page.locator(".log-header-row > span").evaluateAll((cells) =>
      cells
        .map((cell) => cell.getBoundingClientRect())
        .filter((box) => box.width > 0)
        .map((box) => ({ left: box.left, right: box.right })),
    );
    expect(header.length).toBeGreaterThan(2);
    expect(header.slice(1).filter((box, i) => box.left < (header[i]?.right ?? 0))).toEqual([]);
    expect(await sidewaysScroll(page)).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("at 420 px an error group's title keeps the row's width, its count and times under it", async () => {
    const { page, problems } = await narrowPage(420);
    await page.goto(`${suite.app.base}/errors`);
    await page.getByTestId("error-group").first().waitFor();
    expect(await widthOf(page, ".error-group-main")).toBeGreaterThan(300);
    expect(await sidewaysScroll(page)).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("at 420 px the trace page shows its name and every action of its header on screen", async () => {
    const { page, problems } = await narrowPage(420);
    await page.goto(`${suite.app.base}/traces/${traceId}`);
    await page.getByTestId("trace-header").waitFor();
    expect(await widthOf(page, ".tv-title")).toBeGreaterThan(150);
    const actions = [
      page.getByTestId("trace-header").getByRole("button", { name: "Copy trace id" }),
      page.locator(".tv-header-id summary", { hasText: "Compare" }),
      page.getByTestId("trace-header").getByRole("link", { name: "JSON" }),
      page.getByTestId("trace-header").getByRole("link", { name: "Download" }),
    ];
    for (const action of actions) {
      const box = await action.boundingBox();
      expect(box).not.toBeNull();
      expect(box?.x).toBeGreaterThanOrEqual(0);
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(420);
    }
    expect(await sidewaysScroll(page)).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("at 420 px the trace list fits the window, its search box wide, a failing LLM trace's name clear of its service", async () => {
    const { page, problems } = await narrowPage(420);
    await page.goto(`${suite.app.base}/`);
    const row = page.locator(`.trace-row[data-trace-id="${traceId}"]`);
    await row.waitFor();
    expect(await sidewaysScroll(page)).toBe(0);
    expect(await widthOf(page, ".query-box")).toBeGreaterThan(300);
    expect(await widthOf(page, `.trace-row[data-trace-id="${traceId}"] .trace-name`)).toBeGreaterThan(100);
    // Whatever the name's column holds is drawn inside it, not over the service beside it.
    const [nameRight, serviceLeft] = await row.evaluate((element) => {
      const name = element.querySelector(".col-name") as HTMLElement;
      const service = element.querySelector(".col-service") as HTMLElement;
      const limit =
        getComputedStyle(name).overflowX === "visible" ? Number.POSITIVE_INFINITY : name.getBoundingClientRect().right;
      const drawn = [...name.querySelectorAll("*")].map((child) =>
        Math.min(child.getBoundingClientRect().right, limit),
      );
      return [Math.max(...drawn), service.getBoundingClientRect().left];
    });
    expect(nameRight).toBeLessThanOrEqual(serviceLeft);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("at 420 px the Metrics page puts the catalog above the chart, which has the window's width", async () => {
    const { page, problems } = await narrowPage(420);
    await page.goto(`${suite.app.base}/metrics?metric=orders.placed.total`);
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    expect(await widthOf(page, ".metric-main")).toBeGreaterThan(400);
    expect(await widthOf(page, '[data-testid="metric-chart"] .u-over')).toBeGreaterThan(250);
    expect(await page.locator(".catalog-row").count()).toBeGreaterThan(0);
    expect(await sidewaysScroll(page)).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("at 420 px Compare fits the window, the spans' names with room", async () => {
    const { page, problems } = await narrowPage(420);
    await page.goto(`${suite.app.base}/compare?a=${traceId}&b=${otherTraceId}`);
    await page.getByTestId("compare-row").first().waitFor();
    expect(await sidewaysScroll(page)).toBe(0);
    expect(await widthOf(page, '[data-testid="compare-row"] .cmp-name')).toBeGreaterThan(150);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("at 1280 px the rows keep every column", async () => {
    const { page, problems } = await narrowPage(1280);
    await page.goto(`${suite.app.base}/`);
    await page.locator(`.trace-row[data-trace-id="${traceId}"]`).waitFor();
    for (const column of [".col-spans", ".col-errors", ".col-start", ".duration-bar-track", ".trace-id"])
      expect(await widthOf(page, `.trace-row ${column}`)).toBeGreaterThan(0);
    await page.goto(`${suite.app.base}/logs`);
    await page.locator(".log-row").first().waitFor();
    for (const column of [".log-col-service", ".log-col-trace"])
      expect(await widthOf(page, `.log-row ${column}`)).toBeGreaterThan(0);
    await page.goto(`${suite.app.base}/compare?a=${traceId}&b=${otherTraceId}`);
    await page.getByTestId("compare-row").first().waitFor();
    expect(await widthOf(page, '[data-testid="compare-row"] .cmp-bars')).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
