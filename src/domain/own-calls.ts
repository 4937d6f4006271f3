import { withoutRunPrefix } from "./run-path.js";
import { type Attributes, type Span, stringAttribute } from "./span.js";

/**
 * Paths an SDK calls on this server for its own sake: exports, the local-UI health probe and the
 * code-monitoring protocol. An app's HTTP instrumentation that is not told to ignore them traces
 * these calls as children of whatever request was active (the TraceKit Node SDK does), so the user's
 * trace grows by one span per export, forever.
 */
const OWN_PATH_RE = /^\/(?:v1\/(?:traces|logs|metrics)|api\/health|sdk\/)/;
/** The paths of the second OTLP/HTTP port, which serves nothing else. */
const OTLP_PATH_RE = /^\/v1\/(?:traces|logs|metrics)$/;

/**
 * Where the TraceKit SDKs look for a local UI in development mode, whatever port this one listens on:
 * with the server elsewhere (and `TRACEKIT_ENDPOINT` pointing there) the probe fails, and its failing
 * CLIENT span would sit in the app's first request as an error of the user's.
 */
const SDK_PROBE_PORT = 9999;
const SDK_PROBE_PATH = "/api/health";

export interface OwnAddress {
  /** The port this server listens on. */
  port: number;
  /** The second OTLP/HTTP port (`--otlp-http-port`), where only the export paths are this server's. */
  otlpHttpPort?: number | null;
  /** True for a host name that reaches this server (loopback names, the listen address…). */
  isOwnHost(host: string): boolean;
}

function portAttr(attributes: Attributes, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === "number") return value;
    if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  }
  return undefined;
}

interface Target {
  host: string;
  port: number;
  path: string;
}

/**
 * Whether a URL or path could hold one of `OWN_PATH_RE`'s paths: a test of a few substrings that rules
 * out nearly every span of an app (each CLIENT span passes here on ingest) before any URL is parsed.
 */
function mayHoldOwnPath(text: string): boolean {
  return text.includes("/v1/") || text.includes("/api/health") || text.includes("/sdk/");
}

/**
 * Where a CLIENT span's request went, from the current or the older HTTP semantic conventions; null
 * when that is unknown or its path cannot be one of this server's.
 */
function targetOf(attributes: Attributes): Target | null {
  const full = stringAttribute(attributes, "url.full", "http.url");
  if (full !== undefined) {
    if (!mayHoldOwnPath(full)) return null;
    try {
      const url = new URL(full);
      if (url.protocol !== "http:" && url.protocol !== "https:") return null;
      const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
      return { host: url.hostname.replace(/^\[|\]$/g, ""), port, path: url.pathname };
    } catch {
      return null;
    }
  }
  const path = stringAttribute(attributes, "url.path", "http.target");
  if (path === undefined || !mayHoldOwnPath(path)) return null;
  let host = stringAttribute(attributes, "server.address", "net.peer.name");
  let port = portAttr(attributes, "server.port", "net.peer.port");
  const hostHeader = stringAttribute(attributes, "http.host");
  if ((host === undefined || port === undefined) && hostHeader !== undefined) {
    const colon = hostHeader.lastIndexOf(":");
    if (colon > 0 && /^\d+$/.test(hostHeader.slice(colon + 1))) {
      host ??= hostHeader.slice(0, colon);
      port ??= Number(hostHeader.slice(colon + 1));
    } else {
      host ??= hostHeader;
    }
  }
  if (host === undefined) return null;
  return { host, port: port ?? 80, path };
}

/**
 * True for a CLIENT span that records an SDK's own call to this server (an export, the health probe,
 * a code-monitoring poll), or a TraceKit SDK's probe of the local UI's usual address: such spans are
 * not part of the user's request and are not stored.
 */
export function isOwnCallSpan(span: Span, own: OwnAddress): boolean {
  if (span.kind !== "CLIENT") return false;
  const target = targetOf(span.attributes);
  if (target === null) return false;
  // A TraceKit SDK given a run's endpoint calls the same paths under it (run-path.ts).
  const path = withoutRunPrefix(target.path.split("?")[0] ?? "");
  const ownPath =
    target.port === own.port
      ? OWN_PATH_RE.test(path)
      : (target.port === own.otlpHttpPort && OTLP_PATH_RE.test(path)) ||
        (target.port === SDK_PROBE_PORT && path === SDK_PROBE_PATH);
  return ownPath && own.isOwnHost(target.host.toLowerCase());
}
