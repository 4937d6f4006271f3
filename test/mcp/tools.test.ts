import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { groupCost } from "../../src/mcp/format.js";
import { createRestClient, type QueryParams, type RestClient } from "../../src/mcp/rest.js";
import { createMcpServer } from "../../src/mcp/server.js";
import { perSecondText } from "../../src/mcp/services-text.js";
import { MAX_SPAN_SNAPSHOT_PAGES, SNAPSHOTS_PER_PAGE } from "../../src/mcp/snapshot-tools.js";
import type { MetricQueryResponse } from "../../src/protocol.js";
import { MAX_SNAPSHOT_LIMIT } from "../../src/store/code-monitoring-store.js";
import { startTestApp, tempDir } from "../helpers/app.js";
import { sdkMeter } from "../helpers/otel-metrics.js";
import { type JsonSpanInput, jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const NOW = 1_700_000_900_000;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A client of the tools over a RestClient that answers `answer(path, params)` and records each GET. */
async function toolsOver(answer: (path: string, params: QueryParams) => unknown) {
  const asked: QueryParams[] = [];
  const rest: RestClient = {
    async get<T>(path: string, params: QueryParams = {}) {
      asked.push(params);
      return answer(path, params) as T;
    },
    async find<T>(path: string, params: QueryParams = {}) {
      asked.push(params);
      return (answer(path, params) ?? null) as T | null;
    },
    async findExact<T>(path: string) {
      asked.push({});
      return (answer(path, {}) ?? null) as T | null;
    },
  };
  return { ...(await toolsClient(rest, () => NOW)), asked };
}

/** A client of the tools served over `rest` (closed after the test); `call` gives a tool's answer as text. */
async function toolsClient(rest: RestClient, now: () => number) {
  const server = createMcpServer({ rest, version: "test", now });
  const client = new Client({ name: "test", version: "1" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  closers.push(
    () => client.close(),
    () => server.close(),
  );
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
    return result.isError === true ? `error: ${text}` : text;
  };
  return { call, client };
}

/** A latency histogram: 10 steps of 90 s, a quick one in the newest step; over the window p95 is 2 s. */
function latency(params: QueryParams): MetricQueryResponse {
  const from = Number(params.since);
  const to = Number(params.until);
  const step = params.step === undefined ? 90_000 : Number(params.step);
  const steps = Math.ceil((to - from) / step);
  const whole = steps === 1;
  return {
    metric: { name: "http.server.duration", kind: "histogram", chart: "distribution", unit: "ms", description: "" },
    chart: "distribution",
    fromUnixMs: from,
    toUnixMs: to,
    stepMs: step,
    times: Array.from({ length: steps }, (_, i) => from + i * step),
    groupBy: null,
    series: [
      {
        label: "route=/checkout",
        attributes: {},
        values: whole ? [400] : [...Array(steps - 1).fill(500), 5],
        p50: whole ? [300] : [...Array(steps - 1).fill(300), 5],
        p95: whole ? [2000] : [...Array(steps - 1).fill(2000), 5],
        p99: whole ? [2500] : [...Array(steps - 1).fill(2500), 5],
        counts: whole ? [91] : [...Array(steps - 1).fill(10), 1],
      },
    ],
    exemplars: [],
  } as unknown as MetricQueryResponse;
}

describe("get_metric", () => {
  it("gives a distribution's percentiles over every value in the window, not the newest step's", async () => {
    const { call, asked } = await toolsOver((_path, params) => latency(params));
    const text = await call("get_metric", { name: "http.server.duration", since: "15m" });
    expect(asked.at(-1)).toMatchObject({ since: NOW - 900_000, until: NOW, step: 900_000 });
    expect(text).toContain("1 step of 15m");
    expect(text).toMatch(/\np50 +p95 +p99 +values +series\n300ms +2s +2.5s +91 +route=\/checkout\n/);
    expect(text).toContain("p50, p95, p99: of every value recorded in the window");
  });
});

describe("get_metric over a long window", () => {
  it("ends the window it tells now, not where the store's whole steps end (weeks ahead for 10000d)", async () => {
    const app = await startTestApp();
    const meter = sdkMeter(app.base, "shop");
    closers.push(
      () => meter.shutdown(),
      () => app.close(),
    );
    meter.meter.createGauge("queue.depth").record(3);
    await meter.flush();
    const rest = createRestClient((path) => fetch(`${app.base}${path}`), app.base);
    const { call } = await toolsClient(rest, () => Date.now());
    const before = Date.now();
    const text = await call("get_metric", { name: "queue.depth", since: "10000d" });
    const after = Date.now();
    const window = /window (\S+) to (\S+), /.exec(text);
    expect(window, text).not.toBeNull();
    const end = Date.parse(window?.[2] ?? "");
    expect(end).toBeGreaterThanOrEqual(before);
    expect(end).toBeLessThanOrEqual(after);
    expect(Date.parse(window?.[1] ?? "")).toBeLessThan(before - 9_999 * 86_400_000);
  });
});

describe("list_metrics", () => {
  it("with service, counts that service's series and names it alone, as the Metrics page's row does", async () => {
    const app = await startTestApp();
    const meters = [sdkMeter(app.base, "qa-stop-delta"), sdkMeter(app.base, "qa-stop-cumulative")];
    closers.push(...meters.map((m) => () => m.shutdown()), () => app.close());
    const [delta, cumulative] = meters.map((m) => m.meter.createCounter("qa.jobs"));
    for (const queue of ["a", "b"]) delta?.add(1, { queue });
    for (const queue of ["a", "b", "c"]) cumulative?.add(1, { queue });
    meters[1]?.meter.createCounter("qa.retries").add(1);
    for (const m of meters) await m.flush();
    const rest = createRestClient((path) => fetch(`${app.base}${path}`), app.base);
    const { call } = await toolsClient(rest, () => Date.now());
    const rows = async (args: Record<string, unknown>) =>
      (await call("list_metrics", args))
        .split("\n")
        .slice(1)
        .map((line) => line.split(/\s{2,}/))
        .map((row) => [row[0], row[4], row[5]]);
    expect(await rows({})).toEqual([
      ["qa.jobs", "5", "qa-stop-cumulative, qa-stop-delta"],
      ["qa.retries", "1", "qa-stop-cumulative"],
    ]);
    expect(await rows({ service: "qa-stop-delta" })).toEqual([["qa.jobs", "2 of 5", "qa-stop-delta"]]);
    expect(await rows({ service: "qa-stop-cumulative" })).toEqual([
      ["qa.jobs", "3 of 5", "qa-stop-cumulative"],
      ["qa.retries", "1", "qa-stop-cumulative"],
    ]);
  });

  it("names each unit as get_metric and the Metrics page write it, with the unit as sent where it differs", async () => {
    const metric = (name: string, unit: string) => ({
      name,
      kind: "gauge",
      chart: "value",
      charts: ["value"],
      unit,
      description: "",
      services: ["lab"],
      seriesPerService: [1],
      attributeKeys: [],
      seriesCount: 1,
      lastTimeUnixNano: "1700000000000000000",
    });
    const { call } = await toolsOver(() => ({
      metrics: [metric("room.temperature", "Cel"), metric("job.duration", "ms"), metric("queue.fill", "1")],
      maxSeries: 1000,
      droppedSeries: 0,
      droppedPoints: 0,
    }));
    const rows = (await call("list_metrics", {})).split("\n").map((line) => line.split(/\s{2,}/));
    expect(rows.map((row) => row[3])).toEqual(["unit", "°C (sent as Cel)", "ms", "-"]);
  });
});

describe("error_groups", () => {
  it("says how many groups the limit left out", async () => {
    const group = (id: string, count: number) => ({
      id,
      service: "api",
      kind: "exception",
      type: "Error",
      pattern: `failure ${id}`,
      frames: [],
      count,
      traces: count,
      firstSeenUnixNano: "1700000000000000000",
      lastSeenUnixNano: "1700000001000000000",
      sparkline: [],
      operations: [{ service: "api", name: "GET /", count }],
      failedIn: [],
      latest: [],
      sample: { message: `failure ${id}`, stacktrace: "" },
    });
    const { call, asked } = await toolsOver(() => ({
      groups: [group("a", 9), group("b", 5)],
      totalGroups: 8,
      totalErrors: 30,
      totalTraces: 20,
    }));
    const text = await call("error_groups", { sort: "count", limit: 2 });
    expect(asked.at(-1)).toMatchObject({ sort: "count", limit: 2 });
    expect(text.startsWith("30 errors in 8 groups, in 20 traces:")).toBe(true);
    expect(text.endsWith("\n\n[6 more groups (fewer errors): raise limit (max 100) to list them]")).toBe(true);
    // An anonymous function's frame reads as the Errors page reads it, not as a file and a colon.
    const framed = await toolsOver(() => ({
      groups: [{ ...group("a", 9), frames: ["app2.js:fakeQuery", "app2.js:"] }],
      totalGroups: 1,
      totalErrors: 9,
      totalTraces: 9,
    }));
    expect(await framed.call("error_groups", {})).toContain("\n  frames: app2.js:fakeQuery < app2.js (anonymous)\n");
    // Frames of the runtime's code, the stack holding none of the app's own, are told as such.
    const library = await toolsOver(() => ({
      groups: [{ ...group("a", 9), frames: ["node:_http_client:TLSSocket.socketOnEnd"], libraryFrames: true }],
      totalGroups: 1,
      totalErrors: 9,
      totalTraces: 9,
    }));
    expect(await library.call("error_groups", {})).toContain(
      "\n  library frames (no frame of the app's own code): node:_http_client:TLSSocket.socketOnEnd\n",
    );
    const all = await toolsOver(() => ({ groups: [group("a", 9)], totalGroups: 1, totalErrors: 9, totalTraces: 9 }));
    expect(await all.call("error_groups", {})).not.toContain("more group");
  });
});

describe("slowest_operations", () => {
  it("groups the digits of the traces it read and of each operation's counts", async () => {
    const traces = Array.from({ length: 1000 }, (_, i) => ({
      traceId: i.toString(16).padStart(32, "0"),
      name: "GET /orders",
      service: "api",
      durationMs: 10 + (i % 50),
      errorCount: i % 500 === 0 ? 0 : 1,
      startTimeUnixNano: String(BigInt(NOW - 1000 + i) * 1_000_000n),
    }));
    const { call } = await toolsOver(() => ({ traces: [...traces].reverse() }));
    const text = await call("slowest_operations", { traces: 1000 });
    expect(text).toMatch(/^Over the newest 1,000 traces, started /);
    expect(text.split("\n")[2]?.split(/ {2,}/).slice(0, 4)).toEqual(["api", "GET /orders", "1,000", "998"]);
  });

  it("dates the traces it read by those with a start: one whose spans have none (0) lists last and dates nothing", async () => {
    const trace = (id: number, start: string) => ({
      traceId: id.toString(16).padStart(32, "0"),
      name: "GET /orders",
      service: "api",
      durationMs: 10,
      errorCount: 0,
      startTimeUnixNano: start,
    });
    const timed = String(BigInt(NOW - 1000) * 1_000_000n);
    const { call } = await toolsOver(() => ({ traces: [trace(1, timed), trace(2, "0")] }));
    const text = await call("slowest_operations", {});
    expect(text).toContain(`started ${new Date(NOW - 1000).toISOString()} to`);
    expect(text).not.toContain("1970");
  });
});

describe("get_logs", () => {
  it("names its own argument when trace_id is not a trace id, and asks nothing of the API", async () => {
    const { call, asked } = await toolsOver(() => ({ logs: [] }));
    expect(await call("get_logs", { trace_id: "abc" })).toBe('error: trace_id "abc" is not a trace id (32 hex digits)');
    expect(asked).toEqual([]);
    expect(await call("get_logs", { trace_id: "A".repeat(32) })).toBe("No log records match.");
    expect(asked.at(-1)).toMatchObject({ traceId: "A".repeat(32), order: "asc" });
  });
});

/** A stored log record as GET /api/logs and /api/logs/:id answer it. */
function logRecord(id: string, body: unknown, extra: Record<string, unknown> = {}) {
  return {
    id,
    timeUnixNano: "1700000000000000000",
    observedTimeUnixNano: "1700000000000000000",
    severityNumber: 17,
    severity: "ERROR",
    severityText: "",
    body,
    attributes: { "exception.type": "TimeoutError" },
    traceId: "a".repeat(32),
    spanId: "b".repeat(16),
    service: "checkout",
    resource: { "service.name": "checkout" },
    scope: { name: "app", version: "1.0" },
    ...extra,
  };
}

describe("get_logs: one record whole by its id", () => {
  // A stack trace of 60,889 characters, each line numbered so a part shows where it is.
  const longBody = Array.from(
    { length: 2000 },
    (_, i) => `  at frame${String(i).padStart(4, "0")} (app.js:${i}:1)`,
  ).join("\n");

  it("says on a cut body's line how to read it whole, and ends each line with the record's id", async () => {
    const { call } = await toolsOver(() => ({ logs: [logRecord("7", longBody), logRecord("8", "short")] }));
    const text = await call("get_logs", {});
    const [, cutLine, shortLine] = text.split("\n");
    expect(cutLine).toContain(
      `… [body cut: ${longBody.length.toLocaleString("en-US")} characters; get_logs id=7 gives it whole]`,
    );
    expect(cutLine).toMatch(/ {2}trace=a{32} span=b{16} {2}id=7$/);
    expect(shortLine).toMatch(/\[checkout\] {2}short {2}trace=a{32} span=b{16} {2}id=8$/);
  });

  it("gives a record's body whole, part by part with the offset each part names, and its attributes", async () => {
    const { call, asked } = await toolsOver((path) =>
      path === "/api/logs/7" ? { log: logRecord("7", longBody) } : undefined,
    );
    let offset = 0;
    let read = "";
    for (let part = 0; part < 5; part++) {
      const text = await call("get_logs", offset === 0 ? { id: "7" } : { id: 7, offset });
      expect(text).not.toMatch(/^error/);
      expect(text.length).toBeLessThanOrEqual(24_000);
      expect(text).toMatch(
        /^log record 7: 2023-11-14T22:13:20\.000Z {2}ERROR {2}\[checkout\]\nseverity: level ERROR, severity number 17\ntrace=a{32} span=b{16}\n/,
      );
      expect(text).toContain(
        "\nattributes (1):\n  exception.type = TimeoutError\nresource:\n  service.name = checkout\n",
      );
      const next = /\n\[body continues: get_logs id=7 offset=(\d+) gives the next part\]$/.exec(text);
      const body = text.slice(text.indexOf(":\n", text.indexOf("\nbody (")) + 2, next?.index);
      read += body;
      if (next === null) break;
      offset = Number(next[1]);
    }
    expect(read).toBe(longBody);
    expect(asked.length).toBeGreaterThan(2);
    expect(await call("get_logs", { id: "7", offset: longBody.length })).toBe(
      `error: offset ${longBody.length} is past the end of the body (${longBody.length.toLocaleString("en-US")} characters)`,
    );
  });

  it("says a record's severity as the Logs page does: the sender's text with the level it has, else the level and its step", async () => {
    const records = [
      logRecord("1", "mail queued", { severityNumber: 12, severity: "INFO", severityText: "NOTICE" }),
      logRecord("2", "cart loaded", { severityNumber: 10, severity: "INFO", severityText: "" }),
      logRecord("3", "slow", { severityNumber: 13, severity: "WARN", severityText: "warning" }),
      logRecord("4", "no level", { severityNumber: 0, severity: "UNSPECIFIED", severityText: "" }),
    ];
    const { call } = await toolsOver((path) =>
      path === "/api/logs" ? { logs: records } : { log: records.find((r) => path.endsWith(`/${r.id}`)) },
    );
    const lines = (await call("get_logs", {})).split("\n").slice(1);
    expect(lines.map((line) => line.split("  ")[1])).toEqual([
      "NOTICE (INFO4)",
      "INFO2",
      "warning (WARN)",
      "UNSPECIFIED",
    ]);
    expect((await call("get_logs", { id: "1" })).split("\n").slice(0, 2)).toEqual([
      "log record 1: 2023-11-14T22:13:20.000Z  NOTICE (INFO4)  [checkout]",
      'severity: "NOTICE" as sent, level INFO4, severity number 12',
    ]);
    expect((await call("get_logs", { id: "2" })).split("\n").slice(0, 2)).toEqual([
      "log record 2: 2023-11-14T22:13:20.000Z  INFO2  [checkout]",
      "severity: level INFO2, severity number 10",
    ]);
  });

  it("shows a structured body as indented JSON, and refuses an id that is not one or not stored", async () => {
    const { call } = await toolsOver((path) =>
      path === "/api/logs/9" ? { log: logRecord("9", { order: { id: 42, items: ["lamp"] } }) } : undefined,
    );
    const text = await call("get_logs", { id: "9" });
    expect(text).toContain(
      'body (structured, as JSON, 68 characters):\n{\n  "order": {\n    "id": 42,\n    "items": [\n      "lamp"\n    ]\n  }\n}',
    );
    expect(await call("get_logs", { id: "10" })).toBe(
      "error: no log record 10 is stored (evicted or cleared); get_logs lists what is stored",
    );
    expect(await call("get_logs", { id: "seven" })).toBe(
      'error: id "seven" is not a log record id (a whole number, as get_logs shows it)',
    );
    expect(await call("get_logs", { id: "9", service: "checkout" })).toBe(
      "error: id reads one record: give it without service (offset may go with it)",
    );
    expect(await call("get_logs", { offset: 10 })).toBe("error: offset goes with id: the part of one record's body");
  });
});

describe("every tool refuses an argument it does not know", () => {
  it("names the tool's arguments and the one meant, and asks nothing of the API", async () => {
    const { call, asked, client } = await toolsOver(() => ({ logs: [] }));
    expect(await call("get_logs", { traceId: "a".repeat(32) })).toBe(
      'error: MCP error -32602: Input validation error: Invalid arguments for tool get_logs: unknown argument "traceId" (did you mean trace_id?); get_logs takes trace_id, service, severity, text, since, limit, id, offset',
    );
    const { tools } = await client.listTools();
    expect(tools.length).toBe(15);
    for (const tool of tools) {
      expect(tool.inputSchema).toMatchObject({ additionalProperties: false });
      const answer = await call(tool.name, { servce: "shop", zzz_unknown: 1 });
      const names = Object.keys(tool.inputSchema.properties ?? {});
      expect(answer).toContain(
        `unknown arguments "servce"${names.includes("service") ? " (did you mean service?)" : ""}, "zzz_unknown";`,
      );
      expect(answer).toContain(
        names.length === 0 ? `${tool.name} takes no arguments` : `${tool.name} takes ${names.join(", ")}`,
      );
    }
    expect(asked).toEqual([]);
  });

  it("names the argument meant when two neighbouring letters are swapped, in a short name too", async () => {
    const { call } = await toolsOver(() => ({ logs: [] }));
    for (const [typed, meant] of [
      ["lmiit", "limit"],
      ["txet", "text"],
      ["sinec", "since"],
      ["trcae_id", "trace_id"],
    ] as const) {
      expect(await call("get_logs", { [typed]: "x" })).toContain(
        `unknown argument "${typed}" (did you mean ${meant}?)`,
      );
    }
  });
});

describe("list_traces", () => {
  it("writes how many more services a trace spans with its digits grouped, as every count it writes", async () => {
    const services = Array.from({ length: 1235 }, (_, i) => `svc-${i}`);
    const { call } = await toolsOver(() => ({
      traces: [
        {
          traceId: "ab".repeat(16),
          name: "GET /fan-out",
          service: "svc-0",
          services,
          durationMs: 12,
          spanCount: 1235,
          errorCount: 0,
          startTimeUnixNano: String(BigInt(NOW) * 1_000_000n),
        },
      ],
    }));
    const row = (await call("list_traces", {})).split("\n")[2]?.split(/ {2,}/);
    expect(row?.slice(3, 6)).toEqual(["1,235", "0", "svc-0 (+1,234)"]);
  });

  it("writes one of a thing in the singular in its headings", async () => {
    const trace = {
      traceId: "ab".repeat(16),
      name: "GET /call",
      service: "shop-api",
      services: ["shop-api"],
      durationMs: 12,
      spanCount: 1,
      errorCount: 1,
      startTimeUnixNano: String(BigInt(NOW) * 1_000_000n),
    };
    const node = (id: string, kind: string) => ({ id, name: id, kind, calls: 1, errors: 1, p50Ms: 9, p95Ms: 9 });
    const { call } = await toolsOver((path) =>
      path === "/api/service-map"
        ? {
            nodes: [node("shop-api", "service"), node("localhost:23112", "external")],
            edges: [{ from: "shop-api", to: "localhost:23112", calls: 1, errors: 1, p50Ms: 9, p95Ms: 9 }],
            tracesRead: 1,
            truncated: false,
            seconds: 60,
          }
        : { traces: [trace] },
    );
    expect((await call("list_traces", {})).split("\n")[0]).toBe("1 trace, newest first:");
    expect((await call("service_map", {})).split("\n")[0]).toBe("2 nodes and 1 edge over 1 trace, calls over 60 s:");
  });

  it("tells an empty store from a filter that matched nothing", async () => {
    const { call } = await toolsOver((path) =>
      path === "/api/services" ? { services: [{ name: "shop" }] } : { traces: [] },
    );
    expect(await call("list_traces", {})).toBe("No traces are stored yet.");
    expect(await call("list_traces", { service: "shop" })).toBe("No traces match.");
    expect(await call("list_traces", { query: "http.route=/pay" })).toBe("No traces match.");
  });

  it("says when the service asked about has no spans stored, and names those that have, instead of an answer that reads as healthy", async () => {
    const services = [
      "shop",
      "inventory",
      ...Array.from({ length: 40 }, (_, i) => `worker-${String(i).padStart(2, "0")}`),
    ];
    const empty = { traces: [], groups: [], totals: { calls: 0 } };
    const { call } = await toolsOver((path) =>
      path === "/api/services" ? { services: services.map((name) => ({ name })) } : empty,
    );
    const unknown =
      'No service named "shpo" has spans stored; the services with spans: inventory, shop, worker-00, worker-01, ' +
      `${Array.from({ length: 26 }, (_, i) => `worker-${String(i + 2).padStart(2, "0")}`).join(", ")}, and 12 more.`;
    for (const [tool, args] of [
      ["error_groups", {}],
      ["recent_errors", {}],
      ["list_traces", {}],
      ["slowest_operations", {}],
      ["llm_usage", {}],
      ["search_spans", { text: "orders" }],
    ] as const) {
      expect(await call(tool, { ...args, service: "shpo" })).toBe(unknown);
    }
    // A service that has spans gets the tool's own answer.
    expect(await call("error_groups", { service: "shop" })).toBe(
      "No errors (exception events or failing spans) in that window.",
    );
    expect(await call("recent_errors", { service: "shop" })).toBe("No failing traces.");
    const none = await toolsOver((path) => (path === "/api/services" ? { services: [] } : empty));
    expect(await none.call("error_groups", { service: "shop" })).toBe(
      'No service named "shop" has spans stored; no service has sent spans yet.',
    );
  });
});

const group = (key: string, usd: number, extra = {}) => ({
  key,
  calls: 1,
  inputTokens: 14,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  usd,
  unpriced: 0,
  noUsage: 0,
  unpricedNoUsage: 0,
  failed: 0,
  p50Ms: 233.2,
  p95Ms: 233.2,
  ...extra,
});

describe("search_spans", () => {
  it("names each span as get_trace does (a bare method with its route), and one more span in the singular", async () => {
    const traceId = "ab".repeat(16);
    const span = (spanId: string, parentSpanId: string | null) => ({
      traceId,
      spanId,
      parentSpanId,
      name: "GET",
      kind: "SERVER",
      service: "shop",
      startTimeUnixNano: "1700000000000000000",
      endTimeUnixNano: "1700000000005000000",
      durationMs: 5,
      status: { code: "UNSET" },
      attributes: { "http.request.method": "GET", "http.route": "/orders/:id" },
      events: [],
      links: [],
      resource: { "service.name": "shop" },
      scope: { name: "http" },
    });
    const { call } = await toolsOver((path) => {
      if (path === "/api/traces") return { traces: [{ traceId }] };
      if (path === `/api/traces/${traceId}`) {
        return { traceId, name: "GET /orders/:id", spans: [span("a1", null), span("b2", "a1")], snapshots: [] };
      }
      throw new Error(`unexpected ${path}`);
    });
    const lines = (await call("search_spans", { text: "orders", limit: 1 })).split("\n");
    expect(lines[2]?.split(/ {2,}/).slice(0, 2)).toEqual([traceId, "GET /orders/:id"]);
    expect(lines.at(-1)).toBe("[1 more span; raise limit (max 200) to list them]");
  });
});

describe("llm_usage", () => {
  it("writes a cheap call's cost out in decimals, never as JavaScript's exponent", async () => {
    const { call } = await toolsOver(() => ({
      pricesDate: "2025-10-01",
      prices: { bundledDate: "2025-10-01", file: null, fileModels: [] },
      totals: group("all", 2.8e-7),
      byModel: [group("text-embedding-3-small", 2.8e-7)],
      byService: [group("support-assistant", 2.8e-7)],
      timeline: { startMs: NOW, stepMs: 1000, buckets: 0, byModel: [], byService: [] },
      calls: [
        {
          traceId: "1594aafa7b4ba5999323bdfb6c485708",
          spanId: "17a88603ded64832",
          service: "support-assistant",
          provider: "openai",
          operation: "embeddings",
          requestModel: "text-embedding-3-small",
          durationMs: 233.2,
          timeToFirstTokenMs: null,
          finishReasons: [],
          streaming: null,
          failed: false,
          startTimeUnixNano: `${NOW}000000`,
          cost: {
            model: "text-embedding-3-small",
            inputTokens: 14,
            outputTokens: 0,
            cachedInputTokens: 0,
            cacheWriteInputTokens: 0,
            priceKey: "text-embedding-3-small",
            usd: 2.8e-7,
            usageReported: true,
          },
        },
      ],
      tracesRead: 1,
      truncated: false,
    }));
    const text = await call("llm_usage", {});
    expect(text).toContain("estimated cost $0.00000028 at list prices");
    expect(text).toMatch(/\ntext-embedding-3-small +1 +0 +14 +0 +\$0\.00000028 /);
    expect(text).toMatch(/ support-assistant +text-embedding-3-small +ok +14 +0 +\$0\.00000028 /);
    expect(text).not.toMatch(/e-\d/);
  });

  it("says which calls reported no usage instead of counting them as free", async () => {
    // One gpt-4o-mini call answered ($0.0021), one got a 429 and reported no tokens.
    const both = { calls: 2, failed: 1, noUsage: 1, inputTokens: 10_000, outputTokens: 1_000 };
    const { call } = await toolsOver(() => ({
      pricesDate: "2025-10-01",
      prices: { bundledDate: "2025-10-01", file: null, fileModels: [] },
      totals: group("all", 0.0021, both),
      byModel: [group("gpt-4o-mini", 0.0021, both)],
      byService: [group("assistant", 0.0021, both)],
      timeline: { startMs: NOW, stepMs: 1000, buckets: 0, byModel: [], byService: [] },
      calls: [
        {
          traceId: "1594aafa7b4ba5999323bdfb6c485708",
          spanId: "17a88603ded64832",
          service: "assistant",
          provider: "openai",
          operation: "chat",
          requestModel: "gpt-4o-mini",
          durationMs: 120,
          timeToFirstTokenMs: null,
          finishReasons: [],
          streaming: null,
          failed: true,
          startTimeUnixNano: `${NOW}000000`,
          cost: {
            model: "gpt-4o-mini",
            inputTokens: 0,
            outputTokens: 0,
            cachedInputTokens: 0,
            cacheWriteInputTokens: 0,
            priceKey: "gpt-4o-mini",
            usd: 0,
            usageReported: false,
          },
        },
      ],
      tracesRead: 1,
      truncated: false,
    }));
    const text = await call("llm_usage", {});
    expect(text).toContain(
      "2 LLM calls (1 failed): 10,000 tokens in, 1,000 out (1 call reported no usage: tokens unknown), estimated cost",
    );
    expect(text).toContain("estimated cost $0.0021 + 1 without usage at list prices");
    expect(text).toMatch(/\ngpt-4o-mini +2 +1 +10,000 +1,000 +\$0\.0021 \+ 1 without usage /);
    // The call's row says it failed: "—" alone would not tell a refused call from one without usage.
    expect(text).toMatch(/ assistant +gpt-4o-mini +failed +— +— +not reported /);
  });

  it("names a call to a model without a price that reported no usage once, as unpriced", async () => {
    // A gpt-4o-mini call answered ($0.0021); a call to a local model without a price reported no tokens.
    const both = { calls: 2, unpriced: 1, noUsage: 1, unpricedNoUsage: 1, inputTokens: 10_000, outputTokens: 1_000 };
    const local = { unpriced: 1, noUsage: 1, unpricedNoUsage: 1, inputTokens: 0, outputTokens: 0 };
    const { call } = await toolsOver(() => ({
      pricesDate: "2025-10-01",
      prices: { bundledDate: "2025-10-01", file: null, fileModels: [] },
      totals: group("all", 0.0021, both),
      byModel: [
        group("gpt-4o-mini", 0.0021, { inputTokens: 10_000, outputTokens: 1_000 }),
        group("my-llama", 0, local),
      ],
      byService: [group("assistant", 0.0021, both)],
      timeline: { startMs: NOW, stepMs: 1000, buckets: 0, byModel: [], byService: [] },
      calls: [],
      tracesRead: 1,
      truncated: false,
    }));
    const text = await call("llm_usage", {});
    expect(text).toContain("(1 call reported no usage: tokens unknown), estimated cost $0.0021 + 1 unpriced at list");
    expect(text).toMatch(/\nmy-llama +1 +0 +0 +0 +no price /);
    expect(text).toMatch(/\nassistant +2 +0 +10,000 +1,000 +\$0\.0021 \+ 1 unpriced /);
    expect(text).not.toContain("without usage");
  });
});

describe("groupCost", () => {
  const calls = (some: {
    calls: number;
    usd?: number;
    unpriced?: number;
    noUsage?: number;
    unpricedNoUsage?: number;
  }) => groupCost({ usd: 0, unpriced: 0, noUsage: 0, unpricedNoUsage: 0, ...some });

  it("names each call of unknown cost once: unpriced, or priced but without usage", () => {
    expect(calls({ calls: 3, usd: 0.0021 })).toBe("$0.0021");
    expect(calls({ calls: 3, usd: 0.0021, unpriced: 1, noUsage: 1, unpricedNoUsage: 1 })).toBe("$0.0021 + 1 unpriced");
    expect(calls({ calls: 4, usd: 0.0021, unpriced: 2, noUsage: 2, unpricedNoUsage: 1 })).toBe(
      "$0.0021 + 2 unpriced + 1 without usage",
    );
    // A running server older than unpricedNoUsage: the counts as it gives them.
    expect(groupCost({ calls: 3, usd: 0.0021, unpriced: 1, noUsage: 1 })).toBe(
      "$0.0021 + 1 unpriced + 1 without usage",
    );
  });

  it("says no dollar amount when no call's cost is known", () => {
    expect(calls({ calls: 2, unpriced: 2, noUsage: 1, unpricedNoUsage: 1 })).toBe("no price");
    expect(calls({ calls: 2, noUsage: 2 })).toBe("not reported");
    expect(calls({ calls: 2, unpriced: 1, noUsage: 1 })).toBe("1 unpriced + 1 without usage");
  });
});

describe("get_span: the snapshots captured in the span", () => {
  const traceId = "cd".repeat(16);
  const spanId = "00000000000000aa";
  const context = {
    traceId,
    traceName: "checkout",
    spanCount: 1,
    traceStartUnixNano: "1700000000000000000",
    span: {
      traceId,
      spanId,
      parentSpanId: null,
      name: "checkout",
      kind: "INTERNAL",
      service: "shop",
      startTimeUnixNano: "1700000000000000000",
      endTimeUnixNano: "1700000000005000000",
      durationMs: 5,
      status: { code: "UNSET" },
      attributes: {},
      events: [],
      links: [],
      resource: {},
      scope: { name: "app" },
    },
    depth: 0,
    above: [],
    below: [],
    belowCount: 0,
    siblingCount: 0,
  };
  /** A snapshot, of this span or another one, captured at minute `minute`. */
  const snapshot = (id: string, ofSpan: boolean, minute: number) => ({
    id,
    breakpointId: null,
    service: "shop",
    filePath: "app.ts",
    functionName: "checkout",
    label: "cart",
    lineNumber: 1,
    capturedAt: new Date(NOW - minute * 60_000).toISOString(),
    traceId,
    spanId: ofSpan ? spanId : "00000000000000bb",
    securityFlagCount: 0,
    variableNames: [],
    calledFrom: null,
  });
  /** The trace's snapshots in pages of 1,000, newest first: `pages` of them (endless when undefined). */
  const tools = (pageOf: (n: number) => { mine: number[] }, pages?: number) =>
    toolsOver((path, params) => {
      if (path.startsWith("/api/spans/")) return context;
      if (path === "/api/logs") return { logs: [] };
      if (path !== "/api/snapshots") throw new Error(`unexpected ${path}`);
      expect(params.limit).toBe(SNAPSHOTS_PER_PAGE);
      const n = params.cursor === undefined ? 0 : Number(params.cursor);
      const { mine } = pageOf(n);
      const list = Array.from({ length: SNAPSHOTS_PER_PAGE }, (_, i) =>
        snapshot(`s${n}.${i}`, mine.includes(i), n * SNAPSHOTS_PER_PAGE + i),
      );
      const last = pages !== undefined && n === pages - 1;
      return { snapshots: list, storedTraceIds: [traceId], ...(last ? {} : { nextCursor: String(n + 1) }) };
    });

  it("asks for as many at once as the API gives", () => {
    expect(SNAPSHOTS_PER_PAGE).toBe(MAX_SNAPSHOT_LIMIT);
  });

  it("follows the cursor past the trace's newest 1,000, so the span's oldest are counted and listed first", async () => {
    const { call, asked } = await tools((n) => ({ mine: n === 0 ? [5] : n === 2 ? [999] : [] }), 3);
    const text = await call("get_span", { span_id: spanId });
    expect(asked.filter((params) => params.limit === SNAPSHOTS_PER_PAGE)).toHaveLength(3);
    expect(text.split("\n\n").at(-1)?.split("\n")).toEqual([
      "2 code-monitoring snapshots captured in this span (get_snapshot shows one's variables):",
      `  s2.999 "cart" captured ${new Date(NOW - 2999 * 60_000).toISOString()}`,
      `  s0.5 "cart" captured ${new Date(NOW - 5 * 60_000).toISOString()}`,
    ]);
  });

  it(`stops after ${MAX_SPAN_SNAPSHOT_PAGES} pages and says "at least", or that older ones were not read`, async () => {
    const some = await tools(() => ({ mine: [0] }));
    const text = await some.call("get_span", { span_id: spanId });
    expect(some.asked.filter((params) => params.limit === SNAPSHOTS_PER_PAGE)).toHaveLength(MAX_SPAN_SNAPSHOT_PAGES);
    expect(text).toContain(
      `\nAt least 10 code-monitoring snapshots captured in this span, oldest read first (the trace's oldest snapshots were not read: list_snapshots with trace_id="${traceId}" pages through them; get_snapshot shows one's variables):\n`,
    );
    const none = await tools(() => ({ mine: [] }));
    expect((await none.call("get_span", { span_id: spanId })).split("\n").at(-1)).toBe(
      `No code-monitoring snapshot of this span among the trace's newest; the trace's oldest snapshots were not read: list_snapshots with trace_id="${traceId}" pages through them.`,
    );
  });
});

describe("get_span on a large trace", () => {
  for (const store of ["memory", "sqlite"] as const) {
    it(`reads the span and what is around it, not the whole trace (${store} store)`, async () => {
      const dir = store === "sqlite" ? tempDir() : null;
      const app = await startTestApp(dir === null ? {} : { db: `${dir.path}/spans.db` });
      closers.push(async () => {
        await app.close();
        dir?.remove();
      });
      // A root, 100 children and 50 spans under each: 5,101 spans.
      const traceId = newTraceId();
      const root = newSpanId();
      const base = 1_700_000_000_000_000_000n;
      const spans: JsonSpanInput[] = [
        { traceId, spanId: root, name: "root", startNs: base, durationNs: 10_000_000_000n },
      ];
      const middle: string[] = [];
      for (let i = 0; i < 100; i++) {
        const id = newSpanId();
        middle.push(id);
        spans.push({
          traceId,
          spanId: id,
          parentSpanId: root,
          name: `call ${i}`,
          startNs: base + BigInt(i) * 1_000_000n,
        });
        for (let k = 0; k < 50; k++) {
          spans.push({
            traceId,
            spanId: newSpanId(),
            parentSpanId: id,
            name: `query ${i}.${k}`,
            startNs: base + BigInt(i) * 1_000_000n + BigInt(k) * 1000n,
          });
        }
      }
      expect((await postJson(app.base, jsonTraceRequest("big", spans))).status).toBe(200);
      const read: { path: string; bytes: number }[] = [];
      const rest = createRestClient(async (path) => {
        const response = await fetch(`${app.base}${path}`);
        const body = await response.arrayBuffer();
        read.push({ path, bytes: body.byteLength });
        return new Response(body, { status: response.status, headers: response.headers });
      }, app.base);
      const { call } = await toolsClient(rest, () => Date.now());
      const text = await call("get_span", { span_id: middle[7] });
      expect(text).toContain(`Span ${middle[7]} "call 7" [big] in trace ${traceId} "root"`);
      expect(text).toContain("In the trace's waterfall (5,101 spans;");
      expect(text).toContain(`parent: ${root} "root" [big]`);
      expect(text).toContain("\n  call 7 [big]  5ms @+7ms  <-- this span\n    query 7.0 [big]");
      expect(text).toContain("[20 more spans below it not shown; get_trace lists them all]");
      expect(text).toContain("[its parent has 99 other child spans, not shown here]");
      // No read of the trace whole: its JSON is megabytes.
      expect(read.map((r) => r.path.split("?")[0])).not.toContain(`/api/traces/${traceId}`);
      expect(read.reduce((sum, r) => sum + r.bytes, 0)).toBeLessThan(100_000);
    }, 60_000);
  }
});

describe("list_services and service_map with since", () => {
  it("name the window they counted, from the start of the minute since falls in, with rates over it", async () => {
    const app = await startTestApp();
    closers.push(() => app.close());
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
    const ns = (ms: number) => BigInt(ms) * 1_000_000n;
    // /old starts a second into the minute, /new just now; the window asked starts between them.
    const old = { name: "GET /old", kind: 2, startNs: ns(minute + 1_000), durationNs: 5_000_000_000n };
    const recent = { name: "GET /new", kind: 2, startNs: ns(Date.now() - 2_000), durationNs: 10_000_000n };
    expect((await postJson(app.base, jsonTraceRequest("win-svc", [old, recent]))).status).toBe(200);
    const rest = createRestClient((path) => fetch(`${app.base}${path}`), app.base);
    const { call } = await toolsClient(rest, () => Date.now());
    const since = new Date(minute + 30_000).toISOString();
    expect((await call("list_traces", { since })).split("\n")[0]).toBe("1 trace, newest first:");

    const before = Date.now();
    const services = await call("list_services", { since });
    const map = await call("service_map", { since });
    const after = Date.now();
    const window =
      `window: the spans that started at or after ${new Date(minute).toISOString()}, up to now: the start of the ` +
      `minute ${since} falls in,\n  as spans are counted by the minute they started in (list_traces counts from ` +
      `${since} itself).`;
    // Both requests are of the minute counted, and the rate is per the time from its start, not from since.
    const row = services.split("\n")[1]?.split(/ {2,}/);
    expect(row?.[4]).toBe("2");
    const rates = [before, after].map((end) => perSecondText(2 / ((end - minute) / 1000)));
    expect(rates).toContain(row?.[7]);
    expect(services.endsWith(`\n${window}`), services).toBe(true);
    const seconds = Number(/calls over (\d+) s:/.exec(map)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(Math.floor((before - minute) / 1000));
    expect(seconds).toBeLessThanOrEqual(Math.ceil((after - minute) / 1000));
    expect(map.split("\n")[0]).toContain("over 2 traces");
    expect(map.endsWith(`\n\n${window}`), map).toBe(true);

    // A since on a minute's start is counted as asked.
    const exact = new Date(minute).toISOString();
    expect(await call("list_services", { since: exact })).toContain(
      `\nwindow: the spans that started at or after ${exact}, up to now.`,
    );
  });
});

describe("an id as the query", () => {
  it("lists the trace a trace id or a stored span id names, and search_spans names the tool that reads it", async () => {
    const app = await startTestApp();
    closers.push(() => app.close());
    const traceId = newTraceId();
    const root = newSpanId();
    const child = newSpanId();
    const spans = [
      { traceId, spanId: root, name: "GET /orders", kind: 2 },
      { traceId, spanId: child, parentSpanId: root, name: "SELECT orders", kind: 3 },
    ];
    expect((await postJson(app.base, jsonTraceRequest("shop", spans))).status).toBe(200);
    const rest = createRestClient((path) => fetch(`${app.base}${path}`), app.base);
    const { call } = await toolsClient(rest, () => Date.now());

    for (const query of [traceId, traceId.toUpperCase(), `trace_id=${traceId}`, `00-${traceId}-${child}-01`]) {
      const listed = await call("list_traces", { query });
      expect(listed.split("\n")[0], query).toMatch(/^1 trace: the query is an id, of /);
      expect(listed.split("\n")[2], query).toContain(`${traceId}  `);
    }
    expect((await call("list_traces", { query: traceId })).split("\n")[0]).toBe(
      `1 trace: the query is an id, of trace ${traceId} (get_trace shows its spans):`,
    );
    expect((await call("list_traces", { query: child, service: "shop" })).split("\n")[0]).toBe(
      `1 trace: the query is an id, of span ${child} of trace ${traceId} (get_span shows the span; service not applied to it):`,
    );
    // A traceparent's span may not be stored (it often names the caller's span): get_trace reads its trace.
    const caller = newSpanId();
    const parent = `00-${traceId}-${caller}-01`;
    expect((await call("list_traces", { query: parent })).split("\n")[0]).toBe(
      `1 trace: the query is an id, of trace ${traceId} (its span ${caller} is not stored: a traceparent often ` +
        "names the caller's span; get_trace shows its spans):",
    );
    expect(await call("search_spans", { text: parent })).toBe(
      `"${parent}" is an id, of trace ${traceId} (its span ${caller} is not stored: a traceparent often names the ` +
        `caller's span): get_trace with trace_id "${traceId}" shows its spans.`,
    );
    // One whose span is stored names get_span.
    expect((await call("list_traces", { query: `00-${traceId}-${child}-01` })).split("\n")[0]).toBe(
      `1 trace: the query is an id, of span ${child} of trace ${traceId} (get_span shows the span):`,
    );
    expect(await call("search_spans", { text: `00-${traceId}-${child}-01` })).toContain(
      `get_span with span_id "${child}" shows it.`,
    );
    const other = newTraceId();
    const lookedUp =
      `[no trace ${other} is stored (evicted or cleared, or its spans have not arrived yet): the query was ` +
      "looked up as a trace id first, then searched for as text]";
    expect(await call("list_traces", { query: other })).toBe(`${lookedUp}\nNo traces match.`);
    // A span id no stored span has is searched for as text, as in the search box.
    expect(await call("list_traces", { query: newSpanId() })).toBe("No traces match.");

    expect(await call("search_spans", { text: traceId })).toBe(
      `"${traceId}" is an id, of trace ${traceId}: get_trace with trace_id "${traceId}" shows its spans.`,
    );
    expect(await call("search_spans", { text: `span_id=${child}` })).toBe(
      `"span_id=${child}" is an id, of span ${child} of trace ${traceId}: get_span with span_id "${child}" shows it.`,
    );
    expect(await call("search_spans", { text: other })).toBe(
      `${lookedUp}\nNo spans match "${other}" in the newest matching traces.`,
    );
  });

  it("searches for a trace id no stored trace has as text: a request id an attribute holds is found", async () => {
    const app = await startTestApp();
    closers.push(() => app.close());
    const traceId = newTraceId();
    // A request id of 32 hex digits (a UUID without its hyphens), as x-request-id headers often carry.
    const requestId = newTraceId();
    const spans = [
      {
        traceId,
        spanId: newSpanId(),
        name: "POST /pay",
        kind: 2,
        attributes: { "http.request.header.x-request-id": requestId },
      },
    ];
    expect((await postJson(app.base, jsonTraceRequest("shop", spans))).status).toBe(200);
    const rest = createRestClient((path) => fetch(`${app.base}${path}`), app.base);
    const { call } = await toolsClient(rest, () => Date.now());

    const note =
      `[no trace ${requestId} is stored (evicted or cleared, or its spans have not arrived yet): the query was ` +
      "looked up as a trace id first, then searched for as text]";
    const listed = (await call("list_traces", { query: requestId })).split("\n");
    expect(listed[0]).toBe(note);
    expect(listed[1]).toBe("1 trace, newest first:");
    expect(listed[3]).toContain(`${traceId}  `);
    const found = (await call("search_spans", { text: requestId })).split("\n");
    expect(found[0]).toBe(note);
    expect(found[1]).toBe(`1 span in 1 trace matches "${requestId}":`);
    expect(found[3]).toContain(traceId);
  });
});
