import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { connectLive, waitFor } from "../helpers/live.js";
import { jsonLogRequest, newTraceId, postLogs } from "../helpers/payloads.js";

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(async () => {
  await app.close();
});

describe("/api/live: logs", () => {
  it("pushes newly stored log records as they are served by /api/logs, oldest first", async () => {
    const { ws, messages } = await connectLive(app.port, { origin: `http://localhost:${app.port}` });
    const traceId = newTraceId();
    await postLogs(
      app.base,
      jsonLogRequest("live-logs", [
        { traceId, body: "first" },
        { traceId, body: "second" },
      ]),
    );
    const message = await waitFor(() => messages.find((m) => m.type === "logs"));
    expect(message.logs.map((log: any) => log.body)).toEqual(["first", "second"]);
    const served = await readJson(fetch(`${app.base}/api/logs?traceId=${traceId}&order=asc`));
    expect(message.logs).toEqual(served.logs);
    ws.close();
  });

  it("coalesces a burst into a few messages, bounded per tick", async () => {
    const { ws, messages } = await connectLive(app.port);
    const requests = Array.from({ length: 40 }, (_, r) =>
      jsonLogRequest(
        "burst",
        Array.from({ length: 100 }, (_, i) => ({ body: `r${r}-${i}` })),
      ),
    );
    await Promise.all(requests.map((body) => postLogs(app.base, body)));
    await waitFor(() => (messages.some((m) => m.type === "logs") ? true : undefined));
    // Wait for the last tick, then look at what arrived.
    await new Promise((r) => setTimeout(r, 200));
    const logMessages = messages.filter((m) => m.type === "logs");
    expect(logMessages.length).toBeLessThan(40);
    for (const m of logMessages) expect(m.logs.length).toBeLessThanOrEqual(1000);
    const pushed = logMessages.flatMap((m) => m.logs.map((log: any) => log.id));
    expect(new Set(pushed).size).toBe(pushed.length);
    // Every record is stored even when a tick pushes only the newest ones.
    expect((await readJson(fetch(`${app.base}/api/health`))).counts.logs).toBe(4000);
    ws.close();
  });

  it("tells clients when everything, logs included, is cleared", async () => {
    const { ws, messages } = await connectLive(app.port);
    await postLogs(app.base, jsonLogRequest("to-clear", [{}]));
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    await waitFor(() => messages.find((m) => m.type === "cleared"));
    expect((await readJson(fetch(`${app.base}/api/logs`))).logs).toEqual([]);
    ws.close();
  });

  it("counts the records a client missed while it was skipped (omitted) when it is resynced: none unaccounted for", async () => {
    const { ws, messages } = await connectLive(app.port);
    // Stop reading: the kernel buffers fill, then the server's queue for this client grows past its bound.
    const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const longBody = "b".repeat(2000);
    let posted = 0;
    for (let round = 0; round < 30; round++) {
      const records = Array.from({ length: 200 }, (_, i) => ({ body: `${round}-${i} ${longBody}` }));
      await postLogs(app.base, jsonLogRequest("flood", records));
      posted += records.length;
      await new Promise((r) => setTimeout(r, 30));
    }
    socket.resume();
    await postLogs(app.base, jsonLogRequest("flood", [{ body: "after" }]));
    posted++;
    // Every record reaches it, or a count of it once it is resynced ("after" itself may be one of those).
    const logMessages = () => messages.filter((m) => m.type === "logs");
    const accounted = () => logMessages().reduce((sum, m) => sum + m.logs.length + (m.omitted ?? 0), 0);
    await waitFor(() => (accounted() >= posted ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(accounted()).toBe(posted);
    // It was skipped: some records reached it only as a count.
    expect(logMessages().some((m) => (m.omitted ?? 0) > 0)).toBe(true);
    ws.terminate();
  }, 120_000);
});
