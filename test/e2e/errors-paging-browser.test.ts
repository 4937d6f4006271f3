/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import type { ErrorGroupsResponse } from "../../src/protocol.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("the Errors page past its first 200 groups, in Chromium", () => {
  const suite = useAppInChromium();

  /** One request of 300 failing spans, each a type of its own (`Error0` oldest … `Error299` newest); some fail twice. */
  async function send300(base: string): Promise<void> {
    const now = BigInt(Date.now()) * 1_000_000n;
    const spans = [];
    for (let i = 0; i < 300; i++) {
      for (let n = 0; n <= i % 2; n++) {
        spans.push({
          name: "work",
          statusCode: 2,
          startNs: now - BigInt((300 - i) * 1_000_000 + n),
          attributes: { "exception.type": `Error${i}`, "exception.message": "job failed" },
        });
      }
    }
    await postJson(base, jsonTraceRequest("batch", spans));
  }

  const typesShown = (page: import("playwright-core").Page) =>
    page
      .getByTestId("error-group")
      .evaluateAll((items) => items.map((item) => item.textContent?.match(/Error\d+/)?.[0] ?? ""));

  it("reaches group 250 of 300 by scrolling to the end, and by the button in the other order, once each", async () => {
    const { app, browser } = suite;
    await send300(app.base);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors`);
    const groups = page.getByTestId("error-group");
    const totals = page.getByTestId("errors-totals");
    await expect.poll(() => groups.count()).toBe(200);
    expect(await totals.textContent()).toBe("450 errors in 300 groups (showing 200)");
    expect(await page.locator(".errors-more").textContent()).toBe("Show 100 more groups 200 of 300 listed");
    // Newest first: group 250 is Error50, not listed yet.
    expect(await groups.filter({ hasText: "Error50 " }).count()).toBe(0);

    // Scrolling to the end asks for the next page.
    await page.locator(".errors-page").evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    await expect.poll(() => groups.count()).toBe(300);
    const lastSeen = (await fetch(`${app.base}/api/errors?limit=1000`).then((r) => r.json())) as ErrorGroupsResponse;
    const shown = await typesShown(page);
    expect(shown).toEqual(lastSeen.groups.map((g) => g.type));
    expect(shown[249]).toBe("Error50");
    expect(await totals.textContent()).toBe("450 errors in 300 groups");
    expect(await page.locator(".errors-more").count()).toBe(0);

    // Most errors first: the button, and the order the server gives.
    await page.goto(`${app.base}/errors?sort=count`);
    await expect.poll(() => groups.count()).toBe(200);
    // Clicked where it is: scrolling it into view would ask for the page by itself.
    await page.getByTestId("errors-more").evaluate((button) => (button as HTMLButtonElement).click());
    await expect.poll(() => groups.count()).toBe(300);
    const byCount = (await fetch(`${app.base}/api/errors?sort=count&limit=1000`).then((r) =>
      r.json(),
    )) as ErrorGroupsResponse;
    const shownByCount = await typesShown(page);
    expect(shownByCount).toEqual(byCount.groups.map((g) => g.type));
    expect(new Set(shownByCount).size).toBe(300);

    // Live: a new error of a group reached by the button keeps all 300 listed, with its new count.
    await page.mouse.move(5, 5);
    await postJson(
      app.base,
      jsonTraceRequest("batch", [
        {
          name: "work",
          statusCode: 2,
          startNs: BigInt(Date.now()) * 1_000_000n,
          attributes: { "exception.type": "Error50", "exception.message": "job failed" },
        },
      ]),
    );
    await expect.poll(() => totals.textContent(), { timeout: 10_000 }).toBe("451 errors in 300 groups");
    expect(await groups.count()).toBe(300);
    expect(await groups.filter({ hasText: "Error50 " }).getByTestId("error-count").textContent()).toBe("2");
    expect(problems).toEqual([]);
    await page.close();
  });
});
