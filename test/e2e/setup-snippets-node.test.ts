/**
 * The onboarding page's OpenTelemetry Node set-ups, run as shown: the install step's packages, the
 * start command's variables and flags, against a real tracekit-local, with a tiny HTTP app. A preloaded
 * observer (in NODE_OPTIONS, so the command stays as copied) records every TCP connection the app
 * opens: only this server and the app itself may appear.
 *
 * The packages come from this repository's node_modules, or from SNIPPET_NODE_MODULES (a node_modules
 * directory where they are installed). Without them the test is skipped with a warning, and fails in CI
 * once package.json lists them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SetupSnippet, setupSnippets } from "../../web/src/features/onboarding/setup-snippets.js";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const modules = process.env.SNIPPET_NODE_MODULES ?? join(repoRoot, "node_modules");

/** A copied shell command, split as the shell would: `NAME=value` words first, then the program and its arguments. */
function parseCommand(code: string): { env: Record<string, string>; argv: string[] } {
  // Plain words only, so splitting on whitespace is exactly what a shell does with it.
  expect(code).not.toMatch(/["'`$;&|<>]/);
  const words = code.replace(/\\\n/g, " ").trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(words[0]!)) {
    const word = words.shift()!;
    env[word.slice(0, word.indexOf("="))] = word.slice(word.indexOf("=") + 1);
  }
  return { env, argv: words };
}

/** The package a module specifier belongs to ("@scope/name/sub/path" → "@scope/name"). */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function stepCode(snippet: SetupSnippet, label: RegExp): string {
  const step = snippet.steps.find((s) => label.test(s.label));
  if (!step) throw new Error(`${snippet.id}: no step matching ${label}`);
  return step.code;
}

/** Every package the two Node set-ups need: the ones they install and the ones their flags load. */
function neededPackages(snippets: SetupSnippet[]): string[] {
  const needed = new Set<string>();
  for (const snippet of snippets) {
    const install = parseCommand(stepCode(snippet, /^Install/));
    expect(install.argv.slice(0, 2)).toEqual(["npm", "install"]);
    for (const name of install.argv.slice(2)) needed.add(name);
    const { argv } = parseCommand(stepCode(snippet, /^Start/));
    argv.forEach((word, i) => {
      if (word.startsWith("--experimental-loader=")) needed.add(packageOf(word.slice(word.indexOf("=") + 1)));
      if (word === "--require" || word === "--import") needed.add(packageOf(argv[i + 1]!));
    });
  }
  return [...needed];
}

const nodeSnippets = setupSnippets("http://localhost:9999").filter((s) => s.id.startsWith("otel-node-"));
const missing = neededPackages(nodeSnippets).filter((name) => !existsSync(join(modules, name, "package.json")));
if (missing.length > 0) {
  const declared = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).devDependencies ?? {};
  if (process.env.CI && missing.every((name) => name in declared)) {
    throw new Error(`the onboarding's OpenTelemetry Node set-ups need ${missing.join(", ")} installed`);
  }
  console.warn(
    `\n*** SKIPPING the OpenTelemetry Node set-up runs: ${missing.join(", ")} not found in ${modules}. ` +
      "Install them there, or point SNIPPET_NODE_MODULES at a node_modules that has them. ***\n",
  );
}

/** Records the target of every TCP connection the process opens, one JSON line each. */
const OBSERVER = `
const net = require("node:net");
const fs = require("node:fs");
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const target = typeof first === "object" && first !== null ? first : { port: first, host: args[1] };
  if (!target.path) {
    fs.appendFileSync(process.env.CONNECTION_LOG, JSON.stringify({ host: target.host, port: Number(target.port) }) + "\\n");
  }
  return connect.apply(this, args);
};
`;

/** A small app: GET /checkout calls GET /inventory on itself, so a trace has SERVER and CLIENT spans. */
function appSource(variant: "commonjs" | "module"): string {
  const load = variant === "module" ? 'import http from "node:http";' : 'const http = require("node:http");';
  return `${load}
const server = http.createServer((req, res) => {
  if (req.url.startsWith("/inventory")) return res.end("3 in stock");
  http.get("http://127.0.0.1:" + server.address().port + "/inventory?sku=42", (inner) => {
    inner.resume();
    inner.on("end", () => res.end("ordered"));
  });
});
server.listen(0, "127.0.0.1", () => console.log("listening " + server.address().port));
`;
}

describe.skipIf(missing.length > 0)("OpenTelemetry Node set-ups from the onboarding page, run as shown", () => {
  let app: TestApp;
  const children: ChildProcess[] = [];
  const dirs: { remove(): void }[] = [];

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    for (const dir of dirs) dir.remove();
    await app?.close();
  });
  beforeEach(async () => {
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
  });

  it.each([
    { id: "otel-node-cjs", variant: "commonjs" as const },
    { id: "otel-node-esm", variant: "module" as const },
  ])("$id: the trace arrives within a second or two, and the app reaches nothing else", async ({ id, variant }) => {
    // The address the page shows when opened from the URL tracekit-local prints.
    const origin = `http://localhost:${app.port}`;
    const snippet = setupSnippets(origin).find((s) => s.id === id)!;
    const { env, argv } = parseCommand(stepCode(snippet, /^Start/));
    expect(argv[0]).toBe("node");
    expect(argv.at(-1)).toBe("app.js");
    expect(env).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: origin,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_NODE_RESOURCE_DETECTORS: "env,host,os,process",
    });

    const dir = tempDir();
    dirs.push(dir);
    symlinkSync(modules, join(dir.path, "node_modules"), "dir");
    writeFileSync(join(dir.path, "package.json"), JSON.stringify({ type: variant }));
    writeFileSync(join(dir.path, "app.js"), appSource(variant));
    writeFileSync(join(dir.path, "observer.cjs"), OBSERVER);
    const connectionLog = join(dir.path, "connections.log");
    writeFileSync(connectionLog, "");

    const child = spawn(process.execPath, argv.slice(1), {
      cwd: dir.path,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir.path,
        ...env,
        NODE_OPTIONS: `--require ${join(dir.path, "observer.cjs")}`,
        CONNECTION_LOG: connectionLog,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    await expect.poll(() => /listening (\d+)/.exec(output)?.[1], { timeout: 20_000 }).toBeDefined();
    const appPort = Number(/listening (\d+)/.exec(output)![1]);

    expect(await (await fetch(`http://127.0.0.1:${appPort}/checkout?cart=7`)).text()).toBe("ordered");
    const requested = Date.now();
    // OTEL_BSP_SCHEDULE_DELAY=500: well under the default 5 s batch delay.
    await expect
      .poll(async () => (await readJson(fetch(`${app.base}/api/traces?service=my-app`))).traces.length, {
        timeout: 3_000,
        interval: 100,
      })
      .toBeGreaterThan(0);
    expect(Date.now() - requested).toBeLessThan(3_000);

    // The whole trace: the incoming request, the call it made, and that call's own SERVER span.
    let spans: any[] = [];
    await expect
      .poll(
        async () => {
          const [summary] = (await readJson(fetch(`${app.base}/api/traces?service=my-app`))).traces;
          spans = (await readJson(fetch(`${app.base}/api/traces/${summary.traceId}`))).spans;
          return spans.length;
        },
        { timeout: 3_000 },
      )
      .toBe(3);
    const root = spans.find((s) => s.parentSpanId === null);
    expect(root).toMatchObject({ name: "GET", kind: "SERVER", service: "my-app" });
    expect(spans.filter((s) => s.kind === "CLIENT")).toHaveLength(1);
    expect(root.resource).toMatchObject({ "service.name": "my-app" });
    for (const key of Object.keys(root.resource)) expect(key).not.toMatch(/^(cloud|faas|k8s)\./);

    // SIGKILL: the SDK's register entry point catches SIGTERM (to flush) without exiting, and the app has
    // no handler of its own. The log is written synchronously, so nothing is lost.
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    const connections = readFileSync(connectionLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { host: string; port: number });
    expect(connections.length).toBeGreaterThan(0);
    for (const { host, port } of connections) {
      expect(["localhost", "127.0.0.1", "::1"]).toContain(host);
      expect([app.port, appPort]).toContain(port);
    }
  });
});
