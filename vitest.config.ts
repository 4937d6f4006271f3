import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/** The files that drive Chromium: each browser, its renderer and the server under test keep cores busy. */
const BROWSER_TESTS = ["test/e2e/**/*browser*.test.ts"];

const cores = availableParallelism();

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CI reads the pass/fail counts from this JSON report (see .ci/run).
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: process.env.CI ? { json: "test-results.json" } : undefined,
    // Two groups, one after the other. Most files spend their time waiting on a server, a child process or
    // a socket, so they run two at a time even on two cores (Vitest's default there is one at a time).
    // The browser files come after them, one at a time on a small machine: two Chromiums beside each
    // other would make their timing the machine's.
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          include: ["test/**/*.test.ts"],
          exclude: BROWSER_TESTS,
          maxWorkers: Math.max(2, cores - 1),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          include: BROWSER_TESTS,
          maxWorkers: Math.max(1, Math.floor((cores - 1) / 2)),
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
