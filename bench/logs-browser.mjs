// The Logs page in a real Chromium against the built CLI:
//  1. navigation → first log row painted, with 100,000 records stored;
//  2. scrolling: every page loaded down to 10,000 rows, then frame times scrolling through them;
//  3. OTLP logs response → the record showing in an open page, p50/p99 over 200 requests;
//  4. a burst of 20,000 records (1,000 per request) into an open page: time until all are listed.
// Run after `npm run build`:  node bench/logs-browser.mjs     (CHROMIUM_PATH overrides /usr/bin/chromium)
import { percentile } from "../dist/domain/percentile.js";
import { launchChromium, postJson, scrollFrameTimes } from "./chromium.mjs";
import { startServer } from "./server.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LIVE = Number(process.env.BENCH_LIVE_LOGS ?? 200);
const ms = (n) => `${n.toFixed(1)} ms`;
const sorted = (values) => [...values].sort((a, b) => a - b);
const LEVELS = [5, 9, 9, 9, 13, 17];

/** An OTLP/JSON logs request of `count` records from one service, numbered from `from`. */
function logsJson(service, from, count, tag = "bench") {
  const now = BigInt(Date.now()) * 1_000_000n;
  const logRecords = Array.from({ length: count }, (_, i) => ({
    timeUnixNano: String(now + BigInt(i) * 1000n),
    severityNumber: LEVELS[(from + i) % LEVELS.length],
    body: { stringValue: `${tag} ${from + i}: order processed for customer ${(from + i) % 997} in ${(i % 50) + 1} ms` },
    attributes: [{ key: "app.index", value: { intValue: String(from + i) } }],
  }));
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeLogs: [{ scope: { name: "bench" }, logRecords }],
      },
    ],
  });
}

const post = (base, body) => postJson(base, "/v1/logs", body);

async function fill(base, total) {
  for (let i = 0; i < total; i += 1000) await post(base, logsJson("shop", i, Math.min(1000, total - i)));
}

async function firstRow(browser, base) {
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript(() => {
      const check = () => {
        if (document.querySelector("[data-log-id]")) window.__firstRow = performance.now();
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
    await page.goto(`${base}/logs`);
    await page.waitForFunction(() => window.__firstRow !== undefined, null, { timeout: 30_000 });
    times.push(await page.evaluate(() => window.__firstRow));
    await page.close();
  }
  console.log(
    `Logs page, 100,000 records stored, navigation → first row painted: median ${ms(percentile(sorted(times), 50))}, worst ${ms(Math.max(...times))} (${RUNS} runs)`,
  );
}

async function scrollThrough(browser, base) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/logs`);
  await page.locator("[data-log-id]").first().waitFor();
  const start = performance.now();
  for (;;) {
    const count = await page.evaluate(() => {
      const list = document.querySelector(".log-rows");
      list.scrollTop = list.scrollHeight;
      return document.querySelector('[data-testid="log-count"]')?.textContent ?? "";
    });
    if (Number.parseInt(count.replace(/,/g, ""), 10) >= 10_000) break;
    if (performance.now() - start > 60_000) throw new Error(`list stuck at ${count}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const loadMs = performance.now() - start;
  const frames = await page.evaluate(scrollFrameTimes, { selector: ".log-rows [data-log-id]", step: 900 });
  const rows = await page.locator("[data-log-id]").count();
  await page.close();
  console.log(
    `Logs page, 10,000 rows loaded by scrolling in ${ms(loadMs)}; scrolling top to bottom ${frames.length} frames, ` +
      `frame p50 ${ms(percentile(frames, 50))}, p95 ${ms(percentile(frames, 95))}, worst ${ms(frames.at(-1))}; ${rows} rows in the DOM`,
  );
}

/** Watches the page for rows whose body names `tag n`, noting when each first appears. */
async function watchRows(page, tag) {
  await page.evaluate((prefix) => {
    window.__seen = {};
    const note = (el) => {
      const text = el.querySelector?.(".log-line")?.textContent ?? "";
      const match = text.startsWith(prefix) ? /^\S+ (\d+):/.exec(text) : null;
      if (match && window.__seen[match[1]] === undefined)
        window.__seen[match[1]] = performance.timeOrigin + performance.now();
    };
    new MutationObserver((records) => {
      for (const record of records)
        for (const node of record.addedNodes)
          if (node instanceof Element) [node, ...node.querySelectorAll("[data-log-id]")].forEach(note);
    }).observe(document.body, { subtree: true, childList: true });
  }, tag);
}

async function liveLatency(browser, base) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/logs`);
  await page.locator("[data-log-id]").first().waitFor();
  await watchRows(page, "live");
  const answered = new Map();
  for (let i = 0; i < LIVE; i++) {
    await post(base, logsJson("live", i, 1, "live"));
    answered.set(String(i), performance.timeOrigin + performance.now());
    await new Promise((r) => setTimeout(r, 40));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const seen = await page.evaluate(() => window.__seen);
  const latencies = [];
  for (const [n, at] of answered) if (seen[n] !== undefined) latencies.push(seen[n] - at);
  await page.close();
  const s = sorted(latencies);
  console.log(
    `Live: OTLP logs response → row in an open Logs page: p50 ${ms(percentile(s, 50))}, p99 ${ms(percentile(s, 99))} ` +
      `(${latencies.length} of ${LIVE} seen)`,
  );
}

async function burst(browser, base) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/logs?service=burst`);
  await page.getByTestId("logs-no-match").waitFor();
  const start = performance.now();
  for (let i = 0; i < 20_000; i += 1000) await post(base, logsJson("burst", i, 1000, "burst"));
  const sentMs = performance.now() - start;
  await page.waitForFunction(
    () => (document.querySelector('[data-testid="log-count"]')?.textContent ?? "").startsWith("10,000"),
    null,
    { timeout: 60_000 },
  );
  const listedMs = performance.now() - start;
  await page.close();
  console.log(
    `Burst: 20,000 records in 20 requests (sent in ${ms(sentMs)}) into an open page: its first 10,000 rows listed ` +
      `${ms(listedMs)} after the first request (it keeps the newest 10,000; older ones page in on scroll)`,
  );
}

const { child, port } = await startServer();
const base = `http://127.0.0.1:${port}`;
const browser = await launchChromium();
try {
  await fill(base, 100_000);
  await firstRow(browser, base);
  await scrollThrough(browser, base);
  await liveLatency(browser, base);
  await burst(browser, base);
} finally {
  await browser.close();
  child.kill();
}
