/// <reference lib="dom" />
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonLogRequest, postLogs } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("A log body's long lines, in Chromium", () => {
  const suite = useAppInChromium();

  for (const width of [1280, 1024]) {
    it(`wraps a structured body's long values inside the panel at ${width}px, as a text body wraps`, async () => {
      const { app, browser } = suite;
      await fetch(`${app.base}/api/traces`, { method: "DELETE" });
      const events = readFileSync("test/fixtures/otlp-examples/events.json");
      expect((await postLogs(app.base, JSON.parse(events.toString("utf8")))).status).toBe(200);
      const longUrl = `https://shop.example.com/checkout/${"step/".repeat(40)}done?session=${"a1b2c3".repeat(20)}`;
      const request = jsonLogRequest("my.service", [{ body: { kvlistValue: { values: [] } } }]);
      // A structured body holding a value far wider than the panel, as an app logs a request.
      const record = (request as { resourceLogs: { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[] })
        .resourceLogs[0]?.scopeLogs[0]?.logRecords[0] as Record<string, unknown>;
      record.eventName = "request.logged";
      record.body = { kvlistValue: { values: [{ key: "href", value: { stringValue: longUrl } }] } };
      expect((await postLogs(app.base, request)).status).toBe(200);

      const page = await browser.newPage({ viewport: { width, height: 800 } });
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      await page.goto(`${app.base}/logs?service=my.service`);
      for (const [event, text] of [
        ["browser.page_view", "https://www.guidgenerator.com/online-guid-generator.aspx"],
        ["request.logged", longUrl],
      ] as const) {
        await page.locator("[data-log-id]", { hasText: event }).first().click();
        const pre = page.locator('[data-testid="log-body"] pre');
        await expect.poll(() => pre.textContent()).toContain(text);
        const fit = await pre.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
        expect(fit.scroll, `${event}: nothing runs past the box's right edge`).toBeLessThanOrEqual(fit.client);
        // Every line of the body lies inside the box's visible width.
        const outside = await pre.evaluate((el) => {
          const box = el.getBoundingClientRect();
          const range = document.createRange();
          range.selectNodeContents(el);
          return [...range.getClientRects()].filter((r) => r.width > 0 && r.right > box.right + 0.5).length;
        });
        expect(outside, `${event}: text boxes past the right edge`).toBe(0);
      }
      // The long value takes more than one line of the box.
      const lines = page.locator('[data-testid="log-body"] .log-body-line');
      const hrefLine = lines.filter({ hasText: "href" });
      expect(await hrefLine.evaluate((el) => (el as HTMLElement).offsetHeight > 20)).toBe(true);
      expect(problems).toEqual([]);
      await page.close();
    });
  }
});
