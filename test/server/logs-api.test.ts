/** GET /api/logs, the log counts in /api/health, and DELETE clearing logs, on a real server. */
import { afterEach, describe, expect, it } from "vitest";
import type { LogListResponse, LogServicesResponse } from "../../src/protocol.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { jsonLogRequest, jsonTraceRequest, newSpanId, newTraceId, postJson, postLogs } from "../helpers/payloads.js";

const T0 = 1_700_000_000_000_000_000n;
const MS = 1_000_000n;

let app: TestApp;
afterEach(async () => {
  await app?.close();
});

async function list(query: string): Promise<LogListResponse> {
  const response = await fetch(`${app.base}/api/logs${query}`);
  expect(response.status, query).toBe(200);
  return readJson(response);
}

const bodies = async (query: string) => (await list(query)).logs.map((log) => log.body);

describe("GET /api/logs", () => {
  it("answers every documented filter, newest first unless order=asc", async () => {
    app = await startTestApp();
    const traceId = newTraceId();
    const spanId = newSpanId();
    await postLogs(
      app.base,
      jsonLogRequest("web", [
        { timeNs: T0 + 1n * MS, body: "w1 debug", severityNumber: 5 },
        { timeNs: T0 + 2n * MS, body: "w2 warn", severityNumber: 13, traceId, spanId },
        { timeNs: T0 + 3n * MS, body: "w3 text-error", severityNumber: 0, severityText: "ERROR", traceId },
      ]),
    );
    await postLogs(
      app.base,
      jsonLogRequest("db", [
        { timeNs: T0 + 4n * MS, body: "d4 info", attributes: { "db.statement": "SELECT Needle" } },
        {
          timeNs: T0 + 5n * MS,
          body: {
            kvlistValue: {
              values: [{ key: "structured", value: { arrayValue: { values: [{ stringValue: "needle inside" }] } } }],
            },
          },
          severityNumber: 21,
        },
      ]),
    );
    expect(await bodies("")).toEqual([
      { structured: ["needle inside"] },
      "d4 info",
      "w3 text-error",
      "w2 warn",
      "w1 debug",
    ]);
    expect(await bodies("?order=asc&limit=2")).toEqual(["w1 debug", "w2 warn"]);
    expect(await bodies("?service=web&order=asc")).toEqual(["w1 debug", "w2 warn", "w3 text-error"]);
    expect(await bodies("?severity=warn&order=asc")).toEqual([
      "w2 warn",
      "w3 text-error",
      { structured: ["needle inside"] },
    ]);
    expect(await bodies("?severity=FATAL")).toEqual([{ structured: ["needle inside"] }]);
    expect(await bodies("?q=NEEDLE")).toEqual([{ structured: ["needle inside"] }, "d4 info"]);
    expect(await bodies(`?traceId=${traceId.toUpperCase()}&order=asc`)).toEqual(["w2 warn", "w3 text-error"]);
    expect(await bodies(`?traceId=${traceId}&spanId=${spanId}`)).toEqual(["w2 warn"]);
    // A trace's records are counted whatever the page; no other query's are.
    expect((await list(`?traceId=${traceId}&limit=1`)).matched).toBe(2);
    expect((await list(`?traceId=${traceId}&spanId=${spanId}`)).matched).toBe(1);
    expect((await list("?severity=warn&limit=1")).matched).toBeUndefined();
    // Any other query's, when asked to.
    expect((await list("?severity=warn&limit=1&count=true")).matched).toBe(3);
    expect((await list("?q=NEEDLE&count=true")).matched).toBe(2);
    expect((await list("?count=false")).matched).toBeUndefined();
    const sinceMs = (T0 + 2n * MS) / MS;
    expect(await bodies(`?since=${sinceMs}&until=${sinceMs + 2n}&order=asc`)).toEqual([
      "w2 warn",
      "w3 text-error",
      "d4 info",
    ]);
    expect(await bodies("?service=web&q=&severity=&traceId=")).toHaveLength(3);
  });

  it("pages with limit and cursor through every record once", async () => {
    app = await startTestApp();
    await postLogs(
      app.base,
      jsonLogRequest(
        "pager",
        Array.from({ length: 25 }, (_, i) => ({ timeNs: T0 + BigInt(i % 4) * MS, body: `r${i}` })),
      ),
    );
    for (const order of ["desc", "asc"]) {
      const whole = (await list(`?order=${order}`)).logs.map((log) => log.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await list(`?order=${order}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        seen.push(...page.logs.map((log) => log.id));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(seen).toEqual(whole);
      expect(new Set(seen).size).toBe(25);
    }
    expect((await list("")).logs).toHaveLength(25);
    expect((await list("?limit=1000")).nextCursor).toBeUndefined();
  });

  it("answers a bad parameter with a 400 JSON error that says what is wrong", async () => {
    app = await startTestApp();
    const cases: [string, RegExp][] = [
      ["limit=0", /limit must be a whole number from 1 to 1000/],
      ["limit=1001", /limit/],
      ["limit=ten", /limit/],
      ["limit=2.5", /limit/],
      ["order=up", /order must be "asc" or "desc"/],
      ["severity=loud", /severity must be a level \(TRACE, DEBUG, INFO, WARN, ERROR, FATAL\)/],
      ["traceId=xyz", /traceId "xyz" is not a trace id/],
      ["count=yes", /count must be "true" or "false", not "yes"/],
      ["traceId=00000000000000000000000000000000", /not a trace id/],
      ["spanId=123", /spanId "123" is not a span id/],
      ["since=yesterday", /since must be a unix time in whole milliseconds/],
      ["until=-5", /until must be a unix time/],
      ["since=1.5", /since/],
      ["since=2000&until=1000", /since \(2000\) is after until \(1000\)/],
      ["cursor=bogus", /cursor "bogus" is not one this server issued/],
      ["afterId=-1", /afterId must be a log record id/],
      ["afterId=1&cursor=5_5", /afterId pages by itself/],
    ];
    for (const [query, message] of cases) {
      const response = await fetch(`${app.base}/api/logs?${query}`);
      expect(response.status, query).toBe(400);
      const body = await readJson(response);
      expect(body.error.code, query).toMatch(/^invalid_/);
      expect(body.error.message, query).toMatch(message);
    }
  });
});

describe("GET /api/logs?afterId", () => {
  it("pages the records that arrived after an id, in arrival order, with the other filters", async () => {
    app = await startTestApp();
    // Sent newest time first: arrival order is the reverse of time order.
    const times = [5n, 4n, 3n, 2n, 1n].map((n) => T0 + n * MS);
    await postLogs(
      app.base,
      jsonLogRequest(
        "web",
        times.map((timeNs, i) => ({ body: `r${i}`, timeNs, severityNumber: i === 3 ? 17 : 9 })),
      ),
    );
    const all = await list("?order=asc");
    const ids = all.logs.map((log) => Number(log.id)).sort((a, b) => a - b);
    const first = ids[0] as number;
    expect(await bodies(`?afterId=${first - 1}`)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    const page = await list(`?afterId=${first}&limit=2`);
    expect(page.logs.map((log) => log.body)).toEqual(["r1", "r2"]);
    expect(page.nextCursor).toBeDefined();
    expect(await bodies(`?afterId=${page.logs[1]?.id}&limit=2`)).toEqual(["r3", "r4"]);
    expect(await bodies(`?afterId=${first}&severity=ERROR`)).toEqual(["r3"]);
  });

  it("says the last id given (whatever the query), from which a watcher reads what arrives next", async () => {
    app = await startTestApp();
    expect((await list("")).lastId).toBe("0");
    await postLogs(app.base, jsonLogRequest("web", [{ body: "a" }, { body: "b" }]));
    const { lastId, logs } = await list("?service=none");
    expect(logs).toEqual([]);
    expect(lastId).toBe(String(Math.max(...(await list("")).logs.map((log) => Number(log.id)))));
    await postLogs(app.base, jsonLogRequest("web", [{ body: "c" }]));
    expect(await bodies(`?afterId=${lastId}`)).toEqual(["c"]);
  });
});

describe("GET /api/logs/:id", () => {
  it("answers one stored record by its id, 404 once it is evicted, 400 for what is not an id", async () => {
    app = await startTestApp({ maxLogs: 3 });
    await postLogs(app.base, jsonLogRequest("web", [{ body: "first" }, { body: "second" }]));
    const [second, first] = (await list("")).logs;
    const one = await fetch(`${app.base}/api/logs/${first?.id}`);
    expect(one.status).toBe(200);
    expect(await readJson(one)).toEqual({ log: first });
    expect(await readJson(fetch(`${app.base}/api/logs/${second?.id}`))).toEqual({ log: second });
    await postLogs(app.base, jsonLogRequest("web", [{ body: "third" }, { body: "fourth" }]));
    const gone = await fetch(`${app.base}/api/logs/${first?.id}`);
    expect(gone.status).toBe(404);
    expect((await readJson(gone)).error).toEqual({
      code: "log_not_found",
      message: `no log record ${first?.id} is stored: it may have been evicted or cleared`,
    });
    for (const id of ["0", "-1", "1.5", "abc", "1".repeat(16)]) {
      const response = await fetch(`${app.base}/api/logs/${id}`);
      expect(response.status, id).toBe(400);
      expect((await readJson(response)).error.message, id).toMatch(/is not a log record id/);
    }
  });
});

describe("GET /api/logs/services", () => {
  it("lists the services with log records stored, by name: not those that only send spans, none once evicted or cleared", async () => {
    app = await startTestApp({ maxLogs: 3 });
    const spans = await postJson(app.base, jsonTraceRequest("spans-only", [{ name: "GET /" }]));
    expect(spans.status).toBe(200);
    const services = async () =>
      ((await readJson(fetch(`${app.base}/api/logs/services`))) as LogServicesResponse).services;
    expect(await services()).toEqual([]);
    await postLogs(app.base, jsonLogRequest("worker", [{ body: "job done" }]));
    await postLogs(app.base, jsonLogRequest("api", [{ body: "a" }, { body: "b" }]));
    expect(await services()).toEqual(["api", "worker"]);
    // The worker's one record is evicted past the bound of 3.
    await postLogs(app.base, jsonLogRequest("api", [{ body: "c" }]));
    expect(await services()).toEqual(["api"]);
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    expect(await services()).toEqual([]);
  });
});

describe("health and clear", () => {
  it("counts stored and evicted log records and names the bound; DELETE clears the logs too", async () => {
    app = await startTestApp({ maxLogs: 3 });
    await postLogs(
      app.base,
      jsonLogRequest(
        "bounded",
        [1, 2, 3, 4, 5].map((i) => ({ body: `b${i}` })),
      ),
    );
    const health = await readJson(fetch(`${app.base}/api/health`));
    expect(health.storage.maxLogs).toBe(3);
    expect(health.counts).toMatchObject({ logs: 3, evictedLogs: 2, rejectedLogRecords: 0 });
    expect(await bodies("?order=asc")).toEqual(["b3", "b4", "b5"]);

    const cleared = await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    expect(cleared.status).toBe(200);
    expect((await list("")).logs).toEqual([]);
    expect((await readJson(fetch(`${app.base}/api/health`))).counts.logs).toBe(0);
    expect(app.events.filter((event) => event.type !== "new-service")).toEqual([]);
  });
});
