// TraceKit-SDK-shaped traffic against a real server process (memory store):
// - Python SDK: one span per request, JSON written by json.dumps, a new connection each time, sent
//   synchronously (one at a time: the app's request waits for it). Client-observed and server time.
// - Node SDK: 100-span JSON batches, keep-alive, a few in flight. Spans/s.
// Run after `npm run build`:  node bench/sdk-shaped.mjs   (bench/ingest.mjs runs it too)
// Knobs: BENCH_SDK_SINGLE (2000 single-span requests), BENCH_SDK_STEADY (4000: requests between the first
// timing of those and a second one, once V8 has optimised the server), BENCH_SDK_BATCHES (2000 100-span batches),
// SERVER_NODE_ARGS (flags for the server's node, space-separated, e.g. --cpu-prof),
// BENCH_SDK_WORK_MS (0.15: the CPU the second bare-server run spends per request), BENCH_SDK_WARM_UP
// (200 one-span requests first; V8 keeps optimising for a few thousand more).
import { randomBytes } from "node:crypto";
import { Agent } from "node:http";
import { percentile } from "../dist/domain/percentile.js";
import { postTraces, startServer } from "./server.mjs";

/** As the SDKs post: a bare http.request (new connection), JSON, no User-Agent. */
const SDK_POST = { agent: false, contentType: "application/json", sdkHost: true };

const TIMING = new URL("./server-timing.mjs", import.meta.url).pathname;
const BARE = new URL("./bare-server.mjs", import.meta.url).pathname;
const fmt = (n) => Math.round(n).toLocaleString("en-US");

const hex = (bytes) => randomBytes(bytes).toString("hex");
const kv = (key, value) => ({
  key,
  value:
    typeof value === "string"
      ? { stringValue: value }
      : Number.isInteger(value)
        ? { intValue: String(value) }
        : { doubleValue: value },
});

/** A span as both SDKs' local-UI processors write it (API span kinds, ~10 attributes). */
function sdkSpan(traceId, parentSpanId, i, startMs) {
  const start = BigInt(Math.round(startMs * 1e6)) + BigInt(i) * 1_000_000n;
  return {
    traceId,
    spanId: hex(8),
    parentSpanId,
    name: parentSpanId === "" ? "GET" : `SELECT orders ${i % 7}`,
    kind: parentSpanId === "" ? 1 : 2,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 750_000n),
    attributes: [
      kv("http.method", "GET"),
      kv("http.route", "/api/orders/<int:id>"),
      kv("http.target", `/api/orders/${i}`),
      kv("http.status_code", 200),
      kv("db.system", "postgresql"),
      kv("db.statement", "SELECT id, status, total FROM orders WHERE id = %s"),
      kv("user.id", `user-${i % 97}`),
      kv("net.peer.name", "db"),
      kv("net.peer.port", 5432),
      kv("cache.ratio", 0.25),
    ],
    events: [],
    status: { code: 0, message: null },
  };
}

function body(service, spans) {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [kv("service.name", service)] },
        scopeSpans: [{ scope: { name: "tracekit", version: null }, spans }],
      },
    ],
  });
}

/** Python's json.dumps separators, so the body has the bytes the Python SDK sends. */
const pythonDumps = (text) => text.replace(/","/g, '", "').replace(/":/g, '": ');

/** The server with bench/server-timing.mjs preloaded: `serverTiming()` reads its percentiles since the last call. */
async function startTimedServer(script, args = ["--max-spans", "5000000"]) {
  const timings = [];
  const { child, port } = await startServer(args, {
    script,
    nodeArgs: ["--import", TIMING, ...(process.env.SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean)],
    onLine(line) {
      const match = /^SERVER-TIMING (\{.*\})$/.exec(line);
      if (match) timings.push(JSON.parse(match[1]));
    },
  });
  return {
    child,
    port,
    async serverTiming() {
      const seen = timings.length;
      child.kill("SIGUSR2");
      while (timings.length === seen) await new Promise((r) => setTimeout(r, 10));
      return timings[timings.length - 1];
    },
  };
}

export async function runSdkShaped() {
  const single = Number(process.env.BENCH_SDK_SINGLE ?? 2000);
  const batches = Number(process.env.BENCH_SDK_BATCHES ?? 2000);
  const warmUp = Number(process.env.BENCH_SDK_WARM_UP ?? 200);
  const server = await startTimedServer();
  try {
    // Warm-up: the first requests of a fresh process pay for JIT compilation, as only a first request would.
    for (let i = 0; i < warmUp; i++)
      await postTraces(server.port, pythonDumps(body("warm-up", [sdkSpan(hex(16), "", i, Date.now())])), SDK_POST);
    await server.serverTiming();

    const payloads = Array.from({ length: single }, (_, i) =>
      pythonDumps(body("orders-py", [sdkSpan(hex(16), i % 5 === 0 ? "" : hex(8), i, Date.now())])),
    );
    const ours = await timeOneAtATime(server, payloads);
    console.log(
      `sdk python-shaped: ${fmt(single)} one-span JSON requests, one at a time on new connections: ` +
        `${fmt(ours.requestsPerSecond)} requests/s; client-observed p50 ${ours.client.p50.toFixed(3)} ms, p99 ${ours.client.p99.toFixed(3)} ms; ` +
        `server time p50 ${ours.server.p50.toFixed(3)} ms, p99 ${ours.server.p99.toFixed(3)} ms; ` +
        `server CPU ${cpuPerRequest(ours.server, single)} per request; ${written(ours.server)}`,
    );
    // V8 is still optimising the server's code during those requests: its compiler threads take the
    // second core beside the sender, and the answer's write then waits for a core to wake the sender
    // on. The same requests once it has settled, after BENCH_SDK_STEADY more.
    const steadyAfter = Number(process.env.BENCH_SDK_STEADY ?? 4000);
    if (steadyAfter > 0) {
      for (let i = 0; i < steadyAfter; i++)
        await postTraces(server.port, pythonDumps(body("orders-py", [sdkSpan(hex(16), "", i, Date.now())])), SDK_POST);
      await server.serverTiming();
      const again = Array.from({ length: single }, (_, i) =>
        pythonDumps(body("orders-py", [sdkSpan(hex(16), i % 5 === 0 ? "" : hex(8), i, Date.now())])),
      );
      const steady = await timeOneAtATime(server, again);
      console.log(
        `  the same again after ${fmt(steadyAfter)} more requests: client-observed p50 ${steady.client.p50.toFixed(3)} ms, ` +
          `p99 ${steady.client.p99.toFixed(3)} ms; server time p50 ${steady.server.p50.toFixed(3)} ms; ` +
          `server CPU ${cpuPerRequest(steady.server, single)} per request; ${written(steady.server)}`,
      );
    }
    // The same requests to a bare node:http server that only reads the body and answers: what the
    // machine and Node's HTTP layer cost any receiver, timed the same way; then the same server spending
    // BENCH_SDK_WORK_MS of CPU before it answers, which shows what that much work costs on this machine
    // once the sender has gone idle waiting (the answer's write then pays for waking it).
    const workMs = Number(process.env.BENCH_SDK_WORK_MS ?? 0.15);
    for (const work of [0, workMs]) {
      const bare = await startTimedServer(BARE, ["--work-ms", String(work)]);
      try {
        for (let i = 0; i < 200; i++) await postTraces(bare.port, payloads[i % payloads.length], SDK_POST);
        await bare.serverTiming();
        const floor = await timeOneAtATime(bare, payloads);
        console.log(
          `  the same requests to a bare node:http server (read the body, ${work === 0 ? "" : `spin ${work} ms, `}answer {}): ` +
            `server time p50 ${floor.server.p50.toFixed(3)} ms, p99 ${floor.server.p99.toFixed(3)} ms; client-observed p50 ${floor.client.p50.toFixed(3)} ms; ` +
            `server CPU ${((1000 * floor.server.cpuMs) / single).toFixed(0)} µs per request; ${written(floor.server)}`,
        );
      } finally {
        await stop(bare.child);
      }
    }

    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    // Every batch has ids of its own: re-sent ids would take the cheaper duplicate path.
    const batchBodies = () =>
      Array.from({ length: batches }, () => {
        const spans = [];
        for (let t = 0; t < 10; t++) {
          const traceId = hex(16);
          const root = sdkSpan(traceId, "", 0, Date.now());
          spans.push(root);
          for (let i = 1; i < 10; i++) spans.push(sdkSpan(traceId, root.spanId, i, Date.now()));
        }
        return body("orders-node", spans);
      });
    const first = batchBodies();
    // The floor under any JSON receiver: JSON.parse alone of the same bodies, one thread, in this process.
    const parseStart = performance.now();
    for (const text of first) JSON.parse(text);
    const parseCeiling = (batches * 100) / ((performance.now() - parseStart) / 1000);
    const spans = batches * 100;
    const timed = await postBatches(server, first, agent);
    console.log(
      `sdk node-shaped: ${fmt(batches)} 100-span JSON batches, 4 in flight: ${fmt(timed.spansPerSecond)} spans/s; ` +
        `server time p50 ${timed.server.p50.toFixed(2)} ms, p99 ${timed.server.p99.toFixed(2)} ms per batch; ` +
        `server CPU ${cpuPerSpan(timed.server, spans)}; ` +
        `JSON.parse alone of the same bodies: ${fmt(parseCeiling)} spans/s (ratio ${(timed.spansPerSecond / parseCeiling).toFixed(2)})`,
    );
    // As for the one-span requests: the same once V8 has optimised the batches' path too.
    const again = await postBatches(server, batchBodies(), agent);
    console.log(
      `  the same again, ${fmt(batches)} more batches: ${fmt(again.spansPerSecond)} spans/s; ` +
        `server time p50 ${again.server.p50.toFixed(2)} ms, p99 ${again.server.p99.toFixed(2)} ms per batch; ` +
        `server CPU ${cpuPerSpan(again.server, spans)}`,
    );
    agent.destroy();
  } finally {
    await stop(server.child);
  }
}

/** Posts the 100-span `bodies`, 4 in flight; spans/s and the server's timing of them. */
async function postBatches(server, bodies, agent) {
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const i = next++;
      await postTraces(server.port, bodies[i], { ...SDK_POST, agent });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { spansPerSecond: (bodies.length * 100) / seconds, server: await server.serverTiming() };
}

/** The server's CPU per span, and its main thread's share. */
function cpuPerSpan(timing, spans) {
  const perSpan = (ms) => `${((1000 * ms) / spans).toFixed(1)} µs`;
  return timing.mainCpuMs === null
    ? `${perSpan(timing.cpuMs)} per span`
    : `${perSpan(timing.cpuMs)} per span (main thread ${perSpan(timing.mainCpuMs)})`;
}

/** The server's CPU per request, and its main thread's share (the rest is V8's compiler and collector threads). */
function cpuPerRequest(timing, requests) {
  const perRequest = (ms) => `${((1000 * ms) / requests).toFixed(0)} µs`;
  return timing.mainCpuMs === null
    ? perRequest(timing.cpuMs)
    : `${perRequest(timing.cpuMs)} (main thread ${perRequest(timing.mainCpuMs)})`;
}

/**
 * The server time above ends where the answer is handed to the socket. Beside it, until that write
 * returned, and how often the server's thread lost its core involuntarily per request (see
 * bench/server-timing.mjs): a write that wakes the waiting sender often gives it the core at once.
 */
function written(timing) {
  const switches =
    timing.switchesPerRequest === null
      ? ""
      : `, ${timing.switchesPerRequest.toFixed(2)} involuntary switches per request`;
  return `until the answer's write returned p50 ${timing.writtenP50.toFixed(3)} ms, p99 ${timing.writtenP99.toFixed(3)} ms${switches}`;
}

/** Posts `payloads` one at a time on new connections, as the Python SDK does; client and server percentiles. */
async function timeOneAtATime(server, payloads) {
  const latencies = [];
  const start = performance.now();
  for (const payload of payloads) {
    const t = performance.now();
    await postTraces(server.port, payload, SDK_POST);
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: payloads.length / seconds,
    client: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    server: await server.serverTiming(),
  };
}

function stop(child) {
  child.kill("SIGTERM");
  return new Promise((r) => (child.exitCode !== null ? r() : child.on("exit", r)));
}

if (import.meta.url === `file://${process.argv[1]}`) await runSdkShaped();
