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
 * OS temp folder, and waits until it says it listens and its health answers at `url`. Null when it
 * exited because another instance took the port meanwhile (another command started one at the same
 * time) and that one answers. Throws (with the log's last line) when it exits otherwise or does not
 * answer within `timeoutMs`; in the latter case it is ended.
 */
export async function startBackgroundInstance(
  port: number,
  url: string,
  timeoutMs: number,
): Promise<BackgroundInstance | null> {
  const logFile = join(tmpdir(), `tracekit-local-${port}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(process.execPath, [BIN, "--port", String(port), "--no-open"], {
    detached: true,
    // The channel only carries the instance's word that it listens (see below); closed once heard.
    stdio: ["ignore", fd, fd, "ipc"],
  });
  closeSync(fd);
  let listening = false;
  child.once("message", () => {
    listening = true;
  });
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
    // A health answer before the word can be another instance's, started at the same time: this one
    // may still be starting, and then exit on finding the port taken.
    if (listening && (await probeInstance(url, 1_000)) !== null) {
      if (child.connected) child.disconnect();
      return { pid, logFile };
    }
    await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
  }
  if (child.connected) child.disconnect();
  if (exited !== null && (await probeInstance(url)) !== null) return null;
  // The instance's own "error: " prefix: this message gets its own.
  const detail = lastLine(logFile).replace(/^error: /, "");
  if (exited === null && pid !== undefined) {
    child.kill("SIGTERM");
    throw new Error(
      `tracekit-local started on port ${port} but did not answer within ${timeoutMs / 1000} s (log: ${logFile})`,
    );
  }
  throw new Error(`could not start tracekit-local on port ${port} (${exited})${detail ? `: ${detail}` : ""}`);
}
