import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("long telemetry text in Chromium", () => {
  const suite = useAppInChromium();

  it("cuts a 1 MB span name and status message in the list, rows and details, with show all", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const root = newSpanId();
    const name = `GET ${"n".repeat(1_000_000)}`;
    const message = `failed ${"m".repeat(1_000_000)}`;
    const response = await postJson(
      app.base,
      jsonTraceRequest("huge", [
        { traceId, spanId: root, name, statusCode: 2, statusMessage: message },
        { traceId, parentSpanId: root, name: "SELECT 1" },
      ]),
    );
    expect(response.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const pageBytes = () => page.evaluate(() => document.documentElement.outerHTML.length);

    await page.goto(app.base);
    const row = page.locator(`[data-trace-id="${traceId}"]`);
    await expect.poll(() => row.count()).toBe(1);
    expect(await pageBytes()).toBeLessThan(200_000);

    await row.click();
    const details = page.getByTestId("span-details");
    await expect.poll(() => details.count()).toBe(1);
    await page.locator(".tv-row", { hasText: "GET nnn" }).first().click();
    await expect.poll(() => details.textContent()).toContain("show all (1,000,007 chars)");
    // Rows, title, tooltips and details together stay far below the two 1 MB strings.
    expect(await pageBytes()).toBeLessThan(200_000);

    await details.locator(".tv-status-message .tv-show-all").click();
    await expect
      .poll(async () => (await details.locator(".tv-status-message").textContent())?.length)
      .toBeGreaterThan(1_000_000);
    await page.close();
    expect(problems).toEqual([]);
  });
});
