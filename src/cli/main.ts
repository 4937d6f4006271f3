import { Command, CommanderError } from "commander";
import { editDistance } from "../domain/edit-distance.js";
import { packageVersion } from "../version.js";
import { addDemoOptions } from "./demo-options.js";
import { addExportOptions } from "./export-options.js";
import { addImportOptions } from "./import-options.js";
import { addMcpOptions } from "./mcp-options.js";
import { addRunOptions } from "./run-options.js";
import { addStartOptions, runStart } from "./start.js";
import { addTailOptions } from "./tail-options.js";

/**
 * Usage errors print as one line: commander's suggestion, which it puts on a second line
 * ("(Did you mean --port?)"), joins the first.
 */
export function oneLineError(message: string): string {
  const [first = "", second = ""] = message.trim().split("\n");
  const suggestion = /^\(Did you mean (.+)\?\)$/.exec(second.trim());
  return suggestion === null ? first : `${first} (did you mean ${suggestion[1]}?)`;
}

/** Help or version text was cut short by its reader (`--help | head`): that is all the reader wanted. */
function exitOnClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
}

const ONE_LINE_ERRORS = {
  outputError: (message: string, write: (text: string) => void) => write(`${oneLineError(message)}\n`),
  // Only help and version are written here, and the process exits after them: a pipe closed meanwhile
  // reports its EPIPE before that exit, which Node would print as a crash with a stack.
  writeOut(text: string) {
    if (!process.stdout.listeners("error").includes(exitOnClosedPipe)) process.stdout.on("error", exitOnClosedPipe);
    process.stdout.write(text);
  },
};

/** The closest of `names` to a mistyped `word` (at most 2 edits, and less than 60% of it), or null. */
export function closestName(word: string, names: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of names) {
    const distance = editDistance(word, name);
    if (distance <= 2 && distance < 0.6 * word.length && distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Refuses `word`, which names none of the program's commands, in one line with the closest name (exit 2). */
function unknownCommand(program: Command, word: string): never {
  const suggestion = closestName(
    word,
    program.commands.map((sub) => sub.name()),
  );
  program.error(`error: unknown command '${word}'${suggestion === null ? "" : ` (did you mean ${suggestion}?)`}`, {
    code: "commander.unknownCommand",
    exitCode: 2,
  });
}

/**
 * Exit codes: 0 ok, 1 could not run (port taken, store unusable), 2 bad usage. Every command but the
 * server's own is imported when it runs: a start loads only its options.
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command("tracekit-local")
    .description(
      "Local OpenTelemetry UI: receives traces, logs and metrics over OTLP (HTTP, and gRPC with --otlp-grpc-port) and shows them live in your browser.",
    )
    .version(packageVersion(), "-v, --version", "print the version")
    .helpOption("-h, --help", "show this help")
    .enablePositionalOptions()
    // `tracekit-local help [command]`: the default command's action would take `help` for a mistyped command.
    .helpCommand("help [command]", "show help for a command")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(ONE_LINE_ERRORS);

  /** A command of the program: its own --version, and usage errors in one line, as the program's. */
  const subcommand = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .version(packageVersion(), "-v, --version", "print the version")
      .exitOverride()
      .configureOutput(ONE_LINE_ERRORS);

  addStartOptions(program).action((options, command: Command) => {
    // The default command takes no arguments: a word here is a mistyped command (see below).
    const [word] = command.args;
    if (word !== undefined) unknownCommand(command, word);
    return runStart(options, command);
  });
  addStartOptions(subcommand("start", "start the server and open the UI (the default command)")).action(
    (options, command) => runStart(options, command),
  );
  addDemoOptions(subcommand("demo", "send realistic traffic from several services to a running tracekit-local")).action(
    async (options) => (await import("./demo.js")).runDemo(options),
  );
  addExportOptions(
    subcommand(
      "export",
      "write stored traces and log records as OTLP/JSON (from a running tracekit-local, or a --db file)",
    ),
  ).action(async (options) => (await import("./export.js")).runExport(options));
  addImportOptions(
    subcommand(
      "import",
      "import OTLP files (JSON, JSON Lines, protobuf, gzip; Jaeger's and Tempo's JSON too) into a running tracekit-local or a --db file",
    ),
  ).action(async (files, options) => (await import("./import.js")).runImport(files, options));
  addRunOptions(
    subcommand(
      "run",
      "run a command with OpenTelemetry pointed at tracekit-local (started if needed), then say what it sent",
    ),
  ).action(async (command: string[], options) => (await import("./run.js")).runCommand(command, options));
  addTailOptions(
    subcommand("tail", "print new traces, error spans or log records from a running tracekit-local as they arrive"),
  ).action(async (view, options) => (await import("./tail.js")).runTail(view, options));
  addMcpOptions(
    subcommand(
      "mcp",
      "serve the running tracekit-local's traces, logs and metrics to an AI assistant over MCP (stdio); the server also answers MCP at /mcp",
    ),
  ).action(async (options) => (await import("./mcp.js")).runMcp(options));

  // Options before a command's name are parsed as the default command's (`tracekit-local --db keep.db
  // start`): `start`, the same command, takes them as its own (its own flags win); any other command
  // is refused rather than run without them (`--port 4000 demo` sent the demo to 9999).
  program.hook("preAction", (_program, action) => {
    if (action === program) return;
    const given = program.options.filter((option) => program.getOptionValueSource(option.attributeName()) === "cli");
    if (given.length === 0) return;
    if (action.name() === "start") {
      for (const option of given) {
        const key = option.attributeName();
        if (action.getOptionValueSource(key) !== "cli") {
          action.setOptionValueWithSource(key, program.getOptionValue(key), "cli");
        }
      }
      return;
    }
    // In the order they were typed.
    const at = (flag: string) => argv.findIndex((arg) => arg === flag || arg.startsWith(`${flag}=`));
    given.sort((a, b) => at(a.long ?? a.flags) - at(b.long ?? b.flags));
    const flags = given.map((option) => option.long ?? option.flags).join(", ");
    action.error(
      `error: ${flags} before '${action.name()}' would not apply to it: put ${given.length === 1 ? "it" : "them"} after the command (tracekit-local ${action.name()} ${given[0]?.long ?? ""} …)`,
      { code: "tracekit.optionBeforeCommand", exitCode: 2 },
    );
  });

  // Set after the subcommands were made (they copy it): the default command's action tells a stray
  // word as an unknown command with a suggestion, instead of commander's "too many arguments".
  program.allowExcessArguments(true);
  try {
    // `help <word>` for no command of that name: commander would print the whole help; say which word.
    const [first, word] = argv.slice(2);
    const known = program.commands.map((sub) => sub.name());
    if (first === "help" && word !== undefined && !word.startsWith("-") && !known.includes(word)) {
      unknownCommand(program, word);
    }
    await program.parseAsync(argv, { from: "node" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every usage error exits 2 after commander's one-line message.
      process.exit(error.exitCode === 0 ? 0 : 2);
    }
    throw error;
  }
}
