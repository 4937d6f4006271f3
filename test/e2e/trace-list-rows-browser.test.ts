/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("trace list rows, in Chromium", () => {
  const suite = useAppInChromium();

  it("show the filtered service, list the others on hover, read start times one way, and give names the room at 900 px", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const root = newSpanId();
    const longName = "POST /api/v2/customers/:customerId/orders/:orderId/line-items/:lineItemId/adjustments";
    const now = BigInt(Date.now()) * 1_000_000n;
    const request = jsonTraceRequest("support-assistant", [{ traceId, spanId: root, name: longName, startNs: now }]);
    for (const service of ["inventory-sync", "billing", "search"]) {
      const more = jsonTraceRequest(service, [{ traceId, parentSpanId: root, name: "work", startNs: now }]) as {
        resourceSpans: unknown[];
      };
      (request as { resourceSpans: unknown[] }).resourceSpans.push(...more.resourceSpans);
    }
    expect((await postJson(app.base, request)).status).toBe(200);
    // A lone trace from three minutes ago (it read "3m ago" among clock times, once).
    await postJson(app.base, jsonTraceRequest("billing", [{ name: "nightly", startNs: now - 180_000_000_000n }]));
    // A burst: five more traces in the same second.
    for (let i = 0; i < 5; i++)
      await postJson(
        app.base,
        jsonTraceRequest("billing", [{ name: `charge ${i}`, startNs: now + BigInt(i + 1) * 1_000_000n }]),
      );

    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/?service=inventory-sync`);
    const row = page.locator(`[data-trace-id="${traceId}"]`);
    // Filtered by inventory-sync, the row shows that service (the root's is in the tooltip).
    await expect.poll(() => row.locator(".service-chip").textContent()).toBe("inventory-sync");
    expect(await row.locator(".service-chip").getAttribute("title")).toBe(
      "inventory-sync; the root span is support-assistant's",
    );
    expect(await row.locator(".trace-more-services").getAttribute("title")).toBe(
      "Also: billing, search, support-assistant",
    );

    await page.goto(`${app.base}/`);
    await expect.poll(() => page.locator(".trace-row").count()).toBe(7);
    // Assigned colours: these two collided when colours were hashed from the name.
    const dot = (service: string) =>
      page
        .locator(".service-chip", { hasText: service })
        .first()
        .locator(".service-dot")
        .evaluate((el) => getComputedStyle(el).backgroundColor);
    await page.goto(`${app.base}/?service=inventory-sync`);
    const inventory = await dot("inventory-sync");
    await page.goto(`${app.base}/`);
    expect(await dot("support-assistant")).not.toBe(inventory);

    // The whole column reads one way: clock times (a burst stays apart, nothing moves while read),
    // the lone older trace included; its tooltip has the date and how long ago.
    const starts = () => page.locator(".trace-row .col-start").allTextContents();
    await expect.poll(async () => (await starts()).every((text) => /^\d\d:\d\d:\d\d\.\d{3}$/.test(text))).toBe(true);
    expect(await page.locator(".trace-row .col-start").last().getAttribute("title")).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} .* · 3m ago$/,
    );
    const toggle = page.getByTestId("start-mode");
    expect(await toggle.textContent()).toBe("Started");
    await toggle.click(); // ago, for every row
    await expect.poll(() => toggle.textContent()).toBe("Started · ago");
    await expect
      .poll(async () => (await starts()).every((text) => text === "just now" || /^\d+[sm] ago$/.test(text)))
      .toBe(true);
    await page.reload();
    await expect.poll(() => toggle.textContent()).toBe("Started · ago");
    await toggle.click(); // back to clock times
    await expect.poll(() => toggle.textContent()).toBe("Started");

    // At 900 px the name column is the widest and the long name is only cut because it is long.
    const widths = await page
      .locator(".trace-row")
      .first()
      .evaluate((el) => ({
        name: el.querySelector(".col-name")!.getBoundingClientRect().width,
        service: el.querySelector(".col-service")!.getBoundingClientRect().width,
      }));
    expect(widths.name).toBeGreaterThan(widths.service * 2);
    await page.close();
    expect(problems).toEqual([]);
  });
});
