/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { startTestApp } from "../helpers/app.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { type JsonSpanInput, jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

/** web → checkout (its SERVER span), checkout → postgres and → payment-service (which sends no spans). */
async function sendCheckout(base: string, fails: boolean, startNs?: bigint): Promise<void> {
  const traceId = newTraceId();
  const [root, call, server] = [newSpanId(), newSpanId(), newSpanId()];
  const web: JsonSpanInput[] = [
    { traceId, spanId: root, name: "GET /", kind: 2 },
    {
      traceId,
      spanId: call,
      parentSpanId: root,
      name: "POST",
      kind: 3,
      attributes: { "url.full": "http://checkout:8080/orders" },
    },
  ];
  const checkout: JsonSpanInput[] = [
    { traceId, spanId: server, parentSpanId: call, name: "POST /orders", kind: 2, ...(fails ? { statusCode: 2 } : {}) },
    { traceId, parentSpanId: server, name: "INSERT orders", kind: 3, attributes: { "db.system": "postgresql" } },
    { traceId, parentSpanId: server, name: "POST", kind: 3, attributes: { "server.address": "payment-service" } },
  ];
  const at = (spans: JsonSpanInput[]) => (startNs === undefined ? spans : spans.map((span) => ({ ...span, startNs })));
  expect((await postJson(base, jsonTraceRequest("web", at(web)))).status).toBe(200);
  expect((await postJson(base, jsonTraceRequest("checkout", at(checkout)))).status).toBe(200);
}

describe.skipIf(!available)("the service map, in Chromium", () => {
  const suite = useAppInChromium();

  it("draws services and what they call as labelled SVG, highlights neighbours and opens the traces behind a node or edge", async () => {
    const { app, browser } = suite;
    await sendCheckout(app.base, false);
    await sendCheckout(app.base, true);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/map`);
    const node = (id: string) => page.locator(`[data-node-id="${id}"]`);
    await expect.poll(() => page.locator("[data-node-id]").count()).toBe(4);
    // Real text, readable by tests and screen readers.
    await expect.poll(() => node("service:checkout").textContent()).toContain("checkout");
    expect(await node("service:checkout").textContent()).toContain("50% err");
    // The legend names the kinds of node drawn here (services, a database, a called host), no others.
    expect(await page.locator(".map-legend-item").allTextContents()).toEqual([
      "● service",
      "⛁ database",
      "◌ called host (sends no spans)",
    ]);
    expect(await node("database:postgresql").getAttribute("aria-label")).toMatch(/^database postgresql: /);
    expect(await node("service:payment-service").getAttribute("aria-label")).toMatch(
      /^called host \(sends no spans\) payment-service/,
    );
    const edge = page.locator('[data-edge="service:web>service:checkout"]');
    expect(await edge.getAttribute("aria-label")).toContain("· 50% ·");
    // Read out by the names the map shows, not by the nodes' ids.
    expect(await edge.getAttribute("aria-label")).toMatch(/^calls from web to checkout: /);
    expect(await page.locator('[data-edge-label="service:web>service:checkout"]').textContent()).toContain("· 50% ·");
    // Each tooltip says what its numbers count: a service's requests are not counted quite as its
    // Services row counts them, and an edge's calls are timed by the callee's spans.
    expect(await node("service:checkout").locator("title").textContent()).toContain(
      "Counts requests into the service: its SERVER and CONSUMER spans, its root spans",
    );
    expect(await node("database:postgresql").locator("title").textContent()).toContain("Counts calls into it");
    expect(await edge.locator("title").textContent()).toContain("timed by the callee's spans when it sends spans");
    // Laid out left to right: the caller left of the callee.
    const x = async (id: string) => (await node(id).boundingBox())!.x;
    expect(await x("service:web")).toBeLessThan(await x("service:checkout"));
    expect(await x("service:checkout")).toBeLessThan(await x("database:postgresql"));

    // The keyboard reaches every node and edge: focus highlights as hover does, Enter opens the traces.
    await node("service:checkout").focus();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-node-id")))
      .toBe("service:checkout");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("link");
    const tabIndexes = await page.locator("svg [role=link]").evaluateAll((links) => links.map((l) => l.tabIndex));
    expect(new Set(tabIndexes)).toEqual(new Set([0]));
    await node("database:postgresql").focus();
    await expect.poll(() => node("service:web").getAttribute("class")).toContain("dim");
    await page.keyboard.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("peer=postgresql");
    await page.goBack();
    await expect.poll(() => page.locator("[data-node-id]").count()).toBe(4);

    // Hover highlights the node's neighbours and dims the rest.
    await node("service:web").hover();
    await expect.poll(() => node("database:postgresql").getAttribute("class")).toContain("dim");
    expect(await node("service:checkout").getAttribute("class")).not.toContain("dim");

    await node("database:postgresql").click();
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("peer=postgresql");
    await expect.poll(() => page.locator(".trace-row").count()).toBe(2);
    await page.goBack();
    await page.locator('[data-edge="service:web>service:checkout"] .map-edge-hit').click({ force: true });
    await expect.poll(() => new URL(page.url()).search).toBe("?q=service%3Dweb+peer%3Dcheckout");
    await expect.poll(() => page.locator(".trace-row").count()).toBe(2);
    // In a window, the traces behind an edge are those of the window the map counted: the one sent
    // now, not the two of 2023 above.
    await sendCheckout(app.base, false, BigInt(Date.now()) * 1_000_000n);
    await page.goto(`${app.base}/map?window=15m`);
    const clicked = Date.now();
    await page.locator('[data-edge="service:web>service:checkout"] .map-edge-hit').click({ force: true });
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("service=web peer=checkout");
    const since = Number(new URL(page.url()).searchParams.get("since"));
    expect(since).toBeGreaterThan(clicked - 15 * 60_000 - 5_000);
    expect(since).toBeLessThanOrEqual(Date.now() - 15 * 60_000);
    await expect.poll(() => page.locator(".trace-row").count()).toBe(1);
    // A window picked is a step Back undoes, as on the other pages.
    await page.goBack();
    await page.waitForURL("**/map?window=15m");
    await page.getByLabel("Time window").selectOption("1h");
    await page.waitForURL("**/map?window=1h");
    await page.goBack();
    await page.waitForURL("**/map?window=15m");
    await expect.poll(() => page.getByLabel("Time window").inputValue(), { timeout: 10_000 }).toBe("15m");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("keeps its zoom and pan in the address: a reload, Back from a node's traces and a window pick show the map as it was", async () => {
    const { app, browser } = suite;
    // Sent now: the map in the last hour has it too.
    await sendCheckout(app.base, false, BigInt(Date.now()) * 1_000_000n);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/map`);
    const map = page.getByTestId("service-map");
    await page.locator('[data-node-id="service:checkout"]').waitFor();
    const viewBox = async () => (await map.getAttribute("viewBox"))!.split(" ").map(Number);
    const param = () => new URL(page.url()).searchParams.get("view");
    const fit = await viewBox();
    expect(param()).toBeNull();
    await page.getByRole("button", { name: "Zoom in" }).click();
    await page.getByRole("button", { name: "Zoom in" }).click();
    // Dragged from an empty corner of the drawing.
    const box = (await map.boundingBox())!;
    await page.mouse.move(box.x + 10, box.y + box.height - 10);
    await page.mouse.down();
    await page.mouse.move(box.x + 60, box.y + box.height - 40, { steps: 5 });
    await page.mouse.up();
    await expect.poll(param, { timeout: 10_000 }).toMatch(/^-?\d+,-?\d+,1\.563$/);
    const zoomed = await viewBox();
    expect(zoomed[2]).toBeCloseTo(fit[2]! / 1.5625, 3);
    expect(zoomed[0]).not.toBeCloseTo(fit[0]!, 0);
    const kept = param();

    await page.reload();
    await page.locator('[data-node-id="service:checkout"]').waitFor();
    const reloaded = await viewBox();
    expect(reloaded.map((n, i) => Math.abs(n - zoomed[i]!) <= 1)).toEqual([true, true, true, true]);
    expect(param()).toBe(kept);

    await page.locator('[data-node-id="service:checkout"]').click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.goBack();
    await page.locator('[data-node-id="service:checkout"]').waitFor();
    await expect.poll(viewBox, { timeout: 10_000 }).toEqual(reloaded);
    expect(param()).toBe(kept);

    // A window picked keeps the view on screen, though the address has not taken it yet (it waits for
    // the view to rest): zoomed once more and the window picked at once. Fit drops it, and Back to the
    // entry before the pick shows it again.
    const picked = await page.evaluate(async () => {
      document.querySelector<HTMLButtonElement>('button[aria-label="Zoom in"]')!.click();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const shown = document.querySelector('[data-testid="service-map"]')!.getAttribute("viewBox")!;
      const select = document.querySelector<HTMLSelectElement>('select[aria-label="Time window"]')!;
      select.value = "1h";
      select.dispatchEvent(new Event("change", { bubbles: true }));
      return shown.split(" ").map(Number);
    });
    expect(picked[2]).toBeCloseTo(reloaded[2]! / 1.25, 3);
    const [x, y, scale] = kept!.split(",");
    const pickedParam = `${x},${y},${Math.round(Number(scale) * 1250) / 1000}`;
    await expect
      .poll(() => [...new URL(page.url()).searchParams], { timeout: 10_000 })
      .toEqual([
        ["window", "1h"],
        ["view", pickedParam],
      ]);
    await expect.poll(viewBox, { timeout: 10_000 }).toEqual(picked);
    await page.getByRole("button", { name: "Fit" }).click();
    await expect.poll(() => new URL(page.url()).search, { timeout: 10_000 }).toBe("?window=1h");
    expect(await viewBox()).toEqual(fit);
    await page.goBack();
    await expect.poll(param, { timeout: 10_000 }).toBe(pickedParam);
    // As the address keeps it: offsets to whole units, the scale to three decimals.
    await expect
      .poll(async () => (await viewBox()).map((n, i) => Math.abs(n - picked[i]!) <= 1), { timeout: 10_000 })
      .toEqual([true, true, true, true]);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("an edge opens exactly the traces where its caller calls its callee, as the map counts them", async () => {
    const fresh = await startTestApp();
    const page = await suite.browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      const send = async (service: string, spans: JsonSpanInput[]) =>
        expect((await postJson(fresh.base, jsonTraceRequest(service, spans))).status).toBe(200);
      /** A trace whose `caller` span (of web, or of gateway) has `callee` SERVER spans of checkout under it. */
      const trace = async (caller: "web" | "gateway", callees: number, attributes = {}) => {
        const traceId = newTraceId();
        const [root, call] = [newSpanId(), newSpanId()];
        await send(caller, [
          { traceId, spanId: root, name: "GET /", kind: 2 },
          { traceId, spanId: call, parentSpanId: root, name: "POST", kind: 3, attributes },
        ]);
        const servers = Array.from({ length: callees }, () => ({
          traceId,
          parentSpanId: call,
          name: "POST /orders",
          kind: 2,
        }));
        if (servers.length > 0) await send("checkout", servers);
        return { traceId, root };
      };
      const called = (await trace("web", 1)).traceId;
      // The HTTP server's span and a framework's of one request: one call on the edge, one trace.
      const toldTwice = (await trace("web", 2)).traceId;
      // A call to checkout's host with no span of checkout's: the map draws it on the same edge.
      const uninstrumented = (await trace("web", 0, { "url.full": "http://checkout:8080/orders" })).traceId;
      // web and checkout in one trace, each called by gateway: web never calls checkout.
      const both = await trace("gateway", 1);
      const webCall = newSpanId();
      await send("gateway", [
        { traceId: both.traceId, spanId: webCall, parentSpanId: both.root, name: "GET", kind: 3 },
      ]);
      await send("web", [{ traceId: both.traceId, parentSpanId: webCall, name: "GET /", kind: 2 }]);

      await page.goto(`${fresh.base}/map`);
      const edge = page.locator('[data-edge="service:web>service:checkout"]');
      await expect.poll(() => edge.locator("title").textContent()).toMatch(/^3 calls, 0 failed/);
      // A click on the middle of the line itself (its box's centre may be off a bent line).
      const middle = await edge.locator(".map-edge-hit").evaluate((path) => {
        const line = path as SVGPathElement;
        const point = line.getPointAtLength(line.getTotalLength() / 2);
        const screen = new DOMPoint(point.x, point.y).matrixTransform(line.getScreenCTM() ?? undefined);
        return { x: screen.x, y: screen.y };
      });
      await page.mouse.click(middle.x, middle.y);
      await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("service=web peer=checkout");
      const rows = page.locator(".trace-row");
      await expect
        .poll(async () => (await rows.evaluateAll((all) => all.map((row) => row.getAttribute("data-trace-id")))).sort())
        .toEqual([called, toldTwice, uninstrumented].sort());
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      await fresh.close();
    }
  });

  it("draws the first service of a new app at its own size, not blown up to fill the canvas", async () => {
    const fresh = await startTestApp();
    const page = await suite.browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      expect((await postJson(fresh.base, jsonTraceRequest("my-app", [{ name: "GET /hello", kind: 2 }]))).status).toBe(
        200,
      );
      await page.goto(`${fresh.base}/map`);
      const box = page.locator('[data-node-id="service:my-app"] .map-node-box');
      await box.waitFor();
      const drawn = (await box.boundingBox())!;
      const own = Number(await box.getAttribute("height"));
      // Its own height and its border (before: four times that, filling a 1280 by 800 page).
      expect(drawn.height).toBeGreaterThanOrEqual(own - 1);
      expect(drawn.height).toBeLessThan(own + 4);
      // In the middle of the canvas, not in its top left corner.
      const canvas = (await page.getByTestId("service-map").boundingBox())!;
      expect(Math.abs(drawn.x + drawn.width / 2 - (canvas.x + canvas.width / 2))).toBeLessThan(20);
      await page.goto("about:blank");
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      await fresh.close();
    }
  });

  it("at 800 × 600, Fit keeps a large map's labels readable and says the rest is a drag away", async () => {
    const fresh = await startTestApp();
    const page = await suite.browser.newPage({ viewport: { width: 800, height: 600 } });
    try {
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      // Eight services in a chain, each calling the next: eight columns, far wider than the canvas.
      const services = ["edge", "gateway", "orders", "pricing", "stock", "ledger", "audit", "archive"];
      const traceId = newTraceId();
      let parent: string | undefined;
      for (const [i, service] of services.entries()) {
        const [server, call] = [newSpanId(), newSpanId()];
        const spans: JsonSpanInput[] = [
          { traceId, spanId: server, parentSpanId: parent, name: `GET /${service}`, kind: 2 },
        ];
        const next = services[i + 1];
        if (next !== undefined) {
          spans.push({
            traceId,
            spanId: call,
            parentSpanId: server,
            name: "GET",
            kind: 3,
            attributes: { "url.full": `http://${next}:8080/` },
          });
        }
        expect((await postJson(fresh.base, jsonTraceRequest(service, spans))).status).toBe(200);
        parent = call;
      }
      await page.goto(`${fresh.base}/map`);
      await expect.poll(() => page.locator("[data-node-id]").count()).toBe(services.length);
      await page.getByRole("button", { name: "Zoom out" }).click();
      await page.getByRole("button", { name: "Fit" }).click();
      /** The smallest drawn size, in screen pixels, of each kind of label. */
      const labelPixels = () =>
        page.evaluate(() => {
          const smallest = (selector: string) =>
            Math.min(
              ...[...document.querySelectorAll<SVGTextElement>(selector)].map((text) => {
                const matrix = text.getScreenCTM() as DOMMatrix;
                return Number.parseFloat(getComputedStyle(text).fontSize) * Math.hypot(matrix.a, matrix.b);
              }),
            );
          return {
            name: smallest(".map-node-name"),
            stats: smallest(".map-node-stats"),
            edge: smallest(".map-edge-label"),
          };
        });
      // Before: the whole chain squeezed in, its labels at 4 to 5 px.
      const sizes = await labelPixels();
      expect(sizes.edge).toBeGreaterThanOrEqual(6);
      expect(sizes.stats).toBeGreaterThanOrEqual(6.5);
      expect(sizes.name).toBeGreaterThanOrEqual(7.5);
      // It shows the start of the map (the first caller) and says where the rest is.
      const canvas = (await page.getByTestId("service-map").boundingBox())!;
      const first = (await page.locator('[data-node-id="service:edge"]').boundingBox())!;
      expect(first.x).toBeGreaterThanOrEqual(canvas.x);
      expect(first.x + first.width).toBeLessThanOrEqual(canvas.x + canvas.width);
      const last = (await page.locator('[data-node-id="service:archive"]').boundingBox())!;
      expect(last.x).toBeGreaterThan(canvas.x + canvas.width);
      await expect.poll(() => page.getByTestId("map-cut").textContent()).toContain("drag to see the rest");
      // A view zoomed in and out again is Fit, as it is after a reload: the same note.
      await page.getByRole("button", { name: "Zoom in" }).click();
      await expect.poll(() => page.getByTestId("map-cut").count()).toBe(0);
      await page.getByRole("button", { name: "Zoom out" }).click();
      await expect.poll(() => page.getByTestId("map-cut").count(), { timeout: 10_000 }).toBe(1);
      await page.reload();
      await expect.poll(() => page.getByTestId("map-cut").count(), { timeout: 10_000 }).toBe(1);
      // Zooming out is the reader's choice: all of it, smaller, and no note.
      await page.getByRole("button", { name: "Zoom out" }).click();
      expect(await page.getByTestId("map-cut").count()).toBe(0);
      await page.goto("about:blank");
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      await fresh.close();
    }
  });

  it("draws the window picked last, though the answer for an earlier pick comes after it", async () => {
    const { browser } = suite;
    const fresh = await startTestApp();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      // One service seen only long ago (in "all", in no recent window), one seen now.
      const long = BigInt(Date.UTC(2023, 0, 1)) * 1_000_000n;
      await postJson(fresh.base, jsonTraceRequest("stale-past", [{ name: "GET /past", kind: 2, startNs: long }]));
      await postJson(
        fresh.base,
        jsonTraceRequest("stale-now", [{ name: "GET /now", kind: 2, startNs: BigInt(Date.now()) * 1_000_000n }]),
      );
      page.setDefaultTimeout(15_000);
      const problems = collectPageProblems(page);
      await page.goto(`${fresh.base}/map?window=15m`);
      const node = (id: string) => page.locator(`[data-node-id="${id}"]`);
      await expect.poll(() => node("service:stale-now").count(), { timeout: 10_000 }).toBe(1);
      expect(await node("service:stale-past").count()).toBe(0);
      // The answer for "all" (no since) is held until the next window's map is drawn.
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let held = 0;
      let delivered: Promise<void> | null = null;
      await page.route(/\/api\/service-map\?(?!.*since=)/, async (route) => {
        if (++held > 1) return route.continue();
        const response = await route.fetch();
        await released;
        delivered = route.fulfill({ response }).catch(() => {});
      });
      await page.getByLabel("Time window").selectOption("all");
      await expect.poll(() => held, { timeout: 10_000 }).toBe(1);
      // The second pick's answer is in before the first one's is let go.
      const answered = page.waitForResponse((response) => /\/api\/service-map\?.*since=/.test(response.url()));
      await page.getByLabel("Time window").selectOption("1h");
      await page.waitForURL("**/map?window=1h");
      await answered;
      await expect.poll(() => node("service:stale-now").count(), { timeout: 10_000 }).toBe(1);
      release();
      await expect.poll(() => delivered !== null, { timeout: 10_000 }).toBe(true);
      await delivered;
      // Time for a late answer to be drawn, were it taken.
      await page.waitForTimeout(500);
      expect(await node("service:stale-past").count()).toBe(0);
      expect(await node("service:stale-now").count()).toBe(1);
      expect(await page.getByRole("alert").count()).toBe(0);
      await page.goto("about:blank");
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      await fresh.close();
    }
  });

  it("keeps every node and edge where it is, and its elements, when a live reload brings only new numbers", async () => {
    const { app, browser } = suite;
    await sendCheckout(app.base, false);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/map`);
    await expect.poll(() => page.locator("[data-node-id]").count()).toBe(4);
    const drawing = () =>
      page.evaluate(() => ({
        nodes: [...document.querySelectorAll("[data-node-id]")].map(
          (g) => `${g.getAttribute("data-node-id")} ${g.getAttribute("transform")} ${(g as { kept?: true }).kept}`,
        ),
        edges: [...document.querySelectorAll("[data-edge] .map-edge-line")].map((path) => path.getAttribute("d")),
      }));
    await page.evaluate(() => {
      for (const g of document.querySelectorAll("[data-node-id]")) (g as { kept?: true }).kept = true;
    });
    const before = await drawing();
    const stats = () => page.locator('[data-node-id="service:checkout"] .map-node-stats').textContent();
    const statsBefore = await stats();
    // From now on the server's layout puts every node elsewhere, each by a different offset: a page
    // that lays the map out again on a reload with the same nodes and edges moves them.
    let reloads = 0;
    await page.route("**/api/service-map?*", async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      (Object.values(body.layout.nodes) as { y: number }[]).forEach((box, i) => {
        box.y += 400 + 60 * i;
      });
      reloads++;
      await route.fulfill({ response, json: body });
    });
    await sendCheckout(app.base, false);
    await expect.poll(stats, { timeout: 10_000 }).not.toBe(statsBefore);
    expect(reloads).toBeGreaterThan(0);
    expect(await drawing()).toEqual(before);
    expect(before.nodes.every((line) => line.endsWith(" true"))).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });
});
