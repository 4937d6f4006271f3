import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { type CliRun, freePort, useCliRuns, waitForUrl } from "../helpers/cli.js";
import { readJson } from "../helpers/http.js";
import { waitFor } from "../helpers/live.js";
import { SeverityNumber, sendLogsInTrace } from "../helpers/logs-in-trace.js";
import { sendSdkTrace } from "../helpers/otel.js";
import { jsonLogRequest, jsonTraceRequest, newSpanId, newTraceId, postJson, postLogs } from "../helpers/payloads.js";

const cli = useCliRuns({ TRACEKIT_NO_BROWSER: "1" });

/** `tail …`, once its feed is open (its first line, which says what it shows). */
async function tail(args: string[]): Promise<CliRun> {
  const started = cli(["tail", ...args]);
  await waitFor(() => (started.stderr().includes("Ctrl+C to stop") ? true : undefined));
  return started;
}

const lines = (text: string) => text.split("\n").filter((line) => line !== "");
const linesOf = (run: CliRun, count: number) =>
  waitFor(() => (lines(run.stdout()).length >= count ? lines(run.stdout()) : undefined));

let app: TestApp;
let port: string;
beforeAll(async () => {
  app = await startTestApp();
  port = String(app.port);
});
afterAll(async () => {
  await app.close();
});

describe("tracekit-local tail", { timeout: 60_000 }, () => {
  it("prints one plain line per new trace (no colour when stdout is not a terminal), and exits 0 on Ctrl+C", async () => {
    await sendSdkTrace(app.base, { service: "before", name: "GET /old" });
    const traces = await tail(["--port", port]);
    await sendSdkTrace(app.base, { service: "shop", name: "GET /orders", children: 2 });
    await sendSdkTrace(app.base, { service: "shop", name: "POST /pay", children: 1, error: true });
    const [first, second] = await linesOf(traces, 2);
    expect(first).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} {2}shop {2}GET \/orders {2}[\d.]+(µs|ms|s) {2}3 spans {2}[0-9a-f]{32}$/,
    );
    expect(second).toMatch(/ {2}POST \/pay {2}.* {2}2 spans {2}2 errors {2}[0-9a-f]{32}$/);
    // Nothing from before tail started, and each trace once.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(lines(traces.stdout())).toHaveLength(2);
    expect(traces.stdout()).not.toContain("\u001b");
    traces.child.kill("SIGINT");
    expect(await traces.exited).toBe(0);
  });

  it("prints each error span as a JSON line with --format json", async () => {
    const errors = await tail(["errors", "--port", port, "--format", "json"]);
    await sendSdkTrace(app.base, { service: "shop", name: "GET /fine" });
    const sent = await sendSdkTrace(app.base, { service: "shop", name: "POST /pay", children: 2, error: true });
    // The failing child and the failing root: two error spans of one trace, nothing of the trace without one.
    const all = (await linesOf(errors, 2)).map((text) => JSON.parse(text));
    expect(all.find((span) => span.spanId === sent.spanIds[1])).toMatchObject({
      traceId: sent.traceId,
      name: "charge card",
      status: { code: "ERROR", message: "card declined" },
    });
    expect(all.map((span) => span.spanId).sort()).toEqual([sent.spanIds[1], sent.rootSpanId].sort());
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(lines(errors.stdout())).toHaveLength(2);
  });

  it("errors: also a span that recorded an exception with its status left unset, as the Errors page counts it", async () => {
    const errors = await tail(["errors", "--port", port]);
    await sendSdkTrace(app.base, { service: "shop", name: "GET /calm" });
    const traceId = newTraceId();
    const root = newSpanId();
    const caught = newSpanId();
    const start = BigInt(Date.now()) * 1_000_000n;
    const request = jsonTraceRequest("config-svc", [
      { traceId, spanId: root, name: "GET /settings", kind: 2, startNs: start, durationNs: 9_000_000n },
      { traceId, spanId: caught, parentSpanId: root, name: "parse config", startNs: start + 1_000_000n },
    ]);
    // The caught exception: an event on a span whose status stays UNSET (the code handled it).
    const spans = (request as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] })
      .resourceSpans[0]?.scopeSpans[0]?.spans;
    Object.assign(spans?.[1] ?? {}, {
      events: [
        {
          name: "exception",
          timeUnixNano: String(start + 2_000_000n),
          attributes: [
            { key: "exception.type", value: { stringValue: "SyntaxError" } },
            { key: "exception.message", value: { stringValue: "bad json in settings.json" } },
          ],
        },
      ],
    });
    expect((await postJson(app.base, request)).status).toBe(200);
    // The Errors page counts it.
    const errorsPage = await readJson(fetch(`${app.base}/api/errors?service=config-svc`));
    expect(errorsPage.groups.map((group: { type: string }) => group.type)).toEqual(["SyntaxError"]);
    const [line] = await linesOf(errors, 1);
    expect(line).toMatch(
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} {2}config-svc {2}parse config {2}SyntaxError: bad json in settings\\.json {2}${traceId}$`,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(lines(errors.stdout())).toHaveLength(1);
  });

  it("errors: a line per exception the Errors page counts apart in one span (a retry that failed otherwise)", async () => {
    const errors = await tail(["errors", "--port", port]);
    const json = await tail(["errors", "--port", port, "--format", "json"]);
    const traceId = newTraceId();
    const spanId = newSpanId();
    const start = BigInt(Date.now()) * 1_000_000n;
    const request = jsonTraceRequest("sync-svc", [
      { traceId, spanId, name: "sync", startNs: start, durationNs: 50_000_000n, statusCode: 2 },
    ]);
    const exception = (ms: bigint, type: string, message: string) => ({
      name: "exception",
      timeUnixNano: String(start + ms * 1_000_000n),
      attributes: [
        { key: "exception.type", value: { stringValue: type } },
        { key: "exception.message", value: { stringValue: message } },
      ],
    });
    const spans = (request as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] })
      .resourceSpans[0]?.scopeSpans[0]?.spans;
    Object.assign(spans?.[0] ?? {}, {
      events: [exception(10n, "TimeoutError", "first try timed out"), exception(40n, "ConnectionError", "refused")],
    });
    expect((await postJson(app.base, request)).status).toBe(200);
    const page = await readJson(fetch(`${app.base}/api/errors?service=sync-svc`));
    expect(page.totalErrors).toBe(2);
    const shown = (await linesOf(errors, 2)).map((line) => line.replace(/^\S+ {2}/, ""));
    expect(shown).toEqual([
      `sync-svc  sync  TimeoutError: first try timed out  ${traceId}`,
      `sync-svc  sync  ConnectionError: refused  ${traceId}`,
    ]);
    // JSON lines: the span whole on each, with what its line says failed.
    const objects = (await linesOf(json, 2)).map((text) => JSON.parse(text));
    expect(objects.map((o) => [o.spanId, o.events.length, o.failure])).toEqual([
      [spanId, 2, "TimeoutError: first try timed out"],
      [spanId, 2, "ConnectionError: refused"],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(lines(errors.stdout())).toHaveLength(2);
  });

  it("errors: names spans sent by their HTTP method alone as the trace view does, and says what failed", async () => {
    const human = await tail(["errors", "--port", port]);
    const json = await tail(["errors", "--port", port, "--format", "json"]);
    // One failed request as the TraceKit Node SDK sends it from two services: bare `GET` spans (server
    // and client) with the route, path and status in attributes, the Express middleware's own span,
    // and an exception in the backend.
    const traceId = newTraceId();
    const [inbound, middleware, call, backend] = [newSpanId(), newSpanId(), newSpanId(), newSpanId()];
    const start = BigInt(Date.now()) * 1_000_000n;
    const at = (ms: number) => start + BigInt(ms) * 1_000_000n;
    const frontend = jsonTraceRequest("frontend", [
      {
        traceId,
        spanId: inbound,
        name: "GET",
        kind: 2,
        startNs: at(0),
        durationNs: 60_000_000n,
        statusCode: 2,
        attributes: { "http.url": "http://127.0.0.1:9962/fail", "http.target": "/fail", "http.status_code": 502 },
      },
      {
        traceId,
        spanId: middleware,
        parentSpanId: inbound,
        name: "GET /fail",
        kind: 2,
        startNs: at(1),
        durationNs: 58_000_000n,
        statusCode: 2,
        attributes: { "http.url": "/fail", "http.route": "/fail", "http.status_code": 502 },
      },
      {
        traceId,
        spanId: call,
        parentSpanId: middleware,
        name: "GET",
        kind: 3,
        startNs: at(2),
        durationNs: 50_000_000n,
        statusCode: 2,
        attributes: { "http.url": "http://127.0.0.1:9963/fail", "net.peer.name": "127.0.0.1", "http.status_code": 500 },
      },
    ]);
    const backendRequest = jsonTraceRequest("backend", [
      {
        traceId,
        spanId: backend,
        parentSpanId: call,
        name: "GET",
        kind: 2,
        startNs: at(3),
        durationNs: 40_000_000n,
        statusCode: 2,
        attributes: { "http.route": "/fail", "url.path": "/fail", "http.response.status_code": 500 },
      },
    ]);
    const spans = (backendRequest as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] })
      .resourceSpans[0]?.scopeSpans[0]?.spans;
    Object.assign(spans?.[0] ?? {}, {
      events: [
        {
          name: "exception",
          timeUnixNano: String(at(40)),
          attributes: [
            { key: "exception.type", value: { stringValue: "Error" } },
            { key: "exception.message", value: { stringValue: "db failed" } },
          ],
        },
      ],
    });
    expect((await postJson(app.base, backendRequest)).status).toBe(200);
    expect((await postJson(app.base, frontend)).status).toBe(200);
    const shown = (await linesOf(human, 3)).map((line) => line.replace(/^\S+ {2}/, ""));
    // In the order they ended: the backend's request, the call to it, the frontend's request, once (the
    // middleware's span inside the HTTP span tells the same failure of the same request).
    expect(shown).toEqual([
      `backend  GET /fail  HTTP 500: Error: db failed  ${traceId}`,
      `frontend  GET 127.0.0.1:9963/fail  HTTP 500  ${traceId}`,
      `frontend  GET /fail  HTTP 502  ${traceId}`,
    ]);
    // JSON lines: the API's span as it was, plus the line's label and failure.
    const objects = (await linesOf(json, 3)).map((text) => JSON.parse(text));
    expect(objects.find((span) => span.spanId === call)).toMatchObject({
      traceId,
      name: "GET",
      kind: "CLIENT",
      attributes: { "http.status_code": 500 },
      label: "GET 127.0.0.1:9963/fail",
      failure: "HTTP 500",
    });
    expect(objects.map((span) => [span.spanId, span.label])).toEqual([
      [backend, "GET /fail"],
      [call, "GET 127.0.0.1:9963/fail"],
      [inbound, "GET /fail"],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(lines(human.stdout())).toHaveLength(3);
    expect(lines(json.stdout())).toHaveLength(3);
    // As many lines as the Errors page counts errors in the trace's time: the failed call and the request
    // it called are two errors (one in each service, each a group of its own), the request told twice one.
    const window = `since=${start / 1_000_000n}&until=${at(61) / 1_000_000n}`;
    const page = await readJson(fetch(`${app.base}/api/errors?${window}`));
    expect([page.totalErrors, page.totalTraces]).toEqual([3, 1]);
  });

  it("passes --query to the server's search: only matching traces and log records", async () => {
    const traces = await tail(["traces", "--port", port, "--query", "stripelike"]);
    const logs = await tail(["logs", "--port", port, "-q", "declined"]);
    await sendSdkTrace(app.base, { service: "shop", name: "GET /other", attributes: { provider: "paypal" } });
    await sendSdkTrace(app.base, { service: "shop", name: "GET /match", attributes: { provider: "StripeLike" } });
    await sendLogsInTrace(app.base, {
      service: "shop",
      name: "POST /checkout",
      logs: [
        { in: "root", severity: SeverityNumber.INFO, body: "cart loaded" },
        { in: "child", severity: SeverityNumber.ERROR, body: "card declined by issuer" },
      ],
    });
    const [trace] = await linesOf(traces, 1);
    expect(trace).toContain("GET /match");
    const [log] = await linesOf(logs, 1);
    expect(log).toMatch(/ {2}ERROR {2}shop {2}card declined by issuer {2}[0-9a-f]{32}$/);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(lines(traces.stdout())).toHaveLength(1);
    expect(lines(logs.stdout())).toHaveLength(1);
  });

  it("prints every record of a burst the live feed did not carry whole, in arrival order, read from GET /api/logs", async () => {
    const logs = await tail(["logs", "--port", port, "--format", "json"]);
    const matching = await tail(["logs", "--port", port, "--format", "json", "--query", "seven"]);
    // Times out of arrival order too: what is printed follows arrival, not time.
    const base = 1_800_000_000_000_000_000n;
    const burst = Array.from({ length: 2500 }, (_, i) => ({
      body: `burst record ${i}${i % 7 === 0 ? " seven" : ""}`,
      timeNs: base - BigInt(i % 3) * 1_000_000n + BigInt(i),
    }));
    expect((await postLogs(app.base, jsonLogRequest("burst", burst))).status).toBe(200);
    const printed = await linesOf(logs, 2500);
    expect(printed.map((line) => JSON.parse(line).body)).toEqual(burst.map((record) => record.body));
    const sevens = burst.filter((record) => record.body.endsWith("seven")).map((record) => record.body);
    expect((await linesOf(matching, sevens.length)).map((line) => JSON.parse(line).body)).toEqual(sevens);
    // Nothing twice, and no line about records it could not show.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(lines(logs.stdout())).toHaveLength(2500);
    expect(lines(matching.stdout())).toHaveLength(sevens.length);
    expect(logs.stderr() + matching.stderr()).not.toContain("faster than the live feed");
  });

  it("says so in one line when the server goes away, reconnects when it is back, and goes on", async () => {
    const serverPort = String(await freePort());
    const first = cli(["--port", serverPort, "--no-open"]);
    await waitForUrl(first);
    const traces = await tail(["--port", serverPort]);
    first.child.kill("SIGTERM");
    await first.exited;
    await waitFor(() => (traces.stderr().includes("lost the connection") ? true : undefined));
    const second = cli(["--port", serverPort, "--no-open"]);
    const { url } = await waitForUrl(second);
    await waitFor(() => (traces.stderr().includes("reconnected") ? true : undefined));
    await sendSdkTrace(url.replace("localhost", "127.0.0.1"), { service: "after", name: "GET /again" });
    const [line] = await linesOf(traces, 1);
    expect(line).toContain("after  GET /again");
    expect(lines(traces.stderr())).toEqual([
      `tail: new traces at http://localhost:${serverPort} (Ctrl+C to stop)`,
      `tail: lost the connection to http://localhost:${serverPort}; reconnecting…`,
      `tail: reconnected to http://localhost:${serverPort}`,
    ]);
  });

  it("logs: a record stored just before the server went away is read back after it, though none was shown yet", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tracekit-tail-logs-"));
    try {
      const db = join(dir, "tl.db");
      const serverPort = String(await freePort());
      const first = cli(["--port", serverPort, "--no-open", "--db", db]);
      const base = (await waitForUrl(first)).url.replace("localhost", "127.0.0.1");
      // Stored before tail started: never shown, not even when tail reads back what it missed.
      expect((await postLogs(base, jsonLogRequest("before", [{ body: "from before tail" }]))).status).toBe(200);
      const logs = await tail(["logs", "--port", serverPort]);
      // Stored, and the server gone before the live feed carried it.
      expect((await postLogs(base, jsonLogRequest("shop", [{ body: "just before the restart" }]))).status).toBe(200);
      first.child.kill("SIGTERM");
      await first.exited;
      await waitFor(() => (logs.stderr().includes("lost the connection") ? true : undefined));
      const second = cli(["--port", serverPort, "--no-open", "--db", db]);
      await waitForUrl(second);
      await waitFor(() => (logs.stderr().includes("reconnected") ? true : undefined));
      expect((await postLogs(base, jsonLogRequest("shop", [{ body: "after the restart" }]))).status).toBe(200);
      const printed = await linesOf(logs, 2);
      expect(printed.map((line) => line.replace(/^.* {2}shop {2}/, ""))).toEqual([
        "just before the restart",
        "after the restart",
      ]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(lines(logs.stdout())).toHaveLength(2);
      second.child.kill("SIGTERM");
      await second.exited;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown view and nothing listening in one line", async () => {
    const bad = cli(["tail", "spans", "--port", port]);
    expect(await bad.exited).toBe(2);
    expect(lines(bad.stderr())).toHaveLength(1);
    // A query the server would refuse: said at once (before asking any server), not a tail that shows nothing.
    for (const [view, query, reason] of [
      ["traces", "status=", 'expected a value after "="'],
      ["logs", "duration>5", "log records have no duration"],
    ]) {
      const refused = cli(["tail", view as string, "--url", "http://127.0.0.1:9", "--query", query as string]);
      expect(await refused.exited).toBe(2);
      expect(lines(refused.stderr())).toEqual([expect.stringMatching(new RegExp(`^error: --query: .*${reason}`))]);
    }
    const none = cli(["tail", "--url", "http://127.0.0.1:9"]);
    expect(await none.exited).toBe(1);
    expect(lines(none.stderr())).toEqual([
      "error: no tracekit-local answers at http://127.0.0.1:9: start it with `tracekit-local --port 9`, or pass --port / --url",
    ]);
  });
});
