import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/tracekit-local.js", import.meta.url));

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Spawns the built CLI (with `stdin` as its input, else none); the caller ends it (SIGTERM) or awaits `exited`. */
export function runCli(args: string[], env: Record<string, string> = {}, stdin?: Uint8Array): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (stdin !== undefined) child.stdin?.end(stdin);
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    err += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
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

/** Ends (SIGKILL) every run still going and empties the list: an afterEach for tests that spawn the CLI. */
export async function killRunning(runs: CliRun[]): Promise<void> {
  for (const run of runs.splice(0)) {
    if (run.child.exitCode === null) {
      run.child.kill("SIGKILL");
      await run.exited;
    }
  }
}
