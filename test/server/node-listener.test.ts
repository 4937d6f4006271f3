import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { createNodeListener } from "../../src/server/node-listener.js";
import { createMemoryStore } from "../../src/store/memory-store.js";
import { traceRouteDeps } from "../helpers/otlp-route-deps.js";
import { jsonTraceRequest, newTraceId } from "../helpers/payloads.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/**
 * A server on the Node listener whose Hono app is made only when `open()` is called: what start-up
 * loads after the URL is printed, held back for as long as a test wants.
 */
async function listenerWithHeldApp(loadApp?: () => Hono | Promise<Hono>, onInternalError?: (error: unknown) => void) {
  const store = createMemoryStore({ maxSpans: 100 });
  const otlp = traceRouteDeps(store, 4 * 1024 * 1024);
  const { hostPolicy } = otlp;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let made = 0;
  const app = new Hono().get("/api/health", (c) => c.json({ status: "ok" }));
  const listener = createNodeListener({
    // Not async: `loadApp` may throw at once, as a bug in making the routes would.
    app: () => {
      made++;
      return loadApp !== undefined ? loadApp() : opened.then(() => app);
    },
    otlp,
    hostPolicy,
    port: (): number => (server.address() as AddressInfo).port,
    hostname: "127.0.0.1",
    ...(onInternalError !== undefined ? { onInternalError } : {}),
  });
  const server: Server = createServer(listener.listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, store, open, made: () => made, preload: listener.preload };
}

describe("the Node listener before its Hono app is made", () => {
  it("holds page and API requests until the app is there, and answers OTLP exports meanwhile", async () => {
    const held = await listenerWithHeldApp();
    let answered = false;
    const health = Promise.all([fetch(`${held.base}/api/health`), fetch(`${held.base}/api/health`)]).then(
      (responses) => {
        answered = true;
        return responses;
      },
    );
    const traceId = newTraceId();
    const exported = await fetch(`${held.base}/v1/traces`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": "test" },
      body: JSON.stringify(jsonTraceRequest("early", [{ traceId, name: "GET /" }])),
    });
    expect(exported.status).toBe(200);
    expect(held.store.getTrace(traceId)?.map((span) => span.name)).toEqual(["GET /"]);
    expect(answered).toBe(false);

    held.open();
    for (const response of await health) {
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ok" });
    }
    // Made once, for both requests that waited.
    expect(held.made()).toBe(1);
  });

  it("answers 503 with the restart hint when the app's files are gone from disk", async () => {
    const gone = Object.assign(new Error("Cannot find module 'server-x.js'"), { code: "ERR_MODULE_NOT_FOUND" });
    const held = await listenerWithHeldApp(() => Promise.reject(gone));
    const response = await fetch(`${held.base}/api/health`);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("restart_needed");
  });

  it("answers 500 when making the app throws at once, and tells a failed load once, not once a request", async () => {
    const told: unknown[] = [];
    const held = await listenerWithHeldApp(
      () => {
        throw new Error("the routes could not be made");
      },
      (error) => told.push(error),
    );
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${held.base}/api/health`, { signal: AbortSignal.timeout(5_000) });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({
        error: { code: "internal", message: "internal error; see the tracekit-local terminal" },
      });
    }
    await held.preload();
    expect(told.map((error) => (error as Error).message)).toEqual(["the routes could not be made"]);
    expect(held.made()).toBe(1);
  });
});
