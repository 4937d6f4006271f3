import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";

// The package as npm publishes it (`files` in package.json), run from a folder of its own: the
// bundle must find the web app, package.json and the bin without the rest of the build beside it.
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dir = tempDir();
let server: ChildProcess | null = null;
afterAll(() => {
  server?.kill("SIGKILL");
  dir.remove();
});

function packed(): string {
  // The build is already there (the tests run on it); packing must not run it again.
  const [{ filename }] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir.path], {
      cwd: ROOT,
      encoding: "utf8",
    }),
  ) as [{ filename: string }];
  execFileSync("tar", ["-xzf", join(dir.path, filename), "-C", dir.path]);
  const root = join(dir.path, "package");
  symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  return root;
}

describe("the published package", { timeout: 120_000 }, () => {
  it("holds the bundle, the forwarding thread and the web app, not the compiled modules, and serves the UI from them", async () => {
    const root = packed();
    expect(readdirSync(join(root, "dist")).sort()).toEqual(["bundle", "forward-worker", "web"]);
    const bin = join(root, "bin", "tracekit-local.js");
    const version = execFileSync(process.execPath, [bin, "--version"], { encoding: "utf8" }).trim();
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);

    const child = spawn(process.execPath, [bin, "--port", "0", "--no-open"], { stdio: ["ignore", "pipe", "pipe"] });
    server = child;
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const match = /UI:\s+http:\/\/localhost:(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.on("exit", () => reject(new Error(`exited before printing its URL: ${out}`)));
    });
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>");
    const health = await readJson(fetch(`http://127.0.0.1:${port}/api/health`));
    expect(health).toMatchObject({ status: "ok", version });
    child.kill("SIGTERM");
    expect(await new Promise((resolve) => child.on("exit", resolve))).toBe(0);
  });
});
