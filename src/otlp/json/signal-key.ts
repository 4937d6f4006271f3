/**
 * The OTLP/HTTP path an OTLP/JSON body is for, by its top-level key: a logs request sent to
 * `/v1/traces` decodes as a trace request without spans (OTLP ignores unknown fields), so without
 * this the sender is answered `{}` and nothing is stored.
 */
const PATH_OF_KEY: Record<string, { path: string; what: string }> = {
  resourceSpans: { path: "/v1/traces", what: "traces" },
  resourceLogs: { path: "/v1/logs", what: "logs" },
  resourceMetrics: { path: "/v1/metrics", what: "metrics" },
};

/** How much of the body is read for its first key: exporters write it first (it is the only one). */
const HEAD_BYTES = 1024;

/** The first key, after a UTF-8 byte-order mark (EF BB BF, read as latin1 below) the JSON decoders skip too. */
const FIRST_KEY = /^(?:\u00EF\u00BB\u00BF)?\s*\{\s*"(resourceSpans|resourceLogs|resourceMetrics)"\s*:/;

/**
 * When `body` (OTLP/JSON) starts with another signal's top-level key than the one `path` takes, the
 * warning the sender is told (OTLP's partial success with nothing rejected); null otherwise.
 */
export function misdirectedJsonWarning(body: Uint8Array, path: string): string | null {
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, HEAD_BYTES)).toString("latin1");
  const key = FIRST_KEY.exec(head)?.[1];
  const sent = key === undefined ? undefined : PATH_OF_KEY[key];
  if (sent === undefined || sent.path === path) return null;
  // Short, the path early: the web app's notice shows one line of it.
  return `nothing stored: OTLP/JSON ${sent.what} (${key}) go to ${sent.path}`;
}
