import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { LiveClient, LiveHub } from "./hub.js";

export interface LiveSocketOptions {
  hub: LiveHub;
  path: string;
  /** More paths serving the feed, each through a client that rewrites its messages (the first local UI's `/ws`). */
  otherPaths?: Readonly<Record<string, (client: LiveClient) => LiveClient>>;
  /** Decides whether an upgrade request may connect (Host and Origin checks); a string is the reason it may not. */
  authorize(request: IncomingMessage): true | string;
}

/** Serves the hub over WebSocket on an existing HTTP server; close() ends every socket. */
export function attachLiveSocket(server: Server, options: LiveSocketOptions): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  /** How a client on this path is served: the feed as it is on `path`, rewritten on one of `otherPaths`; null for no WebSocket. */
  function adapterFor(pathname: string): ((client: LiveClient) => LiveClient) | null {
    if (pathname === options.path) return (client) => client;
    const others = options.otherPaths;
    return others !== undefined && Object.hasOwn(others, pathname) ? (others[pathname] ?? null) : null;
  }

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const pathname = (request.url ?? "/").split("?")[0] ?? "/";
    const adapt = adapterFor(pathname);
    if (adapt === null) {
      rejectUpgrade(socket, 404, "Not Found", `no WebSocket at ${pathname}`);
      return;
    }
    const verdict = options.authorize(request);
    if (verdict !== true) {
      rejectUpgrade(socket, 403, "Forbidden", verdict);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const remove = options.hub.addClient(
        adapt({
          send: (data) => ws.send(data),
          bufferedAmount: () => ws.bufferedAmount,
          terminate: () => ws.terminate(),
        }),
      );
      ws.on("close", remove);
      ws.on("error", () => ws.terminate());
      // The protocol is server → client; anything a client sends is ignored.
      ws.on("message", () => {});
    });
  }

  server.on("upgrade", onUpgrade);
  return {
    close() {
      server.off("upgrade", onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

function rejectUpgrade(socket: Duplex, status: number, statusText: string, reason: string): void {
  const body = JSON.stringify({ error: { code: status === 403 ? "forbidden" : "not_found", message: reason } });
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
