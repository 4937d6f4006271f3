import { type NetConnectOpts, connect as netConnect, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { connectLive, waitFor } from "../helpers/live.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";
import { API_KIND, pythonLocalUiBody, sdkPost } from "../helpers/tracekit-sdk.js";

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(async () => {
  await app.close();
});

function connect(options: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; messages: any[] }> {
  return connectLive(app.port, options);
}

/**
 * A WebSocket whose TCP connection opens at once but whose upgrade request is held until `send()`,
 * so a test decides the moment the server sees it connect.
 */
function heldConnect(): { send(): Promise<{ ws: WebSocket; messages: any[] }> } {
  const held: unknown[][] = [];
  let socket: Socket | undefined;
  const ws = new WebSocket(`ws://127.0.0.1:${app.port}/api/live`, {
    createConnection: ((options: NetConnectOpts) => {
      socket = netConnect(options);
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      socket.write = ((...args: unknown[]) => {
        held.push(args);
        return true;
      }) as Socket["write"];
      Object.assign(socket, { release: () => Object.assign(socket as Socket, { write }) });
      return socket;
    }) as typeof netConnect,
  });
  const messages: any[] = [];
  ws.on("message", (data) => messages.push(JSON.parse(String(data))));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return {
    async send() {
      const connected = socket as Socket & { release(): void };
      connected.release();
      for (const args of held) connected.write(...(args as Parameters<Socket["write"]>));
      await opened;
      return { ws, messages };
    },
  };
}

describe("/api/live", () => {
  // Latency is measured by bench/, not asserted here: this checks delivery and content.
  it("pushes a summary of a newly sent trace", async () => {
    const { ws, messages } = await connect({ origin: `http://localhost:${app.port}` });
    const traceId = newTraceId();
    await postJson(app.base, jsonTraceRequest("live", [{ traceId, name: "GET /live" }]));
    const message = await waitFor(() =>
      messages.find((m) => m.type === "traces" && m.traces.some((t: any) => t.traceId === traceId)),
    );
    expect(message.traces.find((t: any) => t.traceId === traceId)).toMatchObject({
      name: "GET /live",
      service: "live",
      spanCount: 1,
    });
    ws.close();
  });

  it("sends the latest page on connect when data exists, and coalesces a burst", async () => {
    const traceIds = Array.from({ length: 60 }, () => newTraceId());
    await Promise.all(traceIds.map((traceId) => postJson(app.base, jsonTraceRequest("burst", [{ traceId }]))));
    const { ws, messages } = await connect();
    const snapshot = await waitFor(() => messages[0]);
    expect(snapshot).toMatchObject({ type: "traces", snapshot: true });
    expect(snapshot.traces).toHaveLength(50);

    const more = Array.from({ length: 150 }, () => newTraceId());
    await Promise.all(more.map((traceId) => postJson(app.base, jsonTraceRequest("burst", [{ traceId }]))));
    const seen = new Set<string>();
    // Retained state (the services' colours) comes on connect too; this counts the trace messages.
    const updates = () => messages.slice(1).filter((m) => m.type === "traces");
    await waitFor(() => {
      for (const m of updates()) for (const t of m.traces) seen.add(t.traceId);
      return more.every((id) => seen.has(id)) ? true : undefined;
    });
    // 150 requests become a handful of messages, not 150.
    expect(updates().length).toBeLessThan(40);
    ws.close();
  });

  it("sends every state change to a connected client while another connects between the change and its tick", async () => {
    const { ws, messages } = await connect();
    const others: WebSocket[] = [];
    const rounds = 5;
    for (let round = 1; round <= rounds; round++) {
      const other = heldConnect();
      // A refused request and a new service each change a retained state (rejections, service colours)...
      const refused = await postJson(app.base, { resourceSpans: "not a list" });
      expect(refused.status).toBe(400);
      await postJson(app.base, jsonTraceRequest(`connect-race-${round}`, [{ name: "GET /" }]));
      // ...and a socket connects before the hub's next tick (20 ms).
      const { ws: otherWs, messages: otherMessages } = await other.send();
      others.push(otherWs);
      // The one connecting starts from both, and the one connected gets both at the tick.
      for (const received of [otherMessages, messages]) {
        await waitFor(() => received.find((m) => m.type === "rejections" && m.rejectedRequests === round), 2000);
        await waitFor(
          () => received.find((m) => m.type === "service-colors" && `connect-race-${round}` in m.slots),
          2000,
        );
      }
    }
    for (const other of others) other.close();
    ws.close();
  });

  it("tells clients when the store is cleared", async () => {
    const { ws, messages } = await connect();
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    await waitFor(() => messages.find((m) => m.type === "cleared"));
    ws.close();
  });

  it("refuses a foreign origin and a foreign Host", async () => {
    await expect(connect({ origin: "https://evil.example" })).rejects.toThrow(/403/);
    await expect(connect({ headers: { host: "evil.example" } })).rejects.toThrow(/403/);
  });

  it("keeps running when the client of a refused upgrade resets its connection", async () => {
    // A refused upgrade (404, 403) is answered on the raw socket, which Node's server no longer
    // listens to for errors: a reset (ECONNRESET), or a write to a closed socket (EPIPE), must not
    // be thrown. The bytes sent after the request are never read, so closing makes the server reset too.
    for (const [path, host] of [
      ["/nothing-here", `127.0.0.1:${app.port}`],
      ["/api/live", "evil.example"],
    ] as const) {
      for (let i = 0; i < 5; i++) {
        await new Promise<void>((resolve) => {
          const socket = netConnect(app.port, "127.0.0.1", () => {
            socket.write(
              `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\nunread bytes",
            );
            setTimeout(() => socket.resetAndDestroy(), 5);
          });
          socket.on("error", () => {});
          socket.on("close", () => resolve());
        });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await fetch(`${app.base}/api/health`)).status).toBe(200);
  });

  it("on --host 0.0.0.0 refuses a page served from another IP address on the same port", async () => {
    const wide = await startTestApp({ host: "0.0.0.0" });
    try {
      // A web site at http://203.0.113.5:<port> must not read this machine's telemetry live.
      const foreign = connectLive(wide.port, { origin: `http://203.0.113.5:${wide.port}` });
      await expect(foreign).rejects.toThrow(/403/);
      const own = await connectLive(wide.port, { origin: `http://localhost:${wide.port}` });
      own.ws.close();
    } finally {
      await wide.close();
    }
  });

  it("skips a client that stops reading and resyncs it with a snapshot later", async () => {
    const { ws, messages } = await connect();
    let receivedBytes = 0;
    ws.on("message", (data) => {
      receivedBytes += (data as Buffer).byteLength;
    });
    // Stop reading: the kernel buffers fill, then the server's queue for this client grows.
    const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const longName = "n".repeat(2000);
    let producedBytes = 0;
    for (let round = 0; round < 40; round++) {
      const spans = Array.from({ length: 200 }, () => ({ traceId: newTraceId(), name: longName }));
      producedBytes += 200 * 2100;
      await postJson(app.base, jsonTraceRequest("flood", spans));
      await new Promise((r) => setTimeout(r, 30));
    }
    socket.resume();
    // Once it drains, the next tick sends it one snapshot instead of everything it missed.
    await postJson(app.base, jsonTraceRequest("flood", [{ name: "after" }]));
    await waitFor(() => messages.slice(1).find((m) => m.snapshot === true));
    expect(receivedBytes).toBeLessThan(producedBytes / 2);
    ws.terminate();
  }, 120_000);
});

describe("/ws, the first TraceKit local UI's feed", () => {
  /** A WebSocket as a script written for that UI opens it: no Origin, path /ws. */
  function connectFirstUi(): Promise<{ ws: WebSocket; messages: any[] }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws`);
      const messages: any[] = [];
      ws.on("message", (data) => messages.push(JSON.parse(String(data))));
      ws.once("open", () => resolve({ ws, messages }));
      ws.once("error", reject);
    });
  }

  it("says connected, sends new_trace for each trace sent (with status and duration) and traces_cleared on Clear", async () => {
    const before = newTraceId();
    // Once the feed has sent it (its tick), it is a trace stored before the script connected.
    const live = await connect();
    await postJson(app.base, jsonTraceRequest("old", [{ traceId: before }]));
    await waitFor(() =>
      live.messages.find((m) => m.type === "traces" && !m.snapshot && m.traces.some((t: any) => t.traceId === before)),
    );
    live.ws.close();
    const { ws, messages } = await connectFirstUi();
    await waitFor(() => messages[0]);
    expect(messages[0]).toEqual({ type: "connected", message: "Connected to tracekit-local" });

    // A Python SDK's root span that failed: one span per request, no User-Agent.
    const traceId = newTraceId();
    const span = {
      traceId,
      spanId: newSpanId(),
      name: "GET /checkout",
      kind: API_KIND.SERVER,
      startMs: Date.now(),
      durationMs: 12,
      statusCode: 2,
    };
    expect((await sdkPost(app.port, pythonLocalUiBody("shop-py", span), "python")).status).toBe(200);
    const message = await waitFor(() => messages.find((m) => m.type === "new_trace"));
    expect(message.trace).toMatchObject({
      traceId,
      name: "GET /checkout",
      service: "shop-py",
      status: "error",
      duration: 12,
      durationMs: 12,
    });
    const ok = newTraceId();
    await postJson(app.base, jsonTraceRequest("shop-py", [{ traceId: ok }]));
    const second = await waitFor(() => messages.find((m) => m.type === "new_trace" && m.trace.traceId === ok));
    expect(second.trace.status).toBe("ok");

    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    await waitFor(() => messages.find((m) => m.type === "traces_cleared"));
    // The page of traces stored before it connected, and the feed's other messages, are not this UI's kind.
    const types = new Set(messages.map((m) => m.type));
    expect([...types].sort()).toEqual(["connected", "new_trace", "traces_cleared"]);
    expect(messages.some((m) => m.type === "new_trace" && m.trace.traceId === before)).toBe(false);
    ws.close();
  });

  it("refuses another site's page, as the live feed does", async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${app.port}/ws`, { origin: "http://evil.example" });
    const status = await new Promise<number>((resolve) =>
      refused.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(403);
  });
});
