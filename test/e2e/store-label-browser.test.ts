/// <reference lib="dom" />
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { chromiumAvailable, collectPageProblems, launchChromium } from "../helpers/browser.js";
import { jsonTraceRequest, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

/** The message of the confirm Clear asks, answered with `accept`. */
async function clearQuestion(page: Page, accept: boolean): Promise<string> {
  const asked = new Promise<string>((resolve) => {
    page.once("dialog", (dialog) => {
      resolve(dialog.message());
      void (accept ? dialog.accept() : dialog.dismiss());
    });
  });
  await page.getByRole("button", { name: "Clear" }).click();
  return asked;
}

describe.skipIf(!available)(
  "where the data is kept, in the top bar, on Set up and in Clear's question (Chromium)",
  () => {
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

    it("names the --db file, its whole path as text, and Clear says it empties that file for good", async () => {
      // Markup in the file's name stays text wherever the page shows it.
      const db = `${dir.path}/keep <i>b.db`;
      const app = await startTestApp({ db });
      apps.push(app);
      expect((await postJson(app.base, jsonTraceRequest("shop", [{ name: "GET /kept" }]))).status).toBe(200);
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);

      await page.goto(`${app.base}/`);
      const badge = page.getByTestId("store-badge");
      await expect.poll(() => badge.textContent()).toBe("in keep <i>b.db");
      expect(await badge.getAttribute("title")).toBe(`Kept in the SQLite file ${db} (--db): it stays across restarts`);
      // Beside Live, in the top bar.
      expect(await page.locator(".topbar-right .connection + .store-badge").count()).toBe(1);

      // A question dismissed clears nothing.
      const question = await clearQuestion(page, false);
      expect(question).toBe(
        "Delete everything stored in tracekit-local: every trace, log record, metric and captured snapshot? " +
          `They are deleted from ${db} for good: a restart does not bring them back. ` +
          "Breakpoints stay, and their capture counts start again from 0.",
      );
      await page.locator(".trace-row").first().waitFor();
      await clearQuestion(page, true);
      await expect.poll(() => page.locator(".trace-row").count()).toBe(0);

      await page.goto(`${app.base}/setup`);
      const note = page.getByTestId("store-note");
      await expect
        .poll(() => note.textContent())
        .toBe(`It keeps what it receives in the SQLite file ${db} (--db), across restarts.`);
      expect(await note.locator("i").count()).toBe(0);
      expect(problems).toEqual([]);
      await page.close();
    });

    it("names the store when the first health check failed while the live connection opened", async () => {
      const app = await startTestApp({ maxSpans: 5000 });
      apps.push(app);
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(15_000);
      // A server too busy to answer health for a moment; the live connection opens all the same.
      const busyUntil = Date.now() + 1_500;
      let refused = 0;
      await page.route("**/api/health", async (route) => {
        if (Date.now() < busyUntil) {
          refused++;
          await route.fulfill({ status: 503, body: "busy" });
        } else {
          await route.continue();
        }
      });
      await page.goto(`${app.base}/`);
      await expect.poll(() => page.getByTestId("store-badge").textContent(), { timeout: 10_000 }).toBe("in memory");
      expect(refused).toBeGreaterThan(0);
      await page.close();
    });

    it("says the memory store's bound, and Clear's question names no file", async () => {
      const app = await startTestApp({ maxSpans: 5000 });
      apps.push(app);
      expect((await postJson(app.base, jsonTraceRequest("shop", [{ name: "GET /held" }]))).status).toBe(200);
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      await page.goto(`${app.base}/`);
      const badge = page.getByTestId("store-badge");
      await expect.poll(() => badge.textContent()).toBe("in memory");
      expect(await badge.getAttribute("title")).toBe(
        "Kept in memory, up to 5,000 spans: gone when tracekit-local stops (start it with --db FILE to keep data across restarts)",
      );
      expect(await clearQuestion(page, false)).toBe(
        "Delete everything stored in tracekit-local: every trace, log record, metric and captured snapshot? " +
          "Breakpoints stay, and their capture counts start again from 0.",
      );
      await page.goto(`${app.base}/setup`);
      await expect
        .poll(() => page.getByTestId("store-note").textContent())
        .toBe(
          "It keeps what it receives in memory, up to 5,000 spans, until it stops; start it with --db FILE to keep it across restarts.",
        );

      // In a narrow window the bar keeps its room for the pages' links: the label is left out there.
      await page.setViewportSize({ width: 800, height: 600 });
      expect(await page.getByTestId("store-badge").isVisible()).toBe(false);
      expect(problems).toEqual([]);
      await page.close();
    });
  },
);
