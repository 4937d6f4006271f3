import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, closeSync, constants as fsConstants, openSync, readFileSync, readSync, statSync } from "node:fs";
import { constants } from "node:os";
import { basename, delimiter, join } from "node:path";
import { isatty } from "node:tty";
import { browserTurnedOff, ConfigError } from "../config.js";
import type { HealthResponse } from "../protocol.js";
import { startBackgroundInstance } from "./background-instance.js";
import { openBrowser } from "./browser.js";
import { instanceUrl, notServingText, otlpOnlyPortText, probeInstance, requireInstance } from "./instance.js";
import { probePort } from "./probe.js";
import { runEnvironment } from "./run-env.js";
import type { RunOptions } from "./run-options.js";
import { readRefusals, refusalCounts, refusedBetween } from "./run-refusals.js";
import { countRun, formatRunLine, metricPointsIn, runListUrl, runMetricsUrl, waitForQuiet } from "./run-summary.js";

/** How long a started instance may take to answer its health check. */
const START_TIMEOUT_MS = 15_000;
/**
 * How long whatever holds the port has to answer a health check before it is taken for another
 * program: an instance busy with a large request still answers well within it.
 */
const PROBE_TIMEOUT_MS = 5_000;
/** After the command exits, its SDK's last export may still be on its way: wait for quiet, at most this. */
const FLUSH_QUIET_MS = 300;
const FLUSH_MAX_MS = 3_000;
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function fail(message: string, code: number): never {
  console.error(`error: ${message}`);
  process.exit(code);
}

/**
 * Whether a SIGINT to this process came from its terminal's Ctrl+C, which the terminal sends to the
 * whole foreground process group, the command included: true when this process's group is the
 * foreground group of its controlling terminal. Whether stdin is a terminal does not say that: with
 * `< file` the terminal's Ctrl+C still reaches both, and a process outside the terminal's foreground can
 * have a terminal as stdin. Where /proc is missing, any of stdin, stdout or stderr being a terminal stands in.
 */
function inForegroundOfTerminal(): boolean {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // After the command name in parentheses (which may hold spaces): state ppid pgrp session tty_nr tpgid.
    const [, , pgrp, , ttyNr, tpgid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ttyNr !== "0" && pgrp === tpgid;
  } catch {
    return isatty(0) || isatty(1) || isatty(2);
  }
}

/** The running instance, or one started now in the background (only on localhost: --url names another host). */
async function findOrStartInstance(options: RunOptions): Promise<{ url: string; startedPid: number | null }> {
  if (options.url !== undefined) return { url: (await requireInstance(options)).url, startedPid: null };
  let url: string;
  try {
    url = instanceUrl(options);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 2);
    throw error;
  }
  const port = Number(new URL(url).port);
  // Told apart before starting one: an instance started there would only fail on the taken port, and
  // its advice (--port 0) is not one `run` can take.
  const found = await probePort("localhost", port, PROBE_TIMEOUT_MS);
  if (found === "other") {
    fail(
      `port ${port} is in use by another program, not a tracekit-local: pass the --port of a running tracekit-local, or a free port to start one on`,
      1,
    );
  }
  if (found !== null && "otlpOnly" in found) fail(otlpOnlyPortText(url, found.otlpOnly), 1);
  if (found !== null && "notServing" in found) fail(notServingText(url, found.notServing), 1);
  if (found !== null) return { url, startedPid: null };
  try {
    const instance = await startBackgroundInstance(port, url, START_TIMEOUT_MS);
    if (instance === null) {
      console.error(`tracekit-local: another command started one at ${url} at the same time; this run uses it`);
      return { url, startedPid: null };
    }
    console.error(
      `tracekit-local: started at ${url} in the background (log ${instance.logFile}); it keeps running after this command, stop it with \`kill ${instance.pid}\``,
    );
    return { url, startedPid: instance.pid };
  } catch (error) {
    fail((error as Error).message, 1);
  }
}

/**
 * How to run a script without its execute bit: with the interpreter its `#!` line names
 * (`python3 app.py` for `#!/usr/bin/env python3`), else the general advice (a binary, a file on a
 * folder mounted noexec: chmod may not help, and no `sh` runs those).
 */
function interpreterHint(path: string): string {
  let head = "";
  try {
    const fd = openSync(path, "r");
    try {
      const bytes = Buffer.alloc(256);
      head = bytes.subarray(0, readSync(fd, bytes, 0, bytes.length, 0)).toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    // Unreadable: the general advice.
  }
  if (head.startsWith("#!")) {
    const words = (head.slice(2).split("\n")[0] ?? "").trim().split(/\s+/);
    const first = words[0] ?? "";
    const interpreter =
      basename(first) === "env" ? words.slice(1).find((word) => !word.startsWith("-") && !word.includes("=")) : first;
    if (interpreter !== undefined && interpreter !== "") return `run it with its interpreter: ${interpreter} ${path}`;
  }
  return "run it with its interpreter";
}

/**
 * What is wrong with running `file`, found as the exec call that spawn makes searches for it: a path
 * with a slash as it is, else each folder of PATH (an empty entry is the current folder), where the
 * first executable file wins and folders are passed over. Null when it can be run, and where that
 * search is not this one (Windows, PATH unset): spawn then says what is wrong. Told before anything
 * is started, with the shell's exit codes: 127 not found, 126 found but not runnable.
 */
function commandProblem(file: string, env: NodeJS.ProcessEnv): { message: string; code: 126 | 127 } | null {
  if (process.platform === "win32" || env.PATH === undefined) return null;
  const kind = (path: string): "folder" | "runnable" | "file" | null => {
    try {
      if (statSync(path).isDirectory()) return "folder";
    } catch {
      return null;
    }
    try {
      accessSync(path, fsConstants.X_OK);
      return "runnable";
    } catch {
      return "file";
    }
  };
  const notRunnable = (path: string) => ({
    message: `cannot run ${file}: ${path} is not executable (chmod +x ${path}, or ${interpreterHint(path)})`,
    code: 126 as const,
  });
  if (file.includes("/")) {
    const found = kind(file);
    if (found === null) return { message: `command not found: ${file}`, code: 127 };
    if (found === "folder") return { message: `cannot run ${file}: it is a directory`, code: 126 };
    return found === "file" ? notRunnable(file) : null;
  }
  const candidates = env.PATH.split(delimiter).map((dir) => join(dir || ".", file));
  if (candidates.some((path) => kind(path) === "runnable")) return null;
  // As exec does: a file there that cannot be run is told as such (126), not as missing.
  const blocked = candidates.find((path) => kind(path) === "file");
  return blocked === undefined ? { message: `command not found: ${file}`, code: 127 } : notRunnable(blocked);
}

export async function runCommand(command: string[], options: RunOptions): Promise<void> {
  const [file, ...args] = command;
  if (file === undefined) fail("name a command to run: tracekit-local run -- <command...>", 2);
  // Before an instance is started or a browser opened for it: a mistyped command does neither.
  const problem = commandProblem(file, process.env);
  if (problem !== null) fail(problem.message, problem.code);
  const { url, startedPid } = await findOrStartInstance(options);
  const runId = randomBytes(4).toString("hex");
  const env = runEnvironment(process.env, {
    url,
    runId,
    ...(options.service === undefined ? {} : { service: options.service }),
  });
  // What the instance had refused and the metric points it had accepted before, from one health
  // answer: only what it refuses and accepts while the command runs is told after.
  const healthBefore = (await probeInstance(url, PROBE_TIMEOUT_MS)) as HealthResponse | null;
  const refusalsBefore = healthBefore === null ? null : refusalCounts(healthBefore);
  const metricPointsBefore = metricPointsIn(healthBefore);
  const sinceMs = Date.now();
  if (startedPid !== null && options.open && !browserTurnedOff(process.env)) {
    // The run's traces as they arrive: the list from now on (the summary's link closes the window).
    // Under any service: an app may name itself whatever --service says (a TraceKit SDK does not read
    // OTEL_SERVICE_NAME), and a list narrowed to a service it does not use stays empty.
    await openBrowser(`${url}/?since=${sinceMs}`);
  }

  const child = spawn(file, args, { stdio: "inherit", env });
  let exitCode: number | null = null;
  for (const signal of FORWARDED_SIGNALS) {
    process.on(signal, () => {
      // After the command has exited only the summary is left: a signal ends that at once.
      if (exitCode !== null) process.exit(exitCode);
      // A terminal's Ctrl+C already reached the command (the whole foreground process group gets it);
      // sending it again would read as a second Ctrl+C, which many programs take as "quit now". A SIGINT
      // that `kill` sends to this process alone while it is in the terminal's foreground cannot be told
      // from that one: the command does not get it, and this goes on until the command exits (SIGTERM,
      // or SIGINT to the process group, `kill -INT -<pgid>`, stops both).
      if (signal === "SIGINT" && inForegroundOfTerminal()) return;
      child.kill(signal);
    });
  }
  exitCode = await new Promise<number>((resolve) => {
    child.on("error", (error: NodeJS.ErrnoException) => {
      // Like a shell: 127 for a command that does not exist, 126 for one that cannot be run.
      if (error.code === "ENOENT") fail(`command not found: ${file}`, 127);
      fail(`could not run ${file}: ${error.message}`, 126);
    });
    child.on("exit", (code, signal) => {
      // A shell says when its command was killed ("Killed", "Segmentation fault"); with run between
      // them it sees only an exit code, so run says it. Not for Ctrl+C's SIGINT, or a closed pipe's
      // SIGPIPE, of which a shell says nothing either.
      if (signal !== null && signal !== "SIGINT" && signal !== "SIGPIPE") {
        console.error(`tracekit-local: the command (${file}) was ended by ${signal}`);
      }
      resolve(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  });

  try {
    await waitForQuiet(url, FLUSH_QUIET_MS, FLUSH_MAX_MS, options.service);
    const window = {
      sinceMs,
      untilMs: Date.now(),
      ...(options.service === undefined ? {} : { service: options.service }),
    };
    const totals = await countRun(url, window, runId, metricPointsBefore);
    const refusalsAfter = refusalsBefore === null ? null : await readRefusals(url);
    const refusals =
      refusalsBefore === null || refusalsAfter === null
        ? undefined
        : { url, grpcUrl: refusalsAfter.grpcUrl, refused: refusedBetween(refusalsBefore, refusalsAfter.counts) };
    // A run that sent only metrics is looked at on the Metrics page: its trace list would be empty. Not
    // for metrics that may be any app's: the line says this run's arrived nowhere, and links to its list.
    const link =
      totals.traces === 0 && totals.logs === 0 && totals.metrics?.ofRun === true
        ? runMetricsUrl(url, window, totals.metrics)
        : runListUrl(url, window, totals);
    console.error(formatRunLine(totals, link, refusals));
    if (startedPid !== null) {
      // Said again last: the line at the start has scrolled away under a long-running command's output.
      console.error(
        `tracekit-local: still running in the background at ${url} (pid ${startedPid}); stop it with \`kill ${startedPid}\``,
      );
    }
  } catch (error) {
    console.error(`tracekit-local: could not count what this run sent (${(error as Error).message})`);
  }
  process.exit(exitCode);
}
