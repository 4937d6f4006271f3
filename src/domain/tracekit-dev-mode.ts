/**
 * Where a TraceKit SDK in development mode sends (Python: `ENV` or `NODE_ENV` is `development`; Node:
 * `NODE_ENV` only): it asks `http://localhost:9999/api/health` once, host and port fixed in the SDK, and
 * on any 200 posts every span to whatever answered. Turning development mode on sends the app's spans
 * to this instance only when this instance is the one at that address; anywhere else they also go to
 * whatever else answers there (another instance, another tool).
 */
export const TRACEKIT_DEV_MODE_PORT = 9999;

/** The names, as a URL writes them, that the SDK's `localhost` reaches: this machine's loopback. */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Whether the instance at `url` (its address as an app or a page reaches it, `http://localhost:9999`) is
 * the one a TraceKit SDK in development mode finds by itself: plain HTTP on port 9999 of a loopback name.
 */
export function tracekitDevModeFinds(url: string): boolean {
  let address: URL;
  try {
    address = new URL(url);
  } catch {
    return false;
  }
  return (
    address.protocol === "http:" &&
    LOOPBACK_HOSTS.has(address.hostname) &&
    address.port === String(TRACEKIT_DEV_MODE_PORT)
  );
}
