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
  transport.onerror = (error) => console.error(`mcp: ${error.message}`);
  // The client ends the session by closing stdin; a signal ends it too.
  const stop = () => {
    void server.close().finally(() => process.exit(0));
  };
  transport.onclose = () => process.exit(0);
  process.stdin.on("end", stop);
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await server.connect(transport);
  console.error(`mcp: serving tracekit-local at ${url} on stdio`);
}
