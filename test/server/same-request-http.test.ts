import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

/**
 * One failing request to a service whose TraceKit Node SDK tells it twice (the HTTP span and its
 * Express middleware's, both under the caller's call), with the times that SDK sent: starts on whole
 * milliseconds (OpenTelemetry JS 1.x starts a span at Date.now()), durations exact.
 */
describe.each(["memory", "sqlite"] as const)("a request told twice with millisecond starts, %s store", (kind) => {
  let app: TestApp;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = kind === "sqlite" ? mkdtempSync(join(tmpdir(), "tk-same-request-")) : undefined;
    app = await startTestApp(dir === undefined ? {} : { db: join(dir, "t.db") });
  });
  afterAll(async () => {
    await app.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("counts one request and one error on the Services page, the map and the Errors page", async () => {
    const base = BigInt(Date.now()) * 1_000_000n;
    const traceId = newTraceId();
    const [root, call] = [newSpanId(), newSpanId()];
    await postJson(
      app.base,
      jsonTraceRequest("caller", [
        { traceId, spanId: root, name: "GET", kind: 2, startNs: base, durationNs: 5_000_000n },
        {
          traceId,
          spanId: call,
          parentSpanId: root,
          name: "GET",
          kind: 3,
          startNs: base + 1_000_000n,
          durationNs: 3_000_000n,
          statusCode: 2,
          attributes: { "peer.service": "callee", "http.status_code": 500 },
        },
      ]),
    );
    await postJson(
      app.base,
      jsonTraceRequest("callee", [
        {
          traceId,
          parentSpanId: call,
          name: "GET",
          kind: 2,
          startNs: base + 2_000_000n,
          durationNs: 1_039_973n,
          statusCode: 2,
          attributes: { "http.status_code": 500, "http.target": "/x" },
        },
        {
          traceId,
          parentSpanId: call,
          name: "GET /x",
          kind: 2,
          startNs: base + 3_000_000n,
          durationNs: 269_991n,
          statusCode: 2,
          attributes: { "http.status_code": 500 },
        },
      ]),
    );
    const { services } = await (await fetch(`${app.base}/api/services`)).json();
    expect(services.find((s: { name: string }) => s.name === "callee")).toMatchObject({
      requestCount: 1,
      requestErrorCount: 1,
    });
    const map = await (await fetch(`${app.base}/api/service-map`)).json();
    expect(map.edges).toEqual([
      expect.objectContaining({ from: "service:caller", to: "service:callee", calls: 1, errors: 1 }),
    ]);
    const errors = await (await fetch(`${app.base}/api/errors?service=callee`)).json();
    expect(errors.groups).toHaveLength(1);
    expect(errors.groups[0]).toMatchObject({ count: 1, traces: 1 });
  });
});
