// OTLP/gRPC against OTLP/HTTP protobuf: the same 1,000-span requests (100 traces × 10 spans, fresh
// trace ids each), 4 at a time, into the memory store of a fresh server per phase.
// Run after `npm run build`:  node bench/grpc.mjs
// Knobs: BENCH_REQUESTS (default 300 per phase), BENCH_CONCURRENCY (4), BENCH_SECONDS (cap per phase, 120),
// BENCH_ROUNDS (2).

import { Agent } from "node:http";
import { percentile } from "../dist/domain/percentile.js";
import { OTLP_GRPC_SERVICES } from "../dist/otlp/grpc-services.js";
import { exportClient } from "./grpc-client.mjs";
import { buildRequest, freshBodies } from "./payload.mjs";
import { cpuSeconds, get, sendAll, startServer } from "./server.mjs";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const MAX_SECONDS = Number(process.env.BENCH_SECONDS ?? 120);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const template = buildRequest(100, 10);
const fmt = (n) => Math.round(n).toLocaleString("en-US");

async function phase(label, transport) {
  const { child, port } = await startServer([
    "--max-spans",
    String(REQUESTS * template.spanCount + 1),
    "--otlp-grpc-port",
    "0",
  ]);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const health = await get(agent, port, "/api/health");
  const grpc =
    transport === "http"
      ? null
      : exportClient(health.otlp.grpc.port, OTLP_GRPC_SERVICES.traces, { gzip: transport === "grpc-gzip" });
  const body = freshBodies(template, REQUESTS);
  const cpuBefore = cpuSeconds(child.pid);
  const run = await sendAll(port, "/v1/traces", {
    agent,
    count: REQUESTS,
    concurrency: CONCURRENCY,
    seconds: MAX_SECONDS,
    body,
    ...(grpc === null
      ? {}
      : {
          send: async (bytes) => {
            const { error } = await grpc.send(bytes);
            if (error) throw error;
          },
        }),
  });
  const cpu = cpuSeconds(child.pid) - cpuBefore;
  const stored = (await get(agent, port, "/api/health")).counts.spans;
  const spans = run.sent * template.spanCount;
  if (stored !== spans) throw new Error(`${label}: sent ${spans} spans, the server holds ${stored}`);
  console.log(
    `${label}: ${fmt(spans / run.seconds)} spans/s (${fmt(spans)} spans in ${run.seconds.toFixed(1)} s), ` +
      `latency p50 ${percentile(run.latencies, 50).toFixed(1)} ms, p99 ${percentile(run.latencies, 99).toFixed(1)} ms; ` +
      `the server used ${cpu.toFixed(1)} CPU-seconds: ${fmt(spans / cpu)} spans per CPU-second`,
  );
  grpc?.close();
  agent.destroy();
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  return { rate: spans / run.seconds, perCpu: spans / cpu };
}

console.log(
  `request: ${template.spanCount} spans, ${fmt(template.bytes.length)} bytes protobuf; ${REQUESTS} requests per phase, ${CONCURRENCY} at a time`,
);
// The phases alternate, ROUNDS times, and each transport's best counts: a busy machine slows whichever
// phase it happens to overlap, not one transport. Spans per server CPU-second hold up best on shared cores.
const transports = [
  ["http", "OTLP/HTTP protobuf"],
  ["grpc", "OTLP/gRPC"],
  ["grpc-gzip", "OTLP/gRPC gzip (the client compresses on the same cores)"],
];
const best = Object.fromEntries(transports.map(([key]) => [key, { rate: 0, perCpu: 0 }]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [key, label] of transports) {
    const { rate, perCpu } = await phase(label, key);
    best[key] = { rate: Math.max(best[key].rate, rate), perCpu: Math.max(best[key].perCpu, perCpu) };
  }
}
const ratio = (key, field) => (best[key][field] / best.http[field]).toFixed(2);
for (const field of ["rate", "perCpu"]) {
  console.log(
    `best of ${ROUNDS}, ${field === "rate" ? "spans/s" : "spans per server CPU-second"}: ` +
      transports.map(([key]) => `${key} ${fmt(best[key][field])}`).join(", ") +
      `; gRPC / HTTP ${ratio("grpc", field)}×, gRPC gzip / HTTP ${ratio("grpc-gzip", field)}×`,
  );
}
