// Browser benchmark, in a real Chromium against the built CLI:
//  1. navigation → first waterfall row painted, for a trace of 10,000 spans (target < 300 ms);
//  2. page open → 500 stored traces listed (target < 1 s);
//  3. a list of 10,000 traces: loading every page by scrolling, then frame times scrolling through it;
//  4. OTLP response → the trace showing in an open page, p50/p99 over 200 traces (target p99 < 50 ms).
// Then screenshots of the list and a trace view (light and dark) from demo traffic, in bench/out/.
// Run after `npm run build`:  node bench/browser.mjs     (CHROMIUM_PATH overrides /usr/bin/chromium)
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { percentile } from "../dist/domain/percentile.js";
import { launchChromium, postJson, scrollFrameTimes } from "./chromium.mjs";
import { startServer } from "./server.mjs";

const BIN = new URL("../bin/tracekit-local.js", import.meta.url).pathname;
const OUT = new URL("./out/", import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LIVE_TRACES = Number(process.env.BENCH_LIVE_TRACES ?? 200);

const hex = (bytes) =>
  Array.from({ length: bytes }, () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, "0"),
  ).join("");
const pct = (values, p) =>
  percentile(
    [...values].sort((a, b) => a - b),
    p,
  );
const ms = (n) => `${n.toFixed(1)} ms`;

/** An OTLP/JSON request: one trace per entry of `traces`, each a tree of `spans` spans. */
function otlpJson(service, traces) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = [];
  for (const { traceId, count, name } of traces) {
    const ids = Array.from({ length: count }, () => hex(8));
    for (let i = 0; i < count; i++) {
      // A bushy tree: each span's parent is one of the spans shortly before it.
      const parent = i === 0 ? undefined : ids[Math.max(0, i - 1 - Math.floor(Math.random() * Math.min(i, 20)))];
      const start = now + BigInt(i) * 100_000n;
      spans.push({
        traceId,
        spanId: ids[i],
        ...(parent ? { parentSpanId: parent } : {}),
        name: i === 0 ? name : `op-${i % 50} SELECT * FROM items WHERE id = ?`,
        kind: i === 0 ? 2 : 3,
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + BigInt(1_000_000 + (count - i) * 50_000)),
        attributes: [
          { key: "db.system.name", value: { stringValue: "postgresql" } },
          { key: "app.index", value: { intValue: String(i) } },
        ],
        status: i % 997 === 5 ? { code: 2, message: "boom" } : {},
      });
    }
  }
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: "bench" }, spans }],
      },
    ],
  });
}

const post = (base, body) => postJson(base, "/v1/traces", body);

async function bigTraceFirstPaint(browser, base) {
  const traceId = hex(16);
  // 10,000 spans in 10 requests of 1,000, as an SDK would send them.
  const ids = [];
  const body = JSON.parse(otlpJson("big-batch", [{ traceId, count: 10_000, name: "nightly batch" }]));
  const all = body.resourceSpans[0].scopeSpans[0].spans;
  for (let i = 0; i < all.length; i += 1000) {
    body.resourceSpans[0].scopeSpans[0].spans = all.slice(i, i + 1000);
    await post(base, JSON.stringify(body));
  }
  ids.push(traceId);
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript(() => {
      const check = () => {
        if (document.querySelector("[data-span-id]")) window.__firstRow = performance.now();
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
    await page.goto(`${base}/traces/${traceId}`);
    await page.waitForFunction(() => window.__firstRow !== undefined, null, { timeout: 30_000 });
    times.push(await page.evaluate(() => window.__firstRow));
    if (run === RUNS - 1) {
      // Scrolling: frames while the waterfall scrolls from top to bottom.
      const frames = await page.evaluate(scrollFrameTimes, { selector: "[data-span-id]", step: 400 });
      if (frames.length > 0) {
        console.log(
          `10k-span trace scroll: ${frames.length} frames, frame p50 ${ms(percentile(frames, 50))}, worst ${ms(frames.at(-1))}`,
        );
      }
    }
    await page.close();
  }
  console.log(
    `10k-span trace, navigation → first waterfall row painted: median ${ms(pct(times, 50))}, worst ${ms(Math.max(...times))} (${RUNS} runs; target < 300 ms)`,
  );
}

async function listOf500(browser, base) {
  await fetch(`${base}/api/traces`, { method: "DELETE", headers: { origin: base } });
  const traces = Array.from({ length: 500 }, (_, i) => ({ traceId: hex(16), count: 8, name: `GET /items/${i}` }));
  for (let i = 0; i < traces.length; i += 100) await post(base, otlpJson("shop", traces.slice(i, i + 100)));
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript(() => {
      const check = () => {
        const count = document.querySelector('[data-testid="trace-count"]')?.textContent ?? "";
        if (/^500\b/.test(count.trim()) && document.querySelector("[data-trace-id]"))
          window.__listed = performance.now();
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
    await page.goto(base);
    await page.waitForFunction(() => window.__listed !== undefined, null, { timeout: 30_000 });
    times.push(await page.evaluate(() => window.__listed));
    await page.close();
  }
  console.log(
    `500 stored traces listed after navigation: median ${ms(pct(times, 50))}, worst ${ms(Math.max(...times))} (${RUNS} runs; target < 1000 ms)`,
  );
}

async function scrollTenThousand(browser, base) {
  await fetch(`${base}/api/traces`, { method: "DELETE", headers: { origin: base } });
  const traces = Array.from({ length: 10_000 }, (_, i) => ({ traceId: hex(16), count: 3, name: `GET /orders/${i}` }));
  for (let i = 0; i < traces.length; i += 1000) await post(base, otlpJson("shop", traces.slice(i, i + 1000)));
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(base);
  await page.locator("[data-trace-id]").first().waitFor();
  // Older pages load as the list nears its end: scroll down until all 10,000 are there.
  const loadStart = performance.now();
  for (;;) {
    const count = await page.evaluate(() => {
      const list = document.querySelector(".trace-rows");
      list.scrollTop = list.scrollHeight;
      return document.querySelector('[data-testid="trace-count"]')?.textContent ?? "";
    });
    if (/^10,000\b/.test(count.trim())) break;
    if (performance.now() - loadStart > 60_000) throw new Error(`list stuck at ${count}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const loadMs = performance.now() - loadStart;
  const frames = await page.evaluate(scrollFrameTimes, { selector: ".trace-rows [data-trace-id]", step: 900 });
  const rows = await page.locator("[data-trace-id]").count();
  await page.close();
  console.log(
    `10,000-trace list: all pages loaded by scrolling in ${ms(loadMs)}; scrolling top to bottom ${frames.length} frames, ` +
      `frame p50 ${ms(percentile(frames, 50))}, p95 ${ms(percentile(frames, 95))}, worst ${ms(frames.at(-1))}; ${rows} rows in the DOM`,
  );
}

async function liveLatency(browser, base) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(base);
  await page.locator("[data-trace-id]").first().waitFor();
  await page.evaluate(() => {
    window.__seen = {};
    new MutationObserver((records) => {
      const at = performance.timeOrigin + performance.now();
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (!(node instanceof Element)) continue;
          for (const el of [node, ...node.querySelectorAll("[data-trace-id]")]) {
            const id = el.getAttribute?.("data-trace-id");
            if (id && window.__seen[id] === undefined) window.__seen[id] = at;
          }
        }
        if (record.type === "attributes" && record.target instanceof Element) {
          const id = record.target.getAttribute("data-trace-id");
          if (id && window.__seen[id] === undefined) window.__seen[id] = at;
        }
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-trace-id"] });
  });
  const answered = new Map();
  for (let i = 0; i < LIVE_TRACES; i++) {
    const traceId = hex(16);
    await post(base, otlpJson("live", [{ traceId, count: 5, name: `GET /live/${i}` }]));
    answered.set(traceId, performance.timeOrigin + performance.now());
    await new Promise((r) => setTimeout(r, 40));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const seen = await page.evaluate(() => window.__seen);
  const latencies = [];
  let missing = 0;
  for (const [traceId, at] of answered) {
    if (seen[traceId] === undefined) missing++;
    else latencies.push(seen[traceId] - at);
  }
  await page.close();
  console.log(
    `OTLP response → trace row in an open page: p50 ${ms(pct(latencies, 50))}, p99 ${ms(pct(latencies, 99))}, max ${ms(Math.max(...latencies))} over ${latencies.length} traces${missing ? `, ${missing} never shown` : ""} (target p99 < 50 ms)`,
  );
}

async function screenshots(browser, base) {
  mkdirSync(OUT, { recursive: true });
  await fetch(`${base}/api/traces`, { method: "DELETE", headers: { origin: base } });
  const demo = spawn(process.execPath, [BIN, "demo", "--url", base, "--duration", "6", "--rate", "8"], {
    stdio: "ignore",
  });
  await new Promise((resolve) => demo.on("exit", resolve));
  for (const theme of ["light", "dark"]) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: theme });
    await page.goto(base);
    await page.locator("[data-trace-id]").first().waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}trace-list-${theme}.png` });
    const errorRow = page.locator("[data-trace-id].has-error").first();
    await ((await errorRow.count()) > 0 ? errorRow : page.locator("[data-trace-id]").first()).click();
    await page.locator("[data-span-id]").first().waitFor();
    const errorSpan = page.locator("[data-span-id].error, [data-span-id][data-error]").first();
    if ((await errorSpan.count()) > 0) await errorSpan.click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}trace-view-${theme}.png` });
    await page.goto(`${base}/services`);
    await page.locator("[data-service]").first().waitFor();
    await page.screenshot({ path: `${OUT}services-${theme}.png` });
    await page.close();
  }
  console.log(`screenshots: ${OUT}trace-list-{light,dark}.png, trace-view-*.png, services-*.png`);
}

const { child, port } = await startServer();
const base = `http://127.0.0.1:${port}`;
const browser = await launchChromium();
try {
  await bigTraceFirstPaint(browser, base);
  await listOf500(browser, base);
  await scrollTenThousand(browser, base);
  await liveLatency(browser, base);
  if (process.env.BENCH_SCREENSHOTS !== "0") await screenshots(browser, base);
} finally {
  await browser.close();
  child.kill("SIGTERM");
}
