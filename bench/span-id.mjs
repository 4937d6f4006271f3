// A trace by one of its span ids (GET /api/spans/:spanId, Store.traceIdOfSpan): fills the memory
// store and a SQLite file with BENCH_SPANS spans (default 350,000, the default bound; bench/payload.mjs
// traffic, 100 traces × 10 spans per request, each span with an id of its own), then times the
// lookup of a span in the oldest trace, in the newest, of an id no span has (every trace looked
// at), and of one whose 8 bytes are a word most traces hold (each of those traces read back).
// Neither store keeps an index of span ids: the memory store searches its packed traces' bytes,
// the SQLite store compares the start of each span row.
// Times are wall-clock medians after a first run, and the median CPU time of the process (user +
// system) beside them (bench/timing.mjs).
// Run after `npm run build`:  node bench/span-id.mjs
// Knobs: BENCH_SPANS (350000), BENCH_RUNS (runs per lookup, 9).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeTraceRequestProtobuf } from "../dist/otlp/protobuf/traces.js";
import { createMemoryStore } from "../dist/store/memory-store.js";
import { createSqliteStore, loadSqliteDriver } from "../dist/store/sqlite-store.js";
import { buildRequest, withFreshTraceIds } from "./payload.mjs";
import { time } from "./timing.mjs";

const SPANS = Number(process.env.BENCH_SPANS ?? 350_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const template = buildRequest(100, 10);
const fmt = (n) => n.toLocaleString("en-US", { maximumFractionDigits: 1 });

/** A request's spans with fresh trace and span ids (the template repeats its span ids). */
function freshBatch() {
  const spans = decodeTraceRequestProtobuf(withFreshTraceIds(template)).spans;
  const ids = new Map();
  const fresh = (trace, id) => {
    const key = `${trace}/${id}`;
    let next = ids.get(key);
    if (next === undefined) {
      next = randomBytes(8).toString("hex");
      ids.set(key, next);
    }
    return next;
  };
  return spans.map((span) => ({
    ...span,
    spanId: fresh(span.traceId, span.spanId),
    parentSpanId: span.parentSpanId === null ? null : fresh(span.traceId, span.parentSpanId),
  }));
}

function fill(store) {
  let spans = 0;
  let first;
  let last;
  while (spans < SPANS) {
    const batch = freshBatch();
    store.insertSpans(batch);
    first ??= batch[0];
    last = batch[batch.length - 1];
    spans += batch.length;
  }
  store.stats(); // flushes the SQLite store
  return { spans, first, last };
}

function report(label, store, filled) {
  const lookups = [
    ["a span of the oldest trace", filled.first],
    ["a span of the newest trace", filled.last],
    ["an id no span has", { spanId: "0123456789abcdef", traceId: undefined }],
    // Its bytes are the text "upstream", in the status message of one span in 17: in most traces.
    ["an id whose bytes are text", { spanId: "757073747265616d", traceId: undefined }],
  ];
  for (const [name, span] of lookups) {
    const { p50, cpu, result } = time(() => store.traceIdOfSpan(span.spanId), { runs: RUNS });
    const right = result === span.traceId ? "found" : "WRONG ANSWER";
    console.log(
      `${label} ${name.padEnd(28)} p50 ${fmt(p50).padStart(7)} ms, CPU ${fmt(cpu).padStart(7)} ms (${right})`,
    );
  }
}

await loadSqliteDriver();
const memory = createMemoryStore({ maxSpans: SPANS + 1000 });
const memoryFilled = fill(memory);
console.log(`memory: ${memoryFilled.spans.toLocaleString("en-US")} spans`);
report("memory", memory, memoryFilled);
memory.close();

const dir = mkdtempSync(join(tmpdir(), "span-id-bench-"));
try {
  const sqlite = createSqliteStore({ path: join(dir, "bench.db"), maxSpans: SPANS + 1000 });
  const sqliteFilled = fill(sqlite);
  console.log(`sqlite: ${sqliteFilled.spans.toLocaleString("en-US")} spans`);
  report("sqlite", sqlite, sqliteFilled);
  sqlite.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
