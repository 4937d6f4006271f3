import { type Command, InvalidArgumentError } from "commander";
import { addInstanceOptions, type InstanceOptions } from "./instance.js";

export interface ImportOptions extends InstanceOptions {
  db?: string;
  maxSpans?: number;
  concurrency: number;
}

function parsePositive(value: string): number {
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("Use a whole number of at least 1.");
  return n;
}

export function addImportOptions(command: Command): Command {
  return addInstanceOptions(command)
    .argument("<files...>", "OTLP files to import (- reads stdin)")
    .option("--db <file>", "write into this --db file directly instead of a running instance (it must not be in use)")
    .option(
      "--max-spans <n>",
      "with --db: the retention bound the file is kept to (as the server's --max-spans)",
      parsePositive,
    )
    .option("--concurrency <n>", "requests in flight at once to a running instance", parsePositive, 4)
    .addHelpText(
      "after",
      "\nReads OTLP/JSON (one request, or JSON Lines as the OpenTelemetry Collector's file exporter\n" +
        "writes them, traces, logs and metrics mixed), OTLP protobuf (one request, or the Collector's\n" +
        "length-prefixed file format), each optionally gzip-compressed; the format is read from the data.",
    );
}
