import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type HealthDeps, type HealthHeld, healthBody, healthHeaders } from "./health.js";
import { forbiddenHostBody, type HostPolicy } from "./security.js";

/** A port's requests held until the app behind it is ready (see holdRequests). */
export interface HeldRequests {
  listener: RequestListener;
  /** Offers the held requests to `answersNow` again (it may answer more now: every port is bound). */
  reoffer(): void;
  /** For the server's 'upgrade' event (the live feed's WebSocket), until the real one is attached. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Hands the held requests, and those after, to the real listener; the held upgrades to `upgrade`. */
  open(listener: RequestListener, upgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void): void;
  /** The app did not start: held requests, and those after, are answered 503 with `message`; upgrades closed. */
  fail(message: string): void;
}

/**
 * A request listener that holds requests until open() hands them, and those after, to the real one
 * (a start listens before its extra ports are bound and its `--db` file is read back). `answersNow`
 * may answer a request itself instead (true when it did): /api/health while a file loads.
 */
export function holdRequests(
  answersNow?: (request: IncomingMessage, response: ServerResponse) => boolean,
): HeldRequests {
  const waiting: [IncomingMessage, ServerResponse][] = [];
  const upgrades: [IncomingMessage, Duplex, Buffer][] = [];
  let next: RequestListener | null = null;
  let failed = false;
  const passTo = (listener: RequestListener) => {
    next = listener;
    for (const [request, response] of waiting.splice(0)) listener(request, response);
  };
  return {
    listener(request, response) {
      if (next !== null) next(request, response);
      else if (answersNow?.(request, response) !== true) waiting.push([request, response]);
    },
    reoffer() {
      if (next !== null || answersNow === undefined) return;
      const still = waiting.splice(0).filter(([request, response]) => !answersNow(request, response));
      waiting.push(...still);
    },
    upgrade(request, socket, head) {
      if (failed) socket.destroy();
      else upgrades.push([request, socket, head]);
    },
    open(listener, upgrade) {
      passTo(listener);
      for (const [request, socket, head] of upgrades.splice(0)) {
        if (upgrade === undefined) socket.destroy();
        else upgrade(request, socket, head);
      }
    },
    fail(message) {
      failed = true;
      for (const [, socket] of upgrades.splice(0)) socket.destroy();
      passTo((_request, response) => {
        response.writeHead(503, { "Content-Type": "application/json", Connection: "close" });
        response.end(JSON.stringify({ error: { code: "unavailable", message } }));
      });
    },
  };
}

/**
 * Answers `GET /api/health` while the stores load (see HealthResponse.storage.state), behind the same
 * Host policy as the API; false for every other request (it is held).
 */
export function healthWhileLoading(deps: {
  health: HealthDeps;
  hostPolicy: HostPolicy;
  held(): HealthHeld;
}): (request: IncomingMessage, response: ServerResponse) => boolean {
  return (request, response) => {
    const url = request.url ?? "";
    const query = url.indexOf("?");
    if (request.method !== "GET" || (query === -1 ? url : url.slice(0, query)) !== "/api/health") return false;
    const host = request.headers.host;
    if (!deps.hostPolicy.isAllowedHost(host)) {
      writeJson(response, 403, forbiddenHostBody(host, deps.health.port()), {});
      return true;
    }
    const origin = request.headers.origin;
    const fromOtherOrigin = origin !== undefined && !deps.hostPolicy.isOwnOrigin(origin, deps.health.port());
    const body = healthBody(deps.health, deps.held(), fromOtherOrigin);
    writeJson(
      response,
      200,
      body,
      healthHeaders(origin, (o) => deps.hostPolicy.isDevOrigin(o)),
    );
    return true;
  };
}

function writeJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string>): void {
  const body = Buffer.from(JSON.stringify(value));
  response.writeHead(status, {
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": String(body.byteLength),
    "X-Content-Type-Options": "nosniff",
  });
  response.end(body);
}
