import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

export const BIN = fileURLToPath(new URL("../../bin/tracekit-local.js", import.meta.url));

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/**
 * Spawns the built CLI; the caller ends it (SIGTERM) or awaits `exited`. `detached`: in a process group
 * (and session) of its own, outside any terminal the tests run in.
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  stdin: "ignore" | "pipe" = "ignore",
  detached = false,
): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: [stdin, "pipe", "pipe"],
    detached,
  });
  return watchRun(child);
}

/** A spawned CLI process as a CliRun: what it wrote so far to stdout and stderr, and its exit. */
export function watchRun(child: ChildProcess): CliRun {
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    err += chunk;
  });
  // "exit" can come before the last of the output is read from the pipes (a summary line written just
  // before exiting, on a busy machine); "close" comes after all of it. A process the CLI started that
  // still holds the pipes would keep "close" away: then the exit counts a moment later.
  const exited = new Promise<number | null>((resolve) => {
    child.on("close", (code) => resolve(code));
    child.on("exit", (code) => setTimeout(() => resolve(code), 2_000).unref());
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for the start banner (it ends "Press Ctrl+C to stop.") and returns the UI URL with the real port. */
export async function waitForUrl(run: CliRun, timeoutMs = 60_000): Promise<{ url: string; port: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /UI:\s+(http:\/\/[^\s]+:(\d+))/.exec(run.stdout());
    // The banner's lines may arrive in several chunks: wait for its last one.
    if (match && run.stdout().includes("Press Ctrl+C")) return { url: match[1] as string, port: Number(match[2]) };
    if (Date.now() > deadline || run.child.exitCode !== null) {
      throw new Error(`no URL printed; stdout: ${run.stdout()} stderr: ${run.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The health answer once a start's stores are read back: a start on a --db file prints its URL and
 * answers health while it reads the file (storage.state "loading", counts 0 until then).
 */
export async function loadedHealth(url: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = (await (await fetch(`${url}/api/health`)).json()) as { storage?: { state?: string } };
    if (health.storage?.state !== "loading") return health;
    if (Date.now() > deadline) throw new Error(`still loading after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * A launcher of the built CLI for one test file: every run it starts that is still going when its
 * test ends is killed then. `defaults` are added to each run's environment.
 */
export function useCliRuns(
  defaults: Record<string, string> = {},
): (args: string[], env?: Record<string, string>, stdin?: "ignore" | "pipe", detached?: boolean) => CliRun {
  const running: CliRun[] = [];
  afterEach(async () => {
    for (const run of running.splice(0)) {
      if (run.child.exitCode === null) {
        run.child.kill("SIGKILL");
        await run.exited;
      }
    }
  });
  return (args, env = {}, stdin = "ignore", detached = false) => {
    const run = runCli(args, { ...defaults, ...env }, stdin, detached);
    running.push(run);
    return run;
  };
}
