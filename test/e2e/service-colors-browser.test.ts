/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { preferredColorSlot, serviceNameHash } from "../../src/domain/service-colors.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";
import { nodeMetricsBody, postTraceKitMetrics } from "../helpers/tracekit-metrics.js";

const available = chromiumAvailable();

/** A service name of the form `prefix-i` that wants the same palette slot as `other`. */
function nameWantingSlotOf(other: string, prefix: string): string {
  for (let i = 0; ; i++) {
    const name = `${prefix}-${i}`;
    if (name !== other && preferredColorSlot(name) === preferredColorSlot(other)) return name;
  }
}

async function sendTrace(base: string, service: string, offsetMs: number): Promise<void> {
  const startNs = BigInt(Date.now() - 60_000 + offsetMs) * 1_000_000n;
  const response = await postJson(base, jsonTraceRequest(service, [{ name: `GET /${service}`, kind: 2, startNs }]));
  expect(response.status).toBe(200);
}

/**
 * Per waterfall row (span id), the colour of its bar and of its bar in the trace overview: the canvas
 * pixel in the middle of the span's time, on its row (rows are drawn in waterfall order).
 */
const traceColors = (page: Page) =>
  page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="trace-minimap"] canvas')!;
    const context = canvas.getContext("2d")!;
    const ratio = canvas.width / canvas.clientWidth;
    const rows = [...document.querySelectorAll<HTMLElement>(".tv-row")];
    const cssHeight = canvas.height / ratio;
    const rowHeight = Math.max(1, Math.min(4, (cssHeight - 2) / Math.max(1, rows.length)));
    const rowStep = (cssHeight - 2 - rowHeight) / Math.max(1, rows.length - 1);
    return rows.map((row, index) => {
      const bar = row.querySelector<HTMLElement>(".tv-bar")!;
      const middle = (Number.parseFloat(bar.style.left) + Number.parseFloat(bar.style.width) / 2) / 100;
      const x = Math.floor(middle * canvas.width);
      const y = Math.floor((1 + index * rowStep + rowHeight / 2) * ratio);
      const [r, g, b] = context.getImageData(x, y, 1, 1).data;
      return {
        spanId: row.dataset.spanId ?? "",
        bar: getComputedStyle(bar).backgroundColor,
        overview: `rgb(${r}, ${g}, ${b})`,
      };
    });
  });

const dotColor = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((el) => getComputedStyle(el).backgroundColor, undefined, { timeout: 1000 });

describe.skipIf(!available)("service colours in Chromium", () => {
  const suite = useAppInChromium();

  it("draws a service in one colour on every page and in every browser, and never moves it for a newcomer", async () => {
    const { app, browser } = suite;
    // Newest first on the trace list, by name on the services page: drawn in opposite orders.
    await sendTrace(app.base, "alpha-api", 0);
    await sendTrace(app.base, "zeta-web", 1000);

    const colorsOn = async (path: string, read: (page: Page, service: string) => Promise<string>) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(8_000);
      const problems = collectPageProblems(page);
      await page.goto(`${app.base}${path}`);
      // Once both are drawn (the server's assignment comes over the live connection meanwhile).
      await expect.poll(async () => (await read(page, "alpha-api").catch(() => "")) !== "").toBe(true);
      await expect.poll(async () => (await read(page, "zeta-web").catch(() => "")) !== "").toBe(true);
      await page.waitForTimeout(300);
      const colors = { alpha: await read(page, "alpha-api"), zeta: await read(page, "zeta-web") };
      return { context, page, problems, colors };
    };
    const onList = await colorsOn("/", (page, service) =>
      dotColor(page, `[data-trace-id]:has-text("GET /${service}") .service-dot`),
    );
    const onServices = await colorsOn("/services", (page, service) =>
      dotColor(page, `.service-chip:has-text("${service}") .service-dot`),
    );
    const onMap = await colorsOn("/map", (page, service) =>
      page
        .locator(`[data-node-id="service:${service}"] .map-node-stripe`)
        .evaluate((el) => getComputedStyle(el).fill, undefined, { timeout: 1000 }),
    );
    expect(onList.colors.alpha).not.toBe(onList.colors.zeta);
    expect(onServices.colors).toEqual(onList.colors);
    expect(onMap.colors).toEqual(onList.colors);
    for (const opened of [onServices, onMap]) {
      await opened.context.close();
      expect(opened.problems).toEqual([]);
    }

    // A newcomer that wants zeta-web's colour gets another; zeta-web keeps its own, live and after a reload.
    const newcomer = nameWantingSlotOf("zeta-web", "late");
    await sendTrace(app.base, newcomer, 2000);
    const { page } = onList;
    const newcomerDot = `[data-trace-id]:has-text("GET /${newcomer}") .service-dot`;
    await page.locator(newcomerDot).waitFor();
    await expect.poll(() => dotColor(page, newcomerDot)).not.toBe(onList.colors.zeta);
    const zetaDot = '[data-trace-id]:has-text("GET /zeta-web") .service-dot';
    expect(await dotColor(page, zetaDot)).toBe(onList.colors.zeta);
    const newcomerColor = await dotColor(page, newcomerDot);
    await page.reload();
    await page.locator(newcomerDot).waitFor();
    await expect.poll(() => dotColor(page, newcomerDot)).toBe(newcomerColor);
    expect(await dotColor(page, zetaDot)).toBe(onList.colors.zeta);
    await onList.context.close();
    expect(onList.problems).toEqual([]);
  });

  it("draws the trace overview in the waterfall's colours, also when the server's assignment comes after it drew", async () => {
    const { app, browser } = suite;
    // shop-frontend takes its own slot first; shop-backend-n wants the same one and is given another.
    await sendTrace(app.base, "shop-frontend", 3000);
    const backend = nameWantingSlotOf("shop-frontend", "shop-backend");
    const traceId = newTraceId();
    const root = newSpanId();
    const startNs = BigInt(Date.now() - 30_000) * 1_000_000n;
    const ms = 1_000_000n;
    const front = [{ traceId, spanId: root, name: "GET /orders/1", kind: 2, startNs, durationNs: 100n * ms }];
    const back = [
      {
        traceId,
        parentSpanId: root,
        name: "GET /inventory/1",
        kind: 2,
        startNs: startNs + 10n * ms,
        durationNs: 80n * ms,
      },
    ];
    expect((await postJson(app.base, jsonTraceRequest("shop-frontend", front))).status).toBe(200);
    expect((await postJson(app.base, jsonTraceRequest(backend, back))).status).toBe(200);

    // The backend's colour by its name's own slot, as drawn before the assignment comes (learnt on the first load).
    let ownColor = "";
    for (const late of [true, false]) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      page.setDefaultTimeout(8_000);
      const problems = collectPageProblems(page);
      // Late: the live connection's messages (the assignment among them) are held until the page has drawn.
      let release = () => {};
      if (late) {
        const held: (string | Buffer)[] = [];
        let open = false;
        await page.routeWebSocket(/\/api\/live/, (socket) => {
          const server = socket.connectToServer();
          server.onMessage((message) => (open ? socket.send(message) : held.push(message)));
          release = () => {
            open = true;
            for (const message of held.splice(0)) socket.send(message);
          };
        });
      }
      await page.goto(`${app.base}/traces/${traceId}`);
      await page.locator(".tv-row .tv-bar").nth(1).waitFor();
      await page.waitForTimeout(300);
      if (late) {
        // Drawn so far in the names' own slots, both the overview and the waterfall.
        const before = await traceColors(page);
        expect(before.map((row) => row.overview)).toEqual(before.map((row) => row.bar));
        ownColor = before[1]!.bar;
        release();
      }
      // The backend's assigned colour is not its name's own: the case where a stale drawing shows.
      await expect.poll(async () => (await traceColors(page))[1]!.bar).not.toBe(ownColor);
      await expect.poll(async () => (await traceColors(page)).filter((row) => row.overview !== row.bar)).toEqual([]);
      const rows = await traceColors(page);
      expect(rows.map((row) => row.spanId)).toEqual([root, expect.any(String)]);
      expect(rows[0]!.bar).not.toBe(rows[1]!.bar);
      // The header's service chips and the rows' dots agree with the bars.
      for (const [index, service] of [
        [0, "shop-frontend"],
        [1, backend],
      ] as const) {
        expect(await dotColor(page, `.tv-row[data-span-id="${rows[index]!.spanId}"] .service-dot`)).toBe(
          rows[index]!.bar,
        );
        expect(
          await dotColor(page, `[data-testid="trace-services"] .tv-service-chip[title="${service}"] .service-dot`),
        ).toBe(rows[index]!.bar);
      }
      await context.close();
      expect(problems).toEqual([]);
    }
  });

  it("draws the LLM page's chart by service in the services' colours once the server's assignment comes", async () => {
    const { app, browser } = suite;
    // llm-writer takes its own slot first; llm-reader-n wants the same one and is given another.
    const reader = nameWantingSlotOf("llm-writer", "llm-reader");
    // The reader calls for more, so its line stands above the writer's where they differ.
    for (const [service, tokens] of [
      ["llm-writer", 1_000],
      [reader, 20_000],
    ] as const) {
      const traceId = newTraceId();
      const root = newSpanId();
      const startNs = BigInt(Date.now() - 10_000) * 1_000_000n;
      const ms = 1_000_000n;
      const spans = [
        { traceId, spanId: root, name: "POST /ask", kind: 2, startNs, durationNs: 900n * ms },
        {
          traceId,
          parentSpanId: root,
          name: "chat gpt-4o",
          kind: 3,
          startNs: startNs + ms,
          durationNs: 800n * ms,
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.response.model": "gpt-4o",
            "gen_ai.usage.input_tokens": tokens,
            "gen_ai.usage.output_tokens": 100,
          },
        },
      ];
      expect((await postJson(app.base, jsonTraceRequest(service, spans))).status).toBe(200);
    }

    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    const problems = collectPageProblems(page);
    // The live connection's messages (the assignment among them) are held until the page has drawn, and
    // the page's reloads after them too: the chart must follow the assignment itself, not a reload.
    const heldMessages: (string | Buffer)[] = [];
    let messagesOpen = false;
    let releaseMessages = () => {};
    await page.routeWebSocket(/\/api\/live/, (socket) => {
      const server = socket.connectToServer();
      server.onMessage((message) => (messagesOpen ? socket.send(message) : heldMessages.push(message)));
      releaseMessages = () => {
        messagesOpen = true;
        for (const message of heldMessages.splice(0)) socket.send(message);
      };
    });
    let loads = 0;
    const heldLoads: (() => Promise<void>)[] = [];
    await page.route(/\/api\/llm\b/, (route) => {
      if (loads++ === 0) return route.continue();
      heldLoads.push(() => route.continue());
    });
    await page.goto(`${app.base}/llm`);
    const chart = page.getByTestId("llm-chart-service");
    const swatchColor = (service: string) =>
      chart
        .locator(".llm-legend li", { hasText: service })
        .locator(".llm-swatch")
        .evaluate((el) => getComputedStyle(el).backgroundColor, undefined, { timeout: 1000 });
    // How many pixels of the chart's canvas are drawn in a colour (or near it: lines are antialiased).
    const linePixels = (color: string) =>
      chart.locator("canvas").evaluate((canvas: HTMLCanvasElement, rgb) => {
        const [r, g, b] = rgb.match(/\d+/g)!.map(Number) as [number, number, number];
        const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 0; i < data.length; i += 4) {
          const near = Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) < 30;
          if (near && data[i + 3] === 255) count++;
        }
        return count;
      }, color);
    const tableDot = (service: string) => `[data-testid="llm-by-service"] tr:has-text("${service}") .service-dot`;
    await chart.locator(".llm-legend li", { hasText: reader }).waitFor();
    await page.waitForTimeout(300);
    // Drawn so far in the names' own slots: the chart and the table agree.
    const ownColor = await swatchColor(reader);
    expect(await dotColor(page, tableDot(reader))).toBe(ownColor);
    expect(await swatchColor("llm-writer")).toBe(ownColor);
    expect(await linePixels(ownColor)).toBeGreaterThan(0);

    releaseMessages();
    // The reader's assigned colour is not its name's own: the case where a stale chart shows. (The
    // writer's may have moved too, if a service before it took its slot.)
    await expect.poll(() => dotColor(page, tableDot(reader))).not.toBe(ownColor);
    for (const service of [reader, "llm-writer"]) {
      const color = await dotColor(page, tableDot(service));
      await expect.poll(() => swatchColor(service)).toBe(color);
      // The line too, not only the legend.
      await expect.poll(() => linePixels(color)).toBeGreaterThan(0);
    }

    for (const load of heldLoads.splice(0)) await load();
    await page.unroute(/\/api\/llm\b/);
    await context.close();
    expect(problems).toEqual([]);
  });

  it("draws the Metrics page's chart by service in the services' colours once the server's assignment comes", async () => {
    const { app, browser } = suite;
    // metric-writer takes its own slot first; metric-reader-n wants the same one and is given another.
    const reader = nameWantingSlotOf("metric-writer", "metric-reader");
    const now = Date.now();
    for (const service of ["metric-writer", reader]) {
      await sendTrace(app.base, service, 0);
      const points = [3, 2, 1].map((ago, i) => ({
        name: "colour.requests",
        type: "counter" as const,
        value: 5 + i,
        atMs: now - ago * 1000,
      }));
      expect((await postTraceKitMetrics(app.port, nodeMetricsBody(service, points), "node")).status).toBe(200);
    }

    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    const problems = collectPageProblems(page);
    // The live connection's messages (the assignment among them) are held until the chart has drawn,
    // and its series' reloads after that too: the chart must follow the assignment itself.
    const heldMessages: (string | Buffer)[] = [];
    let messagesOpen = false;
    let releaseMessages = () => {};
    await page.routeWebSocket(/\/api\/live/, (socket) => {
      const server = socket.connectToServer();
      server.onMessage((message) => (messagesOpen ? socket.send(message) : heldMessages.push(message)));
      releaseMessages = () => {
        messagesOpen = true;
        for (const message of heldMessages.splice(0)) socket.send(message);
      };
    });
    let holdLoads = false;
    const heldLoads: (() => Promise<void>)[] = [];
    await page.route(/\/api\/metrics\/colour\.requests/, (route) => {
      if (!holdLoads) return route.continue();
      heldLoads.push(() => route.continue());
    });
    await page.goto(`${app.base}/metrics?metric=colour.requests&groupBy=service.name`);
    const swatchColor = (service: string) =>
      page
        .locator(`[data-testid="chart-legend"] .legend-row:has-text("${service}") .legend-swatch`)
        .evaluate((el) => getComputedStyle(el).backgroundColor, undefined, { timeout: 1000 });
    // A service's colour as the page's elements show it: the custom property the assignment sets
    // (named by the hash of the service's name).
    const pageColor = (service: string) =>
      page.evaluate(
        (property) => {
          const probe = document.createElement("span");
          probe.style.color = `var(${property}, transparent)`;
          document.body.append(probe);
          const color = getComputedStyle(probe).color;
          probe.remove();
          return color;
        },
        `--service-${serviceNameHash(service).toString(16).padStart(8, "0")}`,
      );
    await page.locator(`[data-testid="chart-legend"] .legend-row:has-text("${reader}")`).waitFor();
    holdLoads = true;
    await page.waitForTimeout(300);
    // Drawn so far in the names' own colours: both the same.
    const ownColor = await swatchColor(reader);
    expect(await swatchColor("metric-writer")).toBe(ownColor);

    releaseMessages();
    await expect.poll(() => pageColor(reader)).not.toBe("rgba(0, 0, 0, 0)");
    expect(await pageColor(reader)).not.toBe(ownColor);
    for (const service of [reader, "metric-writer"]) {
      const color = await pageColor(service);
      await expect.poll(() => swatchColor(service)).toBe(color);
    }

    for (const load of heldLoads.splice(0)) await load();
    await page.unroute(/\/api\/metrics\/colour\.requests/);
    await context.close();
    expect(problems).toEqual([]);
  });

  it("draws failing spans in the overview in the waterfall's error colour, after a theme switch too", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const root = newSpanId();
    const startNs = BigInt(Date.now() - 20_000) * 1_000_000n;
    const ms = 1_000_000n;
    const spans = [
      { traceId, spanId: root, name: "GET /pay", kind: 2, startNs, durationNs: 100n * ms },
      { traceId, parentSpanId: root, name: "charge", startNs: startNs + 10n * ms, durationNs: 80n * ms, statusCode: 2 },
    ];
    expect((await postJson(app.base, jsonTraceRequest("pay-api", spans))).status).toBe(200);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}`);
    await page.locator(".tv-row.error .tv-bar").waitFor();
    const mismatched = async () => (await traceColors(page)).filter((row) => row.overview !== row.bar);
    await expect.poll(mismatched).toEqual([]);
    const lightError = (await traceColors(page))[1]!.bar;
    // ◐ Auto → ☀ Light → ☾ Dark: the error colour changes, and the overview with it.
    await page.locator(".theme-toggle").click();
    await page.locator(".theme-toggle").click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await expect.poll(async () => (await traceColors(page))[1]!.bar).not.toBe(lightError);
    await expect.poll(mismatched).toEqual([]);
    await context.close();
    expect(problems).toEqual([]);
  });
});
