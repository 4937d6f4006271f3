// Metrics benchmark: decode-only ceiling, decode + store in process, then end-to-end over HTTP into
// the memory store (1,000-point protobuf requests), and the RSS of a server whose series cap is full
// with every series holding all it can (raw points and every rollup tier).
// Run after `npm run build`:  node bench/metrics.mjs
// Knobs: BENCH_REQUESTS (default 500 → 500k points), BENCH_CONCURRENCY (4).

import { Agent } from "node:http";
import { percentile } from "../dist/domain/percentile.js";
import { decodeMetricsRequestProtobuf } from "../dist/otlp/protobuf/metrics.js";
import { createMemoryMetricStore } from "../dist/store/metric-memory-store.js";
import { TIERS } from "../dist/store/metric-series.js";
import { DEFAULT_MAX_METRIC_SERIES } from "../dist/store/metric-store.js";
import { metricsRequest } from "./metrics-payload.mjs";
import { cpuSeconds, get, postOtlp, rssMb, startServer, timeQuery } from "./server.mjs";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const POINTS = 1000;
const BLOCKS = Math.ceil(DEFAULT_MAX_METRIC_SERIES / POINTS);
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const startMs = Date.now() - 24 * 3600_000;

/** Export `i` of a run that goes round the blocks of series: every block gets exports 10 s apart. */
const exportBody = (i) => {
  const n = Math.floor(i / BLOCKS);
  return metricsRequest(i % BLOCKS, n, { startMs, timeMs: startMs + (n + 1) * 10_000 });
};

/** Sends `bodies()` (a generator) with CONCURRENCY requests in flight; returns points/s and latencies. */
async function send(port, agent, count, bodyOf) {
  const latencies = [];
  let next = 0;
  const start = performance.now();
  async function worker() {
    while (next < count) {
      const body = bodyOf(next++);
      const t = performance.now();
      await postOtlp(port, "/v1/metrics", body, { agent, contentType: "application/x-protobuf" });
      latencies.push(performance.now() - t);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: (count * POINTS) / seconds, seconds, latencies };
}

const sample = exportBody(0);
console.log(
  `request: ${POINTS} points (400 histogram, 300 counter, 300 gauge series), ${fmt(sample.length)} bytes protobuf; ` +
    `${REQUESTS} requests over ${BLOCKS} × 1,000 series (the default series cap)`,
);

// Decode-only ceiling: bodies made ahead, each export with its own times.
const bodies = Array.from({ length: 50 }, (_, i) => exportBody(i));
{
  const until = performance.now() + 3000;
  let points = 0;
  let i = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  while (performance.now() < until) {
    for (const m of decodeMetricsRequestProtobuf(bodies[i++ % bodies.length]).metrics) points += m.data.points.length;
  }
  const used = process.cpuUsage(cpu);
  console.log(
    `decode-only protobuf: ${fmt(points / ((performance.now() - start) / 1000))} points/s ` +
      `(${fmt(points / ((used.user + used.system) / 1e6))} per CPU-second)`,
  );
}

// Decode + memory store in this process (no HTTP), exports in order.
{
  const store = createMemoryMetricStore({ maxSeries: DEFAULT_MAX_METRIC_SERIES });
  const inOrder = Array.from({ length: 200 }, (_, i) => exportBody(i));
  const start = performance.now();
  const cpu = process.cpuUsage();
  let points = 0;
  for (const body of inOrder) points += store.insert(decodeMetricsRequestProtobuf(body).metrics).accepted;
  const used = process.cpuUsage(cpu);
  console.log(
    `decode + memory store in process: ${fmt(points / ((performance.now() - start) / 1000))} points/s ` +
      `(${fmt(points / ((used.user + used.system) / 1e6))} per CPU-second)`,
  );
}

// End to end into a server's memory store.
{
  const { child, port } = await startServer();
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  await get(agent, port, "/api/health");
  const made = Array.from({ length: REQUESTS }, (_, i) => exportBody(i));
  const cpuBefore = cpuSeconds(child.pid);
  const { rate, seconds, latencies } = await send(port, agent, REQUESTS, (i) => made[i]);
  const cpu = cpuSeconds(child.pid) - cpuBefore;
  const health = await get(agent, port, "/api/health");
  console.log(
    `memory: ${fmt(rate)} points/s end-to-end (${fmt(REQUESTS * POINTS)} points in ${seconds.toFixed(1)} s, ${CONCURRENCY} concurrent ` +
      `1,000-point protobuf requests), latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms; ` +
      `${fmt(health.counts.metricPoints)} points in ${fmt(health.counts.metricSeries)} series, RSS ${fmt(rssMb(child.pid))} MB`,
  );
  console.log(
    `memory: the server used ${cpu.toFixed(1)} CPU-seconds: ${fmt((REQUESTS * POINTS) / cpu)} points per CPU-second`,
  );
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  agent.destroy();
}

// RSS with the default series cap full, every series holding the most it can: each export of the
// schedule lands in its own entry of every tier (the oldest 10 minutes apart, then 1 minute, then
// 10 seconds, then the raw points).
{
  const { child, port } = await startServer();
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  await get(agent, port, "/api/health");
  const idle = rssMb(child.pid);
  const [raw, tenSeconds, minute, tenMinutes] = TIERS.map((t) => t.capacity);
  const offsets = [];
  let at = 0;
  for (let i = 0; i < tenMinutes; i++, at += 600_000) offsets.push(at);
  for (let i = 0; i < minute; i++, at += 60_000) offsets.push(at);
  for (let i = 0; i < tenSeconds; i++, at += 10_000) offsets.push(at);
  for (let i = 0; i < raw; i++, at += 1_000) offsets.push(at);
  const fillStart = Date.now() - at - 60_000;
  const count = offsets.length * BLOCKS;
  const { rate, seconds } = await send(port, agent, count, (i) => {
    const n = Math.floor(i / BLOCKS);
    return metricsRequest(i % BLOCKS, n, { startMs: fillStart - 1000, timeMs: fillStart + offsets[n] });
  });
  const health = await get(agent, port, "/api/health");
  const rss = rssMb(child.pid);
  const now = Date.now();
  const catalogMs = await timeQuery(agent, port, "/api/metrics");
  const histogramMs = await timeQuery(
    agent,
    port,
    `/api/metrics/http.server.request.duration?since=${now - 15 * 60_000}&until=${now}`,
  );
  const groupedMs = await timeQuery(
    agent,
    port,
    `/api/metrics/http.server.requests?since=${now - 24 * 3600_000}&until=${now}&groupBy=http.route`,
  );
  console.log(
    `series cap full: ${fmt(health.counts.metricSeries)} series (cap ${fmt(health.storage.maxMetricSeries)}) × ${offsets.length} points ` +
      `(${fmt(count * POINTS)} points in ${seconds.toFixed(1)} s, ${fmt(rate)} points/s), RSS ${fmt(rss)} MB (idle ${fmt(idle)} MB) → ` +
      `${((rss - idle) / (health.counts.metricSeries / 1000)).toFixed(1)} MB per 1,000 full series`,
  );
  console.log(
    `series cap full: HTTP query p50: catalog ${catalogMs.toFixed(1)} ms, ${fmt(BLOCKS * 400)} histogram series over 15 min ` +
      `${histogramMs.toFixed(1)} ms, ${fmt(BLOCKS * 300)} counter series over 24 h grouped by route ${groupedMs.toFixed(1)} ms`,
  );
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  agent.destroy();
}
