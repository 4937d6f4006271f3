import { spawn } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TraceListResponse, TraceResponse } from "../../src/protocol.js";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { BIN, type CliRun, freePort, useCliRuns, watchRun } from "../helpers/cli.js";
import { readJson } from "../helpers/http.js";
import { waitFor } from "../helpers/live.js";
import { sendSdkTrace } from "../helpers/otel.js";

const OTEL_APP = fileURLToPath(new URL("./fixtures/otel-app.mjs", import.meta.url));
const GRPC_APP = fileURLToPath(new URL("./fixtures/grpc-app.mjs", import.meta.url));
const TRACEKIT_APP = fileURLToPath(new URL("./fixtures/tracekit-node-app.mjs", import.meta.url));
const METRICS_APP = fileURLToPath(new URL("./fixtures/otel-metrics-app.mjs", import.meta.url));
const METRICS_LOOP = fileURLToPath(new URL("./fixtures/otel-metrics-loop.mjs", import.meta.url));
const COUNTS_SIGINT = fileURLToPath(new URL("./fixtures/counts-sigint.mjs", import.meta.url));
/** util-linux's `script` gives a command a pseudo-terminal of its own; `setsid` starts one outside its foreground. */
const SCRIPT = "/usr/bin/script";
const SETSID = "/usr/bin/setsid";

const cli = useCliRuns({ TRACEKIT_NO_BROWSER: "1" });
/** Processes left running: instances `run` started in the background, runs no terminal's hangup ends. Ended after each test. */
const startedPids: number[] = [];
/** `script`s started by inTerminal, killed after each test. */
const terminals: ReturnType<typeof spawn>[] = [];

/**
 * `tracekit-local run …` with stdin piped, so a test can write to it, in a session of its own: a
 * terminal the tests run in is not its terminal, so a signal a test sends is one no terminal sent.
 */
const run = (args: string[], env: Record<string, string> = {}): CliRun => cli(["run", ...args], env, "pipe", true);

/**
 * Runs `shellCommand` in a pseudo-terminal (util-linux `script`), as a terminal would; writing to
 * `stdin` is typing. `exited` is the command's exit code. The command should `exec` what it tests: a
 * shell left waiting is in the terminal's foreground too, gets the Ctrl+C, and some shells (dash, which
 * `script` runs when SHELL is unset) then exit 130 whatever their command did.
 */
function inTerminal(shellCommand: string): {
  stdin: NodeJS.WritableStream;
  output(): string;
  exited: Promise<number | null>;
} {
  const script = spawn(SCRIPT, ["-eqc", shellCommand, "/dev/null"], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, SHELL: "/bin/sh" },
  });
  let output = "";
  script.stdout.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => script.on("exit", (code) => resolve(code)));
  terminals.push(script);
  return { stdin: script.stdin, output: () => output, exited };
}

const ready = (check: () => boolean) => waitFor(() => (check() ? true : undefined));

/**
 * A module (for `node --input-type=module -e`) that posts one trace as another app would, to the
 * endpoint `run` gives: its own service, and no run id on it.
 */
function otherAppsTrace(traceId: string): string {
  return `
    const now = BigInt(Date.now()) * 1000000n;
    const span = { traceId: "${traceId}", spanId: "00000000000000aa", name: "GET /elsewhere", kind: 2,
      startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1000000n) };
    const resource = { attributes: [{ key: "service.name", value: { stringValue: "bystander" } }] };
    const answer = await fetch(process.env.OTEL_EXPORTER_OTLP_ENDPOINT + "/v1/traces", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans: [span] }] }] }),
    });
    if (answer.status !== 200) process.exit(9);
  `;
}

/** The summary line's counts and URL. */
function summary(stderr: string): { traces: number; spans: number; failing: number; llm: string | null; url: string } {
  // A run of which nothing arrived says so instead of counting zeros.
  const nothing = /this run sent nothing: no trace, log record or metric of it arrived while it ran; .* · (\S+)/.exec(
    stderr,
  );
  if (nothing !== null) return { traces: 0, spans: 0, failing: 0, llm: null, url: nothing[1] as string };
  const match =
    /this run sent (\d+) traces? \((\d+) spans?, (\d+) failing(?:, ([^)]*))?\)(?: and [\d,]+ log records?)?(?:; while it ran, [\d,]+ metric points? arrived, of [^·]*)? · (\S+)/.exec(
      stderr,
    );
  if (match === null) throw new Error(`no summary line in: ${stderr}`);
  return {
    traces: Number(match[1]),
    spans: Number(match[2]),
    failing: Number(match[3]),
    llm: match[4] ?? null,
    url: match[5] as string,
  };
}

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});
afterEach(async () => {
  for (const script of terminals.splice(0)) if (script.exitCode === null) script.kill("SIGKILL");
  for (const pid of startedPids.splice(0)) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
});

// Each case spawns several Node processes; allow for a slow machine.
describe("tracekit-local run", { timeout: 60_000 }, () => {
  it("passes the command's exit code through: 0 and 3", async () => {
    const ok = run(["--port", String(app.port), "--", process.execPath, "-e", "process.exit(0)"]);
    const three = run(["--port", String(app.port), "--", process.execPath, "-e", "process.exit(3)"]);
    expect(await ok.exited).toBe(0);
    expect(await three.exited).toBe(3);
    expect(summary(three.stderr()).traces).toBe(0);
  });

  it("passes SIGTERM, SIGINT (stdin not a terminal) and SIGHUP on, and exits 128+n when the command dies of signal n", async () => {
    const waiting = (setup = "") =>
      run([
        "--port",
        String(app.port),
        "--",
        process.execPath,
        "-e",
        `${setup} console.log('ready'); setInterval(() => {}, 1000)`,
      ]);
    const term = waiting();
    const int = waiting();
    const handles = waiting("process.on('SIGHUP', () => { console.log('got SIGHUP'); process.exit(7); });");
    await ready(() => [term, int, handles].every((started) => started.stdout().includes("ready")));
    term.child.kill("SIGTERM");
    int.child.kill("SIGINT");
    handles.child.kill("SIGHUP");
    expect(await term.exited).toBe(143);
    expect(await int.exited).toBe(130);
    expect(await handles.exited).toBe(7);
    expect(handles.stdout()).toContain("got SIGHUP");
  });

  it("says when the command was ended by a signal, as a shell does, but not for SIGINT or an exit code", async () => {
    const dies = (how: string) => run(["--port", String(app.port), "--", process.execPath, "-e", how]);
    const killed = dies("process.kill(process.pid, 'SIGKILL')");
    const segv = dies("process.kill(process.pid, 'SIGSEGV')");
    const interrupted = dies("process.kill(process.pid, 'SIGINT')");
    const three = dies("process.exit(3)");
    expect(await killed.exited).toBe(137);
    expect(await segv.exited).toBe(139);
    expect(await interrupted.exited).toBe(130);
    expect(await three.exited).toBe(3);
    const said = (r: CliRun) =>
      r
        .stderr()
        .split("\n")
        .filter((line) => line.includes("was ended by"));
    expect(said(killed)).toEqual([`tracekit-local: the command (${process.execPath}) was ended by SIGKILL`]);
    expect(said(segv)).toEqual([`tracekit-local: the command (${process.execPath}) was ended by SIGSEGV`]);
    expect(said(interrupted)).toEqual([]);
    expect(said(three)).toEqual([]);
    // The summary still follows.
    expect(summary(killed.stderr()).traces).toBe(0);
  });

  it.skipIf(!existsSync(SCRIPT))(
    "in a terminal, one Ctrl+C reaches the command once, also when run's stdin is redirected",
    async () => {
      const terminal = inTerminal(
        `exec ${process.execPath} ${BIN} run --port ${app.port} -- ${process.execPath} ${COUNTS_SIGINT} < /dev/null`,
      );
      const runPid = Number(await waitFor(() => /ready (\d+)/.exec(terminal.output())?.[1]));
      startedPids.push(runPid);
      terminal.stdin.write("\x03");
      expect(await terminal.exited, terminal.output()).toBe(1);
      expect(terminal.output()).toContain("SIGINT 1");
      expect(terminal.output()).not.toContain("SIGINT 2");
    },
  );

  it.skipIf(!existsSync(SCRIPT) || !existsSync(SETSID))(
    "passes on a SIGINT sent to its pid when stdin is a terminal but run is not in its foreground",
    async () => {
      const terminal = inTerminal(
        `exec ${SETSID} -w ${process.execPath} ${BIN} run --port ${app.port} -- ${process.execPath} ${COUNTS_SIGINT}`,
      );
      const runPid = Number(await waitFor(() => /ready (\d+)/.exec(terminal.output())?.[1]));
      // Without the terminal's foreground run does not end with the terminal: ended after the test.
      startedPids.push(runPid);
      process.kill(runPid, "SIGINT");
      await waitFor(() => (terminal.output().includes("SIGINT 1") ? true : undefined));
      expect(await terminal.exited, terminal.output()).toBe(1);
    },
  );

  it("passes stdin and stdout through", async () => {
    const echo = run(["--port", String(app.port), "--", process.execPath, "-e", "process.stdin.pipe(process.stdout)"]);
    echo.child.stdin?.end("line one\nline two\n");
    expect(await echo.exited).toBe(0);
    expect(echo.stdout()).toBe("line one\nline two\n");
  });

  it("points an OpenTelemetry app at the instance, tags its spans with the run, and counts what it sent", async () => {
    const sdkApp = run(["--port", String(app.port), "--service", "run-test", "--", process.execPath, OTEL_APP], {
      NODE_ENV: "staging",
      OTEL_RESOURCE_ATTRIBUTES: "team=payments",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces",
      OTEL_BSP_SCHEDULE_DELAY: "200",
    });
    expect(await sdkApp.exited).toBe(0);
    // The user's NODE_ENV is kept; ENV is not filled in on a port other than 9999 (see below). No cloud metadata
    // probes; the user's batch delay is kept.
    expect(sdkApp.stdout()).toContain("app: NODE_ENV=staging ENV=undefined");
    expect(sdkApp.stdout()).toContain(
      "app: OTEL_NODE_RESOURCE_DETECTORS=env,host,os,process OTEL_BSP_SCHEDULE_DELAY=200",
    );
    const line = summary(sdkApp.stderr());
    // The LLM call is priced by the server: gpt-4o-mini, 1,000 tokens in at $0.15 / 1M and 100 out at $0.60 / 1M.
    // One trace failing, though two of its spans tell the failure: as the trace list counts it.
    expect(line).toMatchObject({ traces: 2, spans: 4, failing: 1, llm: "1 LLM call ≈ $0.00021" });
    const url = new URL(line.url);
    expect(url.origin).toBe(`http://localhost:${app.port}`);
    expect(url.searchParams.get("service")).toBe("run-test");

    // The same filters on the API give the run's traces, and each span carries the run's tag.
    const list: TraceListResponse = await readJson(fetch(`${app.base}/api/traces${url.search}`));
    expect(list.traces.map((t) => t.name).sort()).toEqual(["GET /orders", "POST /checkout"]);
    const trace: TraceResponse = await readJson(fetch(`${app.base}/api/traces/${list.traces[0]?.traceId}`));
    const resource = trace.spans[0]?.resource ?? {};
    expect(resource["service.name"]).toBe("run-test");
    expect(resource.team).toBe("payments");
    expect(resource["tracekit.run.id"]).toMatch(/^[0-9a-f]{8}$/);

    // A later run's window holds none of these.
    const empty = run(["--port", String(app.port), "--service", "run-test", "--", process.execPath, "-e", ""]);
    expect(await empty.exited).toBe(0);
    expect(summary(empty.stderr())).toMatchObject({ traces: 0, spans: 0, failing: 0 });
  });

  it("leaves ENV and NODE_ENV unset for an instance not on 9999: a TraceKit SDK's development mode would also send to localhost:9999", async () => {
    // run's own environment without them (the test runner's has NODE_ENV).
    const env: NodeJS.ProcessEnv = { ...process.env, TRACEKIT_NO_BROWSER: "1" };
    delete env.ENV;
    delete env.NODE_ENV;
    const unset = watchRun(
      spawn(process.execPath, [BIN, "run", "--port", String(app.port), "--", process.execPath, OTEL_APP], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    try {
      expect(await unset.exited, unset.stderr()).toBe(0);
      expect(unset.stdout()).toContain("app: NODE_ENV=undefined ENV=undefined");
      // Everything still arrives, through the endpoint.
      expect(summary(unset.stderr())).toMatchObject({ traces: 2, spans: 4, failing: 1 });
    } finally {
      if (unset.child.exitCode === null) unset.child.kill("SIGKILL");
    }
    // The help says so.
    const help = run(["--help"]);
    expect(await help.exited).toBe(0);
    expect(help.stdout().replace(/\s+/g, " ")).toContain(
      "ENV and NODE_ENV are set to development only when unset, and only for the instance at localhost:9999",
    );
  });

  it("gives a TraceKit SDK an endpoint that carries the run, and counts its trace, metrics and code monitoring as the run's", async () => {
    // Development mode set by the user (run sets it only for an instance at localhost:9999): the fixture's
    // local-UI copy goes to the instance's own origin, standing in for localhost:9999.
    const tk = run(["--port", String(app.port), "--", process.execPath, TRACEKIT_APP], { NODE_ENV: "development" });
    expect(await tk.exited, tk.stderr()).toBe(0);
    const endpoint = /app: TRACEKIT_ENDPOINT=(\S+)/.exec(tk.stdout())?.[1] ?? "";
    const runId = new RegExp(`^http://localhost:${app.port}/run/([0-9a-f]{8})$`).exec(endpoint)?.[1];
    expect(runId, endpoint).toBeDefined();
    // Its own metrics export, which its HTTP instrumentation traced, is not one of the spans.
    const line = summary(tk.stderr());
    expect(line).toMatchObject({ traces: 1, spans: 2, failing: 0 });
    const url = new URL(line.url);
    expect(url.searchParams.get("q")).toBe(`tracekit.run.id="${runId}"`);

    const list: TraceListResponse = await readJson(fetch(`${app.base}/api/traces${url.search}`));
    expect(list.traces.map((t) => [t.traceId, t.service])).toEqual([["7a".repeat(16), "tk-shop"]]);
    // The exporter's copy came first and is kept: the run's id on every span, OTLP's kinds as sent; the
    // development-mode copy that followed is the same spans again.
    const trace: TraceResponse = await readJson(fetch(`${app.base}/api/traces/${"7a".repeat(16)}`));
    expect(trace.spans.map((s) => [s.name, s.kind, s.resource["tracekit.run.id"]])).toEqual([
      ["GET", "SERVER", runId],
      ["pg.query:SELECT", "CLIENT", runId],
    ]);
    const metrics = await readJson(fetch(`${app.base}/api/metrics`));
    expect(JSON.stringify(metrics)).toContain("orders.placed");
  });

  it("counts the metrics of an app that sends only metrics, and links to them on the Metrics page", async () => {
    const only = run(["--port", String(app.port), "--service", "monly", "--", process.execPath, METRICS_APP], {
      OTEL_TRACES_EXPORTER: "none",
      OTEL_LOGS_EXPORTER: "none",
    });
    expect(await only.exited, only.stderr()).toBe(0);
    const line = only.stderr().trim();
    expect(line).toMatch(
      /^tracekit-local: no trace or log record of this run arrived; while it ran, 1 metric point arrived, of orders\.counted under monly \(metrics are not told apart by run\) · http:\/\/localhost:\d+\/metrics\?metric=orders\.counted&service=monly$/,
    );
    // The metric arrived with the run's id on its resource, under the service the run named.
    const catalog: { metrics: { name: string; services: string[] }[] } = await readJson(
      fetch(`${app.base}/api/metrics?service=monly`),
    );
    expect(catalog.metrics.map((m) => [m.name, m.services])).toEqual([["orders.counted", ["monly"]]]);

    // Beside a trace, the metrics are said after it, and the link stays the run's traces.
    const both = run([
      "--port",
      String(app.port),
      "--service",
      "monly",
      "--",
      "sh",
      "-c",
      `"$0" "$1" && "$0" "$2"`,
      process.execPath,
      OTEL_APP,
      METRICS_APP,
    ]);
    expect(await both.exited, both.stderr()).toBe(0);
    expect(both.stderr()).toMatch(
      /^tracekit-local: this run sent 2 traces \(4 spans, 1 failing, 1 LLM call ≈ \$0\.00021\); while it ran, 1 metric point arrived, of orders\.counted under monly · http:\/\/localhost:\d+\/\?service=monly&q=tracekit\.run\.id/m,
    );
  });

  it("does not count another app's metrics, exported beside the run, as the run's", async () => {
    // Another app left running: the OpenTelemetry SDK exporting a counter every 100 ms, with no run id.
    const bystander = spawn(process.execPath, [METRICS_LOOP], {
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: app.base,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        OTEL_SERVICE_NAME: "bystander-metrics",
      },
      stdio: "ignore",
    });
    try {
      for (const deadline = Date.now() + 20_000; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
        const catalog: { metrics: { name: string }[] } = await readJson(
          fetch(`${app.base}/api/metrics?service=bystander-metrics`),
        );
        if (catalog.metrics.some((metric) => metric.name === "jobs.polled")) break;
        if (Date.now() > deadline) throw new Error("the other app's metrics did not arrive");
      }
      // A command that sends nothing: the advice on why stays, what arrived is said as any app's, and the
      // link is to the run's own (empty) list, not to other apps' metrics.
      const silent = run(["--port", String(app.port), "--", process.execPath, "-e", ""]);
      expect(await silent.exited, silent.stderr()).toBe(0);
      expect(silent.stderr().trim()).toMatch(
        /^tracekit-local: no trace or log record of this run arrived; while it ran, [\d,]+ metric points? arrived, of jobs\.polled under bystander-metrics \(any app's: without --service, metrics are not told apart by run\); an app sends here when its SDK reads OTEL_EXPORTER_OTLP_ENDPOINT, or its TraceKit SDK's endpoint is set to TRACEKIT_ENDPOINT · http:\/\/localhost:\d+\/\?\S+$/,
      );
      // A run that sent traces: only metrics of its own services would be said, and it sent none.
      const traced = run(["--port", String(app.port), "--", process.execPath, OTEL_APP]);
      expect(await traced.exited, traced.stderr()).toBe(0);
      expect(summary(traced.stderr())).toMatchObject({ traces: 2, spans: 4, failing: 1 });
      expect(traced.stderr()).not.toContain("metric");
      // --service's metrics are the run's; the points are not, as the other app's came meanwhile.
      const named = run(["--port", String(app.port), "--service", "monly2", "--", process.execPath, METRICS_APP], {
        OTEL_TRACES_EXPORTER: "none",
        OTEL_LOGS_EXPORTER: "none",
      });
      expect(await named.exited, named.stderr()).toBe(0);
      expect(named.stderr().trim()).toMatch(
        /^tracekit-local: no trace or log record of this run arrived; while it ran, metric orders\.counted under monly2 updated \(metrics are not told apart by run\) · http:\/\/localhost:\d+\/metrics\?metric=orders\.counted&service=monly2$/,
      );
    } finally {
      bystander.kill("SIGTERM");
    }
  });

  it("counts the run's traces when its app names its service itself, and names that service instead of saying nothing arrived", async () => {
    const named = run([
      "--port",
      String(app.port),
      "--service",
      "run-named",
      "--",
      "env",
      "OTEL_SERVICE_NAME=checkout-named",
      process.execPath,
      OTEL_APP,
    ]);
    expect(await named.exited, named.stderr()).toBe(0);
    expect(named.stderr()).toMatch(
      /^tracekit-local: this run sent 2 traces \(4 spans, 1 failing, 1 LLM call ≈ \$0\.00021\), all under service checkout-named, none under run-named \(--service\): the app names its service itself · http:\/\/localhost:\d+\/\?q=tracekit\.run\.id/m,
    );
    // The link is not narrowed to --service, which has none of them: it lists the run's traces.
    const link = new URL(/ · (\S+)$/m.exec(named.stderr())?.[1] ?? "");
    expect(link.searchParams.get("service")).toBeNull();
    const list: TraceListResponse = await readJson(fetch(`${app.base}/api/traces${link.search}`));
    expect(list.traces.map((t) => t.service)).toEqual(["checkout-named", "checkout-named"]);
  });

  it("counts the log records the command sent, and not another app's", async () => {
    const sendsLogs = `
      const own = process.env.OTEL_RESOURCE_ATTRIBUTES.split(",").map((pair) => {
        const [key, value] = pair.split("=");
        return { key, value: { stringValue: decodeURIComponent(value) } };
      });
      const now = BigInt(Date.now()) * 1000000n;
      const record = (body, i) => ({ timeUnixNano: String(now + BigInt(i)), severityNumber: 9, body: { stringValue: body } });
      const bystander = [{ key: "service.name", value: { stringValue: "bystander" } }];
      const answer = await fetch(process.env.OTEL_EXPORTER_OTLP_ENDPOINT + "/v1/logs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ resourceLogs: [
          { resource: { attributes: own }, scopeLogs: [{ logRecords: [record("one", 0), record("two", 1)] }] },
          { resource: { attributes: bystander }, scopeLogs: [{ logRecords: [record("not ours", 2)] }] },
        ] }),
      });
      if (answer.status !== 200) process.exit(9);
    `;
    const logs = run(["--port", String(app.port), "--", process.execPath, "--input-type=module", "-e", sendsLogs]);
    expect(await logs.exited, logs.stderr()).toBe(0);
    expect(logs.stderr()).toMatch(/this run sent 0 traces \(0 spans, 0 failing\) and 2 log records · http/);
    expect(summary(logs.stderr())).toMatchObject({ traces: 0, spans: 0, failing: 0 });
  });

  it("counts only its own traces while another app sends, and says so when its app's spans carry no run id", async () => {
    const withOtherApp = `${otherAppsTrace("ab".repeat(16))}\nawait import(${JSON.stringify(pathToFileURL(OTEL_APP).href)});`;
    const both = run(["--port", String(app.port), "--", process.execPath, "--input-type=module", "-e", withOtherApp]);
    expect(await both.exited, both.stderr()).toBe(0);
    const line = summary(both.stderr());
    expect(line).toMatchObject({ traces: 2, spans: 4, failing: 1 });
    const url = new URL(line.url);
    expect(url.searchParams.get("q")).toMatch(/^tracekit\.run\.id="[0-9a-f]{8}"$/);
    const list: TraceListResponse = await readJson(fetch(`${app.base}/api/traces${url.search}`));
    expect(list.traces.map((t) => t.name).sort()).toEqual(["GET /orders", "POST /checkout"]);

    // Spans without the run's id (an SDK that does not read OTEL_RESOURCE_ATTRIBUTES, or another app): shown beside the run, and said so.
    const untagged = run([
      "--port",
      String(app.port),
      "--",
      process.execPath,
      "--input-type=module",
      "-e",
      otherAppsTrace("cd".repeat(16)),
    ]);
    expect(await untagged.exited, untagged.stderr()).toBe(0);
    expect(untagged.stderr()).toMatch(
      /^tracekit-local: this run sent no trace with its tracekit\.run\.id; 1 trace \(1 span, 0 failing\) without one started while it ran, .* · http:\/\/localhost:\d+\/\?q=-tracekit\.run\.id&since=\d+&until=\d+$/m,
    );
    const link = new URL(/ · (\S+)$/m.exec(untagged.stderr())?.[1] ?? "");
    const shown: TraceListResponse = await readJson(fetch(`${app.base}/api/traces${link.search}`));
    expect(shown.traces.map((t) => t.traceId)).toEqual(["cd".repeat(16)]);
  });

  it("credits a command that sends nothing with no trace while other apps send", async () => {
    const quiet = () =>
      run(["--port", String(app.port), "--", process.execPath, "-e", "console.log('ready'); process.stdin.resume();"]);
    // Another run's traces carry its own run id: not this run's, nor counted beside it.
    const first = quiet();
    await ready(() => first.stdout().includes("ready"));
    const otherRun = run(["--port", String(app.port), "--", process.execPath, OTEL_APP]);
    expect(await otherRun.exited, otherRun.stderr()).toBe(0);
    first.child.stdin?.end();
    expect(await first.exited, first.stderr()).toBe(0);
    expect(first.stderr()).toMatch(
      /^tracekit-local: this run sent nothing: no trace, log record or metric of it arrived while it ran; an app sends here when its SDK reads OTEL_EXPORTER_OTLP_ENDPOINT, or its TraceKit SDK's endpoint is set to TRACEKIT_ENDPOINT · http:\/\/localhost:\d+\/\?q=tracekit\.run\.id/m,
    );

    // An app that sends without a run id: its traces are shown beside the run, not as the run's.
    const second = quiet();
    await ready(() => second.stdout().includes("ready"));
    await sendSdkTrace(app.base, { service: "bystander", name: "GET /elsewhere", children: 1 });
    second.child.stdin?.end();
    expect(await second.exited, second.stderr()).toBe(0);
    expect(second.stderr()).toMatch(
      /^tracekit-local: this run sent no trace with its tracekit\.run\.id; 1 trace \(2 spans, 0 failing\) without one started while it ran, from other apps, or from this command if its SDK does not read OTEL_RESOURCE_ATTRIBUTES \(a TraceKit SDK: its endpoint is not set to TRACEKIT_ENDPOINT\) · /m,
    );
  });

  it("says the instance refused an app's OTLP/gRPC exporter, and what helps, instead of that nothing was sent", async () => {
    const grpc = run(["--port", String(app.port), "--", process.execPath, GRPC_APP]);
    expect(await grpc.exited, grpc.stderr()).toBe(0);
    // The exporter did read the endpoint: the instance refused its connection on the HTTP port.
    expect(grpc.stdout()).toContain("app: export failed");
    expect(grpc.stderr()).not.toContain("this run sent nothing");
    expect(grpc.stderr()).toMatch(
      new RegExp(
        `^tracekit-local: no trace or log record of this run arrived: while it ran, tracekit-local refused \\d+ OTLP/gRPC connections?; port ${app.port} takes OTLP/HTTP only, and an exporter sent gRPC there, as one chosen in an app's code does whatever OTEL_EXPORTER_OTLP_PROTOCOL says: use an OTLP/HTTP exporter, or start tracekit-local with --otlp-grpc-port 4317 and run the app with OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317, not under run \\(which points it at port ${app.port}\\) · http://localhost:${app.port}/\\?q=tracekit\\.run\\.id`,
        "m",
      ),
    );

    // Refusals from before a run are not its own: the counts are compared at its start and end.
    const later = run(["--port", String(app.port), "--", process.execPath, OTEL_APP]);
    expect(await later.exited, later.stderr()).toBe(0);
    expect(later.stderr()).not.toContain("refused");
    expect(summary(later.stderr())).toMatchObject({ traces: 2, spans: 4, failing: 1 });
  });

  it("starts an instance in the background when none answers, which keeps running afterwards, and says so last", async () => {
    const port = await freePort();
    const started = run(["--port", String(port), "--no-open", "--", process.execPath, OTEL_APP]);
    const code = await started.exited;
    const pid = Number(/kill (\d+)/.exec(started.stderr())?.[1]);
    if (Number.isInteger(pid) && pid > 0) startedPids.push(pid);
    expect(code, started.stderr()).toBe(0);
    expect(started.stderr()).toContain(`started at http://localhost:${port} in the background`);
    expect(summary(started.stderr())).toMatchObject({ traces: 2, spans: 4, failing: 1 });
    // The command's output may have pushed the first line out of sight: the last one says it again.
    expect(started.stderr().trim().split("\n").at(-1)).toBe(
      `tracekit-local: still running in the background at http://localhost:${port} (pid ${pid}); stop it with \`kill ${pid}\``,
    );
    // A run that finds it running started nothing and says nothing of it.
    const again = run(["--port", String(port), "--", process.execPath, "-e", ""]);
    expect(await again.exited).toBe(0);
    expect(again.stderr()).not.toContain("background");
    const health = await readJson(fetch(`http://127.0.0.1:${port}/api/health`));
    expect(health).toMatchObject({ name: "tracekit-local", counts: { spans: 4 } });
  });

  it("reads TRACEKIT_NO_BROWSER as start does: any value but empty, 0 and false keeps the browser closed", async () => {
    const dir = tempDir();
    try {
      // xdg-open (Linux, no desktop) opens a URL with $BROWSER: here a script that notes it.
      const opened = join(dir.path, "opened.txt");
      const browser = join(dir.path, "browser.sh");
      writeFileSync(browser, `#!/bin/sh\necho "$1" >> '${opened}'\n`);
      chmodSync(browser, 0o755);
      for (const value of ["true", "yes", "0"]) {
        const port = await freePort();
        // No desktop: xdg-open would hand a desktop's own browser the URL instead.
        const env = {
          TRACEKIT_NO_BROWSER: value,
          BROWSER: browser,
          XDG_CURRENT_DESKTOP: "",
          DISPLAY: "",
          WAYLAND_DISPLAY: "",
        };
        // With --service: the list opened is not narrowed to it (an app may name itself otherwise).
        const service = value === "0" ? ["--service", "api"] : [];
        const started = run(["--port", String(port), ...service, "--", process.execPath, "-e", ""], env);
        const code = await started.exited;
        const pid = Number(/kill (\d+)/.exec(started.stderr())?.[1]);
        if (Number.isInteger(pid) && pid > 0) startedPids.push(pid);
        expect(code, started.stderr()).toBe(0);
        expect(started.stderr()).toContain("in the background");
        if (value === "0") {
          // "0" is off: the browser opens on the run's traces.
          // The script's file exists before its line is written in it: wait for the line.
          await waitFor(() => (existsSync(opened) && readFileSync(opened, "utf8").includes("\n") ? true : undefined));
          expect(readFileSync(opened, "utf8")).toMatch(new RegExp(`^http://localhost:${port}/\\?since=\\d+\n$`));
        } else {
          await new Promise((resolve) => setTimeout(resolve, 300));
          expect(existsSync(opened), value).toBe(false);
        }
      }
    } finally {
      dir.remove();
    }
  });

  it("of two runs that start an instance at once, one says it started it, with its pid; the other uses it", async () => {
    const port = await freePort();
    const both = [1, 2].map(() => run(["--port", String(port), "--no-open", "--", process.execPath, "-e", ""]));
    const codes = await Promise.all(both.map((started) => started.exited));
    const stderrs = both.map((started) => started.stderr());
    const pids = stderrs.flatMap((stderr) => /kill (\d+)/.exec(stderr)?.[1] ?? []).map(Number);
    startedPids.push(...pids);
    expect(codes, stderrs.join("\n")).toEqual([0, 0]);
    expect(pids, stderrs.join("\n")).toHaveLength(1);
    // The pid it names is the instance that answers (the other one found the port taken and exited).
    expect(() => process.kill(pids[0] as number, 0)).not.toThrow();
    expect(await readJson(fetch(`http://127.0.0.1:${port}/api/health`))).toMatchObject({ name: "tracekit-local" });
    const other = stderrs.find((stderr) => !stderr.includes("kill ")) ?? "";
    // When both asked before either instance answered (nearly always), the other says whose instance it uses.
    expect(other).not.toMatch(/started at|could not start/);
    if (other.includes("at the same time")) {
      expect(other).toContain(
        `another command started one at http://localhost:${port} at the same time; this run uses it`,
      );
    }
  });

  it("says in one line, without starting an instance, that the port is another program's", async () => {
    const other = createServer((_request, response) => response.writeHead(404).end("not here"));
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const { port } = other.address() as { port: number };
    try {
      const taken = run(["--port", String(port), "--", process.execPath, "-e", "console.log('ran')"]);
      expect(await taken.exited).toBe(1);
      expect(taken.stdout()).toBe("");
      expect(taken.stderr().trim()).toBe(
        `error: port ${port} is in use by another program, not a tracekit-local: pass the --port of a running tracekit-local, or a free port to start one on`,
      );
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it("starts no instance (nor a browser on it) for a command that does not exist", async () => {
    const port = await freePort();
    const mistyped = run(["--port", String(port), "--", "no-such-command-here", "start"]);
    expect(await mistyped.exited).toBe(127);
    const pid = Number(/kill (\d+)/.exec(mistyped.stderr())?.[1]);
    if (Number.isInteger(pid) && pid > 0) startedPids.push(pid);
    expect(mistyped.stderr().trim()).toBe("error: command not found: no-such-command-here");
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
    // A file named by its path is looked for there, not in PATH; one that is there but cannot be run is 126.
    const notThere = run(["--port", String(app.port), "--", "./no-such-script.sh"]);
    expect(await notThere.exited).toBe(127);
    expect(notThere.stderr().trim()).toBe("error: command not found: ./no-such-script.sh");
    // Nor for one that cannot be run: a folder, a script without its execute bit (126, as a shell says).
    const folder = tempDir();
    try {
      const script = join(folder.path, "script.sh");
      writeFileSync(script, "#!/bin/sh\necho ran\n");
      chmodSync(script, 0o644);
      const notExecutable = run(["--port", String(port), "--", script]);
      expect(await notExecutable.exited).toBe(126);
      const folderRun = run(["--port", String(port), "--", folder.path]);
      expect(await folderRun.exited).toBe(126);
      for (const [failed, pid] of [notExecutable, folderRun].map(
        (r) => [r, Number(/kill (\d+)/.exec(r.stderr())?.[1])] as const,
      )) {
        if (Number.isInteger(pid) && pid > 0) startedPids.push(pid);
        expect(failed.stdout()).toBe("");
      }
      expect(notExecutable.stderr().trim()).toBe(
        `error: cannot run ${script}: ${script} is not executable (chmod +x ${script}, or run it with its interpreter: /bin/sh ${script})`,
      );
      expect(folderRun.stderr().trim()).toBe(`error: cannot run ${folder.path}: it is a directory`);
      // The interpreter an env line names, past env's own flags.
      const python = join(folder.path, "app.py");
      writeFileSync(python, "#!/usr/bin/env -S python3 -u\nprint('ran')\n");
      chmodSync(python, 0o644);
      const pythonRun = run(["--port", String(port), "--", python]);
      expect(await pythonRun.exited).toBe(126);
      expect(pythonRun.stderr().trim()).toBe(
        `error: cannot run ${python}: ${python} is not executable (chmod +x ${python}, or run it with its interpreter: python3 ${python})`,
      );
      await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
    } finally {
      folder.remove();
    }
  });

  it("says in one line what is wrong: no command, nothing at --url, a command that does not exist", async () => {
    const none = run(["--port", String(app.port)]);
    expect(await none.exited).toBe(2);
    const far = run(["--url", "http://127.0.0.1:9", "--", process.execPath, "-e", ""]);
    expect(await far.exited).toBe(1);
    expect(far.stderr().trim()).toMatch(/^error: no tracekit-local answers at http:\/\/127\.0\.0\.1:9\b/);
    const missing = run(["--port", String(app.port), "--", "no-such-command-here"]);
    expect(await missing.exited).toBe(127);
    expect(missing.stderr().trim()).toBe("error: command not found: no-such-command-here");
  });
});
