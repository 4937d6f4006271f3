// Logs search by instrumentation scope with --db: fills a SQLite file through /v1/logs (1,000-record
// protobuf requests; one record in 1,000 from a second logger, `pino-logger` 2.1.0, the rest from
// winston's), then times GET /api/logs with scope terms: wall time (median) and the server's CPU time
// per query, a query that needs no scope (NOT) as a control.
// Run after `npm run build`:  node bench/log-scope-query.mjs
// Knobs: BENCH_RECORDS (default 200,000), BENCH_RUNS (queries per term, 10), BENCH_ROUNDS (passes over the terms, 3).
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildLogRequest } from "./log-payload.mjs";
import { shiftTimes, withFreshTraceIds } from "./payload.mjs";
import { cpuSeconds, get, sendAll, startServer } from "./server.mjs";

const RECORDS = Number(process.env.BENCH_RECORDS ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const QUERIES = {
  "scope absent": "otel.scope.name=no-such-logger",
  "scope 1 in 1000": "otel.scope.name=pino-logger",
  "scope version ~": "otel.scope.version~2.1",
  "otel.library.name": "otel.library.name=pino-logger",
  "scope OR absent text": 'otel.scope.name=pino-logger OR "no-such-text"',
  "scope AND text": "otel.scope.name=pino-logger orders",
  "NOT scope (control)": "-otel.scope.name=@opentelemetry/winston-transport",
};

const template = buildLogRequest(1000, 10, { rareScopeEvery: 1000 });
const dir = mkdtempSync(join(tmpdir(), "tracekit-bench-log-scope-"));
const { child, port } = await startServer(["--max-logs", String(RECORDS + 1), "--db", join(dir, "bench.db")]);
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
try {
  await sendAll(port, "/v1/logs", {
    agent,
    count: Math.ceil(RECORDS / template.recordCount),
    concurrency: 4,
    seconds: 600,
    body: (i) => shiftTimes(withFreshTraceIds(template), template, BigInt(i) * 1_000_000n),
  });
  const { counts } = await get(agent, port, "/api/health");
  console.log(`${counts.logs.toLocaleString("en-US")} records in the file`);
  const wall = new Map();
  const cpu = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, q] of Object.entries(QUERIES)) {
      const path = `/api/logs?q=${encodeURIComponent(q)}`;
      const found = (await get(agent, port, path)).logs.length;
      const before = cpuSeconds(child.pid);
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await get(agent, port, path);
        if (!wall.has(name)) wall.set(name, []);
        wall.get(name).push(performance.now() - t);
      }
      if (!cpu.has(name)) cpu.set(name, { seconds: 0, runs: 0, found });
      const total = cpu.get(name);
      total.seconds += cpuSeconds(child.pid) - before;
      total.runs += RUNS;
    }
  }
  for (const [name, q] of Object.entries(QUERIES)) {
    const times = wall.get(name).sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const { seconds, runs, found } = cpu.get(name);
    console.log(
      `${name.padEnd(22)} ${q.padEnd(52)} ${String(found).padStart(3)} found: ` +
        `wall p50 ${median.toFixed(1).padStart(7)} ms, server CPU ${((seconds * 1000) / runs).toFixed(1).padStart(7)} ms/query`,
    );
  }
} finally {
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}
