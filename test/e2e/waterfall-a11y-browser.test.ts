/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("the span tree for a screen reader, in Chromium", () => {
  const suite = useAppInChromium();

  it("names the selected row as its active descendant while j/k and the arrows move the selection", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const [rootId, childId, grandchildId] = [newSpanId(), newSpanId(), newSpanId()];
    const response = await postJson(
      app.base,
      jsonTraceRequest("shop", [
        { traceId, spanId: rootId, name: "GET /orders", kind: 2 },
        { traceId, spanId: childId, parentSpanId: rootId, name: "load order" },
        { traceId, spanId: grandchildId, parentSpanId: childId, name: "SELECT orders" },
      ]),
    );
    expect(response.status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}?span=${rootId}`);
    const tree = page.getByRole("tree", { name: "Spans" });
    await expect.poll(() => page.locator('[role="treeitem"]').count()).toBe(3);

    // Every row has a valid id of its own.
    const rowIds = await page.locator('[role="treeitem"]').evaluateAll((rows) => rows.map((row) => row.id));
    expect(new Set(rowIds).size).toBe(3);
    for (const id of rowIds) expect(id).toMatch(/^\S+$/);

    /** The span id of the row the tree names as active, and whether that row is the one selected. */
    const active = () =>
      tree.evaluate((element) => {
        const id = element.getAttribute("aria-activedescendant");
        const row = id === null ? null : document.getElementById(id);
        const selected = [...document.querySelectorAll('[role="treeitem"][aria-selected="true"]')];
        return {
          spanId: row?.getAttribute("data-span-id") ?? null,
          selectedOnly: selected.length === 1 && selected[0] === row,
          focused: document.activeElement === element,
        };
      });
    await expect.poll(active).toEqual({ spanId: rootId, selectedOnly: true, focused: false });

    await tree.focus();
    await page.keyboard.press("j");
    await expect.poll(active).toEqual({ spanId: childId, selectedOnly: true, focused: true });
    await page.keyboard.press("ArrowDown");
    await expect.poll(active).toEqual({ spanId: grandchildId, selectedOnly: true, focused: true });
    await page.keyboard.press("k");
    await expect.poll(active).toEqual({ spanId: childId, selectedOnly: true, focused: true });

    // Levels and expansion as the tree draws them.
    const child = page.locator(`[role="treeitem"][data-span-id="${childId}"]`);
    expect(await child.getAttribute("aria-level")).toBe("2");
    expect(await child.getAttribute("aria-expanded")).toBe("true");
    expect(
      await page.locator(`[role="treeitem"][data-span-id="${grandchildId}"]`).first().getAttribute("aria-expanded"),
    ).toBeNull();
    await page.close();
    expect(problems).toEqual([]);
  });
});
