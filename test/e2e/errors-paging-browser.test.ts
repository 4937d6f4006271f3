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

  /** How many groups are listed: the list draws those in view, each saying how many there are. */
  const listed = (page: import("playwright-core").Page) =>
    page.getByTestId("error-group").first().getAttribute("aria-setsize");

  /**
   * Every group listed, in order, read by scrolling the list from top to bottom (it draws those in view);
   * the list is left scrolled to `stopAt` (a type), or to its end.
   */
  const typesShown = (page: import("playwright-core").Page, stopAt?: string) =>
    page.locator(".errors-list").evaluate(async (list, stop) => {
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const types: string[] = [];
      list.scrollTop = 0;
      for (;;) {
        await frame();
        for (const item of list.querySelectorAll<HTMLElement>("[data-testid='error-group']")) {
          types[Number(item.getAttribute("aria-posinset")) - 1] = item.textContent?.match(/Error\d+/)?.[0] ?? "";
        }
        if (stop !== undefined && types.includes(stop)) {
          list.querySelector(`[aria-label^="${stop} "]`)?.scrollIntoView({ block: "center" });
          await frame();
          return types;
        }
        if (list.scrollTop + list.clientHeight >= list.scrollHeight - 1) return types;
        list.scrollTop += list.clientHeight;
      }
    }, stopAt);

  it("reaches group 250 of 300 by scrolling to the end, and by the button in the other order, once each", async () => {
    const { app, browser } = suite;
    await send300(app.base);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors`);
    const groups = page.getByTestId("error-group");
    const totals = page.getByTestId("errors-totals");
    await expect.poll(() => listed(page)).toBe("200");
    // Only the groups in view are drawn.
    expect(await groups.count()).toBeLessThan(40);
    expect(await totals.textContent()).toBe("450 errors in 300 groups (showing 200)");
    expect(await page.locator(".errors-more").textContent()).toBe("Show 100 more groups 200 of 300 listed");
    // Newest first: group 250 is Error50, not listed yet.
    expect(await groups.filter({ hasText: "Error50 " }).count()).toBe(0);

    // Scrolling to the end asks for the next page.
    await page.locator(".errors-list").evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    await expect.poll(() => listed(page)).toBe("300");
    const lastSeen = (await fetch(`${app.base}/api/errors?limit=1000`).then((r) => r.json())) as ErrorGroupsResponse;
    const shown = await typesShown(page);
    expect(shown).toEqual(lastSeen.groups.map((g) => g.type));
    expect(shown[249]).toBe("Error50");
    expect(await totals.textContent()).toBe("450 errors in 300 groups");
    expect(await page.locator(".errors-more").count()).toBe(0);

    // Most errors first: the button, and the order the server gives.
    await page.goto(`${app.base}/errors?sort=count`);
    await expect.poll(() => listed(page)).toBe("200");
    // Clicked where it is: scrolling it into view would ask for the page by itself.
    await page.getByTestId("errors-more").evaluate((button) => (button as HTMLButtonElement).click());
    await expect.poll(() => listed(page)).toBe("300");
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
    expect(await listed(page)).toBe("300");
    await typesShown(page, "Error50");
    expect(await groups.filter({ hasText: "Error50 " }).getByTestId("error-count").textContent()).toBe("2");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("walks from the keyboard past the first page to group 250, restores a selection far down, and asks again after a failed page", async () => {
    const { app, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const stored = async () =>
      (await fetch(`${app.base}/api/errors?limit=1000`).then((r) => r.json())) as ErrorGroupsResponse;
    if ((await stored()).totalGroups === 0) await send300(app.base);
    const newest = await stored();
    const at250 = newest.groups[249] as ErrorGroupsResponse["groups"][number];
    const idAt = (position: number) => newest.groups[position - 1]?.id as string;
    const selected = () => new URL(page.url()).searchParams.get("selected");
    const inView = (id: string) => () =>
      page.evaluate((groupId) => {
        const list = document.querySelector(".errors-list")?.getBoundingClientRect();
        const row = document.querySelector(`[data-group-id="${groupId}"] .error-group-row`)?.getBoundingClientRect();
        return list !== undefined && row !== undefined && row.top >= list.top - 1 && row.bottom <= list.bottom + 1;
      }, id);

    await page.goto(`${app.base}/errors`);
    await expect.poll(() => listed(page)).toBe("200");
    await page.locator(".errors-list").focus();
    // The last group listed: in view, which reaches the end of the list and asks for the next page.
    await page.keyboard.press("End");
    await expect.poll(selected).toBe(idAt(200));
    await expect.poll(() => listed(page)).toBe("300");
    for (let i = 0; i < 50; i++) await page.keyboard.press("j");
    await expect.poll(selected).toBe(idAt(250));
    const row = page.locator(`[data-group-id="${idAt(250)}"]`);
    expect(await row.getAttribute("aria-posinset")).toBe("250");
    expect(await row.getAttribute("aria-label")).toBe(`${at250.type} job failed`);
    expect(await page.locator(".errors-list").getAttribute("aria-activedescendant")).toBe(`error-group-${idAt(250)}`);
    await expect.poll(inView(idAt(250))).toBe(true);
    // Opened from the keyboard, then the next group: its details in between, drawn, the keyboard past them.
    await page.keyboard.press("o");
    await expect.poll(() => row.getAttribute("aria-expanded")).toBe("true");
    await expect
      .poll(() => row.locator("[data-testid='error-latest'] [role='treeitem']").count())
      .toBe(at250.latest.length);
    for (let i = 0; i <= at250.latest.length; i++) await page.keyboard.press("j");
    await expect.poll(selected).toBe(idAt(251));
    await expect.poll(inView(idAt(251))).toBe(true);

    // A reload selecting a group far down the first page: scrolled to it, though it was not drawn.
    await page.goto(`${app.base}/errors?selected=${idAt(150)}`);
    await expect.poll(inView(idAt(150))).toBe(true);
    expect(await page.locator(`[data-group-id="${idAt(150)}"]`).getAttribute("aria-selected")).toBe("true");

    // A next page that fails leaves the button working: pressed again, it lists the groups.
    let failed = 0;
    await page.route(/\/api\/errors\?.*cursor=/, (route) => {
      failed++;
      return route.abort();
    });
    const more = page.getByTestId("errors-more");
    await more.evaluate((button) => (button as HTMLButtonElement).click());
    await expect.poll(() => failed).toBe(1);
    await page.unroute(/\/api\/errors\?.*cursor=/);
    await more.evaluate((button) => (button as HTMLButtonElement).click());
    await expect.poll(() => listed(page)).toBe("300");
    // The failed page's message.
    expect(problems.filter((p) => !/Failed to load resource|net::ERR_FAILED/.test(p))).toEqual([]);

    // Under "only where errors start", the button says the next groups are looked through.
    await page.goto(`${app.base}/errors?starts=1`);
    await expect.poll(() => more.textContent()).toBe("Look through 100 more groups for where errors start");
    await page.close();
  });

  it("adds a page asked for while a refresh is on its way to that refresh's answer, with its newest counts", async () => {
    const { app, browser } = suite;
    const stored = async () =>
      (await fetch(`${app.base}/api/errors?limit=1000`).then((r) => r.json())) as ErrorGroupsResponse;
    if ((await stored()).totalGroups === 0) await send300(app.base);
    const first = (await stored()).groups[0] as ErrorGroupsResponse["groups"][number];
    const page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.base}/errors`);
    await expect.poll(() => listed(page)).toBe("200");
    const count = () => page.locator(`[data-group-id="${first.id}"]`).getByTestId("error-count").textContent();
    expect(await count()).toBe(String(first.count));

    // The refresh a new error of the first group brings is held on its way; "more" is pressed meanwhile.
    let refreshing: () => void = () => {};
    const seen = new Promise<void>((resolve) => {
      refreshing = resolve;
    });
    let letGo: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    await page.route(/\/api\/errors\?/, async (route) => {
      if (!route.request().url().includes("cursor=")) {
        refreshing();
        await held;
      }
      await route.continue();
    });
    await postJson(
      app.base,
      jsonTraceRequest("batch", [
        {
          name: "work",
          statusCode: 2,
          startNs: BigInt(Date.now()) * 1_000_000n,
          attributes: { "exception.type": first.type, "exception.message": "job failed" },
        },
      ]),
    );
    await seen;
    await page.getByTestId("errors-more").evaluate((button) => (button as HTMLButtonElement).click());
    letGo();
    await expect.poll(() => listed(page)).toBe("300");
    await page.locator(".errors-list").evaluate((list) => {
      list.scrollTop = 0;
    });
    // The refresh's count, not the one listed before it.
    await expect.poll(count).toBe(String(first.count + 1));
    await page.waitForTimeout(300);
    expect(await count()).toBe(String(first.count + 1));
    await page.close();
  });
});
