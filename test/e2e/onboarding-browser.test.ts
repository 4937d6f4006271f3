/// <reference lib="dom" />
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { BrowserContext, Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import { setupSnippets } from "../../web/src/features/onboarding/setup-snippets.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { readJson } from "../helpers/http.js";
import { sendSdkTrace } from "../helpers/otel.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";
import { API_KIND, nodeLocalUiBody, sdkPost } from "../helpers/tracekit-sdk.js";

const available = chromiumAvailable();

describe.skipIf(!available)("onboarding page in Chromium", () => {
  const suite = useAppInChromium(); // on port 0: never the SDKs' 9999
  let app: TestApp;
  let context: BrowserContext;
  let page: Page;

  beforeEach(async () => {
    app = suite.app;
    context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.base });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    return async () => {
      await context.close();
      expect(problems).toEqual([]);
    };
  });

  it("says plainly that TraceKit SDKs will not find a server off port 9999, and gives TRACEKIT_ENDPOINT", async () => {
    await page.goto(app.base);
    const notice = page.getByTestId("port-notice");
    await notice.waitFor();
    const text = await notice.textContent();
    expect(text).toContain(`port ${app.port}`);
    expect(text).toContain("http://localhost:9999/api/health");
    expect(text).toContain(`TRACEKIT_ENDPOINT=${app.base}`);
    // The variable reaches the SDK only through its init call, as the set-ups below pass it.
    expect(text).toContain("endpoint: process.env.TRACEKIT_ENDPOINT");
    expect(text).toContain("Set the variable alone and the SDK keeps sending to TraceKit cloud");
    expect(text).not.toContain(`${app.base}/api/health`);
    expect(await page.getByTestId("standard-ports").textContent()).toContain(
      "--otlp-grpc-port 4317 --otlp-http-port 4318",
    );

    await notice.getByRole("button", { name: "Copy to clipboard" }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(`TRACEKIT_ENDPOINT=${app.base}`);
  });

  it("names the standard OTLP ports this instance serves", async () => {
    const withPorts = await startTestApp({ otlpGrpcPort: 0, otlpHttpPort: 0 });
    try {
      const health = await readJson(fetch(`${withPorts.base}/api/health`));
      await page.goto(withPorts.base);
      const note = page.getByTestId("standard-ports");
      await expect
        .poll(() => note.textContent())
        .toContain(
          `This tracekit-local serves OTLP/gRPC on localhost:${health.otlp.grpc.port} and OTLP/HTTP also on localhost:${health.otlp.extraHttp.port}.`,
        );
      expect(await note.textContent()).toContain("--otlp-grpc-port 4317 --otlp-http-port 4318");
    } finally {
      // Leave the page first: a page still open on a closed server reports its live connection refused.
      await page.goto("about:blank");
      await withPorts.close();
    }
  });

  it("shows each set-up in its tab, with this instance's address, and copies it as shown", async () => {
    await page.goto(app.base);
    const panel = page.getByTestId("setup-panel");
    for (const snippet of setupSnippets(app.base)) {
      await page.getByRole("tab", { name: snippet.title, exact: true }).click();
      await expect.poll(() => panel.getByRole("heading").textContent()).toBe(snippet.title);
      const blocks = panel.locator(".code-block code");
      await expect.poll(() => blocks.allTextContents()).toEqual(snippet.steps.map((step) => step.code));
    }
    // The copy button copies the command exactly as shown (the last tab: any OpenTelemetry SDK).
    await panel.getByRole("button", { name: "Copy to clipboard" }).last().click();
    const last = setupSnippets(app.base).at(-1)!;
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(last.steps.at(-1)!.code);
  });

  it("at 800px wide keeps the tab list beside the panel, each tab whole, and no set-up wider than the page", async () => {
    await page.setViewportSize({ width: 800, height: 900 });
    await page.goto(app.base);
    const tabs = page.getByRole("tablist");
    const panel = page.getByTestId("setup-panel");
    for (const snippet of setupSnippets(app.base)) {
      const tab = page.getByRole("tab", { name: snippet.title, exact: true });
      await tab.click();
      await expect.poll(() => panel.getByRole("heading").textContent()).toBe(snippet.title);
      // The tab's label is not cut, and the panel starts right of the tab list, at the same height.
      expect(await tab.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      const list = (await tabs.boundingBox())!;
      const box = (await panel.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(list.x + list.width);
      expect(Math.abs(box.y - list.y)).toBeLessThan(40);
      // Long code scrolls inside its block; nothing makes the page scroll sideways.
      const overflow = await page.getByTestId("onboarding").evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(overflow, snippet.title).toBeLessThanOrEqual(0);
    }
  });

  it("links the set-ups from the top bar, which stays one line high at 1280 and 800 px", async () => {
    for (const width of [1280, 800]) {
      await page.setViewportSize({ width, height: 700 });
      await page.goto(`${app.base}/errors`);
      const link = page.getByRole("banner").getByRole("link", { name: "Set up", exact: true });
      await link.click();
      await expect.poll(() => page.evaluate(() => location.pathname)).toBe("/setup");
      await page.getByRole("heading", { name: "Connect an app" }).waitFor();
      expect(await link.getAttribute("aria-current")).toBe("page");
      // Every link in the bar on one line, nothing pushed out of it sideways.
      const bar = (await page.getByRole("banner").boundingBox())!;
      for (const each of await page.getByRole("banner").getByRole("link").all()) {
        const box = (await each.boundingBox())!;
        expect(box.height, `${width}px: ${await each.textContent()}`).toBeLessThan(32);
        expect(box.x + box.width).toBeLessThanOrEqual(bar.x + bar.width);
      }
      expect(await page.getByRole("banner").evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    }
  });

  it("with nothing stored, the Errors, Services, Map and LLM pages link to the set-ups", async () => {
    for (const path of ["/errors", "/services", "/map", "/llm"]) {
      await page.goto(`${app.base}${path}`);
      await page.getByRole("main").getByRole("link", { name: "Connect an app" }).click();
      await page.getByRole("heading", { name: "Connect an app" }).waitFor();
      expect(await page.evaluate(() => location.pathname), path).toBe("/setup");
    }
  });

  it("says it is waiting for the first trace above the fold, at 800×600 as at 1440×900", async () => {
    for (const [width, height] of [
      [800, 600],
      [1440, 900],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.goto(app.base);
      const status = page.getByTestId("waiting");
      await expect.poll(() => status.textContent()).toContain("Waiting for the first trace");
      const box = (await status.boundingBox())!;
      expect(box.y + box.height, `${width}×${height}`).toBeLessThanOrEqual(height);
      expect(await page.getByTestId("onboarding").evaluate((el) => el.scrollTop)).toBe(0);
    }
  });

  it("has a browser tab whose exporter URL is this instance's full /v1/traces, which a page on another loopback origin can post to", async () => {
    // An instance of its own: the export below stores a trace, and the other tests expect none.
    const fresh = await startTestApp();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: fresh.base });
    // The URL as given takes a browser export (JSON, with its CORS preflight) from a page on another
    // loopback origin, as a dev server's page is.
    const devServer = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>shop</title>");
    });
    await new Promise<void>((resolve) => devServer.listen(0, "127.0.0.1", resolve));
    try {
      await page.goto(`${fresh.base}/setup`);
      await page.getByRole("tab", { name: "OpenTelemetry in the browser (JavaScript)", exact: true }).click();
      const panel = page.getByTestId("setup-panel");
      await expect
        .poll(() => panel.getByRole("heading").textContent())
        .toBe("OpenTelemetry in the browser (JavaScript)");
      const blocks = panel.locator(".code-block code");
      const install = (await blocks.nth(0).textContent())!.replace(/\\\n\s*/g, " ");
      for (const pkg of ["sdk-trace-web", "exporter-trace-otlp-http", "resources", "instrumentation-fetch"]) {
        expect(install).toContain(`@opentelemetry/${pkg}`);
      }
      const code = (await blocks.nth(1).textContent())!;
      // OpenTelemetry JS 2.x: span processors and the resource are given to the provider's constructor.
      expect(code).toContain('import { BatchSpanProcessor, WebTracerProvider } from "@opentelemetry/sdk-trace-web";');
      expect(code).toContain(`new OTLPTraceExporter({ url: "${fresh.base}/v1/traces" })`);
      // Merged into the default resource, so the spans still name the SDK (telemetry.sdk.language webjs).
      expect(code).toContain(
        'resource: defaultResource().merge(resourceFromAttributes({ "service.name": "my-frontend" }))',
      );
      expect(code).toContain("spanProcessors: [new BatchSpanProcessor(exporter)]");
      expect(code).toContain("registerInstrumentations({");
      expect(code).toContain("new FetchInstrumentation({");
      expect(code).toContain("propagateTraceHeaderCorsUrls:");
      const notes = (await panel.locator(".setup-notes").textContent())!;
      expect(notes).toContain("http://localhost:<any port>");
      expect(notes).toContain("tracekit-local --cors-origin http://shop.test:5173");
      expect(notes).toContain("Access-Control-Allow-Headers: traceparent");
      await panel.getByRole("button", { name: "Copy to clipboard" }).nth(1).click();
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(code);

      const url = /url: "([^"]+)"/.exec(code)![1]!;
      await page.goto(`http://localhost:${(devServer.address() as AddressInfo).port}/`);
      const traceId = newTraceId();
      const body = jsonTraceRequest("my-frontend", [{ traceId, name: "GET /api/cart", kind: 3 }]);
      const status = await page.evaluate(
        async ([target, payload]) =>
          (await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: payload }))
            .status,
        [url, JSON.stringify(body)] as const,
      );
      expect(status).toBe(200);
      expect((await readJson(fetch(`${fresh.base}/api/traces/${traceId}`))).name).toBe("GET /api/cart");
    } finally {
      await page.goto("about:blank");
      await new Promise((resolve) => devServer.close(resolve));
      await fresh.close();
    }
  });

  it("moves between set-ups with the arrow keys", async () => {
    await page.goto(app.base);
    const [first, second] = setupSnippets(app.base);
    const firstTab = page.getByRole("tab", { name: first!.title, exact: true });
    await firstTab.focus();
    await page.keyboard.press("ArrowDown");
    const secondTab = page.getByRole("tab", { name: second!.title, exact: true });
    await expect.poll(() => secondTab.getAttribute("aria-selected")).toBe("true");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-setup"))).toBe(second!.id);
    await page.keyboard.press("ArrowUp");
    await expect.poll(() => firstTab.getAttribute("aria-selected")).toBe("true");
  });

  it("says on /setup what is really stored, and turns from waiting to stored when the first trace arrives", async () => {
    const fresh = await startTestApp();
    try {
      await page.goto(`${fresh.base}/setup`);
      const status = page.getByTestId("waiting");
      await expect.poll(() => status.textContent()).toContain("Waiting for the first trace");
      // The status sits at the top of /setup, where a user who came to connect another app reads it.
      const statusTop = (await status.boundingBox())!.y;
      expect(statusTop).toBeLessThan((await page.getByTestId("setup-panel").boundingBox())!.y);

      const sent = await postJson(
        fresh.base,
        jsonTraceRequest("setup-check", [{ name: "GET /first", startNs: BigInt(Date.now()) * 1_000_000n }]),
      );
      expect(sent.status).toBe(200);
      // Read again within half a second of the live message (coalesced): polled for longer than that.
      await expect.poll(() => status.getAttribute("data-tone"), { timeout: 5_000 }).toBe("stored");
      const text = await status.textContent();
      expect(text).not.toContain("Waiting");
      expect(text).toContain("1 trace stored so far");
      expect(text).toContain("GET /first from setup-check");

      // Opened afresh with data stored, it never says it is waiting.
      await page.goto(`${fresh.base}/setup`);
      await expect.poll(() => status.getAttribute("data-tone")).toBe("stored");
      expect(await status.textContent()).not.toContain("Waiting");
      await status.getByRole("link", { name: "Open the trace list" }).click();
      await page.locator("[data-trace-id]").first().waitFor();
    } finally {
      await page.goto("about:blank");
      await fresh.close();
    }
  });

  it("on /setup opens on the set-up for the SDKs heard from, and keeps the reader's pick in the URL", async () => {
    const selectedSetup = () => page.locator('[role="tab"][aria-selected="true"]').getAttribute("data-setup");
    const [first] = setupSnippets(app.base);
    const empty = await startTestApp();
    const tracekitNode = await startTestApp();
    const otelNode = await startTestApp();
    try {
      // Nothing heard from: the first set-up, as before.
      await page.goto(`${empty.base}/setup`);
      await expect.poll(() => page.getByTestId("waiting").textContent()).toContain("Waiting for the first trace");
      expect(await selectedSetup()).toBe(first!.id);

      // Node apps through the TraceKit Node SDK: its set-up, not the Python one first in the list.
      const span = { traceId: newTraceId(), spanId: newSpanId(), name: "GET /orders", kind: API_KIND.SERVER };
      const body = nodeLocalUiBody("orders-api", [{ ...span, startMs: Date.now(), durationMs: 5 }]);
      expect((await sdkPost(tracekitNode.port, body, "node")).status).toBe(200);
      await page.goto(`${tracekitNode.base}/setup`);
      await expect.poll(selectedSetup, { timeout: 10_000 }).toBe("tracekit-node");
      expect(new URL(page.url()).search).toBe("");
      // The reader's pick stays, in the URL: a reload opens on it.
      await page.getByRole("tab", { name: "OpenTelemetry Go", exact: true }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get("tab"), { timeout: 10_000 }).toBe("otel-go");
      await page.reload();
      await expect
        .poll(() => page.getByTestId("waiting").getAttribute("data-tone"), { timeout: 10_000 })
        .toBe("stored");
      expect(await selectedSetup()).toBe("otel-go");

      // Node apps through the OpenTelemetry SDK (its resource names it): OpenTelemetry's Node set-up.
      await sendSdkTrace(otelNode.base, { service: "web", name: "GET /", sdkResource: true });
      await page.goto(`${otelNode.base}/setup`);
      await expect.poll(selectedSetup, { timeout: 10_000 }).toBe("otel-node-cjs");
    } finally {
      await page.goto("about:blank");
      await empty.close();
      await tracekitNode.close();
      await otelNode.close();
    }
  });
});
