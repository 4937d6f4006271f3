// Import throughput: `tracekit-local import` of an OTLP JSON Lines file (one ExportTraceServiceRequest
// of 1,000 spans per line, as the OpenTelemetry Collector's file exporter writes them; payload.mjs's
// spans of ~10 attributes, ids unique), through the built CLI: into a running server (memory store), into a running
// server with --db, and straight into a --db file without a server. Prints spans/s for each, after
// the one-core ceilings of the same lines measured in this process (JSON.parse alone, JSON.parse
// plus the server's OTLP/JSON decoder, the direct reader `import --db` uses, and the JSON → protobuf
// transcoder the CLI sends a running server through), which say how busy the machine is. On Linux it
// also prints the CPU seconds the CLI and the server spent: on a shared machine they vary less than
// the rates.
//
//   node bench/import.mjs            (SPANS=200000 by default; the file is ~900 bytes a span)
import { spawn } from "node:child_process";
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
const SPANS_PER_LINE = 1_000;
const SPANS_PER_TRACE = 10;

/** One line: a 1,000-span request (100 traces × 10 spans) with fresh ids, as OTLP/JSON. */
function line() {
  return `${toOtlpJson(buildRequest(SPANS_PER_LINE / SPANS_PER_TRACE, SPANS_PER_TRACE))}\n`;
}

async function writeFile(path) {
  const out = createWriteStream(path);
  for (let i = 0; i < SPANS / SPANS_PER_LINE; i++) {
    if (!out.write(line())) await once(out, "drain");
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

function report(label, { summary, cpu }, serverCpu = Number.NaN) {
  const spans = Number(/([\d,]+) spans\b/.exec(summary)?.[1].replaceAll(",", ""));
  const seconds = Number(/in ([\d.]+) s/.exec(summary)?.[1]);
  if (spans !== SPANS) throw new Error(`${label}: expected ${SPANS} spans, got: ${summary}`);
  const cpuText = Number.isNaN(cpu)
    ? ""
    : `  CPU s: CLI ${cpu.toFixed(2)}${Number.isNaN(serverCpu) ? "" : `, server ${serverCpu.toFixed(2)}`}`;
  console.log(
    `${label.padEnd(36)} ${Math.round(spans / seconds)
      .toLocaleString("en-US")
      .padStart(9)} spans/s${cpuText}  (${summary})`,
  );
}

const dir = mkdtempSync(join(tmpdir(), "tracekit-import-bench-"));
try {
  const file = join(dir, "traces.jsonl");
  await writeFile(file);
  console.log(
    `file: ${SPANS.toLocaleString("en-US")} spans, ${(statSync(file).size / 1024 / 1024).toFixed(0)} MB of OTLP JSON Lines`,
  );

  const sample = Array.from({ length: 20 }, line);
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

  const maxSpans = String(SPANS * 2);
  for (const [label, args] of [
    ["running server (memory)", ["--max-spans", maxSpans]],
    ["running server (--db)", ["--max-spans", maxSpans, "--db", join(dir, "server.db")]],
  ]) {
    const { child, port } = await startServer(args);
    try {
      const serverBefore = cpuSeconds(child.pid);
      const result = await runImport(["--port", String(port), file]);
      report(`import → ${label}`, result, cpuSeconds(child.pid) - serverBefore);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  }
  report("import --db (no server)", await runImport(["--db", join(dir, "offline.db"), "--max-spans", maxSpans, file]));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
