import { Command, CommanderError } from "commander";
import { packageVersion } from "../version.js";
import { addDemoOptions, runDemo } from "./demo.js";
import { addExportOptions, runExport } from "./export.js";
import { addImportOptions, runImport } from "./import.js";
import { addMcpOptions, runMcp } from "./mcp.js";
import { addRunOptions, runCommand } from "./run.js";
import { addStartOptions, runStart } from "./start.js";
import { addTailOptions, runTail } from "./tail.js";

/** Usage errors print as one line (commander may add a suggestion on the same line). */
const ONE_LINE_ERRORS = {
  outputError: (message: string, write: (text: string) => void) => write(`${message.trim().split("\n")[0]}\n`),
};

/** Exit codes: 0 ok, 1 could not run (port taken, store unusable), 2 bad usage. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command("tracekit-local")
    .description("Local OpenTelemetry UI: receives traces over OTLP/HTTP and shows them live in your browser.")
    .version(packageVersion(), "-v, --version", "print the version")
    .helpOption("-h, --help", "show this help")
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(ONE_LINE_ERRORS);

  addStartOptions(program).action((options, command) => runStart(options, command));
  addStartOptions(
    program
      .command("start")
      .description("start the server and open the UI (the default command)")
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action((options, command) => runStart(options, command));
  addDemoOptions(
    program
      .command("demo")
      .description("send realistic traffic from several services to a running tracekit-local")
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action((options) => runDemo(options));
  addExportOptions(
    program
      .command("export")
      .description("write stored traces as OTLP/JSON (from a running tracekit-local, or a --db file)")
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action((options) => runExport(options));
  addImportOptions(
    program
      .command("import")
      .description("import OTLP files (JSON, JSON Lines, protobuf, gzip) into a running tracekit-local or a --db file")
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action((files, options) => runImport(files, options));
  addRunOptions(
    program
      .command("run")
      .description(
        "run a command with OpenTelemetry pointed at tracekit-local (started if needed), then say what it sent",
      )
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action((command: string[], options) => runCommand(command, options));
  addTailOptions(
    program
      .command("tail")
      .description("print new traces, error spans or log records from a running tracekit-local as they arrive")
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action((view, options) => runTail(view, options));
  addMcpOptions(
    program
      .command("mcp")
      .description(
        "serve the running tracekit-local's traces, logs and metrics to an AI assistant over MCP (stdio); the server also answers MCP at /mcp",
      )
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action((options) => runMcp(options));

  try {
    await program.parseAsync(argv, { from: "node" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every usage error exits 2 after commander's one-line message.
      process.exit(error.exitCode === 0 ? 0 : 2);
    }
    throw error;
  }
}
