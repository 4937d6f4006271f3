/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

const text = (key: string, value: string) => ({ key, value: { stringValue: value } });

describe.skipIf(!available)("an exception's values in a span's details, in Chromium", () => {
  const suite = useAppInChromium();

  it("gives an exception's type and message the copy button and magnifier every value has", async () => {
    const { app, browser } = suite;
    const failing = { traceId: newTraceId(), spanId: newSpanId() };
    const other = { traceId: newTraceId(), spanId: newSpanId() };
    const body = jsonTraceRequest("billing", [
      { ...failing, name: "charge", statusCode: 2 },
      { ...other, name: "charge" },
    ]) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    const [span, otherSpan] = body.resourceSpans[0]!.scopeSpans[0]!.spans;
    span!.events = [
      { name: "cache miss", timeUnixNano: span!.startTimeUnixNano, attributes: [text("cache.key", "card:42")] },
      {
        name: "exception",
        timeUnixNano: span!.endTimeUnixNano,
        attributes: [
          text("exception.type", "ValueError"),
          text("exception.message", "card declined: insufficient funds"),
          text("exception.stacktrace", 'Traceback (most recent call last):\n  File "/srv/app/billing.py", line 9'),
          { key: "exception.escaped", value: { boolValue: true } },
          text("exception.cause", "GatewayTimeout"),
        ],
      },
    ];
    otherSpan!.events = [
      { name: "exception", timeUnixNano: otherSpan!.endTimeUnixNano, attributes: [text("exception.type", "KeyError")] },
    ];
    expect((await postJson(app.base, body)).status).toBe(200);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.base });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
    await page.goto(`${app.base}/traces/${failing.traceId}?span=${failing.spanId}`);
    const details = page.getByTestId("span-details");
    const type = details.locator('[data-exception-key="exception.type"]');
    const message = details.locator('[data-exception-key="exception.message"]');
    await expect.poll(() => type.count()).toBe(1);

    // Copy buttons, as beside any other value (the cache.key row's).
    await type.getByRole("button", { name: "Copy exception.type" }).click();
    await expect.poll(clipboard, { timeout: 10_000 }).toBe("ValueError");
    await message.getByRole("button", { name: "Copy exception.message" }).click();
    await expect.poll(clipboard, { timeout: 10_000 }).toBe("card declined: insufficient funds");
    expect(
      await details
        .locator('[data-event-attr-key="cache.key"]')
        .getByRole("button", { name: "Copy cache.key" })
        .count(),
    ).toBe(1);
    // An exception.* attribute the block does not show is a row of its own, with its controls.
    const cause = details.locator('[data-event-attr-key="exception.cause"]');
    expect(await cause.getByRole("link", { name: "Find traces with this exception.cause" }).count()).toBe(1);
    // The keys the block shows are not repeated as rows.
    expect(await details.locator('[data-event-attr-key^="exception.type"]').count()).toBe(0);
    expect(
      await message.getByRole("link", { name: "Find traces with this exception.message" }).getAttribute("href"),
    ).toBe(`/?${new URLSearchParams({ q: 'exception.message="card declined: insufficient funds"' })}`);
    expect(await details.locator(".tv-exception-escaped").getAttribute("href")).toBe(
      `/?${new URLSearchParams({ q: "exception.escaped=true" })}`,
    );

    // The type's magnifier lists the traces that raised one, as the README's example query does.
    await type.getByRole("link", { name: "Find traces with this exception.type" }).click();
    await page.waitForURL((url) => url.pathname === "/" && url.searchParams.get("q") === 'exception.type="ValueError"');
    await expect
      .poll(
        () => page.locator("[data-trace-id]").evaluateAll((els) => els.map((el) => el.getAttribute("data-trace-id"))),
        { timeout: 10_000 },
      )
      .toEqual([failing.traceId]);
    // The escaped badge finds the traces whose exceptions escaped too.
    await page.goBack();
    await details.locator(".tv-exception-escaped").click();
    await page.waitForURL((url) => url.searchParams.get("q") === "exception.escaped=true");
    await expect
      .poll(
        () => page.locator("[data-trace-id]").evaluateAll((els) => els.map((el) => el.getAttribute("data-trace-id"))),
        { timeout: 10_000 },
      )
      .toEqual([failing.traceId]);
    await context.close();
    expect(problems).toEqual([]);
  });
});
