// Preloaded into a benchmarked server (`node --import ./bench/load-probe.mjs …`): on SIGUSR2 prints
// one JSON line with what held its event loop since the last one: the loop's delay percentiles
// (perf_hooks.monitorEventLoopDelay, 10 ms resolution is too coarse, so 5 ms), the time spent in
// garbage collection (count, total and longest pause, by kind) and the CPU time used (user + system).
// Requests whose URL carries `probe=<id>` are also listed one by one (`requests`: id → [headers parsed,
// answer written], epoch ms, to set beside the sender's own times), and so are the event loop's stalls
// (`stalls`: [epoch ms when seen, ms late] for each tick of a 5 ms timer that came 20 ms or more late).
import diagnostics from "node:diagnostics_channel";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";

const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
let cpuSince = process.cpuUsage();
let gc = {};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind =
      { 1: "scavenge", 2: "minor-ms", 4: "mark-compact", 8: "incremental", 16: "weak" }[entry.detail?.kind] ?? "other";
    gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0 };
    const seen = gc[kind];
    seen.count++;
    seen.totalMs += entry.duration;
    seen.maxMs = Math.max(seen.maxMs, entry.duration);
  }
}).observe({ entryTypes: ["gc"] });

// Each request's time in the server: from its headers parsed to the last byte handed to the socket.
const started = new WeakMap();
let served = {};
let requests = {};
const epochNow = () => performance.timeOrigin + performance.now();
let stalls = [];
let lastTick = performance.now();
setInterval(() => {
  const now = performance.now();
  const late = now - lastTick - 5;
  lastTick = now;
  if (late >= 20) stalls.push([Math.round(performance.timeOrigin + now), Math.round(late)]);
}, 5).unref();
diagnostics.subscribe("http.server.request.start", ({ request }) => started.set(request, performance.now()));
diagnostics.subscribe("http.server.response.finish", ({ request }) => {
  const t = started.get(request);
  if (t === undefined) return;
  const probe = /[?&]probe=([^&]+)/.exec(request.url);
  if (probe !== null) requests[probe[1]] = [performance.timeOrigin + t, epochNow()];
  const path = request.url.split("?")[0];
  served[path] ??= [];
  served[path].push(performance.now() - t);
});

process.on("SIGUSR2", () => {
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  const cpu = process.cpuUsage(cpuSince);
  cpuSince = process.cpuUsage();
  const line = {
    loopDelay: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
    gc: Object.fromEntries(
      Object.entries(gc).map(([k, v]) => [
        k,
        { count: v.count, totalMs: Math.round(v.totalMs), maxMs: Math.round(v.maxMs) },
      ]),
    ),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    servedP99: Object.fromEntries(
      Object.entries(served).map(([path, times]) => {
        times.sort((a, b) => a - b);
        return [path, Math.round(times[Math.min(times.length - 1, Math.floor(0.99 * times.length))])];
      }),
    ),
    requests,
    stalls,
  };
  served = {};
  requests = {};
  stalls = [];
  delay.reset();
  gc = {};
  process.stdout.write(`LOAD-PROBE ${JSON.stringify(line)}\n`);
});
