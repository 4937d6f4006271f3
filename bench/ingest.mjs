// Ingest benchmark: decode-only ceiling, then end-to-end over HTTP into the memory store and into a
// SQLite file, with request latency, RSS per 100k retained spans, and query times at that size.
// Then TraceKit-SDK-shaped JSON traffic (bench/sdk-shaped.mjs).
// Run after `npm run build`:  node bench/ingest.mjs
// Knobs: BENCH_REQUESTS (default 1000 → 1M spans), BENCH_CONCURRENCY (4), BENCH_SECONDS (cap per phase, 180),
// BENCH_SDK_SHAPED=0 (skip the SDK-shaped phase), SERVER_NODE_ARGS (flags for the end-to-end servers' node,
// space-separated, e.g. --max-semi-space-size=4).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile } from "../dist/domain/percentile.js";
import { decodeTraceRequestJson } from "../dist/otlp/json/traces.js";
import { decodeTraceRequestProtobuf } from "../dist/otlp/protobuf/traces.js";
import { buildRequest, freshBodies, toOtlpJson, withFreshTraceIds } from "./payload.mjs";
import { runSdkShaped } from "./sdk-shaped.mjs";
import { cpuSeconds, get, rssMb, sendAll, startServer, timeQuery } from "./server.mjs";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const MAX_SECONDS = Number(process.env.BENCH_SECONDS ?? 180);
const SERVER_NODE_ARGS = (process.env.SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);

const template = buildRequest(100, 10);
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const pct = percentile;

// Cycles through `bodies`: protobuf bodies with fresh trace ids each, as the server gets them (the
// decoder shares one string per recent id, so decoding one body over and over would flatter it).
function decodeRate(label, decode, bodies) {
  const until = performance.now() + 3000;
  let spans = 0;
  let i = 0;
  const start = performance.now();
  while (performance.now() < until) spans += decode(bodies[i++ % bodies.length]).spans.length;
  const rate = spans / ((performance.now() - start) / 1000);
  console.log(`decode-only ${label}: ${fmt(rate)} spans/s`);
  return rate;
}

async function endToEnd(label, args) {
  const { child, port } = await startServer(args, { nodeArgs: SERVER_NODE_ARGS });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  await get(agent, port, "/api/health");
  const idleRss = rssMb(child.pid);
  const next = freshBodies(template, REQUESTS);
  const cpuBefore = cpuSeconds(child.pid);
  const run = await sendAll(port, "/v1/traces", {
    agent,
    count: REQUESTS,
    concurrency: CONCURRENCY,
    seconds: MAX_SECONDS,
    body: next,
  });
  const { seconds, latencies } = run;
  const sent = run.sent * template.spanCount;
  const cpu = cpuSeconds(child.pid) - cpuBefore;
  const health = await get(agent, port, "/api/health");
  const rss = rssMb(child.pid);
  const retained = health.counts.spans;
  const aTrace = (await get(agent, port, "/api/traces?limit=1")).traces[0].traceId;
  const listMs = await timeQuery(agent, port, "/api/traces?limit=50");
  const serviceMs = await timeQuery(agent, port, "/api/traces?limit=50&service=payments");
  const errorMs = await timeQuery(agent, port, "/api/traces?limit=50&status=error&minDurationMs=5");
  const traceMs = await timeQuery(agent, port, `/api/traces/${aTrace}`);
  console.log(
    `${label}: ${fmt(sent / seconds)} spans/s end-to-end (${fmt(sent)} spans in ${seconds.toFixed(1)} s, ` +
      `${CONCURRENCY} concurrent 1,000-span protobuf requests), latency p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms`,
  );
  console.log(
    `${label}: server CPU ${cpu.toFixed(1)} s → ${fmt(sent / cpu)} spans per CPU-second (the rate on an otherwise idle core)`,
  );
  console.log(
    `${label}: ${fmt(retained)} spans retained, RSS ${fmt(rss)} MB (idle ${fmt(idleRss)} MB) → ${((rss - idleRss) / (retained / 100_000)).toFixed(1)} MB per 100k spans`,
  );
  console.log(
    `${label}: HTTP query p50 at ${fmt(retained)} spans: list ${listMs.toFixed(2)} ms, list by service ${serviceMs.toFixed(2)} ms, ` +
      `errors+duration ${errorMs.toFixed(2)} ms, one trace ${traceMs.toFixed(2)} ms`,
  );
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  agent.destroy();
}

console.log(
  `request: ${template.spanCount} spans, ${fmt(template.bytes.length)} bytes protobuf; ${REQUESTS} requests per phase`,
);
decodeRate(
  "protobuf",
  decodeTraceRequestProtobuf,
  Array.from({ length: 50 }, () => withFreshTraceIds(template)),
);
const json = toOtlpJson(template);
decodeRate("JSON (JSON.parse + decode)", (text) => decodeTraceRequestJson(JSON.parse(text)), [json]);

const maxSpans = String(REQUESTS * template.spanCount + 1);
await endToEnd("memory", ["--max-spans", maxSpans]);
// TraceKit-SDK-shaped traffic in the same run: one-span JSON requests (Python) and 100-span JSON batches (Node).
if (process.env.BENCH_SDK_SHAPED !== "0") await runSdkShaped();
const dir = mkdtempSync(join(tmpdir(), "tracekit-bench-"));
try {
  const db = join(dir, "bench.db");
  await endToEnd("sqlite", ["--max-spans", maxSpans, "--db", db]);
  console.log(`sqlite: file ${fmt(statSync(db).size / 1e6)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
