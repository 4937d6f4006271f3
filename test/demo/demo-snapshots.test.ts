import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemoTraffic } from "../../src/demo/traffic.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe("demo traffic fills the Snapshots page", () => {
  it("registers checkout-api's breakpoint, and captures beside checkout traces once it is enabled", async () => {
    await runDemoTraffic({ url: app.base, durationMs: 300, rate: 20, signals: false });
    const state = await readJson(fetch(`${app.base}/api/breakpoints`));
    const breakpoint = state.breakpoints.find((b: any) => b.label === "checkout");
    expect(breakpoint).toMatchObject({ service: "checkout-api", label: "checkout", enabled: false });
    // Disabled: nothing is captured.
    expect((await readJson(fetch(`${app.base}/api/snapshots`))).snapshots).toEqual([]);

    const enabled = await fetch(`${app.base}/api/breakpoints/${breakpoint.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json", origin: app.base },
      body: JSON.stringify({ enabled: true }),
    });
    expect(enabled.status).toBe(200);

    await runDemoTraffic({ url: app.base, durationMs: 2_500, rate: 30, signals: false });
    const again = await readJson(fetch(`${app.base}/api/breakpoints`));
    expect(again.breakpoints.filter((b: any) => b.label === "checkout")).toHaveLength(1);
    const list = await readJson(fetch(`${app.base}/api/snapshots`));
    expect(list.snapshots.length).toBeGreaterThanOrEqual(1);
    // At most one capture per second, as the SDKs do.
    expect(list.snapshots.length).toBeLessThanOrEqual(4);
    const summary = list.snapshots[0];
    expect(list.storedTraceIds).toContain(summary.traceId);
    const snapshot = await readJson(fetch(`${app.base}/api/snapshots/${summary.id}`));
    expect(snapshot.variables.order.id).toEqual(expect.any(Number));
    const trace = await readJson(fetch(`${app.base}/api/traces/${summary.traceId}`));
    const span = trace.spans.find((s: any) => s.spanId === summary.spanId);
    expect(span).toMatchObject({ service: "checkout-api", kind: "SERVER", name: "POST /api/orders" });
    expect(span.attributes["app.order.id"]).toBe(snapshot.variables.order.id);
  });
});
