import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
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
  mkdirSync(join(dir.path, "bin"));
  copyFileSync(BIN, join(dir.path, "bin", "tracekit-local.js"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir.path, path, ".."), { recursive: true });
    writeFileSync(join(dir.path, path), text);
  }
  return join(dir.path, "bin", "tracekit-local.js");
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
    const bin = packageWith({ "dist/bundle/cli.js": 'export { main } from "./start-gone.js";\n' });
    const run = spawnSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("start-gone.js");
    expect(run.stderr).not.toContain("not built yet");
  });
});
