/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { preferredColorSlot } from "../../src/domain/service-colors.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, postJson } from "../helpers/payloads.js";

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
});
