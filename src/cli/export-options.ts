import { type Command, InvalidArgumentError, Option } from "commander";
import { parseHexId } from "../domain/ids.js";
import { queryRefusal } from "../domain/query.js";
import { parseDurationMs } from "../domain/time.js";
import { EXPORT_SIGNALS, type ExportSignal, exportSignalsOf } from "../transfer/export-signals.js";
import { fileArgument } from "./argument-error.js";
import { addInstanceOptions, type InstanceOptions } from "./instance.js";

export interface ExportOptions extends InstanceOptions {
  trace?: string[];
  query?: string;
  service?: string;
  errors?: boolean;
  since?: number;
  output?: string;
  db?: string;
  signals: ExportSignal[];
}

function parseTraceId(value: string, previous: string[] = []): string[] {
  const id = parseHexId(value.trim(), 32);
  if (id === null) throw new InvalidArgumentError("Use a trace id of 32 hex digits.");
  // A trace named twice is exported once.
  return previous.includes(id) ? previous : [...previous, id];
}

function parseSignals(value: string): ExportSignal[] {
  const parsed = exportSignalsOf(value);
  if ("unknown" in parsed) {
    throw new InvalidArgumentError(
      `Use traces, logs or both, comma-separated (metrics are not exported), not "${parsed.unknown}".`,
    );
  }
  return parsed.signals;
}

/** A query of the trace list's language, refused here when it does not parse (as the list refuses it). */
function parseTraceListQuery(value: string): string {
  const refusal = queryRefusal(value);
  if (refusal !== null) throw new InvalidArgumentError(`${refusal}.`);
  return value;
}

/** A window that holds something and starts no earlier than the Unix epoch (which a Date can also hold). */
function parseSince(value: string): number {
  const ms = parseDurationMs(value);
  if (ms === null) throw new InvalidArgumentError("Use a duration such as 30s, 10m, 2h or 7d.");
  if (ms === 0) throw new InvalidArgumentError("Use a duration above 0, such as 30s, 10m, 2h or 7d.");
  if (ms > Date.now())
    throw new InvalidArgumentError("Use a duration that does not reach back before 1970 (the Unix epoch).");
  return ms;
}

export function addExportOptions(command: Command): Command {
  return addInstanceOptions(command)
    .option("-t, --trace <id>", "export this trace (repeatable)", parseTraceId)
    .option(
      "-q, --query <text>",
      "only traces the trace list's search finds for this text (a stored trace's or span's id: its trace, as --trace)",
      parseTraceListQuery,
    )
    .option("--service <name>", "only traces with a span from this service")
    .option("--errors", "only traces with an error")
    .option("--since <duration>", "only traces that started within this long ago (30s, 10m, 2h, 7d)", parseSince)
    .addOption(
      new Option(
        "--signals <list>",
        "what to export: traces, logs, or both, comma-separated (the logs of the exported traces; of the window when only --since is given)",
      )
        .argParser(parseSignals)
        .default([...EXPORT_SIGNALS], EXPORT_SIGNALS.join(",")),
    )
    .option("-o, --output <file>", "write to this file instead of stdout (- for stdout)", fileArgument)
    .option(
      "--db <file>",
      "read a --db file directly instead of asking a running instance (it must not be in use)",
      fileArgument,
    )
    .addHelpText(
      "after",
      "\nWrites OTLP/JSON: one ExportTraceServiceRequest per trace, one per line, then\n" +
        "the log records in ExportLogsServiceRequests of up to 1,000 (JSON Lines, as the\n" +
        "OpenTelemetry Collector's file exporter writes them). `tracekit-local import`\n" +
        "reads it back. Without --trace, --query, --service, --errors or --since every\n" +
        "stored trace and log record is exported. Metrics are not: they are stored as\n" +
        "steps over time, not as the points received.",
    );
}
