/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { runDemoTraffic } from "../../src/demo/traffic.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { readJson } from "../helpers/http.js";

const available = chromiumAvailable();

/** Console errors and warnings, uncaught errors and every answer of 400 or more, from now on. */
function collectConsoleNoise(page: Page): string[] {
  const problems = collectPageProblems(page);
  page.on("console", (message) => {
    if (message.type() === "warning") problems.push(`warning: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400)
      problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return problems;
}

describe.skipIf(!available)("a tour of the pages in Chromium, with the demo's data", () => {
  const suite = useAppInChromium();
  let traceId: string;

  beforeAll(async () => {
    // Traces, logs and metrics from the six demo services, LLM calls and failures among them.
    await runDemoTraffic({ url: suite.app.base, durationMs: 1_500, rate: 30 });
    const list = await readJson(fetch(`${suite.app.base}/api/traces?limit=1&errors=1`));
    traceId = list.traces[0].traceId;
  }, 30_000);

  /** Opens `path` as a reader would and waits until its data is shown (`ready`) and the network is quiet. */
  async function visit(page: Page, path: string, ready: string): Promise<void> {
    await page.goto(`${suite.app.base}${path}`);
    await page.locator(ready).first().waitFor();
    await page.waitForLoadState("networkidle");
  }

  it("opens every page, and one of each thing listed, with nothing in the console and no failed request", async () => {
    const page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectConsoleNoise(page);
    await visit(page, "/", "[data-trace-id]");
    await page.getByRole("button", { name: "Latency" }).click();
    await page.waitForLoadState("networkidle");
    await visit(page, `/traces/${traceId}`, "[data-span-id]");
    await visit(page, "/services", ".service-chip");
    await page
      .getByRole("button", { name: /^Operations of / })
      .first()
      .click();
    await page.waitForLoadState("networkidle");
    await visit(page, "/map", "[data-node-id]");
    await visit(page, "/logs", "[data-log-id]");
    await page.locator("[data-log-id]").first().click();
    await page.waitForLoadState("networkidle");
    await visit(page, "/metrics", "a[href^='/metrics?metric=']");
    await page.locator("a[href^='/metrics?metric=']").first().click();
    await page.locator(".uplot").first().waitFor();
    await page.waitForLoadState("networkidle");
    await visit(page, "/errors", "main button");
    await visit(page, "/llm", "main");
    await visit(page, "/snapshots", "main");
    await visit(page, "/setup", "main");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("refuses a search that does not parse in place, on the trace list and the Logs page, without a failed request", async () => {
    const page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectConsoleNoise(page);

    await visit(page, "/", "[data-trace-id]");
    const spans = page.getByRole("combobox", { name: "Search spans" });
    // Typing pauses on the way, as a reader's does: each pause commits what is there.
    for (const text of ["(status=error", '"card', "duration>soon"]) {
      await spans.fill(text);
      await page.waitForTimeout(500);
    }
    await spans.press("Enter");
    await expect
      .poll(() => page.locator("#query-hint[role=alert]").textContent())
      .toContain('"soon" is not a duration');
    // Nothing the filters match to download while the query does not parse.
    expect(await page.getByTestId("download-traces").getAttribute("href")).toBeNull();

    await visit(page, "/logs", "[data-log-id]");
    const logs = page.getByLabel("Search logs");
    await logs.fill("status=error");
    await logs.press("Enter");
    await expect.poll(() => page.getByTestId("log-query-hint").textContent()).toContain("log records have no status");
    await page.waitForLoadState("networkidle");
    await page.close();
    expect(problems).toEqual([]);
  });
});
