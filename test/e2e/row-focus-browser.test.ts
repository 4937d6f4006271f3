/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonLogRequest, jsonTraceRequest, newSpanId, newTraceId, postJson, postLogs } from "../helpers/payloads.js";

const available = chromiumAvailable();

/**
 * Where the keyboard is after a click on a row and two presses of j: the list itself (its active
 * descendant names the selected row), never the clicked row, which would keep a focus ring of its own
 * beside the selection and hold a screen reader on the row the selection left.
 */
function focusAfterKeys(page: Page, listSelector: string) {
  return page.evaluate((selector) => {
    const list = document.querySelector(selector);
    const active = document.activeElement;
    const activeId = list?.getAttribute("aria-activedescendant") ?? null;
    const selected = [...document.querySelectorAll('[aria-selected="true"]')].filter((row) => list?.contains(row));
    return {
      listFocused: active === list,
      rowFocused: active !== null && active !== list && list?.contains(active) === true,
      activeIsSelected: activeId !== null && selected.length === 1 && selected[0]?.id === activeId,
    };
  }, listSelector);
}

describe.skipIf(!available)("a clicked row hands the keyboard to its list, in Chromium", () => {
  const suite = useAppInChromium();

  it("the waterfall: j/k after a click move one highlight, the tree's", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const [rootId, a, b, c] = [newSpanId(), newSpanId(), newSpanId(), newSpanId()];
    const response = await postJson(
      app.base,
      jsonTraceRequest("shop", [
        { traceId, spanId: rootId, name: "GET /orders", kind: 2 },
        { traceId, spanId: a, parentSpanId: rootId, name: "SELECT orders" },
        { traceId, spanId: b, parentSpanId: rootId, name: "SELECT items" },
        { traceId, spanId: c, parentSpanId: rootId, name: "render page" },
      ]),
    );
    expect(response.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    try {
      await page.goto(`${app.base}/traces/${traceId}?span=${rootId}`);
      await expect.poll(() => page.locator('[role="treeitem"]').count()).toBe(4);
      await page.locator(`[role="treeitem"][data-span-id="${a}"]`).click();
      await expect.poll(() => new URL(page.url()).searchParams.get("span")).toBe(a);
      await page.keyboard.press("j");
      await page.keyboard.press("j");
      await expect.poll(() => new URL(page.url()).searchParams.get("span")).toBe(c);
      expect(await focusAfterKeys(page, '[role="tree"]')).toEqual({
        listFocused: true,
        rowFocused: false,
        activeIsSelected: true,
      });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("the Logs page: j/k after a click move one highlight, the list's", async () => {
    const { app, browser } = suite;
    const response = await postLogs(
      app.base,
      jsonLogRequest("row-focus", [{ body: "first line" }, { body: "second line" }, { body: "third line" }]),
    );
    expect(response.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    try {
      await page.goto(`${app.base}/logs?service=row-focus`);
      const row = (text: string) => page.locator("[data-log-id]", { hasText: text });
      await expect.poll(() => page.locator("[data-log-id]").count()).toBe(3);
      // Newest first: third, second, first.
      await row("third line").click();
      await expect.poll(() => row("third line").getAttribute("aria-selected")).toBe("true");
      await page.keyboard.press("j");
      await page.keyboard.press("j");
      await expect.poll(() => row("first line").getAttribute("aria-selected")).toBe("true");
      expect(await focusAfterKeys(page, '[role="listbox"]')).toEqual({
        listFocused: true,
        rowFocused: false,
        activeIsSelected: true,
      });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
