import { resolve } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { openStores, StoreOpenError } from "../../src/store/open-store.js";

// As on a machine where npm skipped the addon: requiring it fails.
const driver = vi.hoisted(() => ({ failure: new Error("Cannot find module 'better-sqlite3'\nRequire stack: …") }));
vi.mock("../../src/store/sqlite-store.js", () => ({
  loadSqliteDriver: () => Promise.reject(driver.failure),
}));

describe("--db without the SQLite addon", () => {
  it("says in one line how to build it, also where Node's headers cannot be downloaded", async () => {
    const error = await openStores({ dbPath: "unused.db", maxSpans: 100 }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(StoreOpenError);
    const { message } = error as StoreOpenError;
    expect(message).not.toContain("\n");
    expect(message).toMatch(
      /^--db needs the better-sqlite3 native addon, which is not installed or did not build \(Cannot find module 'better-sqlite3'\)\. /,
    );
    expect(message).toContain(
      "Reinstall with: npm i -g @tracekit/local-ui --allow-scripts=better-sqlite3,@tracekit/local-ui;",
    );
    // The README's troubleshooting fix, with this Node's installation (which holds include/node/) named.
    expect(message).toContain(
      `npm_config_nodedir="${resolve(process.execPath, "../..")}" npm i -g @tracekit/local-ui --allow-scripts=better-sqlite3,@tracekit/local-ui`,
    );
  });

  it("names a compiled file that is missing without the list of paths tried", async () => {
    // As installed with --ignore-scripts: the package is there, its compiled addon is not.
    driver.failure = new Error(
      "Could not locate the bindings file. Tried:\n → /usr/lib/node_modules/better-sqlite3/build/better_sqlite3.node\n → …",
    );
    const error = await openStores({ dbPath: "unused.db", maxSpans: 100 }).catch((thrown: unknown) => thrown);
    expect((error as StoreOpenError).message).toMatch(
      /^--db needs the better-sqlite3 native addon, which is not installed or did not build \(Could not locate the bindings file\)\. Reinstall with: /,
    );
  });
});
