// Start-up: milliseconds from spawning `tracekit-local --port 0 --no-open` to its printed URL, beside
// a bare `node -e` on the same machine in the same run (the ratio is what carries across machines).
// Beside the URL, what a client waiting for the server sees: spawn → the first `GET /api/health`
// answered 200, and (in a start of its own) spawn → the first one-span OTLP/protobuf `POST /v1/traces`
// answered 200, each sent as soon as the URL is printed. Parts loaded after the URL count here.
// Run after `npm run build`:  node bench/startup.mjs   Knobs: BENCH_RUNS (10), BENCH_BIN (this clone's bin).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { percentile } from "../dist/domain/percentile.js";

const BIN = process.env.BENCH_BIN ?? new URL("../bin/tracekit-local.js", import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

/** Protobuf's length-delimited field `field` holding `bytes`. */
function delimited(field, bytes) {
  const length = [];
  for (let n = bytes.length; ; n >>>= 7) {
    if (n < 0x80) {
      length.push(n);
      break;
    }
    length.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...length]), bytes]);
}

function fixed64(field, value) {
  const bytes = Buffer.alloc(9);
  bytes[0] = (field << 3) | 1;
  bytes.writeBigUInt64LE(value, 1);
  return bytes;
}

/** An ExportTraceServiceRequest with one span of service "startup-bench", as an SDK's first export sends. */
function oneSpanRequest() {
  const now = BigInt(Date.now()) * 1_000_000n;
  const text = (s) => Buffer.from(s);
  const serviceName = delimited(
    1, // KeyValue in Resource.attributes
    Buffer.concat([delimited(1, text("service.name")), delimited(2, delimited(1, text("startup-bench")))]),
  );
  const span = Buffer.concat([
    delimited(1, randomBytes(16)), // trace_id
    delimited(2, randomBytes(8)), // span_id
    delimited(5, text("GET /")), // name
    Buffer.from([6 << 3, 2]), // kind: server
    fixed64(7, now - 1_000_000n),
    fixed64(8, now),
  ]);
  const resourceSpans = Buffer.concat([delimited(1, serviceName), delimited(2, delimited(2, span))]);
  return delimited(1, resourceSpans);
}

/** Resolves when `url` answers 200 to the request (any other answer or error rejects). */
function answered200(url, method, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: body ? { "Content-Type": "application/x-protobuf" } : {} }, (res) => {
      res.resume();
      res.on("end", () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`${method} ${url}: ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Milliseconds until the child prints its URL (or, for a bare node, exits); with `then`, also until
 * the request `then(url)` makes is answered, sent as soon as the URL is printed.
 */
async function timeToReady(args, ready, then) {
  const start = performance.now();
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let readyMs = 0;
  let answeredMs = 0;
  await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      if (readyMs !== 0) return;
      out += chunk;
      const url = ready(out);
      if (url === null) return;
      readyMs = performance.now() - start;
      if (then === undefined) return resolve();
      then(url).then(() => {
        answeredMs = performance.now() - start;
        resolve();
      }, reject);
    });
    child.on("exit", resolve);
  });
  child.kill("SIGTERM");
  await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on("exit", resolve)));
  return { readyMs: readyMs || performance.now() - start, answeredMs };
}

const uiUrl = (out) => /UI:\s+(http\S+)/.exec(out)?.[1] ?? null;
const APP = [BIN, "--port", "0", "--no-open"];
const bare = [];
const app = [];
const health = [];
const traces = [];
const body = oneSpanRequest();
for (let i = 0; i < RUNS; i++) {
  bare.push((await timeToReady(["-e", "console.log('ready')"], (out) => (out.includes("ready") ? "" : null))).readyMs);
  const first = await timeToReady(APP, uiUrl, (url) => answered200(`${url}/api/health`, "GET"));
  app.push(first.readyMs);
  health.push(first.answeredMs);
  traces.push((await timeToReady(APP, uiUrl, (url) => answered200(`${url}/v1/traces`, "POST", body))).answeredMs);
}
const p50 = (xs) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
console.log(
  `start-up: tracekit-local ${p50(app).toFixed(0)} ms to its URL (median of ${RUNS}; fastest ${Math.min(...app).toFixed(0)} ms), ` +
    `bare node ${p50(bare).toFixed(0)} ms; ratio ${(p50(app) / p50(bare)).toFixed(2)}`,
);
console.log(
  `  first GET /api/health answered 200 at ${p50(health).toFixed(0)} ms, first one-span POST /v1/traces at ${p50(traces).toFixed(0)} ms (medians from spawn)`,
);
