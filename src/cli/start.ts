import { existsSync, readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { type AppEvent, ExtraPortError, type StoredCounts, startApp } from "../app.js";
import {
  type Config,
  ConfigError,
  DEFAULT_CONFIG_FILE,
  DEFAULT_HOST,
  DEFAULT_PORT,
  parseCorsOrigin,
  parseForwardCompression,
  parseForwardHeader,
  parseForwardUrl,
  parseMaxLogs,
  parseMaxMetricSeries,
  parseMaxSpans,
  parsePort,
  parsePortFlag,
  parseServiceNameMapping,
  type RawOptions,
  resolveConfig,
  TRACEKIT_SDK_PORT,
  withConfigFile,
} from "../config.js";
import { count } from "../domain/count-text.js";
import { isProgramChangedOnDisk, PROGRAM_CHANGED_MESSAGE } from "../domain/errors.js";
import { rpcCodeFor } from "../domain/rpc-code.js";
import { DEFAULT_MAX_LOGS } from "../store/log-store.js";
import { DEFAULT_MAX_METRIC_SERIES } from "../store/metric-store.js";
import { StoreOpenError } from "../store/open-store.js";
import { DEFAULT_MAX_SPANS } from "../store/store.js";
import { fileArgument, invalidArgument } from "./argument-error.js";
import {
  captureTimeUnsavedLine,
  createCodeMonitoringLines,
  expiryDeferredLine,
  killSwitchOnAtStartLine,
  sdkListeningLine,
} from "./code-monitoring-lines.js";
import { openEvictionLine } from "./eviction-note.js";
import { forwardEventLine, forwardFlushingLine, forwardStoppedLine } from "./forward-lines.js";
import { type ExistingInstance, instanceHoldingFile, probeExistingInstance, probePort } from "./probe.js";
import { terminalText } from "./terminal-text.js";

interface StartOptions {
  config?: string;
  prices?: string;
  serviceNameMapping?: string[];
  port?: number;
  host?: string;
  open: boolean;
  db?: string;
  maxSpans?: number;
  maxLogs?: number;
  maxMetricSeries?: number;
  strictSpanKinds?: boolean;
  otlpHttpPort?: number;
  otlpGrpcPort?: number;
  forward?: string[];
  forwardHeader?: string[];
  forwardCompression?: "gzip" | "none";
  corsOrigin?: string[];
}

/** A repeatable option's parser: each value checked by `check` (a usage error otherwise), all kept. */
function repeatable(check: (value: string) => unknown): (value: string, previous: string[] | undefined) => string[] {
  const checked = asArgument(check);
  return (value, previous) => {
    checked(value);
    return [...(previous ?? []), value];
  };
}

function asArgument<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      throw invalidArgument((error as Error).message);
    }
  };
}

export function addStartOptions(command: Command): Command {
  return command
    .addOption(
      new Option("-p, --port <n>", `port for the UI and OTLP/HTTP (0 picks a free one; default ${DEFAULT_PORT})`)
        .env("TRACEKIT_LOCAL_PORT")
        .argParser(asArgument((v) => parsePort(v))),
    )
    .option(
      "--otlp-http-port <n>",
      "also receive OTLP/HTTP on this port (4318 is the standard one; 0 picks a free one)",
      asArgument((v) => parsePortFlag(v, "--otlp-http-port")),
    )
    .option(
      "--otlp-grpc-port <n>",
      "also receive OTLP/gRPC on this port (4317 is the standard one; 0 picks a free one)",
      asArgument((v) => parsePortFlag(v, "--otlp-grpc-port")),
    )
    .option(
      "--forward <url>",
      "also pass everything received on to this OTLP/HTTP receiver (a Collector, Jaeger, Tempo, TraceKit cloud), as protobuf with gzip; a base URL such as http://collector:4318, to which /v1/traces, /v1/logs and /v1/metrics are added (a URL ending in one of those paths is read as the base before it); repeatable",
      repeatable(parseForwardUrl),
    )
    .option(
      "--forward-header <name=value>",
      "a header sent with every forwarded request, e.g. x-api-key=abc123; repeatable",
      repeatable(parseForwardHeader),
    )
    .option(
      "--forward-compression <gzip|none>",
      "compression of forwarded requests (default gzip; none saves CPU when the upstream is on this machine or the local network)",
      asArgument(parseForwardCompression),
    )
    .option(
      "--prices <file.json>",
      'LLM prices that override or add to the bundled table: {"models": {"<model>": {"input": 3, "output": 15, "cachedInput": 0.3, "cacheWriteInput": 3.75}}} in USD per 1M tokens',
    )
    .option(
      // A short term: commander wraps no description when the widest term leaves them under 40 columns.
      "--service-name-mapping <host=name>",
      "show a called host[:port] as this service on the map, e.g. localhost:8082=payment-service; repeatable",
      repeatable(parseServiceNameMapping),
    )
    .option(
      "--config <file.json>",
      `settings as JSON, keys named as the flags in camelCase, e.g. {"maxSpans": 500000, "serviceNameMapping": {"localhost:8082": "payment-service"}}; flags win (default: ./${DEFAULT_CONFIG_FILE} when it exists)`,
    )
    .option("--host <addr>", `address to listen on (default ${DEFAULT_HOST}; 0.0.0.0 for every interface)`)
    .option(
      "--cors-origin <origin>",
      "also let browser pages on this origin send OTLP and read /api/health (CORS), e.g. http://shop.test:5173; loopback pages (localhost, *.localhost, 127.x.x.x) always may; repeatable",
      repeatable((value) => parseCorsOrigin(value)),
    )
    .option("--no-open", "do not open the browser (also TRACEKIT_NO_BROWSER=1)")
    .option("--db <file>", "keep data in this SQLite file across restarts (default: in memory)", fileArgument)
    .option(
      "--max-spans <n>",
      `spans to keep; the oldest whole traces are evicted past it (default ${DEFAULT_MAX_SPANS})`,
      asArgument(parseMaxSpans),
    )
    .option(
      "--max-logs <n>",
      `log records to keep; the first to arrive are evicted past it (default ${DEFAULT_MAX_LOGS})`,
      asArgument(parseMaxLogs),
    )
    .option(
      "--max-metric-series <n>",
      `metric series to keep; points of new series past it are dropped and counted (default ${DEFAULT_MAX_METRIC_SERIES})`,
      asArgument(parseMaxMetricSeries),
    )
    .option(
      "--strict-span-kinds",
      "read span kinds as OTLP in every request (by default OTLP/JSON sent with neither a User-Agent nor an X-API-Key, as TraceKit SDKs' local-UI path sends it, carries OpenTelemetry API kinds and is translated)",
    );
}

/** How long a kind of line stays quiet once printed (its repeats are counted, and told with the next). */
const THROTTLE_MS = 10_000;

/**
 * The most kinds of line the throttle remembers: kinds name services and paths, which clients choose.
 * Past it the oldest is forgotten (its next line prints at once, and its count of repeats is lost).
 */
const MAX_THROTTLED_KINDS = 1_000;

/** Prints a line per notable event; repeated client errors (and misdirected exporters) are summarised at most every 10 s. */
export function createEventPrinter(
  log: (line: string) => void = console.log,
  logError: (line: string) => void = console.error,
): ((event: AppEvent) => void) & { close(): void } {
  // Events carry what requests sent (paths, service names, error messages quoting them): never raw to the terminal.
  const print = (line: string) => log(terminalText(line));
  const lastPrinted = new Map<string, { at: number; suppressed: number }>();
  // Captures a burst held back are printed once their 10 s are up, not only with a later capture.
  const captures = createCodeMonitoringLines({ print });
  /** null when a line of this kind was printed in the last 10 s; else what to add to it: how many were not. */
  const throttle = (key: string): string | null => {
    const now = Date.now();
    const entry = lastPrinted.get(key);
    if (entry !== undefined && now - entry.at < THROTTLE_MS) {
      entry.suppressed++;
      return null;
    }
    // Kept in the order printed: the oldest first, dropped once quiet with nothing to tell, or past the bound.
    lastPrinted.delete(key);
    lastPrinted.set(key, { at: now, suppressed: 0 });
    for (const [kind, printed] of lastPrinted) {
      const over = lastPrinted.size > MAX_THROTTLED_KINDS;
      if (!over && now - printed.at < THROTTLE_MS) break;
      if (over || printed.suppressed === 0) lastPrinted.delete(kind);
    }
    return entry?.suppressed ? ` (+${count(entry.suppressed)} more like it)` : "";
  };
  const printEvent = (event: AppEvent): void => {
    if (event.type === "new-service") {
      print(`  + ${event.service}: first spans received`);
      return;
    }
    if (event.type === "forward") {
      print(forwardEventLine(event.event));
      return;
    }
    if (event.type === "statistics-fill") {
      const line = statisticsFillLine(event);
      if (line !== null) print(line);
      return;
    }
    if (event.type === "forward-flushing") {
      print(forwardFlushingLine(event));
      return;
    }
    if (event.type === "forward-stopped") {
      print(forwardStoppedLine(event));
      return;
    }
    if (event.type === "code-monitoring") {
      if (event.event.type === "expiry-deferred") {
        // A store line: at most one every 10 s, as a refused request's.
        const more = throttle("expiry-deferred");
        if (more !== null) print(`${expiryDeferredLine(event.event)}${more}`);
        return;
      }
      if (event.event.type === "capture-time-unsaved") {
        // A store line too: at most one every 10 s per service.
        const more = throttle(`capture-time-unsaved ${event.event.service}`);
        if (more !== null) print(`${captureTimeUnsavedLine(event.event)}${more}`);
        return;
      }
      const line = captures.line(event.event, Date.now());
      if (line !== null) print(line);
      return;
    }
    if (event.type === "sdk-listening") {
      print(sdkListeningLine(event.service, event.streams, event.killSwitch));
      return;
    }
    if (event.type === "db-busy") {
      print(
        `tracekit-local: ${event.path} is held by another process (a tracekit-local still closing?); waiting up to ${event.ms / 1000} s before starting`,
      );
      return;
    }
    if (event.type === "internal-error") {
      if (isProgramChangedOnDisk(event.error)) {
        const more = throttle("program-changed");
        if (more !== null) logError(`  ! ${PROGRAM_CHANGED_MESSAGE}${more}`);
      } else {
        logError(terminalText(`  ! internal error: ${(event.error as Error)?.stack ?? String(event.error)}`));
      }
      return;
    }
    if (event.type === "grpc-on-http") {
      const more = throttle(`grpc-on-http ${event.port}`);
      if (more === null) return;
      const fix =
        event.grpcPort === null
          ? "set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, or start with --otlp-grpc-port 4317"
          : `send it to the gRPC port ${event.grpcPort}, or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`;
      print(`  ! received OTLP/gRPC on the HTTP port ${event.port}: ${fix}${more}`);
      return;
    }
    if (event.type === "http-on-grpc") {
      const more = throttle(`http-on-grpc ${event.port}`);
      if (more === null) return;
      const what = event.method === "POST" ? "OTLP/HTTP" : "HTTP/1.1";
      print(
        `  ! received ${what} (${event.method} ${event.path}) on the gRPC port ${event.port}: send it to the HTTP port ${event.httpPort}, or set OTEL_EXPORTER_OTLP_PROTOCOL=grpc${more}`,
      );
      return;
    }
    // OTLP/gRPC refusals come under the method's path (`/<service>/Export`) and the HTTP status their code maps to.
    const grpc = event.path.endsWith("/Export");
    // A 200 is a partial success: items rejected, or a warning with none (another signal's request).
    const label =
      event.status === 200
        ? (event.rejectedItems ?? 0) > 0
          ? "partly rejected"
          : "accepted with a warning"
        : grpc
          ? `refused (${rpcCodeFor(event.status).name})`
          : `answered ${event.status}`;
    // Throttled per path and kind of answer: a misdirected exporter's warnings do not hide another's partial
    // rejections. A page's refused preflight is told once per origin already: each origin has its line.
    const kind = event.method === "OPTIONS" ? event.message : label;
    const more = throttle(`${event.path} ${event.status} ${kind}`);
    if (more === null) return;
    print(`  ! ${grpc ? "gRPC" : (event.method ?? "POST")} ${event.path} ${label}: ${event.message}${more}`);
  };
  return Object.assign(printEvent, { close: () => captures.close() });
}

/**
 * The lines around filling in an older file's statistics: before, when it holds enough spans to
 * take about a second or more; after, when it did.
 */
export function statisticsFillLine(fill: { spans: number; ms: number | null }): string | null {
  if (fill.ms === null) {
    return fill.spans < 20_000
      ? null
      : `  … reading ${count(fill.spans)} stored spans once to fill in per-operation statistics (the file is from an older version)`;
  }
  return fill.ms < 1000
    ? null
    : `  + per-operation statistics filled in (${(fill.ms / 1000).toFixed(1)} s); later starts skip this`;
}

/** What a `--db` file brought back, for the Store line: " (holds 12 traces, 340 spans, …)", or "" when empty. */
export function storedNote(stored: StoredCounts): string {
  const parts = [
    [stored.traces, "trace", "traces"],
    [stored.spans, "span", "spans"],
    [stored.logs, "log record", "log records"],
    [stored.metricSeries, "metric series", "metric series"],
    [stored.breakpoints, "breakpoint", "breakpoints"],
    [stored.snapshots, "snapshot", "snapshots"],
  ] as const;
  const held = parts.filter(([n]) => n > 0).map(([n, one, many]) => `${count(n)} ${n === 1 ? one : many}`);
  return held.length === 0 ? " (empty)" : ` (holds ${held.join(", ")})`;
}

/**
 * The lines a start on an address other machines can reach adds to the banner: the URLs it is
 * reached at from the network (the machine's IPv4 addresses, for 0.0.0.0 or ::), and a warning.
 */
export function exposureLines(host: string, port: number, interfaces: ReturnType<typeof networkInterfaces>): string[] {
  const loopback = host === "localhost" || host === "::1" || /^127\./.test(host);
  if (loopback) return [];
  const lines: string[] = [];
  if (host === "0.0.0.0" || host === "::") {
    const addresses = Object.values(interfaces)
      .flatMap((entries) => entries ?? [])
      .filter((entry) => entry.family === "IPv4" && !entry.internal)
      .map((entry) => entry.address);
    for (const address of addresses) lines.push(bannerLine("LAN", `http://${address}:${port}`));
  }
  lines.push(
    bannerLine(
      "Warning",
      `listening on ${host}: anyone on the network who can reach port ${port} can read and delete the data here`,
    ),
  );
  return lines;
}

// The banner's values start in one column, after its longest label.
const BANNER_LABEL_WIDTH = "Forward: ".length;

/** One labelled line of the start banner ("  UI:      http://localhost:9999"). */
export function bannerLine(label: string, value: string): string {
  return `  ${`${label}:`.padEnd(BANNER_LABEL_WIDTH)}${value}`;
}

/** One line for an extra OTLP port that could not be listened on. */
async function extraPortProblem(error: ExtraPortError, config: Config): Promise<string> {
  const which = `port ${error.port} (${error.flag})`;
  if (error.code === "EADDRINUSE") {
    const holder = await instanceHolding(error, config);
    // Not "by another program": an older tracekit-local's port does not say whose it is.
    return holder === null
      ? `${which} is in use; choose another, or 0 for any free port`
      : `${which} is held by the tracekit-local running at ${holder}; stop it first, or choose another port (0 for any free one)`;
  }
  if (error.code === "EACCES") return `not allowed to listen on ${which}; try a port above 1023`;
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
    return `cannot listen on address "${config.host}" for ${error.flag}: it is not an address of this machine`;
  }
  return `cannot listen on ${which}: ${error.message.split("\n")[0]}`;
}

/**
 * The URL of a running tracekit-local that holds the extra port `error` names: one on the default
 * port (or TRACEKIT_LOCAL_PORT's) that listens there with the same flag, or one whose main or same
 * extra port it is (as the port itself answers /api/health). The port itself is asked last: an older
 * tracekit-local's gRPC port takes that HTTP/1.1 request for a misdirected export and says so.
 */
async function instanceHolding(error: ExtraPortError, config: Config): Promise<string | null> {
  const envPort = Number(process.env.TRACEKIT_LOCAL_PORT);
  const candidates = new Set([DEFAULT_PORT, ...(Number.isInteger(envPort) ? [envPort] : []), error.port]);
  candidates.delete(config.port);
  for (const port of candidates) {
    // Short: the port itself may belong to a program that takes connections and never answers.
    const found = await probePort(config.host, port, 1000);
    if (found === null || found === "other") continue;
    // The port itself is one of an instance's extra ports (of either kind).
    if ("otlpOnly" in found) {
      if (port === error.port) return found.mainUrl;
      continue;
    }
    if ("notServing" in found) {
      if (port === error.port) return found.url;
      continue;
    }
    // Either of its extra ports: another instance's gRPC port may be the one this start wants for HTTP.
    const holds = found.otlp?.grpc?.port === error.port || found.otlp?.extraHttp?.port === error.port;
    if (port === error.port || holds) return found.url;
  }
  return null;
}

/** The settings of this start that a running instance was started without, e.g. ["--db want.db"]. */
export function settingsNotApplied(
  existing: Pick<ExistingInstance, "storage" | "otlp" | "forwarding">,
  config: Config,
  given: RawOptions,
): string[] {
  const { storage, otlp, forwarding } = existing;
  const ignored: string[] = [];
  if (storage !== null) {
    const samePath =
      storage.kind === "sqlite" &&
      storage.path !== undefined &&
      config.dbPath !== null &&
      resolve(storage.path) === resolve(config.dbPath);
    if (given.db !== undefined && !samePath) ignored.push(`--db ${config.dbPath}`);
    const bounds = [
      ["maxSpans", "--max-spans", config.maxSpans],
      ["maxLogs", "--max-logs", config.maxLogs],
      ["maxMetricSeries", "--max-metric-series", config.maxMetricSeries],
    ] as const;
    for (const [key, flag, value] of bounds) {
      if (given[key] !== undefined && storage[key] !== value) ignored.push(`${flag} ${value}`);
    }
  }
  if (otlp !== null) {
    const listeners = [
      ["--otlp-http-port", config.otlpHttpPort, otlp.extraHttp],
      ["--otlp-grpc-port", config.otlpGrpcPort, otlp.grpc],
    ] as const;
    for (const [flag, wanted, running] of listeners) {
      // 0 asks for any free port: any the running one listens on will do.
      if (wanted !== null && (running == null || (wanted !== 0 && running.port !== wanted))) {
        ignored.push(`${flag} ${wanted}`);
      }
    }
  }
  // Its headers are not shown (an API key): only a target it does not forward to is told.
  const forwardsTo = new Set((Array.isArray(forwarding?.targets) ? forwarding.targets : []).map((t) => t.url));
  for (const target of config.forward) if (!forwardsTo.has(target.url)) ignored.push(`--forward ${target.url}`);
  return ignored;
}

/** What a running instance keeps its data in, e.g. "data in memory (up to 350,000 spans)". */
function storageOf(storage: ExistingInstance["storage"]): string {
  const where =
    storage?.kind === "sqlite" ? `data in the SQLite file ${storage.path ?? "(path not shown)"}` : "data in memory";
  return storage?.maxSpans === undefined ? where : `${where} (up to ${count(storage.maxSpans)} spans)`;
}

/**
 * Opens `url` in the browser. browser.js is imported here on first use: it imports the `open` package
 * with `import()`, which fails in code compiled from V8's code cache on Node 20 (see
 * bin/bundle-loader.js), and the chunk a start runs is compiled from its cache.
 */
async function openInBrowser(url: string): Promise<void> {
  await (await import("./browser.js")).openBrowser(url);
}

/** The answer to a start on a port where a tracekit-local already runs: say so, open it, exit 0. */
async function reportAlreadyRunning(existing: ExistingInstance, config: Config, given: RawOptions): Promise<never> {
  console.log(`tracekit-local ${existing.version} is already running at ${existing.url}`);
  const ignored = settingsNotApplied(existing, config, given);
  if (ignored.length > 0) {
    console.log(
      `  it keeps ${storageOf(existing.storage)}; ${ignored.join(", ")} ${ignored.length === 1 ? "was" : "were"} not applied: stop it first to start with ${ignored.length === 1 ? "it" : "them"}`,
    );
  }
  if (config.open) await openInBrowser(existing.url);
  process.exit(0);
}

/** A JSON file's contents; a file that cannot be read or parsed throws an Error saying why in one line. */
function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === "ENOENT" ? "no such file" : `cannot read it (${code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`is not valid JSON (${jsonSyntaxReason((error as Error).message)})`);
  }
}

/**
 * JSON.parse's reason on one line. V8 quotes the text around the fault as it is (`Unexpected token
 * 'h', "hello<line break>" is not valid JSON`): cut at the line break, the quote was left open.
 * The quoted text is written escaped instead.
 */
function jsonSyntaxReason(message: string): string {
  const quoted = /^(.*?), (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/.exec(message);
  if (quoted === null) return message.replace(/\s+/g, " ").trim();
  return `${quoted[1]} in ${quoted[2] ?? ""}${JSON.stringify(quoted[3])}${quoted[4] ?? ""}`;
}

/**
 * The flags plus the config file (`--config`, else ./tracekit-local.json when present), flags first;
 * `file`: the config file read, as shown, or null.
 */
function withSettingsFile(
  flags: RawOptions,
  configFlag: string | undefined,
): { settings: RawOptions; file: string | null } {
  const file = configFlag ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (file === undefined) return { settings: flags, file: null };
  let json: unknown;
  try {
    json = readJsonFile(file);
  } catch (error) {
    throw new ConfigError(`config file ${file}: ${(error as Error).message}`);
  }
  const shown = configFlag === undefined ? `./${DEFAULT_CONFIG_FILE}` : file;
  return { settings: withConfigFile(flags, json, shown), file: shown };
}

/** How long the banner waits for a `--db` file to be read back before it is printed without what it holds. */
const BANNER_WAITS_FOR_FILE_MS = 100;

/**
 * `command`: the parsed command, to tell flags the user gave (or the environment set) from
 * commander's defaults, which a config file may override.
 */
export async function runStart(options: StartOptions, command?: Command): Promise<void> {
  let config: Config;
  let settings: RawOptions;
  let configFile: string | null;
  try {
    const given = (key: keyof StartOptions) => {
      const source = command?.getOptionValueSource(key);
      return source === undefined || source === "cli" || source === "env" ? options[key] : undefined;
    };
    const flags: RawOptions = {
      port: given("port") as number | undefined,
      host: options.host,
      open: given("open") as boolean | undefined,
      db: options.db,
      maxSpans: options.maxSpans,
      maxLogs: options.maxLogs,
      maxMetricSeries: options.maxMetricSeries,
      strictSpanKinds: options.strictSpanKinds,
      otlpHttpPort: options.otlpHttpPort,
      otlpGrpcPort: options.otlpGrpcPort,
      forward: options.forward,
      forwardHeader: options.forwardHeader,
      forwardCompression: options.forwardCompression,
      prices: options.prices,
      serviceNameMapping: options.serviceNameMapping,
      corsOrigin: options.corsOrigin,
    };
    ({ settings, file: configFile } = withSettingsFile(flags, options.config));
    config = resolveConfig(settings, process.env, readJsonFile);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }

  // The terminal's lines are a courtesy: when stdout is a pipe that closes (`tracekit-local | head`),
  // the server keeps serving instead of dying on the next line it prints.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });

  // A tracekit-local already on the port is told before anything is opened: its --db file (the same
  // command run twice) would be held, and another --db file would be created for nothing.
  const found = config.port === 0 ? null : await probePort(config.host, config.port);
  if (found !== null && found !== "other" && "notServing" in found) {
    console.error(
      `error: port ${config.port} is taken: the tracekit-local there ${found.notServing}; choose another with --port <n> (or --port 0 for any free port)`,
    );
    process.exit(1);
  }
  if (found !== null && found !== "other" && !("otlpOnly" in found))
    await reportAlreadyRunning(found, config, settings);

  /** A start that failed, told in one line: exit 1 (0 when the port turned out to be this command's own instance). */
  const failStart = async (error: unknown): Promise<never> => {
    if (error instanceof ExtraPortError) {
      console.error(`error: ${await extraPortProblem(error, config)}`);
      process.exit(1);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      // One that started between the check above and this start's listen (another program was asked already).
      const existing = found === "other" ? null : await probeExistingInstance(config.host, config.port);
      if (existing !== null) await reportAlreadyRunning(existing, config, settings);
      const holder =
        found !== null && found !== "other" && "otlpOnly" in found
          ? `the ${found.otlpOnly.receives === "otlp-grpc" ? "OTLP/gRPC" : "OTLP/HTTP"} port of the tracekit-local running at ${found.mainUrl}`
          : "in use by another program";
      console.error(
        `error: port ${config.port} is ${holder}; choose another with --port <n> (or --port 0 for any free port)`,
      );
      process.exit(1);
    }
    if (code === "EACCES") {
      console.error(`error: not allowed to listen on ${config.host}:${config.port}; try a port above 1023`);
      process.exit(1);
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
      console.error(`error: cannot listen on address "${config.host}": it is not an address of this machine`);
      process.exit(1);
    }
    if (error instanceof StoreOpenError && error.busy && config.dbPath !== null) {
      // Still held after the wait: most often by a tracekit-local left running, which says so if it is
      // where one usually is (the port this start was asked for is its own, closed by now).
      const ports = [DEFAULT_PORT, Number(process.env.TRACEKIT_LOCAL_PORT)].filter(
        (port) => Number.isInteger(port) && port > 0 && port !== config.port,
      );
      const holder = await instanceHoldingFile(config.dbPath, ports);
      if (holder !== null) {
        console.error(`error: ${error.message}: the tracekit-local at ${holder} (open that one, or stop it first)`);
        process.exit(1);
      }
    }
    console.error(`error: ${(error as Error).message.split("\n")[0]}`);
    process.exit(1);
  };

  // Handlers first: the port listens (and a --db file is read) before startApp resolves, and a signal
  // that arrives meanwhile, or right after the URL is printed, must still shut down cleanly.
  const printer = createEventPrinter();
  const starting = startApp(config, printer);
  let started: Awaited<typeof starting> | null = null;
  // What opening the file evicted is deleted from it as the load goes (the traces larger than
  // --max-spans before it is read back): told once, under the Store line, or when the start ends
  // before that (stopped or failed while the file was read back), since no later start can tell it.
  let evictionTold = false;
  const tellOpenEviction = () => {
    if (evictionTold || started === null || config.dbPath === null) return;
    const line = openEvictionLine(config.dbPath, started.evictedAtOpen(), config);
    if (line === null) return;
    evictionTold = true;
    console.log(line);
  };
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      tellOpenEviction();
      console.log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`\nstopping (${signal})…`);
    const force = setTimeout(() => {
      tellOpenEviction();
      console.error("error: shutdown took longer than 10 s; exiting");
      process.exit(1);
    }, 10_000);
    force.unref();
    // A start that failed meanwhile is told by failStart, below.
    starting.then(
      (app) =>
        app.close().then(
          () => {
            // What a burst of captures held back is told now, not lost with the process.
            printer.close();
            tellOpenEviction();
            console.log("stopped");
            process.exit(0);
          },
          (error: unknown) => {
            console.error(`error while stopping: ${(error as Error).message}`);
            process.exit(1);
          },
        ),
      () => {},
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  let app: Awaited<ReturnType<typeof startApp>>;
  try {
    app = await starting;
  } catch (error) {
    return failStart(error);
  }
  started = app;
  // Stopped before the ports were all listened on: the stop ends it; nothing is printed.
  if (stopping) return;

  // The port listens and answers /api/health while a --db file is read back (the rest waits for it):
  // the URL is printed once the file is open, what it holds once read. A load that fails exits 1 (a
  // stop meanwhile ends it: that is the stop's to tell).
  let loaded = false;
  const ready = app.ready.then(
    () => {
      loaded = true;
    },
    (error: unknown) => {
      if (stopping) return;
      tellOpenEviction();
      return failStart(error);
    },
  );
  // Nothing says it runs before the file is its own: one another process holds is waited for (a
  // tracekit-local still closing lets go within seconds; one still running does not, and the start fails).
  // Opening takes milliseconds otherwise, the reading back the time.
  if (config.dbPath !== null && !(await app.fileOpen)) return;
  const readingStarted = Date.now();
  // A small file is read in a few ms: the Store line then says what it holds, with no line after it.
  if (config.dbPath !== null)
    await Promise.race([ready, new Promise((resolve) => setTimeout(resolve, BANNER_WAITS_FOR_FILE_MS))]);
  // Stopped (Ctrl+C) while the file was read: the stop has said so; no banner after it.
  if (stopping) return;
  const storage =
    config.dbPath === null
      ? "memory"
      : `SQLite file ${config.dbPath}${loaded ? storedNote(app.stored()) : " (reading it back…)"}`;
  console.log(`tracekit-local is running`);
  // A settings file in the current directory is read without being asked for: say that it was.
  if (configFile !== null) console.log(bannerLine("Config", configFile));
  console.log(bannerLine("UI", app.url));
  for (const line of exposureLines(config.host, app.port, networkInterfaces())) console.log(line);
  console.log(
    bannerLine("OTLP", `${app.otlpEndpoint}  (OTLP/HTTP protobuf and JSON: /v1/traces, /v1/logs, /v1/metrics)`),
  );
  if (app.otlpHttpEndpoint !== null) {
    console.log(`${" ".repeat(2 + BANNER_LABEL_WIDTH)}${app.otlpHttpEndpoint}  (the same OTLP/HTTP receiver)`);
  }
  if (app.otlpGrpcEndpoint !== null) {
    console.log(bannerLine("gRPC", `${app.otlpGrpcEndpoint}  (OTLP/gRPC: traces, logs and metrics; gzip or deflate)`));
  }
  console.log(
    bannerLine(
      "Store",
      `${storage}, up to ${count(config.maxSpans)} spans, ${count(config.maxLogs)} log records and ${count(config.maxMetricSeries)} metric series`,
    ),
  );
  // What opening the file evicted to fit smaller bounds than it held is said with what it holds.
  if (loaded) tellOpenEviction();
  if (loaded && app.killSwitch().on) console.log(killSwitchOnAtStartLine(app.killSwitch().since));
  for (const target of config.forward) {
    const headers = Object.keys(target.headers);
    console.log(
      bannerLine(
        "Forward",
        `${target.url}  (everything received, OTLP/HTTP protobuf${target.compression === "gzip" ? ", gzip" : ""}${headers.length === 0 ? "" : `; headers ${headers.join(", ")}`})`,
      ),
    );
  }
  if (config.prices.file !== null) {
    console.log(
      bannerLine(
        "Prices",
        `${config.prices.file} (${count(config.prices.fileModels.length)} models) over the bundled list of ${config.prices.bundledDate}`,
      ),
    );
  }
  if (config.corsOrigins.length > 0) {
    console.log(bannerLine("CORS", `${config.corsOrigins.join(", ")}  (and loopback pages)`));
  }
  if (config.peerNames.size > 0) {
    console.log(bannerLine("Map", `${[...config.peerNames].map(([peer, name]) => `${peer} → ${name}`).join(", ")}`));
  }
  console.log(`  Send traces, logs and metrics with: OTEL_EXPORTER_OTLP_ENDPOINT=${app.otlpEndpoint}`);
  if (app.port !== TRACEKIT_SDK_PORT) {
    console.log(
      `  TraceKit SDKs only look for http://localhost:${TRACEKIT_SDK_PORT}; give them endpoint ${app.otlpEndpoint} instead`,
    );
  }
  console.log(`Press Ctrl+C to stop.`);
  // A command that started this one in the background waits for this word: the health answer alone
  // could come from another instance started at the same time, which got the port first.
  process.send?.("listening", () => {});
  if (config.open) void openInBrowser(app.url);
  if (config.dbPath !== null && !loaded) {
    await ready;
    if (loaded && !stopping) {
      const seconds = ((Date.now() - readingStarted) / 1000).toFixed(1);
      console.log(`  + read back ${config.dbPath}${storedNote(app.stored())} in ${seconds} s`);
      tellOpenEviction();
      if (app.killSwitch().on) console.log(killSwitchOnAtStartLine(app.killSwitch().since));
    }
  }
}
