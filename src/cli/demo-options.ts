import { type Command, InvalidArgumentError } from "commander";
import { addInstanceOptions, type InstanceOptions } from "./instance.js";

export interface DemoOptions extends InstanceOptions {
  duration: number;
  rate: number;
}

const DEFAULT_DURATION_SECONDS = 30;
const DEFAULT_RATE = 5;
const MAX_RATE = 1_000;

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
