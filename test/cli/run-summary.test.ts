import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type RefusalCounts, refusedBetween } from "../../src/cli/run-refusals.js";
import {
  countRun,
  formatRunLine,
  metricPointsOf,
  runListUrl,
  runMetricsUrl,
  waitForQuiet,
} from "../../src/cli/run-summary.js";
import { startTestApp } from "../helpers/app.js";
import { sendUnknownCostCalls } from "../helpers/llm-calls.js";
import { sdkMeter } from "../helpers/otel-metrics.js";
import { postLogs } from "../helpers/payloads.js";

const METRICS_LOOP = fileURLToPath(new globalThis.URL("./fixtures/otel-metrics-loop.mjs", import.meta.url));

const URL = "http://localhost:9999/";

describe("formatRunLine", () => {
  const totals = { traces: 2, spans: 6, failing: 1, runId: "a1b2c3d4", logs: 0 };

  it("says how many LLM calls had no price or reported no usage, beside what the others cost", () => {
    const llm = (unpriced: number, noUsage: number, unpricedNoUsage = 0) =>
      formatRunLine({ ...totals, llm: { calls: 3, usd: 0.0042, unpriced, noUsage, unpricedNoUsage } }, URL);
    expect(llm(0, 0)).toBe(
      `tracekit-local: this run sent 2 traces (6 spans, 1 failing, 3 LLM calls ≈ $0.0042) · ${URL}`,
    );
    // A call refused by the provider (a 429) reports no tokens: its cost is unknown, not $0.
    expect(llm(0, 1)).toContain("3 LLM calls ≈ $0.0042 (1 without usage))");
    expect(llm(1, 1)).toContain("3 LLM calls ≈ $0.0042 (1 without a price, 1 without usage))");
    // A call to a model without a price that reported no usage is one of those without a price, not both.
    expect(llm(1, 1, 1)).toContain("3 LLM calls ≈ $0.0042 (1 without a price))");
    expect(llm(1, 2, 1)).toContain("3 LLM calls ≈ $0.0042 (1 without a price, 1 without usage))");
    // Every call refused: no cost to state (it read "≈ $0.0").
    const refused = formatRunLine(
      { ...totals, llm: { calls: 2, usd: 0, unpriced: 0, noUsage: 2, unpricedNoUsage: 0 } },
      URL,
    );
    expect(refused).toContain("(6 spans, 1 failing, 2 LLM calls (2 without usage))");
    // No call of known cost: one unpriced, one without usage.
    const unknown = formatRunLine(
      { ...totals, llm: { calls: 2, usd: 0, unpriced: 1, noUsage: 1, unpricedNoUsage: 0 } },
      URL,
    );
    expect(unknown).toContain("(6 spans, 1 failing, 2 LLM calls (1 without a price, 1 without usage))");
  });
});

describe("formatRunLine of a run that sent metrics", () => {
  const base = { traces: 0, spans: 0, failing: 0, runId: "a1b2c3d4", logs: 0 };
  it("says the metrics updated and the points that arrived while it ran, not that it sent nothing", () => {
    const metrics = { names: ["orders.counted"], services: ["monly"], points: 1, ofRun: true };
    expect(formatRunLine({ ...base, metrics }, URL)).toBe(
      "tracekit-local: no trace or log record of this run arrived; while it ran, 1 metric point arrived, of " +
        `orders.counted under monly (metrics are not told apart by run) · ${URL}`,
    );
    expect(formatRunLine({ ...base, traces: 1, spans: 2, metrics }, URL)).toBe(
      `tracekit-local: this run sent 1 trace (2 spans, 0 failing); while it ran, 1 metric point arrived, of orders.counted under monly · ${URL}`,
    );
  });

  it("names three metrics and counts the rest, and names them alone when the points are not known", () => {
    const metrics = { names: ["a", "b", "c", "d"], services: ["x", "y"], points: null, ofRun: true };
    expect(formatRunLine({ ...base, metrics }, URL)).toContain(
      "; while it ran, metrics a, b, c and 1 more under x, y updated (metrics are not told apart by run) · ",
    );
  });

  it("says any app's metrics beside the advice for a run of which nothing arrived, not as the run's", () => {
    const metrics = { names: ["jobs.polled"], services: ["billing"], points: 12, ofRun: false };
    expect(formatRunLine({ ...base, metrics }, URL)).toBe(
      "tracekit-local: no trace or log record of this run arrived; while it ran, 12 metric points arrived, of " +
        "jobs.polled under billing (any app's: without --service, metrics are not told apart by run); an app sends " +
        "here when its SDK reads OTEL_EXPORTER_OTLP_ENDPOINT, or its TraceKit SDK's endpoint is set to " +
        `TRACEKIT_ENDPOINT · ${URL}`,
    );
    // Beside what the instance refused, after the advice that goes with the refusals.
    const refused = { grpcConnections: 0, requests: 2, misdirected: 0, spans: 0, logRecords: 0, dataPoints: 0 };
    expect(formatRunLine({ ...base, metrics }, URL, { url: URL, grpcUrl: null, refused })).toMatch(
      /TRACEKIT_ENDPOINT\); while it ran, 12 metric points arrived, of jobs\.polled under billing \(any app's: without --service, metrics are not told apart by run\) · /,
    );
  });

  it("links a run of metrics alone to the Metrics page, on its one metric and --service", () => {
    const window = { sinceMs: 1, untilMs: 2, service: "monly" };
    expect(runMetricsUrl("http://localhost:9999", window, { names: ["orders.counted"] })).toBe(
      "http://localhost:9999/metrics?metric=orders.counted&service=monly",
    );
    expect(runMetricsUrl("http://localhost:9999", { sinceMs: 1, untilMs: 2 }, { names: ["a", "b"] })).toBe(
      "http://localhost:9999/metrics",
    );
  });
});

describe("formatRunLine of a run that sent nothing", () => {
  it("says nothing arrived and what an app must read to send here, not 0 traces (0 spans, 0 failing)", () => {
    const line = formatRunLine({ traces: 0, spans: 0, failing: 0, runId: "a1b2c3d4", logs: 0 }, URL);
    expect(line).toBe(
      `tracekit-local: this run sent nothing: no trace, log record or metric of it arrived while it ran; an app sends here when its SDK reads OTEL_EXPORTER_OTLP_ENDPOINT, or its TraceKit SDK's endpoint is set to TRACEKIT_ENDPOINT · ${URL}`,
    );
    // Log records alone are still counted as before.
    expect(formatRunLine({ traces: 0, spans: 0, failing: 0, runId: "a1b2c3d4", logs: 2 }, URL)).toBe(
      `tracekit-local: this run sent 0 traces (0 spans, 0 failing) and 2 log records · ${URL}`,
    );
  });
});

describe("formatRunLine of a run while the instance refused what was sent", () => {
  const none: RefusalCounts = {
    grpcConnections: 0,
    requests: 0,
    misdirected: 0,
    spans: 0,
    logRecords: 0,
    dataPoints: 0,
  };
  const nothing = { traces: 0, spans: 0, failing: 0, runId: "a1b2c3d4", logs: 0 };
  const place = { url: "http://localhost:9999", grpcUrl: null };

  it("says so, with what helps, instead of that the app sent nothing or sent elsewhere", () => {
    const grpc = formatRunLine(nothing, URL, { ...place, refused: { ...none, grpcConnections: 2 } });
    expect(grpc).toBe(
      "tracekit-local: no trace or log record of this run arrived: while it ran, tracekit-local refused 2 OTLP/gRPC connections; " +
        "port 9999 takes OTLP/HTTP only, and an exporter sent gRPC there, as one chosen in an app's code does whatever " +
        "OTEL_EXPORTER_OTLP_PROTOCOL says: use an OTLP/HTTP exporter, or start tracekit-local with --otlp-grpc-port 4317 " +
        `and run the app with OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317, not under run (which points it at port 9999) · ${URL}`,
    );
    // An instance with a gRPC port already: that port, on the host the run was given.
    const withPort = formatRunLine(nothing, URL, {
      url: "http://devbox:9999",
      grpcUrl: "http://devbox:4317",
      refused: { ...none, grpcConnections: 1 },
    });
    expect(withPort).toContain(
      "use an OTLP/HTTP exporter, or run the app with OTEL_EXPORTER_OTLP_ENDPOINT=http://devbox:4317 (the instance's gRPC port), not under run (which points it at port 9999) · ",
    );
    // Other refusals may be this run's (a body too large) or another app's: said, with the usual reason beside them.
    const requests = formatRunLine(nothing, URL, { ...place, refused: { ...none, requests: 3, misdirected: 1 } });
    expect(requests).toBe(
      "tracekit-local: no trace or log record of this run arrived; while it ran, tracekit-local refused 3 OTLP requests and " +
        "stored nothing of 1 OTLP/JSON request sent to another signal's path (logs to /v1/traces, or the like); " +
        "the linked page shows the latest reason (this run's or another app's; an app sends here when its SDK reads " +
        `OTEL_EXPORTER_OTLP_ENDPOINT, or its TraceKit SDK's endpoint is set to TRACEKIT_ENDPOINT) · ${URL}`,
    );
    // A refused gRPC connection among other refusals still leads: the exporter did read the endpoint.
    const mixed = formatRunLine(nothing, URL, { ...place, refused: { ...none, grpcConnections: 3, spans: 1 } });
    expect(mixed).toMatch(
      /^tracekit-local: no trace or log record of this run arrived: while it ran, tracekit-local refused 3 OTLP\/gRPC connections and dropped 1 span/,
    );
  });

  it("adds them after what did arrive, and says nothing when nothing was refused", () => {
    const sent = { traces: 2, spans: 6, failing: 1, runId: "a1b2c3d4", logs: 0 };
    expect(formatRunLine(sent, URL, { ...place, refused: { ...none, spans: 4, logRecords: 1 } })).toBe(
      "tracekit-local: this run sent 2 traces (6 spans, 1 failing); while it ran, tracekit-local dropped 4 spans and " +
        `1 log record of partly accepted requests; the linked page shows the latest reason · ${URL}`,
    );
    expect(formatRunLine(sent, URL, { ...place, refused: none })).toBe(formatRunLine(sent, URL));
    expect(formatRunLine(nothing, URL, { ...place, refused: none })).toContain("this run sent nothing");
  });
});

describe("refusedBetween", () => {
  it("counts what was refused since the run's start, and all since a clear that reset the counts", () => {
    const at = (grpcConnections: number, requests: number) =>
      ({ grpcConnections, requests, misdirected: 0, spans: 0, logRecords: 0, dataPoints: 0 }) satisfies RefusalCounts;
    expect(refusedBetween(at(5, 2), at(6, 2))).toMatchObject({ grpcConnections: 1, requests: 0 });
    expect(refusedBetween(at(5, 2), at(1, 0))).toMatchObject({ grpcConnections: 1, requests: 0 });
  });
});

describe("formatRunLine's cost", () => {
  it("reads as the LLM page and the trace header write it: cents from a dollar up, three significant digits below", () => {
    const line = (usd: number) =>
      formatRunLine(
        {
          traces: 1,
          spans: 4,
          failing: 0,
          runId: "a1b2c3d4",
          logs: 0,
          llm: { calls: 3, usd, unpriced: 0, noUsage: 0, unpricedNoUsage: 0 },
        },
        URL,
      );
    expect(line(0.108)).toContain("3 LLM calls ≈ $0.108)");
    expect(line(0.0000144)).toContain("3 LLM calls ≈ $0.0000144)");
    expect(line(12.3456)).toContain("3 LLM calls ≈ $12.35)");
  });
});

describe("countRun", () => {
  it("counts a call to a model without a price that reported no usage once, as one without a price", async () => {
    const app = await startTestApp();
    try {
      await sendUnknownCostCalls(app.base, "assistant", { "tracekit.run.id": "a1b2c3d4" });
      // The spans start at a fixed time long past: the window is the whole of time up to now.
      const counted = await countRun(app.base, { sinceMs: 0, untilMs: Date.now() }, "a1b2c3d4");
      expect(counted).toMatchObject({
        traces: 1,
        spans: 4,
        runId: "a1b2c3d4",
        llm: { calls: 3, unpriced: 1, noUsage: 2, unpricedNoUsage: 1 },
      });
      // gpt-4o: 1,000 tokens in at $2.50 / 1M and 100 out at $10 / 1M.
      expect(formatRunLine(counted, URL)).toContain(
        "this run sent 1 trace (4 spans, 1 failing, 3 LLM calls ≈ $0.0035 (1 without a price, 1 without usage))",
      );
    } finally {
      await app.close();
    }
  });

  it("counts the run's items under any service, and names those not under --service", async () => {
    const app = await startTestApp();
    try {
      const run = { "tracekit.run.id": "a1b2c3d4" };
      await sendUnknownCostCalls(app.base, "api", run);
      await sendUnknownCostCalls(app.base, "worker", run);
      const resource = {
        attributes: [
          { key: "service.name", value: { stringValue: "worker" } },
          { key: "tracekit.run.id", value: { stringValue: "a1b2c3d4" } },
        ],
      };
      const record = { timeUnixNano: String(BigInt(Date.now()) * 1_000_000n), body: { stringValue: "done" } };
      const logs = await postLogs(app.base, { resourceLogs: [{ resource, scopeLogs: [{ logRecords: [record] }] }] });
      expect(logs.status).toBe(200);
      const window = { sinceMs: 0, untilMs: Date.now() + 1000, service: "api" };
      const counted = await countRun(app.base, window, "a1b2c3d4");
      expect(counted).toMatchObject({
        traces: 2,
        logs: 1,
        elsewhere: { service: "api", services: ["worker"], traces: 1, logs: 1 },
      });
      expect(formatRunLine(counted, URL)).toBe(
        "tracekit-local: this run sent 2 traces (8 spans, 2 failing, 6 LLM calls ≈ $0.007 (2 without a price, 2 without usage)) and 1 log record; 1 trace and 1 log record of these came under service worker, not api (--service) · http://localhost:9999/",
      );
      // The link lists all of the run's traces, not only those of --service.
      expect(new globalThis.URL(runListUrl(app.base, window, counted)).searchParams.get("service")).toBeNull();
      // Without --service there is nothing to tell apart.
      const none = await countRun(app.base, { sinceMs: 0, untilMs: Date.now() }, "a1b2c3d4");
      expect(none.elsewhere).toBeUndefined();
      // A service the run's app called is not named as one the app named itself: only its traces' roots are.
      const traceId = "5b8efff798038103d269b633813fc60c";
      const start = BigInt(Date.now()) * 1_000_000n;
      const resourceSpans = [
        { service: "checkout", spanId: "eee19b7ec3c1b174", run: true },
        { service: "payments", spanId: "eee19b7ec3c1b175", parent: "eee19b7ec3c1b174", run: false },
      ].map(({ service, spanId, parent, run }) => ({
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: service } },
            ...(run ? [{ key: "tracekit.run.id", value: { stringValue: "a1b2c3d4" } }] : []),
          ],
        },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId,
                ...(parent === undefined ? {} : { parentSpanId: parent }),
                name: "GET /",
                kind: parent === undefined ? 2 : 3,
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(start + 1_000_000n),
              },
            ],
          },
        ],
      }));
      const posted = await fetch(`${app.base}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ resourceSpans }),
      });
      expect(posted.status).toBe(200);
      const called = await countRun(app.base, { ...window, untilMs: Date.now() + 1000 }, "a1b2c3d4");
      expect(called.elsewhere?.services).toEqual(["checkout", "worker"]);
    } finally {
      await app.close();
    }
  });
});

describe("countRun's metrics", () => {
  it("counts the metrics of the run's services only, and their points only when no other service's came", async () => {
    const app = await startTestApp();
    const api = sdkMeter(app.base, "api");
    const billing = sdkMeter(app.base, "billing");
    try {
      const pointsBefore = await metricPointsOf(app.base);
      // The run's trace comes from api; its spans start at a fixed time long past.
      await sendUnknownCostCalls(app.base, "api", { "tracekit.run.id": "a1b2c3d4" });
      const window = { sinceMs: 0, untilMs: Date.now() + 60_000 };
      api.meter.createCounter("api.requests").add(1);
      await api.flush();
      expect((await countRun(app.base, window, "a1b2c3d4", pointsBefore)).metrics).toEqual({
        names: ["api.requests"],
        services: ["api"],
        points: 1,
        ofRun: true,
      });
      // Another app's metric meanwhile: not the run's, and the points counted together are no longer its own.
      billing.meter.createCounter("jobs.polled").add(1);
      await billing.flush();
      const beside = await countRun(app.base, window, "a1b2c3d4", pointsBefore);
      expect(beside.metrics).toEqual({ names: ["api.requests"], services: ["api"], points: null, ofRun: true });
      expect(formatRunLine(beside, URL)).toContain("; while it ran, metric api.requests under api updated · ");
      // --service names the run's service whether or not a trace came.
      const named = await countRun(app.base, { ...window, service: "billing" }, "0badc0de", pointsBefore);
      expect(named.metrics).toEqual({ names: ["jobs.polled"], services: ["billing"], points: null, ofRun: true });
      // Of a run of which nothing arrived, without --service, what arrived is any app's, beside the advice.
      const nothing = await countRun(app.base, window, "0badc0de", pointsBefore);
      expect(nothing.metrics).toEqual({
        names: ["api.requests", "jobs.polled"],
        services: ["api", "billing"],
        points: 2,
        ofRun: false,
      });
      expect(formatRunLine(nothing, URL)).toContain(
        "(any app's: without --service, metrics are not told apart by run)",
      );
      expect(formatRunLine(nothing, URL)).toContain("an app sends here when its SDK reads OTEL_EXPORTER_OTLP_ENDPOINT");
    } finally {
      await api.shutdown();
      await billing.shutdown();
      await app.close();
    }
  });
});

describe("countRun's metrics of a request through several services", () => {
  it("counts the metrics of every service the run's traces came under, not only the one they started in", async () => {
    const app = await startTestApp();
    const services = ["qa-gateway", "qa-inventory", "qa-payment"];
    const meters = services.map((service) => sdkMeter(app.base, service));
    const bystander = sdkMeter(app.base, "bystander");
    try {
      const pointsBefore = await metricPointsOf(app.base);
      // One request: the gateway (the run's app, its root) calls inventory (the run's too) and payment, a
      // service started apart whose spans carry no run id.
      const traceId = "6c9f0a1b2c3d4e5f60718293a4b5c6d7";
      const start = BigInt(Date.now()) * 1_000_000n;
      const resourceSpans = [
        { service: "qa-gateway", spanId: "a000000000000001", run: true },
        { service: "qa-inventory", spanId: "a000000000000002", parent: "a000000000000001", run: true },
        { service: "qa-payment", spanId: "a000000000000003", parent: "a000000000000001", run: false },
      ].map(({ service, spanId, parent, run }) => ({
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: service } },
            ...(run ? [{ key: "tracekit.run.id", value: { stringValue: "a1b2c3d4" } }] : []),
          ],
        },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId,
                ...(parent === undefined ? {} : { parentSpanId: parent }),
                name: parent === undefined ? "POST /checkout" : "handle",
                kind: 2,
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(start + 1_000_000n),
              },
            ],
          },
        ],
      }));
      const posted = await fetch(`${app.base}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ resourceSpans }),
      });
      expect(posted.status).toBe(200);
      // Each service counts the request in the same metric, as the TraceKit SDK's counters do.
      for (const { meter, flush } of meters) {
        meter.createCounter("qa.requests.total").add(1);
        await flush();
      }
      const window = { sinceMs: 0, untilMs: Date.now() + 60_000 };
      const counted = await countRun(app.base, window, "a1b2c3d4", pointsBefore);
      expect(counted).toMatchObject({ traces: 1, spans: 3 });
      expect(counted.metrics).toEqual({ names: ["qa.requests.total"], services, points: 3, ofRun: true });
      expect(formatRunLine(counted, URL)).toContain(
        "; while it ran, 3 metric points arrived, of qa.requests.total under qa-gateway, qa-inventory, qa-payment · ",
      );
      // A service the run's traces did not reach is not the run's.
      bystander.meter.createCounter("jobs.polled").add(1);
      await bystander.flush();
      const beside = await countRun(app.base, window, "a1b2c3d4", pointsBefore);
      expect(beside.metrics).toEqual({ names: ["qa.requests.total"], services, points: null, ofRun: true });
    } finally {
      for (const { shutdown } of [...meters, bystander]) await shutdown();
      await app.close();
    }
  });
});

describe("waitForQuiet", () => {
  it("is not held open by another app's metrics, and waits for those of --service", { timeout: 30_000 }, async () => {
    const app = await startTestApp();
    const bystander = spawn(process.execPath, [METRICS_LOOP], {
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: app.base,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        OTEL_SERVICE_NAME: "billing",
        EXPORT_INTERVAL_MS: "50",
      },
      stdio: "ignore",
    });
    try {
      // Exporting before the wait starts.
      for (const deadline = Date.now() + 20_000; ((await metricPointsOf(app.base)) ?? 0) < 3; ) {
        if (Date.now() > deadline) throw new Error("the other app's metrics did not arrive");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const started = Date.now();
      await waitForQuiet(app.base, 300, 3_000);
      expect(Date.now() - started).toBeLessThan(2_500);
      const other = Date.now();
      await waitForQuiet(app.base, 300, 3_000, "api");
      expect(Date.now() - other).toBeLessThan(2_500);
      // The metrics of --service are the run's: while they keep coming, the wait lasts to its end.
      const own = Date.now();
      await waitForQuiet(app.base, 1_000, 2_000, "billing");
      expect(Date.now() - own).toBeGreaterThanOrEqual(2_000);
    } finally {
      bystander.kill("SIGTERM");
      await app.close();
    }
  });

  it("goes on when the metrics of --service cannot be read, as from an instance without the metrics API", async () => {
    // An instance from before the metrics API: health answers, /api/metrics does not exist.
    const counts = { spans: 3, rejectedSpans: 0, lateSpans: 0, logs: 0, rejectedLogRecords: 0 };
    const older = createServer((request, response) => {
      const health = request.url === "/api/health";
      response.writeHead(health ? 200 : 404, { "content-type": "application/json" });
      response.end(health ? JSON.stringify({ counts }) : JSON.stringify({ error: { code: "not_found" } }));
    });
    await new Promise<void>((resolve) => older.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = older.address() as AddressInfo;
      await expect(waitForQuiet(`http://127.0.0.1:${port}`, 200, 2_000, "api")).resolves.toBeUndefined();
    } finally {
      older.close();
    }
  });
});
