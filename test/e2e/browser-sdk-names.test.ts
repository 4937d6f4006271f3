/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
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
  const suite = useAppInChromium();
  let app: TestApp;
  let page: Page;

  beforeEach(async () => {
    app = suite.app;
    page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    return async () => {
      await page.close();
      expect(problems).toEqual([]);
    };
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

  it("shows a refused span in the app: the first local UI's curl example, with its 12-digit span id", async () => {
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    await page.goto(app.base);
    const notice = page.getByTestId("rejection-notice");
    await expect.poll(() => notice.count()).toBe(0);
    const response = await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "curl/8.5.0" },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "api-gateway" } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: "5bf69505396329aa160366e9f6e4cdb3",
                    spanId: "a1b2c3d4e5f6",
                    name: "GET /api/users",
                    startTimeUnixNano: "1705593600000000000",
                    endTimeUnixNano: "1705593600050000000",
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect((await response.json()).partialSuccess.rejectedSpans).toBe(1);
    await expect.poll(() => notice.textContent()).toContain("1 span rejected");
    await expect(notice.textContent()).resolves.toContain('span id "a1b2c3d4e5f6" is not 16 hex digits');
    // A page opened later still shows it (the notice is retained), until Clear.
    await page.reload();
    await notice.waitFor();
    await page.getByRole("button", { name: "Dismiss" }).click();
    await expect.poll(() => notice.count()).toBe(0);
  });

  it("keeps the refused-data notice one line at 800 px, the reason readable and its time in the 24-hour clock", async () => {
    await page.setViewportSize({ width: 800, height: 700 });
    await page.goto(app.base);
    const notice = page.getByTestId("rejection-notice");
    // A request refused whole, then a span with a 12-digit id: the summary names both.
    const refused = await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{ not json",
    });
    expect(refused.status).toBe(400);
    const response = await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "api-gateway" } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: newTraceId(),
                    spanId: "a1b2c3d4e5f6",
                    name: "GET /api/users",
                    startTimeUnixNano: "1705593600000000000",
                    endTimeUnixNano: "1705593600050000000",
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect((await response.json()).partialSuccess.rejectedSpans).toBe(1);
    // (Counted since the app started: the test before refused a span too.)
    await expect.poll(() => notice.textContent()).toMatch(/\d+ spans? rejected, 1 request refused\./);
    const reasonText = (await notice.locator(".rejection-reason").textContent()) ?? "";
    expect(reasonText).toMatch(/^Latest \(\d\d:\d\d:\d\d\): rejected 1 span\(s\)/);
    expect(await notice.textContent()).not.toMatch(/\b(AM|PM)\b/);
    const box = await notice.boundingBox();
    const reason = await notice.locator(".rejection-reason").boundingBox();
    const dismiss = await notice.getByRole("button", { name: "Dismiss" }).boundingBox();
    // One line, as tall as its Dismiss button and padding; the reason has room for more than its first letter.
    expect(box!.height).toBeLessThanOrEqual(dismiss!.height + 16);
    expect(reason!.width).toBeGreaterThanOrEqual(150);
    expect(box!.width).toBe(800);
    // The summary whole.
    expect(await notice.locator("strong").evaluate((el) => el.scrollWidth - el.clientWidth)).toBe(0);
  });
});
