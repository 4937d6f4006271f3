// Preloaded into a benchmarked server (`node --import ./bench/server-timing.mjs …`): records how long
// the server spends on each POST /v1/traces, from its headers being parsed to the last byte of the
// answer being handed to the socket, and prints the percentiles as one JSON line on SIGUSR2, with the
// CPU time the process used since the last one (user + system, in ms): unlike wall time, it does not
// grow when other processes take the cores.
import diagnostics from "node:diagnostics_channel";

const started = new WeakMap();
let times = [];
let cpuSince = process.cpuUsage();

diagnostics.subscribe("http.server.request.start", ({ request }) => {
  if (request.method === "POST" && request.url === "/v1/traces") started.set(request, process.hrtime.bigint());
});
diagnostics.subscribe("http.server.response.finish", ({ request }) => {
  const t = started.get(request);
  if (t !== undefined) times.push(Number(process.hrtime.bigint() - t) / 1e6);
});

process.on("SIGUSR2", () => {
  const sorted = times.sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  const cpu = process.cpuUsage(cpuSince);
  cpuSince = process.cpuUsage();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(`SERVER-TIMING ${JSON.stringify({ count: sorted.length, p50: at(50), p99: at(99), cpuMs })}\n`);
  times = [];
});
