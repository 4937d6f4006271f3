import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { expect, it } from "vitest";
import type { RestClient } from "../../src/mcp/rest.js";
import { createMcpServer } from "../../src/mcp/server.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** The README's MCP tools table: each tool's row and the arguments its second column names. */
function readmeTools(): Map<string, string[]> {
  const start = readme.indexOf("\n| tool ");
  const table = readme.slice(start + 1, readme.indexOf("\n\n", start));
  const tools = new Map<string, string[]>();
  for (const row of table.split("\n").slice(2)) {
    const [, tool, args] = row.split("|").map((cell) => cell.trim());
    tools.set(
      tool?.replace(/`/g, "") ?? "",
      [...(args ?? "").matchAll(/`([a-z_]+)`/g)].map((m) => m[1] as string),
    );
  }
  return tools;
}

it("the README's MCP tools table names every tool and each one's arguments, as the tools take them", async () => {
  // Listing the tools asks nothing of the instance.
  const rest = {} as RestClient;
  const server = createMcpServer({ rest, version: "test" });
  const client = new Client({ name: "test", version: "1" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  try {
    const { tools } = await client.listTools();
    const schemas = new Map(tools.map((tool) => [tool.name, Object.keys(tool.inputSchema.properties ?? {})]));
    expect(readmeTools()).toEqual(schemas);
  } finally {
    await client.close();
    await server.close();
  }
});
