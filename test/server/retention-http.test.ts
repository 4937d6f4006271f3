import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

// A store of 10 spans, so one test can pass the bound with a few requests.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ maxSpans: 10 });
});
afterAll(async () => {
  await app.close();
});

async function health(): Promise<any> {
  return (await fetch(`${app.base}/api/health`)).json();
}

describe("retention seen through OTLP/HTTP", () => {
  it("answers partial success for the spans of a trace larger than --max-spans", async () => {
    const traceId = newTraceId();
    const response = await postJson(
      app.base,
      jsonTraceRequest(
        "big",
        Array.from({ length: 14 }, () => ({ traceId })),
      ),
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.partialSuccess.rejectedSpans).toBe(4);
    expect(body.partialSuccess.errorMessage).toContain(
      "more spans than the 10 the retention bound keeps (--max-spans)",
    );
    expect((await health()).counts.rejectedSpans).toBe(4);
  });

  it("drops late spans of an evicted trace, counts them and tells the live view", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${app.port}/api/live`, { origin: `http://localhost:${app.port}` });
    const messages: any[] = [];
    ws.on("message", (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => ws.once("open", resolve));
    const traceId = newTraceId();
    const root = newSpanId();
    await postJson(app.base, jsonTraceRequest("shop", [{ traceId, parentSpanId: root, name: "child" }]));
    for (let i = 0; i < 10; i++) await postJson(app.base, jsonTraceRequest("shop", [{ name: `other ${i}` }]));
    const lateSpan = jsonTraceRequest("shop", [{ traceId, spanId: root, name: "GET /late" }]);
    const late = await postJson(app.base, lateSpan);
    expect(await late.json()).toEqual({});
    expect(late.headers.get("x-tracekit-late-spans")).toBeNull();
    expect((await fetch(`${app.base}/api/traces/${traceId}`)).status).toBe(404);
    expect((await health()).counts.lateSpans).toBe(1);
    const deadline = Date.now() + 5000;
    while (!messages.some((m) => m.type === "late-spans") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(messages.find((m) => m.type === "late-spans")).toEqual({ type: "late-spans", lateSpans: 1, maxSpans: 10 });
    ws.close();
  });

  it("stores again the spans of an evicted trace from a sender that asks (an import): a file holds whole traces", async () => {
    const traceId = newTraceId();
    const root = newSpanId();
    await postJson(app.base, jsonTraceRequest("shop", [{ traceId, parentSpanId: root, name: "child" }]));
    for (let i = 0; i < 10; i++) await postJson(app.base, jsonTraceRequest("shop", [{ name: `other ${i}` }]));
    const kept = newTraceId();
    const mixed = jsonTraceRequest("shop", [
      { traceId, spanId: root, name: "GET /late" },
      { traceId, parentSpanId: root, name: "late child" },
      { traceId: kept, name: "GET /new" },
    ]);
    const lateBefore = (await health()).counts.lateSpans;
    const asked = await postJson(app.base, mixed, { "x-tracekit-report-duplicates": "1" });
    expect(asked.status).toBe(200);
    expect(asked.headers.get("x-tracekit-late-spans")).toBe("0");
    expect(asked.headers.get("x-tracekit-duplicates")).toBe("0");
    expect(await asked.json()).toEqual({});
    const again = await fetch(`${app.base}/api/traces/${traceId}`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { spans: unknown[] }).spans).toHaveLength(2);
    expect((await fetch(`${app.base}/api/traces/${kept}`)).status).toBe(200);
    expect((await health()).counts.lateSpans).toBe(lateBefore);
  });
});

describe("retention's partial success in numbers of thousands", () => {
  let large: TestApp;
  beforeAll(async () => {
    large = await startTestApp({ maxSpans: 1_000 });
  });
  afterAll(async () => {
    await large.close();
  });

  it("writes them with separators, as the rest of the product does, in the answer and the terminal's line", async () => {
    const traceId = newTraceId();
    const response = await postJson(
      large.base,
      jsonTraceRequest(
        "big",
        Array.from({ length: 2_100 }, () => ({ traceId })),
      ),
    );
    const body = await response.json();
    expect(body.partialSuccess.rejectedSpans).toBe(1_100);
    expect(body.partialSuccess.errorMessage).toBe(
      `trace ${traceId} has more spans than the 1,000 the retention bound keeps (--max-spans); raise --max-spans to keep it whole`,
    );
    expect(large.events).toContainEqual(
      expect.objectContaining({
        type: "client-error",
        status: 200,
        message: `rejected 1,100 span(s): ${body.partialSuccess.errorMessage}`,
      }),
    );
  });
});
