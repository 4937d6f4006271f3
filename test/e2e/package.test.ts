import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import module, { builtinModules } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { exportClient } from "../../bench/grpc-client.mjs";
import { OTLP_GRPC_SERVICES } from "../../src/otlp/grpc-services.js";
import { tempDir } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { loadOtlpRoot, PKG } from "../otlp/helpers.js";
import { protoRequest, TRACE } from "../otlp/sample-request.js";

// The package as npm publishes it (`files` in package.json), run from a folder of its own: the
// bundle must find the web app, package.json and the bin without the rest of the build beside it,
// and its node_modules holds only what a user's install gets: `dependencies` and `optionalDependencies`.
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
// Node 22.1 and later have a compile cache of their own: no build there writes the bundle's code cache.
const NODE_20 = typeof (module as { enableCompileCache?: unknown }).enableCompileCache !== "function";
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};
const RUNTIME_PACKAGES = [
  ...Object.keys(manifest.dependencies ?? {}),
  ...Object.keys(manifest.optionalDependencies ?? {}),
];
const dir = tempDir();
let server: ChildProcess | null = null;
afterAll(() => {
  server?.kill("SIGKILL");
  dir.remove();
});

let packedRoot: string | null = null;
let packedFiles: string[] = [];
let unpackedSize = 0;

function packed(): string {
  if (packedRoot !== null) return packedRoot;
  // The build is already there (the tests run on it); packing must not run it again.
  const [{ filename, files, unpackedSize: size }] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir.path], {
      cwd: ROOT,
      encoding: "utf8",
    }),
  ) as [{ filename: string; files: { path: string }[]; unpackedSize: number }];
  packedFiles = files.map((file) => file.path);
  unpackedSize = size;
  execFileSync("tar", ["-xzf", join(dir.path, filename), "-C", dir.path]);
  const root = join(dir.path, "package");
  // Each declared package links to the development install, whose own dependencies resolve from there.
  for (const name of RUNTIME_PACKAGES) {
    const installed = join(ROOT, "node_modules", name);
    if (!existsSync(installed)) continue; // an optional dependency that did not install
    mkdirSync(dirname(join(root, "node_modules", name)), { recursive: true });
    symlinkSync(installed, join(root, "node_modules", name), "dir");
  }
  packedRoot = root;
  return root;
}

/**
 * The packages the bundled code imports (`import ... from "x"`, `import("x")`, a chunk's own
 * `let x = require("x")`, not the optional ones of packages inside it), without Node's own modules.
 */
function importedPackages(root: string): Set<string> {
  const names = new Set<string>();
  for (const folder of ["dist/bundle", "dist/forward-worker"]) {
    for (const file of readdirSync(join(root, folder)).filter((name) => /\.c?js$/.test(name))) {
      const code = readFileSync(join(root, folder, file), "utf8");
      for (const match of code.matchAll(
        /(?:^import\s[^;]*?\sfrom\s*|\bimport\(|^let\s+\w+\s*=\s*require\()"([^"./][^"]*)"/gm,
      )) {
        const specifier = match[1] as string;
        if (specifier.startsWith("node:") || builtinModules.includes(specifier)) continue;
        const parts = specifier.split("/");
        names.add(specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] as string));
      }
    }
  }
  return names;
}

function run(root: string, args: string[]): string {
  return execFileSync(process.execPath, [join(root, "bin", "tracekit-local.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, TRACEKIT_NO_BROWSER: "1" },
  });
}

describe("the published package", { timeout: 120_000 }, () => {
  it("holds the bin, the bundle, the forwarding thread, the web app and the README, and nothing else", () => {
    const root = packed();
    expect(readdirSync(join(root, "dist")).sort()).toEqual(["bundle", "forward-worker", "web"]);
    for (const file of [
      "bin/tracekit-local.js",
      "bin/bundle-loader.js",
      // package.json's postinstall: it prunes better-sqlite3's build (see the size test below).
      "bin/postinstall.js",
      "dist/bundle/cli.cjs",
      // Written by a build on Node 20 (the one Node that uses it), from which the package is published.
      ...(NODE_20 ? ["dist/bundle/cli.cjs.cache"] : []),
      "dist/forward-worker/forward-worker.js",
      "dist/web/index.html",
      "dist/web/.vite/manifest.json",
      "README.md",
      "package.json",
    ]) {
      expect(packedFiles).toContain(file);
    }
    // Every asset the page loads is in the package.
    const index = readFileSync(join(root, "dist/web/index.html"), "utf8");
    for (const [, path] of index.matchAll(/(?:src|href)="\/([^"]+)"/g))
      expect(packedFiles).toContain(`dist/web/${path}`);
    expect(packedFiles.filter((file) => /\.map$|^(src|test|bench|web\/src)\//.test(file))).toEqual([]);
  });

  it("stays under 5 MB unpacked, so a global install stays under 30 MB", () => {
    packed();
    // A global install is this package, better-sqlite3 and open with what they depend on: ~20 MB in
    // all, 4.5 MB of it this package (the bundle 3.1 MB, its code cache 0.5 MB, the README and the web
    // app). Built from source, better-sqlite3 also leaves ~19 MB of node-gyp's intermediate files (a
    // copy of sqlite3.c, object files) in its folder, which bin/postinstall.js removes.
    expect(unpackedSize).toBeGreaterThan(0);
    expect(unpackedSize).toBeLessThan(5_000_000);
  });

  it("declares as dependencies exactly the packages its bundle imports, so an install has what it runs", () => {
    const root = packed();
    expect([...importedPackages(root)].sort()).toEqual([...RUNTIME_PACKAGES].sort());
  });

  it("keeps @grpc/proto-loader and protobufjs (an install script npm 11 warns about) out of what users install", () => {
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean; optional?: boolean; hasInstallScript?: boolean }>;
    };
    const installed = Object.entries(lock.packages).filter(([path, entry]) => path !== "" && entry.dev !== true);
    expect(installed.filter(([, entry]) => entry.hasInstallScript).map(([path]) => path)).toEqual([
      "node_modules/better-sqlite3",
    ]);
    expect(installed.map(([path]) => path).filter((path) => /@grpc|protobufjs/.test(path))).toEqual([]);
  });

  it("serves the UI, OTLP/gRPC, MCP and demo traffic with only its declared dependencies installed", async () => {
    const root = packed();
    const version = run(root, ["--version"]).trim();
    expect(version).toBe((JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version);

    const child = spawn(
      process.execPath,
      [join(root, "bin", "tracekit-local.js"), "--port", "0", "--otlp-grpc-port", "0", "--no-open"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    server = child;
    const [port, grpcPort] = await new Promise<[number, number]>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const ui = /UI:\s+http:\/\/localhost:(\d+)/.exec(out);
        const grpc = /gRPC:\s+http:\/\/localhost:(\d+)/.exec(out);
        if (ui && grpc) resolve([Number(ui[1]), Number(grpc[1])]);
      });
      child.on("exit", () => reject(new Error(`exited before printing its URLs: ${out}`)));
    });
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>");
    const health = await readJson(fetch(`http://127.0.0.1:${port}/api/health`));
    expect(health).toMatchObject({ status: "ok", version });

    // The MCP server (zod and the MCP SDK) and the demo (the OpenTelemetry SDK) are parts of the bundle.
    const tools = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(tools.status).toBe(200);
    expect(await tools.text()).toContain("list_traces");
    expect(run(root, ["demo", "--port", String(port), "--duration", "1", "--rate", "5"])).toMatch(/sent \d+ traces? /);
    const traces = await readJson(fetch(`http://127.0.0.1:${port}/api/traces`));
    expect(traces.traces.length).toBeGreaterThan(0);

    // The OTLP/gRPC receiver is @grpc/grpc-js bundled without @grpc/proto-loader.
    const client = exportClient(grpcPort, OTLP_GRPC_SERVICES.traces);
    try {
      const request = loadOtlpRoot().lookupType(`${PKG}.ExportTraceServiceRequest`);
      const body = request.encode(request.fromObject(protoRequest())).finish();
      expect((await client.send(body)).error).toBeNull();
    } finally {
      client.close();
    }
    expect((await fetch(`http://127.0.0.1:${port}/api/traces/${TRACE}`)).status).toBe(200);

    child.kill("SIGTERM");
    expect(await new Promise((resolve) => child.on("exit", resolve))).toBe(0);
  });
});
