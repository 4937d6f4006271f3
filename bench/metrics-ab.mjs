// Metrics decode + memory store, this build against another one in the same process: every export is
// decoded and stored by both (in random order), and each side's CPU time is summed, so both see the
// same machine load. On a busy machine that tells a few per cent apart where separate runs cannot.
// Run after `npm run build` here and in the other checkout:
//   BASE=/path/to/other/checkout node bench/metrics-ab.mjs
// Knobs: BENCH_REQUESTS (default 600: 300 exports per series, past the raw tier's first folds),
// BENCH_PHASE (200: requests per printed phase).

const BASE = process.env.BASE;
if (BASE === undefined) {
  console.error("BASE=<another checkout with a dist/ build> is required");
  process.exit(2);
}
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 600);
const PHASE = Number(process.env.BENCH_PHASE ?? 200);

const { metricsRequest } = await import("./metrics-payload.mjs");
const { DEFAULT_MAX_METRIC_SERIES } = await import("../dist/store/metric-store.js");

async function side(name, dist) {
  const { decodeMetricsRequestProtobuf } = await import(new URL("otlp/protobuf/metrics.js", dist).href);
  const { createMemoryMetricStore } = await import(new URL("store/metric-memory-store.js", dist).href);
  return {
    name,
    decode: decodeMetricsRequestProtobuf,
    store: createMemoryMetricStore({ maxSeries: DEFAULT_MAX_METRIC_SERIES }),
    decodeUs: 0,
    storeUs: 0,
    phases: [],
  };
}

const sides = [
  await side("base", new URL(`file://${BASE.replace(/\/?$/, "/")}dist/`)),
  await side("this", new URL("../dist/", import.meta.url)),
];
const BLOCKS = Math.ceil(DEFAULT_MAX_METRIC_SERIES / 1000);
const startMs = Date.now() - 24 * 3600_000;
const exportBody = (i) => {
  const n = Math.floor(i / BLOCKS);
  return metricsRequest(i % BLOCKS, n, { startMs, timeMs: startMs + (n + 1) * 10_000 });
};

const cpuUs = (since) => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};

/** One export through one side, from a fresh copy of its bytes (as a server reads a body). */
function run(s, bytes) {
  const body = Buffer.allocUnsafe(bytes.length);
  body.set(bytes);
  const start = process.cpuUsage();
  const { metrics } = s.decode(body);
  const decoded = cpuUs(start);
  s.store.insert(metrics);
  s.decodeUs += decoded;
  s.storeUs += cpuUs(start) - decoded;
}

// A fixed seed: the same order of sides on every run.
let seed = 1;
const coin = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed < 1073741824;
};
for (let i = 0; i < REQUESTS; i++) {
  const bytes = exportBody(i);
  const [first, second] = coin() ? sides : [sides[1], sides[0]];
  run(first, bytes);
  run(second, bytes);
  if ((i + 1) % PHASE === 0 || i + 1 === REQUESTS) {
    const requests = ((i % PHASE) + 1) * 1000;
    for (const s of sides) {
      s.phases.push({ decode: s.decodeUs / requests, store: s.storeUs / requests });
      s.decodeUs = 0;
      s.storeUs = 0;
    }
  }
}

console.log(
  `${REQUESTS} exports of 1,000 points (400 histogram, 300 counter, 300 gauge series) over ${BLOCKS} × 1,000 series; ` +
    `CPU µs per point, decode + store, per ${PHASE} exports:`,
);
for (const s of sides) {
  console.log(`  ${s.name}: ${s.phases.map((p) => `${p.decode.toFixed(2)} + ${p.store.toFixed(2)}`).join("   ")}`);
}
const total = (s, from = 0) => s.phases.slice(from).reduce((sum, p) => sum + p.decode + p.store, 0);
const [base, current] = sides;
console.log(
  `this / base CPU: ${(total(current) / total(base)).toFixed(3)} over all, ` +
    `${(total(current, 1) / total(base, 1)).toFixed(3)} after the first ${PHASE} exports`,
);
