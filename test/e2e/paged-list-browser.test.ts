/// <reference lib="dom" />
import type { Route } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonLogRequest, jsonTraceRequest, postJson, postLogs } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("a paged list loaded afresh in Chromium", () => {
  const suite = useAppInChromium();

  it("drops an older page asked for before its filters changed", async () => {
    await fetch(`${suite.app.base}/api/traces`, { method: "DELETE" });
    const now = BigInt(Date.now()) * 1_000_000n;
    // 300 records: the first page holds the newest 200 (the three errors among them), scrolling asks for the rest.
    const records = Array.from({ length: 300 }, (_, i) => ({
      body: i >= 297 ? `alarm ${i}` : `plain ${i}`,
      severityNumber: i >= 297 ? 17 : 9,
      timeNs: now - BigInt(300 - i) * 1_000_000n,
    }));
    expect((await postLogs(suite.app.base, jsonLogRequest("paged", records))).status).toBe(200);
    const page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const rowWith = (text: string) => page.locator("[data-log-id]", { hasText: text });

    // The older page is held until the filters have changed and the new list is shown.
    let held: Route | undefined;
    await page.route(
      (url) => url.pathname === "/api/logs" && url.searchParams.has("cursor"),
      (route) => {
        held = route;
      },
    );
    await page.goto(`${suite.app.base}/logs`);
    await rowWith("alarm 299").waitFor();
    await page.locator(".log-rows").evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect.poll(() => held !== undefined).toBe(true);

    await page.getByLabel("Minimum severity").selectOption("ERROR");
    await rowWith("alarm 297").waitFor();
    await expect.poll(() => rowWith("plain").count()).toBe(0);

    // The old list's older page (its 100 INFO records) answers now: it is not the new list's.
    const answered = page.waitForResponse((response) => response.url().includes("cursor="));
    await held?.continue();
    await (await answered).finished();
    // Past the answer's handling and the render after it.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
    expect(await rowWith("plain").count()).toBe(0);
    expect(await page.locator("[data-log-id]").count()).toBe(3);
    expect(problems).toEqual([]);
    await page.close();
  });
  it("never shows a first page whose load was replaced, even when its fetch answers after the abort", async () => {
    await fetch(`${suite.app.base}/api/traces`, { method: "DELETE" });
    const now = BigInt(Date.now()) * 1_000_000n;
    const records = ["plain one", "plain two", "alarm one"].map((body, i) => ({
      body: `${body} (first page)`,
      severityNumber: body.startsWith("alarm") ? 17 : 9,
      timeNs: now + BigInt(i) * 1_000_000n,
    }));
    expect((await postLogs(suite.app.base, jsonLogRequest("first-page", records))).status).toBe(200);
    const page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const rowWith = (text: string) => page.locator("[data-log-id]", { hasText: text });
    // The unfiltered first page is read whole but answered only when the test says, whether or not it
    // was aborted meanwhile (as a search's partial answers, read call by call, may be).
    await page.addInitScript(() => {
      const realFetch = window.fetch.bind(window);
      const w = window as unknown as { release?: () => void; firstAsked?: boolean };
      const released = new Promise<void>((resolve) => {
        w.release = resolve;
      });
      window.fetch = async (input, init) => {
        const url = String(input);
        if (w.firstAsked || !url.startsWith("/api/logs?") || url.includes("severity")) return realFetch(input, init);
        w.firstAsked = true;
        const { signal: _ignored, ...rest } = init ?? {};
        const response = await realFetch(input, rest);
        const body = await response.text();
        await released;
        return new Response(body, { status: response.status, headers: response.headers });
      };
    });
    await page.goto(`${suite.app.base}/logs`);
    await expect.poll(() => page.evaluate(() => (window as unknown as { firstAsked?: boolean }).firstAsked)).toBe(true);
    await page.getByLabel("Minimum severity").selectOption("ERROR");
    await rowWith("alarm one (first page)").waitFor();

    const released = page.waitForEvent("console", (message) => message.text() === "old first page answered");
    await page.evaluate(() => {
      const w = window as unknown as { release: () => void };
      w.release();
      // Logged once the old load's answer was handed over (after its own continuations) and rendered.
      setTimeout(() => requestAnimationFrame(() => setTimeout(() => console.log("old first page answered"), 0)), 0);
    });
    await released;
    expect(await rowWith("plain").count()).toBe(0);
    expect(await page.locator("[data-log-id]").count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("counts every matching trace, paused too, though one page of them is loaded", async () => {
    await fetch(`${suite.app.base}/api/traces`, { method: "DELETE" });
    const now = Date.now() - 60_000;
    const spans = Array.from({ length: 640 }, (_, i) => ({
      traceId: `d${(i + 1).toString(16).padStart(31, "0")}`,
      spanId: "00000000000000c1",
      name: `GET /many/${i}`,
      kind: 2,
      startTimeUnixNano: String(BigInt(now + i * 10) * 1_000_000n),
      endTimeUnixNano: String(BigInt(now + i * 10 + 3) * 1_000_000n),
    }));
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "many" } }] },
          scopeSpans: [{ spans }],
        },
      ],
    };
    const posted = await fetch(`${suite.app.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(posted.status).toBe(200);
    const page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    await page.goto(suite.app.base);
    const count = page.getByTestId("trace-count");
    await expect.poll(() => count.textContent()).toBe("640 traces");
    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByRole("button", { name: "Resume" }).waitFor();
    expect(await count.textContent()).toBe("640 traces");
    await page.close();
  });

  it("says a search is under way, and fades the rows of the old filters, until its answer", async () => {
    await fetch(`${suite.app.base}/api/traces`, { method: "DELETE" });
    const posted = await postJson(
      suite.app.base,
      jsonTraceRequest("shop", [
        { name: "GET /cart", attributes: { "order.id": 7 } },
        { name: "GET /home", traceId: "e".repeat(32) },
      ]),
    );
    expect(posted.status).toBe(200);
    const page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    // The search's answer waits until the test lets it go.
    let release: (() => void) | undefined;
    await page.route(
      (url) => url.pathname === "/api/traces" && url.searchParams.get("q") === "order.id=7",
      async (route) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        await route.continue();
      },
    );
    await page.goto(suite.app.base);
    const count = page.getByTestId("trace-count");
    await expect.poll(() => count.textContent()).toBe("2 traces");
    const table = page.locator(".trace-table");
    expect(await table.getAttribute("aria-busy")).toBe("false");
    const search = page.getByRole("combobox", { name: "Search spans" });
    await search.fill("order.id=7");
    await search.press("Enter");
    await expect.poll(() => release !== undefined).toBe(true);
    expect(await count.textContent()).toBe("Searching…");
    expect(await table.getAttribute("aria-busy")).toBe("true");
    await expect.poll(() => page.locator(".trace-rows").evaluate((el) => getComputedStyle(el).opacity)).toBe("0.45");
    release?.();
    await expect.poll(() => count.textContent()).toBe("1 trace");
    expect(await table.getAttribute("aria-busy")).toBe("false");
    expect(await page.locator(".trace-rows").evaluate((el) => getComputedStyle(el).opacity)).toBe("1");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("says a log search is under way, and fades the old filters' records, until its answer", async () => {
    await fetch(`${suite.app.base}/api/traces`, { method: "DELETE" });
    const now = BigInt(Date.now()) * 1_000_000n;
    const records = [
      { body: "payment declined", severityNumber: 17, timeNs: now - 2_000_000n },
      { body: "cart opened", severityNumber: 9, timeNs: now - 1_000_000n },
    ];
    expect((await postLogs(suite.app.base, jsonLogRequest("shop", records))).status).toBe(200);
    const page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    let release: (() => void) | undefined;
    await page.route(
      (url) => url.pathname === "/api/logs" && (url.searchParams.get("q") ?? "").includes("declined"),
      async (route) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        await route.continue();
      },
    );
    await page.goto(`${suite.app.base}/logs`);
    const count = page.getByTestId("log-count");
    await expect.poll(() => count.textContent()).toBe("2 records");
    const search = page.getByLabel("Search logs");
    await search.fill("declined");
    await search.press("Enter");
    await expect.poll(() => release !== undefined).toBe(true);
    expect(await count.textContent()).toBe("Searching…");
    expect(await page.locator(".logs-table").getAttribute("aria-busy")).toBe("true");
    await expect.poll(() => page.locator(".log-rows").evaluate((el) => getComputedStyle(el).opacity)).toBe("0.45");
    release?.();
    await expect.poll(() => count.textContent()).toBe("1 record");
    expect(await page.locator(".logs-table").getAttribute("aria-busy")).toBe("false");
    expect(problems).toEqual([]);
    await page.close();
  });
});
