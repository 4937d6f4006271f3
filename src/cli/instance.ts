import { connect } from "node:net";
import { type Command, InvalidArgumentError, Option } from "commander";
import { ConfigError, DEFAULT_PORT, parsePort } from "../config.js";
import type { OtlpOnlyPortHealthResponse } from "../protocol.js";
import { invalidArgument } from "./argument-error.js";

/** How a client command (`demo`, and every command that talks to a running instance) names it. */
export interface InstanceOptions {
  /** Port on localhost; from --port or TRACEKIT_LOCAL_PORT. */
  port?: number;
  /** The origin of the instance's address (another host); refused beside --port (see addInstanceOptions). */
  url?: string;
}

/** What a running instance says of itself on GET /api/health (the fields a client command relies on). */
export interface InstanceHealth {
  name: "tracekit-local";
  version: string;
  [field: string]: unknown;
}

const HEALTH_TIMEOUT_MS = 2_000;

/**
 * --url names an instance by its address: its origin (scheme, host and port). A path, query or fragment
 * is dropped: users paste the browser's address (`…/traces?since=…`) or the OTLP endpoint
 * (`…/v1/traces`), and the instance serves its UI, API and OTLP paths only at the root, so with a path
 * kept, /api/health was asked for under it and answered by the web app's page (or a 404).
 */
function parseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InvalidArgumentError(`Use an http(s) URL such as http://localhost:${DEFAULT_PORT}.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidArgumentError(`Use an http(s) URL such as http://localhost:${DEFAULT_PORT}.`);
  }
  return url.origin;
}

function parseClientPort(value: string): number {
  try {
    const port = parsePort(value);
    if (port === 0) throw new ConfigError("0 names no running instance");
    return port;
  } catch (error) {
    throw invalidArgument((error as Error).message);
  }
}

/** Adds --port and --url, found the way the server itself picks its port (--port, TRACEKIT_LOCAL_PORT, 9999). */
export function addInstanceOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "-p, --port <n>",
        `port of the running tracekit-local on localhost (default ${DEFAULT_PORT}, or TRACEKIT_LOCAL_PORT)`,
      ).argParser(parseClientPort),
    )
    .addOption(
      // Both name the instance: given together, one would be ignored without a word (exit 2 instead).
      new Option(
        "--url <base>",
        "address of a tracekit-local on another host (instead of --port); a path in it is ignored",
      )
        .argParser(parseUrl)
        .conflicts("port"),
    );
}

/**
 * Refuses, in one line and exit 2 (as a bad flag), the flags that name or tune a running instance
 * beside `--db`, which reads or writes the file itself: given together, one of them would be ignored
 * without a word. `others` are a command's own such flags, with their values (undefined: not given).
 */
export function refuseInstanceFlagsWithDb(
  options: InstanceOptions & { db?: string },
  others: readonly (readonly [flag: string, value: unknown])[] = [],
): void {
  if (options.db === undefined) return;
  const given = [["--url", options.url], ["--port", options.port], ...others].find(([, value]) => value !== undefined);
  if (given === undefined) return;
  console.error(
    `error: ${given[0]} is for a running tracekit-local, which --db does not use (it opens the file directly): give one or the other`,
  );
  process.exit(2);
}

/** The base URL the options name. Throws ConfigError for a bad TRACEKIT_LOCAL_PORT. */
export function instanceUrl(options: InstanceOptions, env: NodeJS.ProcessEnv = process.env): string {
  if (options.url !== undefined) return options.url;
  if (options.port !== undefined) return `http://localhost:${options.port}`;
  const raw = env.TRACEKIT_LOCAL_PORT;
  const port = raw === undefined || raw.trim() === "" ? DEFAULT_PORT : parsePort(raw, true);
  if (port === 0)
    throw new ConfigError("TRACEKIT_LOCAL_PORT is 0, which names no running instance; pass --port or --url");
  return `http://localhost:${port}`;
}

/** A tracekit-local's extra OTLP port, as it says on /api/health (OtlpOnlyPortHealthResponse). */
export interface OtlpOnlyPort {
  receives: "otlp-http" | "otlp-grpc";
  /** Its main port (UI and API). */
  mainPort: number;
}

/**
 * What asking `url` for /api/health once found: the instance's health answer, one of its extra OTLP
 * ports, an instance not serving yet (why: it waits for its `--db` file), the status of another
 * program's HTTP answer, or no answer (none in time, or none as an HTTP server; also nothing listening).
 */
type HealthAnswer =
  | { health: InstanceHealth }
  | { otlpOnly: OtlpOnlyPort }
  | { notServing: string }
  | { status: number }
  | { noAnswer: "timeout" | "failed" };

/** Why a tracekit-local answering /api/health 503 does not serve yet, or null for any other program's answer. */
function notServingReason(body: unknown): string | null {
  const answer = body as { name?: unknown; error?: { message?: unknown } } | null;
  if (answer?.name !== "tracekit-local" || typeof answer.error?.message !== "string") return null;
  return answer.error.message.replace(/^tracekit-local /, "");
}

/** One line for a client that found the tracekit-local at `url` not serving yet (`reason`: notServingReason). */
export function notServingText(url: string, reason: string): string {
  return `the tracekit-local at ${url} ${reason}; try again once it has started`;
}

/** The extra OTLP port a 404 answer to /api/health describes, or null for any other answer. */
function otlpOnlyPortOf(body: unknown): OtlpOnlyPort | null {
  const port = (body as Partial<OtlpOnlyPortHealthResponse> | null)?.otlpOnlyPort;
  if (typeof port !== "object" || port === null || port.name !== "tracekit-local") return null;
  if (port.receives !== "otlp-http" && port.receives !== "otlp-grpc") return null;
  if (!Number.isInteger(port.mainPort) || port.mainPort < 1 || port.mainPort > 65535) return null;
  return { receives: port.receives, mainPort: port.mainPort };
}

/**
 * One line for a client pointed at a tracekit-local's extra OTLP port (at `url`): whose port it is,
 * and where its UI and API are, on the host `url` names.
 */
export function otlpOnlyPortText(url: string, otlpOnly: OtlpOnlyPort): string {
  const asked = new URL(url);
  const main = new URL(url);
  main.port = String(otlpOnly.mainPort);
  const mainUrl = main.origin;
  const what = otlpOnly.receives === "otlp-http" ? "OTLP/HTTP" : "OTLP/gRPC";
  const use = isLocal(url) ? `--port ${otlpOnly.mainPort}` : `--url ${mainUrl}`;
  const port = portOf(asked);
  return `port ${port} is tracekit-local's ${what} port; its UI and API are at ${mainUrl}: use ${use}`;
}

/** The port an http(s) URL names, its scheme's default when it names none. */
export function portOf(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : "80");
}

async function askHealth(url: string, timeoutMs: number): Promise<HealthAnswer> {
  let response: Response;
  try {
    response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { noAnswer: (error as Error).name === "TimeoutError" ? "timeout" : "failed" };
  }
  try {
    if (response.status === 503) {
      const notServing = notServingReason(await response.json());
      return notServing === null ? { status: response.status } : { notServing };
    }
    if (!response.ok) {
      const otlpOnly = response.status === 404 ? otlpOnlyPortOf(await response.json()) : null;
      return otlpOnly === null ? { status: response.status } : { otlpOnly };
    }
    const body = (await response.json()) as { name?: unknown; version?: unknown };
    if (body.name !== "tracekit-local") return { status: response.status };
    return {
      health: { ...body, name: "tracekit-local", version: typeof body.version === "string" ? body.version : "?" },
    };
  } catch {
    return { status: response.status };
  } finally {
    await response.body?.cancel().catch(() => {});
  }
}

/** The instance's health answer, or null when nothing (or something other than tracekit-local) answers in time. */
export async function probeInstance(url: string, timeoutMs = HEALTH_TIMEOUT_MS): Promise<InstanceHealth | null> {
  const answer = await askHealth(url, timeoutMs);
  return "health" in answer ? answer.health : null;
}

/**
 * As probeInstance, and told apart from another program: a tracekit-local's extra OTLP port, and one
 * not serving yet.
 */
export async function probeInstanceOrPort(
  url: string,
  timeoutMs = HEALTH_TIMEOUT_MS,
): Promise<{ health: InstanceHealth } | { otlpOnly: OtlpOnlyPort } | { notServing: string } | null> {
  const answer = await askHealth(url, timeoutMs);
  return "health" in answer || "otlpOnly" in answer || "notServing" in answer ? answer : null;
}

/** How to get an instance at `url`: the start command for its port when it is on this machine. */
export function startHint(url: string): string {
  const { hostname, port } = new URL(url);
  if (hostname !== "localhost" && hostname !== "127.0.0.1" && hostname !== "[::1]") {
    return "start it on that machine (with --host 0.0.0.0 to reach it from here), or pass --port / --url";
  }
  const number = port === "" ? 80 : Number(port);
  return `start it with \`tracekit-local${number === DEFAULT_PORT ? "" : ` --port ${number}`}\`, or pass --port / --url`;
}

function isLocal(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === "localhost" || hostname === "127.0.0.1" || hostname === "[::1]";
}

/**
 * Whether anything accepts connections on host:port. A plain TCP connect, so that the usual case of a
 * start (nothing there) costs a refused connection and not the load of the HTTP client.
 */
export function accepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ""), port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Why no tracekit-local answered at `url` when another program holds its port on this machine: its
 * HTTP answer, or that it sent none (as the one ask for /api/health found). Null when nothing takes
 * the connection there (or the host is another machine's): then the advice is to start one, which
 * another program on the port would only make fail. An HTTP answer proves the port held, so only
 * when there was none is the port tried once more.
 */
async function anotherProgramAt(
  url: string,
  answer: Exclude<HealthAnswer, { health: InstanceHealth } | { otlpOnly: OtlpOnlyPort } | { notServing: string }>,
): Promise<string | null> {
  if (!isLocal(url)) return null;
  if ("status" in answer) return `another program answers there (HTTP ${answer.status} to /api/health)`;
  const { hostname, port } = new URL(url);
  if (!(await accepts(hostname, port === "" ? 80 : Number(port), 1_000))) return null;
  return answer.noAnswer === "timeout"
    ? `a program holds the port but sent no answer within ${HEALTH_TIMEOUT_MS / 1000} s`
    : "a program holds the port but did not answer as an HTTP server";
}

/**
 * The running instance the options name, or a one-line error and exit: 2 for a bad TRACEKIT_LOCAL_PORT,
 * 1 when nothing answers there. Only for cli/ commands (it prints and exits).
 */
export async function requireInstance(options: InstanceOptions): Promise<{ url: string; health: InstanceHealth }> {
  let url: string;
  try {
    url = instanceUrl(options);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const answer = await askHealth(url, HEALTH_TIMEOUT_MS);
  if ("otlpOnly" in answer) {
    console.error(`error: ${otlpOnlyPortText(url, answer.otlpOnly)}`);
    process.exit(1);
  }
  if ("notServing" in answer) {
    console.error(`error: ${notServingText(url, answer.notServing)}`);
    process.exit(1);
  }
  if (!("health" in answer)) {
    const other = await anotherProgramAt(url, answer);
    const advice = other === null ? startHint(url) : `${other}; pass the --port or --url of a running tracekit-local`;
    console.error(`error: no tracekit-local answers at ${url}: ${advice}`);
    process.exit(1);
  }
  return { url, health: answer.health };
}
