// Large and hostile OTLP requests against a real server process (memory store, or SQLite with
// BENCH_DB=1), one fresh server per case: the answer, how long it took, the server's CPU time
// meanwhile (its GC threads and the health answers included: less noisy than the time on a busy
// machine), /api/health latency while it was being processed (a GET every few ms on a kept-alive
// connection), and the server's peak RSS (VmHWM) above its RSS before the request, beside the body's
// size.
// Run after `npm run build`:  node bench/large-requests.mjs
// Knobs: BENCH_CASES (comma-separated case names to run; all by default); BENCH_DB=1 (each server
// keeps a fresh SQLite file, --db, instead of the memory store); SERVER_NODE_ARGS (flags for the
// servers' node, space-separated, e.g. --max-semi-space-size=4, --trace-gc, or
// --import ./bench/turn-cpu.mjs to time the event loop's turns in CPU time); BENCH_SERVER_LINES=1
// (print what the servers print, such as --trace-gc's lines). The allowed-protobuf-grpc cases send
// over OTLP/gRPC from a child process (bench/grpc-sender.mjs): sent from this one, the gRPC client's
// copying and framing of the 30 MB message held up the /api/health probes timed here.
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { percentile } from "../dist/domain/percentile.js";
import { OTLP_GRPC_SERVICES } from "../dist/otlp/grpc-services.js";
import { buildRequest, toOtlpJson } from "./payload.mjs";
import { get, rssMb, startServer } from "./server.mjs";

const SERVER_NODE_ARGS = (process.env.SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
const serverLine = process.env.BENCH_SERVER_LINES === "1" ? (line) => console.log(`  server: ${line}`) : () => {};
const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
const mb = (bytes) => bytes / 1024 / 1024;

// A minimal protobuf writer: enough for hostile shapes the SDK serializers cannot make quickly.
function varint(n) {
  const out = [];
  let v = n;
  while (v > 127) {
    out.push((v & 127) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}
const field = (number, bytes) => Buffer.concat([varint(number * 8 + 2), varint(bytes.length), bytes]);
const str = (s) => Buffer.from(s, "utf8");
const keyValue = (key, value) => Buffer.concat([field(1, str(key)), field(2, value)]);
const intValue = (n) => Buffer.concat([varint(3 * 8), varint(n)]);
const resourceOf = (service) => field(1, field(1, keyValue("service.name", field(1, str(service)))));

/** `count` one-span traces, ids only plus a one-letter name (about 30 bytes a span), in one scope group. */
function oneSpanTraces(count) {
  const spans = [];
  for (let i = 0; i < count; i++) {
    spans.push(field(2, Buffer.concat([field(1, randomBytes(16)), field(2, randomBytes(8)), field(5, str("a"))])));
  }
  const scopeSpans = field(2, Buffer.concat(spans));
  return field(1, Buffer.concat([resourceOf("many"), scopeSpans]));
}

/** `count` resource groups of one span each. */
function manyResourceGroups(count) {
  const groups = [];
  for (let i = 0; i < count; i++) {
    const span = field(2, Buffer.concat([field(1, randomBytes(16)), field(2, randomBytes(8)), field(5, str("a"))]));
    groups.push(field(1, field(2, span)));
  }
  return Buffer.concat(groups);
}

/** A request of one span, named "wide", with these encoded attribute fields. */
function wideRequest(attributes) {
  const span = Buffer.concat([
    field(1, randomBytes(16)),
    field(2, randomBytes(8)),
    field(5, str("wide")),
    ...attributes,
  ]);
  return field(1, Buffer.concat([resourceOf("wide"), field(2, field(2, span))]));
}

/** One span with `count` attributes. */
function wideSpan(count) {
  return wideRequest(Array.from({ length: count }, (_, i) => field(9, keyValue(`k${i}`, intValue(i)))));
}

/** One span with `count` attributes, each a list of `entries` integers (the most one value keeps). */
function wideValues(count, entries) {
  const list = field(5, Buffer.concat(Array.from({ length: entries }, (_, i) => field(1, intValue(i)))));
  return wideRequest(Array.from({ length: count }, (_, i) => field(9, keyValue(`k${i}`, list))));
}

/** `wideValues` as OTLP/JSON. */
function wideValuesJson(count, entries) {
  const list = { arrayValue: { values: Array.from({ length: entries }, (_, i) => ({ intValue: String(i) })) } };
  const attributes = Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: list }));
  const span = {
    traceId: randomBytes(16).toString("hex"),
    spanId: randomBytes(8).toString("hex"),
    name: "wide",
    attributes,
  };
  const resource = { attributes: [{ key: "service.name", value: { stringValue: "wide" } }] };
  return Buffer.from(JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans: [span] }] }] }));
}

/** `depth` nested JSON arrays. */
function nestedArrays(depth) {
  return Buffer.concat([Buffer.alloc(depth, "["), Buffer.alloc(depth, "]")]);
}

function post(port, body, { contentType, encoding }) {
  const headers = { "Content-Type": contentType, "Content-Length": body.length, "User-Agent": "bench" };
  if (encoding) headers["Content-Encoding"] = encoding;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/v1/traces", headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode,
          ms: performance.now() - started,
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** GETs /api/health every few ms until `stop()`; resolves to the latencies in ms. */
function probeHealth(port) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t = performance.now();
      await get(agent, port, "/api/health");
      times.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 5));
    }
    agent.destroy();
    return times.sort((a, b) => a - b);
  })();
  return () => {
    running = false;
    return done;
  };
}

/** The CPU time (user + system) the process has used so far, in ms. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // utime and stime, the 14th and 15th fields of the line, in clock ticks (100 a second).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
}

/**
 * Readies a child process to send `body` to the server's OTLP/gRPC port (the 30 MB go to it over IPC,
 * a long turn here, so before /api/health is timed); `send()` then sends it, and resolves as `post`
 * does over HTTP: the answer's status as HTTP's.
 */
async function grpcSender(port, body, { gzip = false }) {
  const health = await get(new Agent(), port, "/api/health");
  const sender = fork(new URL("./grpc-sender.mjs", import.meta.url), { serialization: "advanced" });
  const next = () => new Promise((resolve) => sender.once("message", resolve));
  sender.send({ port: health.otlp.grpc.port, service: OTLP_GRPC_SERVICES.traces, gzip, body });
  await next();
  return {
    async send() {
      sender.send("go");
      const { error, ms } = await next();
      return { status: error ? `gRPC ${error.code}` : 200, ms, text: error ? error.details : "" };
    },
    exited: () => new Promise((r) => (sender.exitCode === null ? sender.once("exit", r) : r())),
  };
}

async function runCase(name, body, options, after) {
  const dir = process.env.BENCH_DB === "1" ? mkdtempSync(join(tmpdir(), "tracekit-large-")) : null;
  const args = dir === null ? [] : ["--db", join(dir, "large.db")];
  if (options.grpc) args.push("--otlp-grpc-port", "0");
  const { child, port } = await startServer(args, { nodeArgs: SERVER_NODE_ARGS, onLine: serverLine });
  try {
    // Warm the receiver, the store and /api/health (its first answer compiles its code) with ordinary
    // requests, then settle: what is measured is what the large request costs the others.
    const warm = buildRequest(10, 10).bytes;
    await post(port, warm, { contentType: "application/x-protobuf" });
    const warmAgent = new Agent({ keepAlive: true });
    for (let i = 0; i < 20; i++) await get(warmAgent, port, "/api/health");
    warmAgent.destroy();
    const sender = options.grpc ? await grpcSender(port, body, options) : null;
    await new Promise((r) => setTimeout(r, 300));
    const before = rssMb(child.pid);
    const stop = probeHealth(port);
    await new Promise((r) => setTimeout(r, 50));
    const cpuBefore = cpuMs(child.pid);
    const answer = sender !== null ? await sender.send() : await post(port, body, options);
    const cpu = cpuMs(child.pid) - cpuBefore;
    const health = await stop();
    await sender?.exited();
    const peak = peakRssMb(child.pid);
    const p99 = percentile(health, 99);
    const max = health[health.length - 1] ?? 0;
    const reason = answer.status === 200 ? answer.text.slice(0, 100) : answer.text.slice(0, 160);
    console.log(
      `${name}: ${fmt(mb(body.length), 1)} MB body → ${answer.status} in ${fmt(answer.ms)} ms (server CPU ${fmt(cpu)} ms); ` +
        `/api/health p99 ${fmt(p99, 1)} ms, max ${fmt(max, 1)} ms (${health.length} probes); ` +
        `RSS ${fmt(before)} MB before, peak ${fmt(peak)} MB (+${fmt(peak - before)} MB, ${fmt((peak - before) / mb(options.decodedBytes ?? body.length), 2)}× the decoded body)`,
    );
    console.log(`  answer: ${reason}`);
    if (after) await after(port);
    const stillServing = await post(port, buildRequest(1, 3).bytes, { contentType: "application/x-protobuf" });
    if (stillServing.status !== 200) console.log(`  !! the next ordinary request got ${stillServing.status}`);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}

const PROTOBUF = { contentType: "application/x-protobuf" };
const JSON_TYPE = { contentType: "application/json" };

const cases = {
  "one-span-traces": () => runCase("0.9M one-span traces (protobuf)", oneSpanTraces(900_000), PROTOBUF),
  "nested-json": () => runCase("10M nested [ (JSON)", nestedArrays(10_000_000), JSON_TYPE),
  "resource-groups": () => runCase("300k resourceSpans (protobuf)", manyResourceGroups(300_000), PROTOBUF),
  "wide-span": () =>
    runCase("one span with 1M attributes (protobuf)", wideSpan(1_000_000), PROTOBUF, async (port) => {
      const agent = new Agent({ keepAlive: true });
      const times = [];
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        await get(agent, port, `/api/traces?q=${encodeURIComponent("nothing-matches-this")}`);
        times.push(performance.now() - t);
      }
      agent.destroy();
      times.sort((a, b) => a - b);
      console.log(`  a free-text search afterwards: median ${fmt(percentile(times, 50), 1)} ms`);
    }),
  "wide-values": () =>
    runCase("one span of 1,000 attributes of 1,000 entries (protobuf)", wideValues(1000, 1000), PROTOBUF),
  "wide-values-json": () =>
    runCase("one span of 1,000 attributes of 1,000 entries (JSON)", wideValuesJson(1000, 1000), JSON_TYPE),
  "allowed-protobuf": () => {
    const request = buildRequest(7_000, 10);
    return runCase(`${fmt(request.spanCount)} spans of ~10 attributes (protobuf)`, request.bytes, PROTOBUF);
  },
  "allowed-protobuf-gzip": () => {
    const request = buildRequest(7_000, 10);
    return runCase(`${fmt(request.spanCount)} spans of ~10 attributes (protobuf, gzip)`, gzipSync(request.bytes), {
      ...PROTOBUF,
      encoding: "gzip",
      decodedBytes: request.bytes.length,
    });
  },
  "allowed-protobuf-grpc": () => {
    const request = buildRequest(7_000, 10);
    return runCase(`${fmt(request.spanCount)} spans of ~10 attributes (OTLP/gRPC)`, request.bytes, { grpc: true });
  },
  "allowed-protobuf-grpc-gzip": () => {
    const request = buildRequest(7_000, 10);
    return runCase(`${fmt(request.spanCount)} spans of ~10 attributes (OTLP/gRPC, gzip)`, request.bytes, {
      grpc: true,
      gzip: true,
    });
  },
  "allowed-json": () => {
    const request = buildRequest(3_000, 10);
    const body = Buffer.from(toOtlpJson(request));
    return runCase(`${fmt(request.spanCount)} spans of ~10 attributes (JSON)`, body, JSON_TYPE);
  },
};

const wanted = process.env.BENCH_CASES?.split(",") ?? Object.keys(cases);
for (const name of wanted) {
  const run = cases[name];
  if (run === undefined) throw new Error(`no case ${name}; cases: ${Object.keys(cases).join(", ")}`);
  await run();
}
