// Start-up: milliseconds from spawning `tracekit-local --port 0 --no-open` to its printed URL, beside
// a bare `node -e` on the same machine in the same run (the ratio is what carries across machines).
// Run after `npm run build`:  node bench/startup.mjs   Knob: BENCH_RUNS (10).
import { spawn } from "node:child_process";
import { percentile } from "../dist/domain/percentile.js";

const BIN = new URL("../bin/tracekit-local.js", import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

/** Milliseconds until the child prints its URL (or, for a bare node, exits). */
async function timeToReady(args, ready) {
  const start = performance.now();
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (ready(out)) resolve();
    });
    child.on("exit", resolve);
  });
  const ms = performance.now() - start;
  child.kill("SIGTERM");
  await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on("exit", resolve)));
  return ms;
}

const bare = [];
const app = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(await timeToReady(["-e", "console.log('ready')"], (out) => out.includes("ready")));
  app.push(await timeToReady([BIN, "--port", "0", "--no-open"], (out) => /UI:\s+http/.test(out)));
}
bare.sort((a, b) => a - b);
app.sort((a, b) => a - b);
const p50 = (xs) => percentile(xs, 50);
console.log(
  `start-up: tracekit-local ${p50(app).toFixed(0)} ms to its URL (median of ${RUNS}; fastest ${app[0].toFixed(0)} ms), ` +
    `bare node ${p50(bare).toFixed(0)} ms; ratio ${(p50(app) / p50(bare)).toFixed(2)}`,
);
