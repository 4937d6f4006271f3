/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

/** The names of the app's script chunks the page has fetched so far (`MapPage`, `uplot`, `index`…). */
function scriptsFetched(page: Page): Set<string> {
  const names = new Set<string>();
  page.on("request", (request) => {
    const chunk = /\/assets\/([A-Za-z.]+)-[\w-]+\.js$/.exec(request.url())?.[1];
    if (chunk !== undefined) names.add(chunk);
  });
  return names;
}

describe.skipIf(!available)("pages load their code when first opened, in Chromium", () => {
  const suite = useAppInChromium();

  it("starts on the trace list without the other pages, fetches a page's code on its first visit, under the strict CSP", async () => {
    const { app, browser } = suite;
    expect((await postJson(app.base, jsonTraceRequest("checkout", [{ name: "GET /orders", kind: 2 }]))).status).toBe(
      200,
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const fetched = scriptsFetched(page);
    await page.goto(`${app.base}/`);
    await page.locator('[data-testid="latency-chart"] canvas').waitFor();
    await expect.poll(() => page.locator(".trace-row").count()).toBe(1);
    // The app's start-up code is one chunk (more requests than the browser's six connections to one
    // server make the last, a page's data, wait for one), and the latency chart's uPlot.
    expect([...fetched].sort()).toEqual(["index", "uplot"]);

    // The map's code (and its layout library) arrives when the map is opened, and the page works.
    await page.getByRole("link", { name: "Map", exact: true }).click();
    await page.locator('[data-node-id="service:checkout"]').waitFor();
    expect(fetched.has("MapPage")).toBe(true);
    expect(fetched.has("MetricsPage")).toBe(false);
    // Back to the list: its code was there all along.
    await page.goBack();
    await expect.poll(() => page.locator(".trace-row").count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("fetches the opened page's code beside the app's on a cold navigation", async () => {
    const { app, browser } = suite;
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    // Who asked for each chunk: the document's own links ("parser") or the app once it runs ("script").
    const initiators = new Map<string, string>();
    const cdp = await page.context().newCDPSession(page);
    cdp.on("Network.requestWillBeSent", ({ request, initiator }) => {
      const chunk = /\/assets\/([A-Za-z.]+)-[\w-]+\.js$/.exec(request.url)?.[1];
      if (chunk !== undefined) initiators.set(chunk, initiator.type);
    });
    await cdp.send("Network.enable");
    await page.goto(`${app.base}/metrics`);
    await page.getByRole("heading", { name: "No metrics yet" }).waitFor();
    expect(initiators.get("MetricsPage")).toBe("parser");
    expect(initiators.get("uplot")).toBe("parser");
    expect(initiators.has("MapPage")).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("serves every chunk a cold page runs opening with V8's compile hint (compiled as it streams in)", async () => {
    const { app, browser } = suite;
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const openings = new Map<string, Promise<string>>();
    page.on("response", (response) => {
      const chunk = /\/assets\/([A-Za-z.]+)-[\w-]+\.js$/.exec(response.url())?.[1];
      if (chunk !== undefined)
        openings.set(
          chunk,
          response.text().then((body) => body.split("\n", 1)[0] ?? ""),
        );
    });
    await page.goto(`${app.base}/metrics`);
    await page.getByRole("heading", { name: "No metrics yet" }).waitFor();
    expect([...openings.keys()]).toEqual(expect.arrayContaining(["index", "MetricsPage", "uplot"]));
    for (const [chunk, opening] of openings)
      expect([chunk, await opening]).toEqual([chunk, "//# allFunctionsCalledOnLoad"]);
    await page.close();
  });

  it("says so, instead of a blank page, when a page's code cannot be fetched", async () => {
    const { app, browser } = suite;
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.base}/`);
    await page.locator(".trace-row").first().waitFor();
    // As when the server was stopped or upgraded since the tab was opened.
    await page.route(/\/assets\/LogsPage-/, (route) => route.abort());
    await page.getByRole("link", { name: "Logs", exact: true }).click();
    const notice = page.getByTestId("page-not-loaded");
    await notice.waitFor();
    expect(await notice.textContent()).toContain("could not be loaded");
    expect(await page.getByRole("button", { name: "Reload" }).count()).toBe(1);
    await page.close();
  });
});
