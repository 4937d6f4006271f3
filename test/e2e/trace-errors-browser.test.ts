/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import {
  type JsonSpanInput,
  jsonTraceRequest,
  newSpanId,
  newTraceId,
  postJson,
  sdkThrownRequestJson,
} from "../helpers/payloads.js";

const available = chromiumAvailable();
const ERROR = 2;

describe.skipIf(!available)("a failing trace, in Chromium", () => {
  const suite = useAppInChromium();

  it("opens on the span where the failure started, says so in the header, and e / E step through every failing span", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const root = newSpanId();
    const spans: JsonSpanInput[] = [{ traceId, spanId: root, name: "POST /checkout", kind: 2, statusCode: ERROR }];
    // 240 healthy queries first, so the failing chain sits far below the first screen.
    for (let i = 0; i < 240; i++) {
      spans.push({ traceId, parentSpanId: root, name: `SELECT ${i}`, startNs: 1_700_000_000_000_000_000n + BigInt(i) });
    }
    const [charge, gateway] = [newSpanId(), newSpanId()];
    spans.push(
      {
        traceId,
        spanId: charge,
        parentSpanId: root,
        name: "charge card",
        startNs: 1_700_000_000_001_000_000n,
        statusCode: ERROR,
      },
      {
        traceId,
        spanId: gateway,
        parentSpanId: charge,
        name: "POST gateway",
        kind: 3,
        startNs: 1_700_000_000_001_000_001n,
        statusCode: ERROR,
        statusMessage: "card declined by issuer",
      },
    );
    expect((await postJson(app.base, jsonTraceRequest("checkout", spans))).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    // The list row says what failed and counts failing spans as such.
    await page.goto(`${app.base}/`);
    const row = page.locator(`[data-trace-id="${traceId}"]`);
    await expect.poll(() => row.getByTestId("trace-error-message").textContent()).toBe("card declined by issuer");
    expect(await row.locator(".badge.error").textContent()).toBe("3 failing");
    await page.goto(`${app.base}/traces/${traceId}`);
    const selected = page.locator(".tv-row.selected");
    await expect.poll(() => selected.getAttribute("data-span-id")).toBe(gateway);
    // Scrolled into view, not just selected.
    await expect
      .poll(() =>
        selected.evaluate((row) => {
          const list = row.closest(".tv-list")!.getBoundingClientRect();
          const box = row.getBoundingClientRect();
          return box.top >= list.top && box.bottom <= list.bottom;
        }),
      )
      .toBe(true);
    const origin = page.getByTestId("error-origin");
    await expect.poll(() => origin.textContent()).toContain("checkout · POST gateway");
    await expect.poll(() => origin.textContent()).toContain("card declined by issuer");
    await expect.poll(() => page.getByTestId("trace-header").textContent()).toContain("Failing spans3");

    // e from the origin wraps to the first failing span (the root), then goes on in waterfall order.
    await page.keyboard.press("e");
    await expect.poll(() => selected.getAttribute("data-span-id")).toBe(root);
    await expect.poll(() => page.locator(".tv-error-nav-count").textContent()).toBe("error 1 of 3");
    await page.keyboard.press("e");
    await expect.poll(() => selected.getAttribute("data-span-id")).toBe(charge);
    await page.keyboard.press("Shift+E");
    await expect.poll(() => selected.getAttribute("data-span-id")).toBe(root);
    await page.getByRole("button", { name: "Previous failing span" }).click();
    await expect.poll(() => selected.getAttribute("data-span-id")).toBe(gateway);
    await expect.poll(() => new URL(page.url()).searchParams.get("span")).toBe(gateway);

    // A click on the header line selects the origin again from anywhere.
    await page.keyboard.press("Home");
    await expect.poll(() => selected.getAttribute("data-span-id")).toBe(root);
    await origin.getByRole("button").click();
    await expect.poll(() => selected.getAttribute("data-span-id")).toBe(gateway);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("names the handler's TypeError, not the HTTP span's 500, for a request whose handler threw (TraceKit Node SDK)", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    // The SDK never sends its Express span for such a request: the handler's span names a missing parent.
    expect((await postJson(app.base, sdkThrownRequestJson("throwing-app", traceId))).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/`);
    const row = page.locator(`[data-trace-id="${traceId}"]`);
    await expect
      .poll(() => row.getByTestId("trace-error-message").textContent())
      .toBe("TypeError: Cannot read properties of null (reading 'x')");
    await page.goto(`${app.base}/traces/${traceId}`);
    const origin = page.getByTestId("error-origin");
    await expect.poll(() => origin.textContent()).toContain("handler /throw");
    await expect.poll(() => origin.textContent()).toContain("TypeError: Cannot read properties of null");
    await expect.poll(() => page.locator(".tv-row.selected").textContent()).toContain("handler /throw");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("opens a healthy trace on its root, with no error line", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const root = newSpanId();
    await postJson(
      app.base,
      jsonTraceRequest("shop", [
        { traceId, spanId: root, name: "GET /" },
        { traceId, parentSpanId: root },
      ]),
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.base}/traces/${traceId}`);
    await expect.poll(() => page.locator(".tv-row.selected").getAttribute("data-span-id")).toBe(root);
    expect(await page.getByTestId("error-origin").count()).toBe(0);
    // The start time says which time zone it is in.
    await expect
      .poll(() => page.getByTestId("trace-header").textContent())
      .toMatch(/Started\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (UTC|GMT[+-]\d+(:\d\d)?)/);
    expect(await page.locator(".tv-error-nav").count()).toBe(0);
    await page.close();
  });

  it("wraps a long stack frame inside the span details, readable at 900 px and in the side panel", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const spanId = newSpanId();
    const start = BigInt(Date.now()) * 1_000_000n;
    const request = jsonTraceRequest("payments", [
      { traceId, spanId, name: "POST /charge", kind: 2, startNs: start, statusCode: ERROR, statusMessage: "declined" },
    ]) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    const frame =
      "    at async PaymentGatewayClient.chargeWithRetries (/home/developer/projects/shop/services/payments/src/clients/payment-gateway-client.ts:154:11)";
    const stacktrace = `PaymentFailedError: gateway answered 502\n${frame}\n    at async placeOrder (/app/src/orders.ts:73:5)`;
    const event = {
      name: "exception",
      timeUnixNano: start.toString(),
      attributes: [
        { key: "exception.type", value: { stringValue: "PaymentFailedError" } },
        { key: "exception.message", value: { stringValue: "gateway answered 502" } },
        { key: "exception.stacktrace", value: { stringValue: stacktrace } },
      ],
    };
    request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.events = [event];
    expect((await postJson(app.base, request)).status).toBe(200);

    for (const width of [900, 1280]) {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      await page.goto(`${app.base}/traces/${traceId}?span=${spanId}`);
      const stack = page.locator(".tv-stack").first();
      await stack.waitFor();
      const long = stack.locator(".tv-frame").nth(1);
      expect(await long.textContent()).toBe(`${frame}\n`);
      const fit = await stack.evaluate((pre) => {
        const box = pre.getBoundingClientRect();
        const frames = [...pre.querySelectorAll(".tv-frame")].map((el) => el.getBoundingClientRect());
        const lineHeight = Number.parseFloat(getComputedStyle(pre).lineHeight);
        return {
          hiddenSideways: pre.scrollWidth - pre.clientWidth,
          inside: frames.every((f) => f.left >= box.left && f.right <= box.right),
          longFrameLines: Math.round((frames[1]?.height ?? 0) / lineHeight),
        };
      });
      // Nothing cut or hidden to the right: the long frame wraps onto more lines instead.
      expect({ width, ...fit, longFrameLines: fit.longFrameLines > 1 }).toEqual({
        width,
        hiddenSideways: 0,
        inside: true,
        longFrameLines: true,
      });
      await page.close();
      expect(problems).toEqual([]);
    }
  });

  it("keeps a bar's duration clear of an exception's mark 1 ms into the span, at 800 and 1400 px", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const spanId = newSpanId();
    const start = BigInt(Date.now()) * 1_000_000n;
    const request = jsonTraceRequest("checkout", [
      {
        traceId,
        spanId,
        name: "GET /checkout",
        kind: 2,
        startNs: start,
        durationNs: 19_700_000n,
        statusCode: ERROR,
        statusMessage: "boom",
      },
      { traceId, parentSpanId: spanId, name: "db.query", startNs: start + 2_000_000n, durationNs: 13_000_000n },
    ]) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.events = [
      {
        name: "exception",
        timeUnixNano: (start + 1_100_000n).toString(),
        attributes: [{ key: "exception.type", value: { stringValue: "Error" } }],
      },
    ];
    expect((await postJson(app.base, request)).status).toBe(200);

    for (const width of [800, 1400]) {
      const page = await browser.newPage({ viewport: { width, height: 700 } });
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      await page.goto(`${app.base}/traces/${traceId}`);
      const row = page.locator(`.tv-row[data-span-id="${spanId}"]`);
      await row.locator(".tv-event-tick.exception").waitFor();
      const place = await row.evaluate((el) => {
        const tick = el.querySelector(".tv-event-tick.exception")!.getBoundingClientRect();
        const label = el.querySelector(".tv-bar-label")!;
        const bar = el.querySelector(".tv-bar")!.getBoundingClientRect();
        // The text itself, not its line box.
        const range = document.createRange();
        range.selectNodeContents(label);
        const text = range.getBoundingClientRect();
        return {
          text: label.textContent,
          inside: label.classList.contains("inside"),
          crossed: text.left < tick.right + 1 && text.right > tick.left - 1,
          inBar: text.left >= bar.left && text.right <= bar.right,
        };
      });
      expect({ width, ...place }).toEqual({ width, text: "19.7ms", inside: true, crossed: false, inBar: true });
      await page.close();
      expect(problems).toEqual([]);
    }
  });

  it("keeps every duration inside a bar clear of its exceptions' marks at 800 px, a mark just past the label's end included", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const root = newSpanId();
    const start = BigInt(Date.now()) * 1_000_000n;
    const spans: JsonSpanInput[] = [
      { traceId, spanId: root, name: "GET /batch", kind: 2, startNs: start, durationNs: 120_000_000n },
    ];
    const events: { timeUnixNano: string; name: string; attributes: unknown[] }[][] = [[]];
    // 80 children of "100ms" and "98ms", each with an exception 1 ms in (the label moves past it) and
    // another from 7 to 13 ms in: some a few px past where the label ends, as wide as the font draws it.
    for (let i = 0; i < 80; i++) {
      const childStart = start + 5_000_000n;
      spans.push({
        traceId,
        parentSpanId: root,
        name: `step ${i}`,
        startNs: childStart,
        durationNs: i % 2 === 0 ? 100_000_000n : 98_000_000n,
        statusCode: ERROR,
      });
      const exception = (afterNs: bigint) => ({
        name: "exception",
        timeUnixNano: (childStart + afterNs).toString(),
        attributes: [{ key: "exception.type", value: { stringValue: "Error" } }],
      });
      events.push([exception(1_000_000n), exception(7_000_000n + BigInt(i) * 75_000n)]);
    }
    const request = jsonTraceRequest("batch", spans) as {
      resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
    };
    request.resourceSpans[0]!.scopeSpans[0]!.spans.forEach((span, i) => {
      if (events[i]!.length > 0) span.events = events[i];
    });
    expect((await postJson(app.base, request)).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 800, height: 3200 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}`);
    await expect.poll(() => page.locator(".tv-row .tv-event-tick.exception").count()).toBe(160);
    const rows = await page.locator(".tv-row").evaluateAll((elements) =>
      elements.flatMap((el) => {
        const label = el.querySelector(".tv-bar-label");
        const ticks = [...el.querySelectorAll(".tv-event-tick.exception")].map((t) => t.getBoundingClientRect());
        if (label === null || ticks.length === 0) return [];
        const bar = el.querySelector(".tv-bar")!.getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(label);
        const text = range.getBoundingClientRect();
        return [
          {
            text: label.textContent,
            inside: label.classList.contains("inside"),
            crossed: ticks.some((tick) => text.left < tick.right + 1 && text.right > tick.left - 1),
            inBar: text.left >= bar.left && text.right <= bar.right,
          },
        ];
      }),
    );
    expect(rows).toHaveLength(80);
    const wrong = rows.filter((row) => !row.inside || row.crossed || !row.inBar);
    expect(wrong).toEqual([]);
    await page.close();
    expect(problems).toEqual([]);
  });
});
