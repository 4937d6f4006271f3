// Import throughput: `tracekit-local import` of OTLP JSON Lines files through the built CLI: into a
// running server (memory store), into a running server with --db, and straight into a --db file
// without a server. Three files, one a signal:
//   - spans: one ExportTraceServiceRequest of 1,000 spans a line, as the OpenTelemetry Collector's file
//     exporter writes them (payload.mjs's spans of ~10 attributes, ids unique);
//   - logs: 1,000 log records a line from 5 services, 70% in a trace, 3 attributes each, every record
//     new (a later time);
//   - metrics: one export of 100 series a line (50 cumulative counters that grow from line to line, 50
//     gauges), 10 s apart, as an SDK's periodic exporter writes them.
// Prints items/s for each, after (for spans) the one-core ceilings of the same lines measured in this
// process (JSON.parse alone, JSON.parse plus the server's OTLP/JSON decoder, the direct reader
// `import --db` uses, and the JSON → protobuf transcoder the CLI sends a running server through), which
// say how busy the machine is. On Linux it also prints the CPU seconds the CLI and the server spent:
// on a shared machine they vary less than the rates.
//
//   node bench/import.mjs     (SPANS=200000 LOGS=100000 POINTS=20000 by default; 0 leaves a file out;
//                              the spans file is ~900 bytes a span)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeTraceRequestJsonDirect } from "../dist/otlp/json/direct-traces.js";
import { decodeTraceRequestJson } from "../dist/otlp/json/traces.js";
import { transcodeTraceRequestJson } from "../dist/otlp/json/transcode-traces.js";
import { buildRequest, toOtlpJson } from "./payload.mjs";
import { startServer } from "./server.mjs";

const BIN = new URL("../bin/tracekit-local.js", import.meta.url).pathname;
const SPANS = Number(process.env.SPANS ?? 200_000);
const LOGS = Number(process.env.LOGS ?? 100_000);
const POINTS = Number(process.env.POINTS ?? 20_000);
const SPANS_PER_LINE = 1_000;
const SPANS_PER_TRACE = 10;
const RECORDS_PER_LINE = 1_000;
const SERIES_PER_LINE = 100;
const SERVICES = ["frontend", "checkout", "payments", "inventory", "email"];

/** One line: a 1,000-span request (100 traces × 10 spans) with fresh ids, as OTLP/JSON. */
function spanLine() {
  return `${toOtlpJson(buildRequest(SPANS_PER_LINE / SPANS_PER_TRACE, SPANS_PER_TRACE))}\n`;
}

const hex = (bytes) => randomBytes(bytes).toString("hex");
const str = (key, value) => ({ key, value: { stringValue: value } });
const resource = (service) => ({ attributes: [str("service.name", service)] });

/** Line `n` of the logs file: 1,000 records 1 µs apart, after those of the lines before it. */
function logLine(n, startNs) {
  const byService = SERVICES.map(() => []);
  let traceId = hex(16);
  for (let i = 0; i < RECORDS_PER_LINE; i++) {
    const seq = n * RECORDS_PER_LINE + i;
    if (i % 10 === 0) traceId = hex(16);
    const record = {
      timeUnixNano: String(startNs + BigInt(seq) * 1_000n),
      severityNumber: i % 16 === 0 ? 17 : 9,
      severityText: i % 16 === 0 ? "ERROR" : "INFO",
      body: { stringValue: `GET /api/orders/${seq} 200 in ${seq % 90} ms` },
      attributes: [
        str("http.route", "/api/orders/:id"),
        str("user.id", `user-${seq % 97}`),
        str("order.id", String(seq)),
      ],
    };
    if (i % 10 < 7) Object.assign(record, { traceId, spanId: hex(8) });
    byService[i % SERVICES.length].push(record);
  }
  const resourceLogs = SERVICES.map((service, s) => ({
    resource: resource(service),
    scopeLogs: [{ scope: { name: "bench" }, logRecords: byService[s] }],
  }));
  return `${JSON.stringify({ resourceLogs })}\n`;
}

/** Line `n` of the metrics file: an export of 50 cumulative counters (grown since line n - 1) and 50 gauges. */
function metricLine(n, startNs, stepNs) {
  const timeUnixNano = String(startNs + BigInt(n) * stepNs);
  const startTimeUnixNano = String(startNs);
  const half = SERIES_PER_LINE / 2;
  const counters = Array.from({ length: half }, (_, s) => ({
    startTimeUnixNano,
    timeUnixNano,
    asInt: String((n + 1) * (s + 1)),
    attributes: [str("http.route", `/api/route/${s}`)],
  }));
  const gauges = Array.from({ length: half }, (_, s) => ({
    timeUnixNano,
    asDouble: ((n * 7 + s) % 100) / 3,
    attributes: [str("pool", `pool-${s}`)],
  }));
  const metrics = [
    {
      name: "http.server.requests",
      unit: "1",
      sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: counters },
    },
    { name: "db.pool.usage", unit: "%", gauge: { dataPoints: gauges } },
  ];
  return `${JSON.stringify({ resourceMetrics: [{ resource: resource("checkout"), scopeMetrics: [{ scope: { name: "bench" }, metrics }] }] })}\n`;
}

async function writeLines(path, lines, lineOf) {
  const out = createWriteStream(path);
  for (let i = 0; i < lines; i++) {
    if (!out.write(lineOf(i))) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

const PROC = existsSync("/proc/self/stat");
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of process `pid` ("self" adds its children that have exited), or NaN off Linux. */
function cpuSeconds(pid, children = false) {
  if (!PROC) return Number.NaN;
  // The fields after the command name, which is in parentheses and may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const at = children ? 13 : 11;
  return (Number(fields[at]) + Number(fields[at + 1])) / TICKS_PER_SECOND;
}

/** Runs `tracekit-local import ...` and returns its summary line and the CPU seconds it took. */
async function runImport(args) {
  const before = cpuSeconds("self", true);
  const summary = await runImportOnce(args);
  return { summary, cpu: cpuSeconds("self", true) - before };
}

async function runImportOnce(args) {
  const child = spawn(process.execPath, [BIN, "import", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  const [code] = await once(child, "exit");
  if (code !== 0) throw new Error(`import exited ${code}: ${out}`);
  return out.trim();
}

/** The summary's count of `noun` (all new: a count stored already fails the check). */
function report(label, { noun, expected }, { summary, cpu }, serverCpu = Number.NaN) {
  const items = Number(new RegExp(`([\\d,]+) ${noun}s\\b`).exec(summary)?.[1].replaceAll(",", ""));
  const seconds = Number(/in ([\d.]+) s/.exec(summary)?.[1]);
  if (items !== expected || summary.includes("already stored") || !summary.includes(" 0 rejected"))
    throw new Error(`${label}: expected ${expected} new ${noun}s, got: ${summary}`);
  const cpuText = Number.isNaN(cpu)
    ? ""
    : `  CPU s: CLI ${cpu.toFixed(2)}${Number.isNaN(serverCpu) ? "" : `, server ${serverCpu.toFixed(2)}`}`;
  const unit = noun === "span" ? "spans" : noun === "log record" ? "logs" : "points";
  console.log(
    `${label.padEnd(36)} ${Math.round(items / seconds)
      .toLocaleString("en-US")
      .padStart(9)} ${`${unit}/s`.padEnd(8)}${cpuText}  (${summary})`,
  );
}

const dir = mkdtempSync(join(tmpdir(), "tracekit-import-bench-"));
try {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const files = [];
  if (SPANS > 0) {
    const path = join(dir, "traces.jsonl");
    await writeLines(path, SPANS / SPANS_PER_LINE, spanLine);
    files.push({ name: "spans", path, noun: "span", expected: SPANS });
  }
  if (LOGS > 0) {
    const path = join(dir, "logs.jsonl");
    const startNs = nowNs - BigInt(LOGS) * 1_000n - 60_000_000_000n;
    await writeLines(path, LOGS / RECORDS_PER_LINE, (n) => logLine(n, startNs));
    files.push({ name: "logs", path, noun: "log record", expected: LOGS });
  }
  if (POINTS > 0) {
    const path = join(dir, "metrics.jsonl");
    const lines = POINTS / SERIES_PER_LINE;
    const stepNs = 10_000_000_000n;
    await writeLines(path, lines, (n) => metricLine(n, nowNs - BigInt(lines + 1) * stepNs, stepNs));
    files.push({ name: "metrics", path, noun: "metric point", expected: POINTS });
  }
  for (const { name, path, expected, noun } of files) {
    console.log(
      `file: ${expected.toLocaleString("en-US")} ${noun}s, ${(statSync(path).size / 1024 / 1024).toFixed(0)} MB of OTLP JSON Lines (${name})`,
    );
  }

  if (SPANS > 0) {
    const sample = Array.from({ length: 20 }, spanLine);
    const ceiling = (label, work) => {
      let best = 0;
      for (let round = 0; round < 3; round++) {
        const started = performance.now();
        for (const text of sample) work(text);
        best = Math.max(best, (sample.length * SPANS_PER_LINE) / ((performance.now() - started) / 1000));
      }
      console.log(
        `${label.padEnd(36)} ${Math.round(best).toLocaleString("en-US").padStart(9)} spans/s  (one core, in process)`,
      );
    };
    ceiling("ceiling: JSON.parse", (text) => JSON.parse(text));
    ceiling("ceiling: JSON.parse + decode", (text) => decodeTraceRequestJson(JSON.parse(text)));
    const sampleBytes = new Map(sample.map((text) => [text, Buffer.from(text)]));
    ceiling("ceiling: direct read", (text) => decodeTraceRequestJsonDirect(sampleBytes.get(text)));
    ceiling("ceiling: transcode to protobuf", (text) => transcodeTraceRequestJson(sampleBytes.get(text)));
  }

  // Bounds that keep every item of the files.
  const bounds = ["--max-spans", String(Math.max(SPANS * 2, 1000)), "--max-logs", String(Math.max(LOGS * 2, 1000))];
  for (const file of files) {
    for (const [label, args] of [
      ["running server (memory)", bounds],
      ["running server (--db)", [...bounds, "--db", join(dir, `server-${file.name}.db`)]],
    ]) {
      const { child, port } = await startServer(args);
      try {
        const serverBefore = cpuSeconds(child.pid);
        const result = await runImport(["--port", String(port), file.path]);
        report(`${file.name} → ${label}`, file, result, cpuSeconds(child.pid) - serverBefore);
      } finally {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
    }
    report(
      `${file.name} → import --db (no server)`,
      file,
      await runImport(["--db", join(dir, `offline-${file.name}.db`), ...bounds, file.path]),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
