// Import throughput: `tracekit-local import` of an OTLP JSON Lines file (one ExportTraceServiceRequest
// of 1,000 spans per line, as the OpenTelemetry Collector's file exporter writes them; ~10 attributes a
// span, ids unique), through the built CLI: into a running server (memory store), into a running
// server with --db, and straight into a --db file without a server. Prints spans/s for each, after
// the one-core ceilings of the same lines measured in this process (JSON.parse alone, and JSON.parse
// plus the server's OTLP/JSON decoder), which say how busy the machine is.
//
//   node bench/import.mjs            (SPANS=200000 by default; the file is ~900 bytes a span)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeTraceRequestJson } from "../dist/otlp/json/traces.js";
import { startServer } from "./server.mjs";

const BIN = new URL("../bin/tracekit-local.js", import.meta.url).pathname;
const SPANS = Number(process.env.SPANS ?? 200_000);
const SPANS_PER_LINE = 1_000;
const SPANS_PER_TRACE = 10;
const SERVICES = ["frontend", "checkout", "payments", "inventory", "email"];

const str = (key, value) => ({ key, value: { stringValue: value } });
const int = (key, value) => ({ key, value: { intValue: String(value) } });

function line(startNs) {
  const resourceSpans = SERVICES.map((service) => ({
    resource: { attributes: [str("service.name", service), str("service.version", "1.4.2")] },
    scopeSpans: [{ scope: { name: "@opentelemetry/instrumentation-http", version: "0.57.0" }, spans: [] }],
  }));
  for (let t = 0; t < SPANS_PER_LINE / SPANS_PER_TRACE; t++) {
    const traceId = randomBytes(16).toString("hex");
    let parent = "";
    for (let s = 0; s < SPANS_PER_TRACE; s++) {
      const spanId = randomBytes(8).toString("hex");
      const start = startNs + BigInt(t * 10_000_000 + s * 1_000_000);
      resourceSpans[(t + s) % SERVICES.length].scopeSpans[0].spans.push({
        traceId,
        spanId,
        parentSpanId: parent,
        name: s === 0 ? "GET /api/orders/:id" : s % 3 === 0 ? "SELECT orders" : `call inventory ${s}`,
        kind: s === 0 ? 2 : s % 3 === 0 ? 3 : 1,
        startTimeUnixNano: start.toString(),
        endTimeUnixNano: (start + 750_000n).toString(),
        attributes: [
          str("http.request.method", "GET"),
          str("http.route", "/api/orders/:id"),
          int("http.response.status_code", s % 17 === 0 ? 500 : 200),
          str("url.full", `http://localhost:8080/api/orders/${t}?expand=items`),
          str("server.address", "localhost"),
          int("server.port", 8080),
          str("db.system.name", "postgresql"),
          str("db.query.text", "SELECT id, status, total FROM orders WHERE id = $1"),
          str("user.id", `user-${t % 97}`),
          { key: "app.cache_hit", value: { boolValue: s % 2 === 0 } },
        ],
        events:
          s % 5 === 0
            ? [{ timeUnixNano: start.toString(), name: "cache.miss", attributes: [str("cache.key", `order:${t}`)] }]
            : [],
        status: s % 17 === 0 ? { code: 2, message: "upstream failed" } : {},
      });
      parent = spanId;
    }
  }
  return `${JSON.stringify({ resourceSpans })}\n`;
}

async function writeFile(path) {
  const out = createWriteStream(path);
  const startNs = BigInt(Date.now() - 60_000) * 1_000_000n;
  for (let i = 0; i < SPANS / SPANS_PER_LINE; i++) {
    if (!out.write(line(startNs + BigInt(i) * 1_000_000_000n))) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/** Runs `tracekit-local import ...` and returns its summary line. */
async function runImport(args) {
  const child = spawn(process.execPath, [BIN, "import", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  const [code] = await once(child, "exit");
  if (code !== 0) throw new Error(`import exited ${code}: ${out}`);
  return out.trim();
}

function report(label, summary) {
  const spans = Number(/([\d,]+) spans,/.exec(summary)?.[1].replaceAll(",", ""));
  const seconds = Number(/in ([\d.]+) s/.exec(summary)?.[1]);
  if (spans !== SPANS) throw new Error(`${label}: expected ${SPANS} spans, got: ${summary}`);
  console.log(
    `${label.padEnd(36)} ${Math.round(spans / seconds)
      .toLocaleString("en-US")
      .padStart(9)} spans/s  (${summary})`,
  );
}

const dir = mkdtempSync(join(tmpdir(), "tracekit-import-bench-"));
try {
  const file = join(dir, "traces.jsonl");
  await writeFile(file);
  console.log(
    `file: ${SPANS.toLocaleString("en-US")} spans, ${(statSync(file).size / 1024 / 1024).toFixed(0)} MB of OTLP JSON Lines`,
  );

  const sample = Array.from({ length: 20 }, (_, i) => line(BigInt(Date.now()) * 1_000_000n + BigInt(i)));
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

  const maxSpans = String(SPANS * 2);
  for (const [label, args] of [
    ["running server (memory)", ["--max-spans", maxSpans]],
    ["running server (--db)", ["--max-spans", maxSpans, "--db", join(dir, "server.db")]],
  ]) {
    const { child, port } = await startServer(args);
    try {
      report(`import → ${label}`, await runImport(["--port", String(port), file]));
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  }
  report("import --db (no server)", await runImport(["--db", join(dir, "offline.db"), "--max-spans", maxSpans, file]));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
