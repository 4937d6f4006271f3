// Decode + insert, in process, per span: 1,000-span trace requests decoded by each decoder (protobuf,
// OTLP/JSON parsed, the direct JSON reader) and stored in the memory store (packing quiet traces) and in a
// SQLite file. Two shapes: SDK-like spans (flat attributes), and the same with a list and a map attribute
// per span (nested values). Small enough for a shared machine: a few seconds.
// Run after `npm run build`:  node bench/decode-insert.mjs
// Knobs: BENCH_ROUNDS (default 7; the median is printed), BENCH_REQUESTS (requests a round, default 20),
// BENCH_DIST (the built code to measure, default ../dist/).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildRequest, freshJsonBodies, withFreshTraceIds } from "./payload.mjs";

const DIST = new URL(process.env.BENCH_DIST ?? "../dist/", import.meta.url);
const { decodeTraceRequestProtobuf } = await import(new URL("otlp/protobuf/traces.js", DIST).href);
const { decodeTraceRequestJson } = await import(new URL("otlp/json/traces.js", DIST).href);
const { decodeTraceRequestJsonDirect } = await import(new URL("otlp/json/direct-traces.js", DIST).href);
const { parseOtlpJson } = await import(new URL("otlp/json/parse.js", DIST).href);
const { encodeExportRequestFromJson } = await import(new URL("otlp/protobuf/from-json.js", DIST).href);
const { createMemoryStore } = await import(new URL("store/memory-store.js", DIST).href);
const { createSqliteStore, loadSqliteDriver } = await import(new URL("store/sqlite-store.js", DIST).href);

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20);

const flat = buildRequest(100, 10);

/** The flat request with a list and a map attribute on every span. */
function nestedOf(template) {
  const json = JSON.parse(JSON.stringify(template.json));
  for (const rs of json.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        s.attributes.push(
          {
            key: "http.request.header.accept",
            value: { arrayValue: { values: [{ stringValue: "application/json" }, { stringValue: "text/plain" }] } },
          },
          {
            key: "app.order",
            value: {
              kvlistValue: {
                values: [
                  { key: "items", value: { intValue: "3" } },
                  { key: "tags", value: { arrayValue: { values: [{ stringValue: "gift" }, { boolValue: true }] } } },
                ],
              },
            },
          },
        );
      }
    }
  }
  // from-json reads ids as OTLP/JSON writes them: hex (the template's JSON has them in base64).
  const hexIds = JSON.parse(JSON.stringify(json));
  for (const rs of hexIds.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        for (const id of ["traceId", "spanId", "parentSpanId"]) {
          if (s[id]) s[id] = Buffer.from(s[id], "base64").toString("hex");
        }
      }
    }
  }
  const bytes = Buffer.from(encodeExportRequestFromJson("/v1/traces", hexIds));
  // Trace ids sit where they sat (16 bytes each); find them again in the new bytes.
  const offsets = flat.offsets.map((places) => {
    const id = flat.bytes.subarray(places[0], places[0] + 16);
    const found = [];
    for (let at = bytes.indexOf(id); at !== -1; at = bytes.indexOf(id, at + 16)) found.push(at);
    return found;
  });
  return { ...template, bytes, offsets, json };
}

const nested = nestedOf(flat);
const fmt = (n) => n.toFixed(2);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** µs a span for `run(i)` over REQUESTS requests of 1,000 spans, the median of ROUNDS rounds (after one warm-up). */
function perSpan(prepare, run) {
  const times = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const inputs = Array.from({ length: REQUESTS }, (_, i) => prepare(i));
    const started = performance.now();
    let spans = 0;
    for (const input of inputs) spans += run(input);
    const us = ((performance.now() - started) * 1000) / spans;
    if (round > 0) times.push(us);
  }
  return median(times);
}

await loadSqliteDriver();
const dir = mkdtempSync(join(tmpdir(), "tracekit-decode-insert-"));
try {
  for (const [label, template] of [
    ["flat", flat],
    ["nested", nested],
  ]) {
    const jsonBodies = freshJsonBodies(template);
    const protobuf = perSpan(
      () => withFreshTraceIds(template),
      (body) => decodeTraceRequestProtobuf(body).spans.length,
    );
    const json = perSpan(
      () => jsonBodies(),
      (body) => decodeTraceRequestJson(parseOtlpJson(body)).spans.length,
    );
    const direct = perSpan(
      () => jsonBodies(),
      (body) => decodeTraceRequestJsonDirect(body).spans.length,
    );
    const memoryStore = createMemoryStore({ maxSpans: 200_000 });
    const memory = perSpan(
      () => decodeTraceRequestProtobuf(withFreshTraceIds(template)).spans,
      (spans) => {
        memoryStore.insertSpans(spans);
        return spans.length;
      },
    );
    memoryStore.close();
    const sqliteStore = createSqliteStore({ path: join(dir, `${label}.db`), maxSpans: 200_000 });
    const sqlite = perSpan(
      () => decodeTraceRequestProtobuf(withFreshTraceIds(template)).spans,
      (spans) => {
        sqliteStore.insertSpans(spans);
        sqliteStore.stats(); // writes what was accepted
        return spans.length;
      },
    );
    sqliteStore.close();
    console.log(
      `${label}: decode protobuf ${fmt(protobuf)} µs/span, JSON ${fmt(json)}, direct JSON ${fmt(direct)}; ` +
        `insert memory ${fmt(memory)}, SQLite ${fmt(sqlite)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
