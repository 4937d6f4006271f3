/**
 * On Node 20 the bin compiles the chunks a start runs before its URL with V8's code cache, which the
 * build writes beside them (bin/bundle-loader.js, rolldown.code-cache.mjs). V8 checks a cache
 * against its source only by length, and does not checksum it: a cache from another build, or a
 * damaged one, must be left unused (the chunk compiled from its source), never run or crash the start.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import module from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/app.js";
import { BIN } from "../helpers/cli.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
// The caches are written (and used) where Node has no compile cache of its own.
const NODE_20 = typeof (module as { enableCompileCache?: unknown }).enableCompileCache !== "function";

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

/** The built package (bin, bundle, package.json) in a folder of its own; the path of its bin. */
function installedCopy(): { bin: string; bundle: string } {
  const dir = tempDir();
  dirs.push(dir);
  cpSync(join(BIN, ".."), join(dir.path, "bin"), { recursive: true });
  cpSync(join(REPO, "dist", "bundle"), join(dir.path, "dist", "bundle"), { recursive: true });
  cpSync(join(REPO, "package.json"), join(dir.path, "package.json"));
  symlinkSync(join(REPO, "node_modules"), join(dir.path, "node_modules"), "dir");
  return { bin: join(dir.path, "bin", "tracekit-local.js"), bundle: join(dir.path, "dist", "bundle") };
}

/** Starts `bin`, and resolves with its first banner line and /api/health's status once its URL is printed. */
async function start(bin: string): Promise<{ firstLine: string; health: number; stderr: string }> {
  const child = spawn(process.execPath, [bin, "--port", "0", "--no-open"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", () => {
        const match = /UI:\s+http:\/\/[^:]+:(\d+)/.exec(out);
        if (match) resolve(match[1] as string);
      });
      void exited.then(() => reject(new Error(`exited before its URL: ${stderr}`)));
    });
    const health = (await fetch(`http://127.0.0.1:${port}/api/health`)).status;
    return { firstLine: out.split("\n")[0] as string, health, stderr };
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

describe.runIf(NODE_20)("the bundle's code cache", () => {
  it("is written by the build for the chunks a start runs before its URL, and V8 takes each", () => {
    const check = spawnSync(process.execPath, [join(REPO, "rolldown.code-cache.mjs"), "--check"], {
      encoding: "utf8",
    });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
    const cached = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { createBundleLoader } from ${JSON.stringify(join(REPO, "bin", "bundle-loader.js"))};
const loader = createBundleLoader();
loader.entry();
// A start keeps no chunk's source (only the build, which writes the caches from it, does).
console.log(JSON.stringify(loader.loaded().map((chunk) => [chunk.file.split("/").pop(), chunk.cacheTaken, chunk.source])));
process.emitWarning("vm.USE_MAIN_CONTEXT_DEFAULT_LOADER is an experimental feature", "ExperimentalWarning");
process.emitWarning("vm.USE_MAIN_CONTEXT_DEFAULT_LOADER in a warning of another type", "Warning");`,
      ],
      { encoding: "utf8" },
    );
    expect(JSON.parse(cached.stdout)).toContainEqual(["cli.cjs", true, null]);
    // Only the experimental loader's warning is left out.
    expect(cached.stderr).toContain("Warning: vm.USE_MAIN_CONTEXT_DEFAULT_LOADER in a warning of another type");
    expect(cached.stderr).not.toContain("experimental feature");
  });

  it("holds no path of the folder it was built in: a cached chunk's stack names it within the package", () => {
    const bundle = join(REPO, "dist", "bundle");
    const caches = readdirSync(bundle).filter((file) => file.endsWith(".cache"));
    expect(caches).toContain("cli.cjs.cache");
    for (const cache of caches) expect(readFileSync(join(bundle, cache)).includes(join(REPO, "dist"))).toBe(false);

    const copy = installedCopy();
    // A stack through the entry chunk: commander, in it, reads argv.
    const stack = () =>
      spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { createBundleLoader } from ${JSON.stringify(join(copy.bin, "..", "bundle-loader.js"))};
const argv = new Proxy([], { get() { throw new Error("argv read"); } });
await createBundleLoader().entry().main(argv).catch((error) => console.log(error.stack));`,
        ],
        { encoding: "utf8" },
      ).stdout;
    const cached = stack();
    expect(cached).toContain("(@tracekit/local-ui/dist/bundle/cli.cjs:");
    expect(cached).not.toContain(join(REPO, "dist"));
    // Compiled from source, the chunk is named by its path.
    rmSync(join(copy.bundle, "cli.cjs.cache"));
    expect(stack()).toContain(`(${join(copy.bundle, "cli.cjs")}:`);
  });

  it("is written for a plain start when the build runs with NODE_OPTIONS that change V8's flags", () => {
    const dir = tempDir();
    dirs.push(dir);
    for (const file of ["bin", "dist", "package.json", "rolldown.config.mjs", "rolldown.code-cache.mjs"]) {
      cpSync(join(REPO, file), join(dir.path, file), { recursive: true });
    }
    rmSync(join(dir.path, "dist", "bundle"), { recursive: true });
    symlinkSync(join(REPO, "node_modules"), join(dir.path, "node_modules"), "dir");
    const build = spawnSync(
      process.execPath,
      [join(REPO, "node_modules", "rolldown", "bin", "cli.mjs"), "-c", "rolldown.config.mjs"],
      { cwd: dir.path, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=4096" } },
    );
    expect(build.stderr).not.toContain("did not take");
    expect(build.status).toBe(0);
    const { NODE_OPTIONS: _, ...plain } = process.env;
    const start = spawnSync(
      process.execPath,
      [
        "-e",
        `const loader = require(${JSON.stringify(join(dir.path, "bin", "bundle-loader.js"))}).createBundleLoader();
loader.entry();
console.log(JSON.stringify(loader.loaded().map((chunk) => [chunk.file.split("/").pop(), chunk.cacheTaken])));`,
      ],
      { encoding: "utf8", env: plain },
    );
    expect(JSON.parse(start.stdout)).toContainEqual(["cli.cjs", true]);
  });

  it("leaves what a start imports with import() working: the browser opens", async () => {
    const dir = tempDir();
    dirs.push(dir);
    // xdg-open (Linux, no desktop) opens a URL with $BROWSER: here a script that notes it.
    const opened = join(dir.path, "opened.txt");
    const browser = join(dir.path, "browser.sh");
    writeFileSync(browser, `#!/bin/sh\necho "$1" >> '${opened}'\n`);
    chmodSync(browser, 0o755);
    const child = spawn(process.execPath, [BIN, "--port", "0"], {
      // No desktop either, whatever the test's own environment has: xdg-open would use its opener.
      env: {
        ...process.env,
        BROWSER: browser,
        TRACEKIT_NO_BROWSER: "",
        XDG_CURRENT_DESKTOP: "",
        DISPLAY: "",
        WAYLAND_DISPLAY: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    try {
      // The file is there before the line is in it.
      await expect
        .poll(() => (existsSync(opened) ? readFileSync(opened, "utf8") : ""), { timeout: 10_000 })
        .toMatch(/^http:\/\/localhost:\d+\n$/);
      expect(out).not.toContain("could not open a browser");
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });

  it("is not used for a chunk changed since (same length), which runs as it is now", async () => {
    const { bin, bundle } = installedCopy();
    const entry = join(bundle, "cli.cjs");
    const source = readFileSync(entry, "latin1");
    expect(source).toContain("`tracekit-local is running`");
    writeFileSync(entry, source.replace("`tracekit-local is running`", "`tracekit-local is RUNNING`"), "latin1");
    const run = await start(bin);
    expect(run.firstLine).toBe(`tracekit-local is RUNNING`);
    expect(run.health).toBe(200);
    expect(run.stderr).toBe("");
  });

  it("is not used when damaged, cut short or missing: the start compiles from source", async () => {
    const { bin, bundle } = installedCopy();
    const cache = join(bundle, "cli.cjs.cache");
    const bytes = readFileSync(cache);
    const damaged = Buffer.from(bytes);
    for (let i = Math.floor(bytes.length / 2); i < bytes.length; i += 97) damaged[i] = (damaged[i] as number) ^ 0x5a;
    for (const contents of [
      damaged,
      bytes.subarray(0, bytes.length >> 1),
      Buffer.from("tracekit-local-code-cache-1"),
    ]) {
      writeFileSync(cache, contents);
      const run = await start(bin);
      expect(run.firstLine).toBe(`tracekit-local is running`);
      expect(run.health).toBe(200);
      expect(run.stderr).toBe("");
    }
    rmSync(cache);
    expect((await start(bin)).health).toBe(200);
  });
});
