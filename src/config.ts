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
  /** Metric series kept; points of new series past it are dropped and counted. */
  readonly maxMetricSeries: number;
  readonly maxBodyBytes: number;
  /** Read span kinds as OTLP's in every request, even from a TraceKit SDK's local-UI path. */
  readonly strictSpanKinds: boolean;
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
  maxMetricSeries?: string | number;
  strictSpanKinds?: boolean;
}

/** Flags (already parsed by commander) plus environment → one frozen config. Throws ConfigError. */
export function resolveConfig(raw: RawOptions, env: NodeJS.ProcessEnv = process.env): Config {
  const portSource = raw.port ?? env.TRACEKIT_LOCAL_PORT;
  const port = portSource === undefined ? DEFAULT_PORT : parsePort(String(portSource), raw.port === undefined);
  const host = raw.host ?? DEFAULT_HOST;
  if (host.trim() === "") throw new ConfigError("--host needs an address, e.g. 127.0.0.1 or 0.0.0.0");
  const maxSpans = raw.maxSpans === undefined ? DEFAULT_MAX_SPANS : parseMaxSpans(String(raw.maxSpans));
  const maxMetricSeries =
    raw.maxMetricSeries === undefined ? DEFAULT_MAX_METRIC_SERIES : parseMaxMetricSeries(String(raw.maxMetricSeries));
  const dbPath = raw.db === undefined ? null : raw.db;
  if (dbPath !== null && dbPath.trim() === "") throw new ConfigError("--db needs a file path");
  return Object.freeze({
    port,
    host,
    // TRACEKIT_NO_BROWSER=1 is how scripts kept the first TraceKit local UI from opening a browser.
    open: (raw.open ?? true) && !isSet(env.TRACEKIT_NO_BROWSER),
    dbPath,
    maxSpans,
    maxMetricSeries,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    strictSpanKinds: raw.strictSpanKinds ?? false,
  });
}

/** An on/off environment variable: anything but unset, "", "0" and "false" means on. */
function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

export function parsePort(value: string, fromEnv = false): number {
  const source = fromEnv ? "TRACEKIT_LOCAL_PORT" : "--port";
  if (!/^\d+$/.test(value.trim()))
    throw new ConfigError(`${source} must be a port number from 0 to 65535, not "${value}"`);
  const port = Number(value);
  if (port > 65535) throw new ConfigError(`${source} must be a port number from 0 to 65535, not "${value}"`);
  return port;
}

export function parseMaxSpans(value: string): number {
  const cleaned = value.trim().replace(/_/g, "");
  const n = Number(cleaned);
  if (!/^\d+$/.test(cleaned) || n < 1 || !Number.isSafeInteger(n)) {
    throw new ConfigError(`--max-spans must be a whole number of spans >= 1, not "${value}"`);
  }
  return n;
}

export function parseMaxMetricSeries(value: string): number {
  const cleaned = value.trim().replace(/_/g, "");
  const n = Number(cleaned);
  if (!/^\d+$/.test(cleaned) || n < 1 || !Number.isSafeInteger(n)) {
    throw new ConfigError(`--max-metric-series must be a whole number of series >= 1, not "${value}"`);
  }
  return n;
}
