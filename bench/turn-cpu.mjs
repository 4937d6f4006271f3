// Loaded into a server with SERVER_NODE_ARGS="--import ./bench/turn-cpu.mjs" (and BENCH_SERVER_LINES=1):
// times the server's event-loop turns in its main thread's CPU time, which a busy machine barely moves
// (on a shared 2-core machine, /api/health waits of 60-200 ms were mostly the server not being run:
// turns of 0-10 ms of CPU). A timer ticks every 2 ms; at exit one line gives how many tick intervals,
// after the first 400 ms (the start), held more than 10, 30 and 45 ms of main-thread CPU (GC pauses the
// main thread works in count; waiting for the GC's helper threads does not), and the longest.
import { readFileSync } from "node:fs";

// Linux only: the main thread's time on the CPU, in ns, is the first field.
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const cpuMs = () => Number(readFileSync(SCHEDSTAT, "utf8").split(" ")[0]) / 1e6;

const started = performance.now();
let last = cpuMs();
const turns = [];
setInterval(() => {
  const now = cpuMs();
  if (now - last > 10 && performance.now() - started > 400) turns.push(now - last);
  last = cpuMs();
}, 2).unref();

process.on("exit", () => {
  turns.sort((a, b) => b - a);
  const over = (ms) => turns.filter((turn) => turn > ms).length;
  const longest = turns.slice(0, 8).map((turn) => turn.toFixed(0));
  console.log(
    `turn CPU: ${over(10)} over 10 ms, ${over(30)} over 30, ${over(45)} over 45; longest ${longest.join(" ")} ms`,
  );
});
