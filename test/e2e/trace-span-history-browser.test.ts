/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();
const T0 = 1_700_000_000_000_000_000n;
const MS = 1_000_000n;

describe.skipIf(!available)("Back after following a link to another span of the trace, in Chromium", () => {
  const suite = useAppInChromium();

  it("returns to the span the link was followed from; moving through the waterfall adds no step", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const ids = { root: newSpanId(), job: newSpanId(), render: newSpanId(), send: newSpanId() };
    const request = jsonTraceRequest("mailer", [
      { traceId, spanId: ids.root, name: "send receipts", kind: 5, startNs: T0, durationNs: 100n * MS },
      { traceId, spanId: ids.job, parentSpanId: ids.root, name: "load job", startNs: T0 + MS, durationNs: 10n * MS },
      {
        traceId,
        spanId: ids.render,
        parentSpanId: ids.root,
        name: "render batch",
        startNs: T0 + 20n * MS,
        durationNs: 30n * MS,
      },
      {
        traceId,
        spanId: ids.send,
        parentSpanId: ids.render,
        name: "smtp send",
        statusCode: 2,
        startNs: T0 + 60n * MS,
        durationNs: 30n * MS,
      },
    ]) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    // "load job" links to "render batch", in the same trace.
    request.resourceSpans[0]!.scopeSpans[0]!.spans[1]!.links = [{ traceId, spanId: ids.render }];
    expect((await postJson(app.base, request)).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const title = () => page.locator(".tv-details-title").textContent();
    const spanParam = () => new URL(page.url()).searchParams.get("span");
    await page.goto(`${app.base}/?service=mailer`);
    await page.locator(`[data-trace-id="${traceId}"]`).click();
    await page.waitForURL(`**/traces/${traceId}`);
    // A failing trace opens on where the failure started.
    await expect.poll(title).toBe("smtp send");

    // A click on a row and j / k replace the entry, as before.
    await page.locator(".tv-row", { hasText: "load job" }).click();
    await expect.poll(title).toBe("load job");
    expect(spanParam()).toBe(ids.job);

    // The link under Links is a step: Back returns to "load job", Forward follows it again.
    await page.getByRole("link", { name: `this trace / span ${ids.render}` }).click();
    await expect.poll(title).toBe("render batch");
    expect(spanParam()).toBe(ids.render);
    await page.goBack();
    await expect.poll(title).toBe("load job");
    expect(new URL(page.url()).pathname).toBe(`/traces/${traceId}`);
    expect(spanParam()).toBe(ids.job);
    await page.goForward();
    await expect.poll(title).toBe("render batch");

    // So are the parent id and the header's "Error started in".
    await page.getByTestId("span-details").getByRole("button", { name: ids.root }).click();
    await expect.poll(title).toBe("send receipts");
    await page.getByTestId("error-origin").getByRole("button").click();
    await expect.poll(title).toBe("smtp send");
    await page.goBack();
    await expect.poll(title).toBe("send receipts");
    await page.goBack();
    await expect.poll(title).toBe("render batch");
    await page.goBack();
    await expect.poll(title).toBe("load job");

    // Moving on with the keyboard is no step: Back now leaves the trace for the list it was opened from.
    await page.locator(".tv-list").focus();
    await page.keyboard.press("j");
    await expect.poll(title).toBe("render batch");
    await page.goBack();
    await page.waitForURL((url) => url.pathname === "/" && url.searchParams.get("service") === "mailer");

    // Escape (the back link) steps over every entry the trace pushed, to the list.
    await page.goForward();
    await expect.poll(title).toBe("render batch");
    await page.locator(".tv-row", { hasText: "load job" }).click();
    await page.getByRole("link", { name: `this trace / span ${ids.render}` }).click();
    await expect.poll(title).toBe("render batch");
    await page.locator(".tv-list").focus();
    await page.keyboard.press("Escape");
    await page.waitForURL((url) => url.pathname === "/" && url.searchParams.get("service") === "mailer");

    // With a zoom between: Back out of the link returns to its span, and Back out of the zoom then
    // keeps the span selected while zoomed (zooming is not about the selection).
    await page.goto(`${app.base}/traces/${traceId}?span=${ids.root}`);
    await expect.poll(title).toBe("send receipts");
    await page.locator(".tv-list").focus();
    await page.keyboard.press("+");
    await expect.poll(() => new URL(page.url()).searchParams.get("zoom")).not.toBeNull();
    const zoomed = new URL(page.url()).searchParams.get("zoom");
    await page.locator(".tv-row", { hasText: "load job" }).click();
    await page.getByRole("link", { name: `this trace / span ${ids.render}` }).click();
    await expect.poll(title).toBe("render batch");
    await page.goBack();
    await expect.poll(title).toBe("load job");
    expect(new URL(page.url()).searchParams.get("zoom")).toBe(zoomed);
    await page.goBack();
    await expect.poll(() => page.getByTestId("zoom-window").textContent()).toBe("whole trace");
    expect(await title()).toBe("load job");
    expect(spanParam()).toBe(ids.job);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("a jump over several entries (a link followed, then a zoom) shows the span and zoom the entry landed on records", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const ids = { root: newSpanId(), job: newSpanId(), send: newSpanId() };
    const request = jsonTraceRequest("mailer", [
      { traceId, spanId: ids.root, name: "send receipts", kind: 5, startNs: T0, durationNs: 100n * MS },
      { traceId, spanId: ids.job, parentSpanId: ids.root, name: "load job", startNs: T0 + MS, durationNs: 10n * MS },
      {
        traceId,
        spanId: ids.send,
        parentSpanId: ids.root,
        name: "smtp send",
        startNs: T0 + 60n * MS,
        durationNs: 30n * MS,
      },
    ]);
    expect((await postJson(app.base, request)).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const title = () => page.locator(".tv-details-title").textContent();
    const param = (name: string) => new URL(page.url()).searchParams.get(name);
    await page.goto(`${app.base}/traces/${traceId}`);
    await page.locator(".tv-row", { hasText: "load job" }).click();
    await expect.poll(title).toBe("load job");
    // The parent id is a step, and so is zooming in after it.
    await page.getByTestId("span-details").getByRole("button", { name: ids.root }).click();
    await expect.poll(title).toBe("send receipts");
    await page.locator(".tv-list").focus();
    await page.keyboard.press("+");
    await expect.poll(() => param("zoom")).not.toBeNull();
    const zoomed = param("zoom");

    // Two entries back at once: the span the link was followed from, the whole trace, and that
    // entry's address keeps its own span.
    await page.evaluate(() => history.go(-2));
    await expect.poll(title).toBe("load job");
    await expect.poll(() => page.getByTestId("zoom-window").textContent()).toBe("whole trace");
    expect(param("span")).toBe(ids.job);
    expect(param("zoom")).toBeNull();
    // And two forward: the linked span, zoomed.
    await page.evaluate(() => history.go(2));
    await expect.poll(title).toBe("send receipts");
    await expect.poll(() => param("zoom")).toBe(zoomed);
    expect(param("span")).toBe(ids.root);
    await page.evaluate(() => history.go(-2));
    await expect.poll(title).toBe("load job");
    expect(param("span")).toBe(ids.job);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("two Backs in quick succession, the second before the page has painted, land on the entry's own span", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const ids = { root: newSpanId(), job: newSpanId(), render: newSpanId() };
    const request = jsonTraceRequest("mailer", [
      { traceId, spanId: ids.root, name: "send receipts", kind: 5, startNs: T0, durationNs: 100n * MS },
      { traceId, spanId: ids.job, parentSpanId: ids.root, name: "load job", startNs: T0 + MS, durationNs: 10n * MS },
      {
        traceId,
        spanId: ids.render,
        parentSpanId: ids.root,
        name: "render batch",
        startNs: T0 + 20n * MS,
        durationNs: 30n * MS,
      },
    ]) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    request.resourceSpans[0]!.scopeSpans[0]!.spans[1]!.links = [{ traceId, spanId: ids.render }];
    expect((await postJson(app.base, request)).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const title = () => page.locator(".tv-details-title").textContent();
    const spanParam = () => new URL(page.url()).searchParams.get("span");
    await page.goto(`${app.base}/traces/${traceId}`);
    await page.locator(".tv-row", { hasText: "load job" }).click();
    await expect.poll(title).toBe("load job");
    // Two followed links: "load job" → "render batch" → its parent, "send receipts".
    await page.getByRole("link", { name: `this trace / span ${ids.render}` }).click();
    await expect.poll(title).toBe("render batch");
    await page.getByTestId("span-details").getByRole("button", { name: ids.root }).click();
    await expect.poll(title).toBe("send receipts");

    // A busy or slow browser paints late: no frame comes between the two Backs (the second goes as
    // soon as the first has been handled), as when Back is pressed twice quickly.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          window.requestAnimationFrame = () => 0;
          addEventListener("popstate", () => setTimeout(() => history.back()), { once: true });
          history.back();
          setTimeout(resolve, 300);
        }),
    );
    await expect.poll(title).toBe("load job");
    expect(spanParam()).toBe(ids.job);

    // The entry zooming in pushes is the one shown as well: Back out of it, after a move with the
    // keyboard, is Back out of a zoom (the selection stays), not out of the link followed before it.
    await page.getByRole("link", { name: `this trace / span ${ids.render}` }).click();
    await expect.poll(title).toBe("render batch");
    await page.locator(".tv-list").focus();
    await page.keyboard.press("+");
    await expect.poll(() => new URL(page.url()).searchParams.get("zoom")).not.toBeNull();
    await page.keyboard.press("k");
    await expect.poll(title).toBe("load job");
    await page.goBack();
    await expect.poll(() => page.getByTestId("zoom-window").textContent()).toBe("whole trace");
    expect(await title()).toBe("load job");
    expect(spanParam()).toBe(ids.job);
    await page.close();
    expect(problems).toEqual([]);
  });
});
