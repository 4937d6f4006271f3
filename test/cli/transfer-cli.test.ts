/**
 * `tracekit-local export` and `import` as a user runs them (the built binary): demo traffic sent
 * through the real OTLP path, exported from one instance, imported into another (memory, a --db file
 * through its server, a --db file without a server), and every trace the same afterwards.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/app.js";
import { type CliRun, useCliRuns, waitForUrl } from "../helpers/cli.js";

const start = useCliRuns();
const dir = tempDir();
afterAll(() => dir.remove());

async function server(args: string[] = []): Promise<{ run: CliRun; port: number; base: string }> {
  const run = start(["--port", "0", "--no-open", ...args]);
  const { port } = await waitForUrl(run);
  return { run, port, base: `http://127.0.0.1:${port}` };
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

describe("tracekit-local export / import", { timeout: 180_000 }, () => {
  it("round-trips demo traffic through a file, into memory, a served --db file and an offline --db file", async () => {
    const source = await server();
    const demo = await cli(["demo", "--port", String(source.port), "--duration", "2", "--rate", "15"]);
    expect(demo.code).toBe(0);
    const ids = await traceIds(source.base);
    expect(ids.length).toBeGreaterThan(5);

    const file = join(dir.path, "demo.jsonl");
    const sourceLogs = (await (await fetch(`${source.base}/api/logs?limit=1000`)).json()).logs.length;
    expect(sourceLogs).toBeGreaterThan(5);
    const exported = await cli(["export", "--port", String(source.port), "-o", file]);
    expect(exported.code).toBe(0);
    expect(exported.stderr.trim()).toBe(`exported ${ids.length} traces and ${sourceLogs} log records to ${file}`);
    const text = readFileSync(file, "utf8");
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
        `^imported 1 file: ${ids.length} traces, ${spans.toLocaleString("en-US")} spans, ${sourceLogs} log records, 0 metric points, 0 rejected in [\\d.]+ s`,
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

  it("reads gzip from stdin, and reports a bad file in one line while the others import", async () => {
    const target = await server();
    const trace = readFileSync(new URL("../fixtures/otlp-examples/trace.json", import.meta.url));
    const fromStdin = await cli(["import", "--port", String(target.port), "-"], gzipSync(trace));
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toMatch(/^imported 1 file: 1 trace, 1 span, 0 log records, 0 metric points, 0 rejected/);

    const bad = join(dir.path, "notes.txt");
    writeFileSync(bad, "these are not spans\n");
    const logs = join(dir.path, "logs.json");
    writeFileSync(logs, readFileSync(new URL("../fixtures/otlp-examples/logs.json", import.meta.url)));
    const missing = join(dir.path, "missing.json");
    const mixed = await cli(["import", "--port", String(target.port), bad, missing, logs]);
    expect(mixed.code).toBe(1);
    const errors = mixed.stderr.trim().split("\n");
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(new RegExp(`^error: ${bad}: not OTLP JSON, JSON Lines, protobuf or gzip .* at byte 0$`));
    expect(errors[1]).toMatch(new RegExp(`^error: ${missing}: ENOENT`));
    expect(mixed.stdout).toMatch(/^imported 1 of 3 files: 0 traces, 0 spans, 1 log record,/);
  });

  it("says in one line when no instance answers, and refuses bad flags with exit 2", async () => {
    const none = await cli(["import", "--port", "1", join(dir.path, "x.json")]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toMatch(/^error: no tracekit-local answers at http:\/\/localhost:1/);
    const since = await cli(["export", "--since", "yesterday"]);
    expect(since.code).toBe(2);
    expect(since.stderr.trim().split("\n")).toHaveLength(1);
    const trace = await cli(["export", "--trace", "nope"]);
    expect(trace.code).toBe(2);
    const noDb = await cli(["export", "--db", join(dir.path, "absent.db")]);
    expect(noDb.code).toBe(1);
    expect(noDb.stderr.trim()).toBe(`error: no such file ${join(dir.path, "absent.db")}`);
    const help = await cli(["import", "--help"]);
    expect(help.stdout).toMatch(/JSON Lines as the OpenTelemetry Collector's file exporter/);
  });
});
