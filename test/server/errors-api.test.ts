import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ErrorGroupsResponse } from "../../src/protocol.js";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { loadUser, pickShard, sendFailingTrace } from "../helpers/otel-errors.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

async function errors(search = ""): Promise<ErrorGroupsResponse> {
  const response = await fetch(`${app.base}/api/errors${search}`);
  expect(response.status).toBe(200);
  return (await response.json()) as ErrorGroupsResponse;
}

describe("GET /api/errors", () => {
  it("groups exceptions sent by the OpenTelemetry SDK, with their traces, window and service", async () => {
    const sent = [];
    for (const id of ["17", "4711", "90210"]) {
      sent.push(
        await sendFailingTrace(app.base, { service: "users", name: "GET /users/:id", fail: () => loadUser(id) }),
      );
    }
    await sendFailingTrace(app.base, { service: "users", name: "GET /shards", fail: () => pickShard(9) });
    await postJson(app.base, jsonTraceRequest("billing", [{ name: "charge", kind: 2, statusCode: 2 }]));

    const body = await errors();
    expect(body.totalGroups).toBe(3);
    expect(body.totalErrors).toBe(5);
    const typeError = body.groups.find((g) => g.type === "TypeError");
    expect(typeError).toMatchObject({
      service: "users",
      kind: "exception",
      count: 3,
      pattern: "Cannot read properties of undefined (reading '<value>') for user <n>",
      operations: [{ service: "users", name: "GET /users/:id", count: 3 }],
      sample: { message: "Cannot read properties of undefined (reading 'email') for user 90210" },
    });
    expect(typeError?.frames[0]).toBe("otel-errors.ts:loadUser");
    expect(typeError?.sample.stacktrace).toContain("at loadUser");
    expect(typeError?.latest.map((l) => [l.traceId, l.spanId])).toEqual(
      sent.reverse().map((s) => [s.traceId, s.failingSpanId]),
    );
    expect(typeError?.sparkline.reduce((a, b) => a + b, 0)).toBe(3);
    expect(body.groups.map((g) => g.type).sort()).toEqual(["RangeError", "TypeError", "error"]);

    expect((await errors("?service=billing")).groups.map((g) => g.type)).toEqual(["error"]);
    expect((await errors("?sort=count&limit=1")).groups.map((g) => g.count)).toEqual([3]);
    expect((await errors(`?since=${Date.now() + 60_000}`)).groups).toEqual([]);
  });

  it("says where a group's errors started when a span below them failed first", async () => {
    const traceId = newTraceId();
    const [root, call, handler] = [newSpanId(), newSpanId(), newSpanId()];
    const now = BigInt(Date.now()) * 1_000_000n;
    await postJson(
      app.base,
      jsonTraceRequest("shop-web", [
        { traceId, spanId: root, name: "POST /buy", kind: 2, statusCode: 2, statusMessage: "HTTP 502", startNs: now },
        { traceId, spanId: call, parentSpanId: root, name: "POST pay", kind: 3, statusCode: 2, startNs: now + 1n },
      ]),
    );
    await postJson(
      app.base,
      jsonTraceRequest("shop-pay", [
        {
          traceId,
          spanId: handler,
          parentSpanId: call,
          name: "POST /charge",
          kind: 2,
          statusCode: 2,
          statusMessage: "card 4242 declined",
          startNs: now + 2n,
        },
      ]),
    );
    const [pay] = (await errors("?service=shop-pay")).groups;
    expect(pay).toMatchObject({ type: "error", startedBelow: [] });
    const web = (await errors("?service=shop-web")).groups;
    expect(web).toHaveLength(2);
    for (const group of web) {
      expect(group.startedBelow).toEqual([
        { id: pay?.id, service: "shop-pay", type: "error", message: "card 4242 declined" },
      ]);
    }
  });

  it("says when a group's frames are the runtime's or a library's, the stack holding none of the app's own", async () => {
    const stacks = {
      "lib-only":
        "Error: socket hang up\n    at TLSSocket.socketOnEnd (node:_http_client:524:23)\n    at TLSSocket.emit (node:events:529:35)",
      "app-too":
        "Error: socket hang up\n    at TLSSocket.socketOnEnd (node:_http_client:524:23)\n    at fetchCart (/srv/app/src/cart.js:12:5)",
    };
    for (const [service, stacktrace] of Object.entries(stacks)) {
      const body = jsonTraceRequest(service, [{ name: "GET /cart", kind: 2, statusCode: 2 }]) as any;
      const span = body.resourceSpans[0].scopeSpans[0].spans[0];
      span.events = [
        {
          name: "exception",
          timeUnixNano: span.endTimeUnixNano,
          attributes: [
            { key: "exception.type", value: { stringValue: "Error" } },
            { key: "exception.message", value: { stringValue: "socket hang up" } },
            { key: "exception.stacktrace", value: { stringValue: stacktrace } },
          ],
        },
      ];
      expect((await postJson(app.base, body)).status).toBe(200);
    }
    const [library] = (await errors("?service=lib-only")).groups;
    expect(library).toMatchObject({
      frames: ["node:_http_client:TLSSocket.socketOnEnd", "node:events:TLSSocket.emit"],
      libraryFrames: true,
    });
    const [own] = (await errors("?service=app-too")).groups;
    expect(own).toMatchObject({ frames: ["cart.js:fetchCart"], libraryFrames: false });
  });

  it("refuses bad parameters with a reason", async () => {
    for (const search of ["?sort=name", "?limit=0", "?limit=5000", "?buckets=x", "?since=soon"]) {
      const response = await fetch(`${app.base}/api/errors${search}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("invalid_query");
    }
  });
});

describe("GET /api/errors's sparkline axis", () => {
  it("spans the window asked for up to now, and without one every trace stored, whatever the errors' times", async () => {
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    const nowMs = Date.now();
    const at = (minutesAgo: number) => BigInt(nowMs - minutesAgo * 60_000) * 1_000_000n;
    await postJson(app.base, jsonTraceRequest("shop", [{ name: "GET /health", startNs: at(120) }]));
    await postJson(app.base, jsonTraceRequest("shop", [{ name: "GET /items", startNs: at(30), statusCode: 2 }]));
    const end = (body: ErrorGroupsResponse) => BigInt(body.bucketStartUnixNano) + BigInt(body.bucketNanos) * 60n;

    const everything = await errors("?buckets=60");
    expect(everything.bucketStartUnixNano).toBe(at(120).toString());
    // The newest trace stored is the failing one (5 ms long): the axis ends with it.
    expect(end(everything) - (at(30) + 5_000_000n)).toBeLessThan(BigInt(everything.bucketNanos));

    const since = nowMs - 3_600_000;
    const hour = await errors(`?since=${since}&buckets=60`);
    expect(hour.bucketStartUnixNano).toBe((BigInt(since) * 1_000_000n).toString());
    // Up to when it was asked, not to the newest error, half an hour before.
    expect(end(hour)).toBeGreaterThanOrEqual(BigInt(nowMs) * 1_000_000n);
  });
});

describe.each(["memory", "sqlite"] as const)("GET /api/errors pages with a cursor (%s store)", (kind) => {
  let paged: TestApp;
  let dir: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    dir = tempDir();
    paged = await startTestApp(kind === "sqlite" ? { db: join(dir.path, "errors.db") } : {});
    // 300 exception types in one request, 1 to 3 errors each, and errors of three groups at each time.
    const base = 1_700_000_000_000_000_000n;
    const spans = [];
    for (let i = 0; i < 300; i++) {
      for (let n = 0; n <= i % 3; n++) {
        spans.push({
          name: `job ${i}`,
          statusCode: 2,
          startNs: base + BigInt(Math.floor(i / 3) * 1_000_000 - n),
          attributes: { "exception.type": `Error${i}`, "exception.message": "failed" },
        });
      }
    }
    await postJson(paged.base, jsonTraceRequest("worker", spans));
  });
  afterAll(async () => {
    await paged.close();
    dir.remove();
  });

  async function page(search: string): Promise<ErrorGroupsResponse> {
    const response = await fetch(`${paged.base}/api/errors${search}`);
    expect(response.status).toBe(200);
    return (await response.json()) as ErrorGroupsResponse;
  }

  it.each(["lastSeen", "count"])("reaches every group once, in order, sorted by %s", async (sort) => {
    const whole = await page(`?sort=${sort}&limit=1000`);
    expect(whole.totalGroups).toBe(300);
    expect(whole.nextCursor).toBeUndefined();
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const next = await page(
        `?sort=${sort}&limit=64${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`,
      );
      expect([next.totalGroups, next.totalErrors, next.totalTraces]).toEqual([
        300,
        whole.totalErrors,
        whole.totalTraces,
      ]);
      expect([next.bucketStartUnixNano, next.bucketNanos]).toEqual([whole.bucketStartUnixNano, whole.bucketNanos]);
      ids.push(...next.groups.map((g) => g.id));
      cursor = next.nextCursor;
    } while (cursor !== undefined);
    expect(ids).toEqual(whole.groups.map((g) => g.id));
  });

  it("draws a next page's sparklines on the axis it is given (an earlier answer's), not one of its own", async () => {
    const base = 1_700_000_000_000_000_000n;
    const sinceMs = Number(base / 1_000_000n) - 60_000;
    const first = await page(`?since=${sinceMs}&limit=100`);
    // Asked a minute later, the window starts later: its own axis is another.
    const later = `?since=${sinceMs + 60_000}&limit=100&cursor=${encodeURIComponent(first.nextCursor as string)}`;
    const own = await page(later);
    expect(own.bucketStartUnixNano).not.toBe(first.bucketStartUnixNano);
    const pinned = await page(`${later}&bucketStart=${first.bucketStartUnixNano}&bucketNanos=${first.bucketNanos}`);
    expect([pinned.bucketStartUnixNano, pinned.bucketNanos, pinned.buckets]).toEqual([
      first.bucketStartUnixNano,
      first.bucketNanos,
      first.buckets,
    ]);
    expect(pinned.groups.map((g) => g.id)).toEqual(own.groups.map((g) => g.id));
    // Each error in the bucket of its time on that axis.
    const start = BigInt(first.bucketStartUnixNano);
    const width = BigInt(first.bucketNanos);
    for (const group of pinned.groups) {
      const at = Number((BigInt(group.lastSeenUnixNano) - start) / width);
      expect((group.sparkline[Math.min(at, first.buckets - 1)] as number) > 0).toBe(true);
      expect(group.sparkline.reduce((a, b) => a + b, 0)).toBe(group.count);
    }
    for (const bad of [
      "&bucketStart=1",
      "&bucketNanos=5",
      "&bucketStart=1&bucketNanos=0",
      "&bucketStart=x&bucketNanos=1",
    ]) {
      const response = await fetch(`${paged.base}/api/errors?limit=1${bad}`);
      expect(response.status).toBe(400);
    }
  });

  it("refuses a cursor of the other order, or one it did not issue", async () => {
    const first = await page("?sort=count&limit=10");
    for (const cursor of [first.nextCursor as string, "12_x"]) {
      const response = await fetch(`${paged.base}/api/errors?sort=lastSeen&cursor=${encodeURIComponent(cursor)}`);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_cursor");
    }
  });
});
