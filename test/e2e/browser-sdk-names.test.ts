/// <reference lib="dom" />
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { newSpanId, newTraceId } from "../helpers/payloads.js";
import { API_KIND, nodeLocalUiBody, type SdkSpan, sdkPost } from "../helpers/tracekit-sdk.js";

const available = chromiumAvailable();

/** A request as the TraceKit Node SDK reports it: a root named only "GET", the route in attributes. */
function nodeRequest(route: string, path: string): { traceId: string; spans: SdkSpan[] } {
  const traceId = newTraceId();
  const root = newSpanId();
  const now = Date.now();
  return {
    traceId,
    spans: [
      {
        traceId,
        spanId: newSpanId(),
        parentSpanId: root,
        name: "SELECT users",
        kind: API_KIND.CLIENT,
        startMs: now + 1,
        durationMs: 2,
        attributes: { "db.system": "postgresql" },
      },
      {
        traceId,
        spanId: root,
        name: "GET",
        kind: API_KIND.SERVER,
        startMs: now,
        durationMs: 8,
        attributes: { "http.method": "GET", "http.route": route, "http.target": path },
      },
    ],
  };
}

describe.skipIf(!available)("TraceKit SDK traces in Chromium", () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("lists bare-method requests by route, finds them by route, and titles the trace view so", async () => {
    const users = nodeRequest("/users/:id", "/users/42");
    const orders = nodeRequest("/orders", "/orders?page=2");
    for (const request of [users, orders]) {
      expect((await sdkPost(app.port, nodeLocalUiBody("users-api", request.spans), "node")).status).toBe(200);
    }
    await page.goto(app.base);
    const usersRow = page.locator(`[data-trace-id="${users.traceId}"]`);
    await expect.poll(() => usersRow.textContent()).toContain("GET /users/:id");
    await expect.poll(() => page.locator(`[data-trace-id="${orders.traceId}"]`).textContent()).toContain("GET /orders");

    await page.getByLabel("Trace name").fill("/users");
    await expect.poll(() => new URL(page.url()).searchParams.get("name")).toBe("/users");
    await expect.poll(() => page.locator(`[data-trace-id="${orders.traceId}"]`).count()).toBe(0);
    await usersRow.click();
    const title = page.locator(".tv-title");
    await expect.poll(() => title.textContent()).toBe("GET /users/:id");
    await expect(title.getAttribute("title")).resolves.toBe("root span: GET");
    // The span keeps its own kind: the root is the server span, the query a client call.
    const trace = await (await fetch(`${app.base}/api/traces/${users.traceId}`)).json();
    expect(trace.name).toBe("GET /users/:id");
    expect(trace.spans.map((s: { kind: string }) => s.kind).sort()).toEqual(["CLIENT", "SERVER"]);
  });
});
