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

  it("stores the parts of a large file in the file's order: a log line sent again, a counter's later point", async () => {
    const { app, browser } = suite;
    const context = await browser.newContext({ viewport: { width: 1280, height: 700 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/`);

    // The first part (8 MiB) starts with a log line of 3 records and a counter's point, then traces;
    // the second holds a line of one of those records (that record sent again) and the counter's next
    // point. Stored out of order, the record would be stored twice (the first line, holding records
    // not stored yet, is new), and the older point read after the newer one (which the counts below do
    // not show: both points count as new either way).
    const traces = await page.evaluate(() => {
      const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");
      const resource = { attributes: [{ key: "service.name", value: { stringValue: "orders" } }] };
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      const logRecords = [0, 1, 2].map((i) => ({
        timeUnixNano: String(nowNs - 60_000_000_000n + BigInt(i)),
        severityNumber: 9,
        body: { stringValue: `order ${i} placed` },
      }));
      const logLine = (records: typeof logRecords) =>
        JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ logRecords: records }] }] });
      const counterLine = (secondsAgo: number, value: number) =>
        JSON.stringify({
          resourceMetrics: [
            {
              resource,
              scopeMetrics: [
                {
                  metrics: [
                    {
                      name: "orders.placed",
                      sum: {
                        aggregationTemporality: 2,
                        isMonotonic: true,
                        dataPoints: [
                          {
                            startTimeUnixNano: String(nowNs - 600_000_000_000n),
                            timeUnixNano: String(nowNs - BigInt(secondsAgo) * 1_000_000_000n),
                            asInt: String(value),
                          },
                        ],
                      },
                    },
                  ],
                },
              ],
            },
          ],
        });
      const start = nowNs - 60_000_000_000n;
      /** A trace of 10 spans, ~16 KB; `extra` bytes more in its first span. */
      const traceLine = (t: number, extra = 0) => {
        const traceId = hex(32);
        const spans = Array.from({ length: 10 }, (_, s) => ({
          traceId,
          spanId: hex(16),
          name: `step ${s}`,
          kind: 1,
          startTimeUnixNano: String(start + BigInt(t * 1000 + s)),
          endTimeUnixNano: String(start + BigInt(t * 1000 + s + 500_000)),
          attributes: [{ key: "note", value: { stringValue: "x".repeat(1500 + (s === 0 ? extra : 0)) } }],
        }));
        return JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans }] }] });
      };
      // Traces up to exactly 8 MiB, the first part (the last one's padding fills it), so that the
      // second holds only the last two lines: sent at once, the small part would overtake the large one.
      const lines = [logLine(logRecords), counterLine(20, 5)];
      let size = lines.join("\n").length + 1;
      for (let t = 0; size < 8 * 1024 * 1024; t++) {
        const line = traceLine(t);
        const room = 8 * 1024 * 1024 - size - 1;
        const last = room < 2 * line.length + 2 ? traceLine(t, room - line.length) : line;
        lines.push(last);
        size += last.length + 1;
      }
      lines.push(logLine(logRecords.slice(1, 2)), counterLine(10, 9));
      const file = new File([`${lines.join("\n")}\n`], "orders.jsonl", { type: "application/x-ndjson" });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      for (const type of ["dragenter", "dragover", "drop"]) {
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
      return lines.length - 4;
    });
    await expect
      .poll(() => page.getByTestId("import-result").textContent(), { timeout: 20_000 })
      .toBe(
        `Imported ${(traces * 10).toLocaleString("en-US")} spans in ${traces} traces, 3 log records, 2 metric points from orders.jsonl (1 log record already stored)Dismiss`,
      );
    const health = (await (await fetch(`${app.base}/api/health`)).json()) as { counts: { logs: number } };
    expect(health.counts.logs).toBe(3);
    await context.close();
    expect(problems).toEqual([]);
  });

  it("imports a file dropped while another imports after it, one request at a time, and tells of both", async () => {
    const { app, browser } = suite;
    const context = await browser.newContext({ viewport: { width: 1280, height: 700 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems = collectPageProblems(page);
    // Every import request, as it starts and as it ends.
    const events: string[] = [];
    const isImport = (url: string) => new URL(url).pathname === "/api/import";
    page.on("request", (request) => {
      if (isImport(request.url())) events.push("start");
    });
    page.on("requestfinished", (request) => {
      if (isImport(request.url())) events.push("end");
    });
    page.on("requestfailed", (request) => {
      if (isImport(request.url())) events.push("failed");
    });
    await page.goto(`${app.base}/`);
    const logs = async () =>
      ((await (await fetch(`${app.base}/api/health`)).json()) as { counts: { logs: number } }).counts.logs;
    const logsBefore = await logs();

    // A file of three parts (~20 MB of traces), then, once it imports, a small one of log records.
    const notice = await page.evaluate(async () => {
      const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");
      const resource = { attributes: [{ key: "service.name", value: { stringValue: "queued" } }] };
      const start = BigInt(Date.now() - 60_000) * 1_000_000n;
      const lines: string[] = [];
      for (let t = 0; t < 1_300; t++) {
        const traceId = hex(32);
        const spans = Array.from({ length: 10 }, (_, s) => ({
          traceId,
          spanId: hex(16),
          name: `step ${s}`,
          kind: 1,
          startTimeUnixNano: String(start + BigInt(t * 1000 + s)),
          endTimeUnixNano: String(start + BigInt(t * 1000 + s + 500_000)),
          attributes: [{ key: "note", value: { stringValue: "x".repeat(1500) } }],
        }));
        lines.push(JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans }] }] }));
      }
      const logRecords = [0, 1].map((i) => ({
        timeUnixNano: String(start + BigInt(i)),
        body: { stringValue: `log ${i}` },
      }));
      const drop = (file: File) => {
        const transfer = new DataTransfer();
        transfer.items.add(file);
        for (const type of ["dragenter", "dragover", "drop"]) {
          document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }
      };
      drop(new File([`${lines.join("\n")}\n`], "first.jsonl", { type: "application/x-ndjson" }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      drop(
        new File([JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ logRecords }] }] })], "second.json", {
          type: "application/json",
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      return document.querySelector("[data-testid=import-busy]")?.textContent;
    });
    expect(notice).toMatch(/^Importing first\.jsonl( \(\d+%\))?… then second\.json$/);
    await expect
      .poll(() => page.getByTestId("import-result").textContent(), { timeout: 60_000 })
      .toBe("Imported 13,000 spans in 1,300 traces from first.jsonlImported 2 log records from second.jsonDismiss");
    // The three parts of the first file, then the second: never two requests at once.
    expect(events).toEqual(["start", "end", "start", "end", "start", "end", "start", "end"]);
    expect(await logs()).toBe(logsBefore + 2);
    await context.close();
    expect(problems).toEqual([]);
  });

  it("goes on past a line larger than a request may be, naming it, and says where a large document can go", async () => {
    const { app, browser } = suite;
    const context = await browser.newContext({ viewport: { width: 1280, height: 700 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/`);
    const spans = async () =>
      ((await (await fetch(`${app.base}/api/health`)).json()) as { counts: { spans: number } }).counts.spans;
    const before = await spans();

    // Line 2 of three holds one span with a 33 MB attribute: no request may carry it. The same request
    // laid out over lines is one document, sent whole.
    await page.evaluate(() => {
      const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");
      const start = BigInt(Date.now() - 60_000) * 1_000_000n;
      const request = (name: string, note: string) => ({
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "huge" } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: hex(32),
                    spanId: hex(16),
                    name,
                    kind: 1,
                    startTimeUnixNano: String(start),
                    endTimeUnixNano: String(start + 1_000n),
                    attributes: [{ key: "note", value: { stringValue: note } }],
                  },
                ],
              },
            ],
          },
        ],
      });
      const big = "x".repeat(33 * 1024 * 1024);
      const lines = [request("first", ""), request("too big", big), request("third", "")].map((r) => JSON.stringify(r));
      const document_ = JSON.stringify(request("document", big), null, 1);
      const drop = (file: File) => {
        const transfer = new DataTransfer();
        transfer.items.add(file);
        for (const type of ["dragenter", "dragover", "drop"]) {
          document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }
      };
      drop(new File([`${lines.join("\n")}\n`], "huge.jsonl", { type: "application/x-ndjson" }));
      drop(new File([document_], "huge.json", { type: "application/json" }));
    });
    await expect
      .poll(() => page.getByTestId("import-result").textContent(), { timeout: 60_000 })
      .toBe(
        "Imported 2 spans in 2 traces from huge.jsonl. line 2: not sent: body is larger than the 32 MiB (33,554,432 bytes) limit; `tracekit-local import huge.jsonl` imports it" +
          "Could not import huge.json: body is larger than the 32 MiB (33,554,432 bytes) limit; `tracekit-local import huge.json` imports it" +
          "Dismiss",
      );
    expect(await spans()).toBe(before + 2);
    await context.close();
    // The browser logs each refused request; the page itself reports them.
    expect(problems.filter((problem) => !problem.includes("status of 413"))).toEqual([]);
  });

  it("imports the whole lines of a large gzip file cut short, then says it broke off", async () => {
    const { app, browser } = suite;
    const context = await browser.newContext({ viewport: { width: 1280, height: 700 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/`);
    const before = (await (await fetch(`${app.base}/api/health`)).json()) as { counts: { spans: number } };

    // 4,000 one-span traces, each with 6,000 random hex characters, gzipped (~14 MB) and cut at three
    // quarters, as a download that broke off: still past the 8 MiB the page reads in parts. The lines the
    // browser inflates whole before the cut are what should be stored.
    const made = await page.evaluate(async () => {
      const digits = "0123456789abcdef";
      const hex = (bytes: number) =>
        Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => `${digits[b >> 4]}${digits[b & 15]}`).join("");
      const start = BigInt(Date.now() - 60_000) * 1_000_000n;
      const resource = { attributes: [{ key: "service.name", value: { stringValue: "cut" } }] };
      const lines: string[] = [];
      for (let t = 0; t < 4_000; t++) {
        const span = {
          traceId: hex(16),
          spanId: hex(8),
          name: `job ${t}`,
          kind: 1,
          startTimeUnixNano: String(start + BigInt(t)),
          endTimeUnixNano: String(start + BigInt(t + 1_000)),
          attributes: [{ key: "noise", value: { stringValue: hex(3_000) } }],
        };
        lines.push(JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans: [span] }] }] }));
      }
      const gz = new Uint8Array(
        await new Response(
          new Blob([`${lines.join("\n")}\n`]).stream().pipeThrough(new CompressionStream("gzip")),
        ).arrayBuffer(),
      );
      const cut = gz.subarray(0, Math.floor((gz.length * 3) / 4));
      let whole = 0;
      const reader = new Blob([cut]).stream().pipeThrough(new DecompressionStream("gzip")).getReader();
      try {
        for (;;) {
          const next = await reader.read();
          if (next.done) break;
          for (const byte of next.value) if (byte === 0x0a) whole++;
        }
      } catch {
        // Where the cut is.
      }
      const file = new File([cut], "cut.jsonl.gz", { type: "application/gzip" });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      for (const type of ["dragenter", "dragover", "drop"]) {
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
      return { size: file.size, whole };
    });
    expect(made.size).toBeGreaterThan(8 * 1024 * 1024);
    expect(made.whole).toBeGreaterThan(1_000);
    expect(made.whole).toBeLessThan(4_000);
    const spans = made.whole.toLocaleString("en-US");
    await expect
      .poll(() => page.getByTestId("import-result").textContent(), { timeout: 60_000 })
      .toMatch(
        new RegExp(
          `^Imported ${spans} spans in ${spans} traces from cut\\.jsonl\\.gz\\. gzip data is broken \\((?!Failed to execute).*\\) after what was read before itDismiss$`,
        ),
      );
    const after = (await (await fetch(`${app.base}/api/health`)).json()) as { counts: { spans: number } };
    expect(after.counts.spans - before.counts.spans).toBe(made.whole);
    await context.close();
    expect(problems).toEqual([]);
  });
});
