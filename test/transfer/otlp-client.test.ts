/**
 * The import client against a real server: transcoded protobuf for standard trace JSON, the JSON
 * itself for lenient spellings, protobuf files as they are, requests the receiver's limits allow, and
 * counts that match what was stored.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importStream } from "../../src/transfer/import-stream.js";
import { otlpHttpSink } from "../../src/transfer/otlp-client.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { jsonLogRequest, jsonTraceRequest } from "../helpers/payloads.js";
import { loadOtlpRoot, PKG } from "../otlp/helpers.js";
import { jsonRequest, protoRequest } from "../otlp/sample-request.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url), "utf8");

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

async function* once(data: string | Uint8Array): AsyncGenerator<Uint8Array> {
  yield typeof data === "string" ? Buffer.from(data) : data;
}

async function stats(): Promise<{ spans: number; logs: number }> {
  const health = (await (await fetch(`${app.base}/api/health`)).json()) as { counts: { spans: number; logs: number } };
  return health.counts;
}

describe("importing into a running server over OTLP/HTTP", () => {
  const sink = () => otlpHttpSink(app.base, "tracekit-local-import/test");

  it("counts what the server stored and what it refused, line by line", async () => {
    const before = await stats();
    const good = JSON.stringify(jsonTraceRequest("svc", [{ name: "a" }, { name: "b" }]));
    const lenient = JSON.stringify(jsonRequest());
    const bad = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "00", spanId: "1111111111111111", name: "bad id" }] }] }],
    });
    const logs = JSON.stringify(JSON.parse(fixture("logs.json")));
    const counts = await importStream(once(`${good}\n${lenient}\n${bad}\n${logs}\n`), sink());
    const after = await stats();
    expect(counts.spans).toBe(after.spans - before.spans);
    expect(counts.logRecords).toBe(after.logs - before.logs);
    expect(counts.logRecords).toBeGreaterThan(0);
    // The lenient sample request holds spans with invalid ids as well; the server says how many it refused.
    expect(counts.rejected).toBeGreaterThan(1);
    const wheres = counts.errors.map((e) => e.where);
    expect(wheres).toContain("line 2");
    expect(counts.errors.every((e) => e.rejectedItems !== undefined)).toBe(true);
  });

  it("counts what the server had already when a file is imported again, small requests too", async () => {
    const lines = [
      JSON.stringify(jsonTraceRequest("again", [{ name: "a" }, { name: "b" }])),
      JSON.stringify(JSON.parse(fixture("logs.json"))),
      JSON.stringify(JSON.parse(fixture("metrics.json"))),
      JSON.stringify(JSON.parse(fixture("events.json"))),
    ].join("\n");
    const first = await importStream(once(lines), sink());
    const before = await stats();
    const again = await importStream(once(lines), sink());
    expect(await stats()).toEqual(before);
    expect(again).toMatchObject({
      spans: 0,
      logRecords: 0,
      dataPoints: 0,
      // (logs.json's record was imported by the test before.)
      alreadyStored: {
        spans: first.spans + first.alreadyStored.spans,
        logRecords: first.logRecords + first.alreadyStored.logRecords,
        dataPoints: first.dataPoints + first.alreadyStored.dataPoints,
      },
      rejected: first.rejected,
    });
    expect(again.traceIds.size).toBe(0);
    expect(first).toMatchObject({ spans: 2, logRecords: 1, dataPoints: 4, alreadyStored: { logRecords: 1 } });
  });

  it("sends a protobuf file as it is", async () => {
    const Request = loadOtlpRoot().lookupType(`${PKG}.ExportTraceServiceRequest`);
    const bytes = Request.encode(Request.fromObject(protoRequest())).finish();
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    const counts = await importStream(once(bytes), sink());
    expect(counts.spans).toBe((await stats()).spans);
    expect(counts.spans).toBeGreaterThan(0);
    expect(counts.traceIds.size).toBeGreaterThan(0);
  });

  it("splits what would pass the receiver's body limit into several requests, counting each", async () => {
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    const request = (n: number) =>
      JSON.stringify({
        resourceSpans: Array.from({ length: n }, (_, i) =>
          jsonTraceRequest(`svc-${i}`, [{ name: "x" }, { name: "y" }]),
        ).flatMap((r) => (r as { resourceSpans: unknown[] }).resourceSpans),
      });
    // A limit below one line's size: lines are cut at their resource entries; small lines go together;
    // a resource entry bigger than the limit goes alone.
    const big = JSON.stringify(
      jsonTraceRequest(
        "big",
        Array.from({ length: 12 }, () => ({ name: "z".repeat(100) })),
      ),
    );
    const text = `${request(12)}\n${request(1)}\n${request(1)}\n${big}\n`;
    const counts = await importStream(once(text), otlpHttpSink(app.base, "x", { maxRequestBytes: 1500 }));
    expect(counts.errors).toEqual([]);
    expect(counts.spans).toBe(40);
    expect((await stats()).spans).toBe(40);
    expect(counts.traceIds.size).toBe(40);
  });

  it("reports a bad line at the start of a batch alone, and imports the lines after it", async () => {
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    const line = () => JSON.stringify(jsonTraceRequest("svc", [{ name: "a" }]));
    const text = `${line()}\n${line()}\n{broken\n${line()}\n${line()}\n`;
    const counts = await importStream(once(text), sink(), {
      batches: { maxBatchBytes: line().length * 2 + 2, maxWholeBytes: 1 << 20 },
    });
    expect(counts.errors.map((e) => e.where)).toEqual(["line 3"]);
    expect(counts.spans).toBe(4);
    expect((await stats()).spans).toBe(4);
  });

  it("keeps a request of many small lines within the receiver's limit of resource groups", async () => {
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    // One span in a resource group of its own per line: more groups than one request may hold.
    const lines = Array.from({ length: 10_050 }, (_, i) =>
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: `${"a".repeat(24)}${i.toString(16).padStart(8, "0")}`,
                    spanId: "b".repeat(16),
                    name: "s",
                    startTimeUnixNano: "1700000000000000000",
                    endTimeUnixNano: "1700000000000001000",
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const counts = await importStream(once(`${lines.join("\n")}\n`), sink());
    expect(counts.errors).toEqual([]);
    expect(counts.spans).toBe(lines.length);
    expect(counts.traceIds.size).toBe(lines.length);
    expect((await stats()).spans).toBe(lines.length);
  });

  it("stops at the first batch an unreachable server cannot take, with one error, and reads no further", async () => {
    const line = `${JSON.stringify(JSON.parse(fixture("trace.json")))}\n`;
    let read = 0;
    async function* lines(): AsyncGenerator<Uint8Array> {
      for (; read < 200; ) {
        read++;
        yield Buffer.from(line);
      }
    }
    const counts = await importStream(lines(), otlpHttpSink("http://127.0.0.1:1", "x"), {
      batches: { maxBatchBytes: line.length, maxWholeBytes: 1 << 20 },
    });
    expect(counts.spans).toBe(0);
    expect(counts.errors).toHaveLength(1);
    expect(counts.errors[0]?.message).toMatch(
      /^cannot reach http:\/\/127\.0\.0\.1:1 \(.*\); the import stopped there$/,
    );
    expect(counts.stopped?.where).toBe(counts.errors[0]?.where);
    // Refused at connect: nothing reached a server, so nothing is of unknown outcome.
    expect(counts.unanswered).toEqual({ spans: 0, logRecords: 0, dataPoints: 0 });
    expect(read).toBeLessThan(20);
  });

  it("counts the items of every request a server stopped before answering as unanswered, per signal", async () => {
    // A server that takes a trace and a log request, then stops: its port closed, both unanswered.
    const held: IncomingMessage[] = [];
    const stopping = createServer((request) => {
      held.push(request);
      request.resume();
      if (held.length < 2) return;
      stopping.close();
      for (const each of held) each.socket.destroy();
    });
    await new Promise<void>((resolve) => stopping.listen(0, "127.0.0.1", resolve));
    const { port } = stopping.address() as AddressInfo;
    try {
      const traces = JSON.stringify(jsonTraceRequest("stopping", [{ name: "a" }, { name: "b" }]));
      const logs = JSON.stringify(jsonLogRequest("stopping", [{ body: "one" }]));
      const counts = await importStream(once(`${traces}\n${logs}\n`), otlpHttpSink(`http://127.0.0.1:${port}`, "x"));
      // The connections that took the requests broke first: that is named, not the retry's refusal.
      expect(counts.stopped?.message).toMatch(
        new RegExp(`^lost the connection to http://127\\.0\\.0\\.1:${port} \\(.+\\), and a new one was refused$`),
      );
      expect(counts.spans + counts.logRecords).toBe(0);
      expect(counts.unanswered).toEqual({ spans: 2, logRecords: 1, dataPoints: 0 });
    } finally {
      stopping.closeAllConnections();
      stopping.close();
    }
  });

  it("sends log and metric lines in the file's order, each after the one before it is answered", async () => {
    // What a log or metric line stores depends on the lines before it (a log line an earlier one holds
    // is that line sent again; a cumulative point is read against the previous one): sent at once, a
    // loaded machine let a later line arrive first. The server here answers the first of each slowly.
    const events: string[] = [];
    const seen = new Map<string, number>();
    const slow = createServer((request, response) => {
      const signal = (request.url ?? "").replace("/v1/", "");
      const n = (seen.get(signal) ?? 0) + 1;
      seen.set(signal, n);
      events.push(`${signal} ${n} in`);
      request.resume();
      request.on("end", () =>
        setTimeout(
          () => {
            events.push(`${signal} ${n} out`);
            response.writeHead(200, { "content-type": "application/json" }).end("{}");
          },
          n === 1 ? 150 : 0,
        ),
      );
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const { port } = slow.address() as AddressInfo;
    try {
      const logs = (body: string) => JSON.stringify(jsonLogRequest("ordered", [{ body }]));
      const metrics = (at: number) =>
        JSON.stringify({
          resourceMetrics: [
            {
              scopeMetrics: [
                {
                  metrics: [
                    {
                      name: "ordered.total",
                      sum: {
                        aggregationTemporality: 2,
                        isMonotonic: true,
                        dataPoints: [{ startTimeUnixNano: "1", timeUnixNano: `${at}`, asInt: `${at}` }],
                      },
                    },
                  ],
                },
              ],
            },
          ],
        });
      const lines = [logs("a"), metrics(10), logs("b"), metrics(20), logs("c"), metrics(30)];
      // All in one batch, and then each line a batch of its own (batches are sent 4 at a time).
      for (const maxBatchBytes of [1 << 20, 1]) {
        events.length = 0;
        seen.clear();
        const counts = await importStream(
          once(`${lines.join("\n")}\n`),
          otlpHttpSink(`http://127.0.0.1:${port}`, "x"),
          {
            batches: { maxBatchBytes, maxWholeBytes: 1 << 20 },
          },
        );
        expect(counts.errors).toEqual([]);
        expect(counts.logRecords).toBe(3);
        expect(counts.dataPoints).toBe(3);
        for (const signal of ["logs", "metrics"])
          expect(events.filter((e) => e.startsWith(signal))).toEqual(
            [1, 2, 3].flatMap((n) => [`${signal} ${n} in`, `${signal} ${n} out`]),
          );
      }
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it("sends a request again once when its kept-alive connection breaks, and counts it once", async () => {
    let requests = 0;
    const flaky = createServer((request, response) => {
      requests++;
      request.resume();
      // The first connection is closed as the request arrives, as a server's idle timeout can.
      if (requests === 1) request.socket.destroy();
      else request.on("end", () => response.writeHead(200, { "content-type": "application/json" }).end("{}"));
    });
    await new Promise<void>((resolve) => flaky.listen(0, "127.0.0.1", resolve));
    const { port } = flaky.address() as AddressInfo;
    try {
      const good = JSON.stringify(jsonTraceRequest("flaky", [{ name: "a" }, { name: "b" }]));
      const counts = await importStream(once(`${good}\n`), otlpHttpSink(`http://127.0.0.1:${port}`, "x"));
      expect(counts.errors).toEqual([]);
      expect(counts.stopped).toBeUndefined();
      expect(counts.spans).toBe(2);
      expect(requests).toBe(2);
    } finally {
      flaky.closeAllConnections();
      await new Promise((resolve) => flaky.close(resolve));
    }
  });
});

describe("importing a request larger than the receiver's body limit", () => {
  // A receiver that takes at most 64 KiB a request: it answers a larger one 413 and closes the
  // connection before reading it.
  const MAX_BODY = 64 * 1024;
  let small: TestApp;
  beforeAll(async () => {
    small = await startTestApp({ maxBodyBytes: MAX_BODY });
  });
  afterAll(async () => {
    await small.close();
  });
  const sink = () => otlpHttpSink(small.base, "x", { maxRequestBytes: MAX_BODY / 4, maxBodyBytes: MAX_BODY });
  const smallStats = async () =>
    ((await (await fetch(`${small.base}/api/health`)).json()) as { counts: { spans: number; logs: number } }).counts;

  it("sends a line of one resource and one scope larger than the limit in parts, every span stored", async () => {
    const spans = Array.from({ length: 600 }, (_, i) => ({ name: `span ${i} ${"z".repeat(200)}` }));
    const line = JSON.stringify(jsonTraceRequest("one-resource", spans));
    expect(line.length).toBeGreaterThan(MAX_BODY);
    const tail = JSON.stringify(jsonTraceRequest("after", [{ name: "after" }]));
    const counts = await importStream(once(`${line}\n${tail}\n`), sink());
    expect(counts.stopped).toBeUndefined();
    expect(counts.errors).toEqual([]);
    expect(counts.spans).toBe(601);
    expect((await smallStats()).spans).toBe(601);
    expect(counts.traceIds.size).toBe(601);
  });

  it("does not send a log line larger than the limit, says so for that line, and imports the lines after it", async () => {
    const records = Array.from({ length: 400 }, (_, i) => ({ body: `record ${i} ${"y".repeat(200)}` }));
    const logs = JSON.stringify(jsonLogRequest("big-logs", records));
    expect(logs.length).toBeGreaterThan(MAX_BODY);
    const before = await smallStats();
    const after = JSON.stringify(jsonTraceRequest("after-logs", [{ name: "a" }, { name: "b" }]));
    const counts = await importStream(once(`${logs}\n${after}\n`), sink());
    expect(counts.stopped).toBeUndefined();
    expect(counts.errors).toHaveLength(1);
    expect(counts.errors[0]?.where).toBe("line 1");
    expect(counts.errors[0]?.message).toMatch(
      /^a request of \d+(\.\d)? KiB, more than the 64 KiB \(65,536 bytes\) the server takes: not sent \(import --db writes it into a file without a server\)$/,
    );
    expect(counts.spans).toBe(2);
    expect(await smallStats()).toMatchObject({ spans: before.spans + 2, logs: before.logs });
  });
});
