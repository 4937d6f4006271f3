import type { ServerResponse } from "node:http";

/**
 * Answers `value` as JSON on a Node response, for the listeners that answer before (or beside) Hono:
 * its length given, and `nosniff` as on every API answer. `headers` go before those.
 */
export function writeJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(JSON.stringify(value));
  response.writeHead(status, {
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": String(body.byteLength),
    "X-Content-Type-Options": "nosniff",
  });
  response.end(body);
}
