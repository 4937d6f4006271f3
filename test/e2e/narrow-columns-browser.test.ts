/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonLogRequest, postLogs } from "../helpers/payloads.js";
import { autoRegister, capture } from "../helpers/tracekit-snapshot-client.js";

const available = chromiumAvailable();

const LONG_SERVICE = "payments-reconciliation-worker-eu-west-1";

/**
 * Every cell of `selector` whose text does not fit: each element holding its text must show an
 * ellipsis where it is cut, and no cell may reach past the window. Empty when all is whole or marked.
 */
function cutWithoutEllipsis(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((selector) => {
    const problems: string[] = [];
    for (const cell of document.querySelectorAll<HTMLElement>(selector)) {
      const box = cell.getBoundingClientRect();
      if (box.width === 0) continue;
      if (box.right > window.innerWidth + 0.5) problems.push(`"${cell.textContent}" reaches past the window`);
      // The boxes that hold the cell's own text (the cell, or the spans inside it).
      for (const holder of [cell, ...cell.querySelectorAll<HTMLElement>("*")]) {
        const hasText = [...holder.childNodes].some((node) => node.nodeType === 3 && node.textContent?.trim());
        if (!hasText || holder.scrollWidth <= holder.clientWidth + 0.5) continue;
        const style = getComputedStyle(holder);
        if (style.textOverflow !== "ellipsis" || style.display === "flex")
          problems.push(`"${holder.textContent}" is cut without an ellipsis`);
      }
    }
    return problems;
  }, selector);
}

describe.skipIf(!available)("narrow columns cut with an ellipsis, in Chromium", () => {
  const suite = useAppInChromium();

  beforeAll(async () => {
    const records = [{ body: "reconciled 12 payouts" }, { body: "short one" }];
    expect((await postLogs(suite.app.base, jsonLogRequest(LONG_SERVICE, records))).status).toBe(200);
    const registered = await autoRegister(suite.app.base, {
      service_name: "checkout-api",
      file_path: "/srv/app/checkout/views.py",
      line_number: 42,
      function_name: "place_order",
      label: "checkout",
    });
    expect(registered.status).toBe(201);
    await fetch(`${suite.app.base}/api/breakpoints/${registered.body.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enabled: true }),
    });
    const captured = await capture(suite.app.base, {
      breakpoint_id: registered.body.id,
      service_name: "checkout-api",
      file_path: "/srv/app/checkout/views.py",
      function_name: "place_order",
      label: "checkout",
      line_number: 42,
      variables: { cart: { total: 89.9 }, customer: { id: 48213 } },
      security_flags: [{ type: "sensitive_variable_name", severity: "medium", variable: "password" }],
      trace_id: null,
      span_id: null,
      captured_at: new Date().toISOString(),
    });
    expect(captured.status).toBe(201);
  });

  async function open(width: number, path: string, ready: string): Promise<{ page: Page; problems: string[] }> {
    const page = await suite.browser.newPage({ viewport: { width, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${suite.app.base}${path}`);
    await page.locator(ready).first().waitFor();
    return { page, problems };
  }

  for (const width of [640, 800, 1280]) {
    it(`at ${width} px the Logs page cuts a long service name with an ellipsis, clear of the message`, async () => {
      const { page, problems } = await open(width, "/logs", ".log-row");
      const row = page.locator(".log-row", { hasText: "reconciled 12 payouts" });
      expect(await cutWithoutEllipsis(page, ".log-row .log-col-service")).toEqual([]);
      const [service, body] = await Promise.all(
        [".log-col-service", ".log-col-body"].map((cell) =>
          row.locator(cell).evaluate((element) => element.getBoundingClientRect()),
        ),
      );
      expect((service as DOMRect).right).toBeLessThanOrEqual((body as DOMRect).left);
      expect(await row.locator(".log-col-service").getAttribute("title")).toBe(LONG_SERVICE);
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  for (const width of [420, 640, 800, 1280]) {
    it(`at ${width} px the Snapshots page's tables keep every column heading whole, inside the window`, async () => {
      const { page, problems } = await open(width, "/snapshots", "[data-snapshot-id]");
      await page.locator("[data-breakpoint-id]").first().waitFor();
      for (const headings of [".bp-columns > span", ".snap-columns > span"]) {
        const cells = page.locator(headings);
        expect(await cells.count()).toBeGreaterThan(0);
        const cut = await cells.evaluateAll((spans) =>
          spans
            .filter((span) => span.getBoundingClientRect().width > 0)
            .filter(
              (span) => span.scrollWidth > span.clientWidth + 0.5 || span.getBoundingClientRect().right > innerWidth,
            )
            .map((span) => span.textContent),
        );
        expect(cut).toEqual([]);
      }
      expect(await cutWithoutEllipsis(page, ".snap-row > *, .bp-main > span")).toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    });
  }
});
