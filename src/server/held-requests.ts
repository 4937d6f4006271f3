import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type HealthDeps, type HealthHeld, healthBody, healthHeaders } from "./health.js";
import { forbiddenHostBody, type HostPolicy } from "./security.js";
import { writeJson } from "./write-json.js";

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

/** At most this many requests (and upgrades) wait; those beyond are answered 503 with Retry-After. */
export const MAX_HELD_REQUESTS = 1_000;

/**
 * A request listener that holds requests until open() hands them, and those after, to the real one
 * (a start listens before its extra ports are bound and its `--db` file is read back). `answersNow`
 * may answer a request itself instead (true when it did): /api/health while a file loads. A request
 * whose client goes away meanwhile is let go (not served later); past `maxHeld` waiting, a request
 * is answered 503 at once (exporters retry).
 */
export function holdRequests(
  answersNow?: (request: IncomingMessage, response: ServerResponse) => boolean,
  maxHeld = MAX_HELD_REQUESTS,
): HeldRequests {
  const waiting: Held<[IncomingMessage, ServerResponse]>[] = [];
  const upgrades: Held<[IncomingMessage, Duplex, Buffer]>[] = [];
  let next: RequestListener | null = null;
  let failed = false;
  const full = () => waiting.length + upgrades.length >= maxHeld;
  const passTo = (listener: RequestListener) => {
    next = listener;
    for (const [request, response] of release(waiting)) listener(request, response);
  };
  return {
    listener(request, response) {
      if (next !== null) next(request, response);
      else if (answersNow?.(request, response) === true) return;
      else if (full()) {
        const message = `tracekit-local is still starting and already holds ${maxHeld.toLocaleString("en-US")} requests until it is ready; retry in a moment`;
        writeJson(
          response,
          503,
          { error: { code: "unavailable", message } },
          { Connection: "close", "Retry-After": "1" },
        );
      } else hold(waiting, [request, response], response);
    },
    reoffer() {
      if (next !== null || answersNow === undefined) return;
      for (const entry of release(waiting)) {
        const [request, response] = entry;
        if (!answersNow(request, response)) hold(waiting, entry, response);
      }
    },
    upgrade(request, socket, head) {
      if (failed || full()) socket.destroy();
      else hold(upgrades, [request, socket, head], socket);
    },
    open(listener, upgrade) {
      passTo(listener);
      for (const [request, socket, head] of release(upgrades)) {
        if (upgrade === undefined) socket.destroy();
        else upgrade(request, socket, head);
      }
    },
    fail(message) {
      failed = true;
      for (const [, socket] of release(upgrades)) socket.destroy();
      passTo((_request, response) => {
        writeJson(response, 503, { error: { code: "unavailable", message } }, { Connection: "close" });
      });
    },
  };
}

/** A held entry and how to stop watching its connection once it is handed on. */
interface Held<T> {
  entry: T;
  unwatch(): void;
}

/** Holds `entry` in `list` until its connection closes (the client went away) or release() takes it. */
function hold<T>(list: Held<T>[], entry: T, connection: ServerResponse | Duplex): void {
  const gone = () => {
    const index = list.indexOf(held);
    if (index !== -1) list.splice(index, 1);
  };
  const held: Held<T> = { entry, unwatch: () => connection.off("close", gone) };
  connection.once("close", gone);
  list.push(held);
}

/** Takes every entry out of `list`, no longer watching their connections. */
function release<T>(list: Held<T>[]): T[] {
  return list.splice(0).map((held) => {
    held.unwatch();
    return held.entry;
  });
}

/**
 * Answers `GET /api/health` while the stores load (see HealthResponse.storage.state), behind the same
 * Host policy as the API; false for every other request (it is held).
 */
export function healthWhileLoading(deps: {
  health: HealthDeps;
  hostPolicy: HostPolicy;
  held(): HealthHeld;
  /** Why the app cannot serve yet, when it is not only loading (a `--db` file another process holds): answered 503. */
  waiting?(): string | null;
}): (request: IncomingMessage, response: ServerResponse) => boolean {
  return (request, response) => {
    const url = request.url ?? "";
    const query = url.indexOf("?");
    if (request.method !== "GET" || (query === -1 ? url : url.slice(0, query)) !== "/api/health") return false;
    const host = request.headers.host;
    if (!deps.hostPolicy.isAllowedHost(host)) {
      writeJson(response, 403, forbiddenHostBody(host, deps.health.port()));
      return true;
    }
    const origin = request.headers.origin;
    const waiting = deps.waiting?.() ?? null;
    if (waiting !== null) {
      // Not a health body: a client that takes any 200 as a running instance (a TraceKit SDK) must not use this one yet.
      // Named all the same, so that another command asking this port says whose it is, not "another program".
      writeJson(
        response,
        503,
        { name: "tracekit-local", error: { code: "unavailable", message: waiting } },
        { ...healthHeaders(origin, (o) => deps.hostPolicy.isDevOrigin(o)), "Retry-After": "1" },
      );
      return true;
    }
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
