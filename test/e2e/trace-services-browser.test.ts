/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

/** One trace: a root in `gateway` and 60 children, each in a service of its own with a long name. */
async function sendManyServiceTrace(base: string): Promise<string> {
  const traceId = newTraceId();
  const rootId = newSpanId();
  const start = BigInt(Date.now() - 5_000) * 1_000_000n;
  const root = jsonTraceRequest("gateway", [
    { traceId, spanId: rootId, name: "fanout", kind: 2, startNs: start, durationNs: 1_000_000_000n },
  ]);
  const children = Array.from({ length: 60 }, (_, i) => {
    const service = `service-${String(i).padStart(2, "0")}-with-a-rather-long-name`;
    const request = jsonTraceRequest(service, [
      { traceId, parentSpanId: rootId, name: `op ${i}`, kind: 2, startNs: start + BigInt(i) * 10_000_000n },
    ]) as { resourceSpans: unknown[] };
    return request.resourceSpans[0];
  });
  const request = root as { resourceSpans: unknown[] };
  request.resourceSpans.push(...children);
  expect((await postJson(base, request)).status).toBe(200);
  return traceId;
}

describe.skipIf(!available)("A trace of many services in Chromium", () => {
  const suite = useAppInChromium();
  let page: Page | undefined;
  afterEach(async () => {
    await page?.close();
  });

  it.each([
    [800, 900],
    [1400, 900],
  ])("shows two lines of service chips and +K more, and the waterfall its rows, at %ix%i", async (width, height) => {
    const traceId = await sendManyServiceTrace(suite.app.base);
    page = await suite.browser.newPage({ viewport: { width, height } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${suite.app.base}/traces/${traceId}`);
    const more = page.getByRole("button", { name: /^\+\d+ more$/ });
    await expect.poll(() => more.count()).toBe(1);
    const chips = page.getByTestId("trace-services");
    const chipsBox = await chips.boundingBox();
    expect(chipsBox?.height ?? Number.POSITIVE_INFINITY, "two lines of chips").toBeLessThanOrEqual(48);
    const shown = await chips.locator(".tv-service-chip:not(.clipped)").count();
    expect(shown).toBeGreaterThanOrEqual(1);
    expect(await more.textContent()).toBe(`+${61 - shown} more`);
    // The span tree keeps a dozen rows.
    const tree = await page.locator("[role=tree]").evaluate((element) => element.clientHeight);
    expect(tree, "the span tree's height").toBeGreaterThanOrEqual(12 * 24);

    // "+K more" shows every service, within a few scrolled lines; the tree keeps its rows.
    await more.click();
    const fewer = page.getByRole("button", { name: "show fewer" });
    expect(await fewer.getAttribute("aria-expanded")).toBe("true");
    expect(await chips.locator(".tv-service-chip:not(.clipped)").count()).toBe(61);
    expect(await page.locator("[role=tree]").evaluate((element) => element.clientHeight)).toBeGreaterThanOrEqual(
      8 * 24,
    );
    await fewer.click();
    await expect.poll(() => more.count()).toBe(1);
    expect(problems).toEqual([]);
  });
});

describe.skipIf(!available)("A trace with two spans without a parent, in Chromium", () => {
  const suite = useAppInChromium();

  it("names the trace by one span, its name, service and colour, as the list does", async () => {
    const traceId = newTraceId();
    const start = BigInt(Date.now() - 5_000) * 1_000_000n;
    // The first to arrive names the trace in the list; the other starts earlier, so the waterfall puts it first.
    const arrivedFirst = { traceId, spanId: newSpanId(), name: "child-op", kind: 2, startNs: start + 50_000_000n };
    expect((await postJson(suite.app.base, jsonTraceRequest("svc-b", [arrivedFirst]))).status).toBe(200);
    const startsFirst = { traceId, spanId: newSpanId(), name: "root-op", kind: 2, startNs: start };
    expect((await postJson(suite.app.base, jsonTraceRequest("svc-a", [startsFirst]))).status).toBe(200);

    const page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    await page.goto(suite.app.base);
    const row = page.locator(`[data-trace-id="${traceId}"]`);
    await expect.poll(() => row.locator(".trace-name").textContent()).toBe("child-op");
    expect(await row.textContent()).toContain("svc-b");
    await page.goto(`${suite.app.base}/traces/${traceId}`);
    const header = page.getByTestId("trace-header");
    await expect.poll(() => header.locator(".tv-title").textContent()).toBe("child-op");
    expect(await header.locator(".tv-header-service").textContent()).toBe("svc-b");
    // The dot is svc-b's colour, as svc-b's row in the waterfall has it, not svc-a's.
    const colour = (dot: ReturnType<typeof page.locator>) =>
      dot.first().evaluate((element) => getComputedStyle(element).backgroundColor);
    const dotOf = (name: string) => page.locator("[role=treeitem]", { hasText: name }).locator(".service-dot");
    expect(await colour(dotOf("root-op"))).not.toBe(await colour(dotOf("child-op")));
    expect(await colour(header.locator(".tv-header-dot"))).toBe(await colour(dotOf("child-op")));
    await page.close();
  });
});
