// Query-language benchmark: fills the memory store and a SQLite file with BENCH_SPANS spans
// (default 1M: bench/payload.mjs traffic, 100 traces × 10 spans per request), then times the trace
// list's queries on each store directly (no HTTP): a common `key=value` (matches at once), a rare one
// (one trace, stored first, so the whole store is walked), a rare `duration>`, autocomplete, and the
// list sorted by duration or span count (the true top of every stored trace), alone and with a query,
// and free text, rare and common.
// Times are wall-clock medians, and the median CPU time of the process (user + system) beside them.
// Run after `npm run build`:  node bench/query.mjs
// Knobs: BENCH_SPANS (1000000), BENCH_RUNS (runs per query, 9), BENCH_SECONDS (cap per query, 30).
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { decodeTraceRequestProtobuf } from "../dist/otlp/protobuf/traces.js";
import { createMemoryStore } from "../dist/store/memory-store.js";
import { createSqliteStore, loadSqliteDriver } from "../dist/store/sqlite-store.js";
import { buildRequest, withFreshTraceIds } from "./payload.mjs";
import { time as timeRuns } from "./timing.mjs";

const SPANS = Number(process.env.BENCH_SPANS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const MAX_SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const time = (run) => timeRuns(run, { runs: RUNS, maxSeconds: MAX_SECONDS });

const template = buildRequest(100, 10);
const fmt = (n, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

/** One old trace the rare queries look for: an order id no other span has, and one slow span. */
function needleSpans() {
  const [first] = decodeTraceRequestProtobuf(withFreshTraceIds(template)).spans;
  const start = first.startTimeUnixNano - 3_600_000_000_000n;
  return [
    {
      ...first,
      parentSpanId: null,
      startTimeUnixNano: start,
      endTimeUnixNano: start + 400_000_000n,
      attributes: { ...first.attributes, "app.order.id": 89581 },
    },
  ];
}

function fill(store) {
  const started = performance.now();
  store.insertSpans(needleSpans());
  let spans = 1;
  while (spans < SPANS) {
    const batch = decodeTraceRequestProtobuf(withFreshTraceIds(template)).spans;
    store.insertSpans(batch);
    spans += batch.length;
  }
  store.stats(); // flushes the SQLite store
  return { spans, seconds: (performance.now() - started) / 1000 };
}

/**
 * A full first page as a client gets it: a search that runs past the store's time budget answers
 * `partial` with a cursor, and is asked again until the page is full or the store is walked.
 * Keeps the longest single call: how long the server was held at once.
 */
function fullPage(store, q, sort = {}) {
  const traces = [];
  let cursor;
  let calls = 0;
  let longest = 0;
  for (;;) {
    const t = performance.now();
    const page = store.listTraces({ limit: 50 - traces.length, q, ...sort, ...(cursor ? { cursor } : {}) });
    longest = Math.max(longest, performance.now() - t);
    calls++;
    traces.push(...page.traces);
    cursor = page.nextCursor;
    if (!page.partial || cursor === undefined || traces.length >= 50) return { traces, calls, longest };
  }
}

function report(label, store, target) {
  const queries = [
    ["key=value, common", "http.response.status_code=500"],
    ["key=value, rare (one old trace)", "app.order.id=89581"],
    ["duration>, rare (one old trace)", "duration>250ms"],
    ["key=value AND duration>, rare", "http.route=/api/orders/:id duration>250ms"],
    ["bare text, rare", "89581"],
    ["bare text, common", "upstream"],
    ["bare text, rare AND common", "89581 orders"],
  ];
  for (const [name, q] of queries) {
    const { first, firstResult, p50, cpu, runs, result } = time(() => fullPage(store, q));
    const verdict = p50 < target ? "meets" : "MISSES";
    console.log(
      `${label} ${name.padEnd(32)} ${q.padEnd(44)} p50 ${fmt(p50).padStart(8)} ms, CPU ${fmt(cpu).padStart(8)} ms (${runs} runs after a first of ${fmt(first, 0)} ms in ${firstResult.calls} calls, the longest ${fmt(firstResult.longest, 0)} ms; ${result.traces.length} traces in ${result.calls} calls, the longest ${fmt(result.longest)} ms; ${verdict} < ${target} ms)`,
    );
  }
  const sorts = [
    ["sorted: duration desc", undefined, { sort: "duration" }],
    ["sorted: spans asc", undefined, { sort: "spans", order: "asc" }],
    ["sorted: duration + key=value common", "http.response.status_code=500", { sort: "duration" }],
    ["sorted: duration + key=value rare", "app.order.id=89581", { sort: "duration" }],
    ["sorted: duration + bare text rare", "89581", { sort: "duration" }],
  ];
  for (const [name, q, sort] of sorts) {
    const { first, firstResult, p50, cpu, runs, result } = time(() => fullPage(store, q, sort));
    const verdict = p50 < target ? "meets" : "MISSES";
    const shown = `${q ?? ""} sort=${sort.sort}${sort.order ? `&order=${sort.order}` : ""}`.trim();
    console.log(
      `${label} ${name.padEnd(32)} ${shown.padEnd(44)} p50 ${fmt(p50).padStart(8)} ms, CPU ${fmt(cpu).padStart(8)} ms (${runs} runs after a first of ${fmt(first, 0)} ms in ${firstResult.calls} calls; ${result.traces.length} traces in ${result.calls} calls, the longest ${fmt(result.longest)} ms; ${verdict} < ${target} ms)`,
    );
  }
  const keys = time(() => store.attributeKeys());
  console.log(
    `${label} autocomplete keys                 GET /api/attributes                           p50 ${fmt(keys.p50).padStart(8)} ms (${keys.result.keys.length} keys from ${keys.result.sampledSpans} spans; ${keys.p50 < 20 ? "meets" : "MISSES"} < 20 ms)`,
  );
  const values = time(() => store.attributeValues("http.route", 20));
  console.log(
    `${label} autocomplete values               GET /api/attributes/http.route/values         p50 ${fmt(values.p50).padStart(8)} ms (${values.result.values.length} values; ${values.p50 < 20 ? "meets" : "MISSES"} < 20 ms)`,
  );
}

console.log(
  `load average at start: ${loadavg()
    .map((n) => n.toFixed(1))
    .join(" ")} (${cpus().length} cores)`,
);
const memory = createMemoryStore({ maxSpans: SPANS + 1000 });
const memoryFill = fill(memory);
console.log(`memory: ${fmt(memoryFill.spans, 0)} spans stored in ${fmt(memoryFill.seconds)} s`);
report("memory", memory, 50);
memory.close();

await loadSqliteDriver();
const dir = mkdtempSync(join(tmpdir(), "tracekit-query-bench-"));
try {
  const sqlite = createSqliteStore({ path: join(dir, "bench.db"), maxSpans: SPANS + 1000 });
  const sqliteFill = fill(sqlite);
  console.log(`sqlite: ${fmt(sqliteFill.spans, 0)} spans stored in ${fmt(sqliteFill.seconds)} s`);
  report("sqlite", sqlite, 100);
  sqlite.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
