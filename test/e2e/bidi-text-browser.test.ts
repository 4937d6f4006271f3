/// <reference lib="dom" />
import type { Locator } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

/**
 * Whether `first` is drawn left of `last` in an element's text: the characters at the text's own
 * first occurrences of each. A right-to-left override drawn as such puts them the other way round.
 */
function drawnInOrder(element: Locator, first: string, last: string): Promise<boolean> {
  return element.evaluate(
    (root, [a, b]) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      const left = (char: string): number => {
        for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
          const at = (node.textContent ?? "").indexOf(char);
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + 1);
          return range.getBoundingClientRect().left;
        }
        return Number.NaN;
      };
      const x = left(a as string);
      walker.currentNode = root;
      const y = left(b as string);
      return x < y;
    },
    [first, last],
  );
}

describe.skipIf(!available)("bidirectional controls in names and values, in Chromium", () => {
  const suite = useAppInChromium();

  it("are shown as marks, not obeyed, while the stored text is what search and copy see", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const spanId = newSpanId();
    const name = "GET /users/\u202Egnp.exe";
    const response = await postJson(
      app.base,
      jsonTraceRequest("shop", [
        { traceId, spanId, name, kind: 2, attributes: { "user.file": "invoice\u202Efdp.exe", "user.city": "القاهرة" } },
        // A failing child: the header's "Error started in" names it.
        { traceId, parentSpanId: spanId, name: "db \u202Elqs", kind: 3, statusCode: 2 },
      ]),
    );
    expect(response.status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);

    // The trace list: the name reads as stored, "gnp" before "exe", with the control's mark.
    await page.goto(`${app.base}/`);
    const listName = page.locator(`[data-trace-id="${traceId}"] .trace-name`);
    await expect.poll(() => listName.textContent()).toBe(name);
    expect(await drawnInOrder(listName, "g", "x")).toBe(true);
    const mark = listName.locator(".bidi-mark");
    expect(await mark.getAttribute("data-control")).toBe("RLO");
    expect(await mark.evaluate((el) => getComputedStyle(el, "::before").content)).toBe('"⟨RLO⟩"');

    // The trace page: header, waterfall row, details title and the attribute's value.
    await page.goto(`${app.base}/traces/${traceId}?span=${spanId}`);
    const header = page.locator(".tv-title");
    const row = page.locator(`[data-span-id="${spanId}"] .tv-row-name`);
    const title = page.getByTestId("span-details").locator(".tv-details-title");
    const value = page.locator('[data-attr-key="user.file"] .tv-attr-value');
    await expect.poll(() => value.textContent()).toBe("invoice\u202Efdp.exe");
    for (const element of [header, row, title]) {
      expect(await element.textContent()).toBe(name);
      expect(await drawnInOrder(element, "g", "x")).toBe(true);
      expect(await element.locator(".bidi-mark").count()).toBe(1);
    }
    expect(await drawnInOrder(value, "f", "x")).toBe(true);
    const origin = page.getByTestId("error-origin");
    expect(await origin.locator(".tv-error-origin-span").textContent()).toContain("db \u202Elqs");
    expect(await drawnInOrder(origin.locator(".tv-error-origin-span"), "l", "q")).toBe(true);
    expect(await value.locator(".bidi-mark").getAttribute("data-control")).toBe("RLO");
    // Right-to-left text is still drawn right to left: its first letter is its rightmost.
    const city = page.locator('[data-attr-key="user.city"] .tv-attr-value');
    expect(await drawnInOrder(city, "ة", "ق")).toBe(true);

    // Search finds the stored text.
    await page.goto(`${app.base}/?q=${encodeURIComponent("gnp.exe")}`);
    await expect.poll(() => listName.textContent()).toBe(name);
    await page.close();
    expect(problems).toEqual([]);
  });
});
