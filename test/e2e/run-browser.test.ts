import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { runCli } from "../helpers/cli.js";
import { sendSdkTrace } from "../helpers/otel.js";

const OTEL_APP = fileURLToPath(new URL("../cli/fixtures/otel-app.mjs", import.meta.url));
const available = chromiumAvailable();

describe.skipIf(!available)("a run's link in Chromium", () => {
  const suite = useAppInChromium();

  it("shows just the traces the run sent, by its run id and window, and both can be removed", async () => {
    const { app, browser } = suite;
    const before = await sendSdkTrace(app.base, { service: "other", name: "GET /before" });
    const run = runCli(["run", "--url", app.base, "--", process.execPath, OTEL_APP]);
    expect(await run.exited, run.stderr()).toBe(0);
    const link = /this run sent 2 traces \(4 spans, 1 failing, 1 LLM call ≈ \$0\.00021\) · (\S+)/.exec(
      run.stderr(),
    )?.[1];
    expect(link, run.stderr()).toBeDefined();

    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(link as string);
    const names = () => page.locator("[data-trace-id] .trace-name").allTextContents();
    await expect.poll(async () => (await names()).sort()).toEqual(["GET /orders", "POST /checkout"]);
    await expect.poll(() => page.locator(".filter-window").textContent()).toMatch(/^Started \d{4}-\d\d-\d\d /);
    // A trace sent after the run started after its window: the live list leaves it out.
    const after = await sendSdkTrace(app.base, { service: "other", name: "GET /after" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await names()).sort()).toEqual(["GET /orders", "POST /checkout"]);

    // The link finds the run's traces by their run id: without the window, still only those.
    const search = page.getByRole("combobox", { name: "Search spans" });
    expect(await search.inputValue()).toMatch(/^tracekit\.run\.id="[0-9a-f]{8}"$/);
    await page.getByRole("button", { name: "Remove the time window" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.has("since")).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await names()).sort()).toEqual(["GET /orders", "POST /checkout"]);
    // An empty search shows every trace again.
    await search.fill("");
    await search.press("Enter");
    await page.locator(`[data-trace-id="${after.traceId}"]`).waitFor();
    await page.locator(`[data-trace-id="${before.traceId}"]`).waitFor();
    expect(new URL(page.url()).search).toBe("");
    await page.close();
    expect(problems).toEqual([]);
  });
});
