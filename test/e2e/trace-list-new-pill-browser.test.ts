/// <reference lib="dom" />
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonLogRequest, jsonTraceRequest, newTraceId, postJson, postLogs } from "../helpers/payloads.js";
import { autoRegister, capture } from "../helpers/tracekit-snapshot-client.js";

const available = chromiumAvailable();

const SIZES = [
  [1280, 800],
  [900, 700],
] as const;

/**
 * What the pill lies over among what a user reads or presses on the page: the elements `boxes` finds
 * (other than those holding the pill), and the lines of text in the elements `texts` finds (other than
 * the pill's own).
 */
function coveredByPill(pill: Locator, boxes: string[], texts: string[]): Promise<string[]> {
  return pill.evaluate(
    (element, [boxes, texts]) => {
      const box = element.getBoundingClientRect();
      const overlaps = (other: DOMRect) =>
        other.width > 0 &&
        other.height > 0 &&
        other.left < box.right &&
        box.left < other.right &&
        other.top < box.bottom &&
        box.top < other.bottom;
      const found: string[] = [];
      for (const selector of boxes) {
        for (const other of document.querySelectorAll(selector)) {
          if (other === element || other.contains(element)) continue;
          if (overlaps(other.getBoundingClientRect())) found.push(`${selector}: ${other.textContent}`);
        }
      }
      for (const selector of texts) {
        for (const container of document.querySelectorAll(selector)) {
          const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
            if (element.contains(node)) continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            if ([...range.getClientRects()].some(overlaps)) found.push(`${selector}: ${node.textContent}`);
          }
        }
      }
      return found;
    },
    [boxes, texts] as const,
  );
}

/** Where the elements `selector` finds are drawn. */
function boxesOf(page: Page, selector: string): Promise<unknown[]> {
  return page.locator(selector).evaluateAll((cells) => cells.map((cell) => cell.getBoundingClientRect().toJSON()));
}

/** The column labels `selector` finds that are cut short (the pill beside one must leave it whole). */
function cutLabels(page: Page, selector: string): Promise<string[]> {
  return page
    .locator(selector)
    .evaluateAll((labels) =>
      labels
        .filter((label) => label.getBoundingClientRect().width > 0 && label.scrollWidth > label.clientWidth + 0.5)
        .map((label) => label.textContent ?? ""),
    );
}

describe.skipIf(!available)('the trace list\'s "N new" pill, in Chromium', () => {
  const suite = useAppInChromium();

  it("covers no column label, row, control or caption, and nothing moves when it comes", async () => {
    const { app, browser } = suite;
    const start = BigInt(Date.now() - 60_000) * 1_000_000n;
    const spans = Array.from({ length: 30 }, (_, i) => ({
      traceId: newTraceId(),
      name: `GET /api/orders/${i} with a fairly long trace name`,
      startNs: start + BigInt(i) * 1_000_000n,
      durationNs: 12_000_000n,
    }));
    expect((await postJson(app.base, jsonTraceRequest("payments-service", spans))).status).toBe(200);

    for (const [width, height] of SIZES) {
      const page = await browser.newPage({ viewport: { width, height } });
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      await page.goto(`${app.base}/`);
      await expect.poll(() => page.getByTestId("trace-count").textContent()).toMatch(/^\d+ traces$/);
      await page.locator('[data-connection="open"]').waitFor();
      await page.getByRole("button", { name: "Pause" }).click();
      const headerBefore = await page.locator(".trace-header-row").boundingBox();

      const late = newTraceId();
      const request = jsonTraceRequest("checkout", [
        { traceId: late, name: `late at ${width}`, startNs: BigInt(Date.now()) * 1_000_000n, durationNs: 1_000_000n },
      ]);
      expect((await postJson(app.base, request)).status).toBe(200);
      const pill = page.getByTestId("new-traces");
      await expect.poll(() => pill.textContent()).toBe("↑ 1 new trace");
      expect(await page.locator(".trace-header-row").boundingBox()).toEqual(headerBefore);

      // Whatever a user reads or presses on the page, the pill must leave uncovered.
      const covered = await coveredByPill(
        pill,
        [
          ".trace-header-row th",
          ".trace-row",
          ".list-toolbar :is(input, select, button, a, .list-count)",
          ".latency-chart-bar > button",
        ],
        [".latency-chart-caption"],
      );
      expect(covered).toEqual([]);

      // Pressed, it shows the trace that waited.
      await pill.click();
      await page.locator(`[data-trace-id="${late}"]`).waitFor();
      expect(await pill.count()).toBe(0);
      await page.close();
      expect(problems).toEqual([]);
    }
  });
});

describe.skipIf(!available)('the Logs page\'s "N new" pill, in Chromium', () => {
  const suite = useAppInChromium();

  it("covers no column label, row or control, a record open or not, and nothing moves when it comes", async () => {
    const { app, browser } = suite;
    const now = BigInt(Date.now()) * 1_000_000n;
    const records = Array.from({ length: 40 }, (_, i) => ({
      timeNs: now - BigInt(40 - i) * 1_000_000_000n,
      body: `GET /api/orders/${i} answered 200 in 12 ms, with a message long enough to fill its column`,
    }));
    expect((await postLogs(app.base, jsonLogRequest("payments-service", records))).status).toBe(200);

    for (const [width, height] of SIZES) {
      const page = await browser.newPage({ viewport: { width, height } });
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      await page.goto(`${app.base}/logs`);
      await expect.poll(() => page.getByTestId("log-count").textContent()).toMatch(/^\d+ records$/);
      await page.locator('[data-connection="open"]').waitFor();
      await page.getByRole("button", { name: "Pause" }).click();
      // A record open narrows the list (beside it in a wide window, above it in a narrow one).
      await page.locator("[data-log-id]").nth(2).click();
      await page.getByTestId("log-details").waitFor();
      const header = page.locator(".log-header-row");
      const labels = ".log-header-row span";
      const headerBefore = await header.boundingBox();
      const labelsBefore = await boxesOf(page, labels);
      const firstRowBefore = await page.locator("[data-log-id]").first().boundingBox();

      const late = `late at ${width}`;
      const request = jsonLogRequest("checkout", [{ timeNs: BigInt(Date.now()) * 1_000_000n, body: late }]);
      expect((await postLogs(app.base, request)).status).toBe(200);
      const pill = page.getByTestId("new-logs");
      await expect.poll(() => pill.textContent()).toBe("↑ 1 new log");
      expect(await header.boundingBox()).toEqual(headerBefore);
      expect(await boxesOf(page, labels)).toEqual(labelsBefore);
      expect(await page.locator("[data-log-id]").first().boundingBox()).toEqual(firstRowBefore);

      const covers = () =>
        coveredByPill(
          pill,
          [
            "[data-log-id]",
            ".list-toolbar :is(input, select, button, a, .list-count)",
            ".log-details :is(button, a, h2)",
          ],
          [".log-header-row"],
        );
      expect(await covers()).toEqual([]);
      expect(await cutLabels(page, labels)).toEqual([]);
      // Closed, the list has its whole width again.
      await page.getByTestId("log-details").getByRole("button", { name: "Close (Esc)" }).click();
      await expect.poll(() => page.getByTestId("log-details").count()).toBe(0);
      expect(await covers()).toEqual([]);
      expect(await cutLabels(page, labels)).toEqual([]);

      // Pressed, it shows the record that waited.
      await pill.click();
      await page.locator("[data-log-id]", { hasText: late }).waitFor();
      expect(await pill.count()).toBe(0);
      await page.close();
      expect(problems).toEqual([]);
    }
  });
});

describe.skipIf(!available)('the Snapshots page\'s "N new" pill, in Chromium', () => {
  const suite = useAppInChromium();

  /** A capture at the checkout breakpoint, as the Python SDK sends it. */
  function captureAt(breakpointId: string) {
    return capture(suite.app.base, {
      breakpoint_id: breakpointId,
      service_name: "checkout",
      file_path: "/srv/app/checkout/views.py",
      function_name: "place_order",
      label: "checkout",
      line_number: 42,
      variables: { cart: { total: 89.9 }, password: "[REDACTED]" },
      security_flags: [{ type: "sensitive_variable_name", severity: "medium", variable: "password" }],
      stack_trace: "place_order at /srv/app/checkout/views.py:42",
      trace_id: null,
      span_id: null,
      captured_at: new Date().toISOString(),
    });
  }

  /** The checkout breakpoint, registered by its SDK and enabled; its id. */
  async function enabledBreakpoint(): Promise<string> {
    const { body } = await autoRegister(suite.app.base, {
      service_name: "checkout",
      file_path: "/srv/app/checkout/views.py",
      line_number: 42,
      function_name: "place_order",
      label: "checkout",
    });
    const id = body.id as string;
    await fetch(`${suite.app.base}/api/breakpoints/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enabled: true }),
    });
    return id;
  }

  it("covers no column label, row or control, and nothing moves when it comes", async () => {
    const { app, browser } = suite;
    const id = await enabledBreakpoint();
    for (let i = 0; i < 30; i++) await captureAt(id);

    for (const [width, height] of SIZES) {
      const page = await browser.newPage({ viewport: { width, height } });
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      await page.goto(`${app.base}/snapshots`);
      await expect.poll(() => page.getByTestId("snapshot-count").textContent()).toMatch(/^\d+ snapshots$/);
      await page.locator('[data-connection="open"]').waitFor();
      const captured = page.locator(".snap-captured");
      await captured.getByRole("button", { name: "Pause" }).click();
      const labels = ".snap-columns span";
      const headBefore = await page.locator(".snap-captured-head").boundingBox();
      const labelsBefore = await boxesOf(page, labels);
      const firstRowBefore = await page.locator("[data-snapshot-id]").first().boundingBox();

      const fresh = await captureAt(id);
      const pill = page.getByTestId("new-snapshots");
      await expect.poll(() => pill.textContent()).toBe("↑ 1 new snapshot");
      expect(await page.locator(".snap-captured-head").boundingBox()).toEqual(headBefore);
      expect(await boxesOf(page, labels)).toEqual(labelsBefore);
      expect(await page.locator("[data-snapshot-id]").first().boundingBox()).toEqual(firstRowBefore);

      const covered = await coveredByPill(
        pill,
        [
          "[data-snapshot-id]",
          ".snap-captured-head :is(h2, label, select, button, [data-testid='snapshot-count'])",
          ".bp-panel :is(button, a, [role='switch'])",
        ],
        [".snap-columns"],
      );
      expect(covered).toEqual([]);
      expect(await cutLabels(page, labels)).toEqual([]);

      // Pressed, it shows the capture that waited.
      await pill.click();
      await page.locator(`[data-snapshot-id="${fresh.body.id}"]`).waitFor();
      expect(await pill.count()).toBe(0);
      await page.close();
      expect(problems).toEqual([]);
    }
  });

  it("comes while paused before the first capture, in the column labels it brings, clear of the note", async () => {
    const { app, browser } = suite;
    // Clearing drops the captures; the breakpoint stays.
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    const id = await enabledBreakpoint();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/snapshots`);
    await page.locator(".snap-none").waitFor();
    await page.locator('[data-connection="open"]').waitFor();
    await page.locator(".snap-captured").getByRole("button", { name: "Pause" }).click();

    const fresh = await captureAt(id);
    const pill = page.getByTestId("new-snapshots");
    await expect.poll(() => pill.textContent()).toBe("↑ 1 new snapshot");
    expect(
      await coveredByPill(
        pill,
        [".snap-captured-head :is(h2, label, select, button)"],
        [".snap-columns", ".snap-none"],
      ),
    ).toEqual([]);
    expect(await cutLabels(page, ".snap-columns span")).toEqual([]);

    await pill.click();
    await page.locator(`[data-snapshot-id="${fresh.body.id}"]`).waitFor();
    expect(await pill.count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });
});
