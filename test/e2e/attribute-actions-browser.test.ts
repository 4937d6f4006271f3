/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { readJson } from "../helpers/http.js";
import { jsonLogRequest, jsonTraceRequest, newSpanId, newTraceId, postJson, postLogs } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("copying and searching for attributes, in Chromium", () => {
  const suite = useAppInChromium();

  it("copies a span's attributes and resource, and a log record's attributes, as one JSON object each", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const spanId = newSpanId();
    const attributes = { "http.route": "/orders/:id", "app.order.id": 42, "app.retry": true, "app.ratio": 0.5 };
    const spans = jsonTraceRequest("checkout", [{ traceId, spanId, name: "GET /orders/:id", kind: 2, attributes }]);
    expect((await postJson(app.base, spans)).status).toBe(200);
    const logs = jsonLogRequest("checkout", [
      { body: "order loaded", traceId, spanId, attributes: { "order.id": "42", "user.tier": "gold" } },
    ]);
    expect((await postLogs(app.base, logs)).status).toBe(200);
    const { logs: stored } = (await readJson(fetch(`${app.base}/api/logs`))) as { logs: { id: string }[] };

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.base });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
    const copied = async () => JSON.parse(await clipboard()) as unknown;

    await page.goto(`${app.base}/traces/${traceId}?span=${spanId}`);
    const details = page.getByTestId("span-details");
    await details.getByRole("button", { name: "Copy attributes as JSON" }).click();
    await expect.poll(copied, { timeout: 10_000 }).toEqual(attributes);
    // The keys as the details sort them; the click copies and leaves the section open.
    expect(Object.keys((await copied()) as object)).toEqual(["app.order.id", "app.ratio", "app.retry", "http.route"]);
    const sectionOf = (button: string) =>
      details.locator("details.tv-section", { has: page.getByRole("button", { name: button }) });
    const attributesSection = sectionOf("Copy attributes as JSON");
    expect(await attributesSection.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);
    // The resource's button copies it without opening its (closed) section.
    await details.getByRole("button", { name: "Copy resource as JSON" }).click();
    await expect.poll(copied, { timeout: 10_000 }).toEqual({ "service.name": "checkout" });
    const resourceSection = sectionOf("Copy resource as JSON");
    expect(await resourceSection.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);

    await page.goto(`${app.base}/logs?log=${stored[0]!.id}`);
    await page.getByRole("button", { name: "Copy attributes as JSON" }).click();
    await expect.poll(copied, { timeout: 10_000 }).toEqual({ "order.id": "42", "user.tier": "gold" });

    await context.close();
    expect(problems).toEqual([]);
  });
  it("shows a string value that holds JSON indented on request, parsing a long one only when asked", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const spanId = newSpanId();
    const body = '{"order":{"id":12345678901234567890,"items":[{"sku":"a-1","qty":2}],"note":"<b>x</b>"}}';
    // A list of 3,000 items, sent as text (past the size checked when shown), whose start is told apart below.
    const huge = JSON.stringify(
      Array.from({ length: 3000 }, (_, i) => ({ huge: i, name: `item ${i} of a long list` })),
    );
    const attributes = { "http.request.body": body, "app.not_json": "{not json}", "app.items": huge };
    const spans = jsonTraceRequest("checkout", [{ traceId, spanId, name: "POST /orders", kind: 2, attributes }]);
    expect((await postJson(app.base, spans)).status).toBe(200);
    const logs = jsonLogRequest("checkout", [{ body: "order placed", traceId, spanId, attributes: { payload: body } }]);
    expect((await postLogs(app.base, logs)).status).toBe(200);
    const { logs: stored } = (await readJson(fetch(`${app.base}/api/logs`))) as { logs: { id: string }[] };

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.base });
    // Counts the page's parses of the long value's own text.
    await context.addInitScript(() => {
      const parse = JSON.parse;
      const w = window as unknown as { hugeParses: number };
      w.hugeParses = 0;
      JSON.parse = ((text: string, reviver?: (key: string, value: unknown) => unknown) => {
        if (typeof text === "string" && text.trimStart().startsWith('[{"huge":')) w.hugeParses++;
        return parse(text, reviver);
      }) as typeof JSON.parse;
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const hugeParses = () => page.evaluate(() => (window as unknown as { hugeParses: number }).hugeParses);

    await page.goto(`${app.base}/traces/${traceId}?span=${spanId}`);
    const details = page.getByTestId("span-details");
    const row = details.locator('[data-attr-key="http.request.body"]');
    const value = row.locator(".tv-attr-value");
    await expect.poll(() => value.textContent(), { timeout: 10_000 }).toContain(body);
    const toggle = row.getByRole("button", { name: "JSON", exact: true });
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");
    await toggle.click();
    await expect.poll(() => toggle.getAttribute("aria-pressed"), { timeout: 10_000 }).toBe("true");
    // Indented as text, every digit kept, markup shown as written and making no element.
    const indented = await value.evaluate((el) => (el as HTMLElement).innerText);
    expect(indented).toContain(
      '{\n  "order": {\n    "id": 12345678901234567890,\n    "items": [\n      {\n        "sku": "a-1",',
    );
    expect(indented).toContain('"note": "<b>x</b>"');
    expect(await value.locator("b").count()).toBe(0);
    // Copy gives the value as sent; the magnifier still searches for it.
    await row.getByRole("button", { name: "Copy http.request.body" }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 10_000 }).toBe(body);
    expect(await row.getByRole("link", { name: "Find traces with this http.request.body" }).count()).toBe(1);
    await toggle.click();
    await expect.poll(() => value.textContent(), { timeout: 10_000 }).toContain(body);

    // Text that only looks like JSON gets no toggle.
    const notJson = details.locator('[data-attr-key="app.not_json"]');
    expect(await notJson.textContent()).toContain("{not json}");
    expect(await notJson.getByRole("button", { name: "JSON", exact: true }).count()).toBe(0);

    // The long value: cut until "show all", not parsed until its toggle is clicked; then indented and still cut.
    const items = details.locator('[data-attr-key="app.items"]');
    expect(await items.getByRole("button", { name: /^show all/ }).count()).toBe(1);
    expect(await hugeParses()).toBe(0);
    await items.getByRole("button", { name: "JSON", exact: true }).click();
    await expect
      .poll(() => items.locator(".tv-attr-value").textContent(), { timeout: 10_000 })
      .toContain('[\n  {\n    "huge": 0,\n    "name": "item 0 of a long list"\n  },');
    expect(await hugeParses()).toBe(1);
    expect(await items.getByRole("button", { name: /^show all/ }).count()).toBe(1);

    // A log record's attribute the same way.
    await page.goto(`${app.base}/logs?log=${stored[0]!.id}`);
    const logRow = page.getByTestId("log-details").locator('[data-attr-key="payload"]');
    await logRow.getByRole("button", { name: "JSON", exact: true }).click();
    await expect
      .poll(() => logRow.locator(".tv-attr-value").evaluate((el) => (el as HTMLElement).innerText), { timeout: 10_000 })
      .toContain('{\n  "order": {\n    "id": 12345678901234567890,');

    await context.close();
    expect(problems).toEqual([]);
  });

  it("ties the JSON toggle to the value: another span's value under the same key opens as sent", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const [a, b, c, d] = [newSpanId(), newSpanId(), newSpanId(), newSpanId()];
    // c's is past the size checked when shown and only looks like JSON; d's is JSON nested too deeply to indent.
    const payloads = {
      [a]: '{"a":1}',
      [b]: '{"b":2}',
      [c]: `[${"x".repeat(70_000)}]`,
      [d]: `${"[".repeat(150)}${"]".repeat(150)}`,
    };
    const spans = jsonTraceRequest(
      "checkout",
      [a, b, c, d].map((spanId, i) => ({
        traceId,
        spanId,
        parentSpanId: i === 0 ? undefined : a,
        name: `step ${i}`,
        attributes: { "app.payload": payloads[spanId] as string },
      })),
    );
    expect((await postJson(app.base, spans)).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}?span=${a}`);
    const row = page.getByTestId("span-details").locator('[data-attr-key="app.payload"]');
    const value = row.locator(".tv-attr-value");
    const toggle = row.getByRole("button", { name: "JSON", exact: true });
    const note = row.locator(".tv-json-note");
    const select = async (spanId: string) => {
      await page.locator(`[data-span-id="${spanId}"]`).click();
      await expect
        .poll(() => page.locator(`[data-span-id="${spanId}"]`).getAttribute("aria-selected"), { timeout: 10_000 })
        .toBe("true");
    };

    await expect.poll(() => value.textContent(), { timeout: 10_000 }).toContain('{"a":1}');
    await toggle.click();
    await expect
      .poll(() => value.evaluate((el) => (el as HTMLElement).innerText), { timeout: 10_000 })
      .toContain('{\n  "a": 1\n}');
    await select(b);
    await expect.poll(() => value.textContent(), { timeout: 10_000 }).toContain('{"b":2}');
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");

    // Toggled on b, the long text that is not JSON on c opens as sent with its own toggle, and says
    // "not valid JSON" only when asked, with the way back still there.
    await toggle.click();
    await expect.poll(() => toggle.getAttribute("aria-pressed"), { timeout: 10_000 }).toBe("true");
    await select(c);
    await expect.poll(() => toggle.getAttribute("aria-pressed"), { timeout: 10_000 }).toBe("false");
    expect(await note.count()).toBe(0);
    await toggle.click();
    await expect.poll(() => note.textContent(), { timeout: 10_000 }).toBe("not valid JSON");
    await toggle.click();
    await expect.poll(() => note.count(), { timeout: 10_000 }).toBe(0);
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");

    // JSON too deep to indent is offered, and says why it stays as sent.
    await select(d);
    await toggle.click();
    await expect.poll(() => note.textContent(), { timeout: 10_000 }).toBe("too deeply nested to indent");
    expect(await value.textContent()).toContain(payloads[d]);

    await page.close();
    expect(problems).toEqual([]);
  });

  it("opens the trace list searching for a span attribute's value, and the Logs page for a log record's", async () => {
    const { app, browser } = suite;
    const wanted = { traceId: newTraceId(), spanId: newSpanId() };
    const other = { traceId: newTraceId(), spanId: newSpanId() };
    const route = 'GET /orders/:id "quoted"';
    const request = jsonTraceRequest("shop", [
      { ...wanted, name: "load order", attributes: { "app.order.id": 7, "app.route": route } },
      { ...other, name: "load order", attributes: { "app.order.id": 8, "app.route": "other" } },
    ]);
    expect((await postJson(app.base, request)).status).toBe(200);
    const logs = jsonLogRequest("shop", [
      { body: "first", attributes: { "user.tier": "platinum", status: "500" } },
      { body: "second", attributes: { "user.tier": "silver", status: "200" } },
    ]);
    expect((await postLogs(app.base, logs)).status).toBe(200);
    const { logs: stored } = (await readJson(fetch(`${app.base}/api/logs?q=first`))) as { logs: { id: string }[] };

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${wanted.traceId}?span=${wanted.spanId}`);
    const details = page.getByTestId("span-details");
    // A value with a space and quotes is searched for whole.
    await details.getByRole("link", { name: "Find traces with this app.route" }).click();
    await page.waitForURL(
      (url) => url.pathname === "/" && url.searchParams.get("q") === `app.route="GET /orders/:id \\"quoted\\""`,
    );
    const rows = page.locator("[data-trace-id]");
    await expect
      .poll(() => rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-trace-id"))), { timeout: 10_000 })
      .toEqual([wanted.traceId]);
    await page.goBack();
    await details.getByRole("link", { name: "Find traces with this app.order.id" }).click();
    await page.waitForURL((url) => url.searchParams.get("q") === "app.order.id=7");
    await expect
      .poll(() => rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-trace-id"))), { timeout: 10_000 })
      .toEqual([wanted.traceId]);

    await page.goto(`${app.base}/logs?log=${stored[0]!.id}`);
    await page.getByTestId("log-details").getByRole("link", { name: "Find log records with this user.tier" }).click();
    await page.waitForURL((url) => url.pathname === "/logs" && url.searchParams.get("q") === 'user.tier="platinum"');
    await expect
      .poll(() => page.locator("[data-log-id] .log-col-body").allTextContents(), { timeout: 10_000 })
      .toEqual(["first"]);
    // A key the log query reads otherwise (`status=` belongs to spans) is searched as the attribute.
    await page.goto(`${app.base}/logs?log=${stored[0]!.id}`);
    await page.getByTestId("log-details").getByRole("link", { name: "Find log records with this status" }).click();
    await page.waitForURL((url) => url.pathname === "/logs" && url.searchParams.get("q") === '@status="500"');
    await expect
      .poll(() => page.locator("[data-log-id] .log-col-body").allTextContents(), { timeout: 10_000 })
      .toEqual(["first"]);
    await page.close();
    expect(problems).toEqual([]);
  });
});
