import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const MB = 1_000_000;
const huge = (tag: string, length = MB) => `${tag}:${"x".repeat(length)}`;
const text = (value: string) => ({ stringValue: value });

/** The page's whole markup, and its longest text node or attribute value. */
function pageText(page: Page): Promise<{ bytes: number; longest: number; where: string }> {
  return page.evaluate(() => {
    let longest = 0;
    let where = "";
    const note = (length: number, what: string) => {
      if (length > longest) [longest, where] = [length, what];
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node instanceof Text) note(node.data.length, `text in ${node.parentElement?.className}`);
      else if (node instanceof Element)
        for (const a of node.attributes) note(a.value.length, `${a.name} on ${node.tagName}`);
    }
    return { bytes: document.documentElement.outerHTML.length, longest, where };
  });
}

const available = chromiumAvailable();

describe.skipIf(!available)("long telemetry text in Chromium", () => {
  const suite = useAppInChromium();

  it("cuts a 1 MB span name and status message in the list, rows and details, with show all", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const root = newSpanId();
    const name = `GET ${"n".repeat(1_000_000)}`;
    const message = `failed ${"m".repeat(1_000_000)}`;
    const response = await postJson(
      app.base,
      jsonTraceRequest("huge", [
        { traceId, spanId: root, name, statusCode: 2, statusMessage: message },
        { traceId, parentSpanId: root, name: "SELECT 1" },
      ]),
    );
    expect(response.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const pageBytes = () => page.evaluate(() => document.documentElement.outerHTML.length);

    await page.goto(app.base);
    const row = page.locator(`[data-trace-id="${traceId}"]`);
    await expect.poll(() => row.count()).toBe(1);
    expect(await pageBytes()).toBeLessThan(200_000);

    await row.click();
    const details = page.getByTestId("span-details");
    await expect.poll(() => details.count()).toBe(1);
    await page.locator(".tv-row", { hasText: "GET nnn" }).first().click();
    await expect.poll(() => details.textContent()).toContain("show all (1,000,007 chars)");
    // Rows, title, tooltips and details together stay far below the two 1 MB strings.
    expect(await pageBytes()).toBeLessThan(200_000);

    await details.locator(".tv-status-message .tv-show-all").click();
    await expect
      .poll(async () => (await details.locator(".tv-status-message").textContent())?.length)
      .toBeGreaterThan(1_000_000);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("cuts every 1 MB text of the trace page, the errors page and the LLM page, with show all for messages", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const [root, db, llm] = [newSpanId(), newSpanId(), newSpanId()];
    const start = BigInt(Date.now()) * 1_000_000n;
    const span = (spanId: string, fields: Record<string, unknown>) => ({
      traceId,
      spanId,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + 5_000_000n).toString(),
      ...fields,
    });
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: text("huge") }] },
          scopeSpans: [
            {
              scope: { name: huge("scope", 100_000) },
              spans: [
                span(root, {
                  name: "GET",
                  kind: 2,
                  status: { code: 2 },
                  attributes: [
                    { key: "http.request.method", value: text("GET") },
                    { key: "http.route", value: text(huge("route")) },
                    { key: huge("key", 100_000), value: text("v") },
                  ],
                  events: [
                    {
                      name: "exception",
                      timeUnixNano: start.toString(),
                      attributes: [
                        { key: "exception.type", value: text(huge("type")) },
                        { key: "exception.message", value: text(huge("message")) },
                        { key: "exception.stacktrace", value: text(huge("stack")) },
                      ],
                    },
                    { name: huge("event"), timeUnixNano: start.toString() },
                  ],
                }),
                span(db, {
                  parentSpanId: root,
                  name: "SELECT",
                  kind: 3,
                  attributes: [
                    { key: "db.system", value: text("postgresql") },
                    { key: "db.statement", value: text(`SELECT ${huge("column")}`) },
                  ],
                }),
                span(llm, {
                  parentSpanId: root,
                  name: "chat",
                  kind: 3,
                  attributes: [
                    { key: "gen_ai.system", value: text("openai") },
                    { key: "gen_ai.request.model", value: text(huge("model", 100_000)) },
                    { key: "gen_ai.usage.input_tokens", value: { intValue: "10" } },
                    {
                      key: "gen_ai.input.messages",
                      value: text(
                        JSON.stringify([{ role: "user", parts: [{ type: "text", content: huge("prompt") }] }]),
                      ),
                    },
                  ],
                }),
              ],
            },
          ],
        },
      ],
    };
    expect((await postJson(app.base, body)).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const details = page.getByTestId("span-details");
    // Nothing in the page carries more than a cut stack trace's worth of one text; all of it stays small.
    const expectCut = async () => {
      const found = await pageText(page);
      expect(found.longest, found.where).toBeLessThan(12_000);
      expect(found.bytes).toBeLessThan(200_000);
    };

    for (const spanId of [root, db, llm]) {
      await page.goto(`${app.base}/traces/${traceId}?span=${spanId}`);
      await expect.poll(() => details.locator(".tv-details-title").count()).toBe(1);
      await expect.poll(() => details.locator(".tv-show-all").count()).toBeGreaterThan(0);
      await expectCut();
    }

    await page.goto(`${app.base}/traces/${traceId}?span=${root}`);
    const message = details.locator(".tv-exception-message");
    await expect.poll(() => message.textContent()).toContain("show all (1,000,008 chars)");
    await message.locator(".tv-show-all").click();
    await expect.poll(async () => (await message.textContent())?.length).toBeGreaterThan(MB);

    await page.goto(`${app.base}/errors`);
    await page.locator(".error-group-toggle").first().click();
    await expect.poll(() => page.getByTestId("error-pattern").count()).toBe(1);
    await expectCut();
    // The answer carries the message's beginning only, and the page says how much of it there is.
    const sample = page.locator(".error-group-details .tv-exception-message");
    await expect.poll(() => sample.textContent()).toContain("show more (4,096 of 1,000,008 chars)");

    await page.goto(`${app.base}/llm`);
    await expect.poll(() => page.getByTestId("llm-by-model").locator("tbody tr").count()).toBe(1);
    await expectCut();
    await page.close();
    expect(problems).toEqual([]);
  });
});
