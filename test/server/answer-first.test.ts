import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExportStoppedError, ExportsInFlight, SLICED_BODY_BYTES, WorkTurns } from "../../src/otlp/limits.js";
import { exportSignal, type OtlpHttpAnswer, traceSignal } from "../../src/server/routes/otlp.js";
import { createMemoryStore } from "../../src/store/memory-store.js";
import { createSqliteStore, loadSqliteDriver } from "../../src/store/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { traceRouteDeps } from "../helpers/otlp-route-deps.js";
import { jsonTraceRequest, newTraceId } from "../helpers/payloads.js";

// A small export into a store without a file is answered before it is stored (the TraceKit Python SDK
// waits for each one-span answer); the store work then runs right after the answer, in the same turn.
function exporter(store: Store, workTurns?: WorkTurns, exports?: ExportsInFlight) {
  const deps = traceRouteDeps(store, 4 * 1024 * 1024, { workTurns, exports });
  const signal = traceSignal(deps);
  const post = (request: Record<string, unknown>): Promise<OtlpHttpAnswer> => {
    const body = new TextEncoder().encode(JSON.stringify(request));
    return exportSignal(
      signal,
      {
        header: (name) => (name === "content-type" ? "application/json" : undefined),
        body: async () => body,
      },
      deps,
    );
  };
  return Object.assign(post, { rejections: deps.rejections });
}

describe("answering small exports before storing them", () => {
  it("answers a one-span export first and stores it when the answer's writer runs afterAnswer", async () => {
    const store = createMemoryStore({ maxSpans: 100 });
    const post = exporter(store);
    const traceId = newTraceId();
    const answer = await post(jsonTraceRequest("py", [{ traceId, name: "GET /users/1" }]));
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("{}");
    expect(answer.afterAnswer).toBeTypeOf("function");
    expect(store.getTrace(traceId)).toBeUndefined();
    answer.afterAnswer?.();
    expect(store.getTrace(traceId)?.map((span) => span.name)).toEqual(["GET /users/1"]);
  });

  it("stores first and answers partial success when the store could refuse a span", async () => {
    const store = createMemoryStore({ maxSpans: 10 });
    const post = exporter(store);
    const traceId = newTraceId();
    const first = await post(
      jsonTraceRequest(
        "py",
        Array.from({ length: 6 }, () => ({ traceId })),
      ),
    );
    first.afterAnswer?.();
    expect(store.getTrace(traceId)).toHaveLength(6);
    // Five more spans of that trace would make it 11 in a store of 10: one is refused, and the answer says so.
    const answer = await post(
      jsonTraceRequest(
        "py",
        Array.from({ length: 5 }, () => ({ traceId })),
      ),
    );
    expect(answer.afterAnswer).toBeUndefined();
    expect(JSON.parse(String(answer.body)).partialSuccess.rejectedSpans).toBe(1);
    expect(store.getTrace(traceId)).toHaveLength(10);
  });

  it("counts a span the store refuses after all, when another export filled its trace in between", async () => {
    const store = createMemoryStore({ maxSpans: 10 });
    const post = exporter(store);
    const traceId = newTraceId();
    const answer = await post(jsonTraceRequest("py", [{ traceId }]));
    expect(answer.afterAnswer).toBeTypeOf("function");
    (
      await post(
        jsonTraceRequest(
          "py",
          Array.from({ length: 10 }, () => ({ traceId })),
        ),
      )
    ).afterAnswer?.();
    answer.afterAnswer?.();
    expect(store.getTrace(traceId)).toHaveLength(10);
    expect(post.rejections.counts().rejectedSpans).toBe(1);
  });

  it("answers first again once the largest trace is cleared", async () => {
    const store = createMemoryStore({ maxSpans: 10 });
    const post = exporter(store);
    const traceId = newTraceId();
    (
      await post(
        jsonTraceRequest(
          "py",
          Array.from({ length: 10 }, () => ({ traceId })),
        ),
      )
    ).afterAnswer?.();
    expect((await post(jsonTraceRequest("py", [{}]))).afterAnswer).toBeUndefined();
    store.clear();
    expect((await post(jsonTraceRequest("py", [{}]))).afterAnswer).toBeTypeOf("function");
  });

  it("stores first when other requests' work waits for its turn", async () => {
    // With work waiting, an answer written first could reach a sender that then reads the store
    // before this export's turn came.
    class BusyTurns extends WorkTurns {
      override reserve(): number | null {
        return null;
      }
    }
    const store = createMemoryStore({ maxSpans: 100 });
    const traceId = newTraceId();
    const answer = await exporter(store, new BusyTurns())(jsonTraceRequest("py", [{ traceId }]));
    expect(answer.afterAnswer).toBeUndefined();
    expect(store.getTrace(traceId)).toHaveLength(1);
  });

  describe("with a store file", () => {
    let dir: string;
    beforeAll(async () => {
      await loadSqliteDriver();
      dir = mkdtempSync(join(tmpdir(), "tracekit-local-answer-first-"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("answers only after the span is committed", async () => {
      const store = createSqliteStore({ path: join(dir, "traces.db"), maxSpans: 100 });
      try {
        const traceId = newTraceId();
        const answer = await exporter(store)(jsonTraceRequest("py", [{ traceId }]));
        expect(answer.afterAnswer).toBeUndefined();
        expect(store.getTrace(traceId)).toHaveLength(1);
      } finally {
        store.close();
      }
    });
  });
});

// A server that stops waits for its exports in flight (ExportsInFlight); one still decoding or storing
// past the grace is answered 503 with Retry-After, which OTLP senders retry, not cut off.
describe("an export the stopping server stopped", () => {
  it("is answered 503 with Retry-After, counted as refused, and ends its place among the exports in flight", async () => {
    const store = createMemoryStore({ maxSpans: 100_000 });
    const exports = new ExportsInFlight();
    const post = exporter(store, undefined, exports);
    const spans = Array.from({ length: 3000 }, (_, i) => ({ traceId: newTraceId(), name: `span ${i}` }));
    const request = jsonTraceRequest("large", spans);
    expect(JSON.stringify(request).length).toBeGreaterThan(SLICED_BODY_BYTES);
    // The server stops while another export runs: past the grace, exports are stopped at their next pause.
    const other = exports.begin();
    const settled = exports.settle(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(exports.signal.reason).toBeInstanceOf(ExportStoppedError);
    const answer = await post(request);
    expect(answer.status).toBe(503);
    expect(answer.headers["Retry-After"]).toBe("5");
    expect(JSON.parse(String(answer.body))).toEqual({
      code: 14,
      message: "tracekit-local is stopping and did not store all the span(s); retry later",
    });
    expect(store.stats().spans).toBe(0);
    expect(post.rejections.counts().rejectedRequests).toBe(1);
    // This export's place is given back: the server's wait ends with the other one.
    other();
    await settled;
  });
});
