// Timing shared by the store benches (query.mjs, span-id.mjs).
import { percentile } from "../dist/domain/percentile.js";

/**
 * Times `run`: the first run (it may build what later runs reuse, per-trace filters say: see
 * src/store/trace-blooms.ts), then the wall-clock and CPU (user + system) medians of up to `runs`
 * more, at least 2, stopping once `maxSeconds` have gone by.
 */
export function time(run, { runs, maxSeconds = Number.POSITIVE_INFINITY }) {
  let t = performance.now();
  let result = run();
  const first = performance.now() - t;
  const firstResult = result;
  const times = [];
  const cpuTimes = [];
  const until = performance.now() + maxSeconds * 1000;
  for (let i = 0; i < runs && (i < 2 || performance.now() < until); i++) {
    const cpu = process.cpuUsage();
    t = performance.now();
    result = run();
    times.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const cpu = percentile(cpuTimes, 50);
  return { first, firstResult, p50: percentile(times, 50), cpu, runs: times.length, result };
}
