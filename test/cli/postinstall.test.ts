import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/app.js";
import { BIN } from "../helpers/cli.js";

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

/**
 * An installed package: its bin folder, and (unless `addon` is null) better-sqlite3 under its
 * node_modules as a build from source leaves it, with or without the addon it made.
 */
function installed(addon: "built" | "failed" | null): { postinstall: string; release: string } {
  const dir = tempDir();
  dirs.push(dir);
  cpSync(join(BIN, ".."), join(dir.path, "bin"), { recursive: true });
  const folder = join(dir.path, "node_modules", "better-sqlite3");
  const release = join(folder, "build", "Release");
  if (addon !== null) {
    mkdirSync(join(release, "obj", "gen"), { recursive: true });
    mkdirSync(join(release, "obj.target", "deps"), { recursive: true });
    mkdirSync(join(folder, "deps", "sqlite3"), { recursive: true });
    writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "better-sqlite3", version: "12.0.0" }));
    writeFileSync(join(release, "obj", "gen", "sqlite3.c"), "/* generated */");
    writeFileSync(join(release, "obj.target", "deps", "sqlite3.o"), "object");
    writeFileSync(join(release, "sqlite3.a"), "archive");
    writeFileSync(join(folder, "deps", "sqlite3", "sqlite3.c"), "/* source */");
    if (addon === "built") writeFileSync(join(release, "better_sqlite3.node"), "addon");
  }
  return { postinstall: join(dir.path, "bin", "postinstall.js"), release };
}

const run = (script: string) => spawnSync(process.execPath, [script], { encoding: "utf8" });

describe("bin/postinstall.js", () => {
  it("removes the object files the addon's build left, keeping the addon and the sources a rebuild needs", () => {
    const { postinstall, release } = installed("built");
    const result = run(postinstall);
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).toBe("");
    expect(existsSync(join(release, "obj"))).toBe(false);
    expect(existsSync(join(release, "obj.target"))).toBe(false);
    expect(existsSync(join(release, "sqlite3.a"))).toBe(false);
    expect(existsSync(join(release, "better_sqlite3.node"))).toBe(true);
    expect(existsSync(join(release, "..", "..", "deps", "sqlite3", "sqlite3.c"))).toBe(true);
  });

  it("leaves a failed build as it is, and passes quietly when the optional addon is not installed", () => {
    const failed = installed("failed");
    expect(run(failed.postinstall).status).toBe(0);
    expect(existsSync(join(failed.release, "obj", "gen", "sqlite3.c"))).toBe(true);
    expect(existsSync(join(failed.release, "obj.target"))).toBe(true);
    const none = run(installed(null).postinstall);
    expect(none.status).toBe(0);
    expect(none.stdout + none.stderr).toBe("");
  });
});
