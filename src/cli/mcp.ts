import { Transform, type TransformCallback } from "node:stream";
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
  // Blank lines are no message at all (a script's trailing newline, a person pressing Enter): they are
  // dropped before the transport, which would call each one a line that is not JSON.
  const input = process.stdin.pipe(new WithoutBlankLines());
  const transport = new StdioServerTransport(input, process.stdout);
  transport.onerror = (error) => console.error(`mcp: ${transportErrorText(error)}`);
  const stop = () => {
    void server.close().finally(() => process.exit(0));
  };
  transport.onclose = () => process.exit(0);
  // The client ends the session by closing stdin, perhaps right after its last requests (a script
  // piping them in): those are answered first. A signal ends it at once.
  const unanswered = new Set<string | number>();
  let stdinEnded = false;
  input.on("end", () => {
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

const NEWLINE = 0x0a;

/** Whether a line holds nothing but spaces, tabs and line ends. */
function isBlank(line: Buffer): boolean {
  for (const byte of line) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== NEWLINE) return false;
  }
  return true;
}

/** Passes stdin's lines on whole, without the blank ones. */
export class WithoutBlankLines extends Transform {
  /** The start of a line whose end has not come yet. */
  private partial: Buffer[] = [];

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      this.line(chunk.subarray(start, end + 1));
      start = end + 1;
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
    done();
  }

  override _flush(done: TransformCallback): void {
    this.line(Buffer.alloc(0));
    done();
  }

  private line(end: Buffer): void {
    const line = this.partial.length === 0 ? end : Buffer.concat([...this.partial, end]);
    this.partial = [];
    if (!isBlank(line)) this.push(line);
  }
}
