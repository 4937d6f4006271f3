/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();
const MS = 1_000_000n;

describe.skipIf(!available)("spans whose start is unset (0), in Chromium", () => {
  const suite = useAppInChromium();

  it("times a trace by its other spans, and says a trace of only such spans has no start", async () => {
    const { app, browser } = suite;
    const [timed, untimed] = [newTraceId(), newTraceId()];
    const [root, child] = [newSpanId(), newSpanId()];
    const t0 = BigInt(Date.now() - 60_000) * MS;
    await postJson(
      app.base,
      jsonTraceRequest("svc-b", [
        { traceId: timed, spanId: root, name: "GET /b", kind: 2, startNs: t0, durationNs: 500n * MS },
        { traceId: timed, spanId: child, parentSpanId: root, name: "no clock", startNs: 0n, durationNs: 0n },
      ]),
    );
    await postJson(
      app.base,
      jsonTraceRequest("svc-c", [{ traceId: untimed, name: "GET /c", kind: 2, startNs: 0n, durationNs: 0n }]),
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);

    await page.goto(`${app.base}/`);
    const timedRow = page.locator(`#trace-${timed}`);
    const untimedRow = page.locator(`#trace-${untimed}`);
    await expect.poll(() => untimedRow.locator(".col-start").textContent()).toBe("–");
    expect(await untimedRow.locator(".col-start").getAttribute("title")).toContain("No span of this trace has a start");
    // Nor a duration: "–" and no bar, as its page says (it read "0ms" with a sliver of a bar).
    expect(await untimedRow.locator(".col-duration").textContent()).toBe("–");
    expect(await untimedRow.locator(".duration-bar").count()).toBe(0);
    expect(await timedRow.locator(".col-duration").textContent()).toContain("500ms");
    // The trace with a start lists first (newest first), the one without after it.
    const order = await page
      .locator(".trace-row, [data-trace-id]")
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-trace-id")).filter((id) => id !== null));
    expect(order.indexOf(timed)).toBeLessThan(order.indexOf(untimed));

    await page.goto(`${app.base}/traces/${timed}`);
    const header = page.getByTestId("trace-header");
    await expect.poll(() => header.textContent()).toMatch(/Duration500ms/);
    expect(await header.textContent()).not.toContain("1970");
    expect(await page.locator(`.tv-row[data-span-id="${child}"] .tv-bar`).count()).toBe(0);
    expect(await page.locator(`.tv-row[data-span-id="${child}"] .tv-bar-label`).textContent()).toBe("no start time");
    // The ruler spans the half second, not 56 years.
    expect(await page.locator(".tv-ruler .tv-tick").last().textContent()).toMatch(/ms$/);
    await page.locator(`.tv-row[data-span-id="${child}"]`).click();
    expect(await page.getByTestId("span-start-unset").textContent()).toContain("not sent");

    await page.goto(`${app.base}/traces/${untimed}`);
    await expect.poll(() => header.textContent()).toMatch(/Duration–/);
    expect(await header.textContent()).toMatch(/Started–/);
    await page.close();
    expect(problems).toEqual([]);
  });
});
