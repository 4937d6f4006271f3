/// <reference lib="dom" />
import { readFileSync } from "node:fs";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { AggregationType } from "@opentelemetry/sdk-metrics";
import type { Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import { preferredColorSlot } from "../../src/domain/service-colors.js";
import { describeMetric } from "../../src/mcp/metric-text.js";
import type { MetricQueryResponse } from "../../src/protocol.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { sendSdkTrace } from "../helpers/otel.js";
import { sdkMeter } from "../helpers/otel-metrics.js";
import { nodeMetricsBody, postTraceKitMetrics } from "../helpers/tracekit-metrics.js";

const available = chromiumAvailable();

/** The text of one of the figures above the chart (`increase`, `p95`…). */
function figure(page: Page, id: string) {
  return page.locator(`[data-testid="metric-figures"] [data-figure="${id}"] dd`);
}

/** Drags across the line chart's plot, from `from` to `to` of its width (uPlot zooms into that range). */
async function dragAcrossChart(page: Page, from: number, to: number): Promise<void> {
  const over = page.locator('[data-testid="metric-chart"] .u-over').first();
  const box = await over.boundingBox();
  if (!box) throw new Error("no plot area");
  await page.mouse.move(box.x + box.width * from, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
}

async function openMetric(page: Page, base: string, search: string): Promise<void> {
  await page.goto(`${base}/metrics${search}`);
  await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
}

/** "95.3ms" → 95.3 */
function leadingNumber(text: string): number {
  return Number(/^-?[\d.]+/.exec(text)?.[0] ?? Number.NaN);
}

/** A service's dot on the Services page: the colour every page draws it in. */
function servicesPageColor(page: Page, service: string): Promise<string> {
  return page
    .locator(`tr[data-service="${service}"] .service-chip .service-dot`)
    .evaluate((el) => getComputedStyle(el).backgroundColor, undefined, { timeout: 1000 });
}

/** The background colour of the first element `selector` finds, or "" while there is none. */
async function backgroundOf(page: Page, selector: string): Promise<string> {
  const found = page.locator(selector).first();
  if ((await found.count()) === 0) return "";
  return found.evaluate((el) => getComputedStyle(el).backgroundColor, undefined, { timeout: 1000 });
}

async function postMetricsJson(base: string, body: string): Promise<number> {
  const response = await fetch(`${base}/v1/metrics`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

describe.skipIf(!available)("Metrics page in Chromium", () => {
  const suite = useAppInChromium();
  let page: Page;
  /** Console errors a test expects (the 404 of a metric that is not stored). */
  let allowedErrors: RegExp | null = null;

  beforeEach(async () => {
    allowedErrors = null;
    page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    return async () => {
      await page.close();
      // Console errors include the Content-Security-Policy's refusals: the charts must need none.
      expect(problems.filter((p) => allowedErrors === null || !allowedErrors.test(p))).toEqual([]);
    };
  });

  it("says how to send metrics while none has arrived", async () => {
    await page.goto(`${suite.app.base}/metrics`);
    const empty = page.getByTestId("metrics-empty");
    await expect(empty.textContent()).resolves.toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${suite.app.base}`);
    const text = (await empty.textContent()) ?? "";
    expect(text).toContain("OTEL_METRIC_EXPORT_INTERVAL");
    expect(text).toContain("OTEL_METRICS_EXPORTER=otlp");
    expect(text).toContain(`TRACEKIT_ENDPOINT=${suite.app.base}`);
    // The variable alone points no TraceKit SDK here: it says the init call passes it, as Set up does.
    const tracekit = (await page.getByTestId("metrics-tracekit-endpoint").textContent()) ?? "";
    expect(tracekit).toContain("endpoint: process.env.TRACEKIT_ENDPOINT");
    expect(tracekit).toContain('endpoint=os.getenv("TRACEKIT_ENDPOINT")');
    expect(tracekit).toContain("Set the variable alone and the SDK keeps sending to TraceKit cloud");
    // The page is reachable from the navigation.
    await expect(page.locator('nav a[href="/metrics"]').getAttribute("aria-current")).resolves.toBe("page");
  });

  it("shows the metrics at a glance when none is picked, per service, and opens one", async () => {
    const now = Date.now();
    for (const service of ["glance-a", "glance-b"]) {
      const points = [3, 2, 1].map((ago, i) => ({
        name: "glance.requests",
        type: "counter" as const,
        value: 5 + i,
        atMs: now - ago * 1000,
      }));
      const body = nodeMetricsBody(service, [
        ...points,
        { name: "glance.heap", type: "gauge", value: 64e6, atMs: now },
      ]);
      expect((await postTraceKitMetrics(suite.app.port, body, "node")).status).toBe(200);
    }
    await page.goto(`${suite.app.base}/metrics?q=glance`);
    const overview = page.getByTestId("metrics-overview");
    await overview.waitFor();
    const cards = overview.locator(".overview-card");
    await expect
      .poll(() => cards.evaluateAll((all) => all.map((c) => c.getAttribute("data-metric"))))
      .toEqual(["glance.heap", "glance.requests"]);
    const requests = overview.locator('.overview-card[data-metric="glance.requests"]');
    await requests.locator('[data-testid="overview-chart"] canvas').waitFor();
    // One line per service, named under the chart.
    await expect(requests.getByTestId("overview-chart").getAttribute("data-lines")).resolves.toBe("2");
    await expect.poll(() => requests.locator(".overview-legend").textContent()).toBe("glance-aglance-b");
    await expect.poll(() => requests.locator(".overview-value").textContent()).toMatch(/\/s$/);
    await expect
      .poll(() => overview.locator('.overview-card[data-metric="glance.heap"] .overview-value').textContent())
      .toBe("64M");

    // The catalog's service filter holds for the cards too.
    await page.goto(`${suite.app.base}/metrics?q=glance&service=glance-a`);
    const filtered = page.locator('[data-testid="metrics-overview"] .overview-card[data-metric="glance.requests"]');
    await filtered.locator('[data-testid="overview-chart"] canvas').waitFor();
    await expect(filtered.getByTestId("overview-chart").getAttribute("data-lines")).resolves.toBe("1");
    // Its head counts that service's series of all, as the catalog's row does (it said "2 series").
    expect(await filtered.locator(".overview-card-head").textContent()).toContain("1 of 2 series");
    // And for the catalog's rows: the filtered service's series, named (not "2 series · glance-a +1").
    const row = page.locator('.catalog-row[data-metric="glance.requests"]');
    await page.goto(`${suite.app.base}/metrics?q=glance&service=glance-b`);
    await expect.poll(() => row.locator('[data-field="series"]').textContent()).toBe("1 of 2 series");
    expect(await row.locator('[data-field="services"]').textContent()).toBe("glance-b");
    await page.goto(`${suite.app.base}/metrics?q=glance`);
    await requests.locator('[data-testid="overview-chart"] canvas').waitFor();
    expect(await requests.locator(".overview-card-head").textContent()).toContain("· 2 series");
    expect(await row.locator('[data-field="series"]').textContent()).toBe("2 series");
    expect(await row.locator('[data-field="services"]').textContent()).toBe("glance-a +1");

    await requests.getByRole("link", { name: "glance.requests" }).click();
    await page.locator('[data-metric="glance.requests"] [data-testid="metric-chart"] canvas').first().waitFor();
    expect(new URL(page.url()).searchParams.get("metric")).toBe("glance.requests");
    expect(await page.getByTestId("metrics-overview").count()).toBe(0);
    const header = page.getByTestId("metric-header-facts");
    expect(await header.locator('[data-field="services"]').textContent()).toBe("glance-a, glance-b");
    expect(await header.locator('[data-field="series"]').textContent()).toBe("2 series");
    // The header above the chart says what the chart and the catalog's row say under a service filter.
    await page.goto(`${suite.app.base}/metrics?metric=glance.requests&service=glance-b`);
    const panel = page.locator('[data-metric="glance.requests"] [data-testid="metric-chart"]');
    await panel.locator("canvas").first().waitFor();
    await expect.poll(() => panel.getAttribute("data-lines")).toBe("1");
    expect(await header.locator('[data-field="services"]').textContent()).toBe("glance-b");
    expect(await header.locator('[data-field="series"]').textContent()).toBe("1 of 2 series");
    expect(await row.locator('[data-field="series"]').textContent()).toBe("1 of 2 series");
  });

  it("charts the first 12 metrics at a glance and says how many there are", async () => {
    const points = Array.from({ length: 13 }, (_, i) => ({
      name: `many.gauge${String(i + 1).padStart(2, "0")}`,
      type: "gauge" as const,
      value: i,
      atMs: Date.now() - 1000,
    }));
    expect((await postTraceKitMetrics(suite.app.port, nodeMetricsBody("many-svc", points), "node")).status).toBe(200);
    await page.goto(`${suite.app.base}/metrics?q=many.gauge`);
    const overview = page.getByTestId("metrics-overview");
    await overview.waitFor();
    await expect.poll(() => overview.locator(".overview-card").count()).toBe(12);
    await expect(overview.locator(".overview-intro").textContent()).resolves.toContain("The first 12 of 13 metrics");
    await expect(overview.locator(".overview-card").last().getAttribute("data-metric")).resolves.toBe("many.gauge12");
    await page.goto(`${suite.app.base}/metrics?q=nothing-is-called-this`);
    await expect(page.locator(".page-message h2").textContent()).resolves.toBe("No metric matches");
  });

  it("makes a search typed one step Back undoes, its pauses and all, as on the Traces and Logs pages", async () => {
    const points = ["typed.alpha", "typed.beta"].map((name) => ({
      name,
      type: "gauge" as const,
      value: 1,
      atMs: Date.now() - 1000,
    }));
    expect((await postTraceKitMetrics(suite.app.port, nodeMetricsBody("typed-svc", points), "node")).status).toBe(200);
    await page.goto(`${suite.app.base}/metrics`);
    await page.locator('.catalog-row[data-metric="typed.beta"]').waitFor();
    const q = () => new URL(page.url()).searchParams.get("q");
    const box = page.getByPlaceholder(/Search metrics/);
    await box.click();
    await box.pressSequentially("typed.al");
    await expect.poll(q, { timeout: 10_000 }).toBe("typed.al");
    await box.pressSequentially("pha");
    await expect.poll(q, { timeout: 10_000 }).toBe("typed.alpha");
    await box.press("Enter");
    await expect.poll(() => page.locator(".catalog-row").count(), { timeout: 10_000 }).toBe(1);
    // Back undoes the search (one step for its pauses), on this page; Forward brings it back.
    await page.goBack();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toBe("/metrics");
    expect(q()).toBeNull();
    await expect.poll(() => box.inputValue(), { timeout: 10_000 }).toBe("");
    await page.goForward();
    await expect.poll(q, { timeout: 10_000 }).toBe("typed.alpha");
  });

  it("says when a linked metric has not arrived, and shows it by itself when it does", async () => {
    allowedErrors = /404/;
    await page.goto(`${suite.app.base}/metrics?metric=late.metric`);
    await page.getByTestId("metric-unknown").waitFor();
    await expect(page.getByTestId("metric-unknown").textContent()).resolves.toContain("late.metric has not arrived");
    const body = nodeMetricsBody("late-svc", [
      { name: "late.metric", type: "gauge", value: 7, atMs: Date.now() - 1000 },
    ]);
    expect((await postTraceKitMetrics(suite.app.port, body, "node")).status).toBe(200);
    await page.locator('[data-metric="late.metric"] [data-testid="metric-chart"] canvas').first().waitFor();
    await expect(page.locator('.catalog-row[aria-selected="true"]').getAttribute("data-metric")).resolves.toBe(
      "late.metric",
    );
  });

  it("fetches the chart's series beside the app's code: the one request its page names", async () => {
    const body = nodeMetricsBody("preload-svc", [
      { name: "preload.gauge", type: "gauge", value: 7, atMs: Date.now() - 1000 },
    ]);
    expect((await postTraceKitMetrics(suite.app.port, body, "node")).status).toBe(200);
    const asked: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/metrics/preload.gauge")) asked.push(request.url());
    });
    await openMetric(page, suite.app.base, "?metric=preload.gauge&window=1h&groupBy=service.name");
    await expect(page.locator('[data-metric="preload.gauge"] [data-testid="metric-chart"]').count()).resolves.toBe(1);
    // Asked once, by the page's preload link, and the app took that answer rather than asking again.
    expect(asked).toEqual([`${suite.app.base}/api/metrics/preload.gauge?window=1h&groupBy=service.name&stat=p95`]);
    const initiators = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((entry) => entry.name.includes("/api/metrics/preload.gauge"))
        .map((entry) => (entry as PerformanceResourceTiming).initiatorType),
    );
    expect(initiators).toEqual(["link"]);
  });

  it("charts an SDK counter that grew by 42 as that increase and its rate, live, keeping hidden lines", async () => {
    const sdk = sdkMeter(suite.app.base, "metrics-e2e");
    const counter = sdk.meter.createCounter("e2e.requests", { unit: "{request}", description: "Requests served" });
    counter.add(0, { "http.route": "/a" });
    counter.add(0, { "http.route": "/b" });
    await sdk.flush();
    counter.add(10, { "http.route": "/a" });
    counter.add(32, { "http.route": "/b" });
    await sdk.flush();

    const answered = page.waitForResponse((r) => r.url().includes("/api/metrics/e2e.requests?"));
    await openMetric(page, suite.app.base, "?metric=e2e.requests&window=5m");
    await expect.poll(() => figure(page, "increase").textContent()).toBe("42 requests");
    // 42 requests over the window the server answered for: the counter is younger than the 5 minutes
    // asked for, so the window starts just before its first point (at least 12 steps of 5 s), and says so.
    const window = (await (await answered).json()) as MetricQueryResponse;
    const seconds = (window.toUnixMs - window.fromUnixMs) / 1000;
    expect(window.startsAtData).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(60);
    expect(seconds).toBeLessThan(300);
    await expect(page.getByTestId("metric-starts-at-data").textContent()).resolves.toContain("widens to the last 5m");
    // Its first point came seconds ago, though the window starts a minute back (12 steps at least).
    expect(window.firstPointUnixMs).toBeGreaterThan(window.fromUnixMs + window.stepMs);
    const said = /data begins (just now|(\d+)s ago):/.exec(
      (await page.getByTestId("metric-starts-at-data").textContent()) ?? "",
    );
    expect(said).not.toBeNull();
    expect(Number(said?.[2] ?? 0)).toBeLessThan(30);
    // The average is over the time the 42 were counted in: from the counters' start (the SDK's, when it
    // was made, later than the window's start) to their newest point, not over the whole window.
    const counted = window.series.map((s) => s.counted);
    const countedFrom = Math.min(...counted.map((c) => c?.fromUnixMs ?? Number.POSITIVE_INFINITY));
    const countedTo = Math.max(...counted.map((c) => c?.toUnixMs ?? Number.NEGATIVE_INFINITY));
    expect(countedFrom).toBeGreaterThan(window.fromUnixMs);
    expect(countedTo).toBeGreaterThan(countedFrom);
    // (Made and exported within milliseconds here, so the rate is a high one: "1.2k requests/s".)
    const shown = /^([\d.]+)(k|M)? requests\/s$/.exec((await figure(page, "average-rate").textContent()) ?? "");
    const rate = Number(shown?.[1]) * (shown?.[2] === "M" ? 1e6 : shown?.[2] === "k" ? 1e3 : 1);
    const expected = 42 / ((countedTo - countedFrom) / 1000);
    expect(Math.abs(rate - expected) / expected).toBeLessThan(0.01);
    await expect(page.locator('[data-testid="metric-panel"] .badge').first().textContent()).resolves.toBe("counter");
    await expect(page.locator('[data-testid="metric-chart"]').getAttribute("data-lines")).resolves.toBe("2");

    // Hide one route.
    await page.locator('.legend-row[data-line="http.route=/b"]').click();
    await expect(page.locator('.legend-row[data-line="http.route=/b"]').getAttribute("aria-pressed")).resolves.toBe(
      "false",
    );

    // New points arrive: the page fetches again by itself; the hidden line stays hidden.
    counter.add(8, { "http.route": "/a" });
    await sdk.flush();
    await expect.poll(() => figure(page, "increase").textContent(), { timeout: 10_000 }).toBe("50 requests");
    await expect(page.locator('.legend-row[data-line="http.route=/b"]').getAttribute("aria-pressed")).resolves.toBe(
      "false",
    );
    // Redrawn for new points, the chart reports no zoom of its own: the window still follows the clock.
    expect(new URL(page.url()).searchParams.has("from")).toBe(false);
    await sdk.shutdown();

    // A zoom is the page's range, in the URL.
    await dragAcrossChart(page, 0.5, 0.98);
    await expect.poll(() => new URL(page.url()).searchParams.has("from")).toBe(true);
    // The zoomed range may hold no point (they came in its last moments): then it reads no data, "–".
    await expect.poll(() => figure(page, "increase").textContent()).toMatch(/requests$|^–$/);
    // Grouping and a preset: in the URL too.
    await page.getByRole("combobox", { name: "Group by" }).selectOption("http.route");
    await expect.poll(() => new URL(page.url()).searchParams.get("groupBy")).toBe("http.route");
    await expect
      .poll(() => page.locator(".legend-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-line"))))
      .toEqual(["/a", "/b"]);
    await page.getByRole("button", { name: "1h", exact: true }).click();
    await expect.poll(() => page.url()).toContain("window=1h");
    expect(new URL(page.url()).searchParams.has("from")).toBe(false);
    await expect.poll(() => figure(page, "increase").textContent()).toBe("50 requests");
    await page.getByRole("button", { name: "Custom…" }).click();
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.has("to")).toBe(true);
  });

  it("keeps a zoom in the URL as the page's range: a reload shows it, Back steps out of it", async () => {
    const now = Date.now();
    for (const service of ["zoom-a", "zoom-b"]) {
      const points = Array.from({ length: 15 }, (_, k) => ({
        name: "zoom.requests",
        type: "counter" as const,
        value: 3 + k,
        atMs: now - (14 - k) * 20_000,
      }));
      expect((await postTraceKitMetrics(suite.app.port, nodeMetricsBody(service, points), "node")).status).toBe(200);
    }
    const asked: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/metrics/zoom.requests?")) asked.push(request.url());
    });
    await openMetric(page, suite.app.base, "?metric=zoom.requests&window=5m&groupBy=service.name");
    const hiddenB = () => page.locator('.legend-row[data-line="zoom-b"]').getAttribute("aria-pressed");
    await page.locator('.legend-row[data-line="zoom-b"]').click();
    await expect.poll(hiddenB).toBe("false");
    const unzoomed = page.url();

    // Dragging across the chart zooms into that range, a step in the URL.
    await dragAcrossChart(page, 0.2, 0.6);
    await expect.poll(() => new URL(page.url()).searchParams.has("from"), { timeout: 10_000 }).toBe(true);
    const zoomed = new URL(page.url()).searchParams;
    const from = Number(zoomed.get("from"));
    const to = Number(zoomed.get("to"));
    expect(zoomed.get("metric")).toBe("zoom.requests");
    expect(zoomed.get("groupBy")).toBe("service.name");
    expect(zoomed.has("window")).toBe(false);
    // Two fifths of the 5 minutes, within a step or so (uPlot snaps nothing, but pixels are coarse).
    expect(to - from).toBeGreaterThan(100_000);
    expect(to - from).toBeLessThan(140_000);
    expect(from).toBeGreaterThan(now - 300_000);
    expect(to).toBeLessThan(now + 60_000);
    // The range is asked for itself (in steps of its size), and the line hidden stays hidden.
    await expect
      .poll(() => asked.some((url) => url.includes(`since=${from}&until=${to}`)), { timeout: 10_000 })
      .toBe(true);
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    await expect.poll(hiddenB).toBe("false");
    await expect(page.getByRole("button", { name: "Custom…" }).getAttribute("aria-pressed")).resolves.toBe("true");

    // A second zoom is another step.
    await dragAcrossChart(page, 0.25, 0.75);
    await expect
      .poll(() => Number(new URL(page.url()).searchParams.get("from")), { timeout: 10_000 })
      .toBeGreaterThan(from);
    const deeper = page.url();

    // Back steps out of each zoom in turn, back to the window that follows the clock.
    await page.goBack();
    await expect.poll(() => new URL(page.url()).searchParams.get("from")).toBe(String(from));
    await page.goBack();
    await expect.poll(() => page.url()).toBe(unzoomed);
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    await expect(page.getByRole("button", { name: "5m", exact: true }).getAttribute("aria-pressed")).resolves.toBe(
      "true",
    );
    await page.goForward();
    await page.goForward();
    await expect.poll(() => page.url()).toBe(deeper);

    // A reload (or the link shared) shows the zoomed range again.
    asked.length = 0;
    await page.reload();
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    const deep = new URL(deeper).searchParams;
    expect(asked.some((url) => url.includes(`since=${deep.get("from")}&until=${deep.get("to")}`))).toBe(true);
    await expect(page.getByRole("button", { name: "Custom…" }).getAttribute("aria-pressed")).resolves.toBe("true");

    // A double-click on the chart steps out of the zoom shown (a reload did not forget it), as Back does:
    // to the first zoom, then to the window that follows the clock, and Forward zooms in again.
    await page.locator('[data-testid="metric-chart"] .u-over').first().dblclick();
    await expect.poll(() => new URL(page.url()).searchParams.get("from"), { timeout: 10_000 }).toBe(String(from));
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    await page.locator('[data-testid="metric-chart"] .u-over').first().dblclick();
    await expect.poll(() => page.url(), { timeout: 10_000 }).toBe(unzoomed);
    await expect(page.getByRole("button", { name: "5m", exact: true }).getAttribute("aria-pressed")).resolves.toBe(
      "true",
    );
    // Unzoomed, a double-click leaves nothing: the page stays.
    await page.locator('[data-testid="metric-chart"] .u-over').first().dblclick();
    await page.waitForTimeout(300);
    expect(page.url()).toBe(unzoomed);
    await page.goForward();
    await expect.poll(() => new URL(page.url()).searchParams.get("from")).toBe(String(from));
    await page.goForward();
    await expect.poll(() => page.url()).toBe(deeper);
  });

  it("zooms a chart grouped after a preset was picked as it is shown: one step, grouping kept", async () => {
    const now = Date.now();
    for (const service of ["regroup-a", "regroup-b", "regroup-c"]) {
      const points = Array.from({ length: 15 }, (_, k) => ({
        name: "regroup.requests",
        type: "counter" as const,
        value: 3 + k,
        atMs: now - (14 - k) * 20_000,
      }));
      expect((await postTraceKitMetrics(suite.app.port, nodeMetricsBody(service, points), "node")).status).toBe(200);
    }
    await openMetric(page, suite.app.base, "?metric=regroup.requests");
    // A preset first: the chart of the new window replaces the first one.
    await page.getByRole("button", { name: "5m", exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("window")).toBe("5m");
    await page.getByRole("combobox", { name: "Group by" }).selectOption("service.name");
    await expect.poll(() => page.locator('[data-testid="metric-chart"]').getAttribute("data-lines")).toBe("3");
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    const entries = await page.evaluate(() => history.length);

    await dragAcrossChart(page, 0.2, 0.6);
    await expect.poll(() => new URL(page.url()).searchParams.has("from"), { timeout: 10_000 }).toBe(true);
    // Settled: a chart of an earlier page (before the grouping) reported the zoom again, a step later.
    await page.waitForTimeout(500);
    const zoomed = new URL(page.url()).searchParams;
    expect(zoomed.get("groupBy")).toBe("service.name");
    await expect(page.evaluate(() => history.length)).resolves.toBe(entries + 1);
    await expect.poll(() => page.locator('[data-testid="metric-chart"]').getAttribute("data-lines")).toBe("3");
  });

  it("keeps the lines hidden in the legend in the URL: a reload or a shared link hides them, Back and Forward step through them", async () => {
    const now = Date.now();
    const services = ["hide-a", "hide-b", "hide-c"];
    for (const service of services) {
      const points = Array.from({ length: 6 }, (_, k) => ({
        name: "hide.requests",
        type: "counter" as const,
        value: 2 + k,
        atMs: now - (5 - k) * 20_000,
      }));
      expect((await postTraceKitMetrics(suite.app.port, nodeMetricsBody(service, points), "node")).status).toBe(200);
    }
    await openMetric(page, suite.app.base, "?metric=hide.requests&window=5m&groupBy=service.name");
    const row = (service: string) => page.locator(`.legend-row[data-line="${service}"]`);
    /** Which lines the legend shows as shown. */
    const shown = () =>
      page
        .locator(".legend-row")
        .evaluateAll((rows) =>
          rows.filter((r) => r.getAttribute("aria-pressed") === "true").map((r) => r.getAttribute("data-line")),
        );
    const hide = () => new URL(page.url()).searchParams.getAll("hide");
    const only = () => new URL(page.url()).searchParams.getAll("only");
    await expect.poll(shown).toEqual(services);
    const start = page.url();

    // A click hides a line, in the URL; Alt+click shows one alone (named as the one shown): each a step.
    await row("hide-b").click();
    await expect.poll(hide).toEqual(["hide-b"]);
    await expect.poll(shown).toEqual(["hide-a", "hide-c"]);
    await row("hide-c").click({ modifiers: ["Alt"] });
    await expect.poll(only).toEqual(["hide-c"]);
    expect(hide()).toEqual([]);
    await expect.poll(shown).toEqual(["hide-c"]);
    await expect(page.getByTestId("chart-legend").locator(".legend-head").textContent()).resolves.toContain(
      "3 lines, 2 hidden",
    );
    const alone = page.url();

    // A reload shows the same lines.
    await page.reload();
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    await expect.poll(shown).toEqual(["hide-c"]);

    // Back and Forward step through the picks, as the page's other filters do.
    await page.goBack();
    await expect.poll(hide).toEqual(["hide-b"]);
    await expect.poll(shown).toEqual(["hide-a", "hide-c"]);
    await page.goBack();
    await expect.poll(() => page.url()).toBe(start);
    await expect.poll(shown).toEqual(services);
    await page.goForward();
    await page.goForward();
    await expect.poll(() => page.url()).toBe(alone);
    await expect.poll(shown).toEqual(["hide-c"]);

    // A double-click shows a line alone in one step (its first click's toggle is not a step of its own).
    await row("hide-a").dblclick();
    await expect.poll(only).toEqual(["hide-a"]);
    await expect.poll(shown).toEqual(["hide-a"]);
    // A double-click on the line shown alone shows every line again, in one step.
    const aloneA = page.url();
    await row("hide-a").dblclick();
    await expect.poll(shown).toEqual(services);
    expect([only(), hide()]).toEqual([[], []]);
    await page.goBack();
    await expect.poll(() => page.url()).toBe(aloneA);
    await expect.poll(shown).toEqual(["hide-a"]);
    await page.goBack();
    await expect.poll(() => page.url()).toBe(alone);
    await expect.poll(shown).toEqual(["hide-c"]);

    // A link shared hides what it names (names of no line are passed over); Show all shows them all.
    const shared = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    const sharedProblems = collectPageProblems(shared);
    await openMetric(
      shared,
      suite.app.base,
      "?metric=hide.requests&window=5m&groupBy=service.name&hide=hide-a&hide=gone",
    );
    await expect
      .poll(() =>
        shared
          .locator(".legend-row")
          .evaluateAll((rows) => rows.map((r) => `${r.getAttribute("data-line")}:${r.getAttribute("aria-pressed")}`)),
      )
      .toEqual(["hide-a:false", "hide-b:true", "hide-c:true"]);
    await expect(shared.getByTestId("chart-legend").locator(".legend-head").textContent()).resolves.toContain(
      "3 lines, 1 hidden",
    );
    await shared.getByTestId("chart-legend").getByRole("button", { name: "Show all" }).click();
    await expect.poll(() => new URL(shared.url()).searchParams.has("hide")).toBe(false);
    await shared.close();
    expect(sharedProblems).toEqual([]);

    // Another grouping makes other lines: the hidden ones are forgotten.
    await page.getByRole("combobox", { name: "Group by" }).selectOption("");
    await expect.poll(() => new URL(page.url()).searchParams.has("groupBy")).toBe(false);
    expect(hide()).toEqual([]);
  });

  it("keeps a link to many hidden lines loadable: one shown alone is named alone, too many names stay in the page", async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    // 150 lines named by long attribute lists: the names of all but one would pass a server's 16 KiB limit.
    const routes = Array.from({ length: 150 }, (_, i) => `/api/v1/customers/${i}/orders/pending`);
    const dataPoints = routes.map((route, i) => ({
      timeUnixNano: String(now - 30_000_000_000n),
      asDouble: i,
      attributes: [
        { key: "http.route", value: { stringValue: route } },
        { key: "http.request.method", value: { stringValue: "GET" } },
        // Told apart by two attributes each: a legend leaves out what every line shares.
        { key: "deployment.environment.name", value: { stringValue: `production-eu-west${route}` } },
      ],
    }));
    const body = JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "many-lines" } }] },
          scopeMetrics: [{ scope: { name: "e2e" }, metrics: [{ name: "many.queue", gauge: { dataPoints } }] }],
        },
      ],
    });
    expect(await postMetricsJson(suite.app.base, body)).toBe(200);
    await openMetric(page, suite.app.base, "?metric=many.queue&window=5m");
    await expect.poll(() => page.getByTestId("metric-chart").getAttribute("data-lines")).toBe("150");
    const first = page.locator(".legend-row").first();
    // The URL names a line by its whole attribute list, the legend by what tells it apart.
    const name = (await first.getAttribute("data-name")) as string;
    expect(name.length).toBeGreaterThan(90);
    expect(name).toContain("http.request.method=GET");
    await expect(first.getAttribute("data-line")).resolves.not.toContain("http.request.method");
    // Shown alone: the URL names the one line shown, and a reload loads (149 names hidden would not).
    await first.click({ modifiers: ["Alt"] });
    await expect.poll(() => new URL(page.url()).searchParams.getAll("only")).toEqual([name]);
    expect(page.url().length).toBeLessThan(1000);
    const response = await page.reload();
    expect(response?.status()).toBe(200);
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    await expect(page.getByTestId("chart-legend").locator(".legend-head").textContent()).resolves.toContain(
      "150 lines, 149 hidden",
    );

    // A link hiding 40 of them: one more hidden is too many names for an address, and stays in the page.
    // The URL names a line by its attributes (the rows past the first few are rendered as scrolled to).
    const names = routes.map((route) => name.replaceAll(routes[0] as string, route));
    expect(name).toContain(routes[0]);
    const hidden = new URLSearchParams([
      ["metric", "many.queue"],
      ["window", "5m"],
    ]);
    for (const hide of names.slice(0, 40)) hidden.append("hide", hide);
    await openMetric(page, suite.app.base, `?${hidden.toString()}`);
    await expect(page.getByTestId("chart-legend").locator(".legend-head").textContent()).resolves.toContain(
      "150 lines, 40 hidden",
    );
    const next = page.locator('.legend-row[aria-pressed="true"]').first();
    const nextName = (await next.getAttribute("data-name")) as string;
    await next.click();
    await expect.poll(() => new URL(page.url()).searchParams.has("hide")).toBe(false);
    await expect
      .poll(() => page.getByTestId("chart-legend").locator(".legend-head").textContent())
      .toContain("150 lines, 41 hidden(not in the link)");
    await expect(page.locator(`.legend-row[data-name="${nextName}"]`).getAttribute("aria-pressed")).resolves.toBe(
      "false",
    );
  });

  it("leaves a zoom on a double-click after a line was hidden in it, keeping the line hidden", async () => {
    const now = Date.now();
    for (const service of ["keep-a", "keep-b"]) {
      const points = Array.from({ length: 15 }, (_, k) => ({
        name: "keep.requests",
        type: "counter" as const,
        value: 3 + k,
        atMs: now - (14 - k) * 20_000,
      }));
      expect((await postTraceKitMetrics(suite.app.port, nodeMetricsBody(service, points), "node")).status).toBe(200);
    }
    await openMetric(page, suite.app.base, "?metric=keep.requests&window=5m&groupBy=service.name");
    const params = () => new URL(page.url()).searchParams;
    await dragAcrossChart(page, 0.1, 0.9);
    await expect.poll(() => params().has("from"), { timeout: 10_000 }).toBe(true);
    const from = params().get("from");
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    await dragAcrossChart(page, 0.2, 0.8);
    await expect.poll(() => params().get("from"), { timeout: 10_000 }).not.toBe(from);
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    // A line hidden within the zoom: a step that keeps the range.
    await page.locator('.legend-row[data-line="keep-b"]').click();
    await expect.poll(() => params().getAll("hide")).toEqual(["keep-b"]);
    // A double-click leaves each zoom in turn, the line staying hidden.
    await page.locator('[data-testid="metric-chart"] .u-over').first().dblclick();
    await expect.poll(() => params().get("from"), { timeout: 10_000 }).toBe(from);
    expect(params().getAll("hide")).toEqual(["keep-b"]);
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    await page.locator('[data-testid="metric-chart"] .u-over').first().dblclick();
    await expect.poll(() => params().has("from"), { timeout: 10_000 }).toBe(false);
    expect(params().get("window")).toBe("5m");
    expect(params().getAll("hide")).toEqual(["keep-b"]);
    await expect.poll(() => page.locator('.legend-row[data-line="keep-b"]').getAttribute("aria-pressed")).toBe("false");
  });

  it("leaves a zoom on a double-click in its entry's place when the entry before is no longer the page before it", async () => {
    const now = Date.now();
    const points = Array.from({ length: 10 }, (_, k) => ({
      name: "unzoom.requests",
      type: "counter" as const,
      value: 1 + k,
      atMs: now - (9 - k) * 20_000,
    }));
    expect((await postTraceKitMetrics(suite.app.port, nodeMetricsBody("unzoom", points), "node")).status).toBe(200);
    await openMetric(page, suite.app.base, "?metric=unzoom.requests&window=5m");
    const unzoomed = page.url();
    await dragAcrossChart(page, 0.2, 0.6);
    await expect.poll(() => new URL(page.url()).searchParams.has("from"), { timeout: 10_000 }).toBe(true);
    const zoomed = page.url();
    // The entry before the zoom becomes another address while the zoom's entry stays ahead of it.
    await page.goBack();
    await expect.poll(() => page.url()).toBe(unzoomed);
    await page.evaluate(() => history.replaceState(null, "", "/metrics?window=1h"));
    await page.goForward();
    await expect.poll(() => page.url()).toBe(zoomed);
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    const length = await page.evaluate(() => history.length);
    // Back would lead elsewhere: the page before the zoom takes the zoom's place instead.
    await page.locator('[data-testid="metric-chart"] .u-over').first().dblclick();
    await expect.poll(() => page.url(), { timeout: 10_000 }).toBe(unzoomed);
    expect(await page.evaluate(() => history.length)).toBe(length);
    await page.goBack();
    await expect.poll(() => new URL(page.url()).searchParams.get("window")).toBe("1h");
  });

  it("charts an SDK histogram: its p95 matches the recorded values within the bucket, with a heatmap", async () => {
    const sdk = sdkMeter(suite.app.base, "metrics-e2e");
    const histogram = sdk.meter.createHistogram("e2e.latency", { unit: "ms" });
    // 1..100 ms: the true p95 is 95 ms; the SDK's default buckets put it in (75, 100].
    for (let v = 1; v <= 100; v++) histogram.record(v);
    await sdk.flush();
    await sdk.shutdown();

    await openMetric(page, suite.app.base, "?metric=e2e.latency");
    await expect.poll(() => figure(page, "count").textContent()).toBe("100");
    const p95 = leadingNumber((await figure(page, "p95").textContent()) ?? "");
    expect((await figure(page, "p95").textContent())?.endsWith("ms")).toBe(true);
    expect(p95).toBeGreaterThan(75);
    expect(p95).toBeLessThanOrEqual(100);
    const p50 = leadingNumber((await figure(page, "p50").textContent()) ?? "");
    expect(p50).toBeGreaterThan(25);
    expect(p50).toBeLessThanOrEqual(75);
    await page.getByTestId("metric-heatmap").locator("canvas").waitFor();
    // One line per percentile.
    await expect(page.locator(".legend-row").allTextContents()).resolves.toEqual([
      expect.stringMatching(/^p50/),
      expect.stringMatching(/^p95/),
      expect.stringMatching(/^p99/),
    ]);
  });

  it("draws a percentile's swatch under a card at a glance as its line is drawn: dashed p50 and p95, solid p99", async () => {
    const sdk = sdkMeter(suite.app.base, "metrics-e2e");
    const histogram = sdk.meter.createHistogram("glance.latency", { unit: "ms" });
    for (let v = 1; v <= 100; v++) histogram.record(v);
    await sdk.flush();
    await sdk.shutdown();

    // Whether each legend swatch is drawn dashed (masked into dashes), by the name beside it.
    const swatches = (legend: string, item: string) =>
      page.locator(`${legend} ${item}`).evaluateAll((items) =>
        items.map((el) => {
          const swatch = el.querySelector(".legend-swatch");
          const mask = swatch ? getComputedStyle(swatch).maskImage : "none";
          return `${el.textContent?.trim().slice(0, 3)} ${mask === "none" ? "solid" : "dashed"}`;
        }),
      );
    await page.goto(`${suite.app.base}/metrics?q=glance.latency`);
    const card = '.overview-card[data-metric="glance.latency"]';
    await page.locator(`${card} [data-testid="overview-chart"] canvas`).waitFor();
    await expect
      .poll(() => swatches(`${card} .overview-legend`, ".overview-legend-item"))
      .toEqual(["p50 dashed", "p95 dashed", "p99 solid"]);
    // The same as the legend under the metric's own chart says.
    await openMetric(page, suite.app.base, "?metric=glance.latency");
    await expect
      .poll(() => swatches('[data-testid="chart-legend"]', ".legend-row"))
      .toEqual(["p50 dashed", "p95 dashed", "p99 solid"]);
  });

  it("says the same p50, p95 and p99 above an SDK exponential histogram as its lines, not the heatmap's coarser rows", async () => {
    const exporter = new OTLPMetricExporter({
      url: `${suite.app.base}/v1/metrics`,
      aggregationPreference: () => ({ type: AggregationType.EXPONENTIAL_HISTOGRAM }),
    });
    const sdk = sdkMeter(suite.app.base, "metrics-e2e-exp", exporter);
    const histogram = sdk.meter.createHistogram("e2e.exp.latency", { unit: "ms" });
    // 1,000 latencies from 1 ms to 8 s, as many in each octave: the heatmap's rows span 13 octaves,
    // each wider than the SDK's buckets.
    for (let i = 0; i < 1000; i++) histogram.record(2 ** ((13 * i) / 999));
    await sdk.flush();
    await sdk.shutdown();

    const answer = page.waitForResponse((r) => r.url().includes("/api/metrics/e2e.exp.latency"));
    await openMetric(page, suite.app.base, "?metric=e2e.exp.latency");
    const body = (await (await answer).json()) as MetricQueryResponse;
    expect(body.series[0]?.p95?.some((v) => v !== null)).toBe(true);
    await expect.poll(() => figure(page, "count").textContent()).toBe("1,000");
    const legend = await page.locator(".legend-row .legend-value").allTextContents();
    expect(legend).toHaveLength(3);
    for (const [k, p] of ["p50", "p95", "p99"].entries()) {
      await expect(figure(page, p).textContent()).resolves.toBe(legend[k]);
    }
    expect(leadingNumber(legend[1] ?? "")).toBeCloseTo((body.windowPercentiles?.p95 as number) / 1000, 2);
  });

  it("says a percentile in the open last bucket that no max closes is at least the last bound", async () => {
    // Bounds [1, 2, 5, 10] ms and all 8 values above 10, with no max: p50, p95 and p99 are only ≥ 10ms.
    const now = BigInt(Date.now()) * 1_000_000n;
    const body = JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "open-bucket-svc" } }] },
          scopeMetrics: [
            {
              scope: { name: "e2e" },
              metrics: [
                {
                  name: "e2e.open.latency",
                  unit: "ms",
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [
                      {
                        startTimeUnixNano: String(now - 10_000_000_000n),
                        timeUnixNano: String(now),
                        count: "8",
                        sum: 120,
                        bucketCounts: ["0", "0", "0", "0", "8"],
                        explicitBounds: [1, 2, 5, 10],
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
    expect(await postMetricsJson(suite.app.base, body)).toBe(200);

    await openMetric(page, suite.app.base, "?metric=e2e.open.latency");
    await expect.poll(() => figure(page, "count").textContent()).toBe("8");
    for (const p of ["p50", "p95", "p99"]) await expect(figure(page, p).textContent()).resolves.toBe("≥ 10ms");
    await expect(page.locator(".legend-row .legend-value").allTextContents()).resolves.toEqual([
      "≥ 10ms",
      "≥ 10ms",
      "≥ 10ms",
    ]);
  });

  it("asks a histogram of several groups for the statistic it draws per group, and another when it is picked", async () => {
    const sdk = sdkMeter(suite.app.base, "metrics-e2e");
    const histogram = sdk.meter.createHistogram("e2e.route.latency", { unit: "ms" });
    for (let v = 1; v <= 100; v++) {
      histogram.record(v, { "http.route": "/a" });
      histogram.record(v * 10, { "http.route": "/b" });
    }
    await sdk.flush();
    await sdk.shutdown();

    const first = page.waitForResponse((r) => r.url().includes("/api/metrics/e2e.route.latency?"));
    await openMetric(page, suite.app.base, "?metric=e2e.route.latency&groupBy=http.route");
    const p95 = (await (await first).json()) as MetricQueryResponse;
    expect(p95.stat).toBe("p95");
    expect(p95.series.map((s) => [s.label, s.p50, s.p99, s.p95?.some((v) => v !== null)])).toEqual([
      ["/a", undefined, undefined, true],
      ["/b", undefined, undefined, true],
    ]);
    const lastValues = () => page.locator(".legend-row .legend-value").allTextContents();
    await expect.poll(lastValues).toHaveLength(2);
    const before = await lastValues();

    const next = page.waitForResponse(
      (r) => r.url().includes("/api/metrics/e2e.route.latency?") && r.url().includes("stat=p99"),
    );
    await page.getByRole("combobox", { name: "Each group's" }).selectOption("p99");
    const p99 = (await (await next).json()) as MetricQueryResponse;
    expect(p99.stat).toBe("p99");
    expect(p99.series.every((s) => s.p95 === undefined && s.p99?.some((v) => v !== null))).toBe(true);
    await expect.poll(() => new URL(page.url()).searchParams.get("stat")).toBe("p99");
    // Each route's line now ends at its p99, above its p95.
    await expect.poll(async () => (await lastValues()).join() !== before.join()).toBe(true);
    const [a95, b95] = before.map(leadingNumber);
    const [a99, b99] = (await lastValues()).map(leadingNumber);
    expect(a99).toBeGreaterThan(a95 as number);
    expect(b99).toBeGreaterThan(b95 as number);
  });

  it("reads a TraceKit SDK's metrics as it means them: counter increments, gauge points as samples", async () => {
    const now = Date.now();
    const eu = { region: "eu" };
    const body = nodeMetricsBody("tk-shop", [
      { name: "tk.orders", type: "counter", value: 10, atMs: now - 60_000, tags: eu },
      { name: "tk.orders", type: "counter", value: 12, atMs: now - 30_000, tags: eu },
      { name: "tk.orders", type: "counter", value: 20, atMs: now - 1_000, tags: eu },
      ...[40, 20, 60, 80, 100].map((value, i) => ({
        name: "tk.checkout.ms",
        type: "histogram" as const,
        value,
        atMs: now - 5_000 + i,
        // client.histogram("tk.checkout.ms", { unit: "ms" }): the unit arrives as a tag.
        tags: { unit: "ms" },
      })),
    ]);
    expect((await postTraceKitMetrics(suite.app.port, body, "node")).status).toBe(200);

    await openMetric(page, suite.app.base, "?metric=tk.orders");
    // The SDK marks the points cumulative, but each is an increment: 10 + 12 + 20.
    await expect.poll(() => figure(page, "increase").textContent()).toBe("42");
    await expect(page.getByTestId("tracekit-note").textContent()).resolves.toContain("increment");
    // A step's rate says it is the step's average, and what the counter grew by in it.
    const chart = page.locator('[data-metric="tk.orders"] [data-testid="metric-chart"] .u-over').first();
    const box = await chart.boundingBox();
    if (box === null) throw new Error("no chart");
    let note = "";
    for (let x = box.x + box.width - 2; x > box.x && note === ""; x -= 3) {
      await page.mouse.move(x, box.y + box.height / 2);
      note =
        (await page
          .getByTestId("rate-note")
          .textContent({ timeout: 30 })
          .catch(() => "")) ?? "";
    }
    expect(note).toMatch(/^Average per second over this \d+(s|m) step/);
    await expect(page.locator(".chart-tooltip [data-increase]").first().textContent()).resolves.toMatch(/in the step/);
    // Its running total: the header names it as the button does.
    await page.getByRole("button", { name: "Total", exact: true }).click();
    await expect.poll(() => page.getByTitle("How it is charted").textContent()).toBe("total");
    await expect(page.getByTestId("tracekit-note").textContent()).resolves.toContain("the total is the increments");

    await openMetric(page, suite.app.base, "?metric=tk.checkout.ms");
    await expect(page.getByTestId("tracekit-note").textContent()).resolves.toContain("samples of a distribution");
    await expect.poll(() => figure(page, "count").textContent()).toBe("5");
    await expect.poll(() => figure(page, "p50").textContent()).toMatch(/^\d+(\.\d+)?ms$/);
    await page.getByRole("button", { name: "Value", exact: true }).click();
    await expect.poll(() => page.url()).toContain("chart=value");
    // As a gauge: the value it last held, the last of 40, 20, 60, 80, 100.
    await expect.poll(() => figure(page, "latest").textContent()).toBe("100ms");
    // The header and the note say what is on screen now.
    await expect.poll(() => page.getByTitle("How it is charted").textContent()).toBe("value");
    await expect(page.getByTestId("tracekit-note").textContent()).resolves.toContain("shown here as values");
  });

  it("charts a TraceKit gauge that inc() and dec() move as its level, its peaks in a band, and leads with the level now", async () => {
    // 27 requests at once (inc() at each start, dec() at each end, several in one millisecond), 20 s ago.
    const start = Date.now() - 20_000;
    const up = Array.from({ length: 27 }, (_, i) => ({ value: i + 1, atMs: start + Math.floor(i / 5) }));
    const down = Array.from({ length: 27 }, (_, i) => ({ value: 26 - i, atMs: start + 400 + i * 30 }));
    const body = nodeMetricsBody(
      "lvl-shop",
      [...up, ...down].map((p) => ({ name: "lvl.requests.active", type: "gauge" as const, ...p })),
    );
    expect((await postTraceKitMetrics(suite.app.port, body, "node")).status).toBe(200);

    await openMetric(page, suite.app.base, "?metric=lvl.requests.active");
    // Values by default (not samples), the level now and the peak among the figures.
    await expect.poll(() => page.url()).not.toContain("chart=");
    await expect.poll(() => figure(page, "latest").textContent()).toBe("0");
    await expect.poll(() => figure(page, "max").textContent()).toBe("27");
    await expect(page.getByTestId("tracekit-note").textContent()).resolves.toContain("level");
    // The tooltip of the step says what it held besides its last value.
    const chart = page.locator('[data-metric="lvl.requests.active"] [data-testid="metric-chart"] .u-over').first();
    const box = await chart.boundingBox();
    if (box === null) throw new Error("no chart");
    const bands = new Set<string>();
    for (let x = box.x + box.width - 2; x > box.x + box.width / 2; x -= 3) {
      await page.mouse.move(x, box.y + box.height / 2);
      const text = await page
        .locator(".chart-tooltip [data-band]")
        .first()
        .textContent({ timeout: 30 })
        .catch(() => null);
      if (text) bands.add(text.trim());
    }
    // The burst may straddle two steps: one of them held its peak.
    expect([...bands].some((text) => /– 27 in the step/.test(text))).toBe(true);

    // The overview card: the level now, with its peak, not a percentile.
    await page.goto(`${suite.app.base}/metrics?q=lvl.requests`);
    const card = page.locator('.overview-card[data-metric="lvl.requests.active"]');
    await card.locator('[data-testid="overview-chart"] canvas').waitFor();
    await expect.poll(() => card.locator(".overview-value").textContent()).toBe("0");
    await expect.poll(() => card.locator(".overview-figure .muted").textContent()).toContain("peak 27");
  });

  it("puts exemplars on the chart as dots that open their trace and say which series", async () => {
    const trace = await sendSdkTrace(suite.app.base, { service: "exemplar-svc", name: "GET /pay" });
    const now = BigInt(Date.now()) * 1_000_000n;
    const body = JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "exemplar-svc" } }] },
          scopeMetrics: [
            {
              scope: { name: "e2e" },
              metrics: [
                {
                  name: "e2e.pay.duration",
                  unit: "s",
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [
                      {
                        attributes: [{ key: "http.route", value: { stringValue: "/pay" } }],
                        startTimeUnixNano: String(now - 10_000_000_000n),
                        timeUnixNano: String(now),
                        count: "3",
                        sum: 0.9,
                        bucketCounts: ["1", "1", "1"],
                        explicitBounds: [0.1, 0.5],
                        exemplars: [
                          {
                            timeUnixNano: String(now - 1_000_000_000n),
                            asDouble: 0.7,
                            traceId: trace.traceId,
                            spanId: trace.rootSpanId,
                            filteredAttributes: [],
                          },
                        ],
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
    expect(await postMetricsJson(suite.app.base, body)).toBe(200);

    await openMetric(page, suite.app.base, "?metric=e2e.pay.duration");
    const dot = page.locator(`.exemplar-dot[data-trace-id="${trace.traceId}"]`);
    await dot.waitFor();
    await expect(dot.getAttribute("aria-label")).resolves.toMatch(/^Exemplar of .*: 700ms at .* — open trace /);
    await dot.click();
    await expect.poll(() => page.url()).toContain(`/traces/${trace.traceId}?span=${trace.rootSpanId}`);
    await page.getByText("GET /pay").first().waitFor();
  });

  it("draws a chart by service in each service's own colour, the one the Services page shows, not the palette's order", async () => {
    // A second service whose name wants the first one's colour is given another: the chart must follow
    // the server's assignment, not the name.
    let other = "";
    for (let i = 0; other === ""; i++)
      if (preferredColorSlot(`paint-b-${i}`) === preferredColorSlot("paint-a")) other = `paint-b-${i}`;
    const now = Date.now();
    for (const service of ["paint-a", other]) {
      await sendSdkTrace(suite.app.base, { service, name: `GET /${service}` });
      const points = [3, 2, 1].map((ago, i) => ({
        name: "paint.requests",
        type: "counter" as const,
        value: 5 + i,
        atMs: now - ago * 1000,
      }));
      expect((await postTraceKitMetrics(suite.app.port, nodeMetricsBody(service, points), "node")).status).toBe(200);
    }
    await page.goto(`${suite.app.base}/services`);
    const colors: Record<string, string> = {};
    for (const service of ["paint-a", other]) {
      await page.locator(`tr[data-service="${service}"] .service-dot`).waitFor();
      await expect.poll(() => servicesPageColor(page, service).then((c) => (colors[service] = c))).not.toBe("");
    }
    // Given different colours although their names want the same one.
    await expect.poll(() => servicesPageColor(page, other)).not.toBe(await servicesPageColor(page, "paint-a"));
    colors["paint-a"] = await servicesPageColor(page, "paint-a");
    colors[other] = await servicesPageColor(page, other);

    await openMetric(page, suite.app.base, "?metric=paint.requests&groupBy=service.name");
    for (const service of ["paint-a", other]) {
      const swatch = `[data-testid="chart-legend"] .legend-row:has-text("${service}") .legend-swatch`;
      await expect.poll(() => backgroundOf(page, swatch)).toBe(colors[service]);
    }
    // The overview's cards chart per service: the same colours there.
    await page.goto(`${suite.app.base}/metrics?q=paint`);
    const card = '[data-testid="metrics-overview"] .overview-card[data-metric="paint.requests"]';
    await page.locator(`${card} [data-testid="overview-chart"] canvas`).waitFor();
    for (const service of ["paint-a", other]) {
      const swatch = `${card} .overview-legend-item:has-text("${service}") .legend-swatch`;
      await expect.poll(() => backgroundOf(page, swatch)).toBe(colors[service]);
    }
    // Grouped by something else than the service, the palette (its first colour is none of theirs).
    await openMetric(page, suite.app.base, "?metric=paint.requests&groupBy=*");
    const single = await backgroundOf(page, '[data-testid="chart-legend"] .legend-swatch');
    expect(Object.values(colors)).not.toContain(single);
  });

  it("shows a service's key metrics on the Services page, linking to their chart", async () => {
    await sendSdkTrace(suite.app.base, { service: "key-svc", name: "GET /k" });
    const sdk = sdkMeter(suite.app.base, "key-svc");
    // The bucket bounds the semantic conventions advise for this metric.
    const duration = sdk.meter.createHistogram("http.server.request.duration", {
      unit: "s",
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5] },
    });
    for (let i = 0; i < 20; i++) duration.record(0.2);
    await sdk.flush();
    await sdk.shutdown();

    await page.goto(`${suite.app.base}/services`);
    const cell = page.locator('tr[data-service="key-svc"] td[data-key-metric="http.server.request.duration"] a');
    await cell.waitFor();
    const p95 = leadingNumber((await cell.textContent()) ?? "");
    // Every value is 200 ms, which the bounds hold in (100 ms, 250 ms].
    expect(p95).toBeGreaterThan(100);
    expect(p95).toBeLessThanOrEqual(250);
    // Over the page's window, as the other columns are.
    const header = page.locator("th", { hasText: "HTTP p95" });
    expect(await header.getAttribute("title")).toBe(
      "p95 of http.server.request.duration (from the service's metrics), over everything stored",
    );
    await page.goto(`${suite.app.base}/services?window=1h`);
    await cell.waitFor();
    expect(await header.getAttribute("title")).toContain("over the last hour");
    const color = await servicesPageColor(page, "key-svc");
    await cell.click();
    await expect.poll(() => page.url()).toContain("/metrics?metric=http.server.request.duration&service=key-svc");
    // Over the window the Services page showed.
    expect(new URL(page.url()).searchParams.get("window")).toBe("1h");
    await page.locator('[data-testid="metric-chart"] canvas').first().waitFor();
    // The chart is of that one service: its first percentile line in the service's colour.
    await expect
      .poll(() => backgroundOf(page, '[data-testid="chart-legend"] .legend-row:has-text("p50") .legend-swatch'))
      .toBe(color);
  });

  it("says a point that arrives between two ticks of the page's clock came just now, not in the future", async () => {
    const atMs = Date.now();
    const points = (value: number, at: number) => [{ name: "tick.count", type: "counter" as const, value, atMs: at }];
    const first = nodeMetricsBody("tick-svc", points(1, atMs - 8_000));
    expect((await postTraceKitMetrics(suite.app.port, first, "node")).status).toBe(200);
    // The page opens 8 s before now by its own clock, with the first point; its clock is then set to now
    // without a tick of its timers, as when the next point arrives 8 s after the header's last tick.
    await page.clock.install({ time: atMs - 8_000 });
    await openMetric(page, suite.app.base, "?metric=tick.count");
    await expect.poll(() => figure(page, "increase").textContent()).toBe("1");
    await page.clock.setSystemTime(Date.now());
    const second = nodeMetricsBody("tick-svc", points(2, Date.now()));
    expect((await postTraceKitMetrics(suite.app.port, second, "node")).status).toBe(200);
    await expect.poll(() => figure(page, "increase").textContent(), { timeout: 10_000 }).toBe("3");
    // The header and the catalog have the newest point, said as the past.
    await expect.poll(() => page.getByTestId("metric-header-facts").textContent()).toContain("last point just now");
    await expect
      .poll(() => page.locator('.catalog-row[data-metric="tick.count"] .catalog-last').textContent())
      .toBe("just now");
  });

  it("says a cumulative histogram still exported with nothing recorded in the window is still reported, not that it has no points", async () => {
    const now = Date.now();
    const ns = (ms: number) => `${ms}000000`;
    // Five values recorded three hours ago; the app has exported the same counts since, as an OTLP SDK does.
    const point = (atMs: number) => ({
      startTimeUnixNano: ns(now - 3 * 3_600_000),
      timeUnixNano: ns(atMs),
      count: "5",
      sum: 150,
      bucketCounts: ["0", "5", "0"],
      explicitBounds: [10, 100],
    });
    const ago = [3 * 3_600_000 - 60_000, 600_000, 300_000, 60_000, 1_000];
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "quiet-svc" } }] },
          scopeMetrics: [
            {
              scope: { name: "quiet" },
              metrics: [
                {
                  name: "quiet.duration",
                  unit: "ms",
                  histogram: { aggregationTemporality: 2, dataPoints: ago.map((ms) => point(now - ms)) },
                },
              ],
            },
          ],
        },
      ],
    };
    expect(await postMetricsJson(suite.app.base, JSON.stringify(body))).toBe(200);
    await openMetric(page, suite.app.base, "?metric=quiet.duration");
    const quiet = page.getByTestId("metric-window-quiet");
    await expect.poll(() => quiet.textContent()).toContain("Nothing was recorded in this window");
    expect(await quiet.textContent()).toContain("The app still reports this metric (its last point came just now)");
    // Not "No points in this window", nor an offer of the hour up to a point that is in it.
    expect(await page.getByTestId("metric-window-empty").count()).toBe(0);
    expect(await page.getByTestId("metric-show-last").count()).toBe(0);
  });

  it('names the bucket of a TraceKit gauge that is always 3 with bounds that read apart, not "3 – 3"', async () => {
    const now = Date.now();
    const body = nodeMetricsBody(
      "three-svc",
      [120_000, 60_000, 1_000].map((ago) => ({
        name: "three.level",
        type: "gauge" as const,
        value: 3,
        atMs: now - ago,
      })),
    );
    expect((await postTraceKitMetrics(suite.app.port, body, "node")).status).toBe(200);
    await openMetric(page, suite.app.base, "?metric=three.level&chart=distribution");
    const over = page.locator('[data-testid="metric-heatmap"] .u-over');
    const box = await over.boundingBox();
    if (box === null) throw new Error("no heatmap");
    await page.mouse.move(box.x + box.width - 3, box.y + box.height / 2);
    const tip = await over.locator(".chart-tooltip").textContent();
    const range = /in (\S+) – (\S+)$/.exec(tip ?? "");
    expect(range, tip ?? "").not.toBeNull();
    const [lower, upper] = [Number(range?.[1]), Number(range?.[2])];
    expect(lower).toBeLessThan(3);
    expect(upper).toBeGreaterThanOrEqual(3);
    expect(upper - lower).toBeLessThan(0.001);
  });

  it("reads a TraceKit counter that last moved minutes ago at 0/s now, as its average and MCP's get_metric do", async () => {
    const now = Date.now();
    // Increments from 10 to 5 minutes ago, then none: a TraceKit SDK sends nothing while it stands still,
    // so the quiet steps since are no increments, 0/s, which its average counts too.
    const body = nodeMetricsBody(
      "still-svc",
      [600, 540, 480, 420, 360, 300].map((ago) => ({
        name: "still.orders",
        type: "counter" as const,
        value: 30,
        atMs: now - ago * 1000,
      })),
    );
    expect((await postTraceKitMetrics(suite.app.port, body, "node")).status).toBe(200);
    const answered = page.waitForResponse((r) => r.url().includes("/api/metrics/still.orders?"));
    await openMetric(page, suite.app.base, "?metric=still.orders");
    const answer = (await (await answered).json()) as MetricQueryResponse;
    const latest = page.locator('[data-testid="metric-figures"] [data-figure="latest-rate"]');
    await expect.poll(() => latest.locator("dd").textContent()).toBe("0/s");
    await expect(page.locator('[data-testid="chart-legend"] .legend-value').first().textContent()).resolves.toBe("0/s");
    // When it last moved is the header's to say.
    await expect(page.getByTestId("metric-header-facts").textContent()).resolves.toMatch(/last point [45]m ago/);
    // MCP's get_metric reads the same answer alike: latest and min 0/s, and the page's Average.
    const average = (await figure(page, "average-rate").textContent()) ?? "";
    expect(average).toMatch(/^0\.\d+\/s$/);
    const text = describeMetric(answer);
    expect(text).toMatch(
      /^last increment at \S+ \([45]m[^)]*before the window's end\): .* the steps since read 0\/s$/m,
    );
    const row = text.split("\n").find((line) => line.trim().startsWith("0/s"));
    expect(row?.trim().split(/\s{2,}/)).toEqual(["0/s", "0/s", average, expect.stringMatching(/\/s$/), "180", "(all)"]);
  });

  it("ages a TraceKit counter's latest rate as the page stays open, though the counter sends nothing more", async () => {
    const now = Date.now();
    // Increments over the last 4 minutes, then none: the counter stands still and its SDK sends nothing.
    const body = nodeMetricsBody(
      "open-svc",
      [240, 180, 120, 60].map((ago) => ({
        name: "open.orders",
        type: "counter" as const,
        value: 30,
        atMs: now - ago * 1000,
      })),
    );
    expect((await postTraceKitMetrics(suite.app.port, body, "node")).status).toBe(200);
    await page.clock.install({ time: now });
    await openMetric(page, suite.app.base, "?metric=open.orders");
    const latest = page.locator('[data-testid="metric-figures"] [data-figure="latest-rate"]');
    const legendValue = page.locator('[data-testid="chart-legend"] .legend-value').first();
    await expect.poll(() => latest.locator("dd").textContent()).toMatch(/^[\d.]+\/s$/);
    await expect(legendValue.textContent()).resolves.toMatch(/^[\d.]+\/s$/);
    // A quarter of an hour on with the page open: the header says the last point is 15m old, and so does
    // the latest rate, rather than hold it as the rate now.
    await page.clock.fastForward("15:00");
    await expect.poll(() => page.getByTestId("metric-header-facts").textContent()).toMatch(/last point 1[56]m ago/);
    await expect.poll(() => latest.locator("dd").textContent()).toMatch(/^[\d.]+\/s 1[567]m ago$/);
    await expect(latest.getAttribute("class")).resolves.toContain("stale");
    await expect(legendValue.textContent()).resolves.toMatch(/^[\d.]+\/s 1[567]m ago$/);
    await expect(legendValue.getAttribute("title")).resolves.toMatch(/no point has come since/);
    // And it keeps counting.
    await page.clock.fastForward("05:00");
    await expect.poll(() => latest.locator("dd").textContent()).toMatch(/^[\d.]+\/s 2[012]m ago$/);
    await expect.poll(() => legendValue.textContent()).toMatch(/^[\d.]+\/s 2[012]m ago$/);
  });
});

describe.skipIf(!available)("Metrics page in Chromium: data from long ago", () => {
  const suite = useAppInChromium();

  it("writes no unit for UCUM's dimensionless 1 (the official metrics.json), and a real unit as sent", async () => {
    const fixture = readFileSync(new URL("../fixtures/otlp-examples/metrics.json", import.meta.url), "utf8");
    // The same request with one more gauge, in milliseconds.
    const request = JSON.parse(fixture);
    const metrics = request.resourceMetrics[0].scopeMetrics[0].metrics;
    const gauge = metrics.find((metric: { name: string }) => metric.name === "my.gauge");
    metrics.push({ ...gauge, name: "e2e.unit.latency", unit: "ms" });
    expect(await postMetricsJson(suite.app.base, JSON.stringify(request))).toBe(200);
    const page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${suite.app.base}/metrics?metric=my.counter`);
    const row = (name: string) => page.locator(`.catalog-row[data-metric="${name}"] .catalog-facts`);
    await row("e2e.unit.latency").waitFor();
    // "counter 1 1 series" read as a count of one: the 1 only says the values have no unit.
    for (const name of ["my.counter", "my.gauge", "my.histogram", "my.exponential.histogram"]) {
      expect(await row(name).locator(".catalog-unit").count()).toBe(0);
    }
    expect(await row("my.counter").textContent()).toBe("counter1 seriesmy.service");
    expect(await row("e2e.unit.latency").locator(".catalog-unit").textContent()).toBe("ms");
    const header = page.locator('[data-testid="metric-panel"] .metric-header');
    await header.waitFor();
    expect(await header.locator(".badge").allTextContents()).toEqual(["counter", "rate"]);
    await page.goto(`${suite.app.base}/metrics`);
    const card = (name: string) => page.locator(`.overview-card[data-metric="${name}"] header .faint`);
    await card("my.gauge").waitFor();
    expect(await card("my.gauge").textContent()).toBe("value · 1 series");
    expect(await card("e2e.unit.latency").textContent()).toBe("value · ms · 1 series");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("names a unit as its values are written (Cel as °C, By as bytes), with the unit as sent in its tooltip", async () => {
    const fixture = readFileSync(new URL("../fixtures/otlp-examples/metrics.json", import.meta.url), "utf8");
    // The official request's gauge and counter, in degrees Celsius and in bytes, and nothing else.
    const request = JSON.parse(fixture);
    const scope = request.resourceMetrics[0].scopeMetrics[0];
    const of = (name: string) => scope.metrics.find((metric: { name: string }) => metric.name === name);
    scope.metrics = [
      { ...of("my.gauge"), name: "e2e.room.temperature", unit: "Cel" },
      { ...of("my.counter"), name: "e2e.net.received", unit: "By" },
    ];
    expect(await postMetricsJson(suite.app.base, JSON.stringify(request))).toBe(200);
    const page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${suite.app.base}/metrics?metric=e2e.room.temperature`);
    const unitOfRow = (name: string) => page.locator(`.catalog-row[data-metric="${name}"] .catalog-unit`);
    await unitOfRow("e2e.net.received").waitFor();
    expect(await unitOfRow("e2e.room.temperature").textContent()).toBe("°C");
    expect(await unitOfRow("e2e.room.temperature").getAttribute("title")).toBe("unit as sent: Cel");
    expect(await unitOfRow("e2e.net.received").textContent()).toBe("bytes");
    expect(await unitOfRow("e2e.net.received").getAttribute("title")).toBe("unit as sent: By");
    const badge = page.locator('[data-testid="metric-panel"] .metric-header [data-field="unit"]');
    await expect(badge.textContent()).resolves.toBe("°C");
    expect(await badge.getAttribute("title")).toBe("unit as sent: Cel");
    await page.goto(`${suite.app.base}/metrics`);
    const card = (name: string) => page.locator(`.overview-card[data-metric="${name}"] header .faint`);
    await card("e2e.room.temperature").waitFor();
    expect(await card("e2e.room.temperature").textContent()).toBe("value · °C · 1 series");
    expect(await card("e2e.room.temperature").locator('[title="unit as sent: Cel"]').textContent()).toBe("°C");
    expect(await card("e2e.net.received").textContent()).toBe("rate · bytes · 1 series");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("offers the hour up to a metric's last point when the window holds none (the official metrics.json, from 2018)", async () => {
    const fixture = readFileSync(new URL("../fixtures/otlp-examples/metrics.json", import.meta.url), "utf8");
    expect(await postMetricsJson(suite.app.base, fixture)).toBe(200);
    const page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems = collectPageProblems(page);
    try {
      await page.goto(`${suite.app.base}/metrics?metric=my.histogram`);
      await page.getByTestId("metric-window-empty").waitFor();
      await page.getByTestId("metric-show-last").click();
      await expect.poll(() => page.url()).toMatch(/[?&]from=\d+&to=\d+/);
      const range = new URL(page.url()).searchParams;
      const last = Date.UTC(2018, 11, 13, 14, 51, 0, 300);
      expect(Number(range.get("to"))).toBeGreaterThan(last);
      expect(Number(range.get("from"))).toBeLessThan(last);
      await expect.poll(() => page.getByTestId("metric-window-empty").count()).toBe(0);
      expect(await figure(page, "count").textContent()).toBe("2");
    } finally {
      await page.close();
    }
    expect(problems).toEqual([]);
  });
});
