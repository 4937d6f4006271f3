/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { postLogs } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("what a log record lost on its way, in Chromium", () => {
  const suite = useAppInChromium();

  it("says in the details how many attributes were dropped and how much of a body this server cut", async () => {
    const { app } = suite;
    const now = (BigInt(Date.now()) * 1_000_000n).toString();
    const entries = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: { stringValue: `v${i}` } }));
    const record = (body: unknown, fields: Record<string, unknown> = {}) => ({
      timeUnixNano: now,
      severityNumber: 9,
      body,
      ...fields,
    });
    const posted = await postLogs(app.base, {
      resourceLogs: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "lossy" } }] },
          scopeLogs: [
            {
              logRecords: [
                record({ stringValue: "wide attributes" }, { attributes: entries("a", 1500) }),
                record({ kvlistValue: { values: entries("e", 1500) } }),
                record({ stringValue: "sdk dropped" }, { droppedAttributesCount: 1 }),
                record({ stringValue: "whole" }),
              ],
            },
          ],
        },
      ],
    });
    expect(posted.status).toBe(200);

    const page = await suite.browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/logs`);
    const rows = page.locator("[data-log-id]");
    await expect.poll(() => rows.count()).toBe(4);
    const details = page.getByTestId("log-details");
    const droppedAttributes = details.getByTestId("log-dropped-attributes");
    const droppedBody = details.getByTestId("log-body-dropped");

    // A thousand attributes kept, and the 500 dropped said above them, where it is seen at once.
    await rows.filter({ hasText: "wide attributes" }).click();
    await expect.poll(() => droppedAttributes.textContent()).toContain("500 dropped: attributes");
    expect(await droppedAttributes.isVisible()).toBe(true);
    const box = await droppedAttributes.boundingBox();
    expect(box?.y ?? Number.POSITIVE_INFINITY).toBeLessThan(800);
    expect(await details.locator("[data-attr-key]").count()).toBe(1000);
    expect(await droppedBody.count()).toBe(0);

    // A map body of 1,500 entries: 1,000 kept, and the cut said under it.
    await rows.filter({ hasText: '{"e0":"v0"' }).click();
    await expect.poll(() => droppedBody.textContent()).toContain("Cut by this server: 500 entries");
    expect(await droppedAttributes.count()).toBe(0);

    await rows.filter({ hasText: "sdk dropped" }).click();
    await expect.poll(() => droppedAttributes.textContent()).toMatch(/^1 dropped: attributes the SDK dropped/);

    await rows.filter({ hasText: "whole" }).click();
    await expect.poll(() => details.getByTestId("log-body").textContent()).toContain("whole");
    expect(await droppedAttributes.count()).toBe(0);
    expect(await droppedBody.count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });
});
