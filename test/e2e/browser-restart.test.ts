import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startApp } from "../../src/app.js";
import { resolveConfig } from "../../src/config.js";
import { chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { sendSdkTrace } from "../helpers/otel.js";

const available = chromiumAvailable();

describe.skipIf(!available)("web app across a server restart", () => {
  let browser: Browser;
  const apps: RunningApp[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    for (const app of apps) await app.close().catch(() => {});
  });

  it("reconnects by itself and shows the new server's traces, not the old ones", async () => {
    const first = await startApp(resolveConfig({ port: 0, open: false }, {}));
    apps.push(first);
    const base = `http://127.0.0.1:${first.port}`;
    const old = await sendSdkTrace(base, { service: "before", name: "GET /before-restart" });
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(base);
    await page.locator(`[data-trace-id="${old.traceId}"]`).waitFor();

    await first.close();
    await page.locator('[data-connection="closed"]').waitFor();
    const second = await startApp(resolveConfig({ port: first.port, open: false }, {}));
    apps.push(second);
    const fresh = await sendSdkTrace(base, { service: "after", name: "GET /after-restart" });
    await page.locator('[data-connection="open"]').waitFor();
    await page.locator(`[data-trace-id="${fresh.traceId}"]`).waitFor();
    // The list asked again after the reconnect may come after the live row: a busy machine takes past 1 s.
    await expect.poll(() => page.locator(`[data-trace-id="${old.traceId}"]`).count(), { timeout: 10_000 }).toBe(0);
    await page.close();
  });

  it("reloads by itself a page whose code could not load while the server was away, once it is back", async () => {
    const first = await startApp(resolveConfig({ port: 0, open: false }, {}));
    apps.push(first);
    const base = `http://127.0.0.1:${first.port}`;
    await sendSdkTrace(base, { service: "before", name: "GET /before-restart" });
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(base);
    await page.locator('[data-connection="open"]').waitFor();
    await first.close();
    await page.locator('[data-connection="closed"]').waitFor();
    // The map's code is fetched when the map is first opened: not while the server is away.
    await page.getByRole("link", { name: "Map", exact: true }).click();
    await page.getByTestId("page-not-loaded").waitFor();

    const second = await startApp(resolveConfig({ port: first.port, open: false }, {}));
    apps.push(second);
    await sendSdkTrace(base, { service: "after", name: "GET /after-restart" });
    await page.locator('[data-node-id="service:after"]').waitFor();
    expect(new URL(page.url()).pathname).toBe("/map");
    await page.close();
  });

  it("loads afresh when its first live connection opens to a restarted server (none to the old one ever opened)", async () => {
    // A busy server restarting before it answered the page's first WebSocket: the page shows what it
    // loaded over HTTP, and its first connection that opens is to the new server.
    const first = await startApp(resolveConfig({ port: 0, open: false }, {}));
    apps.push(first);
    const base = `http://127.0.0.1:${first.port}`;
    const old = await sendSdkTrace(base, { service: "before", name: "GET /before-restart" });
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    // Until the test lets them, the page's WebSockets ask for a path the server refuses: they fail unopened.
    await page.addInitScript(() => {
      const Real = WebSocket;
      const w = window as unknown as { liveAllowed?: boolean; WebSocket: typeof WebSocket };
      w.WebSocket = class extends Real {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(w.liveAllowed ? url : String(url).replace("/api/live", "/api/not-live"), protocols);
        }
      };
    });
    await page.goto(base);
    await page.locator(`[data-trace-id="${old.traceId}"]`).waitFor();
    await page.locator('[data-connection="closed"]').waitFor();

    await first.close();
    const second = await startApp(resolveConfig({ port: first.port, open: false }, {}));
    apps.push(second);
    const fresh = await sendSdkTrace(base, { service: "after", name: "GET /after-restart" });
    await page.evaluate(() => {
      (window as unknown as { liveAllowed: boolean }).liveAllowed = true;
    });
    await page.locator('[data-connection="open"]').waitFor();
    await page.locator(`[data-trace-id="${fresh.traceId}"]`).waitFor();
    await page.locator(`[data-trace-id="${old.traceId}"]`).waitFor({ state: "detached" });
    await page.close();
  });
});
