// OTLP/gRPC against OTLP/HTTP protobuf: the same 1,000-span requests (100 traces × 10 spans, fresh
// trace ids each), 4 at a time, into the memory store of a fresh server per phase.
// Run after `npm run build`:  node bench/grpc.mjs
// Knobs: BENCH_REQUESTS (default 300 per phase), BENCH_CONCURRENCY (4), BENCH_SECONDS (cap per phase, 120).

import { Agent } from "node:http";
import { percentile } from "../dist/domain/percentile.js";
import { OTLP_GRPC_SERVICES } from "../dist/otlp/grpc-services.js";
import { exportClient } from "./grpc-client.mjs";
import { buildRequest, freshBodies } from "./payload.mjs";
import { get, sendAll, startServer } from "./server.mjs";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const MAX_SECONDS = Number(process.env.BENCH_SECONDS ?? 120);

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
  const stored = (await get(agent, port, "/api/health")).counts.spans;
  const spans = run.sent * template.spanCount;
  if (stored !== spans) throw new Error(`${label}: sent ${spans} spans, the server holds ${stored}`);
  console.log(
    `${label}: ${fmt(spans / run.seconds)} spans/s (${fmt(spans)} spans in ${run.seconds.toFixed(1)} s), ` +
      `latency p50 ${percentile(run.latencies, 50).toFixed(1)} ms, p99 ${percentile(run.latencies, 99).toFixed(1)} ms`,
  );
  grpc?.close();
  agent.destroy();
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  return spans / run.seconds;
}

console.log(
  `request: ${template.spanCount} spans, ${fmt(template.bytes.length)} bytes protobuf; ${REQUESTS} requests per phase, ${CONCURRENCY} at a time`,
);
const http = await phase("OTLP/HTTP protobuf", "http");
const grpc = await phase("OTLP/gRPC", "grpc");
const gzip = await phase("OTLP/gRPC gzip (the client compresses on the same cores)", "grpc-gzip");
console.log(`gRPC / HTTP: ${(grpc / http).toFixed(2)}×; gRPC gzip / HTTP: ${(gzip / http).toFixed(2)}×`);
