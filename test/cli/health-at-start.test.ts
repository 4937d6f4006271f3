/**
 * A TraceKit SDK started with this server probes /api/health once, giving up after 0.5 s, and never
 * uses the UI for its whole run when that probe fails. The first request that needs Hono's Node
 * adapter loads it, and with it Node's fetch implementation: one long turn of the event loop (several
 * hundred ms on a busy machine). It must be done before the URL is printed, so that the probe sent at
 * that moment does not wait for it. Told by an ordering (a real start, with a `--db` file): Node's
 * fetch, which the adapter reads at its top level, is loaded before the URL line, on the same stdout.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, type CliRun, waitForUrl, watchRun } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "tracekit-health-at-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MARK = "test: Node's fetch loaded";
/** Preloaded in the server: writes MARK on its stdout the first time the global Request is read. */
const preload = join(dir, "mark-fetch.mjs");
writeFileSync(
  preload,
  `const lazy = Object.getOwnPropertyDescriptor(globalThis, "Request");
Object.defineProperty(globalThis, "Request", {
  configurable: true,
  enumerable: lazy.enumerable,
  get() {
    const value = lazy.get.call(globalThis);
    Object.defineProperty(globalThis, "Request", { value, writable: true, configurable: true, enumerable: lazy.enumerable });
    process.stdout.write(${JSON.stringify(`${MARK}\n`)});
    return value;
  },
  set(value) {
    Object.defineProperty(globalThis, "Request", { value, writable: true, configurable: true, enumerable: lazy.enumerable });
  },
});
`,
);

function start(args: string[]): CliRun {
  return watchRun(
    spawn(process.execPath, ["--import", preload, BIN, "--port", "0", "--no-open", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
}

describe("the first /api/health after the URL is printed", () => {
  it.each([
    ["the memory store", []],
    ["a --db file", ["--db", join(dir, "spans.db")]],
  ])(
    "does not wait for Hono's adapter to load, with %s",
    async (_name, args) => {
      const run = start(args);
      try {
        const { url } = await waitForUrl(run);
        const health = await fetch(`${url}/api/health`);
        expect(health.status).toBe(200);
        expect(((await health.json()) as { status: string }).status).toBe("ok");
        const out = run.stdout();
        expect(out).toContain(MARK);
        expect(out.indexOf(MARK)).toBeLessThan(out.search(/UI:\s+http/));
      } finally {
        run.child.kill("SIGTERM");
        await run.exited;
      }
    },
    60_000,
  );
});
