import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/app.js";
import { BIN } from "../helpers/cli.js";

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

/** The bin in a package folder of its own, with what `files` gives it there. */
function packageWith(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  cpSync(join(BIN, ".."), join(dir.path, "bin"), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir.path, path, ".."), { recursive: true });
    writeFileSync(join(dir.path, path), text);
  }
  return join(dir.path, "bin", "tracekit-local.js");
}

/** The answer to a WebSocket upgrade request that is refused (anything but 101): status and body. */
function upgradeAnswer(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = {
      Connection: "Upgrade",
      Upgrade: "websocket",
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
    };
    const req = request(url, { headers }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on("upgrade", () => reject(new Error("upgraded")));
    req.on("error", reject);
    req.end();
  });
}

describe("bin/tracekit-local.js", () => {
  it("says how to build when the bundle is not there, in one line with exit 1", () => {
    const run = spawnSync(process.execPath, [packageWith({}), "--version"], { encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      "tracekit-local is not built yet: run `npm run build` (or `npm start`) in its folder",
    );
  });

  it("reports a part missing from a built bundle as it is, not as an unbuilt clone", () => {
    const bin = packageWith({ "dist/bundle/cli.cjs": 'module.exports = require("./start-gone.cjs");\n' });
    const run = spawnSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("start-gone.cjs");
    expect(run.stderr).not.toContain("not built yet");
  });
});

describe("a running server whose files are replaced", () => {
  it("answers what needs a part loaded late with 503 and a restart hint, and keeps serving the rest", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const repo = join(BIN, "..", "..");
    cpSync(join(BIN, ".."), join(dir.path, "bin"), { recursive: true });
    copyFileSync(join(repo, "package.json"), join(dir.path, "package.json"));
    cpSync(join(repo, "dist", "bundle"), join(dir.path, "dist", "bundle"), { recursive: true });
    symlinkSync(join(repo, "node_modules"), join(dir.path, "node_modules"), "dir");
    const child = spawn(process.execPath, [join(dir.path, "bin", "tracekit-local.js"), "--port", "0", "--no-open"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk) => (out += chunk));
      child.stderr.on("data", (chunk) => (err += chunk));
      await expect.poll(() => /UI:\s+http:\/\/[^:]+:(\d+)/.exec(out), { timeout: 15_000 }).not.toBeNull();
      const port = (/UI:\s+http:\/\/[^:]+:(\d+)/.exec(out) as RegExpExecArray)[1];
      const base = `http://127.0.0.1:${port}`;
      // The routes of the API are loaded just after the URL is printed; a reinstall comes later.
      expect((await fetch(`${base}/api/health`)).status).toBe(200);
      // A reinstall or a rebuild: the bundle's files are replaced by others of other names.
      rmSync(join(dir.path, "dist", "bundle"), { recursive: true });
      const exported = await fetch(`${base}/api/export`);
      expect(exported.status).toBe(503);
      expect(await exported.json()).toEqual({
        error: {
          code: "restart_needed",
          message:
            "tracekit-local's files changed on disk while it ran (reinstalled or rebuilt): restart it to use them",
        },
      });
      // The live feed's WebSocket package is loaded by the first page that connects: none did yet.
      const upgrade = await upgradeAnswer(`${base}/api/live`);
      expect(upgrade.status).toBe(503);
      expect(JSON.parse(upgrade.body).error.code).toBe("restart_needed");
      // What was loaded at the start goes on working.
      expect((await fetch(`${base}/api/health`)).status).toBe(200);
      await expect
        .poll(() => err)
        .toContain("! tracekit-local's files changed on disk while it ran (reinstalled or rebuilt): restart it");
      expect(err).not.toContain("internal error");
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });
});
