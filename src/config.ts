import { Buffer } from "node:buffer";
import { validateHeaderValue } from "node:http";
import { dirname, resolve } from "node:path";
import { normalizeModel } from "./domain/llm-cost.js";
import { BUNDLED_PRICES, type PriceList, withPriceFile } from "./domain/llm-prices.js";
import type { PeerNames } from "./domain/service-map.js";
import type { ForwardTargetConfig, ForwardTuning } from "./forward/target.js";
import { DEFAULT_MAX_BODY_BYTES } from "./otlp/limits.js";
import type { GrpcPortTimeouts } from "./server/otlp-grpc.js";
import { DEFAULT_MAX_LOGS } from "./store/log-store.js";
import { DEFAULT_MAX_METRIC_SERIES } from "./store/metric-store.js";
import { DEFAULT_MAX_SPANS } from "./store/store.js";

export const DEFAULT_PORT = 9999;
/** The one address TraceKit SDKs in development mode probe (`http://localhost:9999/api/health`): hard-coded in them. */
export const TRACEKIT_SDK_PORT = 9999;
export const DEFAULT_HOST = "127.0.0.1";

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly open: boolean;
  /** SQLite file, or null for the in-memory store. */
  readonly dbPath: string | null;
  readonly maxSpans: number;
  /** Log records to keep; the first to arrive are evicted past it. */
  readonly maxLogs: number;
  /** Metric series kept; points of new series past it are dropped and counted. */
  readonly maxMetricSeries: number;
  readonly maxBodyBytes: number;
  /** Read span kinds as OTLP's in every request, even from a TraceKit SDK's local-UI path. */
  readonly strictSpanKinds: boolean;
  /** A second port for the same OTLP/HTTP receiver (`--otlp-http-port`, e.g. 4318), or null. 0 picks one. */
  readonly otlpHttpPort: number | null;
  /** A port for OTLP/gRPC (`--otlp-grpc-port`, e.g. 4317), or null. 0 picks one. */
  readonly otlpGrpcPort: number | null;
  /** Upstream OTLP/HTTP receivers everything received is passed on to (`--forward`); empty: none. */
  readonly forward: readonly ForwardTargetConfig[];
  /** Queue, batch and timeout settings of forwarding (defaults in `DEFAULT_FORWARD_TUNING`). */
  readonly forwardTuning?: Readonly<Partial<ForwardTuning>>;
  /** Bounds on connections to `--otlp-grpc-port` that are not gRPC (defaults in `GRPC_PORT_TIMEOUTS`). */
  readonly grpcPortTimeouts?: Readonly<Partial<GrpcPortTimeouts>>;
  /**
   * Tests only: handed, once the `--db` file is open, a way to run a pragma on the store's connection
   * (`max_page_count`, to make its writes fail as on a full disk).
   */
  readonly onDatabasePragma?: (pragma: (statement: string) => unknown) => void;
  /** LLM prices: the bundled table, with `--prices` over it. */
  readonly prices: PriceList;
  /** `--service-name-mapping`: a peer's `host:port` or `host` (lower case) → the name the map shows. */
  readonly peerNames: PeerNames;
  /** `--cors-origin`: more browser origins that may send OTLP (and read `/api/health`), as `URL.origin` spells them. */
  readonly corsOrigins: readonly string[];
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface RawOptions {
  port?: string | number;
  host?: string;
  open?: boolean;
  db?: string;
  maxSpans?: string | number;
  maxLogs?: string | number;
  maxMetricSeries?: string | number;
  strictSpanKinds?: boolean;
  otlpHttpPort?: string | number;
  otlpGrpcPort?: string | number;
  /** `--forward` URLs, and `--forward-header` name=value pairs applied to each. */
  forward?: string[];
  forwardHeader?: string[];
  forwardCompression?: string;
  /** `--prices`: a JSON file of model prices over the bundled table. */
  prices?: string;
  /** `--service-name-mapping` values (`host[:port]=name`), or a config file's object of them. */
  serviceNameMapping?: string[] | Record<string, string>;
  /** `--cors-origin` values: origins such as `http://shop.test:5173`. */
  corsOrigin?: string[];
}

/** Reads and parses a JSON file; throws an Error whose message says why it could not. */
export type ReadJson = (path: string) => unknown;

const noFiles: ReadJson = (path) => {
  throw new Error(`cannot read ${path} here`);
};

/**
 * Flags (already parsed by commander) plus environment → one frozen config. Throws ConfigError.
 * `readJson` reads the files flags name (`--prices`); config.ts itself does no I/O.
 */
export function resolveConfig(
  raw: RawOptions,
  env: NodeJS.ProcessEnv = process.env,
  readJson: ReadJson = noFiles,
): Config {
  const portSource = raw.port ?? env.TRACEKIT_LOCAL_PORT;
  const port = portSource === undefined ? DEFAULT_PORT : parsePort(String(portSource), raw.port === undefined);
  const host = raw.host ?? DEFAULT_HOST;
  if (host.trim() === "") throw new ConfigError("--host needs an address, e.g. 127.0.0.1 or 0.0.0.0");
  const maxSpans = raw.maxSpans === undefined ? DEFAULT_MAX_SPANS : parseMaxSpans(String(raw.maxSpans));
  const maxLogs = raw.maxLogs === undefined ? DEFAULT_MAX_LOGS : parseMaxLogs(String(raw.maxLogs));
  const maxMetricSeries =
    raw.maxMetricSeries === undefined ? DEFAULT_MAX_METRIC_SERIES : parseMaxMetricSeries(String(raw.maxMetricSeries));
  const dbPath = raw.db === undefined ? null : raw.db;
  if (dbPath !== null && dbPath.trim() === "") throw new ConfigError("--db needs a file path");
  const otlpHttpPort =
    raw.otlpHttpPort === undefined ? null : parsePortFlag(String(raw.otlpHttpPort), "--otlp-http-port");
  const otlpGrpcPort =
    raw.otlpGrpcPort === undefined ? null : parsePortFlag(String(raw.otlpGrpcPort), "--otlp-grpc-port");
  assertDistinctPorts([
    ["--port", port],
    ["--otlp-http-port", otlpHttpPort],
    ["--otlp-grpc-port", otlpGrpcPort],
  ]);
  const forwardHeaders = (raw.forwardHeader ?? []).map(parseForwardHeader);
  if (forwardHeaders.length > 0 && (raw.forward ?? []).length === 0) {
    throw new ConfigError("--forward-header needs --forward <url>: it is sent with each forwarded request");
  }
  if (raw.forwardCompression !== undefined && (raw.forward ?? []).length === 0) {
    throw new ConfigError("--forward-compression needs --forward <url>");
  }
  const compression = parseForwardCompression(raw.forwardCompression ?? "gzip");
  // One target per URL: the same upstream named twice (or once with a trailing "/") would take every batch twice.
  const forward = [
    ...new Map(
      (raw.forward ?? []).map((url) => forwardTarget(url, forwardHeaders, compression)).map((t) => [t.url, t]),
    ).values(),
  ];
  for (const target of forward) {
    if (isOwnReceiver(target.url, [port, otlpHttpPort])) {
      throw new ConfigError(
        `--forward ${target.url} is this server's own OTLP receiver: it would forward everything forever`,
      );
    }
  }
  const prices = raw.prices === undefined ? BUNDLED_PRICES : readPrices(raw.prices, readJson);
  const peerNames = parseServiceNameMappings(raw.serviceNameMapping ?? []);
  const corsOrigins = [...new Set((raw.corsOrigin ?? []).map((value) => parseCorsOrigin(value)))];
  return Object.freeze({
    port,
    host,
    prices,
    peerNames,
    corsOrigins: Object.freeze(corsOrigins),
    // TRACEKIT_NO_BROWSER=1 is how scripts kept the first TraceKit local UI from opening a browser.
    open: (raw.open ?? true) && !browserTurnedOff(env),
    dbPath,
    maxSpans,
    maxLogs,
    maxMetricSeries,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    strictSpanKinds: raw.strictSpanKinds ?? false,
    otlpHttpPort,
    otlpGrpcPort,
    forward: Object.freeze(forward),
  });
}

/**
 * TRACEKIT_NO_BROWSER, for every command that may open one: anything but unset, "", "0" and "false"
 * keeps the browser closed.
 */
export function browserTurnedOff(env: NodeJS.ProcessEnv): boolean {
  const value = env.TRACEKIT_NO_BROWSER;
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

export function parsePort(value: string, fromEnv = false): number {
  return parsePortFlag(value, fromEnv ? "TRACEKIT_LOCAL_PORT" : "--port");
}

/** A port number from 0 (any free port) to 65535; `source` names the flag or variable in the message. */
export function parsePortFlag(value: string, source: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new ConfigError(`${source} must be a port number from 0 to 65535, not "${value}"`);
  const port = Number(value);
  if (port > 65535) throw new ConfigError(`${source} must be a port number from 0 to 65535, not "${value}"`);
  return port;
}

/** Two listeners cannot share a port (0 picks a different free one for each). */
function assertDistinctPorts(ports: [flag: string, port: number | null][]): void {
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      const [flagA, a] = ports[i] as [string, number | null];
      const [flagB, b] = ports[j] as [string, number | null];
      if (a !== null && a !== 0 && a === b)
        throw new ConfigError(`${flagB} ${b} is the same port as ${flagA}; give each its own`);
    }
  }
}

export function parseMaxSpans(value: string): number {
  return parseBound(value, "--max-spans", "spans");
}

export function parseMaxLogs(value: string): number {
  return parseBound(value, "--max-logs", "log records");
}

/** A retention bound: a whole number >= 1 (underscores allowed as separators). */
function parseBound(value: string, flag: string, what: string): number {
  const cleaned = value.trim().replace(/_/g, "");
  const n = Number(cleaned);
  if (!/^\d+$/.test(cleaned) || n < 1 || !Number.isSafeInteger(n)) {
    throw new ConfigError(`${flag} must be a whole number of ${what} >= 1, not "${value}"`);
  }
  return n;
}

export function parseMaxMetricSeries(value: string): number {
  return parseBound(value, "--max-metric-series", "series");
}

const SIGNAL_SUFFIX_RE = /\/v1\/(?:traces|logs|metrics)$/;

/**
 * A `--forward` value: an http(s) base URL, as OTEL_EXPORTER_OTLP_ENDPOINT is one (the signal paths
 * `/v1/traces`, `/v1/logs`, `/v1/metrics` are appended). A URL that already ends in one of those paths
 * is read as the base before it, so all three signals still go to their own paths. Credentials in the
 * URL become a Basic Authorization header and are never shown. Returns the base URL as shown.
 */
export function parseForwardUrl(value: string): { url: string; authorization: string | null } {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError(`--forward needs an http:// or https:// URL such as http://collector:4318, not "${value}"`);
  }
  // The URL parser reads "http:///v1" as host "v1" and "http:/collector" as host "collector": a host
  // must follow the "//" as written.
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !/^https?:\/\/[^/?#\s]/i.test(value.trim())) {
    throw new ConfigError(`--forward needs an http:// or https:// URL such as http://collector:4318, not "${value}"`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new ConfigError(`--forward takes a base URL without a query or fragment, not "${value}"`);
  }
  let authorization: string | null = null;
  if (url.username !== "" || url.password !== "") {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    url.username = "";
    url.password = "";
  }
  const path = url.pathname.replace(/\/+$/, "").replace(SIGNAL_SUFFIX_RE, "");
  return { url: `${url.origin}${path}`, authorization };
}

/**
 * A `--cors-origin` value: a page's origin, `http(s)://host[:port]`, spelled as the browser sends it in
 * `Origin` (`URL.origin`: the host name lower-cased, a default port and a trailing "/" left out).
 * `source` names the flag or the config file's key in the message.
 */
export function parseCorsOrigin(value: string, source = "--cors-origin"): string {
  const refused = () =>
    new ConfigError(
      `${source} must be a page's origin, http(s)://host[:port] such as http://shop.test:5173, not "${value}"`,
    );
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw refused();
  }
  // As for --forward: "http:/shop.test" would read as host "shop.test"; the "//" must be written.
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !/^https?:\/\/[^/?#\s]/i.test(value.trim())) {
    throw refused();
  }
  if (url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "" || url.hash !== "") {
    throw refused();
  }
  return url.origin;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "0.0.0.0"]);

/** True when `url` reaches one of this server's own OTLP/HTTP ports on this machine. */
function isOwnReceiver(url: string, ports: (number | null)[]): boolean {
  const parsed = new URL(url);
  const port = parsed.port === "" ? (parsed.protocol === "https:" ? 443 : 80) : Number(parsed.port);
  return LOOPBACK_HOSTS.has(parsed.hostname) && ports.some((own) => own !== null && own !== 0 && own === port);
}

const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the forwarder itself for every request. */
const RESERVED_HEADERS = new Set(["content-type", "content-encoding", "content-length", "host", "transfer-encoding"]);

/** A `--forward-header` value: `name=value` (e.g. `x-api-key=abc123`). */
export function parseForwardHeader(value: string): [name: string, value: string] {
  const eq = value.indexOf("=");
  const name = eq === -1 ? "" : value.slice(0, eq).trim();
  const headerValue = eq === -1 ? "" : value.slice(eq + 1).trim();
  if (eq === -1 || name === "") {
    throw new ConfigError(`--forward-header must be name=value, e.g. x-api-key=abc123, not "${value}"`);
  }
  if (!HEADER_NAME_RE.test(name)) {
    throw new ConfigError(
      `--forward-header "${value}": a header name is letters, digits and !#$%&'*+-.^_\`|~ only (no spaces), not "${name}"`,
    );
  }
  if (/[\r\n\0]/.test(headerValue)) {
    throw new ConfigError(`--forward-header ${name}: its value has a line break or NUL, which a header cannot carry`);
  }
  try {
    // Node refuses to send such a value (each request would fail), so it is refused here, at start.
    validateHeaderValue(name, headerValue);
  } catch {
    throw new ConfigError(
      `--forward-header ${name}: its value has a character a header cannot carry (printable ASCII, tabs and Latin-1 only)`,
    );
  }
  if (RESERVED_HEADERS.has(name.toLowerCase())) {
    throw new ConfigError(`--forward-header cannot set ${name}: tracekit-local sets it for each request`);
  }
  return [name, headerValue];
}

/** `--forward-compression`: gzip (the default) or none. */
export function parseForwardCompression(value: string): "gzip" | "none" {
  if (value === "gzip" || value === "none") return value;
  throw new ConfigError(`--forward-compression must be gzip or none, not "${value}"`);
}

function forwardTarget(
  value: string,
  headers: [string, string][],
  compression: ForwardTargetConfig["compression"],
): ForwardTargetConfig {
  const { url, authorization } = parseForwardUrl(value);
  const all: Record<string, string> = {};
  if (authorization !== null) all.Authorization = authorization;
  for (const [name, headerValue] of headers) all[name] = headerValue;
  return Object.freeze({
    url,
    endpoints: Object.freeze({
      "/v1/traces": `${url}/v1/traces`,
      "/v1/logs": `${url}/v1/logs`,
      "/v1/metrics": `${url}/v1/metrics`,
    }),
    headers: Object.freeze(all),
    compression,
  });
}

function readPrices(path: string, readJson: ReadJson): PriceList {
  if (path.trim() === "") throw new ConfigError("--prices needs a JSON file of model prices");
  let json: unknown;
  try {
    json = readJson(path);
  } catch (error) {
    throw new ConfigError(`--prices ${path}: ${(error as Error).message}`);
  }
  try {
    return withPriceFile(json, path, normalizeModel);
  } catch (error) {
    throw new ConfigError(`--prices ${path}: ${(error as Error).message}`);
  }
}

const MAPPING_RE = /^(\[[0-9a-f:.]+\]|[^\s=:[\]]+)(?::(\d{1,5}))?$/i;

/** One `--service-name-mapping` value: `host[:port]=name`, e.g. `localhost:8082=payment-service`. */
export function parseServiceNameMapping(value: string): [peer: string, name: string] {
  const eq = value.indexOf("=");
  const peer = eq === -1 ? "" : value.slice(0, eq).trim();
  const name = eq === -1 ? "" : value.slice(eq + 1).trim();
  return mappingEntry(peer, name, value);
}

function mappingEntry(peer: string, name: string, shown: string): [string, string] {
  const match = MAPPING_RE.exec(peer);
  if (match === null || name === "" || /[\r\n\0]/.test(name)) {
    throw new ConfigError(
      `--service-name-mapping must be host[:port]=name, e.g. localhost:8082=payment-service, not "${shown}"`,
    );
  }
  const host = (match[1] as string).replace(/^\[|\]$/g, "").toLowerCase();
  return [match[2] === undefined ? host : `${host}:${Number(match[2])}`, name];
}

/** Every mapping; a later one for the same peer wins. */
export function parseServiceNameMappings(values: readonly string[] | Readonly<Record<string, string>>): PeerNames {
  const entries = Array.isArray(values)
    ? (values as readonly string[]).map(parseServiceNameMapping)
    : Object.entries(values).map(([peer, name]) =>
        mappingEntry(peer.trim(), typeof name === "string" ? name.trim() : "", `${peer}=${String(name)}`),
      );
  return new Map(entries);
}

/** Keys of a config file (`--config`, or tracekit-local.json in the current directory): the flags' long names in camelCase. */
const CONFIG_KEYS: Record<keyof RawOptions, "number" | "string" | "boolean" | "strings" | "mapping"> = {
  port: "number",
  host: "string",
  open: "boolean",
  db: "string",
  maxSpans: "number",
  maxLogs: "number",
  maxMetricSeries: "number",
  strictSpanKinds: "boolean",
  otlpHttpPort: "number",
  otlpGrpcPort: "number",
  forward: "strings",
  forwardHeader: "strings",
  forwardCompression: "string",
  prices: "string",
  serviceNameMapping: "mapping",
  corsOrigin: "strings",
};

/** The checks of a config file's numbers, each given the name to refuse a value under. */
const CONFIG_NUMBER_CHECKS: Partial<Record<string, (value: string, name: string) => unknown>> = {
  port: parsePortFlag,
  otlpHttpPort: parsePortFlag,
  otlpGrpcPort: parsePortFlag,
  maxSpans: (value, name) => parseBound(value, name, "spans"),
  maxLogs: (value, name) => parseBound(value, name, "log records"),
  maxMetricSeries: (value, name) => parseBound(value, name, "series"),
};

/** The config file read when no `--config` is given, if it is in the current directory. */
export const DEFAULT_CONFIG_FILE = "tracekit-local.json";

/**
 * A config file's settings under the flags: a key the flags (or the environment) set is the flags';
 * the rest come from the file. Paths in the file (`db`, `prices`) are relative to the file. An
 * unknown key or a value of the wrong type is a ConfigError naming the file and the key.
 */
export function withConfigFile(flags: RawOptions, json: unknown, file: string): RawOptions {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ConfigError(`${file} must hold a JSON object of settings such as {"port": 9999}`);
  }
  const merged: Record<string, unknown> = { ...flags };
  for (const [key, value] of Object.entries(json)) {
    if (!Object.hasOwn(CONFIG_KEYS, key)) {
      throw new ConfigError(
        `${file}: unknown setting "${key.slice(0, 60)}" (known: ${Object.keys(CONFIG_KEYS).join(", ")})`,
      );
    }
    const type = CONFIG_KEYS[key as keyof RawOptions];
    const ok =
      type === "number"
        ? typeof value === "number"
        : type === "strings"
          ? Array.isArray(value) && value.every((item) => typeof item === "string")
          : type === "mapping"
            ? (Array.isArray(value) && value.every((item) => typeof item === "string")) ||
              (typeof value === "object" && value !== null && Object.values(value).every((v) => typeof v === "string"))
            : typeof value === type;
    if (!ok) {
      const wanted = {
        number: "a number",
        string: "a string",
        boolean: "true or false",
        strings: "an array of strings",
        mapping: 'an object such as {"localhost:8082": "payment-service"}',
      }[type];
      throw new ConfigError(`${file}: "${key}" must be ${wanted}`);
    }
    // A value is checked as its flag's would be, and a refusal names the file and the key, not the flag.
    const check = CONFIG_NUMBER_CHECKS[key];
    if (check !== undefined) check(String(value), `${file}: "${key}"`);
    if (key === "corsOrigin") for (const origin of value as string[]) parseCorsOrigin(origin, `${file}: "${key}"`);
    if (merged[key] !== undefined) continue;
    merged[key] = (key === "db" || key === "prices") && value !== "" ? resolve(dirname(file), value as string) : value;
  }
  return merged as RawOptions;
}
