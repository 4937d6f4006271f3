/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("retention in Chromium", () => {
  const suite = useAppInChromium({ maxSpans: 5 });

  it("takes evicted traces off the open list, and says so on an evicted trace's page", async () => {
    const { app, browser } = suite;
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(app.base);
    const oldest = newTraceId();
    await postJson(app.base, jsonTraceRequest("shop", [{ traceId: oldest, name: "GET /oldest" }]));
    for (let i = 1; i < 5; i++) await postJson(app.base, jsonTraceRequest("shop", [{ name: `GET /kept-${i}` }]));
    const count = page.getByTestId("trace-count");
    await expect.poll(() => count.textContent()).toBe("5 traces");
    await expect.poll(() => page.getByText("GET /oldest").count()).toBe(1);
    // Two more traces of two spans evict the three oldest (5 spans kept).
    for (let i = 5; i < 7; i++) {
      const traceId = newTraceId();
      const spans = [
        { traceId, name: `GET /new-${i}` },
        { traceId, name: `child ${i}` },
      ];
      await postJson(app.base, jsonTraceRequest("shop", spans));
    }
    await expect.poll(() => page.getByText("GET /new-6").count()).toBe(1);
    await expect.poll(() => page.getByText("GET /oldest").count()).toBe(0);
    // The count follows the latency chart's, redrawn at most once a second.
    await expect.poll(() => count.textContent(), { timeout: 5000 }).toBe("3 traces");
    expect(await page.getByText("GET /kept-1").count()).toBe(0);
    expect(await page.getByText("GET /kept-4").count()).toBe(1);

    // A trace open on its page: evicted meanwhile, the page says it is no longer stored.
    const shown = newTraceId();
    await postJson(app.base, jsonTraceRequest("shop", [{ traceId: shown, name: "GET /shown" }]));
    await page.goto(`${app.base}/traces/${shown}`);
    await expect.poll(() => page.getByText("GET /shown").count()).toBeGreaterThan(0);
    expect(await page.locator(".tv-json-link", { hasText: "Download" }).getAttribute("href")).toBe(
      `/api/export?trace=${shown}&signals=traces,logs`,
    );
    for (let i = 0; i < 5; i++) await postJson(app.base, jsonTraceRequest("shop", [{ name: `GET /after-${i}` }]));
    await expect
      .poll(() => page.getByRole("status").filter({ hasText: "no longer stored" }).count(), { timeout: 5000 })
      .toBe(1);
    // The server has nothing left to download: the link says so instead of failing silently.
    const download = page.locator(".tv-json-link", { hasText: "Download" });
    expect(await download.getAttribute("href")).toBeNull();
    expect(await download.getAttribute("aria-disabled")).toBe("true");
    expect(await download.getAttribute("title")).toContain("no longer stored");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("keeps the Errors and Services pages to what retention left: no group, count or newest trace of an evicted trace", async () => {
    const { app, browser } = suite;
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    const now = () => BigInt(Date.now()) * 1_000_000n;
    const failing = (name: string) => ({
      name,
      kind: 2,
      statusCode: 2,
      statusMessage: "card declined",
      startNs: now(),
    });
    const older = newTraceId();
    const newer = newTraceId();
    await postJson(app.base, jsonTraceRequest("billing", [{ traceId: older, ...failing("POST /charge") }]));
    await postJson(app.base, jsonTraceRequest("refunds", [failing("POST /refund")]));
    await postJson(app.base, jsonTraceRequest("billing", [{ traceId: newer, ...failing("POST /charge") }]));
    const errors = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const services = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors.setDefaultTimeout(15_000);
    services.setDefaultTimeout(15_000);
    const problems = [...collectPageProblems(errors), ...collectPageProblems(services)];
    await errors.goto(`${app.base}/errors`);
    await services.goto(`${app.base}/services`);
    const groups = errors.getByTestId("error-group");
    await expect.poll(() => groups.count()).toBe(2);
    const billing = groups.filter({ hasText: "billing" });
    // Open, so its newest traces show (and the reader holds the order while new answers come).
    await billing.locator(".error-group-toggle").click();
    const latest = billing.getByTestId("error-latest").locator("[data-trace-id]");
    await expect
      .poll(() => latest.evaluateAll((rows) => rows.map((row) => row.dataset.traceId)))
      .toEqual([newer, older]);
    const serviceRows = () =>
      services.locator("tr[data-service]").evaluateAll((rows) => rows.map((row) => row.dataset.service));
    await expect.poll(serviceRows).toEqual(["billing", "refunds"]);

    // A trace of three spans makes six: the oldest goes, the billing group's older trace; one more span, the refund's.
    const shop = newTraceId();
    await postJson(
      app.base,
      jsonTraceRequest("shop", [
        { traceId: shop, name: "GET /a", startNs: now() },
        { traceId: shop, name: "GET /b", startNs: now() },
        { traceId: shop, name: "GET /c", startNs: now() },
      ]),
    );
    // The pages refresh at most once a second while traffic flows.
    await expect
      .poll(() => latest.evaluateAll((rows) => rows.map((row) => row.dataset.traceId)), { timeout: 10_000 })
      .toEqual([newer]);
    expect(await billing.getByTestId("error-count").textContent()).toBe("1");
    await postJson(app.base, jsonTraceRequest("shop", [{ name: "GET /d", startNs: now() }]));
    await expect.poll(() => groups.count(), { timeout: 10_000 }).toBe(1);
    expect(await groups.first().textContent()).toContain("billing");
    await expect.poll(serviceRows, { timeout: 10_000 }).toEqual(["billing", "shop"]);
    await errors.close();
    await services.close();
    expect(problems).toEqual([]);
  });

  it("says what a dropped file's import made retention evict", async () => {
    const { app, browser } = suite;
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(app.base);
    const lines = Array.from({ length: 8 }, (_, i) => JSON.stringify(jsonTraceRequest("shop", [{ name: `job ${i}` }])));
    await page.evaluate(
      (text) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], "small.jsonl", { type: "application/x-ndjson" }));
        for (const type of ["dragenter", "dragover", "drop"]) {
          document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }
      },
      `${lines.join("\n")}\n`,
    );
    await expect
      .poll(() => page.getByTestId("import-result").textContent(), { timeout: 10_000 })
      .toBe(
        "Imported 8 spans in 8 traces from small.jsonl; the oldest 3 traces (3 spans) were evicted to stay within --max-spansDismiss",
      );
    await page.close();
    expect(problems).toEqual([]);
  });

  it("says when late spans of evicted traces were dropped, with the bound to raise", async () => {
    const { app, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(app.base);
    const notice = page.getByTestId("late-spans-notice");
    const traceId = newTraceId();
    const root = newSpanId();
    await postJson(app.base, jsonTraceRequest("shop", [{ traceId, parentSpanId: root, name: "child" }]));
    for (let i = 0; i < 5; i++) await postJson(app.base, jsonTraceRequest("shop", [{ name: `other ${i}` }]));
    expect(await notice.count()).toBe(0);
    await postJson(app.base, jsonTraceRequest("shop", [{ traceId, spanId: root, name: "GET /late" }]));
    await expect.poll(() => notice.textContent()).toContain("1 late span of evicted traces dropped");
    expect(await notice.textContent()).toContain("--max-spans");
    // The late root never shows up as a trace of its own.
    expect(await page.getByText("GET /late").count()).toBe(0);
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    await expect.poll(() => notice.count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });
});
