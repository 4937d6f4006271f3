// How a large OTLP/JSON trace body is decoded in steps, in this process (no server): for the direct
// reader in steps (what the server runs for such a body) and for the scan-then-parse path (what it
// falls back to), the number of steps, the longest steps, the CPU time, and the garbage collections
// (count, total and longest pause). A step is what runs between two checks of the slice's time, so
// the longest steps bound how far a slice can overrun; the first steps run cold code.
// Run after `npx tsc -p tsconfig.json`:  node bench/large-json-steps.mjs
// Knobs: BENCH_TRACES (default 3000 traces of 10 spans, ~27 MB).
import { PerformanceObserver } from "node:perf_hooks";
import { largeTraceRequestJsonSteps } from "../dist/otlp/json/direct-traces.js";
import { traceRequestJsonSteps } from "../dist/otlp/json/traces.js";
import { buildRequest, toOtlpJson } from "./payload.mjs";

const traces = Number(process.env.BENCH_TRACES ?? 3000);
const request = buildRequest(traces, 10);
const body = Buffer.from(toOtlpJson(request));
const fmt = (n, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

const pauses = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) pauses.push(entry.duration);
}).observe({ entryTypes: ["gc"] });

/** Runs `steps` to the end, timing each step; resolves once the collections it caused are reported. */
async function measure(name, steps) {
  pauses.length = 0;
  const times = [];
  const cpu = process.cpuUsage();
  let result;
  for (;;) {
    const started = performance.now();
    const step = steps.next();
    times.push(performance.now() - started);
    if (step.done === true) {
      result = step.value;
      break;
    }
  }
  const used = process.cpuUsage(cpu);
  await new Promise((r) => setTimeout(r, 100));
  times.sort((a, b) => b - a);
  const gc = [...pauses].sort((a, b) => b - a);
  console.log(
    `${name}: ${fmt(result.spans.length, 0)} spans in ${fmt(times.length, 0)} steps, ` +
      `${fmt((used.user + used.system) / 1000, 0)} ms CPU; longest steps ${times
        .slice(0, 5)
        .map((t) => fmt(t))
        .join(", ")} ms; ` +
      `GC ${gc.length}× ${fmt(
        gc.reduce((s, p) => s + p, 0),
        0,
      )} ms, longest ${gc
        .slice(0, 3)
        .map((p) => fmt(p))
        .join(", ")} ms`,
  );
}

console.log(`${fmt(body.length / 1024 / 1024)} MB body, ${fmt(request.spanCount, 0)} spans`);
await measure("direct reader in steps", largeTraceRequestJsonSteps(body));
await measure("scanned, parsed in chunks", traceRequestJsonSteps(body));
