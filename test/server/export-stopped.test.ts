import { describe, expect, it } from "vitest";
import { createIngest } from "../../src/ingest/ingest.js";
import type { LogIngest } from "../../src/ingest/logs.js";
import type { MetricIngest } from "../../src/ingest/metrics.js";
import { createRejectionLog } from "../../src/ingest/rejections.js";
import { createLiveHub } from "../../src/live/hub.js";
import { ExportsInFlight, SLICED_BODY_BYTES } from "../../src/otlp/limits.js";
import { exportSignal, traceSignal } from "../../src/server/routes/otlp.js";
import { createHostPolicy } from "../../src/server/security.js";
import { createMemoryStore } from "../../src/store/memory-store.js";
import { jsonTraceRequest, newTraceId } from "../helpers/payloads.js";

// A server that stops waits for its exports in flight (ExportsInFlight); one still decoding or storing
// past the grace is answered 503 with Retry-After, which OTLP senders retry, not cut off.
describe("an export the stopping server stopped", () => {
  it("is answered 503 with Retry-After, counted as refused, and ends its place among the exports in flight", async () => {
    const store = createMemoryStore({ maxSpans: 100_000 });
    const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [] });
    const exports = new ExportsInFlight();
    const deps = {
      ingest: createIngest(store, hub),
      logIngest: {} as LogIngest,
      metricIngest: {} as MetricIngest,
      hostPolicy: createHostPolicy("127.0.0.1"),
      maxBodyBytes: 32 * 1024 * 1024,
      rejections: createRejectionLog(hub),
      exports,
    };
    const spans = Array.from({ length: 3000 }, (_, i) => ({ traceId: newTraceId(), name: `span ${i}` }));
    const body = new TextEncoder().encode(JSON.stringify(jsonTraceRequest("large", spans)));
    expect(body.byteLength).toBeGreaterThan(SLICED_BODY_BYTES);
    // The server stops while another export runs: past the grace, exports are stopped at their next pause.
    const other = exports.begin();
    const settled = exports.settle(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(exports.signal.aborted).toBe(true);
    const answer = await exportSignal(
      traceSignal(deps),
      { header: (name) => (name === "content-type" ? "application/json" : undefined), body: async () => body },
      deps,
    );
    expect(answer.status).toBe(503);
    expect(answer.headers["Retry-After"]).toBe("5");
    expect(JSON.parse(String(answer.body))).toEqual({
      code: 14,
      message: "tracekit-local is stopping and did not store all the span(s); retry later",
    });
    expect(store.stats().spans).toBe(0);
    expect(deps.rejections.counts().rejectedRequests).toBe(1);
    // This export's place is given back: the server's wait ends with the other one.
    other();
    await settled;
  });
});
