import type { MiddlewareHandler } from "hono";
import { withoutRunPrefix } from "../domain/run-path.js";
import type { RejectionLog } from "../ingest/rejections.js";
import { type HostPolicy, parseOrigin } from "./security.js";

export interface CorsPreflightDeps {
  hostPolicy: HostPolicy;
  rejections: RejectionLog;
  onClientError?(path: string, status: number, message: string, details?: { method?: string }): void;
}

/**
 * The paths whose routes decide themselves which pages may call them: the API (`/api/health` answers
 * dev origins, the rest only this app's own page), the SDK protocol and MCP. Their preflights are
 * left to them, and are not answered here.
 */
function hasOwnOriginRules(path: string): boolean {
  const own = withoutRunPrefix(path);
  return own === "/api" || own.startsWith("/api/") || own.startsWith("/sdk/") || own === "/mcp";
}

/** How many refused origins are told (and counted) before further ones are only answered: origins are the client's to choose. */
const MAX_TOLD_ORIGINS = 256;

/**
 * The CORS preflight of a browser exporter, on any path but those with rules of their own: a dev
 * origin (HostPolicy.isDevOrigin) is let through on every path, so that an exporter whose `url` lacks
 * `/v1/traces` gets its POST answered with a 404 that says so instead of a failed preflight the browser
 * reports as a CORS problem. Another origin gets a 403 saying why and how to allow it; an exporter's
 * preflight (to `/v1/…`) from a page that looks like a developer's own (looksLikeDevelopment) is also
 * counted and told, once per origin (a page retries every export, and a failed preflight is not cached). An OPTIONS without
 * an `Origin` is no preflight, and goes on to the routes.
 */
export function corsPreflight(deps: CorsPreflightDeps): MiddlewareHandler {
  const told = new Set<string>();
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (c.req.method !== "OPTIONS" || origin === undefined || hasOwnOriginRules(c.req.path)) return next();
    if (deps.hostPolicy.isDevOrigin(origin)) {
      return c.body(null, 204, preflightHeaders(origin, c.req.header("access-control-request-headers")));
    }
    const message = refusedOriginMessage(origin);
    // Told only for an exporter's preflight from a page that looks like a developer's own: any website
    // the user visits can send a preflight here, and the terminal should not suggest allowing it.
    // (An opaque origin, "null", is a file:// page or a sandboxed frame: told to serve the page from localhost.)
    const worthTelling = isExportPath(c.req.path) && (origin === "null" || looksLikeDevelopment(origin));
    if (worthTelling && !told.has(origin) && told.size < MAX_TOLD_ORIGINS) {
      told.add(origin);
      deps.rejections.record({ path: c.req.path, method: "OPTIONS", status: 403, message });
      deps.onClientError?.(c.req.path, 403, message, { method: "OPTIONS" });
    }
    return c.json({ error: { code: "forbidden_origin", message } }, 403, { Vary: "Origin" });
  };
}

/**
 * A dev origin's preflight answer. With credentials: `navigator.sendBeacon` (OpenTelemetry JS 1.x
 * exporters send so) always sends credentials, and the browser refuses the POST unless the preflight
 * allows them. The OTLP paths read no cookie nor any other credential, so allowing them lets these
 * pages send and read nothing more; the origin is echoed, never `*`, which credentials do not take.
 */
function preflightHeaders(origin: string, requestedHeaders: string | undefined): Record<string, string> {
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": requestedHeaders ?? "content-type",
    "Access-Control-Max-Age": "86400",
    Vary: "Origin",
  };
}

/** Why a page's preflight was refused, naming the remedy. */
export function refusedOriginMessage(origin: string): string {
  const allowed =
    "CORS is allowed for loopback pages (localhost, *.localhost, 127.x.x.x, [::1], on any port) and origins given with --cors-origin";
  const url = httpOrigin(origin);
  if (url === null) {
    // "null": a file:// page or a sandboxed frame, which no flag can name.
    const shown = origin.length > 100 ? `${origin.slice(0, 100)}…` : origin;
    return `a page on origin "${shown}" may not send here: ${allowed}; serve the page from http://localhost (any port)`;
  }
  return `a page on ${url} may not send here: ${allowed}; to allow it, start tracekit-local with --cors-origin ${url}`;
}

/** An OTLP export's path (`/v1/…`, also under a run's endpoint): where a browser exporter sends. */
function isExportPath(path: string): boolean {
  return withoutRunPrefix(path).startsWith("/v1/");
}

/** Names that only a local network or this machine resolves: what a developer serves a page from. */
const LOCAL_SUFFIXES = [".test", ".local", ".localhost", ".internal", ".lan", ".home.arpa"];

/**
 * Whether a page's origin looks like one a developer serves their own app from: a name without a dot
 * (a docker-compose service), a reserved or local-network name (`shop.test`, `app.local`), or a
 * private address. A public website's origin does not.
 */
export function looksLikeDevelopment(origin: string): boolean {
  const url = parseOrigin(origin);
  if (url === null) return false;
  const host = url.hostname.toLowerCase();
  if (host.startsWith("[")) {
    // IPv6: unique local (fc00::/7) and link-local (fe80::/10) addresses.
    return /^\[(f[cd]|fe[89ab])/.test(host);
  }
  const ipv4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (ipv4 !== null) {
    const [a, b] = [Number(ipv4[1]), Number(ipv4[2])];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  return !host.includes(".") || LOCAL_SUFFIXES.some((suffix) => host.endsWith(suffix));
}

/** The origin as `--cors-origin` takes it, or null when it is not an http(s) origin. */
function httpOrigin(origin: string): string | null {
  const url = parseOrigin(origin);
  return url !== null && (url.protocol === "http:" || url.protocol === "https:") ? url.origin : null;
}
