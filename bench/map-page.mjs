// Service map page benchmark, in a real Chromium against the built CLI (target: 50 services < 300 ms):
// navigation → map drawn, from the navigation's start (performance.now() = 0) until the first animation
// frame in which the map's SVG holds every node of the answer (laid out by dagre, text labels and all).
// The stored traffic: 50 services calling each other as a tree (each service calls two others), the
// leaves calling a database, a cache or an LLM provider, so 53 nodes and 74 edges. Each line also says
// when the app had started (DOMContentLoaded) and when /api/service-map had answered, so the page's own
// part (answer → map drawn) reads apart from the server's, and how long the renderer's main thread was
// busy, and the CPU time the renderer and the server spent until drawn (which a loaded machine moves far
// less); the Services page's start is printed first as a reference for what this machine's load costs
// any page, with the load average.
// Run after `npm run build`:  node bench/map-page.mjs     (CHROMIUM_PATH overrides /usr/bin/chromium)
// Last, live reloads in one open page: the same traffic again (new ids, the same 53 nodes and 74 edges),
// and what the page's main thread spent from posting it until the reloaded map was drawn, and whether
// any node moved.
// Knobs: BENCH_RUNS (7); BENCH_PROFILE=N also profiles that many navigations with the CDP sampling
// profiler and prints where the page's main thread went: self time by function, and by script.
import { cpus, loadavg } from "node:os";
import { launchChromium, timeBoots, timeNavigations } from "./chromium.mjs";
import { startServer } from "./server.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SERVICES = 50;
const TRACES_PER_EDGE = 4;

const ms = (n) => `${n.toFixed(1)} ms`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const hex = (n, width) => n.toString(16).padStart(width, "0");
const text = (key, value) => ({ key, value: { stringValue: value } });
const serviceName = (i) => `service-${String(i).padStart(2, "0")}`;

/**
 * OTLP/JSON: per edge of the tree, traces of caller SERVER → caller CLIENT → callee SERVER (→ a peer at
 * the leaves). Each `round` has trace and span ids of its own: the same map, with more calls.
 */
function tracesRequest(round = 0) {
  const byService = new Map();
  const add = (service, span) => {
    if (!byService.has(service)) byService.set(service, []);
    byService.get(service).push(span);
  };
  const now = BigInt(Date.now()) * 1_000_000n;
  let trace = round * 10_000;
  for (let child = 1; child < SERVICES; child++) {
    const parent = Math.floor((child - 1) / 2);
    for (let n = 0; n < TRACES_PER_EDGE; n++) {
      trace++;
      const traceId = hex(trace, 32);
      const start = now - BigInt(trace % 10_000) * 50_000_000n;
      const span = (id, parentId, name, kind, offsetMs, durMs, attributes = []) => ({
        traceId,
        spanId: hex(trace * 8 + id, 16),
        parentSpanId: parentId === null ? "" : hex(trace * 8 + parentId, 16),
        name,
        kind,
        startTimeUnixNano: String(start + BigInt(offsetMs * 1e6)),
        endTimeUnixNano: String(start + BigInt((offsetMs + durMs) * 1e6)),
        attributes,
        status: { code: trace % 17 === 0 ? 2 : 0 },
      });
      add(serviceName(parent), span(1, null, "GET /work", 2, 0, 40));
      add(
        serviceName(parent),
        span(2, 1, "POST", 3, 1, 30, [text("url.full", `http://${serviceName(child)}:8080/work`)]),
      );
      add(serviceName(child), span(3, 2, "POST /work", 2, 2, 25));
      if (child * 2 + 1 >= SERVICES) {
        const peer = [
          [text("db.system.name", "postgresql")],
          [text("db.system.name", "redis")],
          [text("gen_ai.provider.name", "openai"), text("gen_ai.response.model", "gpt-4o-mini")],
        ][child % 3];
        add(serviceName(child), span(4, 3, "call", 3, 3, 10, peer));
      }
    }
  }
  return JSON.stringify({
    resourceSpans: [...byService].map(([service, spans]) => ({
      resource: { attributes: [text("service.name", service)] },
      scopeSpans: [{ scope: { name: "bench" }, spans }],
    })),
  });
}

/** In the page: resolves with performance.now() at the first frame where the map holds `nodes` nodes. */
function mapDrawn(nodes) {
  return new Promise((resolve) => {
    const check = () => {
      const map = document.querySelector('[data-testid="service-map"]');
      if (map !== null && map.querySelectorAll("g.map-node").length === nodes) resolve(performance.now());
      else requestAnimationFrame(check);
    };
    check();
  });
}

async function newPage(browser) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(`window.__mapDrawn = ${mapDrawn.toString()};`);
  return page;
}

function milestones() {
  const nav = performance.getEntriesByType("navigation")[0];
  const query = performance.getEntriesByType("resource").find((r) => r.name.includes("/api/service-map"));
  return { booted: nav?.domContentLoadedEventEnd ?? Number.NaN, answered: query?.responseEnd ?? Number.NaN };
}

async function navigationToMap(browser, base, nodes, serverPid) {
  const { times, booted, answered, busy, cpu } = await timeNavigations({
    browser,
    newPage,
    serverPid,
    url: `${base}/map`,
    runs: RUNS,
    drawn: (page) => page.evaluate((n) => window.__mapDrawn(n), nodes),
    milestones,
  });
  console.log(
    `/map (${nodes} nodes), navigation → map drawn: median ${ms(median(times))}, first ${ms(times[0])}, worst ${ms(Math.max(...times))} (${RUNS} runs; target < 300 ms); ` +
      `medians: app started (DOMContentLoaded) ${ms(median(booted))}, /api/service-map answered ${ms(median(answered))}, ` +
      `answer → map drawn ${ms(median(times.map((t, i) => t - answered[i])))}; page main thread busy ${ms(median(busy.map((b) => b.task)))}; ` +
      `CPU until drawn: renderer ${ms(median(cpu.map((c) => c.renderer)))} (main thread ${ms(median(cpu.map((c) => c.rendererMain)))}), server ${ms(median(cpu.map((c) => c.server)))} (medians; first: server ${ms(cpu[0]?.server ?? Number.NaN)})`,
  );
}

/** Self time (ms) per key of a CDP CPU profile's samples, `keyOf(callFrame)` naming the key. */
function selfTimes(profile, keyOf, into) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  profile.samples.forEach((id, i) => {
    const key = keyOf(byId.get(id).callFrame);
    into.set(key, (into.get(key) ?? 0) + profile.timeDeltas[i] / 1000);
  });
}

async function profileNavigations(browser, base, nodes, runs) {
  const byFunction = new Map();
  const byScript = new Map();
  let drawn = 0;
  for (let run = 0; run < runs; run++) {
    const page = await newPage(browser);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    await cdp.send("Profiler.start");
    await page.goto(`${base}/map`, { waitUntil: "commit" });
    drawn += await page.evaluate((n) => window.__mapDrawn(n), nodes);
    const { profile } = await cdp.send("Profiler.stop");
    const file = (url) => url.replace(/^.*\//, "") || "(no script)";
    selfTimes(
      profile,
      (f) => `${f.functionName || "(anonymous)"} ${file(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}`,
      byFunction,
    );
    selfTimes(profile, (f) => (f.url ? file(f.url) : f.functionName), byScript);
    await page.close();
  }
  const top = (map, n) =>
    [...map]
      .filter(([key]) => !key.startsWith("(idle)"))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, total]) => `  ${(total / runs).toFixed(1).padStart(7)} ms  ${key}`)
      .join("\n");
  console.log(
    `profile of ${runs} navigations (map drawn at ${ms(drawn / runs)} on average), self time per navigation:`,
  );
  console.log(`by script:\n${top(byScript, 12)}\nby function:\n${top(byFunction, 25)}`);
}

/** The renderer's main-thread time so far (ms), all tasks. */
async function taskTime(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return (metrics.find((m) => m.name === "TaskDuration")?.value ?? 0) * 1000;
}

/** In the page: resolves once the next /api/service-map answer has arrived and two frames have passed. */
function nextMapAnswerDrawn() {
  return new Promise((resolve) => {
    new PerformanceObserver((list, observer) => {
      if (!list.getEntries().some((entry) => entry.name.includes("/api/service-map"))) return;
      observer.disconnect();
      requestAnimationFrame(() => requestAnimationFrame(() => resolve()));
    }).observe({ type: "resource" });
  });
}

/** In the page: each node's place on screen. */
function nodePlaces() {
  return [...document.querySelectorAll("g.map-node")].map((g) => {
    const box = g.getBoundingClientRect();
    return `${g.getAttribute("data-node-id")} ${box.x.toFixed(1)},${box.y.toFixed(1)}`;
  });
}

async function liveReloads(browser, base, nodes, runs) {
  const page = await newPage(browser);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.goto(`${base}/map`);
  await page.evaluate((n) => window.__mapDrawn(n), nodes);
  // The live connection's first message asks for the map again 2 s later: let that pass.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const busy = [];
  let moved = 0;
  for (let round = 1; round <= runs; round++) {
    const places = await page.evaluate(nodePlaces);
    const drawn = page.evaluate(nextMapAnswerDrawn);
    const before = await taskTime(cdp);
    const response = await fetch(`${base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: tracesRequest(round),
    });
    if (response.status !== 200) throw new Error(`POST /v1/traces: ${response.status}`);
    await drawn;
    busy.push((await taskTime(cdp)) - before);
    const after = await page.evaluate(nodePlaces);
    moved += after.filter((place, i) => place !== places[i]).length;
  }
  await page.close();
  console.log(
    `live reload, same nodes and edges (${runs} runs): page main thread busy from posting to drawn median ${ms(median(busy))}, ` +
      `worst ${ms(Math.max(...busy))}; nodes moved: ${moved}`,
  );
}

async function referenceBoot(browser, base) {
  const times = await timeBoots({ browser, newPage, url: `${base}/services`, runs: RUNS });
  console.log(`reference: /services, navigation → app started (DOMContentLoaded): median ${ms(median(times))}`);
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
  const response = await fetch(`${base}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: tracesRequest(),
  });
  if (response.status !== 200) throw new Error(`POST /v1/traces: ${response.status} ${await response.text()}`);
  const map = await (await fetch(`${base}/api/service-map`)).json();
  const services = map.nodes.filter((n) => n.kind === "service").length;
  console.log(`stored: ${services} services, ${map.nodes.length} nodes, ${map.edges.length} edges`);
  if (services !== SERVICES) throw new Error(`expected ${SERVICES} services on the map, got ${services}`);
  await referenceBoot(browser, base);
  await navigationToMap(browser, base, map.nodes.length, child.pid);
  await liveReloads(browser, base, map.nodes.length, RUNS);
  const profiled = Number(process.env.BENCH_PROFILE ?? 0);
  if (profiled > 0) await profileNavigations(browser, base, map.nodes.length, profiled);
  console.log(`load average ${load()}`);
} finally {
  await browser.close();
  child.kill("SIGTERM");
}
