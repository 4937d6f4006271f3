import { join } from "node:path";
import { status as grpcStatus } from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { exportClient } from "../../bench/grpc-client.mjs";
import { OTLP_GRPC_SERVICES } from "../../src/otlp/grpc-services.js";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { jsonLogRequest, jsonTraceRequest, newTraceId, postJson, postLogs } from "../helpers/payloads.js";
import { loadOtlpRoot, PKG } from "../otlp/helpers.js";
import { copyAsKilled } from "../store/killed-copy.js";

const TraceRequest = loadOtlpRoot().lookupType(`${PKG}.ExportTraceServiceRequest`);

/** `spans` spans of one new trace with a 2 KB attribute each: more than the free room of a page or two. */
function bulkyTrace(service: string, spans = 200): { traceId: string; json: Record<string, unknown> } {
  const traceId = newTraceId();
  const filler = "x".repeat(2048);
  const json = jsonTraceRequest(
    service,
    Array.from({ length: spans }, (_, i) => ({ traceId, name: `op-${i}`, attributes: { filler: `${i}${filler}` } })),
  );
  return { traceId, json };
}

/** The same request as protobuf (OTLP/JSON ids are hex; protobuf.js takes bytes as base64). */
function asProtobuf(json: Record<string, unknown>): Uint8Array {
  const text = JSON.stringify(json, (key, value) =>
    (key === "traceId" || key === "spanId") && typeof value === "string"
      ? Buffer.from(value, "hex").toString("base64")
      : value,
  );
  return TraceRequest.encode(TraceRequest.fromObject(JSON.parse(text))).finish();
}

/** A google.rpc.Status read from protobuf: field 1 the code (varint), field 2 the message. */
function decodeRpcStatus(bytes: Uint8Array): { code: number; message: string } {
  let code = 0;
  let message = "";
  let at = 0;
  const varint = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const tag = varint();
    if (tag === 0x08) code = varint();
    else if (tag === 0x12) {
      const length = varint();
      message = Buffer.from(bytes.subarray(at, at + length)).toString("utf8");
      at += length;
    } else throw new Error(`unexpected tag ${tag}`);
  }
  return { code, message };
}

/** google.rpc.Status with its details, read by protobufjs from these messages' own field numbers. */
const rpc = protobuf.parse(
  `syntax = "proto3";
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
  message Any { string type_url = 1; bytes value = 2; }
  message RetryInfo { Duration retry_delay = 1; }
  message Duration { int64 seconds = 1; int32 nanos = 2; }`,
  { keepCase: true },
).root;

function decodeAs(type: string, bytes: Uint8Array): Record<string, unknown> {
  const message = rpc.lookupType(type);
  return message.toObject(message.decode(bytes), { longs: Number, defaults: true });
}

/** A gRPC error's `grpc-status-details-bin` trailer: its code, message, and the RetryInfo detail's delay. */
function statusDetailsOf(bytes: Buffer): { code: unknown; message: unknown; typeUrl: string; seconds: unknown } {
  const status = decodeAs("Status", bytes);
  const details = status.details as { type_url: string; value: Uint8Array }[];
  expect(details).toHaveLength(1);
  const [any] = details;
  const retryInfo = decodeAs("RetryInfo", any?.value ?? new Uint8Array(0));
  const delay = retryInfo.retry_delay as { seconds: number; nanos: number } | undefined;
  expect(delay?.nanos).toBe(0);
  return { code: status.code, message: status.message, typeUrl: any?.type_url ?? "", seconds: delay?.seconds };
}

const dir = tempDir();
let app: TestApp;
let pragma: (statement: string) => unknown;
let grpcPort: number;

beforeAll(async () => {
  app = await startTestApp({
    db: join(dir.path, "store.db"),
    otlpGrpcPort: 0,
    onDatabasePragma: (run) => {
      pragma = run;
    },
  });
  grpcPort = Number(new URL(app.otlpGrpcEndpoint ?? "").port);
});

afterAll(async () => {
  await app.close();
  dir.remove();
});

/** The file may grow no more: every write that needs a new page fails with SQLITE_FULL, as on a full disk. */
function fillTheDisk(): void {
  const pages = pragma("page_count") as [{ page_count: number }];
  pragma(`max_page_count = ${pages[0].page_count}`);
}

function freeTheDisk(): void {
  pragma("max_page_count = 1073741823");
}

async function storedSpans(traceId: string): Promise<number> {
  const response = await fetch(`${app.base}/api/traces/${traceId}`);
  if (response.status === 404) return 0;
  return (await readJson(response)).spans.length;
}

describe("a store that cannot write its --db file", () => {
  it("answers every OTLP transport 503/UNAVAILABLE in the request's encoding, counts it, and keeps serving", async () => {
    const kept = bulkyTrace("before-full", 3);
    expect((await postJson(app.base, kept.json)).status).toBe(200);
    const rejectedBefore = (await readJson(fetch(`${app.base}/api/health`))).counts.rejectedRequests;
    fillTheDisk();

    const protobufTrace = bulkyTrace("full-protobuf");
    const protobuf = await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: Buffer.from(asProtobuf(protobufTrace.json)),
    });
    expect(protobuf.status).toBe(503);
    expect(protobuf.headers.get("content-type")).toBe("application/x-protobuf");
    expect(protobuf.headers.get("retry-after")).toBe("5");
    const protobufStatus = decodeRpcStatus(new Uint8Array(await protobuf.arrayBuffer()));
    expect(protobufStatus.code).toBe(14);
    expect(protobufStatus.message).toMatch(/cannot store the span\(s\) now: .*SQLITE_FULL.*retry later/);

    const jsonTrace = bulkyTrace("full-json");
    const json = await postJson(app.base, jsonTrace.json);
    expect(json.status).toBe(503);
    expect(json.headers.get("content-type")).toBe("application/json");
    expect(json.headers.get("retry-after")).toBe("5");
    const jsonStatus = await readJson(json);
    expect(jsonStatus.code).toBe(14);
    expect(jsonStatus.message).toMatch(/SQLITE_FULL/);

    const filler = "y".repeat(2048);
    const logs = await postLogs(
      app.base,
      jsonLogRequest(
        "full-logs",
        Array.from({ length: 200 }, (_, i) => ({ body: `${i}${filler}` })),
      ),
    );
    expect(logs.status).toBe(503);
    expect((await readJson(logs)).message).toMatch(/cannot store the log record\(s\) now: .*SQLITE_FULL/);

    const grpcTrace = bulkyTrace("full-grpc");
    const client = exportClient(grpcPort, OTLP_GRPC_SERVICES.traces);
    try {
      const { error } = await client.send(asProtobuf(grpcTrace.json));
      expect(error?.code).toBe(grpcStatus.UNAVAILABLE);
      expect(error?.details).toMatch(/SQLITE_FULL.*retry later/);
      // With RetryInfo: the delay OTLP/HTTP gives in Retry-After.
      const [details] = error?.metadata.get("grpc-status-details-bin") ?? [];
      expect(details).toBeInstanceOf(Buffer);
      expect(statusDetailsOf(details as Buffer)).toEqual({
        code: 14,
        message: error?.details,
        typeUrl: "type.googleapis.com/google.rpc.RetryInfo",
        seconds: 5,
      });
    } finally {
      client.close();
    }

    // Counted like any refusal, and told to the terminal.
    const health = await readJson(fetch(`${app.base}/api/health`));
    expect(health.counts.rejectedRequests).toBe(rejectedBefore + 4);
    const told = app.events.filter((event) => event.type === "client-error" && event.status === 503);
    expect(told.map((event) => (event as { path: string }).path)).toEqual([
      "/v1/traces",
      "/v1/traces",
      "/v1/logs",
      `/${OTLP_GRPC_SERVICES.traces}/Export`,
    ]);

    // Still serving, and nothing stored before was lost.
    expect(await storedSpans(kept.traceId)).toBe(3);
    expect(await storedSpans(protobufTrace.traceId)).toBe(0);

    // Room again: the retries are stored and answered 200.
    freeTheDisk();
    const retried = await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: Buffer.from(asProtobuf(protobufTrace.json)),
    });
    expect(retried.status).toBe(200);
    expect((await postJson(app.base, jsonTrace.json)).status).toBe(200);
    const again = exportClient(grpcPort, OTLP_GRPC_SERVICES.traces);
    try {
      expect((await again.send(asProtobuf(grpcTrace.json))).error).toBeNull();
    } finally {
      again.close();
    }
    expect(await storedSpans(protobufTrace.traceId)).toBe(200);
    expect(await storedSpans(jsonTrace.traceId)).toBe(200);
    expect(await storedSpans(grpcTrace.traceId)).toBe(200);
    expect(await storedSpans(kept.traceId)).toBe(3);
  });
});

describe("a store that cannot write its --db file, read by the API", () => {
  it("answers a read that must commit pending records first 503 naming the SQLite code, not 500", async () => {
    const filler = "r".repeat(1024);
    // Large enough to be stored in slices, with other requests answered in between: its records wait
    // in memory for their commit meanwhile, and a read of the logs commits them first.
    const request = () =>
      jsonLogRequest(
        "full-read",
        Array.from({ length: 8000 }, (_, i) => ({ body: `${i}${filler}` })),
      );
    fillTheDisk();
    const reads: { status: number; retryAfter: string | null; body: { error?: { code: string; message: string } } }[] =
      [];
    try {
      // Reads while the export is stored; again (a few times at most) until one came while records waited.
      for (let attempt = 0; attempt < 5 && reads.every((read) => read.status === 200); attempt++) {
        let answered = false;
        const post = postLogs(app.base, request()).finally(() => {
          answered = true;
        });
        // Several readers, so that one waits at every pause between the export's slices: one reader's
        // next request could come only after the next slice began, and missed every window on a CI machine.
        const reader = async () => {
          while (!answered) {
            const response = await fetch(`${app.base}/api/logs?limit=5`);
            reads.push({
              status: response.status,
              retryAfter: response.headers.get("retry-after"),
              body: await response.json(),
            });
          }
        };
        await Promise.all([reader(), reader(), reader(), reader()]);
        expect((await post).status).toBe(503);
      }
    } finally {
      freeTheDisk();
    }
    const refused = reads.filter((read) => read.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    for (const read of refused) {
      expect(read).toMatchObject({
        status: 503,
        retryAfter: "5",
        // The read committed what waited first: that write is what failed.
        body: {
          error: {
            code: "store_unavailable",
            message: expect.stringMatching(/^the store could not write to its file \(SQLITE_FULL: .*\); retry later$/),
          },
        },
      });
    }
    // Told to the terminal as a refusal of the read (the CLI prints one line per 10 s for a path).
    expect(app.events).toContainEqual({
      type: "client-error",
      method: "GET",
      path: "/api/logs",
      status: 503,
      message: expect.stringMatching(/SQLITE_FULL/),
    });
    // Room again: read as before.
    expect((await fetch(`${app.base}/api/logs?limit=5`)).status).toBe(200);
  });
});

describe("a store that cannot write its --db file, for metrics", () => {
  /** One gauge point in each of `series` series, with 2 KB attributes each: more than a page or two. */
  function bulkyMetrics(metric: string, series: number): Record<string, unknown> {
    const filler = "z".repeat(2048);
    const timeUnixNano = String(BigInt(Date.now()) * 1_000_000n);
    const dataPoints = Array.from({ length: series }, (_, i) => ({
      timeUnixNano,
      asDouble: i,
      attributes: [{ key: "slot", value: { stringValue: `${i}${filler}` } }],
    }));
    return {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "full-metrics" } }] },
          scopeMetrics: [{ metrics: [{ name: metric, gauge: { dataPoints } }] }],
        },
      ],
    };
  }
  const postMetrics = (body: Record<string, unknown>) =>
    fetch(`${app.base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const metricPoints = async () => (await readJson(fetch(`${app.base}/api/health`))).counts.metricPoints as number;

  it("answers 503, keeps nothing of the export, and stores it when it is sent again", async () => {
    expect((await postMetrics(bulkyMetrics("kept.gauge", 2))).status).toBe(200);
    const before = await metricPoints();
    fillTheDisk();
    const refused = await postMetrics(bulkyMetrics("full.gauge", 200));
    try {
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect((await readJson(refused)).message).toMatch(/SQLITE_FULL/);
      // What memory holds was read back from the file: the export is not served as stored.
      expect(await metricPoints()).toBe(before);
      expect((await fetch(`${app.base}/api/metrics/full.gauge`)).status).toBe(404);
    } finally {
      freeTheDisk();
    }
    expect((await postMetrics(bulkyMetrics("full.gauge", 200))).status).toBe(200);
    expect(await metricPoints()).toBe(before + 200);
  });

  it("keeps an export whose series' write on the store's timer found the disk full, answers the next 503, and lives", async () => {
    // A file of its own: the room left in it (its free pages) is what this test makes it.
    const path = join(dir.path, "timer.db");
    let run: (statement: string) => unknown = () => undefined;
    const own = await startTestApp({
      db: path,
      onDatabasePragma: (pragma) => {
        run = pragma;
      },
    });
    const post = (body: Record<string, unknown>) =>
      fetch(`${own.base}/v1/metrics`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const points = async () => (await readJson(fetch(`${own.base}/api/health`))).counts.metricPoints as number;
    /** The rows of `table` in the file as it is on disk (a copy: the server holds the file exclusively). */
    const rowsIn = async (table: string): Promise<unknown> => {
      const Driver = (await import("better-sqlite3")).default;
      const raw = new Driver(copyAsKilled(path, join(dir.path, `copy-${Date.now()}.db`)));
      try {
        return raw.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
      } finally {
        raw.close();
      }
    };
    /**
     * The store's ~100 ms timer falls due: its writes happen in this call, and what its callback throws
     * would be thrown here (uncaught, in a server). The timers are run by the test: on their own, on a
     * busy machine, one could fall due before an export's commit, and write its series' rows with it.
     */
    const timerFallsDue = () => expect(() => vi.advanceTimersByTime(100)).not.toThrow();
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      // An export written and let go leaves free pages: room for a smaller export, not for its series too.
      expect((await post(bulkyMetrics("room.gauge", 300))).status).toBe(200);
      expect(await rowsIn("mt_received")).toBe(1);
      timerFallsDue();
      expect(await rowsIn("mt_received")).toBe(0);
      const [{ page_count }] = run("page_count") as [{ page_count: number }];
      run(`max_page_count = ${page_count}`);
      try {
        // Answered once the export is in the file; its series' rows follow on the timer.
        expect((await post(bulkyMetrics("timer.gauge", 200))).status).toBe(200);
        timerFallsDue();
        expect(uncaught).toEqual([]);
        // The series' rows could not be written: the export stays in the file, and is served.
        expect(await rowsIn("mt_received")).toBe(1);
        expect(await rowsIn("mt_series WHERE metric = 'timer.gauge'")).toBe(0);
        expect(await points()).toBe(500);
        expect((await fetch(`${own.base}/api/metrics/timer.gauge`)).status).toBe(200);
      } finally {
        run("max_page_count = 1073741823");
      }
      // The next export is told, with room again, and the terminal with it.
      const refused = await post(bulkyMetrics("after.gauge", 1));
      expect(refused.status).toBe(503);
      expect((await readJson(refused)).message).toMatch(/cannot store the data point\(s\) now: .*SQLITE_FULL/);
      expect(own.events.filter((event) => event.type === "client-error")).toMatchObject([
        { path: "/v1/metrics", status: 503 },
      ]);
      // Then stored; the timer writes every series and lets the exports go.
      expect((await post(bulkyMetrics("after.gauge", 1))).status).toBe(200);
      timerFallsDue();
      expect(await rowsIn("mt_received")).toBe(0);
      expect(await rowsIn("mt_series WHERE metric = 'timer.gauge'")).toBe(200);
      expect(await points()).toBe(501);
      expect(uncaught).toEqual([]);
    } finally {
      vi.useRealTimers();
      process.off("uncaughtException", onUncaught);
      await own.close();
    }
  });
});
