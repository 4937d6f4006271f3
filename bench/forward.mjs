// Forwarding benchmark: local ingest spans/s without and with `--forward` to a live OTLP/HTTP receiver,
// measured in the same run, alternating rounds, and the ratio (target: forwarding keeps ingest within
// 10% of its rate without it). Protobuf 1,000-span requests, then OTLP/JSON 100-span requests (the
// JSON is re-encoded as protobuf for the upstream, after the local answer).
// The receiver is a sink in this process by default (it drains each body and answers 200), so the
// number measures what forwarding costs tracekit-local; BENCH_UPSTREAM=tracekit uses a second
// tracekit-local instead (which then also competes for the same cores).
// Run after `npm run build`:  node bench/forward.mjs
// With gzip (the default) forwarding costs what gzip costs (level 1, about a third more CPU per
// protobuf span); --forward-compression none is measured too.
// Knobs: BENCH_ROUNDS (3 per mode), BENCH_REQUESTS (300 per round), BENCH_CONCURRENCY (4), BENCH_PHASES
// ("gzip,none,json": which of the three parts run).
import { spawn } from "node:child_process";
import { Agent } from "node:http";
import { buildRequest, freshBodies, freshJsonBodies } from "./payload.mjs";
import { cpuSeconds, get, mainThreadCpuSeconds, postOtlp, sendAll, startServer } from "./server.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PHASES = new Set((process.env.BENCH_PHASES ?? "gzip,none,json").split(","));
const fmt = (n) => Math.round(n).toLocaleString("en-US");

// The sink runs in its own process, so its answers do not wait on the load generator.
const SINK = `
import { createServer } from "node:http";
let bytes = 0, requests = 0;
const server = createServer((req, res) => {
  if (req.method === "GET") { res.end(JSON.stringify({ bytes, requests })); return; }
  req.on("data", (chunk) => { bytes += chunk.length; });
  req.on("end", () => { requests++; res.writeHead(200, { "Content-Type": "application/x-protobuf", "Content-Length": "0" }); res.end(); });
});
server.listen(0, "127.0.0.1", () => console.log("UI: http://127.0.0.1:" + server.address().port));
// Gone with the benchmark, even when it is killed.
process.stdin.on("end", () => process.exit(0)).resume();
`;

async function startSink() {
  const child = spawn(process.execPath, ["--input-type=module", "-e", SINK], { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise((resolve) =>
    child.stdout.once("data", (chunk) => resolve(Number(/:(\d+)/.exec(String(chunk))[1]))),
  );
  const agent = new Agent({ keepAlive: true });
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => get(agent, port, "/"),
    close: async () => {
      agent.destroy();
      child.kill("SIGTERM");
      await new Promise((resolve) => child.on("exit", resolve));
    },
  };
}

async function startUpstream() {
  if (process.env.BENCH_UPSTREAM !== "tracekit") return startSink();
  const { child, port } = await startServer(["--max-spans", "200000"]);
  const agent = new Agent({ keepAlive: true });
  return {
    url: `http://127.0.0.1:${port}`,
    stats: async () => {
      const health = await get(agent, port, "/api/health");
      return { spans: health.counts.spans };
    },
    close: async () => {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.on("exit", resolve));
      agent.destroy();
    },
  };
}

async function phase(label, { path, contentType, body, spansPerRequest, forwardArgs = [] }) {
  const upstream = await startUpstream();
  // Retention far below what is sent: both servers run at a steady size, evicting as they go.
  const common = ["--max-spans", "300000"];
  const plain = await startServer(common);
  const forwarding = await startServer([...common, "--forward", upstream.url, ...forwardArgs]);
  const agents = new Map([
    [plain, new Agent({ keepAlive: true, maxSockets: CONCURRENCY })],
    [forwarding, new Agent({ keepAlive: true, maxSockets: CONCURRENCY })],
  ]);
  const totals = new Map();
  const run = async (server) => {
    const agent = agents.get(server);
    const result = await sendAll(server.port, path, {
      agent,
      count: REQUESTS,
      concurrency: CONCURRENCY,
      seconds: 120,
      body,
      send: (bytes) => postOtlp(server.port, path, bytes, { agent, contentType }),
    });
    const total = totals.get(server);
    total.spans += result.sent * spansPerRequest;
    total.seconds += result.seconds;
    total.cpu = cpuSeconds(server.child.pid) - total.cpuAtStart;
    total.mainCpu = mainThreadCpuSeconds(server.child.pid) - total.mainCpuAtStart;
    return (result.sent * spansPerRequest) / result.seconds;
  };
  const reset = () => {
    for (const server of [plain, forwarding]) {
      totals.set(server, {
        spans: 0,
        seconds: 0,
        cpu: 0,
        cpuAtStart: cpuSeconds(server.child.pid),
        mainCpu: 0,
        mainCpuAtStart: mainThreadCpuSeconds(server.child.pid),
      });
    }
  };
  // A warm-up round each, not counted.
  reset();
  await run(plain);
  await run(forwarding);
  reset();
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which goes first, so neither always runs right after the other's forwarding backlog.
    const order = i % 2 === 0 ? [plain, forwarding] : [forwarding, plain];
    const rates = new Map();
    for (const server of order) rates.set(server, await run(server));
    rounds.push(`${fmt(rates.get(plain))} / ${fmt(rates.get(forwarding))}`);
  }
  const rate = (server) => totals.get(server).spans / totals.get(server).seconds;
  const ratio = rate(forwarding) / rate(plain);
  // Spans per CPU-second of the server process (gzip in its thread pool included): the cost of
  // forwarding, steadier than wall-clock rates when other work shares the cores.
  const perCpu = (server) => totals.get(server).spans / totals.get(server).cpu;
  // Spans per CPU-second of its main thread alone: what bounds ingest where cores are to spare.
  const perMainCpu = (server) => totals.get(server).spans / totals.get(server).mainCpu;
  // Let the queue drain, then read what reached the upstream.
  const agent = agents.get(forwarding);
  let target;
  for (let waited = 0; waited < 30_000; waited += 250) {
    target = (await get(agent, forwarding.port, "/api/health")).forwarding.targets[0];
    if (target.queued.batches === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  target = (await get(agent, forwarding.port, "/api/health")).forwarding.targets[0];
  console.log(`${label}: rounds (without / with --forward, spans/s): ${rounds.join(", ")}`);
  console.log(
    `${label}: without --forward ${fmt(rate(plain))} spans/s, with --forward ${fmt(rate(forwarding))} spans/s → ratio ${ratio.toFixed(3)} (${((1 - ratio) * 100).toFixed(1)}% slower; target ≤ 10%)`,
  );
  console.log(
    `${label}: spans per server CPU-second: without ${fmt(perCpu(plain))}, with ${fmt(perCpu(forwarding))} → ratio ${(perCpu(forwarding) / perCpu(plain)).toFixed(3)}`,
  );
  console.log(
    `${label}: spans per main-thread CPU-second: without ${fmt(perMainCpu(plain))}, with ${fmt(perMainCpu(forwarding))} → ratio ${(perMainCpu(forwarding) / perMainCpu(plain)).toFixed(3)}`,
  );
  const dropped = target.dropped.queueFull + target.dropped.rejected;
  console.log(
    `${label}: forwarded ${fmt(target.sent.batches)} batches (${fmt(target.sent.bytes / 1048576)} MiB uncompressed), retried ${target.retried}, dropped ${dropped}; upstream saw ${JSON.stringify(await upstream.stats())}`,
  );
  for (const server of [plain, forwarding]) {
    server.child.kill("SIGTERM");
    await new Promise((resolve) => server.child.on("exit", resolve));
    agents.get(server).destroy();
  }
  await upstream.close();
}

const template = buildRequest(100, 10);
console.log(`${ROUNDS} rounds of ${REQUESTS} requests per mode, ${CONCURRENCY} concurrent`);
/** A phase of 1,000-span protobuf requests, each with ids of its own. */
const protobufPhase = (label, forwardArgs = []) =>
  phase(label, {
    path: "/v1/traces",
    contentType: "application/x-protobuf",
    body: freshBodies(template, REQUESTS * (ROUNDS + 1) * 2),
    spansPerRequest: template.spanCount,
    forwardArgs,
  });
if (PHASES.has("gzip")) await protobufPhase("protobuf 1,000-span requests, gzip");
if (PHASES.has("none")) {
  await protobufPhase("protobuf 1,000-span requests, --forward-compression none", ["--forward-compression", "none"]);
}
const small = buildRequest(10, 10);
if (PHASES.has("json"))
  await phase("OTLP/JSON 100-span requests, gzip", {
    path: "/v1/traces",
    contentType: "application/json",
    body: freshJsonBodies(small),
    spansPerRequest: small.spanCount,
  });
