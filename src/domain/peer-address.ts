/** Where a span says it sends a request: a host and port from its attributes. Pure; imports nothing. */

export interface PeerAddress {
  /** Lower case, without IPv6 brackets. */
  host: string;
  port: string | null;
}

/** Host and port of a URL or "host[:port]"; undefined when there is no host. */
export function addressOf(value: string): PeerAddress | undefined {
  let host = value;
  let port: string | null = null;
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      const url = new URL(value);
      host = url.hostname;
      port = url.port === "" ? null : url.port;
    }
  } catch {
    return undefined;
  }
  const withPort = /^(.*[^:]):(\d+)$/.exec(host);
  if (withPort !== null && !/^\[?[0-9a-f:]+\]?$/i.test(withPort[1] as string)) {
    host = withPort[1] as string;
    port = withPort[2] as string;
  }
  host = host.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "" ? undefined : { host, port };
}

/** A port attribute's text, or null when it holds no port number. */
export function portText(value: unknown): string | null {
  const port = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  return /^\d{1,5}$/.test(port) ? port : null;
}
