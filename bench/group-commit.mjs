// Group commit in the SQLite store, without HTTP: 4 senders each decode a fresh 1,000-span protobuf
// request, insert it and wait for store.committed() before the next, as the OTLP route does. Compares
// synchronous=NORMAL and FULL (what a commit waits for), writes nobody waits for (flushed on the
// timer, as before group commit), and the memory store, in one run. Beside each rate, the spans per
// CPU-second of this process (one thread: decoding, storing, writing), which other work on the machine
// does not lower as it does the wall-time rate. On Linux, the same for the main thread alone (the SQLite
// store checkpoints its log in a thread of its own, whose time the first counts), and the main thread's
// rate over its time on a CPU or blocked (waiting for a sync, say), leaving out its time waiting for
// a CPU: what an idle machine would give if the main thread is the bottleneck.
// Run after `npm run build`:  node bench/group-commit.mjs
// Knobs: BENCH_REQUESTS (default 300 per mode), BENCH_CONCURRENCY (4).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile } from "../dist/domain/percentile.js";
import { decodeTraceRequestProtobuf } from "../dist/otlp/protobuf/traces.js";
import { createMemoryStore } from "../dist/store/memory-store.js";
import { createSqliteStore, loadSqliteDriver } from "../dist/store/sqlite-store.js";
import { buildRequest, withFreshTraceIds } from "./payload.mjs";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const template = buildRequest(100, 10);
const fmt = (n) => Math.round(n).toLocaleString("en-US");

/**
 * The main thread's time so far, in seconds (Linux: its thread id is the process id): on a CPU, and
 * waiting for one (the run queue: other work on the machine). Null without /proc.
 */
function mainThreadTimes() {
  try {
    const [onCpu, runQueue] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ").map(Number);
    return { onCpu: onCpu / 1e9, runQueue: runQueue / 1e9 };
  } catch {
    return null;
  }
}

async function run(label, store, { wait }) {
  let next = 0;
  const latencies = [];
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const mainStart = mainThreadTimes();
  const sender = async () => {
    while (next < REQUESTS) {
      next++;
      const began = performance.now();
      store.insertSpans(decodeTraceRequestProtobuf(withFreshTraceIds(template)).spans);
      if (wait) await store.committed?.();
      else await new Promise((resolve) => setImmediate(resolve));
      latencies.push(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  const seconds = (performance.now() - start) / 1000;
  const cpuUsed = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;
  const mainEnd = mainThreadTimes();
  const onCpu = mainStart && mainEnd ? mainEnd.onCpu - mainStart.onCpu : Number.NaN;
  // Neither on a CPU nor waiting for one: blocked (a sync, a lock). On an idle machine the main thread's
  // time is its CPU time and this; the rate over both is what other work on the machine does not lower.
  const busy = mainStart && mainEnd ? seconds - (mainEnd.runQueue - mainStart.runQueue) : Number.NaN;
  latencies.sort((a, b) => a - b);
  const spans = store.stats().spans;
  store.close();
  console.log(
    `${label}: ${fmt((REQUESTS * template.spanCount) / seconds)} spans/s (${fmt(spans)} spans in ${seconds.toFixed(1)} s), ` +
      `${fmt((REQUESTS * template.spanCount) / cpuSeconds)} spans per CPU-second ` +
      `(main thread: ${fmt((REQUESTS * template.spanCount) / onCpu)} per CPU-second, ` +
      `${fmt((REQUESTS * template.spanCount) / busy)} per second on a CPU or blocked), ` +
      `request p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
}

await loadSqliteDriver();
const dir = mkdtempSync(join(tmpdir(), "tracekit-group-commit-"));
const maxSpans = REQUESTS * template.spanCount + 1;
try {
  console.log(`${CONCURRENCY} senders, ${REQUESTS} requests of ${template.spanCount} spans per mode`);
  await run("memory", createMemoryStore({ maxSpans }), { wait: true });
  await run("sqlite, not waiting (timer flush)", createSqliteStore({ path: join(dir, "a.db"), maxSpans }), {
    wait: false,
  });
  await run("sqlite NORMAL, waiting for commit", createSqliteStore({ path: join(dir, "b.db"), maxSpans }), {
    wait: true,
  });
  await run(
    "sqlite FULL, waiting for commit",
    createSqliteStore({ path: join(dir, "c.db"), maxSpans, synchronous: "FULL" }),
    { wait: true },
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
