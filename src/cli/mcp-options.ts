import type { Command } from "commander";
import { addInstanceOptions } from "./instance.js";

const HELP_AFTER = `
Tools: list_traces, get_trace, get_span, search_spans, recent_errors,
error_groups, slowest_operations, llm_usage, service_map, list_services,
get_logs, list_metrics, get_metric, list_snapshots, get_snapshot. Nothing
but the protocol is written to stdout.

Add it to an assistant's MCP configuration, e.g. Claude Desktop or Cursor:
  { "mcpServers":
    { "tracekit-local": { "command": "tracekit-local", "args": ["mcp"] } } }
or Claude Code:
  claude mcp add tracekit-local -- tracekit-local mcp
Clients that take a URL can use the server's own endpoint instead:
  http://localhost:<port>/mcp`;

export function addMcpOptions(command: Command): Command {
  return addInstanceOptions(command).addHelpText("after", HELP_AFTER);
}
