// Services and operations under load. Three parts:
// 1. In process, for the memory store and a SQLite file: fill BENCH_SPANS spans (default 1M,
//    bench/payload.mjs traffic), then time listServices / listOperations (everything stored, and a
//    15-minute window).
// 2. Over HTTP: SENDERS senders (default 20) POST 100-span protobuf requests back to back (each with new
//    trace ids and its traces starting when it is sent, as live SDKs' do; BENCH_FIXED_TIMES=1 repeats
//    the same 100 start times in every request, as this bench did before) while
//    BROWSERS "browsers" (default 5) each ask GET /api/services and a search (`user.id=user-42`, which
//    no span holds: payload.mjs's spans carry user-0 … user-9, so every search reads the whole store, the
//    worst case) every POLL_MS (default 1000), for SECONDS (default 30) after the senders' first WARM_MS (default
//    2000); prints p50/p99 of each, and the time of one GET sent with the senders' first requests. The store is bounded by
//    MAX_SPANS (default 350,000), so retention evicts all along. STORES picks the stores ("memory,sqlite");
//    each prints its three p99s on one line, and what held the server's event loop (its delay
//    percentiles, garbage collection, CPU time: bench/load-probe.mjs preloaded into the server), and
//    the p99s of the same requests inside the server, and this process's own event-loop delay. The
//    browsers run in a worker thread (bench/read-pollers.mjs), so that their answers are not read late
//    behind the senders' work; BROWSERS_THREAD=main runs them beside the senders as before. BREAKDOWN=1
//    prints where the slowest GETs' time went (before sending, on the way to the server, in it, on the
//    way back) with the stalls of the server's and the browsers' event loops within each part.
//    SERVER_NODE_ARGS passes flags to the server's node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
// 3. Reopening a SQLite file of BENCH_SPANS spans: wall and CPU time of opening it (median of 3).
//    With BASE_DIST=<another build's dist/> (e.g. the main branch's), that build fills the file and
//    its reopen is timed as well; this build then opens a copy (statistics filled in once, as for any
//    file from before them) and reopens it.
// Run after `npm run build`:  node bench/services.mjs
// Knobs: BENCH_SPANS, SENDERS, BROWSERS, POLL_MS, SECONDS, WARM_MS, MAX_SPANS, STORES, SERVER_NODE_ARGS,
// BROWSERS_THREAD, BREAKDOWN, PARTS ("fill,load,reopen"), BASE_DIST.
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { Agent } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { percentile } from "../dist/domain/percentile.js";
import { decodeTraceRequestProtobuf } from "../dist/otlp/protobuf/traces.js";
import { createMemoryStore } from "../dist/store/memory-store.js";
import { createSqliteStore, loadSqliteDriver } from "../dist/store/sqlite-store.js";
import { buildRequest, freshRequest, withFreshTraceIds } from "./payload.mjs";
import { pollUntil, stallLog } from "./read-pollers.mjs";
import { get, postTraces, startServer } from "./server.mjs";

const SPANS = Number(process.env.BENCH_SPANS ?? 1_000_000);
const SENDERS = Number(process.env.SENDERS ?? 20);
const BROWSERS = Number(process.env.BROWSERS ?? 5);
const POLL_MS = Number(process.env.POLL_MS ?? 1000);
const SECONDS = Number(process.env.SECONDS ?? 30);
const WARM_MS = Number(process.env.WARM_MS ?? 2000);
const MAX_SPANS = Number(process.env.MAX_SPANS ?? 350_000);
const PARTS = (process.env.PARTS ?? "fill,load,reopen").split(",");
const STORES = (process.env.STORES ?? "memory,sqlite").split(",");
const BROWSERS_THREAD = process.env.BROWSERS_THREAD ?? "worker";
const SERVER_NODE_ARGS = (process.env.SERVER_NODE_ARGS ?? "").split(" ").filter((arg) => arg !== "");
const PROBE = new URL("./load-probe.mjs", import.meta.url).pathname;

const fmt = (n, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
const FIFTEEN_MINUTES_NS = 15n * 60n * 1_000_000_000n;

function median(run, runs = 15) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return percentile(times, 50);
}

function fill(store, template) {
  const started = performance.now();
  let spans = 0;
  while (spans < SPANS) {
    const batch = decodeTraceRequestProtobuf(withFreshTraceIds(template)).spans;
    store.insertSpans(batch);
    spans += batch.length;
  }
  store.stats(); // flushes the SQLite store
  return { spans, seconds: (performance.now() - started) / 1000 };
}

function reads(label, store) {
  const newest = BigInt(Date.now()) * 1_000_000n;
  const window = { sinceUnixNano: newest - FIFTEEN_MINUTES_NS };
  const services = median(() => store.listServices());
  const windowed = median(() => store.listServices(window));
  const operations = median(() => store.listOperations("frontend"));
  const count = store.listOperations("frontend")?.operations.length ?? 0;
  console.log(
    `  ${label}: listServices ${fmt(services, 2)} ms (15-minute window ${fmt(windowed, 2)} ms), ` +
      `listOperations("frontend", ${count} operations) ${fmt(operations, 2)} ms`,
  );
}

async function inProcess() {
  const template = buildRequest(100, 10);
  console.log(`\n1. In process, ${fmt(SPANS, 0)} spans (no retention)`);
  const memory = createMemoryStore({ maxSpans: SPANS * 2 });
  const filled = fill(memory, template);
  console.log(`  memory fill: ${fmt(filled.spans / filled.seconds, 0)} spans/s (statistics kept on insert)`);
  reads("memory", memory);
  memory.close();

  await loadSqliteDriver();
  const dir = mkdtempSync(join(tmpdir(), "tk-bench-services-"));
  try {
    const store = createSqliteStore({ path: join(dir, "bench.db"), maxSpans: SPANS * 2 });
    const sqliteFilled = fill(store, template);
    console.log(`  SQLite fill: ${fmt(sqliteFilled.spans / sqliteFilled.seconds, 0)} spans/s`);
    reads("SQLite", store);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Milliseconds (wall, and CPU of this process) to open the file with `open`, and the services it then lists. */
function timedOpen(open, path) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const store = open({ path, maxSpans: SPANS * 2 });
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - t;
  const services = JSON.stringify(store.listServices());
  store.close();
  return { ms, cpuMs: (used.user + used.system) / 1000, services };
}

function medianOpen(label, open, path, expected) {
  const opens = [];
  for (let i = 0; i < 3; i++) {
    const opened = timedOpen(open, path);
    if (expected !== undefined && opened.services !== expected) throw new Error(`${label}: statistics differ`);
    opens.push(opened);
  }
  const median = (key) =>
    percentile(
      opens.map((o) => o[key]).sort((a, b) => a - b),
      50,
    );
  console.log(
    `  ${label}: median ${fmt(median("ms"), 0)} ms, CPU ${fmt(median("cpuMs"), 0)} ms of 3 ` +
      `(${opens.map((o) => fmt(o.ms, 0)).join(", ")} ms; load average ${loadavg()[0].toFixed(2)})`,
  );
}

/**
 * Reopening a file of BENCH_SPANS spans. With BASE_DIST (another build's dist/, e.g. the main
 * branch's), that build fills the file and its reopen is timed too; this build then opens a copy,
 * the first time filling in what the older file lacks.
 */
async function reopen() {
  const baseDist = process.env.BASE_DIST;
  const base =
    baseDist === undefined ? null : await import(pathToFileURL(join(baseDist, "store/sqlite-store.js")).href);
  await loadSqliteDriver();
  await base?.loadSqliteDriver();
  const template = buildRequest(100, 10);
  const dir = mkdtempSync(join(tmpdir(), "tk-bench-services-"));
  const path = join(dir, "reopen.db");
  try {
    const filler = (base ?? { createSqliteStore }).createSqliteStore({ path, maxSpans: SPANS * 2 });
    const filled = fill(filler, template);
    const before = JSON.stringify(filler.listServices());
    filler.close();
    console.log(
      `\n3. Reopening a SQLite file of ${fmt(filled.spans, 0)} spans (${fmt(statSync(path).size / 2 ** 20, 0)} MiB), ` +
        `filled by ${base === null ? "this build" : baseDist}`,
    );
    if (base !== null) {
      medianOpen("that build's reopen", base.createSqliteStore, path);
      const copy = join(dir, "copy.db");
      copyFileSync(path, copy);
      const first = timedOpen(createSqliteStore, copy);
      console.log(
        `  this build's first open (an older file: statistics filled in once): ${fmt(first.ms, 0)} ms, CPU ${fmt(first.cpuMs, 0)} ms`,
      );
      medianOpen("this build's reopen after that", createSqliteStore, copy, first.services);
    } else {
      medianOpen("reopen", createSqliteStore, path, before);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summary(times) {
  times.sort((a, b) => a - b);
  return `p50 ${fmt(percentile(times, 50))} ms, p99 ${fmt(percentile(times, 99))} ms (${fmt(times.length, 0)})`;
}

const p99 = (times) => percentile(times, 99); // times sorted by summary()

/** Milliseconds of the stalls seen within (from, to] (a stall is seen when it ends), and the longest. */
function stalledWithin(stalls, from, to) {
  const within = stalls.filter(([at]) => at > from && at <= to + 1).map(([, late]) => late);
  return within.length === 0 ? "0" : `${within.reduce((a, b) => a + b, 0)}, longest ${Math.max(...within)}`;
}

/** How many stalls passed 50 and 100 ms, and the longest. */
function stallCounts(stalls) {
  const lates = stalls.map(([, late]) => late);
  const over = (ms) => lates.filter((late) => late >= ms).length;
  return `${over(50)} over 50 ms, ${over(100)} over 100 ms, longest ${lates.length === 0 ? 0 : Math.max(...lates)} ms`;
}

/**
 * Where the slowest GETs' time went: waiting in the browsers' thread before the request was sent,
 * between sending it and the server parsing its headers, in the server, and between the server writing
 * the answer and the browsers' thread reading its headers; with the stalls of both event loops within
 * each part (the clocks of two processes agree to a few ms).
 */
function breakdown(kind, gets, served, stalls, serverStalls) {
  const rows = gets
    .map((g) => ({ ...g, server: served[g.id] }))
    .filter((g) => g.server !== undefined)
    .sort((a, b) => b.done - b.asked - (a.done - a.asked))
    .slice(0, 4);
  for (const g of rows) {
    const [start, finish] = g.server;
    const part = (from, to) =>
      `${fmt(to - from, 0)} (stalls: browsers ${stalledWithin(stalls, from, to)}, server ${stalledWithin(serverStalls, from, to)})`;
    console.log(
      `      ${kind} ${fmt(g.done - g.asked, 0)} ms: before sending ${part(g.asked, g.sent)}, ` +
        `to the server ${part(g.sent, start)}, in it ${part(start, finish)}, back ${part(finish, g.head)}, ` +
        `body ${fmt(g.done - g.head, 0)}${g.reused ? "" : ", on a new connection"}`,
    );
  }
}

async function underLoad(label, args) {
  const probes = [];
  const { child, port } = await startServer(["--max-spans", String(MAX_SPANS), ...args], {
    nodeArgs: [...SERVER_NODE_ARGS, "--import", PROBE],
    onLine(line) {
      const match = /^LOAD-PROBE (\{.*\})$/.exec(line);
      if (match) probes.push(JSON.parse(match[1]));
    },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: SENDERS + BROWSERS + 2 });
  const template = buildRequest(10, 10);
  const posts = [];
  let spans = 0;
  try {
    // Warm up: the store holds data before the browsers look.
    for (let i = 0; i < 50; i++)
      await postTraces(port, freshRequest(template), { agent, contentType: "application/x-protobuf" });
    // The senders run WARM_MS before anything is timed: their first requests meet code V8 has not
    // optimised yet, and one GET among them waits ~150-200 ms, which is what a cold start costs, not
    // how reads fare under load. That GET is timed on its own.
    const measuredFrom = performance.now() + WARM_MS;
    const deadline = measuredFrom + SECONDS * 1000;
    async function sender() {
      while (performance.now() < deadline) {
        const body = freshRequest(template);
        const t = performance.now();
        await postTraces(port, body, { agent, contentType: "application/x-protobuf" });
        if (t < measuredFrom) continue;
        posts.push(performance.now() - t);
        spans += 100;
      }
    }
    // The browsers on an event loop of their own (a worker thread), unless BROWSERS_THREAD=main.
    const polling = () => {
      const options = { port, browsers: BROWSERS, pollMs: POLL_MS, deadline: performance.timeOrigin + deadline };
      if (BROWSERS_THREAD === "main") return pollUntil({ ...options, agent });
      const worker = new Worker(new URL("./read-pollers.mjs", import.meta.url), {
        workerData: { ...options, readPollers: true },
      });
      return new Promise((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
    };
    const sending = Array.from({ length: SENDERS }, sender);
    const coldStart = performance.now();
    const coldGet = get(agent, port, "/api/services").then(() => performance.now() - coldStart);
    await new Promise((resolve) => setTimeout(resolve, measuredFrom - performance.now()));
    child.kill("SIGUSR2"); // the probe's figures start with the timed load
    while (probes.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // This process shares the cores too: a late answer may have waited here, not in the server.
    const ownDelay = monitorEventLoopDelay({ resolution: 5 });
    ownDelay.enable();
    const ownStalls = stallLog();
    const ownCpu = process.cpuUsage();
    const [polled] = await Promise.all([polling(), ...sending]);
    const coldMs = await coldGet;
    const { services: serviceGets, search: searchGets } = polled.gets;
    const services = serviceGets.map((g) => g.done - g.asked);
    const searches = searchGets.map((g) => g.done - g.asked);
    ownDelay.disable();
    ownStalls.stop();
    const ownCpuUsed = process.cpuUsage(ownCpu);
    child.kill("SIGUSR2");
    while (probes.length === 1) await new Promise((resolve) => setTimeout(resolve, 10));
    const { loopDelay, gc, cpuMs, servedP99, requests, stalls } = probes[1];
    const gcText = Object.entries(gc)
      .map(([kind, g]) => `${kind} ${g.count}× ${fmt(g.totalMs, 0)} ms (longest ${g.maxMs})`)
      .join(", ");
    console.log(
      `  ${label}: ${fmt(spans / SECONDS, 0)} spans/s accepted\n` +
        `    GET /api/services  ${summary(services)}\n` +
        `    search             ${summary(searches)}\n` +
        `    POST /v1/traces    ${summary(posts)}\n` +
        `    server: event-loop delay p50 ${loopDelay.p50} ms, p99 ${loopDelay.p99} ms, max ${loopDelay.max} ms; ` +
        `CPU ${fmt(cpuMs / 1000, 1)} s; GC ${gcText}\n` +
        `    in the server (headers parsed to answer written), p99: ` +
        `services ${servedP99["/api/services"]} ms, search ${servedP99["/api/traces"]} ms, POST ${servedP99["/v1/traces"]} ms\n` +
        `    this process (the senders${BROWSERS_THREAD === "main" ? " and browsers" : ""}): event-loop delay p50 ${fmt(ownDelay.percentile(50) / 1e6)} ms, ` +
        `p99 ${fmt(ownDelay.percentile(99) / 1e6)} ms, max ${fmt(ownDelay.max / 1e6)} ms; ` +
        `CPU (all its threads) ${fmt((ownCpuUsed.user + ownCpuUsed.system) / 1e6, 1)} s\n` +
        `    p99 ${label}: services ${fmt(p99(services), 0)} ms, search ${fmt(p99(searches), 0)} ms, ` +
        `POST ${fmt(p99(posts), 0)} ms (load average ${loadavg()[0].toFixed(2)})\n` +
        `    the GET sent with the senders' first requests, ${fmt(WARM_MS / 1000, 1)} s before the above: services ${fmt(coldMs, 0)} ms`,
    );
    if (process.env.BREAKDOWN === "1") {
      console.log(
        `    stalls of the server's event loop: ${stallCounts(stalls)}; the senders': ${stallCounts(ownStalls.stalls)}; ` +
          `the browsers': ${stallCounts(polled.stalls)}`,
      );
      console.log("    slowest GETs, ms (with the event loops' stalls within each part, summed):");
      breakdown("services", serviceGets, requests, polled.stalls, stalls);
      breakdown("search", searchGets, requests, polled.stalls, stalls);
    }
  } finally {
    agent.destroy();
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

console.log(
  `services bench: ${cpus().length} cores, load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")}`,
);
if (PARTS.includes("fill")) await inProcess();
if (PARTS.includes("load")) {
  console.log(
    `\n2. Over HTTP: ${SENDERS} senders (100-span protobuf, back to back), ${BROWSERS} browsers ` +
      `(services + search every ${POLL_MS} ms), ${SECONDS} s, --max-spans ${fmt(MAX_SPANS, 0)}`,
  );
  if (STORES.includes("memory")) await underLoad("memory", []);
  if (STORES.includes("sqlite")) {
    const dir = mkdtempSync(join(tmpdir(), "tk-bench-services-"));
    try {
      await underLoad("SQLite", ["--db", join(dir, "load.db")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
if (PARTS.includes("reopen")) await reopen();
