// Metrics page benchmark, in a real Chromium against the built CLI (target: 200 series < 300 ms):
//  1. navigation → chart drawn, for a gauge of 200 series (200 lines) and a histogram of 200 series
//     (200 p95 lines and the heatmap): from the navigation's start (performance.now() = 0) until the
//     first animation frame in which the chart's canvas is in the page with all 200 lines built;
//  2. selection → chart drawn: a click on the other metric in the catalog until its chart is drawn.
// uPlot draws synchronously in a microtask after it is built, so the frame after the canvas appears
// has it painted. Each line also says when the app had started (DOMContentLoaded) and when the series
// arrived, so the page's own part (answer → chart drawn) reads apart from the server's, and how long the
// renderer's main thread was busy (Chromium's TaskDuration, ScriptDuration, Layout + RecalcStyle), and the CPU
// time the renderer and the server spent until drawn (which a loaded machine moves far less); the Services
// page's start is printed first as a reference for what this machine's load costs any page, with the load
// average. Then light and dark screenshots in bench/out/.
// Run after `npm run build`:  node bench/metrics-page.mjs     (CHROMIUM_PATH overrides /usr/bin/chromium;
// BENCH_PROFILE=1 writes the page's CPU profile of each cold navigation to bench/out/)
import { mkdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { launchChromium, timeBoots, timeNavigations } from "./chromium.mjs";
import { startServer } from "./server.mjs";

const OUT = new URL("./out/", import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/** BENCH_PROFILE=1: a CPU profile of the page's main thread per cold navigation, in bench/out/. */
const PROFILE = process.env.BENCH_PROFILE === "1";
const SERIES = 200;
const STEPS = 120;
const WINDOW_MS = 15 * 60_000;

const ms = (n) => `${n.toFixed(1)} ms`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const attr = (key, value) => ({ key, value: { stringValue: value } });

/** One OTLP/JSON request: one point (or delta histogram) per series, all at `timeMs`. */
function metricsRequest(timeMs, stepMs) {
  const time = String(BigInt(timeMs) * 1_000_000n);
  const start = String(BigInt(timeMs - stepMs) * 1_000_000n);
  const gauge = [];
  const histogram = [];
  for (let s = 0; s < SERIES; s++) {
    const attributes = [attr("instance", `instance-${String(s).padStart(3, "0")}`)];
    gauge.push({
      attributes,
      timeUnixNano: time,
      asDouble: 1e6 * (1 + s / 10) * (1 + Math.sin(timeMs / 60_000 + s) / 4),
    });
    const counts = [0, 1 + (s % 3), 4, 6 + (s % 5), 3, 1, 0];
    const count = counts.reduce((a, b) => a + b, 0);
    histogram.push({
      attributes: [attr("http.route", `/route/${s}`)],
      startTimeUnixNano: start,
      timeUnixNano: time,
      count: String(count),
      sum: count * 0.05,
      bucketCounts: counts.map(String),
      explicitBounds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    });
  }
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [attr("service.name", "bench")] },
        scopeMetrics: [
          {
            scope: { name: "bench" },
            metrics: [
              { name: "bench.memory", unit: "By", gauge: { dataPoints: gauge } },
              { name: "bench.latency", unit: "s", histogram: { aggregationTemporality: 1, dataPoints: histogram } },
            ],
          },
        ],
      },
    ],
  });
}

async function fill(base) {
  const stepMs = WINDOW_MS / STEPS;
  const end = Date.now();
  for (let i = STEPS - 1; i >= 0; i--) {
    const response = await fetch(`${base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: metricsRequest(end - i * stepMs, stepMs),
    });
    if (response.status !== 200) throw new Error(`POST /v1/metrics: ${response.status} ${await response.text()}`);
  }
  const catalog = await (await fetch(`${base}/api/metrics`)).json();
  for (const m of catalog.metrics) console.log(`stored ${m.name}: ${m.seriesCount} series (${m.chart})`);
}

/** In the page: resolves with performance.now() at the first frame where `name`'s chart is drawn with `lines` lines. */
function chartDrawn({ name, lines }) {
  return new Promise((resolve) => {
    const check = () => {
      const chart = document.querySelector(
        `[data-metric="${name}"] [data-testid="metric-chart"][data-lines="${lines}"]`,
      );
      const canvas = chart?.querySelector("canvas");
      if (canvas && canvas.width > 0) resolve(performance.now());
      else requestAnimationFrame(check);
    };
    check();
  });
}

/** A page with `window.__chartDrawn` (injected before the app's own scripts, outside its CSP). */
async function newPage(browser, options = {}) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, ...options });
  await page.addInitScript(`window.__chartDrawn = ${chartDrawn.toString()};`);
  return page;
}

/** In the page, once the chart is drawn: when the app had started, and when the metric's series had arrived. */
function milestones(name) {
  const nav = performance.getEntriesByType("navigation")[0];
  const query = performance.getEntriesByType("resource").find((r) => r.name.includes(`/api/metrics/${name}?`));
  return { booted: nav?.domContentLoadedEventEnd ?? Number.NaN, answered: query?.responseEnd ?? Number.NaN };
}

async function navigationToChart(browser, base, name, serverPid) {
  const { times, booted, answered, busy, cpu } = await timeNavigations({
    browser,
    newPage,
    serverPid,
    url: `${base}/metrics?metric=${name}`,
    runs: RUNS,
    drawn: (page) => page.evaluate((args) => window.__chartDrawn(args), { name, lines: SERIES }),
    milestones,
    milestonesArg: name,
    profileTo: PROFILE ? `${OUT}metrics-page-${name}` : undefined,
  });
  console.log(
    `${name} (${SERIES} series), navigation → chart drawn: median ${ms(median(times))}, worst ${ms(Math.max(...times))} (${RUNS} runs; target < 300 ms); ` +
      `medians: app started (DOMContentLoaded) ${ms(median(booted))}, series answered ${ms(median(answered))}, ` +
      `answer → chart drawn ${ms(median(times.map((t, i) => t - answered[i])))}; ` +
      `page main thread busy ${ms(median(busy.map((b) => b.task)))} (script ${ms(median(busy.map((b) => b.script)))}, ` +
      `style and layout ${ms(median(busy.map((b) => b.layout)))}); ` +
      `CPU until drawn: renderer ${ms(median(cpu.map((c) => c.renderer)))} (main thread ${ms(median(cpu.map((c) => c.rendererMain)))}), server ${ms(median(cpu.map((c) => c.server)))} (medians)`,
  );
}

async function selectionToChart(browser, base, from, to) {
  const times = [];
  const answered = [];
  const page = await newPage(browser);
  await page.goto(`${base}/metrics?metric=${from}`);
  await page.evaluate((args) => window.__chartDrawn(args), { name: from, lines: SERIES });
  // The catalog loads beside the chart's query and may answer after it.
  await page.waitForSelector(`.catalog-row[data-metric="${to}"]`);
  for (let run = 0; run < RUNS; run++) {
    const target = run % 2 === 0 ? to : from;
    const took = await page.evaluate(
      async ({ target, lines }) => {
        const start = performance.now();
        document.querySelector(`.catalog-row[data-metric="${target}"]`).click();
        const drawn = await window.__chartDrawn({ name: target, lines });
        const query = performance
          .getEntriesByType("resource")
          .filter((r) => r.name.includes(`/api/metrics/${target}?`))
          .at(-1);
        return { drawn: drawn - start, answered: (query?.responseEnd ?? Number.NaN) - start };
      },
      { target, lines: SERIES },
    );
    times.push(took.drawn);
    answered.push(took.answered);
  }
  await page.close();
  console.log(
    `catalog click → chart drawn (${SERIES} series, ${from} ⇄ ${to}): median ${ms(median(times))}, worst ${ms(Math.max(...times))} (${RUNS} runs; target < 300 ms); ` +
      `median series answered ${ms(median(answered))}, answer → chart drawn ${ms(median(times.map((t, i) => t - answered[i])))}`,
  );
}

/** The same app without a chart, for reference: navigation → DOMContentLoaded of the Services page. */
async function referenceBoot(browser, base) {
  const times = await timeBoots({ browser, newPage, url: `${base}/services`, runs: RUNS });
  console.log(`reference: /services, navigation → app started (DOMContentLoaded): median ${ms(median(times))}`);
}

async function screenshots(browser, base) {
  mkdirSync(OUT, { recursive: true });
  for (const theme of ["light", "dark"]) {
    const page = await newPage(browser, { viewport: { width: 1440, height: 900 }, colorScheme: theme });
    await page.goto(`${base}/metrics?metric=bench.latency&groupBy=http.route`);
    await page.evaluate((args) => window.__chartDrawn(args), { name: "bench.latency", lines: SERIES });
    await page.screenshot({ path: `${OUT}metrics-${theme}.png` });
    await page.close();
  }
  console.log(`screenshots: ${OUT}metrics-{light,dark}.png`);
}

const { child, port } = await startServer();
const base = `http://127.0.0.1:${port}`;
const browser = await launchChromium();
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
console.log(`load average ${load()} on ${cpus().length} cores`);
try {
  if (PROFILE) mkdirSync(OUT, { recursive: true });
  await fill(base);
  await referenceBoot(browser, base);
  await navigationToChart(browser, base, "bench.memory", child.pid);
  await navigationToChart(browser, base, "bench.latency", child.pid);
  await selectionToChart(browser, base, "bench.memory", "bench.latency");
  if (process.env.BENCH_SCREENSHOTS !== "0") await screenshots(browser, base);
  console.log(`load average ${load()}`);
} finally {
  await browser.close();
  child.kill("SIGTERM");
}
