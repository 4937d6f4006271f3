// Start-up: milliseconds from spawning `tracekit-local --port 0 --no-open` to its printed URL, beside
// a bare `node -e` on the same machine in the same run (the ratio is what carries across machines).
// Beside the URL, what a client waiting for the server sees: spawn → the first `GET /api/health`
// answered 200, and (in a start of its own) spawn → the first one-span OTLP/protobuf `POST /v1/traces`
// answered 200, each sent as soon as the URL is printed. Parts loaded after the URL count here.
// Run after `npm run build`:  node bench/startup.mjs   Knobs: BENCH_RUNS (10), BENCH_BIN (this clone's bin).
import { spawn } from "node:child_process";
import { percentile } from "../dist/domain/percentile.js";
import { buildRequest } from "./payload.mjs";
import { get, postTraces, startServer } from "./server.mjs";

const BIN = process.env.BENCH_BIN ?? new URL("../bin/tracekit-local.js", import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

/** Milliseconds from spawning a bare `node -e` until it prints (or exits). */
async function timeBare() {
  const start = performance.now();
  const child = spawn(process.execPath, ["-e", "console.log('ready')"], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve) => {
    child.stdout.once("data", resolve);
    child.on("exit", resolve);
  });
  const ms = performance.now() - start;
  if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
  return ms;
}

/**
 * Milliseconds from spawning the server until it prints its URL, and until the request `then(port)`
 * makes, sent at once, is answered. Rejects when that request fails; the server is ended either way.
 */
async function timeServer(then) {
  const start = performance.now();
  const { child, port } = await startServer([], { script: BIN });
  const readyMs = performance.now() - start;
  try {
    await then(port);
    return { readyMs, answeredMs: performance.now() - start };
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

const bare = [];
const app = [];
const health = [];
const traces = [];
// An ExportTraceServiceRequest with one span, as an SDK's first export sends.
const body = buildRequest(1, 1).bytes;
for (let i = 0; i < RUNS; i++) {
  bare.push(await timeBare());
  const first = await timeServer((port) => get(undefined, port, "/api/health"));
  app.push(first.readyMs);
  health.push(first.answeredMs);
  traces.push(
    (await timeServer((port) => postTraces(port, body, { contentType: "application/x-protobuf" }))).answeredMs,
  );
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
