import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { chromiumAvailable, collectPageProblems, launchChromium } from "../helpers/browser.js";
import { jsonTraceRequest, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

/** The page links' boxes against the nav's, and whether the nav scrolls or fades an edge. */
function navLayout(page: Page) {
  return page.evaluate(() => {
    const nav = document.querySelector(".nav") as HTMLElement;
    const box = nav.getBoundingClientRect();
    const links = [...nav.querySelectorAll<HTMLElement>(".nav-link")].map((link) => {
      const { left, right } = link.getBoundingClientRect();
      return { label: link.textContent, whole: left >= box.left - 0.5 && right <= box.right + 0.5 };
    });
    return {
      links,
      scrolls: nav.scrollWidth > nav.clientWidth,
      scrollLeft: nav.scrollLeft,
      className: nav.className,
      mask: getComputedStyle(nav).maskImage,
      pageScrolls: document.documentElement.scrollHeight > document.documentElement.clientHeight,
      pageWidth: document.documentElement.clientWidth,
    };
  });
}

describe.skipIf(!available)("the top bar and the trace list in a small window (Chromium, real scrollbars)", () => {
  let app: TestApp;
  let browser: Browser;
  let traceId: string;
  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchChromium({ scrollbars: true });
    const request = jsonTraceRequest("shop", [{ name: "GET /cart" }]);
    traceId = (request as any).resourceSpans[0].scopeSpans[0].spans[0].traceId;
    expect((await postJson(app.base, request)).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("at 800 × 600 the list's longest 'no traces match' scrolls in its place, not the page", async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    // A trace id as the query: the message explains the query and links the trace (its longest form).
    await page.goto(`${app.base}/?q=${traceId}`);
    const message = page.locator(".trace-table > .page-message");
    await message.getByTestId("trace-id-query").waitFor();
    const layout = await navLayout(page);
    expect(layout.pageScrolls).toBe(false);
    expect(layout.pageWidth).toBe(800);
    // The message is taller than its place and scrolls there; its button is reachable.
    expect(await message.evaluate((element) => element.scrollHeight > element.clientHeight)).toBe(true);
    await message.getByRole("button", { name: "Reset filters" }).click();
    await expect.poll(() => page.url()).toBe(`${app.base}/`);
    await page.locator(`[data-trace-id="${traceId}"]`).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("at 800 px beside a page's scrollbar every page link shows whole, the bar does not scroll", async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    await page.goto(`${app.base}/llm`);
    await page.locator(".nav-link.active").waitFor();
    await page.addStyleTag({ content: "html { overflow-y: scroll; }" });
    await expect.poll(async () => (await navLayout(page)).pageWidth).toBeLessThan(800);
    const layout = await navLayout(page);
    expect(layout.links.map((link) => link.label)).toEqual([
      "Traces",
      "Logs",
      "Errors",
      "Services",
      "Map",
      "Snapshots",
      "Metrics",
      "LLM",
    ]);
    expect(layout.links.filter((link) => !link.whole)).toEqual([]);
    expect(layout.scrolls).toBe(false);
    expect(layout.mask).toBe("none");
    await page.close();
  });

  it("narrower, the links scroll sideways: a faded edge says more are there, the wheel and the current page bring them in", async () => {
    const page = await browser.newPage({ viewport: { width: 640, height: 600 } });
    await page.goto(`${app.base}/`);
    await page.locator(".nav-link.active").waitFor();
    let layout = await navLayout(page);
    expect(layout.scrolls).toBe(true);
    expect(layout.links.find((link) => link.label === "LLM")?.whole).toBe(false);
    expect(layout.className).toContain("hidden-right");
    expect(layout.mask).toContain("linear-gradient");

    // A mouse wheel over the links scrolls them to the end: the right edge no longer fades, the left does.
    await page.locator(".nav").hover();
    await page.mouse.wheel(0, 300);
    await expect.poll(async () => (await navLayout(page)).className).toBe("nav hidden-left");
    layout = await navLayout(page);
    expect(layout.links.find((link) => link.label === "LLM")?.whole).toBe(true);
    expect(layout.links.find((link) => link.label === "Traces")?.whole).toBe(false);

    // Opening a page whose link is scrolled out of sight brings it into view.
    await page.locator(".nav-link", { hasText: "Traces" }).evaluate((link) => link.parentElement?.scrollTo(0, 0));
    await page.goto(`${app.base}/llm`);
    await expect.poll(async () => (await navLayout(page)).links.find((link) => link.label === "LLM")?.whole).toBe(true);
    await page.close();
  });
});
