/// <reference lib="dom" />
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { chromiumAvailable, collectPageProblems, launchChromium } from "../helpers/browser.js";
import { autoRegister, NODE_17_SDK_CALL, pollActive } from "../helpers/tracekit-snapshot-client.js";

const available = chromiumAvailable();

describe.skipIf(!available)("Snapshots page after a restart with --db", () => {
  const dir = tempDir();
  let browser: Browser;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    for (const app of apps) await app.close().catch(() => {});
    dir.remove();
  });

  it("reads an edit its SDK has not checked in since as awaiting check-in, and a hand-over at registration as heard", async () => {
    const db = `${dir.path}/snapshots.db`;
    const service = "resume-shop";
    const sdkCall = { service_name: service, ...NODE_17_SDK_CALL };
    // The app's SDK registers a capture call, which is enabled, and hears of it at its next check-in.
    const first = await startTestApp({ db });
    apps.push(first);
    const { body } = await autoRegister(first.base, { ...sdkCall, label: "checkout" });
    const id = body.id as string;
    await fetch(`${first.base}/api/breakpoints/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enabled: true }),
    });
    await pollActive(first.base, service);
    await first.close();

    // tracekit-local restarts; the app runs on and has not asked since.
    const second = await startTestApp({ db });
    apps.push(second);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    try {
      await page.goto(`${second.base}/snapshots`);
      const row = page.locator(`[data-breakpoint-id="${id}"]`);
      const badge = row.locator(".bp-state");
      await expect.poll(() => badge.textContent()).toBe("capturing");
      // Turned off and on again on the page: the SDK hears of it only at its next check-in.
      const toggle = row.getByRole("switch");
      await toggle.click();
      await expect.poll(() => badge.textContent()).toBe("off");
      await toggle.click();
      await expect.poll(() => badge.textContent()).toBe("awaiting check-in");
      expect(await badge.getAttribute("title")).toContain(`waiting for ${service}'s next check-in`);
      await pollActive(second.base, service);
      await expect.poll(() => badge.textContent()).toBe("capturing");

      // Made on the page by its label, then handed over by the SDK's first capture call with it: the
      // SDK holds the breakpoint its registration was answered with, so no check-in is awaited.
      await page.getByRole("button", { name: "New breakpoint" }).click();
      const form = page.getByRole("form", { name: "New breakpoint" });
      await form.getByLabel("Service").fill(service);
      await form.getByLabel("Label").fill("refund");
      await form.getByRole("button", { name: "Create" }).click();
      await form.waitFor({ state: "detached" });
      const made = page.locator("[data-breakpoint-id]").filter({ hasText: "refund" });
      await expect.poll(() => made.locator(".bp-state").textContent()).toBe("at first call");
      const madeId = (await made.getAttribute("data-breakpoint-id")) as string;
      const registered = await autoRegister(second.base, { ...sdkCall, label: "refund" });
      expect(registered.body).toMatchObject({ id: madeId, enabled: true });
      const handedOver = page.locator(`[data-breakpoint-id="${madeId}"] .bp-state`);
      await expect.poll(() => handedOver.textContent()).toBe("capturing");
      expect(await page.getByTestId("service-waiting").count()).toBe(0);
    } finally {
      await page.close();
    }
    expect(problems).toEqual([]);
  });
});
