/**
 * A start on a large `--db` file listens before the file is read back: /api/health answers at once
 * (a TraceKit SDK probes it once, giving up after 0.5 s, and never uses the UI when that fails), saying
 * the store is still loading, and an export sent meanwhile waits and is then stored, not refused.
 * A real start of the built CLI on a file of 100,000 spans (written through the store, once).
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForQuiet } from "../../src/cli/run-summary.js";
import { createSqliteStore, loadSqliteDriver } from "../../src/store/sqlite-store.js";
import { BIN, type CliRun, freePort, loadedHealth, runCli, waitForUrl, watchRun } from "../helpers/cli.js";
import { readJson } from "../helpers/http.js";
import { sendSdkTrace } from "../helpers/otel.js";
import { jsonTraceRequest, newTraceId } from "../helpers/payloads.js";
import { makeSpan } from "../store/span-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "tracekit-db-load-"));
const db = join(dir, "large.db");
const SPANS = 100_000;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await loadSqliteDriver();
  const store = createSqliteStore({ path: db, maxSpans: SPANS });
  // Traces of 10 spans over a few services, a failing one in every tenth (error groups to read back).
  for (let trace = 1; trace <= SPANS / 10; trace += 100) {
    const spans = [];
    for (let t = trace; t < trace + 100; t++) {
      for (let s = 1; s <= 10; s++) {
        spans.push(
          makeSpan({
            trace: t,
            span: s,
            parent: s === 1 ? null : 1,
            name: `op ${s}`,
            service: `svc-${s % 4}`,
            start: t * 10 + s,
            error: s === 5 && t % 10 === 0,
            attributes: { "http.route": `/r/${s}`, n: t },
          }),
        );
      }
    }
    store.insertSpans(spans);
  }
  store.close();
}, 120_000);

/**
 * A limit on each health answer that a busy machine keeps to (bench/startup.mjs holds a start to the
 * SDK's 0.5 s); the old start answered nothing until the file was read.
 */
const ANSWER_LIMIT_MS = 3_000;

/** GET /api/health as an SDK sends it, on a new connection; the status (or error code) and body. */
function probeHealth(
  port: number,
  timeoutMs = ANSWER_LIMIT_MS,
): Promise<{ status: number | string; ms: number; body?: any }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/api/health", timeout: timeoutMs }, (response) => {
      let text = "";
      response.on("data", (chunk) => {
        text += chunk;
      });
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, ms: performance.now() - started, body: JSON.parse(text) }),
      );
    });
    req.on("timeout", () => {
      req.destroy();
      resolve({ status: "timeout", ms: performance.now() - started });
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ status: error.code ?? "error", ms: 0 }));
    req.end();
  });
}

/** The built CLI started on a --db `file` (with `args`) on a free port, its output watched. */
async function startOn(file: string, args: string[] = []): Promise<{ run: CliRun; port: number }> {
  const port = await freePort();
  const run = watchRun(
    spawn(process.execPath, [BIN, "--port", String(port), "--no-open", "--db", file, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  return { run, port };
}

/** The first health answer, probed from the spawn on (refused until the port listens). */
async function firstAnswer(run: CliRun, port: number): Promise<{ status: number | string; ms: number; body?: any }> {
  let answer = await probeHealth(port);
  while (answer.status === "ECONNREFUSED") {
    expect(run.child.exitCode, run.stderr()).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 5));
    answer = await probeHealth(port);
  }
  return answer;
}

describe("a start on a large --db file", () => {
  it("answers /api/health at once while it reads the file back, and stores an export sent meanwhile", async () => {
    const { run, port } = await startOn(db);
    try {
      const base = `http://127.0.0.1:${port}`;
      const answers: { status: number | string; ms: number; body?: any }[] = [];
      // Probed from the spawn on, as an SDK started beside it would (refused until the port listens).
      let exported: Promise<Response | Error> | null = null;
      const traceId = newTraceId();
      for (;;) {
        expect(run.child.exitCode, run.stderr()).toBeNull();
        const answer = await probeHealth(port);
        if (answer.status === "ECONNREFUSED") {
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        answers.push(answer);
        expect(answer.status).toBe(200);
        expect(answer.body.status).toBe("ok");
        if (answer.body.storage.state === "ready") break;
        // Sent while the file is read back: it waits, and is stored once the file is.
        exported ??= fetch(`${base}/v1/traces`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(jsonTraceRequest("during-load", [{ traceId, name: "sent while loading" }])),
        }).catch((error: Error) => error);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // The first answer came while loading, every one at once (within a limit a busy machine keeps to).
      expect(answers[0]?.body.storage).toMatchObject({ kind: "sqlite", state: "loading", maxSpans: 350_000 });
      expect(answers[0]?.body.counts.spans).toBe(0);
      expect(answers.map((answer) => answer.ms).filter((ms) => ms >= ANSWER_LIMIT_MS)).toEqual([]);
      // The file's spans, and the export's once it was served.
      expect(answers.at(-1)?.body.counts.spans).toBeGreaterThanOrEqual(SPANS);
      expect(exported).not.toBeNull();
      expect(((await exported) as Response).status).toBe(200);
      const trace = await readJson(fetch(`${base}/api/traces/${traceId}`));
      expect(trace.spans.map((span: { name: string }) => span.name)).toEqual(["sent while loading"]);
      await waitForUrl(run);
      await expect
        .poll(() => run.stdout(), { timeout: 10_000 })
        .toMatch(/\+ read back .*large\.db \(holds 10,000 traces, 100,000 spans\) in \d/);
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill("SIGKILL");
    }
  }, 120_000);

  it("with --otlp-grpc-port, answers /api/health at once while it reads the file back, and stores a gRPC export sent meanwhile", async () => {
    const grpcPort = await freePort();
    const { run, port } = await startOn(db, ["--otlp-grpc-port", String(grpcPort)]);
    const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${grpcPort}` });
    try {
      const first = await firstAnswer(run, port);
      expect(first.status).toBe(200);
      expect(first.ms).toBeLessThan(ANSWER_LIMIT_MS);
      // The gRPC port is bound already, and health says where.
      expect(first.body.storage.state).toBe("loading");
      expect(first.body.otlp.grpc).toMatchObject({ port: grpcPort });
      // An SDK's export over gRPC sent while the file is read back waits, and is stored once it is.
      const sent = await sendSdkTrace("", { service: "grpc-during-load", name: "sent while loading", exporter });
      expect((await probeHealth(port)).body.storage.state).toBe("ready");
      const trace = await readJson(fetch(`http://127.0.0.1:${port}/api/traces/${sent.traceId}`));
      expect(trace.spans.map((span: { name: string }) => span.name)).toContain("sent while loading");
      // The banner named the gRPC port while the file was still read back, and the export was held
      // until it was: served as the stores opened, before the line that says the file was read.
      await expect.poll(() => run.stdout(), { timeout: 10_000 }).toMatch(/\+ read back .*large\.db/);
      expect(run.stdout()).toMatch(/grpc-during-load: first spans received\n.*\+ read back /);
      expect(run.stdout()).toMatch(
        new RegExp(`gRPC: +http://localhost:${grpcPort} .*\\n.*Store: +SQLite file .*\\(reading it back…\\)`),
      );
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    } finally {
      await exporter.shutdown();
      run.child.kill("SIGKILL");
    }
  }, 120_000);

  it("stops at Ctrl+C while it reads the file back, exits 0, and leaves the file whole", async () => {
    const { run, port } = await startOn(db);
    try {
      expect((await firstAnswer(run, port)).body.storage.state).toBe("loading");
      run.child.kill("SIGINT");
      expect(await run.exited, run.stderr()).toBe(0);
      expect(run.stdout()).not.toContain("+ read back");
      expect(run.stdout()).toMatch(/stopping \(SIGINT\)…\nstopped\n/);
      expect(run.stderr()).toBe("");
    } finally {
      run.child.kill("SIGKILL");
    }
    // Read whole by the next start.
    await loadSqliteDriver();
    const store = createSqliteStore({ path: db, maxSpans: 350_000 });
    try {
      expect(store.stats().spans).toBeGreaterThanOrEqual(SPANS);
    } finally {
      store.close();
    }
  }, 120_000);

  it("with --otlp-grpc-port, stops at Ctrl+C while it reads the file back, printing no banner after the stop", async () => {
    const grpcPort = await freePort();
    const { run, port } = await startOn(db, ["--otlp-grpc-port", String(grpcPort)]);
    try {
      expect((await firstAnswer(run, port)).body.storage.state).toBe("loading");
      run.child.kill("SIGINT");
      expect(await run.exited, run.stderr()).toBe(0);
      // Nothing after the stop (a banner printed before it, while the file was read, is fine).
      expect(run.stdout()).toMatch(/stopping \(SIGINT\)…\nstopped\n$/);
      expect(run.stdout()).not.toContain("+ read back");
      expect(run.stderr()).toBe("");
    } finally {
      run.child.kill("SIGKILL");
    }
  }, 120_000);

  it("says what opening the file evicted when stopped at Ctrl+C while it reads the file back", async () => {
    // The newest trace is larger than --max-spans alone: deleted from the file before it is read back.
    const oversize = join(dir, "oversize.db");
    copyFileSync(db, oversize);
    const filler = createSqliteStore({ path: oversize, maxSpans: SPANS * 2 });
    filler.insertSpans(
      Array.from({ length: 6_000 }, (_, i) =>
        makeSpan({ trace: SPANS, span: i + 1, parent: i === 0 ? null : 1, start: SPANS * 10 + i }),
      ),
    );
    filler.close();
    const { run, port } = await startOn(oversize, ["--max-spans", "5000"]);
    try {
      // Health answers once the file is open, which is when the trace was deleted.
      expect((await firstAnswer(run, port)).body.storage.state).toBe("loading");
      run.child.kill("SIGINT");
      expect(await run.exited, run.stderr()).toBe(0);
      expect(run.stdout()).not.toContain("+ read back");
    } finally {
      run.child.kill("SIGKILL");
    }
    // What the file lost (the oversize trace, and the oldest arrivals if their eviction committed
    // before the stop) is what the start said it evicted.
    const store = createSqliteStore({ path: oversize, maxSpans: SPANS * 2 });
    const { evictedTraces, evictedSpans } = store.stats();
    store.close();
    expect(evictedSpans).toBeGreaterThanOrEqual(6_000);
    const traces = evictedTraces === 1 ? "1 trace" : `${evictedTraces.toLocaleString("en-US")} traces`;
    expect(run.stdout()).toContain(
      `stopping (SIGINT)…\n  ! ${oversize}: evicted ${traces} (${evictedSpans.toLocaleString("en-US")} spans) to stay within 5,000 spans as it opened; pass a larger --max-spans to keep more\nstopped\n`,
    );
  }, 120_000);

  it("a run's wait for its last export to arrive waits for the file to be read back first", async () => {
    // A bound below what the file holds: the load evicts too, and takes longer.
    const bounded = join(dir, "bounded-run.db");
    copyFileSync(db, bounded);
    const { run, port } = await startOn(bounded, ["--max-spans", "50000"]);
    try {
      expect((await firstAnswer(run, port)).body.storage.state).toBe("loading");
      // The counts stay 0 while the file is read: that is not the quiet after a run's last export.
      await waitForQuiet(`http://127.0.0.1:${port}`, 300, 3_000);
      expect((await probeHealth(port)).body.storage.state).toBe("ready");
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill("SIGKILL");
    }
  }, 120_000);

  it("an import started while the file is read back takes the evictions before it from the file, once read", async () => {
    // A bound below what the file holds: the load itself evicts (counted as evictions of the instance).
    const bounded = join(dir, "bounded.db");
    copyFileSync(db, bounded);
    const file = join(dir, "one.jsonl");
    writeFileSync(file, `${JSON.stringify(jsonTraceRequest("imported", [{ traceId: newTraceId(), name: "one" }]))}\n`);
    const { run, port } = await startOn(bounded, ["--max-spans", "50000"]);
    try {
      expect((await firstAnswer(run, port)).body.storage.state).toBe("loading");
      const imported = runCli(["import", "--port", String(port), file]);
      expect(await imported.exited, imported.stderr()).toBe(0);
      expect(imported.stdout()).toMatch(/^imported 1 file: 1 trace, 1 span new, 0 rejected/m);
      // The load evicted; the import itself did not.
      const health = await loadedHealth(`http://127.0.0.1:${port}`);
      expect((health.counts as { evictedTraces: number }).evictedTraces).toBeGreaterThan(0);
      expect(imported.stderr()).toBe("");
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill("SIGKILL");
    }
  }, 120_000);
});
