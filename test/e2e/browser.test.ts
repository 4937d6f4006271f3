/// <reference lib="dom" />
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { chromiumAvailable, collectPageProblems, launchChromium } from "../helpers/browser.js";
import { sendSdkTrace } from "../helpers/otel.js";

const available = chromiumAvailable();

describe.skipIf(!available)("web app in Chromium", () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  beforeEach(async () => {
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    return async () => {
      await page.close();
      expect(problems).toEqual([]);
    };
  });

  it("turns the empty state into the live list when the first trace arrives, without a reload", async () => {
    await page.goto(app.base);
    const onboarding = page.getByTestId("onboarding");
    await onboarding.waitFor();
    // The set-up snippets carry this instance's real address.
    await page.getByRole("tab", { name: "Any OpenTelemetry SDK" }).click();
    await expect
      .poll(() => onboarding.textContent())
      .toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:${app.port}`);
    const marker = await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42;
      return 42;
    });
    const sent = await sendSdkTrace(app.base, { service: "checkout", name: "GET /checkout/first" });
    const row = page.locator(`[data-trace-id="${sent.traceId}"]`);
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain("GET /checkout/first");
    await expect.poll(() => onboarding.count()).toBe(0);
    // Same document: it was pushed, not reloaded.
    await expect(page.evaluate(() => (window as unknown as { marker: number }).marker)).resolves.toBe(marker);
  });

  it("shows new traces live, opens one, expands and collapses it, and shows a span's attributes", async () => {
    await sendSdkTrace(app.base, { service: "web", name: "GET /warmup" });
    await page.goto(app.base);
    await page.locator("[data-trace-id]").first().waitFor();
    const sent = await sendSdkTrace(app.base, {
      service: "orders-api",
      name: "GET /orders/:id",
      children: 3,
      error: true,
    });
    const row = page.locator(`[data-trace-id="${sent.traceId}"]`);
    await row.waitFor();
    await expect.poll(() => row.textContent()).toMatch(/2 failing/);
    await row.click();
    await page.waitForURL(`**/traces/${sent.traceId}`);
    await expect.poll(() => page.getByTestId("trace-header").textContent()).toContain("GET /orders/:id");
    const spanRows = page.locator("[data-span-id]");
    await expect.poll(() => spanRows.count()).toBe(4);

    await page.getByRole("button", { name: "Collapse all" }).click();
    await expect.poll(() => spanRows.count()).toBe(1);
    await page.getByRole("button", { name: "Expand all" }).click();
    await expect.poll(() => spanRows.count()).toBe(4);

    const failing = sent.spanIds[2] as string;
    await page.locator(`[data-span-id="${failing}"]`).click();
    await expect.poll(() => page.locator(`[data-span-id="${failing}"]`).getAttribute("aria-selected")).toBe("true");
    const details = page.getByTestId("span-details");
    await expect.poll(() => details.textContent()).toContain("charge card");
    await expect.poll(() => details.locator('[data-attr-key="peer.service"]').textContent()).toContain("payments");
    await expect.poll(() => details.textContent()).toContain("card declined");
    // The selection is in the URL: a reload (deep link) comes back to the same span.
    await page.waitForURL(`**/traces/${sent.traceId}?span=${failing}`);
    await page.reload();
    await expect.poll(() => page.locator(`[data-span-id="${failing}"]`).getAttribute("aria-selected")).toBe("true");
  });

  it("does not move the list under a reader: new traces wait behind a pill while scrolled or paused", async () => {
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "bulk" } }] },
          scopeSpans: [
            {
              spans: Array.from({ length: 80 }, (_, i) => ({
                traceId: (i + 1).toString(16).padStart(32, "a"),
                spanId: "00000000000000a1",
                name: `GET /bulk/${i}`,
                kind: 2,
                startTimeUnixNano: String(BigInt(Date.now() - 60_000 + i * 100) * 1_000_000n),
                endTimeUnixNano: String(BigInt(Date.now() - 60_000 + i * 100 + 5) * 1_000_000n),
              })),
            },
          ],
        },
      ],
    };
    await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    await page.goto(app.base);
    await page.locator("[data-trace-id]").first().waitFor();
    const list = page.locator(".trace-rows");
    await list.evaluate((element) => {
      element.scrollTop = 400;
    });
    const firstVisible = () =>
      page.evaluate(() =>
        document.elementFromPoint(400, 300)?.closest("[data-trace-id]")?.getAttribute("data-trace-id"),
      );
    const before = await firstVisible();
    const fresh = await sendSdkTrace(app.base, { service: "bulk", name: "GET /fresh" });
    const pill = page.getByTestId("new-traces");
    await pill.waitFor();
    await expect.poll(() => pill.textContent()).toContain("1 new trace");
    expect(await firstVisible()).toBe(before);
    await pill.click();
    await page.locator(`[data-trace-id="${fresh.traceId}"]`).waitFor();
    await expect.poll(() => list.evaluate((element) => element.scrollTop)).toBe(0);

    // Paused: nothing moves even at the top, until Resume; the latency chart holds still with the list.
    const chartCount = async () => Number((await page.getByTestId("latency-caption").textContent())?.split(" ")[0]);
    const listCount = async () => Number((await page.getByTestId("trace-count").textContent())?.split(" ")[0]);
    const chartBefore = await listCount();
    await expect.poll(chartCount).toBe(chartBefore);
    await page.getByRole("button", { name: "Pause" }).click();
    const held = await sendSdkTrace(app.base, { service: "bulk", name: "GET /held" });
    await pill.waitFor();
    await expect(page.locator(`[data-trace-id="${held.traceId}"]`).count()).resolves.toBe(0);
    // The chart redraws live traffic once a second: past that, it still draws what the list shows.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await chartCount()).toBe(chartBefore);
    // The pill sits above the list, at the end of the chart's bar: over no row and no label or sort button.
    const pillBox = await pill.boundingBox();
    const rowBox = await page.locator("[data-trace-id]").first().boundingBox();
    if (pillBox === null || rowBox === null) throw new Error("the pill or the first row is not shown");
    expect(pillBox.y + pillBox.height).toBeLessThanOrEqual(rowBox.y);
    // Each label's own text and each sort button, not its column's whole cell.
    const under = await page.locator(".trace-header-row th").evaluateAll((cells, box) => {
      const rects = cells.flatMap((cell) => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return [
          ...range.getClientRects(),
          ...[...cell.querySelectorAll("button")].map((b) => b.getBoundingClientRect()),
        ];
      });
      return rects.filter(
        (r) =>
          r.width > 0 &&
          r.left < box.x + box.width &&
          r.right > box.x &&
          r.top < box.y + box.height &&
          r.bottom > box.y,
      ).length;
    }, pillBox);
    expect(under).toBe(0);
    await page.getByRole("button", { name: "Resume" }).click();
    await page.locator(`[data-trace-id="${held.traceId}"]`).waitFor();
    await expect.poll(chartCount).toBe(chartBefore + 1);
  });

  it("keeps the row under a resting pointer: new traces wait until the pointer leaves", async () => {
    const first = await sendSdkTrace(app.base, { service: "hover", name: "GET /under-the-pointer" });
    await page.goto(app.base);
    const row = page.locator(`[data-trace-id="${first.traceId}"]`);
    // The live feed first: its on-connect snapshot must not be what brings the next trace in.
    await page.locator('[data-connection="open"]').waitFor();
    await row.hover();
    // A second small move: a list re-rendered under a still pointer only learns of it on the next move.
    const hovered = await row.boundingBox();
    await page.mouse.move((hovered?.x ?? 0) + 30, (hovered?.y ?? 0) + 12);
    const fresh = await sendSdkTrace(app.base, { service: "hover", name: "GET /arrived-meanwhile" });
    await page.getByTestId("new-traces").waitFor();
    const box = await row.boundingBox();
    const underPointer = await page.evaluate(
      ([x, y]) =>
        document
          .elementFromPoint(x as number, y as number)
          ?.closest("[data-trace-id]")
          ?.getAttribute("data-trace-id"),
      [(box?.x ?? 0) + 20, (box?.y ?? 0) + 10],
    );
    expect(underPointer).toBe(first.traceId);
    await page.mouse.move(5, 5);
    await page.locator(`[data-trace-id="${fresh.traceId}"]`).waitFor();
  });

  it("names every page in the tab's title, and says the Errors page's counts to a screen reader", async () => {
    await sendSdkTrace(app.base, { service: "titles", name: "GET /title", error: true });
    for (const [path, title] of [
      ["/", "Traces · tracekit-local"],
      ["/services", "Services · tracekit-local"],
      ["/metrics", "Metrics · tracekit-local"],
      ["/errors", "Errors · tracekit-local"],
    ]) {
      await page.goto(`${app.base}${path}`);
      await expect.poll(() => page.title()).toBe(title);
    }
    const totals = page.getByTestId("errors-totals");
    await expect.poll(() => totals.textContent()).toMatch(/^\d+ errors? in \d+ groups?/);
    expect(await totals.getAttribute("aria-live")).toBe("polite");
  });

  it("keeps the row the keyboard selected: new traces wait until k past the top or Escape", async () => {
    const older = await sendSdkTrace(app.base, { service: "keys", name: "GET /older" });
    const newer = await sendSdkTrace(app.base, { service: "keys", name: "GET /newer" });
    await page.goto(app.base);
    await page.locator('[data-connection="open"]').waitFor();
    await page.locator(`[data-trace-id="${older.traceId}"]`).waitFor();
    await page.mouse.move(5, 5);
    // j twice: the second row, the older trace.
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    const selected = page.locator('[data-trace-id][aria-selected="true"]');
    await expect.poll(() => selected.getAttribute("data-trace-id")).toBe(older.traceId);
    const rowTop = () => selected.evaluate((row) => row.getBoundingClientRect().top);
    const top = await rowTop();
    const held = await sendSdkTrace(app.base, { service: "keys", name: "GET /held-by-keys" });
    await expect.poll(() => page.getByTestId("new-traces").textContent()).toContain("1 new trace");
    expect(await page.locator(`[data-trace-id="${held.traceId}"]`).count()).toBe(0);
    expect(await rowTop()).toBe(top);

    // Up past the top row shows what waited, the newest selected; the keyboard holds on.
    await page.keyboard.press("k");
    await expect.poll(() => selected.getAttribute("data-trace-id")).toBe(newer.traceId);
    await page.keyboard.press("k");
    await expect.poll(() => selected.getAttribute("data-trace-id")).toBe(held.traceId);
    expect(await page.getByTestId("new-traces").count()).toBe(0);
    const later = await sendSdkTrace(app.base, { service: "keys", name: "GET /later" });
    await page.getByTestId("new-traces").waitFor();

    // Escape lets go of the row: what waited comes in, and new traces come in again as they arrive.
    await page.keyboard.press("Escape");
    await page.locator(`[data-trace-id="${later.traceId}"]`).waitFor();
    expect(await selected.count()).toBe(0);
    expect(new URL(page.url()).searchParams.get("selected")).toBeNull();
    const last = await sendSdkTrace(app.base, { service: "keys", name: "GET /last" });
    await page.locator(`[data-trace-id="${last.traceId}"]`).waitFor();
  });

  it("lets go of the keyboard's row when the filters change", async () => {
    const older = await sendSdkTrace(app.base, { service: "keys", name: "GET /filtered-older" });
    const newer = await sendSdkTrace(app.base, { service: "keys", name: "GET /filtered-newer" });
    await page.goto(app.base);
    await page.locator('[data-connection="open"]').waitFor();
    await page.locator(`[data-trace-id="${older.traceId}"]`).waitFor();
    await page.mouse.move(5, 5);
    await page.keyboard.press("j");
    const selected = page.locator('[data-trace-id][aria-selected="true"]');
    await expect.poll(() => selected.getAttribute("data-trace-id")).toBe(newer.traceId);
    // A new search is another list: the row the keyboard held before does not hold it.
    const search = page.getByLabel("Search spans");
    await search.fill("filtered");
    await search.press("Enter");
    await page.waitForURL(/q=filtered/);
    await page.locator(`[data-trace-id="${older.traceId}"]`).waitFor();
    await page.mouse.move(5, 5);
    const arrived = await sendSdkTrace(app.base, { service: "keys", name: "GET /filtered-after" });
    await page.locator(`[data-trace-id="${arrived.traceId}"]`).waitFor({ timeout: 5000 });
    expect(await page.getByTestId("new-traces").count()).toBe(0);
  });

  it("narrows the list with filters kept in the URL", async () => {
    const slow = await sendSdkTrace(app.base, { service: "billing", name: "POST /invoices" });
    const failing = await sendSdkTrace(app.base, { service: "billing", name: "POST /refunds", error: true });
    const other = await sendSdkTrace(app.base, {
      service: "search",
      name: "GET /search",
      attributes: { q: "blue shoes" },
    });
    await page.goto(app.base);
    await page.locator(`[data-trace-id="${other.traceId}"]`).waitFor();

    await page.getByLabel("Service").selectOption("billing");
    await page.waitForURL("**/?service=billing");
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(2);
    // A service whose first trace arrives while the page is open (and filtered to another) joins the menu.
    await sendSdkTrace(app.base, { service: "shipping", name: "POST /labels" });
    const menu = () => page.getByLabel("Service").locator("option").allTextContents();
    await expect.poll(menu, { timeout: 5000 }).toEqual(["All services", "billing", "search", "shipping"]);
    expect(await page.locator("[data-trace-id]").count()).toBe(2);

    await page.getByRole("button", { name: "Errors only" }).click();
    await page.waitForURL("**/?service=billing&errors=1");
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(1);
    await page.locator(`[data-trace-id="${failing.traceId}"]`).waitFor();

    // A deep link with a free-text filter over attribute values.
    await page.goto(`${app.base}/?q=blue%20shoes`);
    await page.locator(`[data-trace-id="${other.traceId}"]`).waitFor();
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(1);
    await expect(page.locator(`[data-trace-id="${slow.traceId}"]`).count()).resolves.toBe(0);
  });

  it("keeps the selected trace across a filter pick, and Back or Forward selects the one that step had", async () => {
    const invoice = await sendSdkTrace(app.base, { service: "billing", name: "POST /invoices" });
    await sendSdkTrace(app.base, { service: "billing", name: "POST /refunds", error: true });
    const refund = await sendSdkTrace(app.base, { service: "billing", name: "POST /refunds", error: true });
    await page.goto(app.base);
    await page.locator(`[data-trace-id="${invoice.traceId}"]`).waitFor();
    const params = () => new URL(page.url()).searchParams;
    const selectedIds = () =>
      page
        .locator("[data-trace-id][aria-selected='true']")
        .evaluateAll((rows) => rows.map((row) => row.dataset.traceId));
    for (let i = 0; i < 3; i++) await page.keyboard.press("j");
    await expect.poll(selectedIds, { timeout: 10_000 }).toEqual([invoice.traceId]);
    // A pick keeps the selection in the address, though the filter leaves its row out for now.
    await page.getByRole("button", { name: "Errors only" }).click();
    await expect.poll(() => params().get("errors"), { timeout: 10_000 }).toBe("1");
    expect(params().get("selected")).toBe(invoice.traceId);
    await expect.poll(() => page.locator("[data-trace-id]").count(), { timeout: 10_000 }).toBe(2);
    await page.keyboard.press("j");
    await expect.poll(selectedIds, { timeout: 10_000 }).toEqual([refund.traceId]);
    await page.goBack();
    await expect.poll(() => params().get("errors"), { timeout: 10_000 }).toBeNull();
    expect(params().get("selected")).toBe(invoice.traceId);
    await expect.poll(selectedIds, { timeout: 10_000 }).toEqual([invoice.traceId]);
    await page.goForward();
    await expect.poll(() => params().get("selected"), { timeout: 10_000 }).toBe(refund.traceId);
    await expect.poll(selectedIds, { timeout: 10_000 }).toEqual([refund.traceId]);
  });

  it("moves through the list and the waterfall with the keyboard", async () => {
    const first = await sendSdkTrace(app.base, { service: "kb", name: "GET /one" });
    const second = await sendSdkTrace(app.base, { service: "kb", name: "GET /two", children: 2 });
    await page.goto(app.base);
    await page.locator(`[data-trace-id="${first.traceId}"]`).waitFor();
    await page.keyboard.press("j");
    await expect
      .poll(() => page.locator(`[data-trace-id="${second.traceId}"]`).getAttribute("aria-selected"))
      .toBe("true");
    await page.keyboard.press("j");
    await expect
      .poll(() => page.locator(`[data-trace-id="${first.traceId}"]`).getAttribute("aria-selected"))
      .toBe("true");
    // Home and End jump to the first and the last row.
    await page.keyboard.press("Home");
    await expect
      .poll(() => page.locator(`[data-trace-id="${second.traceId}"]`).getAttribute("aria-selected"))
      .toBe("true");
    await page.keyboard.press("End");
    await expect
      .poll(() => page.locator(`[data-trace-id="${first.traceId}"]`).getAttribute("aria-selected"))
      .toBe("true");
    await page.keyboard.press("k");
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/traces/${second.traceId}**`);
    await page.locator("[data-span-id]").first().waitFor();
    // The root is selected on arrival; j moves to its first child.
    await expect
      .poll(() => page.locator(`[data-span-id="${second.rootSpanId}"]`).getAttribute("aria-selected"))
      .toBe("true");
    await page.keyboard.press("j");
    await expect
      .poll(() => page.locator(`[data-span-id="${second.spanIds[0]}"]`).getAttribute("aria-selected"))
      .toBe("true");
    await expect.poll(() => page.locator('[data-span-id][aria-selected="true"]').count()).toBe(1);
    await page.keyboard.press("Escape");
    await page.waitForURL((url) => url.pathname === "/");
    // Back on the list, the trace we came from is still selected.
    await expect
      .poll(() => page.locator(`[data-trace-id="${second.traceId}"]`).getAttribute("aria-selected"))
      .toBe("true");
    // The sheet is modal: focus moves into it, Tab and Shift+Tab stay inside, and closing puts focus back.
    await page.getByRole("link", { name: "Errors" }).focus();
    await page.keyboard.press("?");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    expect(await page.getByRole("row", { name: /^Home \/ End first \/ last trace/ }).count()).toBe(1);
    const inSheet = () => page.evaluate(() => document.activeElement?.closest("[role='dialog']") !== null);
    await expect.poll(inSheet).toBe(true);
    for (const key of ["Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"]) {
      await page.keyboard.press(key);
      expect(await inSheet()).toBe(true);
    }
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Errors");
    // With data here, the set-up instructions are one click from the help sheet.
    await page.keyboard.press("?");
    await page.getByRole("link", { name: "Set-up for each language" }).click();
    await page.waitForURL((url) => url.pathname === "/setup");
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Connect an app");
    expect(await page.getByRole("tab").count()).toBeGreaterThan(3);
    expect(await page.title()).toBe("Connect an app · tracekit-local");
  });

  it("clears everything after asking, and shows the set-up page again", async () => {
    const sent = await sendSdkTrace(app.base, { service: "clear-me", name: "GET /gone" });
    await page.goto(app.base);
    await page.locator(`[data-trace-id="${sent.traceId}"]`).waitFor();
    let question = "";
    page.once("dialog", (dialog) => {
      question = dialog.message();
      void dialog.dismiss();
    });
    await page.getByRole("button", { name: "Clear" }).click();
    await expect.poll(async () => (await (await fetch(`${app.base}/api/health`)).json()).counts.traces).toBe(1);
    // It says all that goes, not the traces alone.
    expect(question).toContain("every trace, log record, metric and captured snapshot");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Clear" }).click();
    await page.getByTestId("onboarding").waitFor();
    await expect.poll(async () => (await (await fetch(`${app.base}/api/health`)).json()).counts.traces).toBe(0);
  });

  it("follows the system theme until the user picks one, and remembers the choice", async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(app.base);
    const dark = await background();
    await page.emulateMedia({ colorScheme: "light" });
    const light = await background();
    expect(dark).not.toBe(light);
    const toggle = page.locator(".theme-toggle");
    await toggle.click(); // auto → light
    await toggle.click(); // light → dark
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(await background()).toBe(dark);
    await page.reload();
    expect(await background()).toBe(dark);
  });

  it("lists services with their statistics, linking to their traces", async () => {
    await sendSdkTrace(app.base, { service: "inventory", name: "GET /stock", error: true });
    await page.goto(`${app.base}/services`);
    const row = page.locator('[data-service="inventory"]');
    await row.waitFor();
    await expect.poll(() => row.textContent()).toMatch(/inventory/);
    await row.getByRole("link", { name: "inventory" }).click();
    await page.waitForURL("**/?service=inventory");
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(1);
  });
});
