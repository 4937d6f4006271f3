import { afterEach, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { type CliRun, freePort, useCliRuns } from "../helpers/cli.js";
import { readJson } from "../helpers/http.js";

const cli = useCliRuns();
const apps: TestApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

function demo(args: string[], env: Record<string, string> = {}): CliRun {
  return cli(["demo", ...args], env);
}

async function server(): Promise<TestApp> {
  const app = await startTestApp();
  apps.push(app);
  return app;
}

/** The counts in the final line, e.g. "sent 1,234 traces (5,678 spans) from 6 services in 2.0 s". */
function sentCounts(stdout: string): { traces: number; spans: number; services: number } {
  const match = /sent ([\d,]+) traces? \(([\d,]+) spans?\) from (\d+) services?/.exec(stdout);
  if (match === null) throw new Error(`no final line in: ${stdout}`);
  return {
    traces: Number(match[1]?.replace(/,/g, "")),
    spans: Number(match[2]?.replace(/,/g, "")),
    services: Number(match[3]),
  };
}

async function health(app: TestApp): Promise<{ counts: { spans: number; traces: number } }> {
  return readJson(fetch(`${app.base}/api/health`));
}

// Each case spawns Node processes; allow for a slow machine.
describe("tracekit-local demo", { timeout: 60_000 }, () => {
  it("sends traffic from several services for --duration, then reports what it sent", async () => {
    const app = await server();
    const run = demo(["--url", `${app.base}/`, "--duration", "1.5", "--rate", "30"]);
    expect(await run.exited).toBe(0);
    const lines = run.stdout().trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`sending demo traffic to ${app.base} for 1.5 s (30 traces/s) — open ${app.base}`);
    const sent = sentCounts(run.stdout());
    const counts = (await health(app)).counts;
    expect(counts).toMatchObject({ traces: sent.traces, spans: sent.spans });
    const { services } = await readJson(fetch(`${app.base}/api/services`));
    expect(services.length).toBeGreaterThanOrEqual(4);
    // The services it names are those whose spans arrived (a short run does not reach every one).
    expect(sent.services).toBe(services.length);
    const errors = await readJson(fetch(`${app.base}/api/traces?status=error&limit=1000`));
    expect(errors.traces.length).toBeGreaterThan(0);
    expect(run.stderr()).toBe("");
  });

  it("says a rate below one trace a second as given, and one of each in the singular", async () => {
    const app = await server();
    const run = demo(["--url", app.base, "--duration", "0.5", "--rate", "0.4"]);
    expect(await run.exited).toBe(0);
    const [first, last] = run.stdout().trim().split("\n");
    expect(first).toBe(`sending demo traffic to ${app.base} for 0.5 s (0.4 traces/s) — open ${app.base}`);
    // Each of traces, spans and services in the singular when there is one, else the plural.
    const words = /^sent ([\d,]+) (traces?) \(([\d,]+) (spans?)\) from (\d+) (services?) in /.exec(last ?? "");
    expect(words).not.toBeNull();
    for (const [n, word] of [
      [words?.[1], words?.[2]],
      [words?.[3], words?.[4]],
      [words?.[5], words?.[6]],
    ]) {
      expect(word?.endsWith("s")).toBe(n !== "1");
    }
    const one = demo(["--url", app.base, "--duration", "0.2", "--rate", "1"]);
    expect(await one.exited).toBe(0);
    expect(one.stdout()).toContain("(1 trace/s)");
  });

  it("defaults to localhost on the port in TRACEKIT_LOCAL_PORT", async () => {
    const app = await server();
    const run = demo(["--duration", "0.5", "--rate", "10"], { TRACEKIT_LOCAL_PORT: String(app.port) });
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain(`sending demo traffic to http://localhost:${app.port} for 0.5 s`);
    expect((await health(app)).counts.spans).toBe(sentCounts(run.stdout()).spans);
    const { services } = await readJson(fetch(`${app.base}/api/services`));
    expect(sentCounts(run.stdout()).services).toBe(services.length);
  });

  it("--duration 0 runs until SIGINT or SIGTERM, then delivers everything and exits 0", async () => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const app = await server();
      const run = demo(["--url", app.base, "--duration", "0", "--rate", "50"]);
      const deadline = Date.now() + 30_000;
      while ((await health(app)).counts.spans === 0) {
        if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`no spans: ${run.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(run.stdout()).toContain("until Ctrl+C");
      run.child.kill(signal);
      expect(await run.exited, signal).toBe(0);
      expect((await health(app)).counts.spans, signal).toBe(sentCounts(run.stdout()).spans);
    }
  });

  it("exits 1 with one line when no tracekit-local answers", async () => {
    const port = await freePort();
    const run = demo(["--url", `http://127.0.0.1:${port}`, "--duration", "1"]);
    expect(await run.exited).toBe(1);
    const lines = run.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`no tracekit-local answers at http://127.0.0.1:${port}`);
    expect(lines[0]).toContain("--url");
    expect(run.stdout()).toBe("");
  });

  it("exits 2 with one line for a bad flag or value", async () => {
    const cases: { args: string[]; env?: Record<string, string> }[] = [
      { args: ["--bogus"] },
      { args: ["--duration", "soon"] },
      { args: ["--duration", "-1"] },
      { args: ["--rate", "0"] },
      { args: ["--rate", "fast"] },
      { args: ["--rate", "-3"] },
      { args: ["--url", "ftp://localhost:9999"] },
      { args: ["--url", "localhost:9999"] },
      { args: ["--url", "not a url"] },
      { args: ["--port", "0"] },
      { args: ["--port", "70000"] },
      { args: [], env: { TRACEKIT_LOCAL_PORT: "lots" } },
    ];
    for (const { args, env } of cases) {
      const run = demo(args, env);
      const label = `${args.join(" ")} ${JSON.stringify(env ?? {})}`;
      expect(await run.exited, label).toBe(2);
      const lines = run.stderr().trim().split("\n");
      expect(lines, label).toHaveLength(1);
      expect(lines[0], label).toMatch(/error/i);
    }
  });

  it("lists its options in --help", async () => {
    const run = demo(["--help"]);
    expect(await run.exited).toBe(0);
    for (const flag of ["--port", "--url", "--duration", "--rate"]) expect(run.stdout()).toContain(flag);
  });
});
