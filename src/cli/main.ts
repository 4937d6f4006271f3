import { Command, CommanderError } from "commander";
import { packageVersion } from "../version.js";
import { addDemoOptions } from "./demo-options.js";
import { addExportOptions } from "./export-options.js";
import { addImportOptions } from "./import-options.js";
import { addMcpOptions } from "./mcp-options.js";
import { addRunOptions } from "./run-options.js";
import { addStartOptions, runStart } from "./start.js";
import { addTailOptions } from "./tail-options.js";

/** Usage errors print as one line (commander may add a suggestion on the same line). */
const ONE_LINE_ERRORS = {
  outputError: (message: string, write: (text: string) => void) => write(`${message.trim().split("\n")[0]}\n`),
};

/**
 * Exit codes: 0 ok, 1 could not run (port taken, store unusable), 2 bad usage. Every command but the
 * server's own is imported when it runs: a start loads only its options.
 */
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
      // `tracekit-local start` takes what `tracekit-local` does.
      .version(packageVersion(), "-v, --version", "print the version")
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action((options, command) => runStart(options, command));
  addDemoOptions(
    program
      .command("demo")
      .description("send realistic traffic from several services to a running tracekit-local")
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action(async (options) => (await import("./demo.js")).runDemo(options));
  addExportOptions(
    program
      .command("export")
      .description("write stored traces as OTLP/JSON (from a running tracekit-local, or a --db file)")
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action(async (options) => (await import("./export.js")).runExport(options));
  addImportOptions(
    program
      .command("import")
      .description("import OTLP files (JSON, JSON Lines, protobuf, gzip) into a running tracekit-local or a --db file")
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action(async (files, options) => (await import("./import.js")).runImport(files, options));
  addRunOptions(
    program
      .command("run")
      .description(
        "run a command with OpenTelemetry pointed at tracekit-local (started if needed), then say what it sent",
      )
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action(async (command: string[], options) => (await import("./run.js")).runCommand(command, options));
  addTailOptions(
    program
      .command("tail")
      .description("print new traces, error spans or log records from a running tracekit-local as they arrive")
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action(async (view, options) => (await import("./tail.js")).runTail(view, options));
  addMcpOptions(
    program
      .command("mcp")
      .description(
        "serve the running tracekit-local's traces, logs and metrics to an AI assistant over MCP (stdio); the server also answers MCP at /mcp",
      )
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS),
  ).action(async (options) => (await import("./mcp.js")).runMcp(options));

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
