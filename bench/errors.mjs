// Errors-page benchmark: fills the memory store and a SQLite file with BENCH_SPANS spans (default 1M:
// bench/payload.mjs traffic, 100 traces × 10 spans per request, times spread over ~100 s (0.1 s per request)), of which
// BENCH_EXCEPTIONS (2%) record an exception (6 kinds, JS stacks, ids in the messages) and BENCH_FAILING
// (1%) fail without one; then times GET /api/errors's work (the store's groups and the JSON the route
// sends) for everything stored, a recent window, one service, and by count. SQLite is also reopened,
// to time reading the groups back.
// Run after `npm run build`:  node bench/errors.mjs
// Knobs: BENCH_SPANS (1000000), BENCH_EXCEPTIONS (0.02), BENCH_FAILING (0.01), BENCH_RUNS (15).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { percentile } from "../dist/domain/percentile.js";
import { decodeTraceRequestProtobuf } from "../dist/otlp/protobuf/traces.js";
import { errorGroupsToJson, errorOrigins } from "../dist/server/routes/errors-api.js";
import { createMemoryStore } from "../dist/store/memory-store.js";
import { createSqliteStore, loadSqliteDriver } from "../dist/store/sqlite-store.js";
import { buildRequest, withFreshTraceIds } from "./payload.mjs";

const SPANS = Number(process.env.BENCH_SPANS ?? 1_000_000);
const EXCEPTIONS = Number(process.env.BENCH_EXCEPTIONS ?? 0.02);
const FAILING = Number(process.env.BENCH_FAILING ?? 0.01);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

const template = buildRequest(100, 10);
const fmt = (n, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

/** Six problems, as instrumented Node code records them: the message carries an id, the stack a line. */
const PROBLEMS = [
  ["TypeError", (n) => `Cannot read properties of undefined (reading 'total') for order ${n}`, "loadOrder"],
  ["Error", (n) => `connect ECONNREFUSED 127.0.0.1:${5400 + (n % 9)}`, "query"],
  ["TimeoutError", (n) => `request to http://inventory:8080/items/${n} timed out after 3000ms`, "fetchStock"],
  ["ValidationError", (n) => `"email" must be a valid email, got "user${n}@example"`, "validate"],
  ["KeyError", (n) => `'sku-${n}'`, "priceOf"],
  ["RangeError", (n) => `shard ${n % 64} out of range`, "pickShard"],
];

function stackOf(type, message, fn, n) {
  return `${type}: ${message}
    at ${fn} (/srv/shop/src/${fn}.js:${40 + (n % 7)}:13)
    at async handle (/srv/shop/src/routes.js:88:5)
    at async Layer.handle (/srv/shop/node_modules/express/lib/router/layer.js:95:5)`;
}

/** A pseudo-random number in [0, 1) from a counter, so every run stores the same errors. */
function unit(i) {
  const x = Math.sin(i * 12.9898) * 43758.5453;
  return x - Math.floor(x);
}

function batchOf(index) {
  const shift = BigInt(index) * 100_000_000n;
  return decodeTraceRequestProtobuf(withFreshTraceIds(template)).spans.map((span, i) => {
    const n = index * 1000 + i;
    const r = unit(n);
    const times = { startTimeUnixNano: span.startTimeUnixNano + shift, endTimeUnixNano: span.endTimeUnixNano + shift };
    if (r < EXCEPTIONS) {
      const [type, message, fn] = PROBLEMS[n % PROBLEMS.length];
      const text = message(n);
      return {
        ...span,
        ...times,
        status: { code: "ERROR", message: text },
        events: [
          {
            name: "exception",
            timeUnixNano: times.endTimeUnixNano,
            attributes: {
              "exception.type": type,
              "exception.message": text,
              "exception.stacktrace": stackOf(type, text, fn, n),
            },
          },
        ],
      };
    }
    if (r < EXCEPTIONS + FAILING) return { ...span, ...times, status: { code: "ERROR", message: "upstream failed" } };
    return { ...span, ...times, status: { code: "UNSET" } };
  });
}

/** The database file with its write-ahead log. */
function fileMb(path) {
  let bytes = statSync(path).size;
  try {
    bytes += statSync(`${path}-wal`).size;
  } catch {
    // No log (checkpointed).
  }
  return bytes / 1e6;
}

function fill(store) {
  const started = performance.now();
  let spans = 0;
  for (let index = 0; spans < SPANS; index++) {
    const batch = batchOf(index);
    store.insertSpans(batch);
    spans += batch.length;
  }
  store.stats(); // flushes the SQLite store
  return { spans, seconds: (performance.now() - started) / 1000 };
}

/** What GET /api/errors does for one request: the store's answer, where its errors started, then the JSON body. */
function request(store, query) {
  const answer = store.errorGroups({ limit: 100, buckets: 30, ...query });
  return JSON.stringify(errorGroupsToJson(answer, errorOrigins(store, answer)));
}

function time(run) {
  let t = performance.now();
  const body = run();
  const first = performance.now() - t;
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { first, p50: percentile(times, 50), p95: percentile(times, 95), body: JSON.parse(body) };
}

function report(label, store) {
  const { groups } = JSON.parse(request(store, {}));
  const newest = groups.reduce((max, g) => (BigInt(g.lastSeenUnixNano) > max ? BigInt(g.lastSeenUnixNano) : max), 0n);
  const recentSince = Number(newest / 1_000_000n) - 10_000; // the last 10 s of ~100 s
  const queries = [
    ["everything stored", {}],
    ["last 10 s", { sinceUnixNano: BigInt(recentSince) * 1_000_000n }],
    ["one service", { service: "payments" }],
    ["by count", { sort: "count" }],
  ];
  for (const [name, query] of queries) {
    const r = time(() => request(store, query));
    console.log(
      `${label}: ${name.padEnd(18)} p50 ${fmt(r.p50, 2)} ms  p95 ${fmt(r.p95, 2)} ms  first ${fmt(r.first, 2)} ms  ` +
        `(${r.body.totalGroups} groups, ${fmt(r.body.totalErrors, 0)} errors)`,
    );
  }
}

console.log(
  `errors bench: ${fmt(SPANS, 0)} spans, ${EXCEPTIONS * 100}% with an exception, ${FAILING * 100}% failing without; ` +
    `${cpus().length} cpus, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}, node ${process.version}`,
);

{
  const store = createMemoryStore({ maxSpans: SPANS });
  const filled = fill(store);
  console.log(`memory: filled ${fmt(filled.spans, 0)} spans in ${fmt(filled.seconds)} s`);
  report("memory", store);
  store.close();
}

await loadSqliteDriver();
const dir = mkdtempSync(join(tmpdir(), "tracekit-errors-bench-"));
try {
  const path = join(dir, "errors.db");
  let store = createSqliteStore({ path, maxSpans: SPANS });
  const filled = fill(store);
  console.log(`sqlite: filled ${fmt(filled.spans, 0)} spans in ${fmt(filled.seconds)} s, file ${fmt(fileMb(path))} MB`);
  report("sqlite", store);
  store.close();
  let started = performance.now();
  store = createSqliteStore({ path, maxSpans: SPANS });
  console.log(`sqlite: reopened (traces and error groups read back) in ${fmt(performance.now() - started, 0)} ms`);
  report("sqlite after reopen", store);
  store.close();
  // The same file as one written before error groups were kept: the groups are filled once from spans.
  const Driver = (await import("better-sqlite3")).default;
  const raw = new Driver(path);
  raw.exec("DROP TABLE err_events; DROP TABLE err_groups; DROP TABLE error_schema;");
  raw.close();
  started = performance.now();
  store = createSqliteStore({ path, maxSpans: SPANS });
  console.log(
    `sqlite: first open of a file without error tables (filled from spans) ${fmt(performance.now() - started, 0)} ms`,
  );
  started = performance.now();
  store.close();
  store = createSqliteStore({ path, maxSpans: SPANS });
  console.log(`sqlite: reopened after that in ${fmt(performance.now() - started, 0)} ms`);
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
