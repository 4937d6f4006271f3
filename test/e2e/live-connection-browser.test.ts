import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { sendSdkTrace } from "../helpers/otel.js";

const available = chromiumAvailable();

describe.skipIf(!available)("web app's live connection", () => {
  const suite = useAppInChromium();

  it("keeps trying, saying so, while the browser refuses to create its WebSocket", async () => {
    const base = suite.app.base;
    const page = await suite.browser.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    // Until the test lets them, the page's WebSockets get a URL Chromium refuses in the constructor
    // (it throws, as it does for a content security policy refusal): no connection is even attempted.
    await page.addInitScript(() => {
      const Real = WebSocket;
      const w = window as unknown as { liveAllowed?: boolean; refusals: number; WebSocket: typeof WebSocket };
      w.refusals = 0;
      w.WebSocket = class extends Real {
        constructor(url: string | URL, protocols?: string | string[]) {
          if (!w.liveAllowed) w.refusals++;
          super(w.liveAllowed ? url : "ws://[not-a-host/api/live", protocols);
        }
      };
    });
    await page.goto(base);
    await page.locator('[data-connection="closed"]').waitFor();
    // It tries again (with its backoff), not once and never after.
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { refusals: number }).refusals), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3);

    await page.evaluate(() => {
      (window as unknown as { liveAllowed: boolean }).liveAllowed = true;
    });
    await page.locator('[data-connection="open"]').waitFor();
    const sent = await sendSdkTrace(base, { service: "live", name: "GET /after-refusals" });
    await page.locator(`[data-trace-id="${sent.traceId}"]`).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });
});
