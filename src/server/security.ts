import { isIP } from "node:net";
import { hostname as osHostname } from "node:os";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1"]);
const WILDCARD_ADDRESSES = new Set(["0.0.0.0", "::", ""]);

/** Host name of a `Host` header or URL authority, lower-cased, without port or IPv6 brackets. */
export function hostnameOf(authority: string): string {
  const value = authority.trim().toLowerCase();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    return end === -1 ? value : value.slice(1, end);
  }
  const colon = value.indexOf(":");
  // More than one colon without brackets is a bare IPv6 address.
  if (colon !== -1 && value.indexOf(":", colon + 1) === -1) return value.slice(0, colon);
  return value;
}

function isLoopbackName(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface HostPolicy {
  /** True when a request's `Host` header names this server (stops DNS rebinding). */
  isAllowedHost(hostHeader: string | undefined): boolean;
  /** True when a browser `Origin` is this app's own page (same allowed host and the same port). */
  isOwnOrigin(origin: string, port: number): boolean;
  /** True when a browser page on this origin may send OTLP (dev origins). */
  isDevOrigin(origin: string): boolean;
  /** True when listening on every interface, where any host name may be the right one. */
  readonly wildcard: boolean;
  /**
   * Whether a request for `path` with this `Host` is served. DNS rebinding: a page on evil.example
   * resolving to 127.0.0.1 sends `Host: evil.example`. Listening on every interface (`--host
   * 0.0.0.0`), apps in containers and on other machines send OTLP and the SDK protocol under names
   * this server cannot know (`host.docker.internal`, a LAN name): those paths, which hand out no
   * stored telemetry, take any Host there; the UI and `/api/*` keep the check.
   */
  allowsRequest(path: string, hostHeader: string | undefined): boolean;
}

/**
 * Which host names count as this server: the loopback names always, plus the `--host` it listens
 * on. On a wildcard address, also this machine's name and any IP literal (people reach it by LAN IP).
 */
export function createHostPolicy(listenHost: string): HostPolicy {
  const listen = hostnameOf(listenHost);
  const wildcard = WILDCARD_ADDRESSES.has(listen);
  const machine = osHostname().toLowerCase();

  function isAllowedName(host: string): boolean {
    if (isLoopbackName(host) || host === listen) return true;
    if (!wildcard) return false;
    return isIP(host) !== 0 || host === machine || host === `${machine}.local`;
  }

  function isAllowedHost(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined || hostHeader === "") return false;
    return isAllowedName(hostnameOf(hostHeader));
  }

  return {
    wildcard,
    isAllowedHost,
    allowsRequest(path, hostHeader) {
      if (wildcard && (path.startsWith("/v1/") || path.startsWith("/sdk/"))) return true;
      return isAllowedHost(hostHeader);
    },
    isOwnOrigin(origin, port) {
      const url = parseOrigin(origin);
      if (url === null || url.protocol !== "http:") return false;
      const originPort = url.port === "" ? 80 : Number(url.port);
      return originPort === port && isAllowedName(hostnameOf(url.host));
    },
    isDevOrigin(origin) {
      const url = parseOrigin(origin);
      if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) return false;
      return isAllowedName(hostnameOf(url.host));
    },
  };
}

function parseOrigin(origin: string): URL | null {
  try {
    return new URL(origin);
  } catch {
    return null;
  }
}
