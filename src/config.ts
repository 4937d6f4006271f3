import { Buffer } from "node:buffer";
import type { ForwardTargetConfig, ForwardTuning } from "./forward/target.js";
import { DEFAULT_MAX_LOGS } from "./store/log-store.js";
import { DEFAULT_MAX_METRIC_SERIES } from "./store/metric-store.js";
import { DEFAULT_MAX_SPANS } from "./store/store.js";

export const DEFAULT_PORT = 9999;
/** The one address TraceKit SDKs in development mode probe (`http://localhost:9999/api/health`): hard-coded in them. */
export const TRACEKIT_SDK_PORT = 9999;
export const DEFAULT_HOST = "127.0.0.1";
/** OTLP bodies above this (before or after gunzip) get 413. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

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
}

/** Flags (already parsed by commander) plus environment → one frozen config. Throws ConfigError. */
export function resolveConfig(raw: RawOptions, env: NodeJS.ProcessEnv = process.env): Config {
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
  const forward = (raw.forward ?? []).map((url) => forwardTarget(url, forwardHeaders, compression));
  for (const target of forward) {
    if (isOwnReceiver(target.url, [port, otlpHttpPort])) {
      throw new ConfigError(
        `--forward ${target.url} is this server's own OTLP receiver: it would forward everything forever`,
      );
    }
  }
  return Object.freeze({
    port,
    host,
    // TRACEKIT_NO_BROWSER=1 is how scripts kept the first TraceKit local UI from opening a browser.
    open: (raw.open ?? true) && !isSet(env.TRACEKIT_NO_BROWSER),
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

/** An on/off environment variable: anything but unset, "", "0" and "false" means on. */
function isSet(value: string | undefined): boolean {
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
  if (url.protocol !== "http:" && url.protocol !== "https:") {
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
  if (!HEADER_NAME_RE.test(name) || /[\r\n\0]/.test(headerValue)) {
    throw new ConfigError(`--forward-header must be name=value, e.g. x-api-key=abc123, not "${value}"`);
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
