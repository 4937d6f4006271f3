#!/usr/bin/env node
// Runs once npm has installed the package (and built better-sqlite3's addon from source): removes the
// object files that build leaves beside the addon (build/Release/obj, obj.target and sqlite3.a: ~19 MB of a ~35 MB
// install). Only the addon itself (better_sqlite3.node) is ever loaded, and `npm rebuild` makes them
// again from the sources it keeps (deps/). Nothing here may fail an install: a missing or failed addon
// build, or files that cannot be removed, leave everything as it is, silently.
const { existsSync, rmSync } = require("node:fs");
const { dirname, join } = require("node:path");

/** The better-sqlite3 folder this package resolves, or null when it is not installed (it is optional). */
function addonPackageFolder() {
  try {
    return dirname(require.resolve("better-sqlite3/package.json", { paths: [__dirname] }));
  } catch {
    return null;
  }
}

const folder = addonPackageFolder();
const release = folder === null ? null : join(folder, "build", "Release");
// Only after a build that made the addon: a failed one's files are what a user would look at.
if (release !== null && existsSync(join(release, "better_sqlite3.node"))) {
  for (const leftover of ["obj", "obj.target", "sqlite3.a"]) {
    try {
      rmSync(join(release, leftover), { recursive: true, force: true });
    } catch {
      // Read-only or in use: the install is still whole, only larger.
    }
  }
}
