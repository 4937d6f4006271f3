// The service map's index (ServiceTraffic) under steady ingest with retention, in process: bench
// requests (payload.mjs, 10 traces × 10 spans) decoded ahead, then each one's spans added and the
// oldest traces evicted beyond KEPT spans, as a store does. Prints the time each request's add and
// evict took (p50, p99, the longest ones: a compaction of the index's log happens inside one), and
// µs a span.
// Run after `npm run build`:  node bench/service-traffic.mjs
// Knobs: REQUESTS (default 20,000 → 2M spans), KEPT (350,000).
import { calledPeerOf } from "../dist/domain/service-map.js";
import { ServiceTraffic } from "../dist/domain/service-traffic.js";
import { decodeTraceRequestProtobuf } from "../dist/otlp/protobuf/traces.js";
import { buildRequest, freshRequest } from "./payload.mjs";

const REQUESTS = Number(process.env.REQUESTS ?? 20_000);
const KEPT = Number(process.env.KEPT ?? 350_000);
const template = buildRequest(10, 10);
const traffic = new ServiceTraffic(calledPeerOf);
/** Trace ids in arrival order, and how many spans each brought. */
const arrived = [];
let head = 0;
let stored = 0;
const times = [];
let total = 0;
for (let r = 0; r < REQUESTS; r++) {
  const { spans } = decodeTraceRequestProtobuf(freshRequest(template));
  const now = Date.now();
  const start = performance.now();
  const counts = new Map();
  for (const span of spans) {
    traffic.add(span, now);
    counts.set(span.traceId, (counts.get(span.traceId) ?? 0) + 1);
  }
  for (const [id, count] of counts) arrived.push([id, count]);
  stored += spans.length;
  while (stored > KEPT) {
    const [id, count] = arrived[head++];
    traffic.evict(id);
    stored -= count;
  }
  const ms = performance.now() - start;
  times.push(ms);
  total += ms;
}
const sorted = [...times].sort((a, b) => a - b);
const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(2);
console.log(
  `ServiceTraffic, ${REQUESTS.toLocaleString("en-US")} requests of ${template.spanCount} spans, ${KEPT.toLocaleString("en-US")} kept: ` +
    `${((total * 1000) / (REQUESTS * template.spanCount)).toFixed(2)} µs a span; a request's add and evict p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`,
);
const longest = times
  .map((ms, r) => [ms, r])
  .sort((a, b) => b[0] - a[0])
  .slice(0, 6)
  .map(([ms, r]) => `${ms.toFixed(1)} ms (request ${r.toLocaleString("en-US")})`);
console.log(`longest: ${longest.join(", ")}; log entries at the end ${traffic.entries.toLocaleString("en-US")}`);
