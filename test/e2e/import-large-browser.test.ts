/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";

const available = chromiumAvailable();

describe.skipIf(!available)("a large file dropped on the page, in Chromium", () => {
  const suite = useAppInChromium();

  it("imports a JSON Lines file larger than one request may be, in parts of whole lines", async () => {
    const { app, browser } = suite;
    const context = await browser.newContext({ viewport: { width: 1280, height: 700 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/`);

    // 2,200 traces of 10 spans, ~16 KB a line: ~35 MB, past the 32 MiB a request may be. The file is
    // made in the page and dropped as a drag from the file manager drops it.
    const size = await page.evaluate(() => {
      const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");
      const padding = "x".repeat(1500);
      const start = BigInt(Date.now() - 60_000) * 1_000_000n;
      const lines: string[] = [];
      for (let t = 0; t < 2_200; t++) {
        const traceId = hex(32);
        const spans = Array.from({ length: 10 }, (_, s) => ({
          traceId,
          spanId: hex(16),
          name: `step ${s}`,
          kind: 1,
          startTimeUnixNano: String(start + BigInt(t * 1000 + s)),
          endTimeUnixNano: String(start + BigInt(t * 1000 + s + 500_000)),
          attributes: [{ key: "note", value: { stringValue: padding } }],
        }));
        const resource = { attributes: [{ key: "service.name", value: { stringValue: "bulk" } }] };
        lines.push(JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans }] }] }));
      }
      const file = new File([`${lines.join("\n")}\n`], "big.jsonl", { type: "application/x-ndjson" });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      for (const type of ["dragenter", "dragover", "drop"]) {
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
      return file.size;
    });
    expect(size).toBeGreaterThan(32 * 1024 * 1024);
    await expect
      .poll(() => page.getByTestId("import-result").textContent(), { timeout: 60_000 })
      .toBe("Imported 22,000 spans in 2,200 traces from big.jsonlDismiss");
    const health = (await (await fetch(`${app.base}/api/health`)).json()) as { counts: { spans: number } };
    expect(health.counts.spans).toBe(22_000);
    await context.close();
    expect(problems).toEqual([]);
  });
});
