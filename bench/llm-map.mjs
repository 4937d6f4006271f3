// GET /api/llm, GET /api/service-map and GET /api/errors over BENCH_SPANS stored spans (default 1M), in
// the memory store and in a SQLite file: 100k traces of 10 spans spread over the last hour, 20 services,
// each trace calling a database, a cache, a peer that sends no spans and an LLM (so 100k GenAI calls);
// one trace in 23 fails, its root span with an exception (4 kinds, an order id in the message).
// The routes run in-process (Hono's app.request, JSON included), over everything and over the last
// 5 minutes: the first answer and the p50 of the next runs. Before them, how long the indexes take to
// fold every stored span in the background once the fill has stopped (the first answer comes after
// that, as when a page is opened a moment after a burst). Also: what the indexes (kept on every
// insert) weigh on their own, heap and RSS with the store filled, and the SQLite file reopened: how
// long reading its spans into the indexes in the background takes, the longest the event loop
// waited meanwhile, and an answer during it. Under each answer: how busy the event loop was during
// the timed runs, and how often the process was made to wait (for a core, for a page), which is
// where wall time beyond CPU time goes on a loaded machine. Last, rounds of new spans into the
// full store (evicting the oldest) each followed by both answers, as the open pages ask again. The
// last lines sum up each route's p50 against the 100 ms target, per store.
// Run after `npm run build`:  node --expose-gc bench/llm-map.mjs
// Knobs: BENCH_SPANS (1000000), BENCH_RUNS (9).
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { percentile } from "../dist/domain/percentile.js";
import { errorsApiRoutes } from "../dist/server/routes/errors-api.js";
import { llmApiRoutes } from "../dist/server/routes/llm-api.js";
import { serviceMapApiRoutes } from "../dist/server/routes/service-map-api.js";
import { createMemoryStore } from "../dist/store/memory-store.js";
import { createSpanViews } from "../dist/store/span-views.js";
import { createSqliteStore, loadSqliteDriver } from "../dist/store/sqlite-store.js";

const SPANS = Number(process.env.BENCH_SPANS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const TRACES = Math.ceil(SPANS / 10);
const fmt = (n, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
const hex = (n, width) => n.toString(16).padStart(width, "0");
const MODELS = ["gpt-4o-mini", "claude-sonnet-4-5-20250929", "gemini-2.5-flash", "local-llama"];
const PROBLEMS = [
  ["TypeError", (t) => `Cannot read properties of undefined (reading 'total') for order ${t}`],
  ["Error", (t) => `connect ECONNREFUSED 10.0.0.${t % 250}:5432`],
  ["TimeoutError", (t) => `request to http://inventory:8080/items/${t} timed out after 3000ms`],
  ["ValidationError", (t) => `"email" must be a valid email, got "user${t}@example"`],
];
const resources = new Map();
const scope = { name: "bench", version: "1" };
const resourceOf = (service) => {
  if (!resources.has(service)) resources.set(service, { "service.name": service });
  return resources.get(service);
};

function traceSpans(t, nowNs) {
  const traceId = hex(t + 1, 32);
  const start = nowNs - 3_600_000_000_000n + (BigInt(t) * 3_600_000_000_000n) / BigInt(TRACES);
  const front = `frontend-${t % 10}`;
  const back = `checkout-${t % 10}`;
  const fails = t % 23 === 0;
  const exception = (offsetMs) => {
    const [type, message] = PROBLEMS[(t / 23) % PROBLEMS.length];
    const text = message(t);
    const attributes = {
      "exception.type": type,
      "exception.message": text,
      "exception.stacktrace": `${type}: ${text}\n    at handle (/srv/shop/src/routes.js:${80 + (t % 5)}:7)`,
    };
    return [{ name: "exception", timeUnixNano: start + BigInt(offsetMs * 1e6), attributes }];
  };
  const span = (n, parent, service, kind, name, offsetMs, ms, attributes = {}, error = false) => ({
    traceId,
    spanId: hex(t * 16 + n, 16),
    parentSpanId: parent === null ? null : hex(t * 16 + parent, 16),
    name,
    kind,
    service,
    startTimeUnixNano: start + BigInt(offsetMs * 1e6),
    endTimeUnixNano: start + BigInt((offsetMs + ms) * 1e6),
    status: error ? { code: "ERROR", message: "failed" } : { code: "UNSET" },
    attributes,
    events: error && n === 1 ? exception(offsetMs + ms) : [],
    links: [],
    resource: resourceOf(service),
    scope,
  });
  const llm = {
    "gen_ai.provider.name": "openai",
    "gen_ai.operation.name": "chat",
    "gen_ai.response.model": MODELS[t % MODELS.length],
    "gen_ai.usage.input_tokens": 500 + (t % 1000),
    "gen_ai.usage.output_tokens": 50 + (t % 200),
  };
  return [
    span(1, null, front, "SERVER", "GET /checkout", 0, 120 + (t % 50), { "http.route": "/checkout" }, fails),
    span(2, 1, front, "CLIENT", "POST", 1, 110, { "url.full": `http://${back}:8080/orders` }),
    span(3, 2, back, "SERVER", "POST /orders", 2, 100 + (t % 40), { "http.route": "/orders" }, fails),
    span(4, 3, back, "CLIENT", "SELECT orders", 3, 5 + (t % 7), {
      "db.system.name": "postgresql",
      "db.namespace": "shop",
    }),
    span(5, 3, back, "CLIENT", "GET", 9, 1, { "db.system.name": "redis" }),
    span(6, 3, back, "CLIENT", "POST", 10, 30, { "server.address": "localhost", "server.port": 8082 }),
    span(7, 3, back, "INTERNAL", "price cart", 41, 2),
    span(8, 3, back, "CLIENT", "chat", 44, 50 + (t % 30), llm),
    span(9, 1, front, "INTERNAL", "render", 112, 5),
    span(10, 9, front, "INTERNAL", "template", 113, 3),
  ];
}

function fill(store) {
  const started = performance.now();
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  let batch = [];
  for (let t = 0; t < TRACES; t++) {
    batch.push(...traceSpans(t, nowNs));
    if (batch.length >= 1000) {
      store.insertSpans(batch);
      batch = [];
    }
  }
  if (batch.length > 0) store.insertSpans(batch);
  store.stats(); // flushes the SQLite store
  return (performance.now() - started) / 1000;
}

/**
 * After a fill: how long the indexes took to fold every span in the background once spans stopped
 * coming (they wait for a quiet spell first), and the longest the event loop waited meanwhile.
 */
async function caughtUp(label, store) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  while (!store.viewsWarm() && performance.now() - started < 30_000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  delay.disable();
  console.log(
    `${label}: the indexes ${store.viewsWarm() ? "caught up" : "had NOT caught up"} in the background ${fmt(performance.now() - started, 0)} ms after the last insert; event loop delay meanwhile max ${fmt(delay.max / 1e6)} ms, p99 ${fmt(delay.percentile(99) / 1e6)} ms`,
  );
}

async function time(app, path) {
  let t = performance.now();
  let response = await app.request(path);
  let body = await response.json();
  const first = performance.now() - t;
  const times = [];
  const cpu = [];
  // Why wall time can exceed CPU time: the event loop idle meanwhile (awaiting something) or the
  // process made to wait for a core (involuntary context switches) or for pages (major faults).
  const elu = performance.eventLoopUtilization();
  const usage = process.resourceUsage();
  for (let i = 0; i < RUNS; i++) {
    const used = process.cpuUsage();
    t = performance.now();
    response = await app.request(path);
    body = await response.json();
    times.push(performance.now() - t);
    const { user, system } = process.cpuUsage(used);
    cpu.push((user + system) / 1000);
  }
  const busy = performance.eventLoopUtilization(elu).utilization;
  const after = process.resourceUsage();
  const waits = {
    busy,
    preempted: (after.involuntaryContextSwitches - usage.involuntaryContextSwitches) / RUNS,
    faults: (after.majorPageFault - usage.majorPageFault) / RUNS,
  };
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { first, p50: percentile(times, 50), cpuP50: percentile(cpu, 50), body, waits };
}

/**
 * Live traffic with the pages open: rounds of 12,500 new spans (the oldest traces evicted, the store
 * being full) each followed by both answers, as the map page asks again every 2 s while spans arrive.
 * The SQLite store commits every 5,000 spans, so 2,500 wait for their commit when the answers are
 * asked for, as at an average moment of steady ingest.
 */
async function whileIngesting(label, store) {
  const map = mapApp(store);
  const llm = llmApiRoutes({ store });
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const times = { map: [], llm: [] };
  for (let round = 0; round < RUNS; round++) {
    const spans = [];
    for (let t = TRACES + round * 1250; t < TRACES + (round + 1) * 1250; t++) spans.push(...traceSpans(t, nowNs));
    for (let i = 0; i < spans.length; i += 1000) store.insertSpans(spans.slice(i, i + 1000));
    for (const [name, app, path] of [
      ["map", map, "/api/service-map"],
      ["llm", llm, "/api/llm?limit=500"],
    ]) {
      const t = performance.now();
      await (await app.request(path)).json();
      times[name].push(performance.now() - t);
    }
  }
  const p50 = (list) =>
    percentile(
      [...list].sort((a, b) => a - b),
      50,
    );
  console.log(
    `${label} while ingesting (12,500 new spans, then both answers; ${RUNS} rounds): /api/service-map p50 ${fmt(p50(times.map))} ms, /api/llm p50 ${fmt(p50(times.llm))} ms`,
  );
}

const heapMb = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 1e6;
};

const mapApp = (store) => serviceMapApiRoutes({ store, peerNames: new Map([["localhost:8082", "payments"]]) });

/** Each route's p50 over everything stored, per store, for the closing lines. */
const summary = [];

const describe = (body) =>
  "edges" in body
    ? `${body.nodes.length} nodes, ${body.edges.length} edges, ${fmt(body.tracesRead, 0)} traces`
    : "totalGroups" in body
      ? `${body.totalGroups} groups, ${fmt(body.totalErrors, 0)} errors`
      : `${fmt(body.totals.calls, 0)} calls, $${fmt(body.totals.usd, 2)}`;

async function report(label, store, target) {
  const map = mapApp(store);
  const llm = llmApiRoutes({ store });
  const errors = errorsApiRoutes({ store });
  const since = Date.now() - 5 * 60_000;
  for (const [name, app, path] of [
    ["GET /api/service-map", map, "/api/service-map"],
    ["GET /api/service-map (5 min)", map, `/api/service-map?since=${since}`],
    ["GET /api/llm", llm, "/api/llm?limit=500"],
    ["GET /api/llm (5 min)", llm, `/api/llm?limit=500&since=${since}`],
    ["GET /api/errors", errors, "/api/errors"],
    ["GET /api/errors (5 min)", errors, `/api/errors?since=${since}`],
  ]) {
    const { first, p50, cpuP50, body, waits } = await time(app, path);
    const what = describe(body);
    if (!name.includes("(")) summary.push({ label, name, p50, cpuP50, first, target });
    console.log(
      `${label} ${name.padEnd(30)} p50 ${fmt(p50).padStart(7)} ms, CPU ${fmt(cpuP50).padStart(6)} ms (first ${fmt(first, 0)} ms; ${what}; ${p50 < target ? "meets" : "MISSES"} < ${target} ms)`,
    );
    console.log(
      `${" ".repeat(label.length)}   event loop busy ${fmt(waits.busy * 100, 0)}% of the runs; per run ${fmt(waits.preempted)} involuntary context switches, ${fmt(waits.faults)} major page faults`,
    );
  }
  console.log(`load average now: ${loadavg()[0].toFixed(1)}`);
  console.log(`${label} heap ${fmt(heapMb(), 0)} MB, RSS ${fmt(process.memoryUsage().rss / 1e6, 0)} MB`);
}

/** The indexes alone, fed every span: what they add to the heap and in typed arrays, and once read (their cells per minute). */
async function viewsAlone() {
  // Typed arrays' memory is given back after the collection that frees them: collect, wait, collect.
  const usedMb = async () => {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
    globalThis.gc?.();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return (heapUsed + arrayBuffers) / 1e6;
  };
  const before = await usedMb();
  const views = createSpanViews();
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  for (let t = 0; t < TRACES; t++) for (const span of traceSpans(t, nowNs)) views.add(span);
  const fed = (await usedMb()) - before;
  const read = performance.now();
  views.serviceTraffic({});
  views.llmUsage({ limit: 1 }, {});
  const readMs = performance.now() - read;
  console.log(
    `indexes alone over ${fmt(SPANS, 0)} spans: +${fmt(fed, 1)} MB (heap and typed arrays); +${fmt((await usedMb()) - before, 1)} MB once read (the first read took ${fmt(readMs, 0)} ms)`,
  );
  return views;
}

/** Reopens the file: the background read of its spans into the indexes, the event loop meanwhile. */
async function reopened(path) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const started = performance.now();
  const store = createSqliteStore({ path, maxSpans: SPANS + 1000 });
  const opened = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 200));
  const t = performance.now();
  const during = await (await mapApp(store).request("/api/service-map")).json();
  const answer = performance.now() - t;
  delay.enable();
  while (store.viewsBuilding() !== null) await new Promise((resolve) => setTimeout(resolve, 20));
  delay.disable();
  const buildSeconds = (performance.now() - started) / 1000;
  // The same measure over as long a quiet second: what this machine's load alone makes the loop wait.
  const idle = monitorEventLoopDelay({ resolution: 1 });
  idle.enable();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  idle.disable();
  const building = during.building ?? { spansRead: 0, spansTotal: 0 };
  console.log(
    `sqlite reopened: open ${fmt(opened, 0)} ms; spans read into the indexes in ${fmt(buildSeconds)} s in the background; event loop delay max ${fmt(delay.max / 1e6)} ms, p99 ${fmt(delay.percentile(99) / 1e6)} ms (a quiet second after: max ${fmt(idle.max / 1e6)} ms, p99 ${fmt(idle.percentile(99) / 1e6)} ms)`,
  );
  console.log(
    `sqlite reopened: /api/service-map during it answered in ${fmt(answer)} ms with ${fmt(building.spansRead, 0)} of ${fmt(building.spansTotal, 0)} spans read`,
  );
  return store;
}

console.log(
  `load average at start: ${loadavg()
    .map((n) => n.toFixed(1))
    .join(" ")} (${cpus().length} cores)`,
);
{
  const views = await viewsAlone();
  if (views.serviceTraffic({}).traces !== TRACES) throw new Error("the indexes lost traces");
}
const memory = createMemoryStore({ maxSpans: SPANS + 1000 });
console.log(`memory: ${fmt(SPANS, 0)} spans stored in ${fmt(fill(memory))} s`);
await caughtUp("memory", memory);
await report("memory", memory, 100);
await whileIngesting("memory", memory);
memory.close();

await loadSqliteDriver();
const dir = mkdtempSync(join(tmpdir(), "tracekit-llm-map-bench-"));
try {
  const sqlite = createSqliteStore({ path: join(dir, "bench.db"), maxSpans: SPANS + 1000 });
  console.log(`sqlite: ${fmt(SPANS, 0)} spans stored in ${fmt(fill(sqlite))} s`);
  await caughtUp("sqlite", sqlite);
  await report("sqlite", sqlite, 100);
  await whileIngesting("sqlite", sqlite);
  sqlite.close();
  const again = await reopened(join(dir, "bench.db"));
  await caughtUp("sqlite reopened", again);
  await report("sqlite reopened", again, 100);
  again.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`over ${fmt(SPANS, 0)} stored spans (load average now ${loadavg()[0].toFixed(1)}):`);
for (const { label, name, p50, cpuP50, first, target } of summary) {
  console.log(
    `  ${`${label} ${name}`.padEnd(38)} p50 ${fmt(p50).padStart(6)} ms (CPU ${fmt(cpuP50).padStart(5)} ms): ${p50 < target ? "meets" : "MISSES"} < ${target} ms; first answer ${fmt(first, 0)} ms`,
  );
}
