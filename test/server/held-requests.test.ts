import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { heldWhileLoading } from "../../src/server/health.js";
import { healthWhileLoading, holdRequests } from "../../src/server/held-requests.js";
import { createHostPolicy } from "../../src/server/security.js";
import { rawRequest } from "../helpers/http.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }
});

/**
 * A real server whose requests go through holdRequests with the loading health answer, as a start's do;
 * `waiting` as a start waiting for a --db file another process holds.
 */
async function listen(waiting?: () => string | null): Promise<{ port: number; held: ReturnType<typeof holdRequests> }> {
  let port = 0;
  const held = holdRequests(
    healthWhileLoading({
      health: {
        version: "9.9.9",
        startedAt: Date.now(),
        port: () => port,
        baseUrl: () => `http://localhost:${port}`,
        otlpListeners: () => ({ http: null, grpc: null }),
        dbPath: "big.db",
      },
      hostPolicy: createHostPolicy("127.0.0.1"),
      held: () => heldWhileLoading({ kind: "sqlite", maxSpans: 350_000, maxLogs: 200_000, maxMetricSeries: 2_000 }),
      ...(waiting === undefined ? {} : { waiting }),
    }),
  );
  const server = createServer(held.listener);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  port = (server.address() as AddressInfo).port;
  return { port, held };
}

describe("requests while the stores load", () => {
  it("answers GET /api/health at once, loading, behind the Host policy, with the dev-origin CORS header", async () => {
    const { port } = await listen();
    const health = await fetch(`http://127.0.0.1:${port}/api/health?probe=1`);
    expect(health.status).toBe(200);
    expect(health.headers.get("connection")).toBe("close");
    const body = await health.json();
    expect(body).toMatchObject({ status: "ok", name: "tracekit-local", version: "9.9.9", apiVersion: 1 });
    expect(body.storage).toMatchObject({ kind: "sqlite", state: "loading", maxSpans: 350_000 });
    expect(body.storage.path).toMatch(/big\.db$/);
    expect(body.counts.spans).toBe(0);
    expect(body.stats).toEqual({ totalTraces: 0, totalSpans: 0, services: [], oldestTrace: null, newestTrace: null });
    const rebound = await rawRequest(port, { path: "/api/health", headers: { Host: "evil.example" } });
    expect(rebound.status).toBe(403);
    const dev = await fetch(`http://127.0.0.1:${port}/api/health`, { headers: { Origin: "http://localhost:5173" } });
    expect(dev.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect((await dev.json()).storage.path).toBeUndefined();
  });

  it("answers health 503 with Retry-After while it waits for a file another process holds, then loading again", async () => {
    let held: string | null = "not running yet: the file is held by another process";
    const { port } = await listen(() => held);
    const waiting = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(waiting.status).toBe(503);
    expect(waiting.headers.get("retry-after")).toBe("1");
    expect(await waiting.json()).toEqual({ name: "tracekit-local", error: { code: "unavailable", message: held } });
    // Behind the Host policy all the same.
    expect((await rawRequest(port, { path: "/api/health", headers: { Host: "evil.example" } })).status).toBe(403);
    held = null;
    const loading = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(loading.status).toBe(200);
    expect((await loading.json()).storage.state).toBe("loading");
  });

  it("holds every other request until open() hands them on, and answers them 503 after fail()", async () => {
    const { port, held } = await listen();
    const base = `http://127.0.0.1:${port}`;
    let answered = false;
    const exported = fetch(`${base}/v1/traces`, { method: "POST", body: "{}" }).then((response) => {
      answered = true;
      return response;
    });
    const read = fetch(`${base}/api/traces`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    held.open((request, response) => {
      response.writeHead(200, { "Content-Type": "text/plain" });
      response.end(`served ${request.method} ${request.url}`);
    });
    expect(await (await exported).text()).toBe("served POST /v1/traces");
    expect(await (await read).text()).toBe("served GET /api/traces");
    // Health is the real listener's once open.
    expect(await (await fetch(`${base}/api/health`)).text()).toBe("served GET /api/health");

    const failing = await listen();
    const waiting = fetch(`http://127.0.0.1:${failing.port}/v1/traces`, { method: "POST", body: "{}" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    failing.held.fail("tracekit-local did not start");
    const refused = await waiting;
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: { code: "unavailable", message: "tracekit-local did not start" } });
  });

  it("answers a held request at reoffer() once the answer may be given (every port bound)", async () => {
    let bound = false;
    const held = holdRequests((_request, response) => {
      if (!bound) return false;
      response.end("answered now");
      return true;
    });
    const server = createServer(held.listener);
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const asked = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/health`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    held.reoffer();
    bound = true;
    held.reoffer();
    expect(await (await asked).text()).toBe("answered now");
  });

  it("lets go of a held request whose client went away, and serves the others once open", async () => {
    const held = holdRequests();
    const server = createServer(held.listener);
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const port = (server.address() as AddressInfo).port;
    // An exporter that gave up (its timeout): the request is sent whole, then the connection closed.
    const gone = connect({ host: "127.0.0.1", port });
    await new Promise((resolve) => gone.once("connect", resolve));
    gone.end("POST /v1/traces?gone HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}");
    const kept = fetch(`http://127.0.0.1:${port}/v1/traces?kept`, { method: "POST", body: "{}" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const served: string[] = [];
    held.open((request, response) => {
      served.push(request.url ?? "");
      response.end("served");
    });
    expect(await (await kept).text()).toBe("served");
    expect(served).toEqual(["/v1/traces?kept"]);
  });

  it("answers 503 with Retry-After past the requests it holds, and serves those it held once open", async () => {
    const held = holdRequests(undefined, 2);
    const server = createServer(held.listener);
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const first = fetch(`${base}/v1/traces?1`, { method: "POST", body: "{}" });
    const second = fetch(`${base}/v1/traces?2`, { method: "POST", body: "{}" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = await fetch(`${base}/v1/traces?3`, { method: "POST", body: "{}" });
    expect(third.status).toBe(503);
    expect(third.headers.get("retry-after")).toBe("1");
    expect(await third.json()).toEqual({
      error: {
        code: "unavailable",
        message: "tracekit-local is still starting and already holds 2 requests until it is ready; retry in a moment",
      },
    });
    held.open((request, response) => response.end(`served ${request.url}`));
    expect(await (await first).text()).toBe("served /v1/traces?1");
    expect(await (await second).text()).toBe("served /v1/traces?2");
  });
});
