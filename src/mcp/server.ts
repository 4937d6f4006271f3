/** An MCP server with every tool, reading tracekit-local's REST API; the caller connects a transport. */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerSnapshotTools } from "./snapshot-tools.js";
import { registerTools, type ToolDeps } from "./tools.js";

export const MCP_INSTRUCTIONS =
  "Reads the traces, logs and metrics a local tracekit-local instance received over OpenTelemetry, and " +
  "the variable snapshots TraceKit SDKs captured. Start with list_services, list_traces or recent_errors; " +
  "get_trace shows one trace as a waterfall, get_span one span (by the id a log line or an error names) " +
  "with its place in it and its logs; list_snapshots and get_snapshot read captured variables.";

export function createMcpServer(deps: ToolDeps & { version: string }): McpServer {
  const server = new McpServer(
    { name: "tracekit-local", version: deps.version },
    { instructions: MCP_INSTRUCTIONS, capabilities: { tools: {} } },
  );
  registerTools(server, deps);
  registerSnapshotTools(server, deps.rest, deps.now ?? Date.now);
  return server;
}
