import { type Command, InvalidArgumentError } from "commander";
import { count } from "../domain/count-text.js";
import { DEFAULT_MAX_LOGS } from "../store/log-store.js";
import { DEFAULT_MAX_SPANS } from "../store/store.js";
import { fileArgument } from "./argument-error.js";
import { addInstanceOptions, type InstanceOptions } from "./instance.js";

/** Requests in flight at once to a running instance, unless --concurrency says otherwise. */
export const DEFAULT_CONCURRENCY = 4;

export interface ImportOptions extends InstanceOptions {
  db?: string;
  maxSpans?: number;
  maxLogs?: number;
  /** Unset unless given: with --db it is refused (see refuseInstanceFlagsWithDb); DEFAULT_CONCURRENCY otherwise. */
  concurrency?: number;
}

function parsePositive(value: string): number {
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("Use a whole number of at least 1.");
  return n;
}

export function addImportOptions(command: Command): Command {
  return addInstanceOptions(command)
    .argument("<files...>", "OTLP files to import (- reads stdin)")
    .option(
      "--db <file>",
      "write into this --db file directly instead of a running instance (it must not be in use)",
      fileArgument,
    )
    .option(
      "--max-spans <n>",
      `with --db: spans the file is kept to, whole traces evicted past it, at once too: first those larger than it alone, then the oldest (as the server's --max-spans; default: what the file holds, at least ${count(DEFAULT_MAX_SPANS)})`,
      parsePositive,
    )
    .option(
      "--max-logs <n>",
      `with --db: log records the file is kept to, the first to arrive evicted past it (as the server's --max-logs; default: what the file holds, at least ${count(DEFAULT_MAX_LOGS)})`,
      parsePositive,
    )
    .option(
      "--concurrency <n>",
      `requests in flight at once to a running instance (default: ${DEFAULT_CONCURRENCY})`,
      parsePositive,
    )
    .addHelpText(
      "after",
      "\nReads OTLP/JSON (one request, or JSON Lines as the OpenTelemetry Collector's\n" +
        "file exporter writes them, traces, logs and metrics mixed), OTLP protobuf (one\n" +
        "request, or the Collector's length-prefixed file format), each optionally\n" +
        "gzip-compressed; the format is read from the data. Traces saved from Jaeger\n" +
        "or Grafana Tempo (base64 ids, `batches`) are read as the OTLP they stand for.",
    );
}
