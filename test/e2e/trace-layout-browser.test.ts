/// <reference lib="dom" />
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";

const available = chromiumAvailable();
const hex = (bytes: number) => randomBytes(bytes).toString("hex");

/** A 30-span trace (a root and 29 children, the last one failing) and 12 logs written in its root, as OTLP/JSON. */
async function sendTraceWithLogs(base: string): Promise<{ traceId: string; lastSpanId: string }> {
  const traceId = hex(16);
  const rootId = hex(8);
  const start = BigInt(Date.now() - 5_000) * 1_000_000n;
  const ns = (ms: number) => String(start + BigInt(ms) * 1_000_000n);
  const ids = Array.from({ length: 29 }, () => hex(8));
  const spans = [
    { traceId, spanId: rootId, name: "GET /report", kind: 2, startTimeUnixNano: ns(0), endTimeUnixNano: ns(400) },
    ...ids.map((spanId, i) => ({
      traceId,
      spanId,
      parentSpanId: rootId,
      name: `step ${i + 1}`,
      kind: 1,
      startTimeUnixNano: ns(10 * i + 1),
      endTimeUnixNano: ns(10 * i + 9),
      ...(i === 28 ? { status: { code: 2, message: "step 29 failed" } } : {}),
    })),
  ];
  const resource = { attributes: [{ key: "service.name", value: { stringValue: "reports" } }] };
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
  };
  await post("/v1/traces", { resourceSpans: [{ resource, scopeSpans: [{ spans }] }] });
  const logRecords = Array.from({ length: 12 }, (_, i) => ({
    timeUnixNano: ns(30 * i),
    severityNumber: 9,
    body: { stringValue: `report line ${i + 1}` },
    traceId,
    spanId: rootId,
  }));
  await post("/v1/logs", { resourceLogs: [{ resource, scopeLogs: [{ logRecords }] }] });
  return { traceId, lastSpanId: ids[28] as string };
}

describe.skipIf(!available)("The trace view's layout in Chromium", () => {
  const suite = useAppInChromium();
  let page: Page | undefined;
  afterEach(async () => {
    await page?.close();
  });

  /** A new trace with logs, opened at `width` × `height` on its last span (in `page`). */
  async function openTraceWithLogs(width: number, height: number) {
    const { traceId, lastSpanId } = await sendTraceWithLogs(suite.app.base);
    page = await suite.browser.newPage({ viewport: { width, height } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${suite.app.base}/traces/${traceId}?span=${lastSpanId}`);
    return { lastSpanId, problems };
  }

  it.each([
    [900, 800],
    [1400, 700],
  ])(
    "keeps rows of the waterfall and the selected span in view under the trace's logs at %ix%i",
    async (width, height) => {
      const { lastSpanId, problems } = await openTraceWithLogs(width, height);
      if (page === undefined) throw new Error("no page");
      // The logs arrive after the spans, and take their share of the column under the waterfall.
      await expect.poll(() => page?.getByTestId("trace-logs").locator("[data-log-id]").count()).toBeGreaterThan(2);
      const list = page.locator(".tv-list");
      const box = await list.boundingBox();
      expect(box?.height ?? 0, "the waterfall's rows").toBeGreaterThanOrEqual(4 * 24);
      const row = page.locator(`.tv-list [data-span-id="${lastSpanId}"]`);
      await expect
        .poll(
          async () => {
            const [listBox, rowBox] = [await list.boundingBox(), await row.boundingBox()];
            if (listBox === null || rowBox === null) return false;
            return rowBox.y >= listBox.y - 1 && rowBox.y + rowBox.height <= listBox.y + listBox.height + 1;
          },
          { message: "the selected span's row is in view" },
        )
        .toBe(true);
      expect(problems).toEqual([]);
    },
  );

  it.each([
    [900, 700],
    [700, 600],
    [1280, 500],
  ])(
    "gives the span details and the open logs usable heights at %ix%i, and the logs' room back when they close",
    async (width, height) => {
      const { problems } = await openTraceWithLogs(width, height);
      if (page === undefined) throw new Error("no page");
      const logs = page.getByTestId("trace-logs");
      await expect.poll(() => logs.locator("[data-log-id]").count()).toBeGreaterThan(2);
      const heightOf = async (selector: string) => (await page?.locator(selector).boundingBox())?.height ?? 0;
      const pageHeight = () => page?.locator(".tv-page").evaluate((element) => element.scrollHeight) ?? 0;

      // Stacked under the waterfall (below 980 px) or beside it, the details get room for more than their title.
      expect(await heightOf(".tv-details"), "the span details").toBeGreaterThanOrEqual(240);
      // Drawn open, the logs show three of their 26 px rows, not a heading over an empty sliver.
      expect(await heightOf(".trace-log-rows"), "the rows of the open logs").toBeGreaterThanOrEqual(3 * 26);
      expect(await heightOf(".tv-list"), "the waterfall's rows").toBeGreaterThanOrEqual(3 * 24);
      // A window too short for all of that scrolls the page, down to the end of the details.
      await page.locator(".tv-page").evaluate((element) => element.scrollTo(0, element.scrollHeight));
      const details = await page.locator(".tv-details").boundingBox();
      expect((details?.y ?? 0) + (details?.height ?? 0), "the end of the details").toBeLessThanOrEqual(height + 1);

      // Closed, the logs' rows go to the waterfall, or the page gets shorter by them.
      const [listBefore, pageBefore] = [await heightOf(".tv-list"), await pageHeight()];
      await logs.getByRole("button", { name: /Logs of this trace/ }).click();
      await expect.poll(() => heightOf(".trace-logs")).toBeLessThanOrEqual(31);
      const returned = (await heightOf(".tv-list")) - listBefore + (pageBefore - (await pageHeight()));
      expect(returned, "the room the logs' rows gave back").toBeGreaterThanOrEqual(3 * 26 - 1);
      expect(problems).toEqual([]);
    },
  );
});
