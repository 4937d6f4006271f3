import { type Command, InvalidArgumentError } from "commander";
import { RUN_ID_ATTRIBUTE } from "../domain/run-path.js";
import { addInstanceOptions, type InstanceOptions } from "./instance.js";

export interface RunOptions extends InstanceOptions {
  service?: string;
  open: boolean;
}

/** A service name for OTEL_SERVICE_NAME: an empty one would name nothing, and its link would filter by nothing. */
function serviceName(value: string): string {
  if (value.trim() === "")
    throw new InvalidArgumentError("Use a service name that is not empty, such as --service api.");
  return value;
}

export function addRunOptions(command: Command): Command {
  return addInstanceOptions(command)
    .usage("[options] -- <command...>")
    .argument("<command...>", "the command to run (put it after --)")
    .option(
      "--service <name>",
      "set OTEL_SERVICE_NAME for the command (and show only that service's traces)",
      serviceName,
    )
    .option("--no-open", "do not open the browser when run starts tracekit-local itself (also TRACEKIT_NO_BROWSER=1)")
    .passThroughOptions()
    .addHelpText(
      "after",
      `
The command gets OTEL_EXPORTER_OTLP_ENDPOINT (this instance),
TRACEKIT_ENDPOINT (this instance's /run/<id>, for a TraceKit SDK),
OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, OTEL_SERVICE_NAME (with --service)
and ${RUN_ID_ATTRIBUTE}=<id> appended to OTEL_RESOURCE_ATTRIBUTES; what arrives
under /run/<id> is tagged with the run's id as well.
These replace your own, and the per-signal
OTEL_EXPORTER_OTLP_*_ENDPOINT/_PROTOCOL are removed. ENV and NODE_ENV are set to
development only when unset, and only for the instance at localhost:9999: in
development mode a TraceKit SDK also sends every span to whatever answers at
localhost:9999, so for an instance elsewhere (another --port, or --url) they
are left as you have them. Signals go to the command, and run exits with its
exit code (128+n when it died of signal n). At the end one line says what the
run sent, and what tracekit-local refused while it ran (an OTLP/gRPC exporter
chosen in the app's code, say), and links to just its traces (those that started
while it ran).

Example: tracekit-local run --service api -- npm start`,
    );
}
