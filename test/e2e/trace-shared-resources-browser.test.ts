import { describe, expect, it } from "vitest";
import { startTestApp } from "../helpers/app.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { sendTraceOfManyResources } from "../helpers/otel-resources.js";

const available = chromiumAvailable();

describe.skipIf(!available)("a trace page reads each resource once (form=compact1) in Chromium", () => {
  const suite = useAppInChromium();

  it("shows every span's own resource and scope, compares and downloads the trace whole", async () => {
    const { app, browser } = suite;
    const first = await sendTraceOfManyResources(app.base);
    const { traceId, ordersSpanId, signerSpanId } = await sendTraceOfManyResources(app.base);

    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const traceRequests: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/traces/")) traceRequests.push(request.url().replace(app.base, ""));
    });
    await page.goto(`${app.base}/traces/${traceId}?span=${ordersSpanId}`);
    const details = page.getByTestId("span-details");
    await details.getByText("Resource", { exact: false }).first().waitFor();
    // The page asked for the compact form only.
    expect(traceRequests.length).toBeGreaterThan(0);
    expect(traceRequests.every((url) => url === `/api/traces/${traceId}?missing=null&form=compact1`)).toBe(true);

    // Each span's details show its own service's resource and its own scope.
    const resourceValue = (key: string) =>
      details.locator(`[data-resource-key="${key}"] .tv-attr-value`).first().textContent();
    await details.locator("summary", { hasText: "Resource" }).click();
    await expect.poll(() => resourceValue("service.name")).toBe("orders");
    expect(await resourceValue("process.command_args")).toContain("/srv/app/server.js");
    expect(await details.locator("summary", { hasText: "Resource" }).textContent()).toContain("9");
    await details.locator("summary", { hasText: "Instrumentation scope" }).click();
    await expect.poll(() => details.textContent()).toContain("orders-api");

    await page.locator(`[data-span-id="${signerSpanId}"]`).first().click();
    await expect.poll(() => resourceValue("service.name")).toBe("signer");
    const key = details.locator('[data-resource-key="signer.key"]');
    expect(await key.getByTestId("bytes-note").textContent()).toBe("base64 of 4 bytes");

    // Services of the trace, from its spans.
    expect(await page.getByTestId("trace-services").textContent()).toMatch(/3\s*services|frontend.*orders.*signer/s);

    // Compare with the other run of the same operation reads both traces the same way.
    await page.goto(`${app.base}/compare?a=${first.traceId}&b=${traceId}`);
    await expect.poll(() => page.getByTestId("compare-summary").count()).toBe(1);
    expect(await page.getByTestId("compare-row").count()).toBeGreaterThanOrEqual(8);

    // The page's Download link gives OTLP/JSON that, imported elsewhere, is the same trace.
    await page.goto(`${app.base}/traces/${traceId}`);
    const download = await page.locator("a.tv-json-link[download]").getAttribute("href");
    const otlp = await (await fetch(`${app.base}${download}`)).text();
    const other = await startTestApp();
    try {
      for (const line of otlp.split("\n").filter((l) => l.trim() !== "")) {
        const response = await fetch(`${other.base}/v1/traces`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: line,
        });
        expect(response.status).toBe(200);
      }
      const here = await (await fetch(`${app.base}/api/traces/${traceId}`)).json();
      const there = await (await fetch(`${other.base}/api/traces/${traceId}`)).json();
      // Spans that start at the same nanosecond keep their arrival order, which the file need not have.
      const bySpanId = (spans: { spanId: string }[]) => spans.sort((a, b) => a.spanId.localeCompare(b.spanId));
      expect(there.spans).toHaveLength(8);
      expect(bySpanId(there.spans)).toEqual(bySpanId(here.spans));
    } finally {
      await other.close();
    }
    expect(problems).toEqual([]);
    await page.close();
  });
});
