// Start-up: milliseconds from spawning `tracekit-local --port 0 --no-open` to its printed URL, beside
// a bare `node -e` on the same machine in the same run (the ratio is what carries across machines).
// Beside the URL, what a client waiting for the server sees: spawn → the first `GET /api/health`
// answered 200, and (in a start of its own) spawn → the first one-span OTLP/protobuf `POST /v1/traces`
// answered 200, each sent as soon as the URL is printed. Parts loaded after the URL count here.
// Run after `npm run build`:  node bench/startup.mjs   Knobs: BENCH_RUNS (10), BENCH_BIN (this clone's bin).
import { spawn } from "node:child_process";
import { percentile } from "../dist/domain/percentile.js";
import { buildRequest } from "./payload.mjs";
import { get, postTraces } from "./server.mjs";

const BIN = process.env.BENCH_BIN ?? new URL("../bin/tracekit-local.js", import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

/**
 * Milliseconds until the child prints its URL (or, for a bare node, exits); with `then`, also until
 * the request `then(url)` makes is answered, sent as soon as the URL is printed. Rejects when that
 * request fails or the child exits before it is answered; the child is ended either way.
 */
async function timeToReady(args, ready, then) {
  const start = performance.now();
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let readyMs = 0;
  let answeredMs = 0;
  try {
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
      child.on("exit", (code, signal) => {
        if (then === undefined || answeredMs !== 0) return resolve();
        reject(new Error(`${args.join(" ")} exited (${signal ?? code}) before its request was answered`));
      });
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  }
  return { readyMs: readyMs || performance.now() - start, answeredMs };
}

const uiUrl = (out) => /UI:\s+(http\S+)/.exec(out)?.[1] ?? null;
const APP = [BIN, "--port", "0", "--no-open"];
const bare = [];
const app = [];
const health = [];
const traces = [];
const portOf = (url) => Number(new URL(url).port);
// An ExportTraceServiceRequest with one span, as an SDK's first export sends.
const body = buildRequest(1, 1).bytes;
for (let i = 0; i < RUNS; i++) {
  bare.push((await timeToReady(["-e", "console.log('ready')"], (out) => (out.includes("ready") ? "" : null))).readyMs);
  const first = await timeToReady(APP, uiUrl, (url) => get(undefined, portOf(url), "/api/health"));
  app.push(first.readyMs);
  health.push(first.answeredMs);
  traces.push(
    (await timeToReady(APP, uiUrl, (url) => postTraces(portOf(url), body, { contentType: "application/x-protobuf" })))
      .answeredMs,
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
