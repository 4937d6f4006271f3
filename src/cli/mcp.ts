import { createRestClient } from "../mcp/rest.js";
import { packageVersion } from "../version.js";
import { type InstanceOptions, requireInstance } from "./instance.js";

const REQUEST_TIMEOUT_MS = 30_000;

/** An MCP server on stdin/stdout for AI assistants; stdout carries only the protocol, diagnostics go to stderr. */
export async function runMcp(options: InstanceOptions): Promise<void> {
  const { url } = await requireInstance(options);
  const rest = createRestClient(
    (path) => fetch(`${url}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
    url,
  );
  // The MCP SDK takes about a second to load: only this command (and the first /mcp request) pays for it.
  const [{ StdioServerTransport }, { createMcpServer }] = await Promise.all([
    import("@modelcontextprotocol/sdk/server/stdio.js"),
    import("../mcp/server.js"),
  ]);
  const server = createMcpServer({ rest, version: packageVersion() });
  const transport = new StdioServerTransport();
  transport.onerror = (error) => console.error(`mcp: ${transportErrorText(error)}`);
  const stop = () => {
    void server.close().finally(() => process.exit(0));
  };
  transport.onclose = () => process.exit(0);
  // The client ends the session by closing stdin, perhaps right after its last requests (a script
  // piping them in): those are answered first. A signal ends it at once.
  const unanswered = new Set<string | number>();
  let stdinEnded = false;
  process.stdin.on("end", () => {
    stdinEnded = true;
    if (unanswered.size === 0) stop();
    // Each answer is bounded by the REST timeout; this bounds a request that gets none (cancelled).
    else setTimeout(stop, REQUEST_TIMEOUT_MS + 1000);
  });
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await server.connect(transport);
  const receive = transport.onmessage;
  transport.onmessage = (message) => {
    if ("method" in message && "id" in message) unanswered.add(message.id);
    // A cancelled request is not answered (the MCP SDK drops its result).
    if ("method" in message && message.method === "notifications/cancelled") {
      const cancelled = (message.params as { requestId?: string | number } | undefined)?.requestId;
      if (cancelled !== undefined) unanswered.delete(cancelled);
    }
    receive?.(message);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message) => {
    await send(message);
    if (!("method" in message) && "id" in message && message.id !== undefined) {
      unanswered.delete(message.id);
      if (stdinEnded && unanswered.size === 0) stop();
    }
  };
  console.error(`mcp: serving tracekit-local at ${url} on stdio`);
}

/**
 * One line for what the stdio transport could not take. A line of stdin that is not JSON, or JSON
 * that is not a JSON-RPC message (the SDK then reports its schema's whole verdict, a hundred lines),
 * is skipped and the session goes on; stderr says so in one line.
 */
export function transportErrorText(error: Error): string {
  if (error.name === "SyntaxError") return `skipped a line of stdin that is not JSON (${error.message})`;
  if (error.name === "ZodError") return "skipped a line of stdin that is not a JSON-RPC message";
  return error.message;
}
