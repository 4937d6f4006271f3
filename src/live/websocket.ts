import { type IncomingMessage, type Server, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocketServer } from "ws";
import { internalErrorAnswer } from "../domain/errors.js";
import type { LiveClient, LiveHub } from "./hub.js";

export interface LiveSocketOptions {
  hub: LiveHub;
  path: string;
  /** More paths serving the feed, each through a client that rewrites its messages (the first local UI's `/ws`). */
  otherPaths?: Readonly<Record<string, (client: LiveClient) => LiveClient>>;
  /** Decides whether an upgrade request may connect (Host and Origin checks); a string is the reason it may not. */
  authorize(request: IncomingMessage): true | string;
  /** The `ws` package could not be loaded (the upgrade is answered 500, or 503 when the files changed on disk). */
  onInternalError?(error: unknown): void;
}

/**
 * Serves the hub over WebSocket on an existing HTTP server; close() ends every socket. The `ws`
 * package is loaded by the first upgrade (a page of the web app, after it loaded): a start and its
 * first exports do without it.
 */
export function attachLiveSocket(server: Server, options: LiveSocketOptions): { close(): void } {
  let wss: WebSocketServer | null = null;
  let loading: Promise<WebSocketServer> | null = null;
  let closed = false;
  const loadWs = () => {
    loading ??= import("ws").then(({ WebSocketServer }) => {
      wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
      return wss;
    });
    return loading;
  };

  /** How a client on this path is served: the feed as it is on `path`, rewritten on one of `otherPaths`; null for no WebSocket. */
  function adapterFor(pathname: string): ((client: LiveClient) => LiveClient) | null {
    if (pathname === options.path) return (client) => client;
    const others = options.otherPaths;
    return others !== undefined && Object.hasOwn(others, pathname) ? (others[pathname] ?? null) : null;
  }

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node's server no longer listens for this socket's errors, and a client that resets it (ECONNRESET,
    // EPIPE) while it waits or is refused would otherwise throw: it is destroyed, until ws takes it over.
    const dropOnError = () => socket.destroy();
    socket.on("error", dropOnError);
    const pathname = (request.url ?? "/").split("?")[0] ?? "/";
    const adapt = adapterFor(pathname);
    if (adapt === null) {
      rejectUpgrade(socket, 404, "not_found", `no WebSocket at ${pathname}`);
      return;
    }
    const verdict = options.authorize(request);
    if (verdict !== true) {
      rejectUpgrade(socket, 403, "forbidden", verdict);
      return;
    }
    const handOver = (loaded: WebSocketServer) => {
      socket.off("error", dropOnError);
      accept(loaded, adapt, request, socket, head);
    };
    if (wss !== null) {
      handOver(wss);
      return;
    }
    // Meanwhile the socket keeps what the client sends (nothing reads it until ws does).
    loadWs().then(
      (loaded) => {
        if (closed) socket.destroy();
        else handOver(loaded);
      },
      (error: unknown) => {
        options.onInternalError?.(error);
        const { status, code, message } = internalErrorAnswer(error);
        rejectUpgrade(socket, status, code, message);
      },
    );
  }

  function accept(
    wss: WebSocketServer,
    adapt: (client: LiveClient) => LiveClient,
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): void {
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
      closed = true;
      server.off("upgrade", onUpgrade);
      if (wss === null) return;
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/**
 * Answers an upgrade request that does not become a WebSocket, and closes the connection (the socket
 * has its error listener from onUpgrade).
 */
function rejectUpgrade(socket: Duplex, status: number, code: string, reason: string): void {
  const body = JSON.stringify({ error: { code, message: reason } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
