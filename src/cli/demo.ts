import { type Command, InvalidArgumentError } from "commander";
import { count } from "./count.js";
import { addInstanceOptions, type InstanceOptions, requireInstance } from "./instance.js";

interface DemoOptions extends InstanceOptions {
  duration: number;
  rate: number;
}

const DEFAULT_DURATION_SECONDS = 30;
const DEFAULT_RATE = 5;
const MAX_RATE = 1_000;
/** After a stop, flushing may wait on a server that went away; never hang for longer than this. */
const STOP_DEADLINE_MS = 15_000;

function parseNumber(value: string): number {
  const trimmed = value.trim();
  return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

function parseDuration(value: string): number {
  const seconds = parseNumber(value);
  if (!Number.isFinite(seconds)) throw new InvalidArgumentError("Use a number of seconds >= 0 (0 runs until Ctrl+C).");
  return seconds;
}

function parseRate(value: string): number {
  const rate = parseNumber(value);
  if (!Number.isFinite(rate) || rate <= 0 || rate > MAX_RATE) {
    throw new InvalidArgumentError(`Use a number of traces per second above 0 and at most ${MAX_RATE}.`);
  }
  return rate;
}

export function addDemoOptions(command: Command): Command {
  return addInstanceOptions(command)
    .option(
      "--duration <seconds>",
      "seconds to send traffic for; 0 sends until Ctrl+C",
      parseDuration,
      DEFAULT_DURATION_SECONDS,
    )
    .option("--rate <traces>", "traces per second, on average", parseRate, DEFAULT_RATE);
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const { url } = await requireInstance(options);

  const controller = new AbortController();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    controller.abort();
    setTimeout(() => {
      console.error("error: sending the last spans took too long; exiting");
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  const length = options.duration === 0 ? "until Ctrl+C" : `for ${options.duration} s`;
  console.log(`sending demo traffic to ${url} ${length} (${options.rate} traces/s) — open ${url}`);

  let exportErrorShown = false;
  // The OpenTelemetry SDK is loaded only here, so it never slows the server's start.
  const { runDemoTraffic } = await import("../demo/traffic.js");
  const totals = await runDemoTraffic({
    url,
    durationMs: options.duration * 1000,
    rate: options.rate,
    signal: controller.signal,
    onExportError: (error) => {
      // The exporter already retried: the server is gone or refusing, so more traffic would be lost too.
      if (exportErrorShown) return;
      exportErrorShown = true;
      console.error(`  ! could not deliver spans to ${url}: ${error.message.split("\n")[0]}; stopping`);
      controller.abort();
    },
  });

  const seconds = (totals.elapsedMs / 1000).toFixed(1);
  console.log(
    `sent ${count(totals.traces)} traces (${count(totals.spans)} spans) from ${totals.services} services in ${seconds} s`,
  );
  if (totals.failedSpans > 0) {
    console.error(`error: ${count(totals.failedSpans)} spans could not be delivered to ${url}`);
    process.exit(1);
  }
  process.exit(0);
}
