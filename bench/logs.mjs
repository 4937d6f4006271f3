// Logs benchmark: the protobuf decode-only ceiling, then end-to-end over HTTP (1,000-record protobuf
// requests) into the memory store, with request latency, RSS per retained record and GET /api/logs
// times at that size; then the same into a SQLite file.
// Run after `npm run build`:  node bench/logs.mjs
// Knobs: BENCH_REQUESTS (default 1000 → 1M records), BENCH_CONCURRENCY (4), BENCH_SECONDS (cap per phase, 180),
// BENCH_SQLITE_REQUESTS (default 300).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile } from "../dist/domain/percentile.js";
import { decodeLogRequestProtobuf } from "../dist/otlp/protobuf/logs.js";
import { buildLogRequest } from "./log-payload.mjs";
import { shiftTimes, withFreshTraceIds } from "./payload.mjs";
import { get, rssMb, sendAll, startServer, timeQuery } from "./server.mjs";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const SQLITE_REQUESTS = Number(process.env.BENCH_SQLITE_REQUESTS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const MAX_SECONDS = Number(process.env.BENCH_SECONDS ?? 180);

const template = buildLogRequest(1000);
const fmt = (n) => Math.round(n).toLocaleString("en-US");

function decodeRate(bodies) {
  const until = performance.now() + 3000;
  let records = 0;
  let i = 0;
  const start = performance.now();
  while (performance.now() < until) records += decodeLogRequestProtobuf(bodies[i++ % bodies.length]).logs.length;
  return records / ((performance.now() - start) / 1000);
}

async function endToEnd(label, requests, args) {
  const { child, port } = await startServer(args);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  await get(agent, port, "/api/health");
  const idleRss = rssMb(child.pid);
  // Each request one millisecond after the one before (its 1,000 records span one), with new trace ids.
  const run = await sendAll(port, "/v1/logs", {
    agent,
    count: requests,
    concurrency: CONCURRENCY,
    seconds: MAX_SECONDS,
    body: (i) => shiftTimes(withFreshTraceIds(template), template, BigInt(i) * 1_000_000n),
  });
  const { seconds, latencies } = run;
  const sent = run.sent * template.recordCount;
  const health = await get(agent, port, "/api/health");
  const rss = rssMb(child.pid);
  const retained = health.counts.logs;
  const rate = sent / seconds;
  console.log(
    `${label}: ${fmt(rate)} records/s end-to-end (${fmt(sent)} records in ${seconds.toFixed(1)} s, ${CONCURRENCY} concurrent ` +
      `1,000-record protobuf requests), latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
  console.log(
    `${label}: ${fmt(retained)} records retained, RSS ${fmt(rss)} MB (idle ${fmt(idleRss)} MB) → ` +
      `${((rss - idleRss) / (retained / 100_000)).toFixed(1)} MB per 100k records (${fmt(((rss - idleRss) * 1e6) / retained)} bytes each)`,
  );
  const newest = (await get(agent, port, "/api/logs?limit=1")).logs[0];
  const queries = {
    "newest 100": "/api/logs",
    "one service": "/api/logs?service=payments",
    "ERROR and up": "/api/logs?severity=error",
    "one trace": `/api/logs?traceId=${newest?.traceId ?? "0af7651916cd43dd8448eb211c80319c"}&order=asc`,
    "text, common": "/api/logs?q=cache%20miss",
    "text, absent": "/api/logs?q=no-such-text-anywhere",
    "oldest 100 (asc)": "/api/logs?order=asc",
  };
  const times = [];
  for (const [name, path] of Object.entries(queries)) {
    times.push(
      `${name} ${(await timeQuery(agent, port, path, name.startsWith("text, absent") ? 5 : 20)).toFixed(2)} ms`,
    );
  }
  console.log(`${label}: GET /api/logs p50 at ${fmt(retained)} records: ${times.join(", ")}`);
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  agent.destroy();
  return rate;
}

console.log(
  `request: ${template.recordCount} log records, ${fmt(template.bytes.length)} bytes protobuf; ${REQUESTS} requests into memory, ${SQLITE_REQUESTS} into SQLite`,
);
const ceiling = decodeRate(
  Array.from({ length: 50 }, (_, i) => shiftTimes(withFreshTraceIds(template), template, BigInt(i) * 1_000_000n)),
);
console.log(`decode-only protobuf: ${fmt(ceiling)} records/s`);
const memoryRate = await endToEnd("memory", REQUESTS, ["--max-logs", String(REQUESTS * template.recordCount + 1)]);
console.log(`memory: ${(memoryRate / ceiling).toFixed(2)}× the decode-only ceiling`);
const dir = mkdtempSync(join(tmpdir(), "tracekit-bench-logs-"));
try {
  const db = join(dir, "bench.db");
  await endToEnd("sqlite", SQLITE_REQUESTS, [
    "--max-logs",
    String(SQLITE_REQUESTS * template.recordCount + 1),
    "--db",
    db,
  ]);
  console.log(`sqlite: file ${fmt(statSync(db).size / 1e6)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
