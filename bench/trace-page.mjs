// One big trace whose spans carry what an OpenTelemetry SDK really sends: a resource of 15 attributes
// (service, host, OS, process and SDK detectors) repeated on every span. For each trace and each store
// (memory, then a `--db` file), the size and time of GET /api/traces/:id in its full form and with
// `resources=shared` (each resource and scope once), then navigation → first waterfall row painted in
// Chromium (the page asks for the shared form). Target: a 100k-span trace's first row under 1 s.
// Run after `npm run build`:  node bench/trace-page.mjs
//   BENCH_SPANS (default 50000): the synthetic trace's spans; BENCH_RUNS (default 5) per measure;
//   BENCH_TRACE_FILES: comma-separated OTLP/JSON files (`tracekit-local export --trace <id> --signals traces`), each one
//   trace, measured too; BENCH_BIN: another build's bin/tracekit-local.js, to compare with;
//   BENCH_STORES: `memory,sqlite` (the default) or either one.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchChromium, mainThread, postJson, processCpuMs } from "./chromium.mjs";
import { startServer } from "./server.mjs";

const BIN = process.env.BENCH_BIN ?? new URL("../bin/tracekit-local.js", import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SPANS = Number(process.env.BENCH_SPANS ?? 50_000);
const FILES = (process.env.BENCH_TRACE_FILES ?? "").split(",").filter(Boolean);
const STORES = (process.env.BENCH_STORES ?? "memory,sqlite").split(",");

const hex = (bytes) =>
  Array.from({ length: bytes }, () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, "0"),
  ).join("");
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const str = (key, value) => ({ key, value: { stringValue: value } });

/** What the Node SDK's default detectors put on every span of a service. */
function nodeResource(service) {
  return {
    attributes: [
      str("service.name", service),
      str("service.version", "1.4.2"),
      str("deployment.environment.name", "dev"),
      str("host.name", "build-agent-7"),
      str("host.arch", "amd64"),
      str("host.id", hex(16)),
      { key: "process.pid", value: { intValue: "48213" } },
      str("process.executable.name", "node"),
      str("process.executable.path", "/usr/local/bin/node"),
      {
        key: "process.command_args",
        value: {
          arrayValue: { values: [{ stringValue: "/usr/local/bin/node" }, { stringValue: "/srv/app/dist/server.js" }] },
        },
      },
      str("process.runtime.version", "20.19.2"),
      str("process.runtime.name", "nodejs"),
      str("process.runtime.description", "Node.js"),
      str("process.command", "/srv/app/dist/server.js"),
      str("telemetry.sdk.language", "nodejs"),
    ],
  };
}

/** A trace of `count` spans (a report: sections, each with a query and a render) in requests of 1,000. */
function* syntheticTrace(traceId, count) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const ids = Array.from({ length: count }, () => hex(8));
  const resource = nodeResource("frontend");
  for (let from = 0; from < count; from += 1000) {
    const spans = [];
    for (let i = from; i < Math.min(count, from + 1000); i++) {
      const parent = i === 0 ? undefined : i % 3 === 1 ? ids[0] : ids[i - 1 - ((i - 1) % 3 === 0 ? 0 : 1)];
      const start = now + BigInt(i) * 200_000n;
      spans.push({
        traceId,
        spanId: ids[i],
        ...(parent ? { parentSpanId: parent } : {}),
        name:
          i === 0 ? "GET /report" : i % 3 === 1 ? `report section ${i}` : i % 3 === 2 ? "SELECT shop.orders" : "render",
        kind: i === 0 ? 2 : i % 3 === 2 ? 3 : 1,
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + (i === 0 ? BigInt(count) * 200_000n : 150_000n)),
        attributes:
          i % 3 === 2
            ? [str("db.system.name", "postgresql"), str("db.query.text", `SELECT * FROM orders WHERE section = ${i}`)]
            : [{ key: "report.section", value: { intValue: String(i) } }],
        status: {},
      });
    }
    yield JSON.stringify({
      resourceSpans: [{ resource, scopeSpans: [{ scope: { name: "report-app", version: "0.1.0" }, spans }] }],
    });
  }
}

/**
 * Bytes, and the median time to the answer's headers (the server's first byte) and to its whole body,
 * and the server's CPU time for it (all its threads; unlike wall time, hardly moved by other load).
 */
async function timeFetch({ base, pid }, path) {
  let bytes = 0;
  let head = "";
  const firstByte = [];
  const times = [];
  const cpu = [];
  for (let run = 0; run < RUNS; run++) {
    const cpuBefore = processCpuMs(pid);
    const start = performance.now();
    const response = await fetch(`${base}${path}`);
    firstByte.push(performance.now() - start);
    const body = await response.arrayBuffer();
    times.push(performance.now() - start);
    cpu.push(processCpuMs(pid) - cpuBefore);
    bytes = body.byteLength;
    head = new TextDecoder().decode(body.slice(0, 200));
  }
  return {
    bytes,
    head,
    firstByteMs: median(firstByte),
    ms: median(times),
    cpuMs: median(cpu),
    // The server keeps its last compact answer: the first is the one that reads the trace.
    firstMs: times[0],
    firstCpuMs: cpu[0],
  };
}

/**
 * Navigation → first waterfall row, each a first view (`otherTraceId`'s compact answer is asked for
 * before each, so the server does not keep this trace's), and the steps on the way (ms from navigation,
 * medians): the trace's request sent, its first and last byte (Resource Timing), and the page's own
 * marks (lib/trace-timing.ts: the answer's text read, parsed into spans, made a tree; a build without
 * them shows "–"); and the page's main thread's busy time (its tasks) by then, which other load moves
 * less than the times.
 */
async function firstRow(browser, base, traceId, otherTraceId) {
  const steps = { request: [], firstByte: [], lastByte: [], answer: [], parsed: [], tree: [], row: [], busy: [] };
  for (let run = 0; run < RUNS; run++) {
    await (await fetch(`${base}/api/traces/${otherTraceId}?form=compact1`)).arrayBuffer();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript(() => {
      const check = () => {
        if (document.querySelector("[data-span-id]")) window.__firstRow = performance.now();
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    await page.goto(`${base}/traces/${traceId}`);
    await page.waitForFunction(() => window.__firstRow !== undefined, null, { timeout: 60_000 });
    steps.busy.push((await mainThread(cdp)).task);
    const times = await page.evaluate(() => {
      const load = performance.getEntriesByType("resource").find((entry) => entry.name.includes("/api/traces/"));
      const mark = (name) => performance.getEntriesByName(`tracekit:${name}`)[0]?.startTime ?? Number.NaN;
      return {
        request: load?.requestStart ?? Number.NaN,
        firstByte: load?.responseStart ?? Number.NaN,
        lastByte: load?.responseEnd ?? Number.NaN,
        answer: mark("trace-answer"),
        parsed: mark("trace-parsed"),
        tree: mark("trace-tree"),
        row: window.__firstRow,
      };
    });
    for (const [step, ms] of Object.entries(times)) steps[step].push(ms);
    await page.close();
  }
  return Object.fromEntries(Object.entries(steps).map(([step, values]) => [step, median(values)]));
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;

const ms = (value) => (Number.isNaN(value) ? "–" : `${value.toFixed(0)}`);

async function measure(browser, server, label, traceId, otherTraceId) {
  const full = await timeFetch(server, `/api/traces/${traceId}`);
  const shared = await timeFetch(server, `/api/traces/${traceId}?resources=shared`);
  const compact = await timeFetch(server, `/api/traces/${traceId}?form=compact1`);
  const page = await firstRow(browser, server.base, traceId, otherTraceId);
  const form = (name, answer) =>
    name === "compact1" && !answer.head.includes('"form":"compact1"') // a build without the form
      ? `${name} –`
      : `${name} ${mb(answer.bytes)}, first byte ${ms(answer.firstByteMs)} ms, whole ${ms(answer.ms)} ms, ` +
        `server CPU ${ms(answer.cpuMs)} ms` +
        (name === "compact1" ? ` (the first: whole ${ms(answer.firstMs)} ms, CPU ${ms(answer.firstCpuMs)} ms)` : "");
  console.log(
    `${label}: full ${mb(full.bytes)} in ${ms(full.ms)} ms; ${form("shared", shared)}; ${form("compact1", compact)}; ` +
      `first waterfall row ${ms(page.row)} ms (median of ${RUNS})`,
  );
  console.log(
    `  in the page (ms from navigation): request sent ${ms(page.request)}, first byte ${ms(page.firstByte)}, ` +
      `last byte ${ms(page.lastByte)}, text read ${ms(page.answer)}, parsed ${ms(page.parsed)}, tree ${ms(page.tree)}, ` +
      `first row ${ms(page.row)}; main thread busy ${ms(page.busy)} ms by then`,
  );
}

const browser = await launchChromium();
try {
  for (const store of STORES) {
    const dir = mkdtempSync(join(tmpdir(), "trace-page-bench-"));
    const { child, port } = await startServer(store === "sqlite" ? ["--db", join(dir, "bench.db")] : [], {
      script: BIN,
    });
    const base = `http://127.0.0.1:${port}`;
    const server = { base, pid: child.pid };
    try {
      // A trace of one span whose answer the page runs ask for first (see firstRow).
      const otherTraceId = hex(16);
      for (const body of syntheticTrace(otherTraceId, 1)) await postJson(base, "/v1/traces", body);
      for (const file of FILES) {
        const text = readFileSync(file, "utf8");
        const traceId = /"traceId":"([0-9a-f]{32})"/.exec(text)?.[1];
        for (const line of text.split("\n")) if (line.trim() !== "") await postJson(base, "/v1/traces", line);
        const [summary] = (await (await fetch(`${base}/api/traces?ids=${traceId}`)).json()).traces;
        const label = `${store}, ${file.split("/").at(-1)} (${summary.spanCount} spans)`;
        await measure(browser, server, label, traceId, otherTraceId);
      }
      const traceId = hex(16);
      for (const body of syntheticTrace(traceId, SPANS)) await postJson(base, "/v1/traces", body);
      const label = `${store}, synthetic ${SPANS.toLocaleString("en")}-span trace`;
      await measure(browser, server, label, traceId, otherTraceId);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.on("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  await browser.close();
}
