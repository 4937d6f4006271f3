/// <reference lib="dom" />
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { chromiumAvailable, collectPageProblems, launchChromium } from "../helpers/browser.js";
import { sdkMeter } from "../helpers/otel-metrics.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

/**
 * A shop: 6 GET /users/:id requests (2 failing), each reading the database, and 3 POST /orders
 * requests (1 failing), each calling payments over HTTP (the first call failing); and a job service
 * with 2 root INTERNAL spans and nothing else.
 */
async function sendShopTraffic(base: string): Promise<void> {
  const exporter = () => new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }));
  const shop = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "shop" }),
    spanProcessors: [exporter()],
  });
  const tracer = shop.getTracer("services-e2e");
  const now = Date.now() - 5_000;
  const request = (method: string, route: string, ms: number, failing: boolean, call: (parent: unknown) => void) => {
    const start = now + Math.random() * 1000;
    const root = tracer.startSpan(method, {
      kind: SpanKind.SERVER,
      startTime: start,
      attributes: { "http.request.method": method, "http.route": route, "url.path": route.replace(":id", "7") },
    });
    call(trace.setSpan(context.active(), root));
    if (failing) root.setStatus({ code: SpanStatusCode.ERROR, message: "failed" });
    root.end(start + ms);
  };
  for (let i = 0; i < 6; i++) {
    request("GET", "/users/:id", 10 * (i + 1), i < 2, (parent) => {
      const start = now + 1;
      tracer
        .startSpan(
          "SELECT users",
          {
            kind: SpanKind.CLIENT,
            startTime: start,
            attributes: { "db.system.name": "postgresql", "db.namespace": "shop" },
          },
          parent as ReturnType<typeof context.active>,
        )
        .end(start + 2);
    });
  }
  for (let i = 0; i < 3; i++) {
    request("POST", "/orders", 100, i === 0, (parent) => {
      const start = now + 1;
      const call = tracer.startSpan(
        "POST",
        {
          kind: SpanKind.CLIENT,
          startTime: start,
          attributes: {
            "http.request.method": "POST",
            "server.address": "payments.internal",
            "url.full": "http://payments.internal/charge",
          },
        },
        parent as ReturnType<typeof context.active>,
      );
      if (i === 0) call.setStatus({ code: SpanStatusCode.ERROR, message: "declined" });
      call.end(start + 50);
    });
  }
  await shop.forceFlush();
  await shop.shutdown();

  const job = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "nightly" }),
    spanProcessors: [exporter()],
  });
  for (let i = 0; i < 2; i++) job.getTracer("job").startSpan("rebuild-index", { kind: SpanKind.INTERNAL }).end();
  await job.forceFlush();
  await job.shutdown();

  // As the TraceKit Node SDK in an Express app: a SERVER span named by the path inside the HTTP
  // instrumentation's SERVER span, sent together in one batch.
  const express = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "express-app" }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }))],
  });
  const expressTracer = express.getTracer("http");
  for (let i = 0; i < 4; i++) {
    const root = expressTracer.startSpan("GET", { kind: SpanKind.SERVER, attributes: { "http.target": "/users/7" } });
    expressTracer.startSpan("GET /users/7", { kind: SpanKind.SERVER }, trace.setSpan(context.active(), root)).end();
    root.end();
  }
  await express.forceFlush();
  await express.shutdown();
}

describe.skipIf(!available)("Services page operations in Chromium", () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchChromium();
    await sendShopTraffic(app.base);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("shows each service's requests and its operations, entry and outgoing apart, and opens an operation's traces", async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/services?window=15m`);

    // Headline: 9 requests (entry spans) in 15 minutes, 3 failing; not the 18 spans with the database calls.
    const shop = page.locator('tr[data-service="shop"]');
    await shop.waitFor();
    const cells = await shop.locator("td").allTextContents();
    // 0.6 a minute, the busiest service: the whole column per hour, so every row reads in one unit.
    expect(cells[1]).toBe("36/h");
    expect(cells[2]).toBe("33%");
    expect(cells[7]).toBe("18");
    // A job without entry spans says its numbers are its root spans.
    await expect.poll(() => page.locator('tr[data-service="nightly"]').textContent()).toContain("root spans");
    // A sortable column's whole head cell sorts it, its corners too, not only its label.
    const p95 = page.locator(".services-table th").filter({ hasText: /^p95/i });
    const head = await p95.boundingBox();
    if (head === null) throw new Error("no P95 column");
    await page.mouse.click(head.x + 3, head.y + 3);
    await page.waitForURL(/[?&]sort=p95Ms/);
    expect(await p95.getAttribute("aria-sort")).not.toBe("none");
    await page.goBack();
    // Where headers wrap (a laptop's half screen), a one-line label's cell is taller than it: its top too.
    await page.setViewportSize({ width: 800, height: 900 });
    const p50 = page.locator(".services-table th").filter({ hasText: /^p50/i });
    const narrow = await p50.boundingBox();
    if (narrow === null) throw new Error("no p50 column");
    await page.mouse.click(narrow.x + narrow.width / 2, narrow.y + 2);
    await page.waitForURL(/[?&]sort=p50Ms/);
    await page.goBack();
    await page.setViewportSize({ width: 1400, height: 900 });
    // The error rate opens the traces of exactly the failed requests it counts.
    await shop.getByRole("link", { name: "33%" }).click();
    await page.waitForURL(/\/\?service=shop&q=/);
    expect(new URL(page.url()).searchParams.get("q")).toBe('service="shop" status=error (kind=server | kind=consumer)');
    // ...of the page's window: from the start of its first minute (spans count in the minute they started).
    const inWindow = (since: string | null) => {
      const ms = Number(since);
      return since !== null && ms % 60_000 === 0 && ms <= Date.now() - 15 * 60_000 && ms > Date.now() - 17 * 60_000;
    };
    expect(inWindow(new URL(page.url()).searchParams.get("since"))).toBe(true);
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(3);
    // So does the service's name.
    await page.goto(`${app.base}/services?window=15m`);
    await shop.getByRole("link", { name: "shop" }).click();
    await page.waitForURL(/\/\?service=shop&since=\d+$/);
    expect(inWindow(new URL(page.url()).searchParams.get("since"))).toBe(true);
    await page.goto(`${app.base}/services?window=15m`);
    await shop.waitFor();

    await shop.getByRole("button", { name: "Operations of shop" }).click();
    await page.waitForURL("**/services?window=15m&service=shop");
    const entry = page.getByTestId("entry-operations");
    const outgoing = page.getByTestId("outgoing-operations");
    await entry.locator("tr[data-operation]").first().waitFor();
    const rows = async (section: typeof entry) =>
      section
        .locator("tr[data-operation]")
        .evaluateAll((trs) =>
          trs.map((tr) => [
            tr.getAttribute("data-operation"),
            tr.querySelector('[data-field="count"]')?.textContent,
            tr.querySelector('[data-field="errorRate"]')?.textContent,
          ]),
        );
    expect(await rows(entry)).toEqual([
      ["GET /users/:id", "6", "33%"],
      ["POST /orders", "3", "33%"],
    ]);
    expect(await rows(outgoing)).toEqual([
      ["SELECT users", "6", "0%"],
      ["POST payments", "3", "33%"],
    ]);
    await expect.poll(() => outgoing.textContent()).toContain("postgresql shop");
    // The column of peers is headed as such, not "Calls" (which reads as a count beside Spans).
    expect(await outgoing.locator("th").allTextContents()).toContain("Calls to");
    expect(await page.getByTestId("internal-operations").count()).toBe(0);
    // A window picked is a step Back undoes (the operations opened stay open), as on the other pages.
    const windowSelect = page.getByRole("combobox", { name: "Time window" });
    await windowSelect.selectOption("1h");
    await page.waitForURL("**/services?window=1h&service=shop");
    await page.goBack();
    await page.waitForURL("**/services?window=15m&service=shop");
    await expect.poll(() => windowSelect.inputValue(), { timeout: 10_000 }).toBe("15m");
    await entry.locator("tr[data-operation]").first().waitFor();

    // An operation opens its traces, slowest first.
    await entry.getByRole("link", { name: "GET /users/:id" }).click();
    await page.waitForURL(/\/\?service=shop&q=.*&sort=duration&since=\d+$/);
    const url = new URL(page.url());
    expect(url.searchParams.get("q")).toBe('service="shop" kind=server operation="GET /users/:id"');
    expect(inWindow(url.searchParams.get("since"))).toBe(true);
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(6);
    // An outgoing call too, by the operation (method and peer), not the span's name "POST" and free text.
    await page.goBack();
    await outgoing.getByRole("link", { name: "POST payments" }).click();
    await page.waitForURL(/\/\?service=shop&q=.*&sort=duration&since=\d+$/);
    expect(new URL(page.url()).searchParams.get("q")).toBe('service="shop" kind=client operation="POST payments"');
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(3);

    // An app whose framework span sits inside the HTTP server span: 4 requests, the inner operation marked.
    await page.goto(`${app.base}/services?window=15m`);
    await expect.poll(() => page.locator('tr[data-service="express-app"] td').nth(7).textContent()).toBe("8");
    const express = await page.locator('tr[data-service="express-app"] td').allTextContents();
    expect(express[1]).toBe("16/h");
    // One unit down the column, said in its header.
    const requests = await page
      .locator("tr[data-service] td:nth-child(2)")
      .evaluateAll((tds) => tds.map((td) => td.textContent?.replace(/^root spans · /, "")));
    expect(requests).toEqual(["16/h", "8.0/h", "36/h"]);
    expect(await page.locator("th", { hasText: "Requests" }).getAttribute("title")).toMatch(/^Requests per hour/);
    // The page says what its rates are per: the window here, the time the spans cover over everything.
    expect(await page.getByTestId("rate-basis").textContent()).toBe(
      "Rates are per the window's 15m, idle time included.",
    );
    await page.goto(`${app.base}/services`);
    await expect
      .poll(() => page.getByTestId("rate-basis").textContent())
      .toMatch(
        /^Rates are per the .+ the stored spans cover \(\d\d:\d\d:\d\d\.\d{3} – \d\d:\d\d:\d\d\.\d{3}\), not per the time since\.$/,
      );
    await page.goto(`${app.base}/services?window=15m&service=express-app`);
    // Both are the route GET /users/:id (the outer by its path, the inner by its name, ids templated):
    // the requests listed once, the inner operation in the closed "nested" section, marked.
    const routeRows = page.getByTestId("entry-operations").locator('tr[data-operation="GET /users/:id"]');
    await expect.poll(() => routeRows.count()).toBe(1);
    expect(await routeRows.locator('[data-field="nested"]').count()).toBe(0);
    const nested = page.getByTestId("nested-operations");
    expect(await nested.locator("summary").textContent()).toMatch(/^1 nested operation \(4 spans\): the same requests/);
    expect(await nested.locator('tr[data-operation="GET /users/:id"]').isVisible()).toBe(false);
    await nested.locator("summary").click();
    expect(await nested.locator('tr[data-operation="GET /users/:id"] [data-field="nested"]').textContent()).toContain(
      "nested",
    );
    // A route templated from the requests' paths links by the operation itself: exactly its 4 requests.
    await routeRows.getByRole("link", { name: "GET /users/:id" }).click();
    await page.waitForURL(/\/\?service=express-app&q=/);
    expect(new URL(page.url()).searchParams.get("q")).toBe(
      'service="express-app" kind=server operation="GET /users/:id"',
    );
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(4);

    // The job's own operations are listed, as it has no entry spans.
    await page.goto(`${app.base}/services?service=nightly`);
    await expect
      .poll(() => page.getByTestId("internal-operations").locator("tr[data-operation]").allTextContents())
      .toEqual([expect.stringContaining("rebuild-index")]);
    // The heading says what the service's row counts, in words that read (it read "headline: no entry spans: …").
    expect(await page.locator(".operations-basis").textContent()).toBe(
      "its row above counts its root spans, as it has no entry spans",
    );
    await page.close();
    expect(problems).toEqual([]);
  });

  it("fits a laptop's half screen: the window's name whole, every Operations button on the page", async () => {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "recommendations-ranking-worker" }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${app.base}/v1/traces` }))],
    });
    provider.getTracer("layout").startSpan("GET /recommendations", { kind: SpanKind.SERVER }).end();
    await provider.forceFlush();
    await provider.shutdown();

    page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/services`);
    await page.locator('tr[data-service="recommendations-ranking-worker"]').waitFor();

    // The select has room for "Everything stored" written in its font, its padding and its arrow.
    const select = page.getByRole("combobox", { name: "Time window" });
    expect(await select.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent)).toBe(
      "Everything stored",
    );
    const room = await select.evaluate((el: HTMLSelectElement) => {
      const probe = document.createElement("span");
      probe.style.font = getComputedStyle(el).font;
      probe.style.position = "absolute";
      probe.textContent = el.selectedOptions[0]?.textContent ?? "";
      document.body.append(probe);
      const text = probe.getBoundingClientRect().width;
      probe.remove();
      return el.clientWidth - text;
    });
    // Its padding (8 px a side) and its arrow take about 34 px; a squeezed select had 16 left for both.
    expect(room).toBeGreaterThanOrEqual(34);

    // Every row's Operations button lies whole within the page, nothing past its right edge.
    const viewport = await page.evaluate(() => document.documentElement.clientWidth);
    const buttons = page.getByRole("button", { name: /^Operations of / });
    expect(await buttons.count()).toBe(4);
    for (const box of await buttons.evaluateAll((all) => all.map((b) => b.getBoundingClientRect().toJSON()))) {
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.right).toBeLessThanOrEqual(viewport);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("reads whole at 800 px: no number cut or under the Operations column; a narrower table says it scrolls", async () => {
    // A key-metric column too: it was the one lost under the Operations column at 800 px.
    const sdk = sdkMeter(app.base, "shop");
    const duration = sdk.meter.createHistogram("http.server.request.duration", { unit: "s" });
    for (let i = 0; i < 20; i++) duration.record(0.2);
    await sdk.flush();
    await sdk.shutdown();

    page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/services`);
    await page.locator('tr[data-service="shop"] td[data-key-metric="http.server.request.duration"] a').waitFor();
    await page.locator('tr[data-service="nightly"]').waitFor();

    /** Each header and cell left of the Operations column: its text overflowing it, or its box under that column. */
    const cutCells = () =>
      page.getByTestId("services-table-scroll").evaluate((scroller) => {
        const cut: string[] = [];
        const edge = scroller.getBoundingClientRect().right;
        for (const row of scroller.querySelectorAll("tr")) {
          const operations = row.querySelector(".operations-cell");
          const covered = Math.min(edge, operations?.getBoundingClientRect().left ?? edge);
          for (const cell of row.querySelectorAll<HTMLElement>("th, td")) {
            if (cell === operations) continue;
            const box = cell.getBoundingClientRect();
            if (cell.scrollWidth > cell.clientWidth || box.right > covered + 0.5)
              cut.push(`${cell.textContent} (${cell.scrollWidth} > ${cell.clientWidth} or ${box.right} > ${covered})`);
          }
        }
        return cut;
      });
    expect(await page.locator("th", { hasText: "HTTP p95" }).count()).toBe(1);
    expect(await cutCells()).toEqual([]);
    // All of it fits: nothing to scroll to, and nothing says so.
    const fits = await page
      .getByTestId("services-table-scroll")
      .evaluate((scroller) => scroller.scrollWidth <= scroller.clientWidth);
    expect(fits).toBe(true);
    expect(await page.getByRole("button", { name: "More columns →" }).count()).toBe(0);

    // Its operations fit the page too, each number whole.
    await page.getByRole("button", { name: "Operations of shop" }).click();
    await page.getByTestId("outgoing-operations").locator("tr[data-operation]").first().waitFor();
    const cutNumbers = await page
      .getByTestId("operations")
      .locator("td.numeric")
      .evaluateAll((cells) => cells.filter((cell) => cell.scrollWidth > cell.clientWidth).map((c) => c.textContent));
    expect(cutNumbers).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);

    // Narrower than its columns: the table scrolls, the Operations column casts an edge over the columns under
    // it and its header offers them; scrolled to the end, the last column lies whole beside it.
    await page.setViewportSize({ width: 560, height: 600 });
    const more = page.getByRole("button", { name: "More columns →" });
    await more.waitFor();
    const shadow = () =>
      page.locator('tr[data-service="shop"] .operations-cell').evaluate((cell) => getComputedStyle(cell).boxShadow);
    expect(await shadow()).not.toBe("none");
    await more.click();
    await expect.poll(() => more.count()).toBe(0);
    expect(await shadow()).toBe("none");
    expect(await cutCells()).toEqual([]);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("loads an open service's operations once per refresh of the page while spans arrive, not twice", async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/services?window=15m&service=shop`);
    await page.getByTestId("entry-operations").locator("tr[data-operation]").first().waitFor();
    const loads = { services: 0, operations: 0 };
    page.on("request", (request) => {
      const path = new URL(request.url()).pathname;
      if (path === "/api/services") loads.services++;
      else if (path === "/api/services/shop/operations") loads.operations++;
    });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "shop" }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${app.base}/v1/traces` }))],
    });
    const tracer = provider.getTracer("refresh");
    for (let i = 0; i < 12; i++) {
      tracer.startSpan("GET /health", { kind: SpanKind.SERVER }).end();
      await provider.forceFlush();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await provider.shutdown();
    await page.waitForTimeout(1500);
    expect(loads.services).toBeGreaterThan(1);
    // Each refresh of the table re-rendered the panel with a new window start, and that loaded it again.
    expect(loads.operations).toBeLessThanOrEqual(loads.services + 1);
    await page.close();
    expect(problems).toEqual([]);
  });
});

describe.skipIf(!available)("Services page, a service that only calls others, in Chromium", () => {
  it("reads its error rate as none, not 0%, when its only span is a failed call", async () => {
    const app = await startTestApp();
    const browser = await launchChromium();
    try {
      // A request of "caller" whose database client, in a service of its own, failed.
      const traceId = newTraceId();
      const rootId = newSpanId();
      const startNs = BigInt(Date.now() - 5_000) * 1_000_000n;
      await postJson(app.base, jsonTraceRequest("caller", [{ traceId, spanId: rootId, kind: 2, startNs }]));
      await postJson(
        app.base,
        jsonTraceRequest("clientonly", [
          { traceId, parentSpanId: rootId, kind: 3, statusCode: 2, startNs: startNs + 1n },
        ]),
      );
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const problems = collectPageProblems(page);
      await page.goto(`${app.base}/services?window=15m`);
      const errorRate = page.locator('tr[data-service="clientonly"] [data-field="errorRate"]');
      await errorRate.waitFor();
      expect(await errorRate.textContent()).toBe("–");
      expect(await errorRate.locator("span").getAttribute("title")).toBe(
        "no requests of its own; 1 of its 1 spans failed",
      );
      expect(await page.locator('tr[data-service="caller"] [data-field="errorRate"]').textContent()).toBe("0%");
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      await app.close();
    }
  });

  it("shows no other window's figures under a window it could not load", async () => {
    const app = await startTestApp();
    const browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await sendShopTraffic(app.base);
      await page.goto(`${app.base}/services`);
      await page.locator('tr[data-service="shop"]').waitFor();
      await page.getByTestId("rate-basis").waitFor();
      // The server stops answering (here: refused) as the reader picks another window.
      await page.route(/\/api\/services\?/, (route) => route.abort("connectionrefused"));
      await page.getByRole("combobox", { name: "Time window" }).selectOption("1h");
      await page.getByRole("alert").filter({ hasText: "Could not load services" }).waitFor();
      expect(await page.locator("tr[data-service]").count()).toBe(0);
      expect(await page.getByTestId("rate-basis").count()).toBe(0);
    } finally {
      await browser.close();
      await app.close();
    }
  });
});
