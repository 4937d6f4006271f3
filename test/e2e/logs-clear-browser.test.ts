/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonLogRequest, postLogs } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("the Logs page after Clear (Chromium)", () => {
  const suite = useAppInChromium();

  it("counts 0 records once everything is cleared, as its list says, without a reload", async () => {
    const records = Array.from({ length: 3 }, (_, i) => ({ body: `checkout step ${i} done` }));
    expect((await postLogs(suite.app.base, jsonLogRequest("shop", records))).status).toBe(200);
    const page = await suite.browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${suite.app.base}/logs`);
    const count = page.getByTestId("log-count");
    await expect.poll(() => count.textContent()).toBe("3 records");
    // One more arrives live: the count follows it.
    expect((await postLogs(suite.app.base, jsonLogRequest("shop", [{ body: "paid" }]))).status).toBe(200);
    await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe("4 records");

    // Cleared elsewhere (another tab, the CLI): the live feed says so, and the count starts again at 0.
    expect((await fetch(`${suite.app.base}/api/traces`, { method: "DELETE" })).status).toBe(200);
    await page.getByText("No logs yet").waitFor();
    await expect.poll(() => count.textContent()).toBe("0 records");
    // And counts what arrives after.
    expect((await postLogs(suite.app.base, jsonLogRequest("shop", [{ body: "again" }]))).status).toBe(200);
    await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe("1 record");
    expect(problems).toEqual([]);
    await page.close();
  });
});
