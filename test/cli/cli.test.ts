import { chmodSync, existsSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Socket } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { status as grpcStatus } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { exportClient } from "../../bench/grpc-client.mjs";
import { OTLP_GRPC_SERVICES } from "../../src/otlp/grpc-services.js";
import { tempDir } from "../helpers/app.js";
import { freePort, useCliRuns, waitForUrl } from "../helpers/cli.js";
import { readJson } from "../helpers/http.js";
import { jsonLogRequest, jsonTraceRequest, newTraceId, postJson, postLogs } from "../helpers/payloads.js";

const start = useCliRuns();

// Each case spawns Node processes; allow for a slow machine.
describe("tracekit-local CLI", { timeout: 120_000 }, () => {
  it("--port 0 prints the real URL and OTLP endpoint, serves health, stops cleanly on SIGTERM", async () => {
    const run = start(["--port", "0", "--no-open"]);
    const { url, port } = await waitForUrl(run);
    expect(port).toBeGreaterThan(0);
    expect(url).toBe(`http://localhost:${port}`);
    expect(run.stdout()).toContain(`OTLP:    http://localhost:${port}`);
    expect(run.stdout()).toContain("/v1/traces, /v1/logs, /v1/metrics");
    expect(run.stdout()).toContain("350,000 spans, 200,000 log records and 2,000 metric series");
    const health = await readJson(fetch(`http://127.0.0.1:${port}/api/health`));
    expect(health).toMatchObject({ status: "ok", name: "tracekit-local" });
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("--host 0.0.0.0 lists this machine's network URLs and warns that anyone on the network can read the data", async () => {
    const run = start(["--port", "0", "--host", "0.0.0.0", "--no-open"]);
    const { port } = await waitForUrl(run);
    const lan = Object.values(networkInterfaces())
      .flatMap((entries) => entries ?? [])
      .filter((entry) => entry.family === "IPv4" && !entry.internal)
      .map((entry) => `  LAN:     http://${entry.address}:${port}`);
    const banner = run.stdout().split("\n");
    const ui = banner.indexOf(`  UI:      http://localhost:${port}`);
    expect(banner.slice(ui + 1, ui + 2 + lan.length)).toEqual([
      ...lan,
      `  Warning: listening on 0.0.0.0: anyone on the network who can reach port ${port} can read and delete the data here`,
    ]);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    // The default, loopback, has neither.
    const local = start(["--port", "0", "--no-open"]);
    await waitForUrl(local);
    expect(local.stdout()).not.toMatch(/LAN:|Warning/);
  });

  it("--host ::1 prints URLs on [::1], which answer (localhost may name 127.0.0.1 alone)", async () => {
    const ipv6 = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(0, "::1", () => probe.close(() => resolve(true)));
    });
    if (!ipv6) return; // a machine without IPv6 loopback cannot listen there at all
    const run = start(["--port", "0", "--host", "::1", "--no-open"]);
    const { url, port } = await waitForUrl(run);
    expect(url).toBe(`http://[::1]:${port}`);
    expect(run.stdout()).toContain(`OTLP:    http://[::1]:${port}`);
    expect(await readJson(fetch(`${url}/api/health`))).toMatchObject({ status: "ok" });
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("keeps serving when its stdout pipe closes (`tracekit-local | head`), and still stops cleanly", async () => {
    const run = start(["--port", "0", "--no-open"]);
    const { port } = await waitForUrl(run);
    run.child.stdout?.destroy();
    // A new service makes the server print a line, now into a closed pipe.
    for (const service of ["after-pipe-closed-1", "after-pipe-closed-2"]) {
      const posted = await postJson(`http://127.0.0.1:${port}`, jsonTraceRequest(service, [{ traceId: newTraceId() }]));
      expect(posted.status).toBe(200);
    }
    const health = await readJson(fetch(`http://127.0.0.1:${port}/api/health`));
    expect(health).toMatchObject({ status: "ok" });
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.stderr()).not.toMatch(/EPIPE|Unhandled/);
  });

  it("`start` is the same command, and TRACEKIT_LOCAL_PORT picks the port", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const run = start(["start", "--no-open"], { TRACEKIT_LOCAL_PORT: String(port) });
    expect((await waitForUrl(run)).port).toBe(port);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
  });

  it("says so and exits 0 when a tracekit-local already runs on the port", async () => {
    const first = start(["--port", "0", "--no-open"]);
    const { port } = await waitForUrl(first);
    const second = start(["--port", String(port), "--no-open"]);
    expect(await second.exited).toBe(0);
    expect(second.stdout()).toMatch(new RegExp(`already running at http://localhost:${port}`));
  });

  it("the same --db command run twice says at once that it is already running, and exits 0", async () => {
    const dir = tempDir();
    try {
      const db = join(dir.path, "twice.db");
      const port = await freePort();
      const first = start(["--port", String(port), "--no-open", "--db", db]);
      await waitForUrl(first);
      const began = Date.now();
      const second = start(["--port", String(port), "--no-open", "--db", db]);
      expect(await second.exited, second.stderr()).toBe(0);
      // It did not wait for the file the first one holds (5 s).
      expect(Date.now() - began).toBeLessThan(4_000);
      expect(second.stdout().trim().split("\n")).toEqual([
        expect.stringMatching(new RegExp(`already running at http://localhost:${port}$`)),
      ]);
      expect(second.stderr()).toBe("");
    } finally {
      dir.remove();
    }
  });

  it("a second start with other store settings says they were not applied, and creates no file", async () => {
    const dir = tempDir();
    try {
      const db = join(dir.path, "running.db");
      const wanted = join(dir.path, "want.db");
      const port = await freePort();
      const first = start(["--port", String(port), "--no-open", "--db", db]);
      await waitForUrl(first);
      const second = start(["--port", String(port), "--no-open", "--db", wanted, "--max-spans", "5"]);
      expect(await second.exited, second.stderr()).toBe(0);
      expect(second.stdout().trim().split("\n")).toEqual([
        expect.stringContaining(`already running at http://localhost:${port}`),
        `  it keeps data in the SQLite file ${db} (up to 350,000 spans); --db ${wanted}, --max-spans 5 were not applied: stop it first to start with them`,
      ]);
      expect(existsSync(wanted)).toBe(false);
      const memory = start(["--port", "0", "--no-open", "--forward", "http://127.0.0.1:9/a"]);
      const other = (await waitForUrl(memory)).port;
      const third = start(["--port", String(other), "--no-open", "--db", wanted]);
      expect(await third.exited).toBe(0);
      expect(third.stdout()).toContain(
        `  it keeps data in memory (up to 350,000 spans); --db ${wanted} was not applied: stop it first to start with it`,
      );
      expect(existsSync(wanted)).toBe(false);
      // A --forward target it does not forward to is not applied either (the one it does is).
      const forward = ["--forward", "http://127.0.0.1:9/a/", "--forward", "https://collector.example.com:4318"];
      const fourth = start(["--port", String(other), "--no-open", ...forward, "--forward-header", "x-api-key=k"]);
      expect(await fourth.exited).toBe(0);
      expect(fourth.stdout()).toContain(
        "  it keeps data in memory (up to 350,000 spans); --forward https://collector.example.com:4318 was not applied: stop it first to start with it",
      );
    } finally {
      dir.remove();
    }
  });

  it("says which running tracekit-local holds an extra OTLP port", async () => {
    const port = await freePort();
    const grpcPort = await freePort();
    const args = ["--no-open", "--otlp-grpc-port", String(grpcPort)];
    const first = start(["--port", String(port), ...args]);
    await waitForUrl(first);
    expect(first.stdout()).toContain(
      `  gRPC:    http://localhost:${grpcPort}  (OTLP/gRPC: traces, logs and metrics; gzip or deflate)`,
    );
    // The same command again is a start on a running instance's port.
    const again = start(["--port", String(port), ...args]);
    expect(await again.exited).toBe(0);
    expect(again.stdout()).toContain(`already running at http://localhost:${port}`);
    expect(again.stdout()).not.toContain("not applied");
    // On another port: the extra one is the running instance's (found on TRACEKIT_LOCAL_PORT's port).
    const other = start(["--port", "0", ...args], { TRACEKIT_LOCAL_PORT: String(port) });
    expect(await other.exited).toBe(1);
    expect(other.stderr().trim().split("\n")).toEqual([
      `error: port ${grpcPort} (--otlp-grpc-port) is held by the tracekit-local running at http://localhost:${port}; stop it first, or choose another port (0 for any free one)`,
    ]);
  });

  it("tells a running tracekit-local's extra OTLP ports apart from another program's, and asking them makes it warn of nothing", async () => {
    const [port, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
    const first = start([
      "--port",
      String(port),
      "--no-open",
      "--otlp-http-port",
      String(httpPort),
      "--otlp-grpc-port",
      String(grpcPort),
    ]);
    await waitForUrl(first);
    const main = `http://localhost:${port}`;
    // Client commands pointed at them: one line naming the UI and API's port.
    for (const [args, extra, what] of [
      [["export", "--port", String(httpPort)], httpPort, "OTLP/HTTP"],
      [["tail", "--port", String(grpcPort)], grpcPort, "OTLP/gRPC"],
      [["run", "--port", String(httpPort), "--", process.execPath, "-e", ""], httpPort, "OTLP/HTTP"],
      [["import", "--url", `http://127.0.0.1:${grpcPort}`, "/dev/null"], grpcPort, "OTLP/gRPC"],
    ] as const) {
      const run = start([...args], { TRACEKIT_NO_BROWSER: "1" });
      expect(await run.exited, args.join(" ")).toBe(1);
      // On the host asked (this machine's: --port names it).
      const at = args[1] === "--url" ? `http://127.0.0.1:${port}` : main;
      expect(run.stderr(), args.join(" ")).toBe(
        `error: port ${extra} is tracekit-local's ${what} port; its UI and API are at ${at}: use --port ${port}\n`,
      );
    }
    // A start with one of them as its own port, or as its extra port.
    for (const [args, line] of [
      [
        ["--port", String(grpcPort)],
        `error: port ${grpcPort} is the OTLP/gRPC port of the tracekit-local running at ${main}; choose another with --port <n> (or --port 0 for any free port)`,
      ],
      [
        ["--port", "0", "--otlp-grpc-port", String(grpcPort)],
        `error: port ${grpcPort} (--otlp-grpc-port) is held by the tracekit-local running at ${main}; stop it first, or choose another port (0 for any free one)`,
      ],
      [
        ["--port", "0", "--otlp-http-port", String(httpPort)],
        `error: port ${httpPort} (--otlp-http-port) is held by the tracekit-local running at ${main}; stop it first, or choose another port (0 for any free one)`,
      ],
      [
        ["--port", "0", "--otlp-grpc-port", String(httpPort)],
        `error: port ${httpPort} (--otlp-grpc-port) is held by the tracekit-local running at ${main}; stop it first, or choose another port (0 for any free one)`,
      ],
    ] as const) {
      const run = start([...args, "--no-open"]);
      expect(await run.exited, args.join(" ")).toBe(1);
      expect(run.stderr().trim(), args.join(" ")).toBe(line);
    }
    // The instance asked took none of it for a misdirected export: nothing told, nothing counted.
    const health = await readJson(fetch(`${main}/api/health`));
    expect(health.counts.rejectedRequests).toBe(0);
    expect(first.stdout()).not.toContain("!");
    expect(first.stderr()).toBe("");
  });

  it("exits 1 with one line when another program holds the port", async () => {
    const other = createServer();
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
    const port = (other.address() as { port: number }).port;
    try {
      const run = start(["--port", String(port), "--no-open"]);
      expect(await run.exited).toBe(1);
      expect(run.stderr().trim().split("\n")).toHaveLength(1);
      expect(run.stderr()).toMatch(/in use/);
    } finally {
      other.close();
    }
  });

  it("--otlp-http-port and --otlp-grpc-port print their endpoints and report their real ports in health", async () => {
    const run = start(["--port", "0", "--otlp-http-port", "0", "--otlp-grpc-port", "0", "--no-open"]);
    const { port } = await waitForUrl(run);
    const httpLine = /^( +)http:\/\/localhost:(\d+) {2}\(the same OTLP\/HTTP receiver\)$/m.exec(run.stdout());
    const grpcLine = /^ {2}gRPC: +http:\/\/localhost:(\d+) {2}\(OTLP\/gRPC/m.exec(run.stdout());
    // The second OTLP/HTTP address sits under the first, in the banner's column of values.
    expect(httpLine, run.stdout()).not.toBeNull();
    expect(grpcLine, run.stdout()).not.toBeNull();
    const uiColumn = /^ {2}UI: +/m.exec(run.stdout())?.[0].length;
    expect(httpLine?.[1]?.length).toBe(uiColumn);
    const health = await readJson(fetch(`http://127.0.0.1:${port}/api/health`));
    expect(health.otlp.extraHttp.port).toBe(Number(httpLine?.[2]));
    expect(health.otlp.grpc.port).toBe(Number(grpcLine?.[1]));
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("answers health only once the extra OTLP ports listen, and the gRPC one then takes an export", async () => {
    const port = await freePort();
    const run = start(["--port", String(port), "--otlp-http-port", "0", "--otlp-grpc-port", "0", "--no-open"]);
    let health: { otlp: { grpc: { port: number } | null; extraHttp: { port: number } | null } } | undefined;
    while (health === undefined) {
      expect(run.child.exitCode, run.stderr()).toBeNull();
      health = await readJson(fetch(`http://127.0.0.1:${port}/api/health`)).catch(() => undefined);
      if (health === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(health.otlp.extraHttp).not.toBeNull();
    expect(health.otlp.grpc).not.toBeNull();
    const client = exportClient(health.otlp.grpc?.port ?? 0, OTLP_GRPC_SERVICES.traces);
    try {
      expect((await client.send(new Uint8Array(0))).error).toBeNull();
    } finally {
      client.close();
    }
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("names the gRPC status a refusal over --otlp-grpc-port was answered with", async () => {
    const run = start(["--port", "0", "--otlp-grpc-port", "0", "--no-open"]);
    await waitForUrl(run);
    const grpcPort = Number(/^ {2}gRPC: +http:\/\/localhost:(\d+)/m.exec(run.stdout())?.[1]);
    const client = exportClient(grpcPort, OTLP_GRPC_SERVICES.traces);
    try {
      // One more resource group (field 1, empty) than a request may hold; a truncated one is malformed.
      const groups = await client.send(Buffer.alloc(2 * 10_001).fill(Buffer.from([0x0a, 0x00])));
      expect(groups.error?.code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
      const truncated = await client.send(Uint8Array.from([0x0a, 0x7f, 0x01]));
      expect(truncated.error?.code).toBe(grpcStatus.INVALID_ARGUMENT);
    } finally {
      client.close();
    }
    const method = `/${OTLP_GRPC_SERVICES.traces}/Export`;
    await expect
      .poll(() => run.stdout())
      .toContain(
        `  ! gRPC ${method} refused (RESOURCE_EXHAUSTED): cannot decode protobuf ExportTraceServiceRequest: the request holds more than 10,000 resource groups`,
      );
    await expect
      .poll(() => run.stdout())
      .toContain(`  ! gRPC ${method} refused (INVALID_ARGUMENT): cannot decode protobuf`);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("prints a line, at most every 10 s, for an OTLP/gRPC exporter on the HTTP port and for an endpoint given with its path", async () => {
    const run = start(["--port", "0", "--no-open"]);
    const { port } = await waitForUrl(run);
    const client = exportClient(port, OTLP_GRPC_SERVICES.traces);
    try {
      for (let i = 0; i < 2; i++)
        expect((await client.send(new Uint8Array(0))).error?.code).toBe(grpcStatus.UNAVAILABLE);
    } finally {
      client.close();
    }
    const grpcLine = `  ! received OTLP/gRPC on the HTTP port ${port}: set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, or start with --otlp-grpc-port 4317`;
    await expect.poll(() => run.stdout()).toContain(grpcLine);
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 3; i++) {
      const doubled = await postJson(`${base}/v1/traces`, jsonTraceRequest("doubled", [{ traceId: newTraceId() }]));
      expect(doubled.status).toBe(404);
    }
    const pathLine = `  ! POST /v1/traces/v1/traces answered 404: the endpoint already ends in /v1/traces; set OTEL_EXPORTER_OTLP_ENDPOINT to http://localhost:${port}`;
    await expect.poll(() => run.stdout()).toContain(pathLine);
    const elsewhere = await fetch(`${base}/otlp/v1/logs`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(elsewhere.status).toBe(404);
    await expect
      .poll(() => run.stdout())
      .toContain(
        `  ! POST /otlp/v1/logs answered 404: OTLP/HTTP is received at /v1/logs, not under /otlp; set OTEL_EXPORTER_OTLP_ENDPOINT to http://localhost:${port}`,
      );
    const lines = run.stdout().split("\n");
    expect(lines.filter((line) => line === grpcLine)).toHaveLength(1);
    expect(lines.filter((line) => line === pathLine)).toHaveLength(1);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("prints a line, at most every 10 s, for an OTLP/HTTP exporter on the gRPC port", async () => {
    const run = start(["--port", "0", "--otlp-grpc-port", "0", "--no-open"]);
    const { port } = await waitForUrl(run);
    const grpcPort = Number(/^ {2}gRPC: +http:\/\/localhost:(\d+)/m.exec(run.stdout())?.[1]);
    for (let i = 0; i < 3; i++) {
      const sent = await fetch(`http://127.0.0.1:${grpcPort}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body: new Uint8Array(0),
      });
      expect(sent.status).toBe(400);
    }
    const line = `  ! received OTLP/HTTP (POST /v1/traces) on the gRPC port ${grpcPort}: send it to the HTTP port ${port}, or set OTEL_EXPORTER_OTLP_PROTOCOL=grpc`;
    await expect.poll(() => run.stdout()).toContain(line);
    // The gRPC exporters on the same port are served as before.
    const client = exportClient(grpcPort, OTLP_GRPC_SERVICES.traces);
    try {
      expect((await client.send(new Uint8Array(0))).error).toBeNull();
    } finally {
      client.close();
    }
    const health = await readJson(fetch(`http://127.0.0.1:${port}/api/health`));
    expect(health.counts.rejectedRequests).toBe(3);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(
      run
        .stdout()
        .split("\n")
        .filter((l) => l.startsWith("  ! ")),
    ).toEqual([line]);
  });

  it("exits 1 with one line naming the flag when another program holds an extra OTLP port", async () => {
    const other = createServer();
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
    const taken = (other.address() as { port: number }).port;
    try {
      for (const flag of ["--otlp-http-port", "--otlp-grpc-port"]) {
        const run = start(["--port", "0", flag, String(taken), "--no-open"]);
        expect(await run.exited, flag).toBe(1);
        expect(run.stderr().trim().split("\n"), run.stderr()).toHaveLength(1);
        // Who holds it is not known (an older tracekit-local's port does not say): not claimed to be another program.
        expect(run.stderr().trim()).toBe(
          `error: port ${taken} (${flag}) is in use; choose another, or 0 for any free port`,
        );
        expect(run.stdout()).not.toContain("is running");
      }
    } finally {
      other.close();
    }
  });

  it("exits 2 with one line for a bad flag or value", async () => {
    for (const args of [
      ["--bogus"],
      ["--port", "abc"],
      ["--port", "70000"],
      ["--max-spans", "-5"],
      ["--max-spans", "lots"],
      ["--max-logs", "0"],
      ["--max-logs", "many"],
      ["--max-metric-series", "0"],
      ["--max-metric-series", "many"],
      ["--otlp-grpc-port", "abc"],
      ["--otlp-http-port", "70000"],
      ["--otlp-http-port", "-1"],
      ["--port", "4000", "--otlp-grpc-port", "4000"],
      ["--otlp-http-port", "4318", "--otlp-grpc-port", "4318"],
    ]) {
      const run = start([...args, "--no-open"]);
      expect(await run.exited, args.join(" ")).toBe(2);
      const lines = run.stderr().trim().split("\n");
      expect(lines, args.join(" ")).toHaveLength(1);
      expect(lines[0]).toMatch(/error/i);
    }
  });

  it("a bad value's reason is a sentence of its own after commander's, in every command", async () => {
    for (const [args, line] of [
      [
        ["--port", "abc", "--no-open"],
        `error: option '-p, --port <n>' argument 'abc' is invalid. Must be a port number from 0 to 65535, not "abc".`,
      ],
      [
        ["--max-spans", "lots", "--no-open"],
        `error: option '--max-spans <n>' argument 'lots' is invalid. Must be a whole number of spans >= 1, not "lots".`,
      ],
      [
        ["--forward", "ftp://x", "--no-open"],
        `error: option '--forward <url>' argument 'ftp://x' is invalid. Needs an http:// or https:// URL such as http://collector:4318, not "ftp://x".`,
      ],
      [
        ["mcp", "--port", "abc"],
        `error: option '-p, --port <n>' argument 'abc' is invalid. Must be a port number from 0 to 65535, not "abc".`,
      ],
      [["tail", "--port", "0"], "error: option '-p, --port <n>' argument '0' is invalid. 0 names no running instance."],
      [
        ["export", "--since", "5x"],
        "error: option '--since <duration>' argument '5x' is invalid. Use a duration such as 30s, 10m, 2h or 7d.",
      ],
      [
        ["run", "--service", " ", "--", "node", "-e", "0"],
        "error: option '--service <name>' argument ' ' is invalid. Use a service name that is not empty, such as --service api.",
      ],
    ] as const) {
      const run = start([...args]);
      expect(await run.exited, args.join(" ")).toBe(2);
      expect(run.stderr(), args.join(" ")).toBe(`${line}\n`);
    }
    // A default that is a list reads as it is typed, not as JSON.
    const help = start(["export", "--help"]);
    expect(await help.exited).toBe(0);
    expect(help.stdout().replace(/\s+/g, " ")).toContain("(default: traces,logs)");
  });

  it("a file flag followed by another flag instead of its file is a bad flag, and no file is made", async () => {
    for (const [args, flag, value] of [
      [["--port", "0", "--db", "--no-open"], "--db <file>", "--no-open"],
      [["export", "-o", "--errors"], "-o, --output <file>", "--errors"],
      [["import", "--db", "--max-spans", "x.jsonl"], "--db <file>", "--max-spans"],
    ] as const) {
      const run = start([...args], { TRACEKIT_NO_BROWSER: "1" });
      expect(await run.exited, args.join(" ")).toBe(2);
      expect(run.stderr(), args.join(" ")).toBe(
        `error: option '${flag}' argument '${value}' is invalid. Give a file name here, not a flag (a file so named is ./${value}).\n`,
      );
      expect(existsSync(join(process.cwd(), value)), args.join(" ")).toBe(false);
    }
  });

  it("takes options given before `start` as its own, and refuses them before any other command rather than run without them", async () => {
    const [port, envPort] = [await freePort(), await freePort()];
    const dir = tempDir();
    const db = join(dir.path, "before-start.db");
    const run = start(["--port", String(port), "--max-spans", "5", "--db", db, "start", "--no-open"], {
      TRACEKIT_LOCAL_PORT: String(envPort),
    });
    expect((await waitForUrl(run)).port).toBe(port);
    const health = await readJson(fetch(`http://127.0.0.1:${port}/api/health`));
    expect(health).toMatchObject({ storage: { kind: "sqlite", maxSpans: 5 } });
    expect(existsSync(db)).toBe(true);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    // The command's own flag wins over one before it.
    const both = start(["--port", String(envPort), "start", "--port", String(port), "--no-open"]);
    expect((await waitForUrl(both)).port).toBe(port);
    both.child.kill("SIGTERM");
    expect(await both.exited).toBe(0);
    for (const [args, line] of [
      [
        ["--port", String(port), "demo"],
        `error: --port before 'demo' would not apply to it: put it after the command (tracekit-local demo --port …)`,
      ],
      [
        ["--db", db, "--no-open", "export"],
        `error: --db, --no-open before 'export' would not apply to it: put them after the command (tracekit-local export --db …)`,
      ],
    ] as const) {
      const refused = start([...args]);
      expect(await refused.exited, args.join(" ")).toBe(2);
      expect(refused.stderr(), args.join(" ")).toBe(`${line}\n`);
    }
  });

  it("every command prints the version, and `help [command]` prints a command's help", async () => {
    for (const command of ["start", "demo", "export", "import", "run", "tail", "mcp"]) {
      const run = start([command, "--version"]);
      expect(await run.exited, command).toBe(0);
      expect(run.stdout(), command).toMatch(/^\d+\.\d+\.\d+\n$/);
    }
    const help = start(["help", "tail"]);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toMatch(/^Usage: tracekit-local tail \[options\] \[view\]\n/);
    const all = start(["help"]);
    expect(await all.exited).toBe(0);
    expect(all.stdout()).toContain("help [command]");
  });

  it("a mistyped command or flag is one line with a suggestion, and exit 2", async () => {
    for (const [args, line] of [
      [["exprot"], "error: unknown command 'exprot' (did you mean export?)"],
      [["--prot", "9973"], "error: unknown option '--prot' (did you mean --port?)"],
      [["start", "--prto", "9973"], "error: unknown option '--prto' (did you mean --port?)"],
      [["demo", "--prot", "9973"], "error: unknown option '--prot' (did you mean --port?)"],
      [["nothing-like-it"], "error: unknown command 'nothing-like-it'"],
      [["help", "exprot"], "error: unknown command 'exprot' (did you mean export?)"],
      [["help", "nothing-like-it"], "error: unknown command 'nothing-like-it'"],
    ] as const) {
      const run = start([...args]);
      expect(await run.exited, args.join(" ")).toBe(2);
      expect(run.stderr(), args.join(" ")).toBe(`${line}\n`);
      expect(run.stdout()).toBe("");
    }
  });

  it("refuses --url together with --port in one line and exit 2, in every command that takes both", async () => {
    const line = "error: option '--url <base>' cannot be used with option '-p, --port <n>'\n";
    for (const args of [
      ["import", "--url", "http://127.0.0.1:1", "--port", "2", "a.json"],
      ["export", "--port", "2", "--url", "http://127.0.0.1:1"],
      ["tail", "--url", "http://127.0.0.1:1", "--port", "2"],
      ["mcp", "--url", "http://127.0.0.1:1", "--port", "2"],
      ["demo", "--url", "http://127.0.0.1:1", "--port", "2"],
      ["run", "--url", "http://127.0.0.1:1", "--port", "2", "--", "node", "-e", ""],
    ]) {
      const run = start(args);
      expect(await run.exited, args.join(" ")).toBe(2);
      expect(run.stderr(), args.join(" ")).toBe(line);
      expect(run.stdout(), args.join(" ")).toBe("");
    }
  });

  it("a client command that finds no instance gives the start command for its port", async () => {
    const port = await freePort();
    for (const [args, env] of [
      [["demo", "--port", String(port)], {}],
      [["export", "--port", String(port)], {}],
      [["tail"], { TRACEKIT_LOCAL_PORT: String(port) }],
    ] as const) {
      const run = start([...args], env);
      expect(await run.exited, args.join(" ")).toBe(1);
      expect(run.stderr(), args.join(" ")).toBe(
        `error: no tracekit-local answers at http://localhost:${port}: start it with \`tracekit-local --port ${port}\`, or pass --port / --url\n`,
      );
    }
  });

  it("a client command at a port another program holds says so, rather than to start one there", async () => {
    // One answers HTTP (an app of the user's on the port), one takes connections and never answers.
    // Each is asked once: a program that never answers costs the wait for one answer, not two.
    const asked: string[] = [];
    const web = createHttpServer((request, response) => {
      asked.push(`web ${request.url}`);
      response.writeHead(404).end("not found");
    });
    const held: Socket[] = [];
    const silent = createServer((socket) => {
      held.push(socket);
      socket.on("data", (chunk) => {
        if (chunk.toString().startsWith("GET /api/health ")) asked.push("silent /api/health");
      });
    });
    const ports: number[] = [];
    for (const server of [web, silent]) {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      ports.push((server.address() as { port: number }).port);
    }
    try {
      for (const [args, reason] of [
        [["export", "--port", String(ports[0])], "another program answers there (HTTP 404 to /api/health)"],
        [["tail", "--port", String(ports[0])], "another program answers there (HTTP 404 to /api/health)"],
        [["mcp", "--port", String(ports[1])], "a program holds the port but sent no answer within 2 s"],
      ] as const) {
        const run = start([...args]);
        expect(await run.exited, args.join(" ")).toBe(1);
        expect(run.stderr(), args.join(" ")).toBe(
          `error: no tracekit-local answers at http://localhost:${args[2]}: ${reason}; pass the --port or --url of a running tracekit-local\n`,
        );
      }
      expect(asked).toEqual(["web /api/health", "web /api/health", "silent /api/health"]);
    } finally {
      web.closeAllConnections();
      await new Promise((resolve) => web.close(resolve));
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("a client command takes an HTTP answer at the port as another program's, though it stops listening after", async () => {
    // The answer proves the port held when asked: trying the port again would find it free and advise
    // starting one there. One connection is all it opens.
    let connections = 0;
    const web = createHttpServer((_request, response) => {
      response.writeHead(404).end("not found");
      web.close();
    });
    web.on("connection", () => connections++);
    await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
    const { port } = web.address() as { port: number };
    try {
      const run = start(["export", "--port", String(port)]);
      expect(await run.exited).toBe(1);
      expect(run.stderr()).toBe(
        `error: no tracekit-local answers at http://localhost:${port}: another program answers there (HTTP 404 to /api/health); pass the --port or --url of a running tracekit-local\n`,
      );
      expect(connections).toBe(1);
    } finally {
      web.closeAllConnections();
      if (web.listening) await new Promise((resolve) => web.close(resolve));
    }
  });

  it("--url names an instance by its origin: the browser's address or the OTLP endpoint pasted there finds it", async () => {
    const instance = start(["--port", "0", "--no-open"]);
    const { url } = await waitForUrl(instance);
    for (const pasted of [`${url}/traces?since=1764680000000#top`, `${url}/v1/traces`, `${url}/v1/traces/`]) {
      const exported = start(["export", "--url", pasted]);
      expect(await exported.exited, `${pasted}: ${exported.stderr()}`).toBe(0);
      expect(exported.stderr()).toBe("exported 0 traces and 0 log records\n");
    }
    // The commands that print the instance's address print its origin.
    const run = start(["run", "--url", `${url}/v1/traces`, "--", process.execPath, "-e", ""], {
      TRACEKIT_NO_BROWSER: "1",
    });
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stderr()).toContain(` · ${url}/?q=tracekit.run.id`);
    const demo = start(["demo", "--url", `${url}/traces`, "--duration", "1", "--rate", "1"]);
    expect(await demo.exited, demo.stderr()).toBe(0);
    expect(demo.stdout()).toContain(`sending demo traffic to ${url} for 1 s`);
  });

  it("prints help and version with exit 0", async () => {
    const help = start(["--help"]);
    expect(await help.exited).toBe(0);
    for (const flag of [
      "--port",
      "--host",
      "--no-open",
      "--db",
      "--max-spans",
      "--max-logs",
      "--max-metric-series",
      "--otlp-http-port",
      "--otlp-grpc-port",
      "--version",
    ]) {
      expect(help.stdout()).toContain(flag);
    }
    // Wrapped to the 80 columns of a help that is not printed to a terminal (each command's own text
    // after the options too), and it says what it receives.
    for (const command of [[], ["start"], ["demo"], ["export"], ["import"], ["run"], ["tail"], ["mcp"]]) {
      const args = [...command, "--help"];
      const text = start(args);
      expect(await text.exited).toBe(0);
      const wide = text
        .stdout()
        .split("\n")
        .filter((line) => line.length > 80);
      expect(wide, args.join(" ")).toEqual([]);
    }
    expect(help.stdout().replace(/\s+/g, " ")).toContain(
      "receives traces, logs and metrics over OTLP (HTTP, and gRPC with --otlp-grpc-port)",
    );
    // `start` is the default command, and takes the same flags.
    for (const args of [["--version"], ["start", "--version"], ["start", "-v"]]) {
      const version = start(args);
      expect(await version.exited, args.join(" ")).toBe(0);
      expect(version.stdout().trim()).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  it("exits 0 without a stack when help or version goes to a pipe its reader closed (`--help | head`)", async () => {
    for (const args of [["--help"], ["export", "--help"], ["run", "--help"], ["help", "import"], ["--version"]]) {
      const run = start(args);
      // Closed before anything is read: every write of the text meets a closed pipe.
      run.child.stdout?.destroy();
      expect(await run.exited, args.join(" ")).toBe(0);
      expect(run.stderr(), args.join(" ")).toBe("");
    }
  });

  it("--db keeps data across a restart", async () => {
    const dir = tempDir();
    try {
      const db = join(dir.path, "traces.db");
      const first = start(["--port", "0", "--no-open", "--db", db]);
      const { port } = await waitForUrl(first);
      const traceId = newTraceId();
      expect(
        (await postJson(`http://127.0.0.1:${port}`, jsonTraceRequest("persist", [{ traceId, name: "kept" }]))).status,
      ).toBe(200);
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);

      const second = start(["--port", "0", "--no-open", "--db", db]);
      const again = await waitForUrl(second);
      const body = await readJson(fetch(`http://127.0.0.1:${again.port}/api/traces/${traceId}`));
      expect(body.spans[0].name).toBe("kept");
      expect(second.stdout()).toContain(db);
    } finally {
      dir.remove();
    }
  });

  it("--db keeps the kill switch across a restart, and the start says in one line that it is on", async () => {
    const dir = tempDir();
    try {
      const db = join(dir.path, "kill-switch.db");
      const first = start(["--port", "0", "--no-open", "--db", db]);
      const base = `http://127.0.0.1:${(await waitForUrl(first)).port}`;
      const put = await fetch(`${base}/api/kill-switch`, {
        method: "PUT",
        headers: { "content-type": "application/json", origin: base },
        body: JSON.stringify({ enabled: true }),
      });
      expect(put.status).toBe(200);
      const changedAt = (await readJson(fetch(`${base}/api/breakpoints`))).killSwitchChangedAt as string;
      expect(changedAt).not.toBeNull();
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      expect(first.stdout()).not.toContain("kill switch on since");

      const second = start(["--port", "0", "--no-open", "--db", db]);
      const again = `http://127.0.0.1:${(await waitForUrl(second)).port}`;
      expect(await readJson(fetch(`${again}/api/breakpoints`))).toMatchObject({
        killSwitch: true,
        killSwitchChangedAt: changedAt,
      });
      await expect.poll(() => second.stdout()).toContain("kill switch on since");
      expect(
        second
          .stdout()
          .split("\n")
          .filter((line) => line.includes("kill switch")),
      ).toHaveLength(1);
    } finally {
      dir.remove();
    }
  });

  it("--db with a smaller --max-spans than the file holds says what opening it evicted, and keeps the newest traces that fit", async () => {
    const dir = tempDir();
    try {
      const db = join(dir.path, "shrunk.db");
      const first = start(["--port", "0", "--no-open", "--db", db]);
      const base = `http://127.0.0.1:${(await waitForUrl(first)).port}`;
      // Three traces of 2 spans, then a batch job of 10 spans, the last to arrive.
      const small = [newTraceId(), newTraceId(), newTraceId()];
      for (const traceId of small) {
        expect((await postJson(base, jsonTraceRequest("shop", [{ traceId }, { traceId }]))).status).toBe(200);
      }
      const batch = newTraceId();
      const steps = Array.from({ length: 10 }, () => ({ traceId: batch }));
      expect((await postJson(base, jsonTraceRequest("batch", steps))).status).toBe(200);
      first.child.kill("SIGINT");
      expect(await first.exited).toBe(0);
      expect(first.stdout()).not.toContain("evicted");

      // 5 spans: the batch job cannot fit alone, and of the rest the oldest trace goes.
      const second = start(["--port", "0", "--no-open", "--db", db, "--max-spans", "5"]);
      const again = `http://127.0.0.1:${(await waitForUrl(second)).port}`;
      const line = `  ! ${db}: evicted 2 traces (12 spans) to stay within 5 spans as it opened; pass a larger --max-spans to keep more`;
      await expect.poll(() => second.stdout()).toContain(line);
      const banner = second.stdout().split("\n");
      // Right under the Store line, which says what is left.
      const store = banner.findIndex((text) => text.includes("Store:"));
      expect(banner[store]).toContain("(holds 2 traces, 4 spans)");
      expect(banner[store + 1]).toBe(line);
      const listed = await readJson(fetch(`${again}/api/traces`));
      expect(listed.traces.map((trace: { traceId: string }) => trace.traceId).sort()).toEqual(small.slice(1).sort());
      second.child.kill("SIGINT");
      expect(await second.exited).toBe(0);

      // A file that fits its bound evicts nothing as it opens, and nothing is said.
      const third = start(["--port", "0", "--no-open", "--db", db, "--max-spans", "5"]);
      await waitForUrl(third);
      await expect.poll(() => third.stdout()).toContain("Press Ctrl+C to stop.");
      expect(third.stdout()).toContain("(holds 2 traces, 4 spans)");
      expect(third.stdout()).not.toContain("evicted");
    } finally {
      dir.remove();
    }
  });

  it("--db keeps log records across a restart; a log record prints nothing", async () => {
    const dir = tempDir();
    try {
      const db = join(dir.path, "logs.db");
      const first = start(["--port", "0", "--no-open", "--db", db, "--max-logs", "2"]);
      const { port } = await waitForUrl(first);
      expect(first.stdout()).toContain("2 log records");
      const traceId = newTraceId();
      const base = `http://127.0.0.1:${port}`;
      const printed = first.stdout();
      const sent = jsonLogRequest(
        "persist",
        ["evicted", "kept 1", "kept 2"].map((body) => ({ traceId, body })),
      );
      expect((await postLogs(base, sent)).status).toBe(200);
      const before = await readJson(fetch(`${base}/api/logs?traceId=${traceId}&order=asc`));
      expect(before.logs.map((log: any) => log.body)).toEqual(["kept 1", "kept 2"]);
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      // Only the shutdown lines follow: nothing was printed for the records.
      expect(first.stdout().slice(printed.length).trim().split("\n")).toEqual(["stopping (SIGTERM)…", "stopped"]);

      const second = start(["--port", "0", "--no-open", "--db", db, "--max-logs", "2"]);
      const again = `http://127.0.0.1:${(await waitForUrl(second)).port}`;
      expect(await readJson(fetch(`${again}/api/logs?traceId=${traceId}&order=asc`))).toEqual(before);
      expect((await readJson(fetch(`${again}/api/health`))).counts).toMatchObject({ logs: 2, evictedLogs: 1 });
    } finally {
      dir.remove();
    }
  });

  it("--db started again right after a stop waits for the old instance to let go of the file", async () => {
    const dir = tempDir();
    try {
      const db = join(dir.path, "restart.db");
      const first = start(["--port", "0", "--no-open", "--db", db]);
      await waitForUrl(first);
      // Started while the first still holds the file (as a restart right after Ctrl+C), which stops a moment later.
      const port = await freePort();
      const second = start(["--port", String(port), "--no-open", "--db", db]);
      // From its first answer on, health is never a 200 an SDK's one probe would take for a running
      // instance: it waits until the first try to open the file settles, then says it is held.
      const statuses: number[] = [];
      while (!second.stdout().includes("is held by another process")) {
        const answer = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null);
        if (answer !== null) statuses.push(answer.status);
        await answer?.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(statuses.filter((status) => status !== 503)).toEqual([]);
      // Not running yet, and it does not say it is: no URL, and health is not a 200 a client would take.
      const waiting = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(waiting.status).toBe(503);
      expect((await waiting.json()).error.message).toMatch(/held by another process/);
      expect(second.stdout()).not.toMatch(/is running|UI:|Press Ctrl\+C/);
      // Another command asking that port meanwhile says whose it is and why it waits, not "another program".
      const why = "is not running yet: its --db file is held by another process, which it waits for";
      const client = start(["export", "--port", String(port)]);
      expect(await client.exited).toBe(1);
      expect(client.stderr()).toBe(
        `error: the tracekit-local at http://localhost:${port} ${why}; try again once it has started\n`,
      );
      const again = start(["--port", String(port), "--no-open"]);
      expect(await again.exited).toBe(1);
      expect(again.stderr()).toBe(
        `error: port ${port} is taken: the tracekit-local there ${why}; choose another with --port <n> (or --port 0 for any free port)\n`,
      );
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      expect((await waitForUrl(second)).port).toBe(port);
      expect(await readJson(fetch(`http://127.0.0.1:${port}/api/health`))).toMatchObject({ status: "ok" });
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
      // One that still runs keeps it: the second gives up after its wait, with one line, never having said it
      // runs; the holder is named when it is on the port a start would take (TRACEKIT_LOCAL_PORT here).
      const holder = start(["--port", "0", "--no-open", "--db", db]);
      const held = await waitForUrl(holder);
      const refused = start(["--port", "0", "--no-open", "--db", db], { TRACEKIT_LOCAL_PORT: String(held.port) });
      expect(await refused.exited).toBe(1);
      expect(refused.stderr()).toBe(
        `error: cannot open SQLite database ${db}: another process is using it: the tracekit-local at http://localhost:${held.port} (open that one, or stop it first)\n`,
      );
      expect(refused.stdout().trim().split("\n")).toEqual([expect.stringMatching(/is held by another process/)]);
      holder.child.kill("SIGTERM");
      expect(await holder.exited).toBe(0);
    } finally {
      dir.remove();
    }
  });

  it("tells of an SDK's new snapshot point and of a capture it refused, in one line each", async () => {
    const run = start(["--port", "0", "--no-open"]);
    const { port } = await waitForUrl(run);
    const base = `http://127.0.0.1:${port}`;
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const location = {
      service_name: "shop-api",
      file_path: "/srv/app.js",
      line_number: 42,
      function_name: "checkout",
      label: "cart",
    };
    const registered = await readJson(post("/sdk/snapshots/auto-register", location));
    await expect
      .poll(() => run.stdout())
      .toContain('  + shop-api: snapshot point "cart" registered; enable it on the Snapshots page');
    expect((await fetch(`${base}/api/breakpoints/${registered.id}`, { method: "DELETE" })).status).toBeLessThan(300);
    const capture = { ...location, breakpoint_id: registered.id, variables: {}, captured_at: new Date() };
    expect((await post("/sdk/snapshots/capture", capture)).status).toBe(404);
    await expect
      .poll(() => run.stdout())
      .toContain(
        `  ! POST /sdk/snapshots/capture answered 404: breakpoint ${registered.id} was deleted; nothing was stored`,
      );
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  // Root may write any file, whatever its mode: there the mapping is tested in test/store/sqlite-open.test.ts.
  it.skipIf(process.getuid?.() === 0)("exits 1 saying a read-only --db file is not writable", async () => {
    const dir = tempDir();
    try {
      const db = join(dir.path, "read-only.db");
      const first = start(["--port", "0", "--no-open", "--db", db]);
      await waitForUrl(first);
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      chmodSync(db, 0o444);
      const run = start(["--port", "0", "--no-open", "--db", db]);
      expect(await run.exited).toBe(1);
      expect(run.stderr()).toBe(`error: cannot open SQLite database ${db}: it is not writable\n`);
    } finally {
      dir.remove();
    }
  });

  it("exits 1 with one line saying so when --db is a directory, here and for import", async () => {
    const dir = tempDir();
    try {
      const said = `error: cannot open SQLite database ${dir.path}: it is a directory; name a file, such as ${join(dir.path, "traces.db")}\n`;
      const run = start(["--port", "0", "--no-open", "--db", dir.path]);
      expect(await run.exited).toBe(1);
      expect(run.stderr()).toBe(said);
      const file = join(dir.path, "spans.jsonl");
      await import("node:fs").then((fs) => fs.writeFileSync(file, ""));
      const imported = start(["import", "--db", dir.path, file]);
      expect(await imported.exited).toBe(1);
      expect(imported.stderr()).toBe(said);
    } finally {
      dir.remove();
    }
  });

  it("exits 1 with one line when --db is not a database", async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, "not-a-db.txt");
      await import("node:fs").then((fs) => fs.writeFileSync(file, "hello, this is not sqlite ".repeat(100)));
      const run = start(["--port", "0", "--no-open", "--db", file]);
      expect(await run.exited).toBe(1);
      expect(run.stderr().trim().split("\n")).toHaveLength(1);
    } finally {
      dir.remove();
    }
  });
});
