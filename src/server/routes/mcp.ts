/**
 * POST /mcp: the MCP tools over Streamable HTTP (stateless, JSON answers). Each request gets its
 * own MCP server whose tools call this app's REST API in-process, under the request's own (already
 * checked) Host. Browser pages of other origins are refused, as for every other change or live feed.
 */
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono } from "hono";
import { createRestClient } from "../../mcp/rest.js";
import { createMcpServer } from "../../mcp/server.js";
import { assertOwnOrigin } from "../own-origin.js";
import type { HostPolicy } from "../security.js";

export interface McpRouteDeps {
  hostPolicy: HostPolicy;
  version: string;
  port(): number;
  /** A GET of the app's own REST API, in-process, under this Host header. */
  requestApi(pathAndQuery: string, host: string): Promise<Response>;
}

/** MCP requests are a few hundred bytes; a tool call's arguments are small. */
const MAX_MCP_BODY_BYTES = 256 * 1024;

function methodNotAllowed(): Response {
  // Stateless: no session to stream to (GET) or to end (DELETE).
  return new Response(
    JSON.stringify({
      jsonrpc: "2.0",
      error: { code: -32000, message: "Method not allowed: this MCP endpoint is stateless; POST JSON-RPC messages" },
      id: null,
    }),
    { status: 405, headers: { "Content-Type": "application/json", Allow: "POST" } },
  );
}

export function mcpRoutes(deps: McpRouteDeps): Hono {
  const app = new Hono();
  app.all("/mcp", async (c) => {
    assertOwnOrigin(c.req.header("origin"), deps.hostPolicy, deps.port(), "MCP");
    if (c.req.method !== "POST") return methodNotAllowed();
    const host = c.req.header("host") ?? `localhost:${deps.port()}`;
    const rest = createRestClient((path) => deps.requestApi(path, host), "this server");
    const server = createMcpServer({ rest, version: deps.version });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: MAX_MCP_BODY_BYTES,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });
  return app;
}
