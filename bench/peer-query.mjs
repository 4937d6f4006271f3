// The service map's edge links (`service=A peer=B`) on BENCH_TRACES traces (default 5,000, ~8 spans each)
// in the memory store and a SQLite file, queried directly (no HTTP): a common edge (web → checkout,
// about half the traces, and half the rest hold both services without the call), a called node
// (`peer="postgresql shop"`), a rare edge (one old trace: the whole store is walked) and an edge no
// trace has. For each: a first page of 50 as a client gets it (asked again while the store answers
// `partial`), the first time (each trace's calls worked out) and the median after; and every page
// walked, checked against the traces whose own service map has the edge. Then the SQLite file is
// reopened and each query's first page timed at once, and again on another open once the views
// build (the read of every stored span after an open) is done.
// Run after `npm run build`:  node bench/peer-query.mjs
// Knobs: BENCH_TRACES (5000), BENCH_RUNS (runs per query after the first, 9).
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { percentile } from "../dist/domain/percentile.js";
import { buildServiceMap } from "../dist/domain/service-map.js";
import { createMemoryStore } from "../dist/store/memory-store.js";
import { createSqliteStore, loadSqliteDriver } from "../dist/store/sqlite-store.js";

const TRACES = Number(process.env.BENCH_TRACES ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const fmt = (n, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const hex = (n, width) => n.toString(16).padStart(width, "0");
const T0 = BigInt(Date.now() - 3_600_000) * 1_000_000n;

/** One trace: gateway → web → (checkout → postgres, payments host) or gateway → checkout beside web. */
function traceSpans(i) {
  const traceId = hex(i + 1, 32);
  const start = T0 + BigInt(i) * 500_000_000n;
  const spans = [];
  let next = 1;
  const span = (parent, service, kind, name, attributes = {}, offsetMs = 0, durationMs = 20) => {
    const s = {
      traceId,
      spanId: hex(next++, 16),
      parentSpanId: parent?.spanId ?? null,
      name,
      kind,
      service,
      startTimeUnixNano: start + BigInt(offsetMs * 1e6),
      endTimeUnixNano: start + BigInt((offsetMs + durationMs) * 1e6),
      status: { code: random() < 0.05 ? "ERROR" : "UNSET" },
      attributes,
      events: [],
      links: [],
      resource: { "service.name": service },
      scope: { name: "bench", version: "1.0.0" },
    };
    spans.push(s);
    return s;
  };
  const root = span(null, "gateway", "SERVER", "GET /", {}, 0, 100);
  const toWeb = span(root, "gateway", "CLIENT", "GET", { "url.full": "http://web:8080/" }, 1, 90);
  const web = span(toWeb, "web", "SERVER", "GET /", {}, 2, 88);
  span(web, "web", "INTERNAL", "render", {}, 3, 5);
  span(web, "web", "CLIENT", "GET", { "db.system": "redis" }, 9, 1);
  const shape = random();
  const checkoutCaller = shape < 0.5 ? web : shape < 0.75 ? root : null;
  if (checkoutCaller !== null) {
    const call = span(
      checkoutCaller,
      checkoutCaller.service,
      "CLIENT",
      "POST",
      { "url.full": "http://checkout/" },
      10,
      60,
    );
    const checkout = span(call, "checkout", "SERVER", "POST /orders", {}, 11, 58);
    span(checkout, "checkout", "CLIENT", "SELECT", { "db.system": "postgresql", "db.name": "shop" }, 12, 5);
    span(checkout, "checkout", "CLIENT", "POST", { "url.full": "http://payments.internal/charge" }, 20, 30);
  }
  if (i === 0) {
    // The rare edge, in the oldest trace.
    const call = span(web, "web", "CLIENT", "POST", { "url.full": "http://ledger/" }, 30, 5);
    span(call, "ledger", "SERVER", "POST /entries", {}, 31, 3);
  }
  return spans;
}

const all = Array.from({ length: TRACES }, (_, i) => traceSpans(i));
const spanCount = all.reduce((sum, spans) => sum + spans.length, 0);

/** The traces (ids) whose own map has the edge `from → to` (node names). */
function expectedTraces(from, to) {
  const out = new Set();
  for (const spans of all) {
    const map = buildServiceMap([spans]);
    const nameOf = (id) => id.slice(id.indexOf(":") + 1);
    if (map.edges.some((e) => nameOf(e.from) === from && nameOf(e.to) === to)) out.add(spans[0].traceId);
  }
  return out;
}

function fullPage(store, query) {
  const traces = [];
  let cursor;
  let calls = 0;
  for (;;) {
    const page = store.listTraces({ ...query, limit: 50 - traces.length, ...(cursor ? { cursor } : {}) });
    calls++;
    traces.push(...page.traces);
    cursor = page.nextCursor;
    if (!page.partial || cursor === undefined || traces.length >= 50) return { traces, calls };
  }
}

function walk(store, query) {
  const ids = new Set();
  let cursor;
  do {
    const page = store.listTraces({ ...query, limit: 200, ...(cursor ? { cursor } : {}) });
    for (const t of page.traces) ids.add(t.traceId);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return ids;
}

function timed(run) {
  const t = performance.now();
  const result = run();
  return { ms: performance.now() - t, result };
}

/** Name, query (the list's other filters beside `q`), and the edge it lists (null: none). The first runs on a store no query read yet. */
const QUERIES = [
  ["rare edge (the oldest trace)", { q: "service=web peer=ledger" }, ["web", "ledger"]],
  ["no such edge", { q: "service=checkout peer=web" }, ["checkout", "web"]],
  ["common edge", { q: "service=web peer=checkout" }, ["web", "checkout"]],
  ["the link before, for comparison", { service: "web", q: "service=checkout" }, null],
  ["a called node", { q: 'peer="postgresql shop"' }, ["checkout", "postgresql shop"]],
];

/** Every query once on a store no query read yet, as `report` does for its first. */
function firstPages(store, label) {
  for (const [name, query] of QUERIES) {
    const first = timed(() => fullPage(store, query));
    console.log(
      `  ${label.padEnd(30)} ${name.padEnd(32)} first page ${fmt(first.ms).padStart(7)} ms (${first.result.calls} calls)`,
    );
  }
}

/** Reopens the file: the queries at once, and on another open once the views build (which reads every span) is done. */
async function reopen(path) {
  const open = () => {
    const started = performance.now();
    const store = createSqliteStore({ path, maxSpans: spanCount * 2 });
    return { store, ms: performance.now() - started };
  };
  let { store, ms } = open();
  console.log(`sqlite reopened in ${fmt(ms)} ms`);
  firstPages(store, "at once");
  store.close();
  ({ store, ms } = open());
  const started = performance.now();
  while (store.viewsBuilding() !== null) await new Promise((resolve) => setImmediate(resolve));
  console.log(
    `sqlite reopened in ${fmt(ms)} ms, its views built (every span read) in ${fmt(performance.now() - started)} ms`,
  );
  firstPages(store, "after the build");
  store.close();
}

function report(label, make) {
  const fillStart = performance.now();
  const store = make();
  for (const spans of all) store.insertSpans(spans);
  store.stats();
  console.log(
    `${label}: ${fmt(TRACES, 0)} traces, ${fmt(spanCount, 0)} spans stored in ${fmt((performance.now() - fillStart) / 1000, 2)} s`,
  );
  for (const [name, query, edge] of QUERIES) {
    const first = timed(() => fullPage(store, query));
    const times = [];
    for (let i = 0; i < RUNS; i++) times.push(timed(() => fullPage(store, query)).ms);
    times.sort((a, b) => a - b);
    const walked = timed(() => walk(store, query));
    const q = query.service === undefined ? query.q : `service ${query.service}, q ${query.q}`;
    let check = "";
    if (edge !== null) {
      const expected = expectedTraces(edge[0], edge[1]);
      const same = expected.size === walked.result.size && [...expected].every((id) => walked.result.has(id));
      check = same
        ? `, exactly the ${fmt(expected.size, 0)} traces of the edge`
        : ` MISMATCH: ${walked.result.size} listed, ${expected.size} expected`;
    }
    console.log(
      `  ${name.padEnd(30)} ${q.padEnd(48)} first page: first ${fmt(first.ms).padStart(7)} ms (${first.result.calls} calls), then p50 ${fmt(percentile(times, 50)).padStart(7)} ms; all pages ${fmt(walked.ms).padStart(7)} ms, ${fmt(walked.result.size, 0)} traces${check}`,
    );
  }
  store.close();
}

console.log(
  `load average ${loadavg()
    .map((n) => fmt(n, 2))
    .join(" ")}`,
);
report("memory", () => createMemoryStore({ maxSpans: spanCount * 2 }));
await loadSqliteDriver();
const dir = mkdtempSync(join(tmpdir(), "peer-query-bench-"));
try {
  report("sqlite", () => createSqliteStore({ path: join(dir, "bench.db"), maxSpans: spanCount * 2 }));
  await reopen(join(dir, "bench.db"));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
