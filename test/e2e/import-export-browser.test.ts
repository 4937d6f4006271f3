/// <reference lib="dom" />
import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonLogRequest, jsonTraceRequest, newSpanId, newTraceId, postJson, postLogs } from "../helpers/payloads.js";

const available = chromiumAvailable();

/** Drops a file made in the page on its body, as a drag from the file manager does. */
async function dropFile(page: Page, name: string, content: string): Promise<void> {
  await page.evaluate(
    ({ name, content }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([content], name, { type: "application/json" }));
      for (const type of ["dragenter", "dragover", "drop"]) {
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    },
    { name, content },
  );
}

/** Drops a file of these bytes (e.g. gzip) on the page's body. */
async function dropBytes(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page.evaluate(
    ({ name, bytes }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], name, { type: "application/gzip" }));
      for (const type of ["dragenter", "dragover", "drop"]) {
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    },
    { name, bytes: [...bytes] },
  );
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: await readFile(path, "utf8") };
}

/** The span names and the log records (body and trace id) of a downloaded OTLP/JSON Lines file. */
function contents(text: string): { spans: string[]; logs: string[] } {
  const spans: string[] = [];
  const logs: string[] = [];
  for (const line of text.split("\n").filter(Boolean)) {
    const request = JSON.parse(line) as {
      resourceSpans?: unknown[];
      resourceLogs?: { scopeLogs: { logRecords: { body: { stringValue: string }; traceId?: string }[] }[] }[];
    };
    if (request.resourceSpans !== undefined) spans.push(...decodeTraceRequestJson(request).spans.map((s) => s.name));
    for (const resource of request.resourceLogs ?? []) {
      for (const scope of resource.scopeLogs) {
        for (const record of scope.logRecords) logs.push(`${record.body.stringValue} (${record.traceId})`);
      }
    }
  }
  return { spans: spans.sort(), logs };
}

describe.skipIf(!available)("download and drop-to-import, in Chromium", () => {
  const suite = useAppInChromium();

  it("downloads a trace and the filtered list as OTLP/JSON, and imports a dropped file", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const root = newSpanId();
    await postJson(
      app.base,
      jsonTraceRequest("shop", [
        { traceId, spanId: root, name: "GET /cart", kind: 2 },
        { traceId, parentSpanId: root, name: "SELECT cart", kind: 3 },
      ]),
    );
    await postJson(app.base, jsonTraceRequest("mail", [{ name: "send welcome" }]));

    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 700 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);

    await page.goto(`${app.base}/traces/${traceId}`);
    const one = await downloaded(page, () => page.getByTestId("trace-header").getByText("Download").click());
    expect(one.name).toBe(`trace-${traceId}.jsonl`);
    expect(
      decodeTraceRequestJson(JSON.parse(one.text))
        .spans.map((s) => s.name)
        .sort(),
    ).toEqual(["GET /cart", "SELECT cart"]);

    await page.goto(`${app.base}/?service=mail`);
    await expect.poll(() => page.getByTestId("trace-count").textContent()).toMatch(/^1 trace/);
    const list = await downloaded(page, () => page.getByTestId("download-traces").click());
    expect(list.name).toMatch(/^telemetry-\d{8}-\d{6}\.jsonl$/);
    const lines = list.text.split("\n").filter(Boolean);
    expect(lines.map((line) => decodeTraceRequestJson(JSON.parse(line)).spans[0]?.name)).toEqual(["send welcome"]);

    // A file dropped on the page is imported, and its trace shows up in the open list.
    const dropped = jsonTraceRequest("mail", [{ name: "send receipt" }]);
    await dropFile(page, "receipt.json", JSON.stringify(dropped));
    await expect
      .poll(() => page.getByTestId("import-result").textContent())
      .toContain("Imported 1 span in 1 trace from receipt.json");
    await expect.poll(() => page.getByTestId("trace-count").textContent()).toMatch(/^2 traces/);
    await page.getByTestId("import-result").getByText("Dismiss").click();

    await dropFile(page, "notes.txt", "not telemetry");
    await expect
      .poll(() => page.getByTestId("import-result").textContent())
      .toContain("Could not import notes.txt: byte 0: not OTLP JSON, JSON Lines, protobuf or gzip");

    await context.close();
    expect(problems.filter((p) => !p.includes("400 (Bad Request)"))).toEqual([]);
  });

  it("downloads a trace's log records with it, as `tracekit-local export` does, and a drop of the file restores them", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const spanId = newSpanId();
    expect(
      (await postJson(app.base, jsonTraceRequest("cart", [{ traceId, spanId, name: "POST /cart/empty" }]))).status,
    ).toBe(200);
    expect(
      (
        await postLogs(
          app.base,
          jsonLogRequest("cart", [{ traceId, spanId, body: "cart emptied", severityText: "INFO" }]),
        )
      ).status,
    ).toBe(200);
    // A record of no trace: the trace's and the service's downloads leave it out.
    expect((await postLogs(app.base, jsonLogRequest("cart", [{ body: "cache warmed" }]))).status).toBe(200);

    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 700 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);

    await page.goto(`${app.base}/traces/${traceId}`);
    const link = page.getByTestId("trace-header").getByText("Download");
    expect(await link.getAttribute("title")).toContain("and its log records");
    const one = await downloaded(page, () => link.click());
    expect(one.name).toBe(`trace-${traceId}.jsonl`);
    expect(contents(one.text)).toEqual({ spans: ["POST /cart/empty"], logs: [`cart emptied (${traceId})`] });

    await page.goto(`${app.base}/?service=cart`);
    await expect.poll(() => page.getByTestId("trace-count").textContent()).toMatch(/^1 trace/);
    expect(await page.getByTestId("download-traces").getAttribute("title")).toContain("their log records");
    const list = await downloaded(page, () => page.getByTestId("download-traces").click());
    expect(contents(list.text)).toEqual({ spans: ["POST /cart/empty"], logs: [`cart emptied (${traceId})`] });

    // Cleared, then the trace's file dropped back: its span and its log record are stored again.
    expect((await fetch(`${app.base}/api/traces`, { method: "DELETE" })).status).toBe(200);
    const logsOfTrace = async () => {
      const answer = (await (await fetch(`${app.base}/api/logs?traceId=${traceId}`)).json()) as {
        logs: { body: unknown; spanId?: string }[];
      };
      return answer.logs.map((record) => `${String(record.body)} (${record.spanId})`);
    };
    expect(await logsOfTrace()).toEqual([]);
    await dropFile(page, one.name, one.text);
    await expect.poll(() => page.getByTestId("import-result").textContent()).toContain(`from ${one.name}`);
    await expect.poll(logsOfTrace).toEqual([`cart emptied (${spanId})`]);
    const trace = (await (await fetch(`${app.base}/api/traces/${traceId}`)).json()) as { spans: { name: string }[] };
    expect(trace.spans.map((span) => span.name)).toEqual(["POST /cart/empty"]);

    await context.close();
    expect(problems).toEqual([]);
  });

  it("imports a gzipped Jaeger JSON file dropped on the page, as `tracekit-local import` does", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const jaeger = {
      data: [
        {
          traceID: traceId,
          spans: [
            {
              traceID: traceId,
              spanID: "00f067aa0ba902b7",
              operationName: "GET /orders/:id",
              references: [],
              startTime: Date.now() * 1000,
              duration: 25_000,
              tags: [{ key: "span.kind", type: "string", value: "server" }],
              logs: [],
              processID: "p1",
            },
          ],
          processes: { p1: { serviceName: "orders", tags: [] } },
        },
      ],
    };
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/?service=orders`);
    // While a file is dragged over the page, it says what a drop imports: Jaeger's and Tempo's JSON too.
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(["{}"], "trace.json", { type: "application/json" }));
      document.body.dispatchEvent(new DragEvent("dragenter", { dataTransfer: transfer, bubbles: true }));
    });
    expect(await page.getByTestId("import-overlay").textContent()).toBe(
      "Drop files to import them: OTLP JSON, JSON Lines or protobuf, or a Jaeger or Tempo JSON trace, gzipped or not",
    );
    await dropBytes(page, "jaeger-trace.json.gz", gzipSync(JSON.stringify(jaeger, null, 2)));
    await expect
      .poll(() => page.getByTestId("import-result").textContent(), { timeout: 10_000 })
      .toContain("Imported 1 span in 1 trace from jaeger-trace.json.gz");
    const trace = (await (await fetch(`${app.base}/api/traces/${traceId}`)).json()) as {
      spans: { name: string; kind: string }[];
    };
    expect(trace.spans).toMatchObject([{ name: "GET /orders/:id", kind: "SERVER" }]);
    await page.close();
    expect(problems).toEqual([]);
  });
});
