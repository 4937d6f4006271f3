/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { contrastRatio } from "../../web/src/features/trace-view/self-heat.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { type JsonSpanInput, jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();
const T0 = 1_700_000_000_000_000_000n;
const MS = 1_000_000n;

describe.skipIf(!available)("a trace's overview, zoom, critical path and self time, in Chromium", () => {
  const suite = useAppInChromium();

  it("shows every span in an overview; dragging on it, the toolbar and + − 0 [ ] zoom and pan the timeline", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const root = newSpanId();
    // A 1,000 ms root with 300 children, one every 3 ms, each 2 ms long.
    const spans: JsonSpanInput[] = [{ traceId, spanId: root, name: "batch", startNs: T0, durationNs: 1000n * MS }];
    for (let i = 0; i < 300; i++) {
      spans.push({
        traceId,
        parentSpanId: root,
        name: `item ${i}`,
        startNs: T0 + BigInt(i * 3) * MS,
        durationNs: 2n * MS,
      });
    }
    expect((await postJson(app.base, jsonTraceRequest("worker", spans))).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}`);
    const minimap = page.getByTestId("trace-minimap");
    await expect
      .poll(() => minimap.getByRole("img").getAttribute("aria-label"))
      .toBe("Overview of the trace: 301 spans over 1s");
    // The overview really drew the spans: its canvas has painted pixels across its width.
    const painted = await minimap.locator("canvas").evaluate((canvas: HTMLCanvasElement) => {
      const { data, width, height } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
      let columns = 0;
      for (let x = 0; x < width; x++) {
        for (let y = 0; y < height; y++) {
          if (data[(y * width + x) * 4 + 3]! > 0) {
            columns++;
            break;
          }
        }
      }
      return columns / width;
    });
    expect(painted).toBeGreaterThan(0.95);
    const zoomText = page.getByTestId("zoom-window");
    await expect.poll(() => zoomText.textContent()).toBe("whole trace");

    // Drag across the first fifth of the overview: the timeline shows 0–200 ms.
    const box = (await minimap.boundingBox())!;
    await page.mouse.move(box.x + 1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => zoomText.textContent()).toMatch(/^[0-2](\.\d+)?ms – (19\d|20\d)ms$/);
    await expect.poll(() => page.getByTestId("minimap-window").count()).toBe(1);
    // A span inside the window still has its bar.
    await expect.poll(() => page.locator(".tv-row").nth(5).locator(".tv-bar").count()).toBe(1);

    // "]" pans a quarter window later; "0" shows everything again; "+" zooms around the selected span.
    const before = await zoomText.textContent();
    await page.locator(".tv-list").focus();
    await page.keyboard.press("]");
    await expect.poll(() => zoomText.textContent()).not.toBe(before);
    await page.keyboard.press("0");
    await expect.poll(() => zoomText.textContent()).toBe("whole trace");
    await expect.poll(() => page.getByTestId("minimap-window").count()).toBe(0);
    await page.keyboard.press("End"); // the last item, 897–899 ms: its middle keeps its place on screen
    await page.keyboard.press("+");
    await page.keyboard.press("+");
    await expect.poll(() => zoomText.textContent()).toBe("674ms – 924ms");
    await page.getByRole("button", { name: "Zoom out" }).click();
    await expect.poll(() => zoomText.textContent()).toBe("449ms – 949ms");
    await page.getByRole("button", { name: "Reset", exact: true }).click();
    await expect.poll(() => zoomText.textContent()).toBe("whole trace");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("keeps the zoomed window in the URL: a reload and a shared link show it, Back steps out of it", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const root = newSpanId();
    const spans: JsonSpanInput[] = [{ traceId, spanId: root, name: "batch", startNs: T0, durationNs: 1000n * MS }];
    for (let i = 0; i < 50; i++) {
      spans.push({
        traceId,
        parentSpanId: root,
        name: `item ${i}`,
        startNs: T0 + BigInt(i * 20) * MS,
        durationNs: 10n * MS,
      });
    }
    expect((await postJson(app.base, jsonTraceRequest("zoom-url", spans))).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    // Opened from the trace list, as a reader does.
    await page.goto(`${app.base}/`);
    await page.locator(`a[href="/traces/${traceId}"]`).click();
    await page.waitForURL(`**/traces/${traceId}**`);
    const zoomText = page.getByTestId("zoom-window");
    const param = (name: string) => () => new URL(page.url()).searchParams.get(name);
    await expect.poll(() => zoomText.textContent(), { timeout: 10_000 }).toBe("whole trace");
    // Not zoomed: the address has no zoom.
    expect(param("zoom")()).toBeNull();
    const entries = () => page.evaluate(() => history.length);
    const before = await entries();

    // Zoomed in: one step in history; panning replaces it.
    await page.locator(".tv-list").focus();
    await page.keyboard.press("End");
    await page.keyboard.press("+");
    await page.keyboard.press("+");
    await expect.poll(() => zoomText.textContent(), { timeout: 10_000 }).not.toBe("whole trace");
    await page.keyboard.press("[");
    await expect.poll(param("zoom"), { timeout: 10_000 }).toMatch(/^\d+(\.\d+)?-\d+(\.\d+)?$/);
    const zoomed = (await zoomText.textContent()) as string;
    await expect.poll(param("zoom"), { timeout: 10_000 }).not.toBeNull();
    expect(await entries()).toBe(before + 1);
    const zoomedUrl = page.url();

    // A reload and the address in another tab show the same window.
    await page.reload();
    await expect.poll(() => zoomText.textContent(), { timeout: 10_000 }).toBe(zoomed);
    expect(await page.getByTestId("minimap-window").count()).toBe(1);
    const shared = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    await shared.goto(zoomedUrl);
    await expect.poll(() => shared.getByTestId("zoom-window").textContent(), { timeout: 10_000 }).toBe(zoomed);
    await shared.close();

    // A span selected while zoomed; Back shows the whole trace, that span still selected and in the address.
    // End chose a span already: wait for the one k chooses, not that one.
    await page.locator(".tv-list").focus();
    const beforeK = param("span")();
    await page.keyboard.press("k");
    await expect.poll(param("span"), { timeout: 10_000 }).not.toBe(beforeK);
    const chosen = param("span")();
    expect(chosen).not.toBeNull();
    await page.goBack();
    await expect.poll(() => zoomText.textContent(), { timeout: 10_000 }).toBe("whole trace");
    expect(new URL(page.url()).pathname).toBe(`/traces/${traceId}`);
    expect(param("zoom")()).toBeNull();
    expect(param("span")()).toBe(chosen);
    // Forward zooms in again; Esc leaves for the list in one press, past the zoom.
    await page.goForward();
    await expect.poll(() => zoomText.textContent(), { timeout: 10_000 }).toBe(zoomed);
    await page.locator(".tv-list").focus();
    await page.keyboard.press("Escape");
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toBe("/");

    // Forward to the trace, whole, then to its zoom; "0" shows the whole trace, stepping back out of
    // the zoom, so the next Back leads to the list rather than to the same trace again.
    await page.goForward();
    await expect.poll(() => zoomText.textContent(), { timeout: 10_000 }).toBe("whole trace");
    await page.goForward();
    await expect.poll(() => zoomText.textContent(), { timeout: 10_000 }).toBe(zoomed);
    await page.locator(".tv-list").focus();
    await page.keyboard.press("0");
    await expect.poll(() => zoomText.textContent(), { timeout: 10_000 }).toBe("whole trace");
    await expect.poll(param("zoom"), { timeout: 10_000 }).toBeNull();
    await page.goBack();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toBe("/");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("follows Forward to a zoomed entry taken the moment the trace shows, before its first paint", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const root = newSpanId();
    const spans: JsonSpanInput[] = [{ traceId, spanId: root, name: "batch", startNs: T0, durationNs: 1000n * MS }];
    for (let i = 0; i < 10; i++) {
      spans.push({ traceId, parentSpanId: root, name: `item ${i}`, startNs: T0 + BigInt(i * 90) * MS, durationNs: MS });
    }
    expect((await postJson(app.base, jsonTraceRequest("zoom-forward", spans))).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    // Once asked (the flag), Forward goes as soon as the toolbar is in the page: after the commit that
    // shows it, before anything the page does after painting (as a fast reader or a test may).
    await page.addInitScript(() => {
      if (sessionStorage.getItem("forward-on-show") !== "1") return;
      sessionStorage.removeItem("forward-on-show");
      const observer = new MutationObserver(() => {
        if (document.querySelector("[data-testid=zoom-window]") === null) return;
        observer.disconnect();
        history.forward();
      });
      observer.observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${app.base}/traces/${traceId}`);
    const zoomText = page.getByTestId("zoom-window");
    await expect.poll(() => zoomText.textContent(), { timeout: 10_000 }).toBe("whole trace");
    await page.locator(".tv-list").focus();
    await page.keyboard.press("+");
    await expect.poll(() => new URL(page.url()).searchParams.get("zoom"), { timeout: 10_000 }).not.toBeNull();
    const zoomed = (await zoomText.textContent()) as string;
    await page.goBack();
    await expect.poll(() => zoomText.textContent(), { timeout: 10_000 }).toBe("whole trace");
    // The whole trace again, shown anew; Forward the moment it shows.
    await page.evaluate(() => sessionStorage.setItem("forward-on-show", "1"));
    await page.reload();
    await expect.poll(() => new URL(page.url()).searchParams.get("zoom"), { timeout: 10_000 }).not.toBeNull();
    await expect.poll(() => zoomText.textContent(), { timeout: 10_000 }).toBe(zoomed);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("highlights the critical path (button, c key, URL) and colours bars by self time", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const id = {
      root: newSpanId(),
      auth: newSpanId(),
      db: newSpanId(),
      render: newSpanId(),
      template: newSpanId(),
      log: newSpanId(),
    };
    const at = (startMs: number, endMs: number) => ({
      startNs: T0 + BigInt(startMs) * MS,
      durationNs: BigInt(endMs - startMs) * MS,
    });
    await postJson(
      app.base,
      jsonTraceRequest("web", [
        { traceId, spanId: id.root, name: "GET /page", ...at(0, 100) },
        { traceId, spanId: id.auth, parentSpanId: id.root, name: "auth", ...at(0, 10) },
        { traceId, spanId: id.db, parentSpanId: id.root, name: "db", ...at(5, 30) },
        { traceId, spanId: id.render, parentSpanId: id.root, name: "render", ...at(30, 90) },
        { traceId, spanId: id.template, parentSpanId: id.render, name: "template", ...at(40, 85) },
        { traceId, spanId: id.log, parentSpanId: id.root, name: "log", ...at(60, 70) },
      ]),
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}`);
    const critical = () =>
      page.locator(".tv-row.critical").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-span-id")));
    const button = page.getByRole("button", { name: "Critical path" });
    // It says whose end the path decides: the root span's, not a consumer's running on after it.
    expect(await button.getAttribute("title")).toMatch(/decided when the root span ended; work that runs on after it/);
    await button.click();
    // auth (0–10) was still running when db (5–30) started, so db did not wait for it: it is off the
    // path, as log is, which runs beside render.
    await expect.poll(critical).toEqual([id.root, id.db, id.render, id.template]);
    await expect
      .poll(() =>
        page.locator(".tv-row.off-critical").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-span-id"))),
      )
      .toEqual([id.auth, id.log]);
    expect(await button.getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => new URL(page.url()).searchParams.get("highlight")).toBe("critical");
    // Selected, a span off the path stays dimmed and says so, its ring dashed, unlike the path's solid outline.
    const look = (spanId: string) =>
      page.locator(`[data-span-id="${spanId}"]`).evaluate((row) => {
        const bar = row.querySelector(".tv-bar")!;
        const style = getComputedStyle(bar);
        // Dimmed by its own opacity, or (selected, so its ring keeps its strength) by a veil over it.
        const veil = getComputedStyle(bar, "::after");
        const veiled = veil.content !== "none";
        return {
          label: row.querySelector(".tv-bar-label")!.textContent,
          outline: style.outlineStyle,
          veiled,
          dimmed: Number(style.opacity) < 0.5 || (veiled && Number(veil.opacity) > 0.5),
        };
      });
    await page.locator(`[data-span-id="${id.log}"]`).click();
    await expect.poll(() => page.locator(".tv-row.selected").getAttribute("data-span-id")).toBe(id.log);
    expect(await look(id.log)).toEqual({
      label: "10ms · off the critical path",
      outline: "dashed",
      veiled: true,
      dimmed: true,
    });
    expect(await look(id.render)).toEqual({ label: "60ms", outline: "solid", veiled: false, dimmed: false });
    // Selected, a span on the path keeps the path's outline and full colour.
    await page.locator(`[data-span-id="${id.render}"]`).click();
    await expect.poll(() => look(id.render)).toEqual({ label: "60ms", outline: "solid", veiled: false, dimmed: false });
    expect(await look(id.log)).toEqual({ label: "10ms", outline: "none", veiled: false, dimmed: true });
    // A shared link shows the same; c turns it off.
    await page.reload();
    await expect.poll(critical).toHaveLength(4);
    await page.locator(".tv-list").focus();
    await page.keyboard.press("c");
    await expect.poll(critical).toEqual([]);
    await expect.poll(() => new URL(page.url()).searchParams.get("highlight")).toBeNull();

    await page.getByRole("button", { name: "Self time" }).click();
    const templateRow = page.locator(`[data-span-id="${id.template}"]`);
    await expect.poll(() => templateRow.locator(".tv-bar-label").textContent()).toBe("45ms · self 45ms");
    // The hottest bar (template: 45 ms of its own) is the deepest red; the root's (10 ms) paler.
    const barColor = (spanId: string) =>
      page.locator(`[data-span-id="${spanId}"] .tv-bar`).evaluate((bar) => getComputedStyle(bar).backgroundColor);
    expect(await barColor(id.template)).toBe("rgb(233, 12, 12)");
    expect(await barColor(id.template)).not.toBe(await barColor(id.root));
    // A duration written inside a bar reads on it: the root's pale bar (10 ms of 45) carries dark
    // text, not the white that vanished on it.
    const insideLabel = (spanId: string) =>
      page.locator(`[data-span-id="${spanId}"]`).evaluate((row) => {
        const rgb = (color: string) => color.match(/\d+/g)!.slice(0, 3).map(Number) as [number, number, number];
        return {
          place: row.querySelector(".tv-bar-label")!.className,
          text: rgb(getComputedStyle(row.querySelector(".tv-bar-label")!).color),
          bar: rgb(getComputedStyle(row.querySelector(".tv-bar")!).backgroundColor),
        };
      });
    const root = await insideLabel(id.root);
    expect(root.place).toContain("inside");
    expect(contrastRatio(root.text, root.bar)).toBeGreaterThanOrEqual(4.5);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("outlines only the last to finish of parallel calls awaited together, timed as an OpenTelemetry JS app times them", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    // Starts on whole milliseconds, durations to the nanosecond, as OpenTelemetry JS times spans.
    const at = (startMs: number, endMs: number) => ({
      startNs: T0 + BigInt(Math.round(startMs * 1e6)),
      durationNs: BigInt(Math.round((endMs - startMs) * 1e6)),
    });
    const handler = newSpanId();
    const calls = {
      "/price/1": at(0, 31.9),
      "/price/2": at(0, 42.6),
      "/price/3": at(1, 53),
      "/price/4": at(1, 64.2),
      "/items/1": at(64, 72),
      "/items/2": at(64, 70.5),
      "/items/3": at(64, 71.2),
      "/items/4": at(69, 87.5),
    };
    const call: Record<string, string> = {};
    const server: Record<string, string> = {};
    const frontend: JsonSpanInput[] = [{ traceId, spanId: handler, name: "GET /checkout", kind: 2, ...at(0, 88.3) }];
    const backend: JsonSpanInput[] = [];
    for (const [path, times] of Object.entries(calls)) {
      call[path] = newSpanId();
      server[path] = newSpanId();
      frontend.push({ traceId, spanId: call[path], parentSpanId: handler, name: `GET ${path}`, kind: 3, ...times });
      // The backend answers within the call: from 1 ms after its start to 0.4 ms before its end.
      const startNs = times.startNs + MS;
      const durationNs = times.durationNs - MS - 400_000n;
      backend.push({
        traceId,
        spanId: server[path],
        parentSpanId: call[path],
        name: `GET ${path}`,
        kind: 2,
        startNs,
        durationNs,
      });
    }
    expect((await postJson(app.base, jsonTraceRequest("frontend", frontend))).status).toBe(200);
    expect((await postJson(app.base, jsonTraceRequest("backend", backend))).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}?highlight=critical`);
    const critical = () =>
      page.locator(".tv-row.critical").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-span-id")));
    // /price/2 was still running when /price/4 started, /items/1 when /items/4 did: only /price/4
    // and then /items/4, each with its backend's span, decided when the handler ended.
    await expect
      .poll(critical)
      .toEqual([handler, call["/price/4"], server["/price/4"], call["/items/4"], server["/items/4"]]);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("says beside a duration of 0 when the span ends before it starts, or sent no end", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const root = newSpanId();
    const backwards = newSpanId();
    const spans: JsonSpanInput[] = [
      { traceId, spanId: root, name: "request", startNs: T0, durationNs: 10n * MS },
      {
        traceId,
        spanId: backwards,
        parentSpanId: root,
        name: "clock stepped back",
        startNs: T0 + 4n * MS,
        durationNs: -3n * MS,
      },
      { traceId, spanId: newSpanId(), parentSpanId: root, name: "fine", startNs: T0 + 1n * MS, durationNs: 2n * MS },
    ];
    expect((await postJson(app.base, jsonTraceRequest("clocks", spans))).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}?span=${backwards}`);
    const hint = page.getByTestId("span-time-hint");
    await expect
      .poll(() => hint.textContent())
      .toMatch(/^ends 3ms before it starts \(at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\)$/);
    // A span that ends after it starts says nothing more.
    await page.getByText("fine", { exact: true }).first().click();
    await expect.poll(() => page.url()).not.toContain(backwards);
    expect(await hint.count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
