// Start-up: milliseconds from spawning `tracekit-local --port 0 --no-open` to its printed URL, beside
// a bare `node -e` on the same machine in the same run (the ratio is what carries across machines).
// Beside the URL, what a client waiting for the server sees: spawn → the first `GET /api/health`
// answered 200, and (in a start of its own) spawn → the first one-span OTLP/protobuf `POST /v1/traces`
// answered 200, each sent as soon as the URL is printed. Parts loaded after the URL count here.
// BENCH_DB=<file.db>: each start is on a fresh copy of that SQLite file (`--db`; e.g. one of 350,000 spans
// filled through the store), on a port chosen ahead, and the health request and the export are sent from
// the spawn on, again every 5 ms while the connection is refused, as an SDK or exporter started beside the
// server sends them (a TraceKit SDK probes health once, giving up after 0.5 s; those slower are counted).
// Run after `npm run build`:  node bench/startup.mjs   Knobs: BENCH_RUNS (10), BENCH_BIN (this clone's bin), BENCH_DB.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile } from "../dist/domain/percentile.js";
import { buildRequest } from "./payload.mjs";
import { get, postTraces, startServer } from "./server.mjs";

const BIN = process.env.BENCH_BIN ?? new URL("../bin/tracekit-local.js", import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const DB = process.env.BENCH_DB;
const dir = DB === undefined ? null : mkdtempSync(join(tmpdir(), "tk-bench-startup-"));
let slowHealth = 0;

/** A port free now (the server is told it, so that requests can be sent before it prints its URL). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `then(port)` from now on until it is answered: again every 5 ms while the port refuses connections. */
async function untilAnswered(then, port) {
  for (;;) {
    try {
      return await then(port);
    } catch (error) {
      if (error.code !== "ECONNREFUSED") throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

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
  if (DB !== undefined) return timeServerOnFile(then);
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

/** timeServer with BENCH_DB: on a copy of the file, `then` sent from the spawn on. */
async function timeServerOnFile(then) {
  const copy = join(dir, "start.db");
  copyFileSync(DB, copy);
  const port = await freePort();
  const start = performance.now();
  const started = startServer(["--db", copy, "--port", String(port)], { script: BIN });
  const answered = untilAnswered(async () => {
    const sent = performance.now();
    await then(port);
    if (then === askHealth && performance.now() - sent >= 500) slowHealth++;
  }, port).then(() => performance.now() - start);
  const { child } = await started;
  const readyMs = performance.now() - start;
  try {
    return { readyMs, answeredMs: await answered };
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    rmSync(copy, { force: true });
    rmSync(`${copy}-wal`, { force: true });
    rmSync(`${copy}-shm`, { force: true });
  }
}

const askHealth = (port) => get(undefined, port, "/api/health");
const bare = [];
const app = [];
const health = [];
const traces = [];
// An ExportTraceServiceRequest with one span, as an SDK's first export sends.
const body = buildRequest(1, 1).bytes;
for (let i = 0; i < RUNS; i++) {
  bare.push(await timeBare());
  const first = await timeServer(askHealth);
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
if (DB !== undefined) {
  console.log(
    `  on a copy of ${DB}, each sent from the spawn on; health answered after 0.5 s or more (an SDK's probe gives up): ${slowHealth} of ${RUNS}`,
  );
  rmSync(dir, { recursive: true, force: true });
}
