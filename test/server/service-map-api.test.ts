import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { type JsonSpanInput, jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

describe("GET /api/service-map", () => {
  it("answers the services, what they call, and the calls between them over a window", async () => {
    const traceId = newTraceId();
    const [root, call] = [newSpanId(), newSpanId()];
    await postJson(
      app.base,
      jsonTraceRequest("web", [
        { traceId, spanId: root, name: "GET /", kind: 2 },
        { traceId, spanId: call, parentSpanId: root, name: "GET", kind: 3, attributes: { "server.address": "api" } },
      ]),
    );
    await postJson(
      app.base,
      jsonTraceRequest("api", [
        { traceId, parentSpanId: call, name: "GET /items", kind: 2, statusCode: 2 },
        { traceId, parentSpanId: call, name: "GET items", kind: 3, attributes: { "db.system": "redis" } },
      ]),
    );
    const body = await (await fetch(`${app.base}/api/service-map`)).json();
    expect(body.nodes.map((n: { id: string; kind: string }) => `${n.id} ${n.kind}`)).toEqual([
      "cache:redis cache",
      "service:api service",
      "service:web service",
    ]);
    expect(body.edges).toEqual([
      expect.objectContaining({ from: "service:api", to: "cache:redis", calls: 1, errors: 0 }),
      expect.objectContaining({ from: "service:web", to: "service:api", calls: 2, errors: 1 }),
    ]);
    expect(body).toMatchObject({ tracesRead: 1, truncated: false });
    expect(body.layout).toBeUndefined();
    // Laid out when asked: callers left of callees, a line for each edge.
    const { layout } = await (await fetch(`${app.base}/api/service-map?layout=1`)).json();
    expect(Object.keys(layout.nodes).sort()).toEqual(["cache:redis", "service:api", "service:web"]);
    expect(layout.nodes["service:web"].x).toBeLessThan(layout.nodes["service:api"].x);
    expect(layout.nodes["service:api"].x).toBeLessThan(layout.nodes["cache:redis"].x);
    expect(Object.keys(layout.edges).sort()).toEqual(["service:api>cache:redis", "service:web>service:api"]);
    // Rates are per the window, as on the Services page: everything stored is the time the calls span.
    expect(body.seconds).toBe(1);
    // A window of two minutes around the spans (sent at 1_700_000_000_000 ms): per its 120 s.
    const window = `since=${1_700_000_000_000 - 60_000}&until=${1_700_000_000_000 + 60_000}`;
    const windowed = await (await fetch(`${app.base}/api/service-map?${window}`)).json();
    expect(windowed.seconds).toBeCloseTo(120, 2);
    const services = await (await fetch(`${app.base}/api/services?${window}`)).json();
    const web = windowed.nodes.find((n: { id: string }) => n.id === "service:web");
    const webStats = services.services.find((s: { name: string }) => s.name === "web");
    expect(web.calls / windowed.seconds).toBeCloseTo(webStats.ratePerSec, 4);
    const future = await (await fetch(`${app.base}/api/service-map?since=${Date.now() + 60_000}`)).json();
    expect(future.nodes).toEqual([]);
    expect((await fetch(`${app.base}/api/service-map?since=soon`)).status).toBe(400);
  });
});

describe.each(["memory", "sqlite"] as const)("a service on the map and on the Services page, %s store", (kind) => {
  it("reads the same requests, p50 and p95 in a window that starts within a minute", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tracekit-map-services-"));
    const own = await startTestApp(kind === "sqlite" ? { db: join(dir, "same.db") } : {});
    try {
      const minute = 1_700_000_040_000; // a whole minute, unix ms
      const requests: JsonSpanInput[] = [];
      // Requests of 990–1000 ms (the middle of their latency bucket is 1006 ms) over 3 minutes, and
      // the slowest one 10 s into the first minute, before the window's start but in its minute.
      for (let k = 0; k < 30; k++) {
        const startMs = minute + (k === 0 ? 10_000 : 20_000 + k * 5_000);
        const durationMs = k === 0 ? 1_000 : 990 + (k % 10);
        requests.push({
          name: "GET /pay",
          kind: 2,
          startNs: BigInt(startMs) * 1_000_000n,
          durationNs: BigInt(durationMs) * 1_000_000n,
        });
      }
      await postJson(own.base, jsonTraceRequest("payments", requests));
      const window = `since=${minute + 30_000}&until=${minute + 170_000}`;
      const services = await (await fetch(`${own.base}/api/services?${window}`)).json();
      const map = await (await fetch(`${own.base}/api/service-map?${window}`)).json();
      const stats = services.services.find((s: { name: string }) => s.name === "payments");
      const node = map.nodes.find((n: { id: string }) => n.id === "service:payments");
      // Both count the spans of the window's whole minutes: all 30, the slowest (1.000 s) among them.
      expect(stats).toMatchObject({ requestCount: 30, p95Ms: 1000 });
      expect([node.calls, node.p50Ms, node.p95Ms]).toEqual([stats.requestCount, stats.p50Ms, stats.p95Ms]);
    } finally {
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(["memory", "sqlite"] as const)("rates over everything stored in the %s store", (kind) => {
  it("are per the time the spans cover less its idle stretches, on the Services page and the map alike", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tracekit-rates-"));
    const own = await startTestApp(kind === "sqlite" ? { db: join(dir, "rates.db") } : {});
    try {
      const ms = 1_000_000n;
      const at = (unixMs: number, durationMs: number) => ({
        startNs: BigInt(unixMs) * ms,
        durationNs: BigInt(durationMs) * ms,
      });
      // An old trace (an imported file), then an hour of requests every 5 minutes (gaps a running
      // app has), the last ending at its end.
      const old = 1_500_000_000_000;
      const hour = 1_700_000_000_000;
      const request = (service: string, start: number, durationMs: number) =>
        postJson(own.base, jsonTraceRequest(service, [{ name: "GET /", kind: 2, ...at(start, durationMs) }]));
      await request("archive", old, 2_000);
      for (let k = 0; k < 12; k++) await request("web", hour + k * 5 * 60_000, 100);
      await request("web", hour + 3_600_000 - 1_000, 1_000);
      const services = await (await fetch(`${own.base}/api/services`)).json();
      const idle = (hour - (old + 2_000)) / 1000;
      expect(services.rateBasis).toEqual({ seconds: 3602, fromMs: old, toMs: hour + 3_600_000, idleSeconds: idle });
      const web = services.services.find((s: { name: string }) => s.name === "web");
      expect(web.ratePerSec).toBeCloseTo(13 / 3602, 6);
      const map = await (await fetch(`${own.base}/api/service-map`)).json();
      expect(map.seconds).toBe(3602);
      // A span whose start is unset (0) places nothing in time: it ran "since 1970" to past the
      // last request, and with it counted every rate read near zero.
      await postJson(
        own.base,
        jsonTraceRequest("broken-clock", [
          { name: "GET /", kind: 2, startNs: 0n, durationNs: BigInt(hour + 3_600_000) * ms },
        ]),
      );
      const withUnset = await (await fetch(`${own.base}/api/services`)).json();
      expect(withUnset.rateBasis).toEqual(services.rateBasis);
      expect(withUnset.services.find((s: { name: string }) => s.name === "web").ratePerSec).toBeCloseTo(13 / 3602, 6);
      expect((await (await fetch(`${own.base}/api/service-map`)).json()).seconds).toBe(3602);
      // A window is its own length, idle or not.
      const windowed = await (await fetch(`${own.base}/api/services?since=${old}&until=${hour + 3_600_000}`)).json();
      expect(windowed.rateBasis.idleSeconds).toBe(0);
      expect(windowed.rateBasis.seconds).toBeCloseTo((hour + 3_600_000 - old) / 1000, 0);
    } finally {
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
