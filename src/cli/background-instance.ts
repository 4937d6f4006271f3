import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { probeInstance } from "./instance.js";

/** An instance started by a client command, detached: it outlives the command. */
export interface BackgroundInstance {
  pid: number;
  logFile: string;
}

const BIN = fileURLToPath(new URL("../../bin/tracekit-local.js", import.meta.url));
const PROBE_EVERY_MS = 100;

function lastLine(file: string): string {
  try {
    const lines = readFileSync(file, "utf8").trim().split("\n");
    return lines[lines.length - 1]?.trim() ?? "";
  } catch {
    return "";
  }
}

/**
 * Starts `tracekit-local --port <port> --no-open` detached, its output appended to a log file in the
 * OS temp folder, and waits until its health answers at `url`. Throws (with the log's last line) when
 * it exits first or does not answer within `timeoutMs`; in the latter case it is ended.
 */
export async function startBackgroundInstance(
  port: number,
  url: string,
  timeoutMs: number,
): Promise<BackgroundInstance> {
  const logFile = join(tmpdir(), `tracekit-local-${port}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(process.execPath, [BIN, "--port", String(port), "--no-open"], {
    detached: true,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  let exited: string | null = null;
  child.on("exit", (code, signal) => {
    exited = signal ?? `exit code ${code}`;
  });
  child.on("error", (error) => {
    exited = error.message;
  });
  child.unref();
  const pid = child.pid;
  const deadline = Date.now() + timeoutMs;
  while (pid !== undefined && exited === null && Date.now() < deadline) {
    if ((await probeInstance(url, 1_000)) !== null) return { pid, logFile };
    await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
  }
  const detail = lastLine(logFile);
  if (exited === null && pid !== undefined) {
    child.kill("SIGTERM");
    throw new Error(
      `tracekit-local started on port ${port} but did not answer within ${timeoutMs / 1000} s (log: ${logFile})`,
    );
  }
  throw new Error(`could not start tracekit-local on port ${port} (${exited})${detail ? `: ${detail}` : ""}`);
}
