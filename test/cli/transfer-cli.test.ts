/**
 * `tracekit-local export` and `import` as a user runs them (the built binary): demo traffic sent
 * through the real OTLP path, exported from one instance, imported into another (memory, a --db file
 * through its server, a --db file without a server), and every trace the same afterwards.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, connect, createServer as createNetServer, type Socket } from "node:net";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import type { LogRecord } from "../../src/domain/log.js";
import { DEFAULT_MAX_LOGS } from "../../src/store/log-store.js";
import { openStores } from "../../src/store/open-store.js";
import { DEFAULT_MAX_SPANS } from "../../src/store/store.js";
import { tempDir } from "../helpers/app.js";
import { BIN, type CliRun, loadedHealth, useCliRuns, waitForUrl } from "../helpers/cli.js";
import { waitFor } from "../helpers/live.js";
import { jsonLogRequest, jsonTraceRequest, newSpanId, newTraceId } from "../helpers/payloads.js";
import { autoRegister, capture } from "../helpers/tracekit-snapshot-client.js";
import { makeLog } from "../store/log-fixtures.js";
import { makeSpan } from "../store/span-fixtures.js";

const start = useCliRuns();
const dir = tempDir();
afterAll(() => dir.remove());

async function server(args: string[] = []): Promise<{ run: CliRun; port: number; base: string }> {
  const run = start(["--port", "0", "--no-open", ...args]);
  const { port } = await waitForUrl(run);
  const base = `http://127.0.0.1:${port}`;
  // Its counts are read as what a file held: a --db file's once it is read back.
  await loadedHealth(base);
  return { run, port, base };
}

async function cli(
  args: string[],
  stdin?: Uint8Array,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = start(args, {}, stdin === undefined ? "ignore" : "pipe");
  if (stdin !== undefined) run.child.stdin?.end(stdin);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/**
 * A relay to the instance on `port`: requests pass through, and so do answers until the client sent one
 * starting with `request`; from then on `tamper` gets the answer so far at each piece of it instead.
 * `stop` closes the relay's port and drops every connection, as an instance that stops does.
 */
async function tamperingRelay(
  port: number,
  request: string,
  tamper: (answer: Buffer, client: Socket, upstream: Socket, stop: () => void) => void,
): Promise<{ port: string; stop(): void }> {
  const sockets = new Set<Socket>();
  const relay = createNetServer((client) => {
    const upstream = connect(port, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
    }
    client.pipe(upstream);
    let tampering = false;
    let answer = Buffer.alloc(0);
    client.on("data", (data: Buffer) => {
      if (data.toString("latin1").startsWith(request)) tampering = true;
    });
    upstream.on("data", (data: Buffer) => {
      if (!tampering) {
        client.write(data);
        return;
      }
      answer = Buffer.concat([answer, data]);
      tamper(answer, client, upstream, stop);
    });
  });
  const stop = () => {
    relay.close();
    for (const socket of sockets) socket.destroy();
  };
  await new Promise<void>((resolve) => relay.listen(0, resolve));
  return { port: String((relay.address() as AddressInfo).port), stop };
}

async function traceIds(base: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor = "";
  for (;;) {
    const page = (await (await fetch(`${base}/api/traces?limit=1000${cursor}`)).json()) as {
      traces: { traceId: string }[];
      nextCursor?: string;
    };
    ids.push(...page.traces.map((t) => t.traceId));
    if (page.nextCursor === undefined) return ids.sort();
    cursor = `&cursor=${encodeURIComponent(page.nextCursor)}`;
  }
}

async function expectSameTraces(a: string, b: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    const [left, right] = await Promise.all(
      [a, b].map(async (base) => (await fetch(`${base}/api/traces/${id}`)).json()),
    );
    expect(right).toEqual(left);
  }
}

const sortedLines = (text: string) => text.split("\n").filter(Boolean).sort();

/** A minute boundary half an hour ago: the metric points of the file below start there. */
const START_MS = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;
const nanos = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
const METRICS = ["queue.depth", "orders", "requests", "latency"];

/** One line of metrics: points `from` to `to` (10 s apart) of a gauge, two counters and a histogram. */
function metricsLine(from: number, to: number): string {
  const at = (i: number) => nanos(START_MS + i * 10_000);
  const points = <T>(point: (i: number) => T) => Array.from({ length: to - from }, (_, k) => point(from + k));
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [str("service.name", "shop"), str("host.name", "shop-1")] },
        scopeMetrics: [
          {
            scope: { name: "shop-meter" },
            metrics: [
              {
                name: "queue.depth",
                gauge: {
                  dataPoints: points((i) => ({
                    timeUnixNano: at(i),
                    asInt: `${i % 7}`,
                    attributes: [str("q", "mail")],
                  })),
                },
              },
              {
                name: "orders",
                sum: {
                  aggregationTemporality: 1,
                  isMonotonic: true,
                  dataPoints: points((i) => ({ startTimeUnixNano: at(i - 1), timeUnixNano: at(i), asInt: "3" })),
                },
              },
              {
                name: "requests",
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: points((i) => ({ startTimeUnixNano: at(-1), timeUnixNano: at(i), asInt: `${5 * i}` })),
                },
              },
              {
                name: "latency",
                histogram: {
                  aggregationTemporality: 1,
                  dataPoints: points((i) => ({
                    startTimeUnixNano: at(i - 1),
                    timeUnixNano: at(i),
                    count: "6",
                    sum: 120 + i,
                    bucketCounts: ["1", "2", "3"],
                    explicitBounds: [10, 100],
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

/** Traces, log records (some in a trace) and metric points, as JSON Lines. */
function telemetryFile(): { text: string; traceId: string } {
  const traceId = newTraceId();
  const root = newSpanId();
  const trace = jsonTraceRequest("shop", [
    { traceId, spanId: root, name: "GET /cart" },
    { traceId, parentSpanId: root, name: "SELECT cart" },
  ]);
  const logs = (service: string, n: number, inTrace: boolean) =>
    jsonLogRequest(
      service,
      Array.from({ length: n }, (_, i) => ({
        timeNs: BigInt(START_MS + i * 1000) * 1_000_000n,
        observedNs: BigInt(START_MS + i * 1000 + 3) * 1_000_000n,
        body: `line ${i} of ${service}`,
        severityNumber: i % 5 === 0 ? 17 : 9,
        attributes: { "cart.id": `c-${i % 3}` },
        ...(inTrace ? { traceId } : {}),
      })),
    );
  const lines = [
    JSON.stringify(trace),
    JSON.stringify(jsonTraceRequest("billing", [{ name: "charge" }])),
    JSON.stringify(logs("shop", 25, true)),
    JSON.stringify(logs("billing", 35, false)),
    // A line whose only record an earlier line holds is taken for that record sent again: one record.
    JSON.stringify(logs("billing", 1, false)),
    ...[0, 10, 20, 30].map((from) => metricsLine(from, from + 10)),
  ];
  return { text: `${lines.join("\n")}\n`, traceId };
}

/** The summary line `import` prints, up to its time. */
function summary(into: string, added: [number, number, number, number], held: [number, number, number]): RegExp {
  const [traces, spans, logs, points] = added;
  const stored = [
    [held[0], "span"],
    [held[1], "log record"],
    [held[2], "metric point"],
  ]
    .filter(([n]) => n !== 0)
    .map(([n, noun]) => `${n} ${noun}${n === 1 ? "" : "s"}`);
  // Only the kinds the file held, new or stored already.
  const kinds = [
    ...(spans > 0 || held[0] > 0 ? [`${traces} traces`, `${spans} spans`] : []),
    ...(logs > 0 || held[1] > 0 ? [`${logs} log records`] : []),
    ...(points > 0 || held[2] > 0 ? [`${points} metric points`] : []),
  ];
  const line =
    `imported 1 file${into}: ${kinds.join(", ") || "nothing"} new` +
    `${stored.length > 0 ? ` (${stored.join(", ")} already stored)` : ""}, 0 rejected in `;
  return new RegExp(`^${line.replace(/[()]/g, "\\$&")}`);
}

/** What the web app reads of the logs and metrics (and the counts health gives). */
async function answers(base: string, traceId: string) {
  const get = async (path: string) => (await fetch(`${base}${path}`)).json();
  const { counts } = (await get("/api/health")) as { counts: Record<string, number> };
  const window = `since=${START_MS - 60_000}&until=${START_MS + 10 * 60_000}&step=60000`;
  return {
    counts: {
      spans: counts.spans,
      logs: counts.logs,
      metricSeries: counts.metricSeries,
      metricPoints: counts.metricPoints,
    },
    traces: await traceIds(base),
    logs: await get("/api/logs?limit=1000"),
    errorLogs: await get("/api/logs?severity=error&order=asc"),
    traceLogs: await get(`/api/logs?traceId=${traceId}&limit=1000`),
    catalog: await get("/api/metrics"),
    charts: await Promise.all(METRICS.map((name) => get(`/api/metrics/${encodeURIComponent(name)}?${window}`))),
  };
}

/** The base64 of each value `postBytesEverywhere` sends as bytes (each a different one). */
const BYTES_SENT = ["AQ==", "Ag==", "Aw==", "BA==", "BQ==", "Bg==", "Bw==", "CA==", "CQ==", "Cg==", "Cw==", "DA=="];

/** A span and a log record with values sent as OTLP bytes in every place they can be, nested too. */
async function postBytesEverywhere(base: string): Promise<void> {
  const b = (i: number) => ({ bytesValue: BYTES_SENT[i] });
  const kv = (key: string, value: unknown) => ({ key, value });
  const list = (...values: unknown[]) => ({ arrayValue: { values } });
  const map = (...values: unknown[]) => ({ kvlistValue: { values } });
  const resource = { attributes: [kv("service.name", { stringValue: "bytes" }), kv("host.key", b(0))] };
  const scope = { name: "bytes.scope", attributes: [kv("scope.keys", list(b(1)))] };
  const traceId = newTraceId();
  const spans = await fetch(`${base}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceSpans: [
        {
          resource,
          scopeSpans: [
            {
              scope,
              spans: [
                {
                  traceId,
                  spanId: newSpanId(),
                  name: "bytes everywhere",
                  startTimeUnixNano: String(Date.now() * 1e6),
                  endTimeUnixNano: String(Date.now() * 1e6 + 1e6),
                  attributes: [kv("top", b(2)), kv("deep", map(kv("list", list({ stringValue: "x" }, b(3)))))],
                  events: [{ name: "e", timeUnixNano: String(Date.now() * 1e6), attributes: [kv("ev", list(b(4)))] }],
                  links: [{ traceId, spanId: newSpanId(), attributes: [kv("ln", b(5)), kv("lm", map(kv("k", b(6))))] }],
                },
              ],
            },
          ],
        },
      ],
    }),
  });
  expect(spans.status).toBe(200);
  const logs = await fetch(`${base}/v1/logs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [kv("service.name", { stringValue: "bytes" }), kv("log.host", map(kv("k", b(7))))] },
          scopeLogs: [
            {
              scope: { name: "bytes.logs", attributes: [kv("scope.blob", b(8))] },
              logRecords: [
                {
                  timeUnixNano: String(Date.now() * 1e6),
                  body: map(kv("payload", b(9)), kv("text", { stringValue: "hi" })),
                  attributes: [kv("at", b(10)), kv("at.list", list(list(b(11))))],
                },
              ],
            },
          ],
        },
      ],
    }),
  });
  expect(logs.status).toBe(200);
}

describe("tracekit-local export / import", { timeout: 180_000 }, () => {
  it("round-trips demo traffic through a file, into memory, a served --db file and an offline --db file", async () => {
    const source = await server();
    const demo = await cli(["demo", "--port", String(source.port), "--duration", "2", "--rate", "15"]);
    expect(demo.code).toBe(0);
    await postBytesEverywhere(source.base);
    const ids = await traceIds(source.base);
    expect(ids.length).toBeGreaterThan(5);

    const registered = await autoRegister(source.base, {
      service_name: "checkout",
      file_path: "/app/cart.js",
      line_number: 12,
      function_name: "total",
      label: "cart-total",
    });
    await fetch(`${source.base}/api/breakpoints/${registered.body.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enabled: true }),
    });
    const captured = await capture(source.base, {
      breakpoint_id: registered.body.id,
      service_name: "checkout",
      file_path: "/app/cart.js",
      function_name: "total",
      label: "cart-total",
      line_number: 12,
      variables: { total: 3 },
      captured_at: new Date().toISOString(),
    });
    expect(captured.status).toBe(201);

    const file = join(dir.path, "demo.jsonl");
    const sourceLogs = (await (await fetch(`${source.base}/api/logs?limit=1000`)).json()).logs.length;
    expect(sourceLogs).toBeGreaterThan(5);
    const exported = await cli(["export", "--port", String(source.port), "-o", file]);
    expect(exported.code).toBe(0);
    // What an export cannot hold is said, not left behind silently: a snapshot and the demo's metrics.
    const held = (await (await fetch(`${source.base}/api/health`)).json()).counts;
    expect(held.snapshots).toBe(1);
    expect(held.metricSeries).toBeGreaterThan(0);
    expect(exported.stderr.trim().split("\n")).toEqual([
      `exported ${ids.length} traces and ${sourceLogs} log records to ${file}`,
      `note: not exported: 1 code-monitoring snapshot and ${held.metricSeries} metric series (an export holds traces and log records only)`,
    ]);
    const text = readFileSync(file, "utf8");
    // Values sent as bytes go out as bytes wherever they were: resource, scope, span, event, link and
    // log attributes, a log body, nested in lists and maps (each base64 text below was sent as bytes).
    for (const base64 of BYTES_SENT) expect(text).toContain(`{"bytesValue":"${base64}"}`);
    expect(text).not.toMatch(new RegExp(`"stringValue":"(${BYTES_SENT.join("|").replace(/\+/g, "\\+")})"`));
    // A line per trace, then the log records (up to 1,000 a line).
    const lines = sortedLines(text);
    expect(lines.filter((line) => line.startsWith('{"resourceSpans"'))).toHaveLength(ids.length);
    expect(lines.filter((line) => line.startsWith('{"resourceLogs"'))).toHaveLength(1);

    const db = join(dir.path, "served.db");
    const target = await server(["--db", db]);
    const imported = await cli(["import", "--port", String(target.port), file]);
    expect(imported.code).toBe(0);
    const spans = text.match(/"spanId":"[0-9a-f]{16}","name"/g)?.length ?? 0;
    expect(imported.stdout).toMatch(
      new RegExp(
        `^imported 1 file: ${ids.length} traces, ${spans.toLocaleString("en-US")} spans, ${sourceLogs} log records new, 0 rejected in [\\d.]+ s`,
      ),
    );
    expect(await traceIds(target.base)).toEqual(ids);
    await expectSameTraces(source.base, target.base, ids);

    // While the server holds the file, --db says who has it.
    const locked = await cli(["import", "--db", db, file]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/another process is using it; a running tracekit-local holds it: leave out --db/);
    expect(locked.stderr.trim().split("\n")).toHaveLength(1);

    target.run.child.kill("SIGTERM");
    expect(await target.run.exited).toBe(0);
    const fromDb = await cli(["export", "--db", db]);
    expect(fromDb.code).toBe(0);
    expect(sortedLines(fromDb.stdout)).toEqual(sortedLines(text));

    const offline = join(dir.path, "offline.db");
    // Files that cannot be read leave no store file behind.
    const nothing = await cli(["import", "--db", offline, join(dir.path, "absent.jsonl"), dir.path]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr.trim().split("\n")).toEqual([
      `error: ${join(dir.path, "absent.jsonl")}: no such file`,
      `error: ${dir.path}: is a directory, not a file`,
    ]);
    expect(nothing.stdout).toMatch(/^imported 0 of 2 files: nothing new, 0 rejected in /);
    expect(existsSync(offline)).toBe(false);
    // Nor does a device, which holds no file of telemetry.
    const device = await cli(["import", "--db", offline, "/dev/null"]);
    expect([device.code, device.stderr]).toEqual([1, "error: /dev/null: is not a file\n"]);
    expect(existsSync(offline)).toBe(false);
    // A named pipe is read as the file it stands for (checking it must not open it: its writer would
    // be let through and killed, and the import would wait forever).
    const pipe = join(dir.path, "traces.pipe");
    execFileSync("mkfifo", [pipe]);
    const writer = spawn("sh", ["-c", `sleep 0.3; cat "${file}" > "${pipe}"`]);
    const writerExit = new Promise<number | null>((resolve) => writer.on("exit", resolve));
    const piped = await cli(["import", "--db", join(dir.path, "piped.db"), pipe]);
    expect([piped.code, await writerExit]).toEqual([0, 0]);
    expect(piped.stdout).toMatch(new RegExp(`^imported 1 file into .*piped\\.db: ${ids.length} traces`));
    const offlineImport = await cli(["import", "--db", offline, file]);
    expect(offlineImport.code).toBe(0);
    expect(offlineImport.stdout).toMatch(new RegExp(`^imported 1 file into ${offline}: ${ids.length} traces`));
    const fromOffline = await cli(["export", "--db", offline, "-o", "-"]);
    expect(sortedLines(fromOffline.stdout)).toEqual(sortedLines(text));

    // One trace, by id, with --signals traces is one OTLP/JSON document; by default its log records follow.
    const one = await cli([
      "export",
      "--port",
      String(source.port),
      "--trace",
      ids[0] as string,
      "--signals",
      "traces",
    ]);
    expect(one.code).toBe(0);
    expect(sortedLines(one.stdout)).toHaveLength(1);
    expect(JSON.parse(one.stdout).resourceSpans.length).toBeGreaterThan(0);
    // A trace named twice is exported once, from the instance and from the file.
    for (const from of [
      ["--port", String(source.port)],
      ["--db", offline],
    ]) {
      const twice = await cli(["export", ...from, "--trace", ids[0] as string, "--trace", ids[0] as string]);
      expect(twice.code).toBe(0);
      expect(twice.stdout.split("\n").filter((line) => line.startsWith('{"resourceSpans"'))).toEqual([
        one.stdout.trim(),
      ]);
      expect(twice.stderr).toMatch(/^exported 1 trace and /);
    }
    const withLogs = await cli(["export", "--port", String(source.port), "--trace", ids[0] as string]);
    const traceLogs = (await (await fetch(`${source.base}/api/logs?traceId=${ids[0]}&limit=1000`)).json()).logs;
    expect(withLogs.stderr.trim()).toBe(
      `exported 1 trace and ${traceLogs.length} log record${traceLogs.length === 1 ? "" : "s"}`,
    );
    for (const line of withLogs.stdout.split("\n").filter((l) => l.startsWith('{"resourceLogs"'))) {
      for (const resource of JSON.parse(line).resourceLogs) {
        for (const scope of resource.scopeLogs) for (const log of scope.logRecords) expect(log.traceId).toBe(ids[0]);
      }
    }
    const bad = await cli(["export", "--port", String(source.port), "--signals", "metrics"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/metrics are not exported/);
  });

  it("stores nothing twice when a file is imported again: into memory, a --db file offline and served, after a restart", async () => {
    const data = telemetryFile();
    const file = join(dir.path, "again.jsonl");
    writeFileSync(file, data.text);
    // 3 spans, 60 log records (and one of them again), 4 × 40 metric points.
    const first = (into = "") => summary(into, [2, 3, 60, 160], [0, 1, 0]);
    const again = (into = "") => summary(into, [0, 0, 0, 0], [3, 61, 160]);

    // A running server with the memory store.
    const memory = await server();
    const imported = await cli(["import", "--port", String(memory.port), file]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(first());
    const once = await answers(memory.base, data.traceId);
    expect(once.counts).toEqual({ spans: 3, logs: 60, metricSeries: 4, metricPoints: 160 });
    expect(once.logs.logs).toHaveLength(60);
    expect(once.traceLogs.logs).toHaveLength(25);
    const importedAgain = await cli(["import", "--port", String(memory.port), file]);
    expect(importedAgain.code).toBe(0);
    expect(importedAgain.stdout).toMatch(again());
    expect(await answers(memory.base, data.traceId)).toEqual(once);

    // Offline into a --db file, twice; then the file served and imported into, and again after a restart.
    const db = join(dir.path, "again.db");
    expect((await cli(["import", "--db", db, file])).stdout).toMatch(first(` into ${db}`));
    expect((await cli(["import", "--db", db, file])).stdout).toMatch(again(` into ${db}`));
    let served = await server(["--db", db]);
    const fromDb = await answers(served.base, data.traceId);
    expect(fromDb).toEqual(once);
    expect((await cli(["import", "--port", String(served.port), file])).stdout).toMatch(again());
    expect(await answers(served.base, data.traceId)).toEqual(fromDb);
    served.run.child.kill("SIGTERM");
    expect(await served.run.exited).toBe(0);
    served = await server(["--db", db]);
    expect((await cli(["import", "--port", String(served.port), file])).stdout).toMatch(again());
    expect(await answers(served.base, data.traceId)).toEqual(fromDb);
  });

  it("stores each log record once from exports that overlap: into a running instance and with import --db", async () => {
    // A source with two traces, three records in one of them, and records beside them (two equal ones
    // of a loop, and one at a time the trace's records have too).
    const source = await server();
    const traceId = newTraceId();
    const root = newSpanId();
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${source.base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    const at = (ms: number) => BigInt(START_MS + ms) * 1_000_000n;
    const spans = jsonTraceRequest("shop", [
      { traceId, spanId: root, name: "GET /cart" },
      { traceId, parentSpanId: root, name: "SELECT cart" },
    ]);
    expect((await post("/v1/traces", spans)).status).toBe(200);
    expect((await post("/v1/traces", jsonTraceRequest("billing", [{ name: "charge" }]))).status).toBe(200);
    const inTrace = jsonLogRequest(
      "shop",
      [1, 2, 3].map((i) => ({ timeNs: at(i), observedNs: at(i + 1), body: `cart step ${i}`, traceId, spanId: root })),
    );
    const beside = jsonLogRequest("billing", [
      { timeNs: at(2), observedNs: at(3), body: "same time, no trace" },
      { timeNs: at(5), observedNs: at(6), body: "retrying" },
      { timeNs: at(5), observedNs: at(6), body: "retrying" },
      { timeNs: at(7), observedNs: at(8), body: "done" },
    ]);
    for (const body of [inTrace, beside]) expect((await post("/v1/logs", body)).status).toBe(200);
    const one = join(dir.path, "overlap-one.jsonl");
    const all = join(dir.path, "overlap-all.jsonl");
    const exportOne = await cli(["export", "--port", String(source.port), "-t", traceId, "-o", one]);
    expect(exportOne.stderr.trim()).toBe(`exported 1 trace and 3 log records to ${one}`);
    const exportAll = await cli(["export", "--port", String(source.port), "-o", all]);
    expect(exportAll.stderr.trim()).toBe(`exported 2 traces and 7 log records to ${all}`);
    const records = async (base: string, query = "") => {
      const page = (await (await fetch(`${base}/api/logs?order=asc&limit=1000${query}`)).json()) as {
        logs: { seq: number }[];
      };
      return page.logs.map(({ seq: _, ...rest }) => rest);
    };
    const sourceLogs = await records(source.base);
    expect(sourceLogs).toHaveLength(7);
    const summary = (into: string) =>
      new RegExp(
        `^imported 2 files${into}: 2 traces, 3 spans, 7 log records new \\(2 spans, 3 log records already stored\\), 0 rejected in `,
      );

    // Into a --db file without a server, then served.
    const db = join(dir.path, "overlap.db");
    const offline = await cli(["import", "--db", db, one, all]);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toMatch(summary(` into ${db}`));
    const served = await server(["--db", db]);
    expect(await records(served.base, `&traceId=${traceId}`)).toHaveLength(3);
    expect(await records(served.base)).toEqual(sourceLogs);

    // Into a running instance.
    const target = await server();
    const online = await cli(["import", "--port", String(target.port), one, all]);
    expect(online.code).toBe(0);
    expect(online.stdout).toMatch(summary(""));
    expect(await records(target.base, `&traceId=${traceId}`)).toHaveLength(3);
    expect(await records(target.base)).toEqual(sourceLogs);

    // An application's exporter sending a record equal to one stored, twice: both are kept.
    const again = jsonLogRequest("shop", [
      { timeNs: at(1), observedNs: at(2), body: "cart step 1", traceId, spanId: root },
    ]);
    for (let i = 0; i < 2; i++) {
      const sent = await fetch(`${target.base}/v1/logs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(again),
      });
      expect(sent.status).toBe(200);
    }
    const ofTrace = await records(target.base, `&traceId=${traceId}`);
    expect(ofTrace.map((log) => (log as { body: unknown }).body)).toEqual([
      "cart step 1",
      "cart step 1",
      "cart step 1",
      "cart step 2",
      "cart step 3",
    ]);
  });

  it("reads gzip from stdin, and reports a bad file in one line while the others import", async () => {
    const target = await server();
    const trace = readFileSync(new URL("../fixtures/otlp-examples/trace.json", import.meta.url));
    const fromStdin = await cli(["import", "--port", String(target.port), "-"], gzipSync(trace));
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toMatch(/^imported stdin: 1 trace, 1 span new, 0 rejected/);
    // Stdin is no file: empty, it is said so, alone or among files.
    const empty = await cli(["import", "--port", String(target.port), "-"], new Uint8Array());
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe("error: stdin: empty, nothing to import\n");
    expect(empty.stdout).toMatch(/^stdin not imported: nothing new, 0 rejected in /);
    const emptyAmongFiles = await cli(["import", "--port", String(target.port), "-", "/dev/null"], new Uint8Array());
    expect(emptyAmongFiles.stderr).toBe(
      "error: stdin: empty, nothing to import\nerror: /dev/null: the file is empty\n",
    );
    expect(emptyAmongFiles.stdout).toMatch(/^imported 0 of 2 inputs: nothing new, 0 rejected in /);
    // Blank lines are as empty, not read as the protobuf a newline starts.
    const blank = await cli(["import", "--port", String(target.port), "-"], Buffer.from("\n\n"));
    expect([blank.code, blank.stderr]).toEqual([1, "error: stdin: empty, nothing to import\n"]);
    const spaces = join(dir.path, "blank.json");
    writeFileSync(spaces, " \n  \n");
    const blankFile = await cli(["import", "--port", String(target.port), spaces]);
    expect([blankFile.code, blankFile.stderr]).toEqual([
      1,
      `error: ${spaces}: the file holds nothing but white space\n`,
    ]);

    const bad = join(dir.path, "notes.txt");
    writeFileSync(bad, "these are not spans\n");
    // Gzip holding no OTLP: said of what it holds, not of the gzip.
    const packed = join(dir.path, "notes.txt.gz");
    writeFileSync(packed, gzipSync("these are not spans\n"));
    const packedFile = await cli(["import", "--port", String(target.port), packed]);
    expect([packedFile.code, packedFile.stderr]).toEqual([
      1,
      `error: ${packed}: gzip data holding no OTLP JSON, JSON Lines or protobuf (what it inflates to starts with neither '{' nor a protobuf field) at its byte 0\n`,
    ]);
    const logs = join(dir.path, "logs.json");
    writeFileSync(logs, readFileSync(new URL("../fixtures/otlp-examples/logs.json", import.meta.url)));
    const missing = join(dir.path, "missing.json");
    const mixed = await cli(["import", "--port", String(target.port), bad, missing, dir.path, logs]);
    expect(mixed.code).toBe(1);
    const errors = mixed.stderr.trim().split("\n");
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(new RegExp(`^error: ${bad}: not OTLP JSON, JSON Lines, protobuf or gzip .* at byte 0$`));
    // Said as other commands say it, not as Node's ENOENT and EISDIR.
    expect(errors[1]).toBe(`error: ${missing}: no such file`);
    expect(errors[2]).toBe(`error: ${dir.path}: is a directory, not a file`);
    expect(mixed.stdout).toMatch(/^imported 1 of 4 files: 1 log record new,/);

    // A file with a bad line among good ones is imported in part.
    const partly = join(dir.path, "partly.jsonl");
    const line = (trace: string) => JSON.stringify(jsonTraceRequest("partly", [{ traceId: trace }]));
    writeFileSync(partly, `${line(newTraceId())}\nnot json\n${line(newTraceId())}\n`);
    const part = await cli(["import", "--port", String(target.port), partly]);
    expect(part.code).toBe(1);
    expect(part.stderr.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^error: ${partly}: line 2: `))]);
    expect(part.stdout).toMatch(/^imported 1 file \(1 in part\): 2 traces, 2 spans new,/);
  });

  it("leaves the file an export would write as it was when the export fails", async () => {
    const file = join(dir.path, "keep.jsonl");
    writeFileSync(file, "precious\n");
    for (const args of [
      ["--db", join(dir.path, "missing.db")],
      ["--port", "1"],
    ]) {
      const failed = await cli(["export", ...args, "-o", file]);
      expect(failed.code).toBe(1);
      expect(readFileSync(file, "utf8")).toBe("precious\n");
    }
    expect(readdirSync(dir.path).filter((name) => name.startsWith("keep.jsonl."))).toEqual([]);
  });

  it("leaves no half-written file beside -o when Ctrl+C or SIGTERM stops an export", async () => {
    // An instance whose export never ends, a line at a time.
    const endless = createHttpServer((request, response) => {
      if (request.url?.startsWith("/api/health")) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ status: "ok", name: "tracekit-local", version: "0.0.0" }));
        return;
      }
      response.writeHead(200, { "content-type": "application/x-ndjson" });
      const line = `${JSON.stringify(jsonLogRequest("endless", [{ body: "again" }]))}\n`;
      const timer = setInterval(() => response.write(line), 20);
      request.on("close", () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => endless.listen(0, "127.0.0.1", resolve));
    const { port } = endless.address() as AddressInfo;
    const folder = join(dir.path, "stopped-export");
    mkdirSync(folder);
    const file = join(folder, "out.jsonl");
    writeFileSync(file, "precious\n");
    try {
      for (const [signal, code] of [
        ["SIGINT", 130],
        ["SIGTERM", 143],
      ] as const) {
        const run = start(["export", "--port", String(port), "-o", file]);
        await waitFor(() => readdirSync(folder).some((name) => name.startsWith("out.jsonl.partial-")) || undefined);
        run.child.kill(signal);
        expect(await run.exited).toBe(code);
        expect(readdirSync(folder)).toEqual(["out.jsonl"]);
        expect(readFileSync(file, "utf8")).toBe("precious\n");
      }
    } finally {
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    }
  });

  it("says in one line why -o cannot be written, naming only the file asked for", async () => {
    const { port } = await server();
    const inMissingFolder = join(dir.path, "no-such-folder", "out.jsonl");
    const cases: [string, string][] = [
      [inMissingFolder, `its folder ${join(dir.path, "no-such-folder")} does not exist`],
      [dir.path, "it is a folder"],
    ];
    for (const [output, why] of cases) {
      const failed = await cli(["export", "--port", String(port), "-o", output]);
      expect(failed.code).toBe(1);
      expect(failed.stderr.trim()).toBe(`error: cannot write ${output}: ${why}`);
    }
  });

  it("exports a trace larger than one request as lines another instance imports, counted as one trace", async () => {
    const source = await server();
    const traceId = newTraceId();
    // 230 spans of 9 attributes of 1,000 values (as many entries as one value keeps, and within a
    // span's 10,000 values): stored in 46 requests of 5 spans, more than one request may hold
    // (2,000,000 values).
    const values = Array.from({ length: 1_000 }, () => ({}));
    const attributes = Array.from({ length: 9 }, (_, k) => ({ key: `nulls.${k}`, value: { arrayValue: { values } } }));
    // One root, so that the trace is named the same whichever of its lines an import stores first.
    const root = newSpanId();
    for (let request = 0; request < 46; request++) {
      const spans = Array.from({ length: 5 }, (_, k) => {
        const i = request * 5 + k;
        return {
          traceId,
          spanId: i === 0 ? root : newSpanId(),
          ...(i === 0 ? {} : { parentSpanId: root }),
          name: `wide ${i}`,
          kind: 1,
          startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
          endTimeUnixNano: String(1_700_000_000_000_000_100n + BigInt(i)),
          attributes,
        };
      });
      const body = { resourceSpans: [{ scopeSpans: [{ scope: { name: "wide" }, spans }] }] };
      const sent = await fetch(`${source.base}/v1/traces`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(sent.status).toBe(200);
    }
    const file = join(dir.path, "wide.jsonl");
    const exported = await cli(["export", "--port", String(source.port), "--signals", "traces", "-o", file]);
    expect(exported.stderr.trim()).toBe(`exported 1 trace to ${file}`);
    expect(readFileSync(file, "utf8").trim().split("\n").length).toBeGreaterThan(1);

    const target = await server();
    const imported = await cli(["import", "--port", String(target.port), file]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^imported 1 file: 1 trace, 230 spans new,/);
    await expectSameTraces(source.base, target.base, [traceId]);
  });

  it("says in one line when the connection breaks off during an export, and writes no half line", async () => {
    const source = await server();
    for (const name of ["first", "second"]) {
      const sent = await fetch(`${source.base}/v1/traces`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(jsonTraceRequest("cut", [{ name }])),
      });
      expect(sent.status).toBe(200);
    }
    const full = await (await fetch(`${source.base}/api/export`)).text();
    const firstLine = full.slice(0, full.indexOf("\n") + 1);
    // A relay to the instance that breaks the export's connection inside its second line.
    const relay = await tamperingRelay(source.port, "GET /api/export", (answer, client, upstream) => {
      const body = answer.indexOf('{"resourceSpans"');
      if (body === -1 || answer.length < body + firstLine.length + 20) return;
      client.end(answer.subarray(0, body + firstLine.length + 20));
      upstream.destroy();
    });
    const { port } = relay;
    try {
      const toStdout = await cli(["export", "--port", port, "--signals", "traces"]);
      expect(toStdout.code).toBe(1);
      expect(toStdout.stderr).toMatch(/^error: the export from http:\/\/localhost:\d+ broke off: \S.*\n$/);
      expect(toStdout.stdout).toBe(firstLine);

      const file = join(dir.path, "broken.jsonl");
      writeFileSync(file, "precious\n");
      const toFile = await cli(["export", "--port", port, "--signals", "traces", "-o", file]);
      expect(toFile.code).toBe(1);
      expect(toFile.stderr.trim().split("\n")).toHaveLength(1);
      expect(readFileSync(file, "utf8")).toBe("precious\n");
      expect(readdirSync(dir.path).filter((name) => name.startsWith("broken.jsonl."))).toEqual([]);
    } finally {
      relay.stop();
    }
  });

  it("says the spans of a request the instance stopped before answering may be stored, not that nothing is new", async () => {
    const target = await server();
    // A relay to the instance that stops (closes its port, drops its connections) once the instance has
    // answered an export it passed on, before that answer reaches the import.
    const stoppingRelay = () => tamperingRelay(target.port, "POST /v1/", (_answer, _client, _upstream, stop) => stop());
    const request = (traceId: string) =>
      JSON.stringify(jsonTraceRequest("cut", [{ traceId }, { traceId, name: "second" }, { traceId, name: "third" }]));
    const file = join(dir.path, "unanswered.json");
    const traceId = newTraceId();
    writeFileSync(file, request(traceId));
    const relay = await stoppingRelay();
    try {
      const cut = await cli(["import", "--url", `http://127.0.0.1:${relay.port}`, file]);
      expect(cut.code).toBe(1);
      expect(cut.stdout).toMatch(
        /^imported 0 of 1 file: nothing confirmed new, 0 rejected, 3 spans unanswered \(stored or not: unknown\) in /,
      );
      // The connection that broke is named, not the retry's refusal that followed it.
      expect(cut.stderr.trim().split("\n")).toEqual([
        `error: ${file}: line 1: lost the connection to http://127.0.0.1:${relay.port} (socket hang up), and a new one was refused; the import stopped there`,
        "note: the instance stopped before answering for 3 spans it was sent: it may have stored some or all of them; importing the same file again adds what is missing, nothing twice",
      ]);
      // It had: the summary could not say so, and does not say the opposite.
      expect(await traceIds(target.base)).toEqual([traceId]);
      const again = await cli(["import", "--port", String(target.port), file]);
      expect(again.stdout).toMatch(/: 0 traces, 0 spans new \(3 spans already stored\), 0 rejected in /);
    } finally {
      relay.stop();
    }
    // From stdin there is no file to import again.
    const fromStdin = await stoppingRelay();
    try {
      const cut = await cli(
        ["import", "--url", `http://127.0.0.1:${fromStdin.port}`, "-"],
        Buffer.from(request(newTraceId())),
      );
      expect(cut.code).toBe(1);
      expect(cut.stdout).toMatch(/^stdin not imported: nothing confirmed new, 0 rejected, 3 spans unanswered /);
      expect(cut.stderr.trim().split("\n")).toEqual([
        `error: stdin: line 1: lost the connection to http://127.0.0.1:${fromStdin.port} (socket hang up), and a new one was refused; the import stopped there`,
        "note: the instance stopped before answering for 3 spans it was sent: it may have stored some or all of them; importing the same data again adds what is missing, nothing twice",
      ]);
    } finally {
      fromStdin.stop();
    }
  });

  it("writes to what -o names: a FIFO's reader gets the export, a link's file is replaced and the link kept", async () => {
    const source = await server();
    const traceId = newTraceId();
    const sent = await fetch(`${source.base}/v1/traces`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(jsonTraceRequest("out", [{ traceId, name: "to a pipe" }])),
    });
    expect(sent.status).toBe(200);
    const args = ["export", "--port", String(source.port), "--signals", "traces", "-o"];

    const fifo = join(dir.path, "export.fifo");
    execFileSync("mkfifo", [fifo]);
    const reader = spawn("cat", [fifo], { stdio: ["ignore", "pipe", "ignore"] });
    let read = "";
    reader.stdout.on("data", (chunk) => {
      read += chunk;
    });
    const readerDone = new Promise((resolve) => reader.on("exit", resolve));
    try {
      const toFifo = await cli([...args, fifo]);
      expect(toFifo.code).toBe(0);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      await readerDone;
      expect(JSON.parse(read).resourceSpans[0].scopeSpans[0].spans[0].traceId).toBe(traceId);
    } finally {
      reader.kill();
    }

    const real = join(dir.path, "real.jsonl");
    writeFileSync(real, "old\n");
    const link = join(dir.path, "link.jsonl");
    symlinkSync("real.jsonl", link);
    // A link to a file not there yet: the file is created where it points.
    const dangling = join(dir.path, "dangling.jsonl");
    symlinkSync("created.jsonl", dangling);
    for (const [path, file] of [
      [link, real],
      [dangling, join(dir.path, "created.jsonl")],
    ] as const) {
      const toLink = await cli([...args, path]);
      expect(toLink.code).toBe(0);
      expect(lstatSync(path).isSymbolicLink()).toBe(true);
      expect(JSON.parse(readFileSync(file, "utf8")).resourceSpans[0].scopeSpans[0].spans[0].traceId).toBe(traceId);
    }
    expect(readdirSync(dir.path).filter((name) => name.includes(".partial-"))).toEqual([]);
  });

  it("exports a --db file kept with larger bounds than the defaults whole, and leaves it as it was", async () => {
    // A file a server kept with --max-logs 300000 holds more records than the default bound (200,000):
    // reading it is no reason to cut it down to that.
    const file = join(dir.path, "large-bounds.db");
    const total = DEFAULT_MAX_LOGS + 5;
    const seeded = await openStores({ dbPath: file, maxSpans: 1000, maxLogs: 300_000 });
    const record = (i: number): LogRecord => ({
      timeUnixNano: 1_700_000_000_000_000_000n + BigInt(i),
      observedTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i),
      severityNumber: 9,
      severity: "INFO",
      severityText: "",
      body: `record ${i}`,
      attributes: {},
      traceId: null,
      spanId: null,
      service: "shop",
      resource: { "service.name": "shop" },
      scope: { name: "test-logger", version: "" },
    });
    for (let from = 0; from < total; from += 10_000) {
      seeded.logs.insertLogs(Array.from({ length: Math.min(10_000, total - from) }, (_, k) => record(from + k)));
    }
    seeded.store.close();

    const out = join(dir.path, "large-bounds.jsonl");
    const exported = await cli(["export", "--db", file, "--signals", "logs", "-o", out]);
    expect(exported.stderr.trim()).toBe(`exported ${total.toLocaleString("en-US")} log records to ${out}`);
    expect(exported.code).toBe(0);
    const reopened = await openStores({ dbPath: file, maxSpans: 1000, maxLogs: 300_000 });
    expect(reopened.logs.stats()).toMatchObject({ logs: total, evictedLogs: 0 });
    reopened.store.close();
  });

  it("import --db keeps a file kept with larger bounds as it is, and says what a bound it is given evicts", async () => {
    const file = join(dir.path, "kept-large.db");
    const spansHeld = DEFAULT_MAX_SPANS + 1000;
    const logsHeld = DEFAULT_MAX_LOGS + 5;
    const seeded = await openStores({ dbPath: file, maxSpans: 1_000_000, maxLogs: 300_000 });
    for (let trace = 1; trace <= spansHeld / 1000; trace++) {
      seeded.store.insertSpans(
        Array.from({ length: 1000 }, (_, i) =>
          makeSpan({ trace, span: i + 1, parent: i === 0 ? null : 1, start: trace * 10 + i / 1000 }),
        ),
      );
    }
    for (let from = 0; from < logsHeld; from += 10_000) {
      seeded.logs.insertLogs(
        Array.from({ length: Math.min(10_000, logsHeld - from) }, (_, k) => makeLog({ at: from + k })),
      );
    }
    seeded.store.close();
    const held = async () => {
      const reopened = await openStores({ dbPath: file, maxSpans: 1_000_000, maxLogs: 300_000 });
      const counts = { spans: reopened.store.stats(), logs: reopened.logs.stats() };
      reopened.store.close();
      return counts;
    };

    // Without bounds, an import leaves what the file holds (here: nothing to import at all).
    const nothing = await cli(["import", "--db", file, "/dev/null"]);
    expect(nothing.stderr).not.toMatch(/note:/);
    expect(await held()).toMatchObject({
      spans: { spans: spansHeld, evictedTraces: 0 },
      logs: { logs: logsHeld, evictedLogs: 0 },
    });

    // What it adds past that makes room as the server would: the oldest whole traces go, and it says so.
    const newTrace = join(dir.path, "one-more.jsonl");
    const traceId = newTraceId();
    const root = newSpanId();
    writeFileSync(
      newTrace,
      `${JSON.stringify(
        jsonTraceRequest("shop", [
          { traceId, spanId: root },
          { traceId, parentSpanId: root },
        ]),
      )}\n`,
    );
    const added = await cli(["import", "--db", file, newTrace]);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/: 1 trace, 2 spans new, 0 rejected/);
    expect(added.stderr.trim()).toBe(
      `note: the file evicted 1 trace (1,000 spans) to stay within ${spansHeld.toLocaleString("en-US")} spans while importing; pass a larger --max-spans to keep more`,
    );

    // Smaller bounds given apply as the file opens, and the note counts what they evicted.
    const cut = await cli(["import", "--db", file, "--max-spans", "100", "--max-logs", "10", "/dev/null"]);
    expect(cut.stderr.trim().split("\n")).toEqual([
      "error: /dev/null: the file is empty",
      `note: the file evicted ${spansHeld / 1000 - 1} traces (${(spansHeld - 1000).toLocaleString("en-US")} spans) to stay within 100 spans and ${(logsHeld - 10).toLocaleString("en-US")} log records to stay within 10 while importing; pass a larger --max-spans / --max-logs to keep more`,
    ]);
    expect(await held()).toMatchObject({ spans: { spans: 2, traces: 1 }, logs: { logs: 10 } });
    // A running instance keeps its own bounds.
    const served = await cli(["import", "--port", "1", "--max-logs", "10", "/dev/null"]);
    expect(served.code).toBe(2);
    expect(served.stderr.trim()).toBe(
      "error: --max-logs applies to --db only (a running instance keeps its own bound)",
    );
  });

  it("refuses, in one line and before touching the file, a running instance's flags beside --db", async () => {
    const file = join(dir.path, "untouched.db");
    const refused = (flag: string) =>
      `error: ${flag} is for a running tracekit-local, which --db does not use (it opens the file directly): give one or the other`;
    for (const [args, flag] of [
      [["import", "--db", file, "--url", "http://127.0.0.1:1", "/dev/null"], "--url"],
      [["import", "--db", file, "--port", "1", "/dev/null"], "--port"],
      [["import", "--db", file, "--concurrency", "3", "/dev/null"], "--concurrency"],
      [["export", "--db", file, "-p", "1"], "--port"],
      [["export", "--db", file, "--url", "http://127.0.0.1:1"], "--url"],
    ] as [string[], string][]) {
      const run = await cli(args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr.trim()).toBe(refused(flag));
      expect(run.stdout).toBe("");
    }
    expect(existsSync(file)).toBe(false);
  });

  it("imports a saved trace back after retention evicted it: into a running instance and into a --db file", async () => {
    const traceId = newTraceId();
    const root = newSpanId();
    const rich = join(dir.path, "rich.json");
    writeFileSync(
      rich,
      JSON.stringify(
        jsonTraceRequest("shop", [
          { traceId, spanId: root, name: "GET /" },
          ...Array.from({ length: 5 }, (_, i) => ({ traceId, parentSpanId: root, name: `step ${i}` })),
        ]),
      ),
    );
    // 10 traces of 2 spans: enough to push the saved trace out of a store kept to 20 spans.
    const others = join(dir.path, "others.jsonl");
    const otherLines = Array.from({ length: 10 }, () => {
      const id = newTraceId();
      const parent = newSpanId();
      return JSON.stringify(
        jsonTraceRequest("shop", [
          { traceId: id, spanId: parent, name: "GET /other" },
          { traceId: id, parentSpanId: parent, name: "SELECT" },
        ]),
      );
    });
    writeFileSync(others, `${otherLines.join("\n")}\n`);
    const back = /^imported 1 file(?: into \S+)?: 1 trace, 6 spans new, 0 rejected in /;

    const target = await server(["--max-spans", "20"]);
    const port = String(target.port);
    expect((await cli(["import", "--port", port, rich])).code).toBe(0);
    const saved = join(dir.path, "keepme.json");
    expect((await cli(["export", "--port", port, "--trace", traceId, "-o", saved])).code).toBe(0);
    expect((await cli(["import", "--port", port, others])).code).toBe(0);
    expect((await fetch(`${target.base}/api/traces/${traceId}`)).status).toBe(404);
    const served = await cli(["import", "--port", port, saved]);
    expect(served.stderr).not.toMatch(/warning/);
    expect(served.stdout).toMatch(back);
    const answer = await fetch(`${target.base}/api/traces/${traceId}`);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { spans: unknown[] }).spans).toHaveLength(6);

    // The same with a --db file, which keeps what it evicted across runs.
    const db = join(dir.path, "keepme.db");
    expect((await cli(["import", "--db", db, "--max-spans", "20", rich])).code).toBe(0);
    expect((await cli(["import", "--db", db, "--max-spans", "20", others])).code).toBe(0);
    const gone = await cli(["export", "--db", db, "--trace", traceId, "--signals", "traces"]);
    expect(gone.stdout).toBe("");
    const offline = await cli(["import", "--db", db, "--max-spans", "20", saved]);
    expect(offline.stderr).not.toMatch(/warning/);
    expect(offline.stdout).toMatch(back);
    const kept = await cli(["export", "--db", db, "--trace", traceId, "--signals", "traces"]);
    expect(JSON.parse(kept.stdout).resourceSpans[0].scopeSpans[0].spans).toHaveLength(6);
  });

  it("stores again, with import --db, the traces a smaller --max-spans evicted from the file", async () => {
    const file = join(dir.path, "late.jsonl");
    const lines = [1, 2, 3].map(() => {
      const traceId = newTraceId();
      const root = newSpanId();
      return JSON.stringify(
        jsonTraceRequest("shop", [
          { traceId, spanId: root, name: "GET /" },
          { traceId, spanId: newSpanId(), parentSpanId: root, name: "SELECT" },
        ]),
      );
    });
    writeFileSync(file, `${lines.join("\n")}\n`);
    const db = join(dir.path, "late.db");
    expect((await cli(["import", "--db", db, file])).code).toBe(0);
    // The file is kept to 2 spans from now on: the two older traces go, and a file holding them brings
    // them back (an import is no exporter's late spans), each pushing out the one before.
    const again = await cli(["import", "--db", db, "--max-spans", "2", file]);
    expect(again.stderr).not.toMatch(/warning/);
    expect(again.stdout).toMatch(/: 2 traces, 4 spans new \(2 spans already stored\), 0 rejected in /);
  });

  it("counts the same into a small running instance as into a --db file: traces it added, evicted ones stored again", async () => {
    // 52 traces of 15 spans; a bound of 100 spans keeps the last 6 of them (90 spans).
    const file = join(dir.path, "fifty-two.jsonl");
    const lines = Array.from({ length: 52 }, () => {
      const traceId = newTraceId();
      const root = newSpanId();
      return JSON.stringify(
        jsonTraceRequest("shop", [
          { traceId, spanId: root, name: "GET /" },
          ...Array.from({ length: 14 }, (_, i) => ({ traceId, parentSpanId: root, name: `step ${i}` })),
        ]),
      );
    });
    writeFileSync(file, `${lines.join("\n")}\n`);
    const first = /: 52 traces, 780 spans new, 0 rejected in /;
    const again = /: 46 traces, 690 spans new \(90 spans already stored\), 0 rejected in /;
    const evicted = /^note: the (instance|file) evicted 46 traces \(690 spans\) to stay within 100 spans /m;

    const target = await server(["--max-spans", "100"]);
    const served = await cli(["import", "--port", String(target.port), file]);
    expect(served.stdout).toMatch(first);
    expect(served.stderr).toMatch(evicted);
    // The second time the traces the instance evicted are stored again (pushing out others), those held are not.
    const servedAgain = await cli(["import", "--port", String(target.port), file]);
    expect(servedAgain.stdout).toMatch(again);
    expect(servedAgain.stderr).toMatch(evicted);
    expect(servedAgain.stderr).not.toMatch(/warning/);
    expect(servedAgain.code).toBe(0);
    expect(await traceIds(target.base)).toHaveLength(6);

    const db = join(dir.path, "fifty-two.db");
    const offline = await cli(["import", "--db", db, "--max-spans", "100", file]);
    expect(offline.stdout).toMatch(first);
    expect(offline.stderr).toMatch(evicted);
    const offlineAgain = await cli(["import", "--db", db, "--max-spans", "100", file]);
    expect(offlineAgain.stdout).toMatch(again);
    expect(offlineAgain.stderr).toMatch(evicted);
    expect(offlineAgain.stderr).not.toMatch(/warning/);
  });

  it("imports a trace saved from Tempo (base64 ids, `batches`): into a running instance and a --db file", async () => {
    const traceId = newTraceId();
    const [root, child] = [newSpanId(), newSpanId()];
    const base64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");
    const spans = jsonTraceRequest("checkout", [
      { traceId, spanId: root, name: "POST /pay" },
      { traceId, spanId: child, parentSpanId: root, name: "charge" },
    ]);
    // As Tempo's trace-by-id answer writes them: base64 ids, resources under `batches`, on one line.
    const text = JSON.stringify(spans).replace(
      /"([0-9a-f]{32}|[0-9a-f]{16})"/g,
      (_, hex: string) => `"${base64(hex)}"`,
    );
    expect(text).not.toContain(traceId);
    const file = join(dir.path, "tempo-trace.json");
    writeFileSync(file, text.replace('"resourceSpans"', '"batches"'));
    const { port, base } = await server();
    const db = join(dir.path, "tempo.db");
    for (const where of [
      ["--port", String(port)],
      ["--db", db],
    ]) {
      const imported = await cli(["import", ...where, file]);
      expect(imported.stderr).toBe("");
      expect(imported.code).toBe(0);
      expect(imported.stdout).toMatch(/^imported 1 file( into \S+)?: 1 trace, 2 spans new, 0 rejected in /);
    }
    const trace = (await (await fetch(`${base}/api/traces/${traceId}`)).json()) as {
      spans: { spanId: string; parentSpanId: string | null }[];
    };
    expect(trace.spans.map((span) => [span.spanId, span.parentSpanId]).sort()).toEqual(
      [
        [root, null],
        [child, root],
      ].sort(),
    );
    const exported = await cli(["export", "--db", db, "--trace", traceId, "--signals", "traces"]);
    expect(exported.stdout).toContain(child);
  });

  it("exits 1 when every item read was refused, and 0 when some were stored: into a running instance and a --db file", async () => {
    const good = { traceId: newTraceId(), spanId: newSpanId(), name: "kept" };
    const goodSpan = () => ({ traceId: newTraceId(), spanId: newSpanId() });
    const refused = { traceId: "not-hex", spanId: newSpanId(), name: "refused" };
    const request = (spans: { traceId: string; spanId: string; name: string }[]) =>
      `${JSON.stringify(jsonTraceRequest("checkout", spans))}\n`;
    const allRefused = join(dir.path, "all-refused.jsonl");
    writeFileSync(allRefused, request([refused]) + request([{ ...refused, spanId: newSpanId() }]));
    const some = join(dir.path, "some-refused.json");
    writeFileSync(some, request([refused, good]));
    const { port } = await server();
    for (const where of [
      ["--port", String(port)],
      ["--db", join(dir.path, "refusals.db")],
    ]) {
      const none = await cli(["import", ...where, allRefused]);
      expect(none.code).toBe(1);
      expect(none.stdout).toMatch(/^imported 0 of 1 file( into \S+)?: nothing new, 2 rejected in [\d.]+ s\n$/);
      expect(none.stderr).toMatch(/^warning: .*all-refused\.jsonl: line 1: rejected 1: .*trace id "not-hex"/);
      const fromStdin = await cli(["import", ...where, "-"], readFileSync(allRefused));
      expect(fromStdin.code).toBe(1);
      expect(fromStdin.stdout).toMatch(/^stdin not imported( into \S+)?: nothing new, 2 rejected in /);
      const part = await cli(["import", ...where, some]);
      expect(part.code).toBe(0);
      expect(part.stdout).toMatch(/^imported 1 file( into \S+)?: 1 trace, 1 span new, 1 rejected in /);
      // With a file that stores something, the one whose every item was refused is still not imported.
      const good = join(dir.path, `good-${where[0]?.slice(2)}.json`);
      writeFileSync(good, request([{ ...goodSpan(), name: "good" }]));
      const both = await cli(["import", ...where, good, allRefused]);
      expect(both.code).toBe(1);
      expect(both.stdout).toMatch(/^imported 1 of 2 files( into \S+)?: 1 trace, 1 span new, 2 rejected in /);
    }
  });

  it("says in one line when no instance answers, and refuses bad flags with exit 2", async () => {
    const none = await cli(["import", "--port", "1", join(dir.path, "x.json")]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toMatch(/^error: no tracekit-local answers at http:\/\/localhost:1/);
    const since = await cli(["export", "--since", "yesterday"]);
    expect(since.code).toBe(2);
    expect(since.stderr.trim().split("\n")).toHaveLength(1);
    // An empty window, and one reaching before the Unix epoch or past what a Date holds.
    for (const [duration, reason] of [
      ["0s", /above 0/],
      ["0.0m", /above 0/],
      ["99999999999d", /before 1970 \(the Unix epoch\)/],
      [`1${"0".repeat(400)}d`, /before 1970 \(the Unix epoch\)/],
    ] as const) {
      const window = await cli(["export", "--since", duration]);
      expect(window.code).toBe(2);
      expect(window.stderr.trim().split("\n")).toHaveLength(1);
      expect(window.stderr.trim()).toMatch(/^error: option '--since <duration>' argument '.*' is invalid\. /);
      expect(window.stderr).toMatch(reason);
    }
    const trace = await cli(["export", "--trace", "nope"]);
    expect(trace.code).toBe(2);
    // A query that does not parse, refused before any instance or file is asked.
    for (const where of [[], ["--db", join(dir.path, "absent.db")]]) {
      const query = await cli(["export", "--query", "status=", ...where]);
      expect(query.code).toBe(2);
      expect(query.stderr.trim()).toMatch(
        /^error: option '-q, --query <text>' argument 'status=' is invalid\. .*at character 8/,
      );
    }
    const noDb = await cli(["export", "--db", join(dir.path, "absent.db")]);
    expect(noDb.code).toBe(1);
    expect(noDb.stderr.trim()).toBe(`error: no such file ${join(dir.path, "absent.db")}`);
    const help = await cli(["import", "--help"]);
    expect(help.stdout).toMatch(/JSON Lines as the OpenTelemetry\s+Collector's\s+file\s+exporter/);
  });
});

describe("import's progress bar", () => {
  it("on a terminal, gives a big file's size in binary units, as it counts it", async () => {
    // 6 MiB and a little of JSON Lines: 6,291,456 bytes and more are 6 MiB, 6.3 MB.
    const line = `${JSON.stringify(jsonTraceRequest("progress", [{ name: "x".repeat(2000) }]))}\n`;
    const file = join(dir.path, "progress.jsonl");
    writeFileSync(file, line.repeat(Math.ceil((6 * 1024 * 1024) / line.length)));
    const db = join(dir.path, "progress.db");
    // util-linux `script` gives the import a terminal of its own, where the bar shows.
    const script = spawn(
      "/usr/bin/script",
      ["-eqc", `"${process.execPath}" "${BIN}" import --db "${db}" "${file}"`, "/dev/null"],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, SHELL: "/bin/sh" } },
    );
    let output = "";
    script.stdout.on("data", (chunk) => {
      output += chunk;
    });
    const code = await new Promise((resolve) => script.on("exit", resolve));
    expect(code).toBe(0);
    // The bar is drawn at the first read and then at most every 100 ms: a fast import may end before a
    // later draw, so any drawn state is checked; its total is the file's size in MiB.
    expect(output).toMatch(/progress\.jsonl: \[[#-]+\] \d+% [\d,]+(\.\d)? (B|KiB|MiB) of 6 MiB, [\d,]+ spans/);
    expect(output).not.toMatch(/ MB\b/);
  });
});

describe("tracekit-local export -q with an id", { timeout: 60_000 }, () => {
  it("exports the trace a trace id or a stored span id names, as --trace does, and searches for an id nothing stored has", async () => {
    const source = await server();
    const traceId = newTraceId();
    const spanId = newSpanId();
    const body = jsonTraceRequest("shop", [{ traceId, spanId, name: "GET /orders", kind: 2 }]);
    const posted = await fetch(`${source.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(posted.status).toBe(200);
    const port = ["--port", String(source.port)];
    const byTrace = await cli(["export", ...port, "--trace", traceId, "--signals", "traces"]);
    expect(byTrace.stderr.trim()).toBe("exported 1 trace");
    for (const query of [traceId.toUpperCase(), `trace_id=${traceId}`, `00-${traceId}-${newSpanId()}-01`, spanId]) {
      const byQuery = await cli(["export", ...port, "-q", query, "--signals", "traces"]);
      expect(byQuery.code, query).toBe(0);
      expect(byQuery.stderr.trim(), query).toBe("exported 1 trace");
      expect(byQuery.stdout, query).toBe(byTrace.stdout);
    }
    // The filters an id leaves out are named, and the trace is exported whole all the same.
    const filtered = await cli([
      "export",
      ...port,
      ...["-q", traceId, "--service", "else", "--errors", "--since", "1h", "--signals", "traces"],
    ]);
    expect(filtered.code).toBe(0);
    expect(filtered.stderr.trim()).toBe(
      `note: --service, --errors, --since not applied: the query is an id, of trace ${traceId}, exported whole as --trace exports it\nexported 1 trace`,
    );
    expect(filtered.stdout).toBe(byTrace.stdout);
    const bySpan = await cli(["export", ...port, "-q", spanId, "--errors", "--signals", "traces"]);
    expect(bySpan.stderr).toContain(`note: --errors not applied: the query is an id, of trace ${traceId}, `);

    // A trace id no stored trace has is searched for as text, with a note; --trace still fails on it.
    const other = newTraceId();
    const missing = await cli(["export", ...port, "-q", other, "--signals", "traces"]);
    expect(missing.code).toBe(0);
    expect(missing.stderr.trim()).toBe(
      `note: no trace ${other} is stored; the query was looked up as a trace id, then searched for as text\nexported 0 traces`,
    );
    expect(missing.stdout).toBe("");
    expect((await cli(["export", ...port, "-t", other])).code).toBe(1);
    // A span id no stored span has is searched for, as in the search box.
    const unknownSpan = await cli(["export", ...port, "-q", newSpanId(), "--signals", "traces"]);
    expect(unknownSpan.code).toBe(0);
    expect(unknownSpan.stderr.trim()).toBe("exported 0 traces");
  });

  it("finds a request id of 32 hex digits an attribute holds, from an instance and a --db file", async () => {
    const source = await server();
    const traceId = newTraceId();
    // A UUID without its hyphens, as x-request-id headers often carry: no stored trace has it as its id.
    const requestId = newTraceId();
    const attributes = { "http.request.header.x-request-id": requestId };
    const body = jsonTraceRequest("shop", [{ traceId, spanId: newSpanId(), name: "POST /pay", kind: 2, attributes }]);
    const posted = await fetch(`${source.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(posted.status).toBe(200);
    const note = `note: no trace ${requestId} is stored; the query was looked up as a trace id, then searched for as text`;
    const port = ["--port", String(source.port)];
    const byTrace = await cli(["export", ...port, "--trace", traceId, "--signals", "traces"]);
    const byRequest = await cli(["export", ...port, "-q", requestId, "--signals", "traces"]);
    expect(byRequest.code, byRequest.stderr).toBe(0);
    expect(byRequest.stderr.trim()).toBe(`${note}\nexported 1 trace`);
    expect(byRequest.stdout).toBe(byTrace.stdout);

    const file = join(dir.path, "request-id.json");
    writeFileSync(file, JSON.stringify(body));
    const db = join(dir.path, "request-id.db");
    expect((await cli(["import", "--db", db, file])).code).toBe(0);
    const fromDb = await cli(["export", "--db", db, "-q", requestId, "--signals", "traces"]);
    expect(fromDb.code, fromDb.stderr).toBe(0);
    expect(fromDb.stderr.trim()).toBe(`${note}\nexported 1 trace`);
    expect(fromDb.stdout).toContain(traceId);
  });
});
