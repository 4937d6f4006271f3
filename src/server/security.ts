import { isIP } from "node:net";
import { networkInterfaces, hostname as osHostname } from "node:os";
import { withoutRunPrefix } from "../domain/run-path.js";
import type { ApiErrorResponse } from "../protocol.js";

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
  /**
   * True when a browser page on this origin may send OTLP and read `/api/health` (dev origins): a page
   * served from one of this server's names (isOwnOrigin's, on any port and over http or https), or an
   * origin given with `--cors-origin`.
   */
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

/** This machine's interface addresses, lower-case, as a URL's host name spells them. */
function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) =>
    (entries ?? []).map((entry) => entry.address.toLowerCase()),
  );
}

export interface HostPolicyOptions {
  /** This machine's addresses, asked for at each check (they change with the network); tests pass a fixed list. */
  machineAddresses?: () => readonly string[];
  /**
   * More dev origins (`--cors-origin`), as `URL.origin` spells them: pages on a name of their own
   * (`http://shop.test:5173`, a docker-compose service) that this server cannot tell from another site.
   */
  corsOrigins?: readonly string[];
}

/**
 * Which host names count as this server: the loopback names always, plus the `--host` it listens
 * on. On a wildcard address, also this machine's name and, in a `Host` header, any IP literal (people
 * reach it by LAN IP, or through a port mapping; no page can rebind a name to an IP literal).
 * A page's `Origin` is another matter: any web site can be served from an IP literal on the same port
 * (`http://203.0.113.5:9999`), so only this machine's own addresses count as its pages there.
 */
export function createHostPolicy(listenHost: string, options: HostPolicyOptions = {}): HostPolicy {
  const listen = hostnameOf(listenHost);
  const wildcard = WILDCARD_ADDRESSES.has(listen);
  const machine = osHostname().toLowerCase();
  const machineAddresses = options.machineAddresses ?? interfaceAddresses;
  const corsOrigins = new Set(options.corsOrigins ?? []);

  function isAllowedName(host: string): boolean {
    if (isLoopbackName(host) || host === listen) return true;
    if (!wildcard) return false;
    return isIP(host) !== 0 || host === machine || host === `${machine}.local`;
  }

  /** isAllowedName for the host of a page's origin: an IP literal must be one of this machine's. */
  function isOwnPageName(host: string): boolean {
    if (!isAllowedName(host)) return false;
    if (isLoopbackName(host) || host === listen || isIP(host) === 0) return true;
    return WILDCARD_ADDRESSES.has(host) || machineAddresses().includes(host);
  }

  function isAllowedHost(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined || hostHeader === "") return false;
    return isAllowedName(hostnameOf(hostHeader));
  }

  return {
    wildcard,
    isAllowedHost,
    allowsRequest(path, hostHeader) {
      if (wildcard) {
        // Also under a run's endpoint (`/run/<id>/v1/traces`), which a TraceKit SDK is given.
        const sdkPath = withoutRunPrefix(path);
        if (sdkPath.startsWith("/v1/") || sdkPath.startsWith("/sdk/")) return true;
      }
      return isAllowedHost(hostHeader);
    },
    isOwnOrigin(origin, port) {
      const url = parseOrigin(origin);
      if (url === null || url.protocol !== "http:") return false;
      const originPort = url.port === "" ? 80 : Number(url.port);
      return originPort === port && isOwnPageName(hostnameOf(url.host));
    },
    isDevOrigin(origin) {
      const url = parseOrigin(origin);
      if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) return false;
      return corsOrigins.has(url.origin) || isOwnPageName(hostnameOf(url.host));
    },
  };
}

/** An Origin header as a URL, or null when it is none (`null`, garbage). */
export function parseOrigin(origin: string): URL | null {
  try {
    return new URL(origin);
  } catch {
    return null;
  }
}

/** The 403 for a request whose Host names another server (see HostPolicy.allowsRequest). */
export function forbiddenHostBody(host: string | undefined, port: number): ApiErrorResponse {
  return {
    error: { code: "forbidden_host", message: `Host "${host ?? ""}" is not this server; use http://localhost:${port}` },
  };
}
