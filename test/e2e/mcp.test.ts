import { execFileSync } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatMetricValue, parseUnit } from "../../src/domain/metric-units.js";
import type { MetricQueryResponse } from "../../src/protocol.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { BIN, freePort, useCliRuns } from "../helpers/cli.js";
import { rawRequest, readJson } from "../helpers/http.js";
import { type SentTrace, sendSdkTrace } from "../helpers/otel.js";
import { sdkMeter } from "../helpers/otel-metrics.js";
import { jsonLogRequest, jsonTraceRequest, newSpanId, newTraceId, postJson, postLogs } from "../helpers/payloads.js";

const TOOLS = [
  "error_groups",
  "get_logs",
  "get_metric",
  "get_snapshot",
  "get_span",
  "get_trace",
  "list_metrics",
  "list_services",
  "list_snapshots",
  "list_traces",
  "llm_usage",
  "recent_errors",
  "search_spans",
  "service_map",
  "slowest_operations",
];

let app: TestApp;
let orders: SentTrace;
let pay: SentTrace;
const checkout = { traceId: newTraceId(), root: newSpanId(), call: newSpanId(), query: newSpanId() };
let stdio: Client;
let stdioTransport: StdioClientTransport;
let stdioErr = "";

function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  return content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { text: textOf(result), isError: result.isError === true };
}

beforeAll(async () => {
  app = await startTestApp();
  orders = await sendSdkTrace(app.base, { service: "shop", name: "GET /orders", children: 2 });
  pay = await sendSdkTrace(app.base, { service: "shop", name: "POST /pay", children: 2, error: true });
  // Three levels, failing in two: the error started in the deepest (the query), not in the call above it.
  const start = BigInt(Date.now()) * 1_000_000n;
  const response = await postJson(
    app.base,
    jsonTraceRequest("checkout", [
      {
        traceId: checkout.traceId,
        spanId: checkout.root,
        name: "GET /checkout",
        kind: 2,
        startNs: start,
        durationNs: 90_000_000n,
        attributes: { "http.route": "/checkout", "http.response.status_code": 500 },
        statusCode: 2,
        statusMessage: "checkout failed",
      },
      {
        traceId: checkout.traceId,
        spanId: checkout.call,
        parentSpanId: checkout.root,
        name: "reserve stock",
        kind: 3,
        startNs: start + 1_000_000n,
        durationNs: 80_000_000n,
        statusCode: 2,
        statusMessage: "reserve failed",
      },
      {
        traceId: checkout.traceId,
        spanId: checkout.query,
        parentSpanId: checkout.call,
        name: "UPDATE stock",
        kind: 3,
        startNs: start + 2_000_000n,
        durationNs: 70_000_000n,
        attributes: {
          "db.system.name": "postgresql",
          "db.query.text": "UPDATE stock SET qty = qty - 1 WHERE sku = 'lamp-42'",
        },
        statusCode: 2,
        statusMessage: "deadlock detected",
      },
    ]),
  );
  expect(response.status).toBe(200);
  const logs = await postLogs(
    app.base,
    jsonLogRequest("checkout", [
      {
        severityNumber: 17,
        body: "stock reservation failed for lamp-42",
        traceId: checkout.traceId,
        spanId: checkout.query,
        timeNs: start + 3_000_000n,
      },
      { severityNumber: 9, body: "checkout started", traceId: checkout.traceId, timeNs: start },
    ]),
  );
  expect(logs.status).toBe(200);
  const meter = sdkMeter(app.base, "checkout");
  const latency = meter.meter.createHistogram("checkout.duration", { unit: "ms", description: "checkout latency" });
  for (const value of [12, 30, 45, 80, 250]) latency.record(value, { route: "/checkout" });
  await meter.flush();
  await meter.shutdown();

  stdioTransport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp", "--port", String(app.port)],
    stderr: "pipe",
  });
  stdioTransport.stderr?.on("data", (chunk) => {
    stdioErr += chunk;
  });
  stdio = new Client({ name: "tracekit-local-test", version: "1.0.0" });
  await stdio.connect(stdioTransport);
});

afterAll(async () => {
  await stdio?.close();
  await app?.close();
});

describe("tracekit-local mcp (stdio)", { timeout: 60_000 }, () => {
  it("names itself and lists every tool, each with a description and an input schema", async () => {
    expect(stdio.getServerVersion()?.name).toBe("tracekit-local");
    const { tools } = await stdio.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe("object");
    }
    expect(stdioErr).toContain(`serving tracekit-local at http://localhost:${app.port}`);
    // `mcp --help` names every tool.
    const help = execFileSync(process.execPath, [BIN, "mcp", "--help"], { encoding: "utf8" });
    const listed = /Tools: ([^.]*)\./.exec(help)?.[1]?.split(/,\s*/) ?? [];
    expect(listed.sort()).toEqual(TOOLS);
  });

  it("list_traces: a table of traces with ids, filtered by status, service and query", async () => {
    const all = await call(stdio, "list_traces");
    expect(all.isError).toBe(false);
    expect(all.text).toMatch(
      /^3 traces, newest first:\nstart \(UTC\) +trace_id +duration +spans +errors +service +name\n/,
    );
    for (const id of [orders.traceId, pay.traceId, checkout.traceId]) expect(all.text).toContain(id);
    const failing = await call(stdio, "list_traces", { status: "error", service: "shop" });
    expect(failing.text).toContain(pay.traceId);
    expect(failing.text).toMatch(/ POST \/pay {2}\[error: Error: card declined\]$/);
    expect(failing.text).not.toContain(orders.traceId);
    expect(failing.text).not.toContain(checkout.traceId);
    const byText = await call(stdio, "list_traces", { query: "lamp-42" });
    expect(byText.text).toContain(checkout.traceId);
    expect(byText.text).toMatch(/^1 trace,/);
    const paged = await call(stdio, "list_traces", { limit: 1 });
    expect(paged.text).toMatch(/call list_traces again with cursor="[^"]+"/);
    const cursor = /cursor="([^"]+)"/.exec(paged.text)?.[1];
    const next = await call(stdio, "list_traces", { limit: 1, cursor });
    expect(next.text.split("\n")[2]).not.toEqual(paged.text.split("\n")[2]);
    expect((await call(stdio, "list_traces", { since: "1m" })).text).toMatch(/^3 traces/);
    expect((await call(stdio, "list_traces", { min_duration_ms: 60_000 })).text).toBe("No traces match.");
    // Sorted as the API sorts: slowest first.
    const slowest = await call(stdio, "list_traces", { sort: "duration" });
    expect(slowest.text).toMatch(/^3 traces, slowest first:/);
    const bySpeed = (await readJson(fetch(`${app.base}/api/traces?sort=duration`))).traces.map(
      (t: { traceId: string }) => t.traceId,
    );
    const places = bySpeed.map((id: string) => slowest.text.indexOf(id));
    expect(places.every((place: number) => place > 0)).toBe(true);
    expect(places).toEqual([...places].sort((x, y) => x - y));
    const sortedPage = await call(stdio, "list_traces", { sort: "spans", limit: 1 });
    expect(sortedPage.text).toMatch(/call list_traces again with sort="spans" cursor="[^"]+" for the next ones/);
  });

  it("get_trace: an indented waterfall with services, durations, errors and key attributes", async () => {
    const { text, isError } = await call(stdio, "get_trace", { trace_id: checkout.traceId });
    expect(isError).toBe(false);
    const lines = text.split("\n");
    expect(lines[0]).toBe(`Trace ${checkout.traceId} "GET /checkout"`);
    expect(lines[1]).toMatch(/took 90ms, 3 spans, 3 failing, services: checkout$/);
    expect(lines[3]).toMatch(
      /^GET \/checkout \[checkout\] {2}90ms @\+0ms {2}server {2}ERROR checkout failed {2}http=\/checkout {2}status=500$/,
    );
    expect(lines[4]).toMatch(/^ {2}reserve stock \[checkout\] {2}80ms @\+1ms {2}client {2}ERROR reserve failed$/);
    expect(lines[5]).toBe(
      "    UPDATE stock [checkout]  70ms @+2ms  client  ERROR deadlock detected  db=UPDATE stock SET qty = qty - 1 WHERE sku = 'lamp-42'",
    );
    // The real SDK's exception event is shown as type: message.
    const sdk = await call(stdio, "get_trace", { trace_id: pay.traceId.toUpperCase() });
    expect(sdk.text).toMatch(
      /\n {2}charge card \[shop\] .* ERROR Error: card declined {2}http=POST http:\/\/localhost:8082\/charge/,
    );
    expect(sdk.text).toMatch(/\n {2}SELECT orders 0 \[shop\] .* db=SELECT \* FROM orders WHERE id = 0/);
    const capped = await call(stdio, "get_trace", { trace_id: pay.traceId, max_spans: 1 });
    expect(capped.text).toContain(
      "[2 more spans not shown; call get_trace with skip=1 (or a higher max_spans, up to 1000) to see them]",
    );
    expect(capped.text.split("\n")).toHaveLength(5);
    const rest = await call(stdio, "get_trace", { trace_id: pay.traceId, skip: 1 });
    expect(rest.text.split("\n").slice(3)).toEqual([
      "[the first span skipped]",
      expect.stringMatching(/^ {2}\S/),
      expect.stringMatching(/^ {2}\S/),
    ]);
  });

  it("get_span: a span id (any case) found whole, with its place in its trace's waterfall and its logs", async () => {
    const { text, isError } = await call(stdio, "get_span", { span_id: checkout.call.toUpperCase() });
    expect(isError).toBe(false);
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      `Span ${checkout.call} "reserve stock" [checkout] in trace ${checkout.traceId} "GET /checkout"`,
    );
    expect(lines[1]).toMatch(/^client, ERROR reserve failed, took 80ms, started \S+Z \(\+1ms into the trace\)$/);
    expect(lines[2]).toBe(`parent: ${checkout.root} "GET /checkout" [checkout]`);
    expect(text).toContain("\nattributes: none\nresource:\n  service.name = checkout\n");
    const waterfall = lines.indexOf(
      `In the trace's waterfall (3 spans; get_trace trace_id="${checkout.traceId}" shows them all):`,
    );
    expect(waterfall, text).toBeGreaterThan(0);
    expect(lines.slice(waterfall + 1, waterfall + 4)).toEqual([
      expect.stringMatching(/^GET \/checkout \[checkout\] {2}90ms @\+0ms {2}server {2}ERROR checkout failed/),
      "  reserve stock [checkout]  80ms @+1ms  client  ERROR reserve failed  <-- this span",
      expect.stringMatching(
        /^ {4}UPDATE stock \[checkout\] {2}70ms @\+2ms {2}client {2}ERROR deadlock detected {2}db=/,
      ),
    ]);
    expect(text).toMatch(/\nNo log records name this span\.$/);
    // The deepest span: the log record emitted in it, and no span below it.
    const query = await call(stdio, "get_span", { span_id: checkout.query });
    expect(query.text).toContain("attributes (2):\n  db.system.name = postgresql\n  db.query.text = UPDATE stock");
    expect(query.text).toMatch(
      / {4}UPDATE stock \[checkout\] .* {2}<-- this span\n\nLog records emitted in this span, oldest first:\n/,
    );
    expect(query.text).toMatch(
      /ERROR +\[checkout\] {2}stock reservation failed for lamp-42 {2}trace=\S+ span=\S+ {2}id=\d+$/,
    );
    expect(query.text).not.toContain("checkout started");
    // A real SDK's exception event, with its attributes; the root's scope.
    const charge = (await readJson(fetch(`${app.base}/api/traces/${pay.traceId}`))).spans.find(
      (span: { name: string }) => span.name === "charge card",
    );
    const sdk = await call(stdio, "get_span", { span_id: charge.spanId });
    expect(sdk.text).toMatch(
      /\nevents \(1\):\n {2}\+\S+ exception\n {4}exception\.type = Error\n {4}exception\.message = card declined\n/,
    );
    expect(sdk.text).toMatch(/\nscope: \S+/);
  });

  it("get_span and get_trace refuse the other's id, and get_span names an id no span has", async () => {
    expect(await call(stdio, "get_span", { span_id: checkout.traceId })).toEqual({
      isError: true,
      text: `"${checkout.traceId}" is a trace id (32 hex digits), not a span id (16): get_trace shows it`,
    });
    expect(await call(stdio, "get_trace", { trace_id: checkout.query })).toEqual({
      isError: true,
      text: `"${checkout.query}" is a span id (16 hex digits), not a trace id (32): get_span finds its trace`,
    });
    expect(await call(stdio, "get_span", { span_id: "span-42" })).toEqual({
      isError: true,
      text: '"span-42" is not a span id (16 hex digits)',
    });
    const unknown = newSpanId();
    expect(await call(stdio, "get_span", { span_id: unknown })).toEqual({
      isError: true,
      text: `no span ${unknown} is stored (its trace may have been evicted); search_spans and list_traces show what is stored`,
    });
    const misspelt = await call(stdio, "get_span", { spanId: checkout.query });
    expect(misspelt.isError).toBe(true);
    expect(misspelt.text).toContain('unknown argument "spanId" (did you mean span_id?); get_span takes span_id');
  });

  it("search_spans: matching spans with their trace ids and where the text matched", async () => {
    const { text } = await call(stdio, "search_spans", { text: "LAMP-42" });
    expect(text).toMatch(/^1 span in 1 trace matches "LAMP-42":/);
    expect(text).toContain(`${checkout.traceId}  UPDATE stock`);
    expect(text).toContain("db.query.text=UPDATE stock SET qty = qty - 1 WHERE sku = 'lamp-42'");
    const byName = await call(stdio, "search_spans", { text: "select orders", limit: 1 });
    expect(byName.text).toMatch(/^3 spans in 2 traces match "select orders"; the first 1:/);
    expect(byName.text).toContain("[2 more spans; raise limit (max 200) to list them]");
    // Two words are text still, which says where it matched, not a query of span fields.
    expect(byName.text).not.toContain("the query");
    expect((await call(stdio, "search_spans", { text: "nothing-like-this" })).text).toMatch(/^No spans match/);
    // The text is only text, never read as the query language (there a comparison and an open parenthesis).
    const literal = await call(stdio, "search_spans", { text: "sku = 'lamp-42'" });
    expect(literal.text).toMatch(/^1 span in 1 trace matches "sku = 'lamp-42'":/);
    const paren = await call(stdio, "search_spans", { text: "(lamp-42" });
    expect(paren.isError).toBe(false);
    expect(paren.text).toMatch(/^No spans match "\(lamp-42"/);
    // A query of span fields, as the search box takes it: the spans it holds for.
    const failing = await call(stdio, "search_spans", { text: "status=error" });
    expect(failing.text).toMatch(/^5 spans in 2 traces match "status=error":/);
    expect(failing.text).toContain(`${checkout.traceId}  UPDATE stock`);
    expect(failing.text).not.toContain("  OK  ");
    const jaeger = await call(stdio, "search_spans", { text: "error=true service=checkout" });
    expect(jaeger.text).toMatch(/^3 spans in 1 trace match "error=true service=checkout":/);
  });

  it("recent_errors: each failing trace with the deepest failing span that has no failing child", async () => {
    const { text } = await call(stdio, "recent_errors");
    expect(text).toMatch(/^2 failing traces, newest first:/);
    expect(text).toContain(`${checkout.traceId}  "GET /checkout"  3 failing spans`);
    expect(text).toContain("  started at: UPDATE stock [checkout] 70ms: deadlock detected");
    expect(text).toContain("  path: GET /checkout > reserve stock > UPDATE stock");
    expect(text).toContain(`${pay.traceId}  "POST /pay"  2 failing spans`);
    expect(text).toContain("  started at: charge card [shop]");
    expect(text).toContain(": Error: card declined");
    const shop = await call(stdio, "recent_errors", { service: "shop" });
    expect(shop.text).not.toContain(checkout.traceId);
  });

  it("slowest_operations: count, p50, p95 and max per service and operation, and the window read", async () => {
    const { text } = await call(stdio, "slowest_operations");
    expect(text).toMatch(/^Over the newest 3 traces, started \S+ to \S+ \(every stored trace in the window\):/);
    expect(text).toMatch(/\ncheckout +GET \/checkout +1 +1 +90ms +90ms +90ms\n/);
    expect(text).toMatch(/\nshop +GET \/orders +1 +0 /);
    // Slowest p95 first.
    expect(text.indexOf("GET /checkout")).toBeLessThan(text.indexOf("GET /orders"));
  });

  it("llm_usage totals calls, tokens and estimated cost per model and service", async () => {
    const none = await call(stdio, "llm_usage");
    expect(none.text).toMatch(/^No LLM calls/);
    const traceId = newTraceId();
    const response = await postJson(
      app.base,
      jsonTraceRequest("assistant", [
        {
          traceId,
          name: "chat gpt-4o",
          kind: 3,
          attributes: {
            "gen_ai.response.model": "gpt-4o",
            "gen_ai.usage.input_tokens": 1000,
            "gen_ai.usage.output_tokens": 100,
          },
        },
        { traceId, name: "chat local", attributes: { "gen_ai.request.model": "local-llama" } },
      ]),
    );
    expect(response.status).toBe(200);
    const usage = await call(stdio, "llm_usage", { service: "assistant" });
    expect(usage.text).toMatch(
      // The local-llama call reports no token count: its tokens are unknown, not 0. Its cost is unknown
      // once, for either reason: it is named as unpriced, as in its model's row, not a second time.
      /^2 LLM calls \(0 failed\): 1,000 tokens in, 100 out \(1 call reported no usage: tokens unknown\), estimated cost \$0\.0035 \+ 1 unpriced at list prices/,
    );
    expect(usage.text).toMatch(/\nassistant +2 +0 +1,000 +100 +\$0\.0035 \+ 1 unpriced /);
    expect(usage.text).toMatch(/\ngpt-4o +1 +0 +1,000 +100 +\$0\.0035 /);
    expect(usage.text).toMatch(/\nlocal-llama +1 +0 +0 +0 +no price /);
    expect(usage.text).toContain(traceId);
  });

  it("error_groups lists what failed, grouped, with the newest trace", async () => {
    const groups = await call(stdio, "error_groups", { sort: "count" });
    expect(groups.isError).toBe(false);
    expect(groups.text).toMatch(/^\d+ errors in \d+ groups, in \d+ traces:\n/);
    expect(groups.text).toMatch(/\n\d+× Error: card declined {2}\[shop\]\n/);
    expect(groups.text).toContain(`trace_id=${pay.traceId}`);
    // Where each group failed (the failing span's operation and kind), apart from the traces' root operations.
    expect(groups.text).toMatch(
      /\n {2}failed in: shop \S[^\n]* \((server|client|internal|consumer|producer), \d+\)\n {2}in traces of: /,
    );
    // A service with no spans stored is said to be unknown, with those that have spans, not "No errors".
    const none = await call(stdio, "error_groups", { service: "nobody" });
    expect(none.text).toMatch(/^No service named "nobody" has spans stored; the services with spans: .*\bshop\b/);
  });

  it("service_map lists who calls whom with calls, failures and latency", async () => {
    const map = await call(stdio, "service_map");
    expect(map.isError).toBe(false);
    expect(map.text).toMatch(/^\d+ nodes and \d+ edges over \d+ traces/);
    expect(map.text).toMatch(/\ncaller +callee +calls +failed +p50 +p95\n/);
    expect(map.text).toMatch(/\nnode +kind +calls in +failed +p95\n/);
    expect(map.text).toMatch(/\ncheckout +service /);
    // How to list an edge's traces, as the query of the first edge; it finds them.
    const query = /list_traces with query '([^']+)'/.exec(map.text)?.[1];
    expect(query).toBe('service="checkout" peer="postgresql"');
    const traces = await call(stdio, "list_traces", { query });
    expect(traces.text).toMatch(/^1 trace,/);
    expect(traces.text).toContain(checkout.traceId);
  });

  it("list_services, get_logs, list_metrics and get_metric", async () => {
    const services = await call(stdio, "list_services");
    expect(services.text).toMatch(
      /^service +traces +spans +spans failed +requests +requests failed +% requests failed +requests\/s +p50 +p95 +p99\n/,
    );
    // Failures counted two ways, each said: shop's 2 spans failed of its 6, and 1 of its 2 requests (50%).
    expect(services.text).toMatch(/\ncheckout +1 +3 +3 +1 +1 +100\.0% +(< )?[\d.]+ /);
    expect(services.text).toMatch(/\nshop +2 +6 +2 +2 +1 +50\.0% +(< )?[\d.]+ /);
    expect(services.text).toContain("\n\nrequests: entry spans (SERVER, CONSUMER)");

    const logs = await call(stdio, "get_logs", { trace_id: checkout.traceId });
    expect(logs.text).toMatch(/^2 log records, oldest first:\n.*INFO +\[checkout\] {2}checkout started {2}trace=/);
    expect(logs.text).toContain(
      `ERROR  [checkout]  stock reservation failed for lamp-42  trace=${checkout.traceId} span=${checkout.query}`,
    );
    const errorsOnly = await call(stdio, "get_logs", { severity: "ERROR" });
    expect(errorsOnly.text).toMatch(/^1 log record, newest first:/);
    // As a model often writes it: lower case, or WARNING.
    expect((await call(stdio, "get_logs", { severity: "error" })).text).toBe(errorsOnly.text);
    expect((await call(stdio, "get_logs", { severity: "warning" })).text).toBe(errorsOnly.text);
    expect((await call(stdio, "get_logs", { text: "started" })).text).toContain("checkout started");
    // Only text: "not" is a word of it, not a negation (which listed the records without "started").
    expect((await call(stdio, "get_logs", { text: "not started" })).text).toBe("No log records match.");
    expect((await call(stdio, "get_logs", { text: 'failed for "lamp' })).text).toBe("No log records match.");
    // A body longer than a line's share: the line says how to read it whole, and the id does, part by part.
    const long = Array.from({ length: 1500 }, (_, i) => `line ${i} of a long report`).join("\n");
    expect((await postLogs(app.base, jsonLogRequest("reports", [{ body: long }]))).status).toBe(200);
    const cutLine = (await call(stdio, "get_logs", { service: "reports" })).text.split("\n")[1] ?? "";
    const id = / id=(\d+)$/.exec(cutLine)?.[1];
    expect(cutLine).toContain(
      `[body cut: ${long.length.toLocaleString("en-US")} characters; get_logs id=${id} gives it whole]`,
    );
    let whole = "";
    for (let offset: number | undefined = 0; offset !== undefined; ) {
      const part = await call(stdio, "get_logs", offset === 0 ? { id } : { id, offset });
      expect(part.isError).toBe(false);
      expect(part.text).toMatch(new RegExp(`^log record ${id}: .* {2}INFO {2}\\[reports\\]\n`));
      const next = /\n\[body continues: get_logs id=\d+ offset=(\d+) gives the next part\]$/.exec(part.text);
      whole += part.text.slice(part.text.indexOf(":\n", part.text.indexOf("\nbody (")) + 2, next?.index);
      offset = next === null ? undefined : Number(next[1]);
    }
    expect(whole).toBe(long);
    expect(await call(stdio, "get_logs", { id: "999999" })).toEqual({
      isError: true,
      text: "no log record 999999 is stored (evicted or cleared); get_logs lists what is stored",
    });

    const metrics = await call(stdio, "list_metrics");
    expect(metrics.text).toMatch(/\ncheckout\.duration +histogram +distribution +ms +1 +checkout$/);
    // Text in a metric's name or description.
    expect((await call(stdio, "list_metrics", { text: "checkout latency" })).text).toMatch(/\ncheckout\.duration /);
    const metric = await call(stdio, "get_metric", { name: "checkout.duration", since: "1h" });
    expect(metric.isError).toBe(false);
    expect(metric.text).toMatch(/^checkout\.duration \(histogram, distribution, unit ms\): checkout latency\n/);
    // Percentiles of the five values recorded (12, 30, 45, 80, 250 ms), over the whole window.
    expect(metric.text).toMatch(
      /\np50 +p95 +p99 +values +series\n[\d.]+ms +[\d.]+ms +[\d.]+ms +5 +route=\/checkout.*\n/,
    );
    expect(metric.text).toContain("1 step of 1h");
  });

  it("bad input is a tool error with the reason, and the server goes on answering", async () => {
    const badId = await call(stdio, "get_trace", { trace_id: "not-a-trace" });
    expect(badId).toEqual({ isError: true, text: '"not-a-trace" is not a trace id (32 hex digits)' });
    const unknown = await call(stdio, "get_trace", { trace_id: newTraceId() });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/^no trace [0-9a-f]{32} is stored .*list_traces shows what is stored$/);
    const since = await call(stdio, "list_traces", { since: "last tuesday" });
    expect(since).toEqual({
      isError: true,
      text: 'since "last tuesday" is not a time: use a duration ago (30s, 10m, 2h, 1d), an ISO 8601 time, or unix milliseconds',
    });
    const limit = await call(stdio, "list_traces", { limit: 0 });
    expect(limit.isError).toBe(true);
    expect(limit.text).toMatch(/Invalid arguments for tool list_traces.*limit/s);
    const status = await call(stdio, "list_traces", { status: "broken" });
    expect(status.isError).toBe(true);
    const severity = await call(stdio, "get_logs", { severity: "LOUD" });
    expect(severity.isError).toBe(true);
    // A misspelt argument is refused, not dropped (it answered every service's records, unfiltered).
    const misspelt = await call(stdio, "get_logs", { traceId: checkout.traceId });
    expect(misspelt.isError).toBe(true);
    expect(misspelt.text).toContain(
      'unknown argument "traceId" (did you mean trace_id?); get_logs takes trace_id, service, severity, text, since, limit, id, offset',
    );
    const listMisspelt = await call(stdio, "list_traces", { min_duration: 5 });
    expect(listMisspelt.isError).toBe(true);
    expect(listMisspelt.text).toContain('unknown argument "min_duration" (did you mean min_duration_ms?)');
    const noMetric = await call(stdio, "get_metric", { name: "no.such.metric" });
    expect(noMetric).toEqual({ isError: true, text: 'no metric named "no.such.metric"; list_metrics shows them' });
    const emptyText = await call(stdio, "search_spans", { text: "   " });
    expect(emptyText.isError).toBe(true);
    expect((await call(stdio, "list_services")).isError).toBe(false);
  });
});

describe("tracekit-local mcp with requests piped in", { timeout: 30_000 }, () => {
  const cli = useCliRuns();
  it("answers every request sent before stdin closed, then exits 0", async () => {
    const run = cli(["mcp", "--port", String(app.port)], {}, "pipe");
    const messages = [
      {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "script", version: "1" } },
      },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "list_traces", arguments: {} } },
      { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "list_services", arguments: {} } },
    ];
    // Lines that are not JSON-RPC among them are skipped, each said in one line on stderr; blank lines
    // are no message and are skipped without a word.
    const lines = messages.map((message) => JSON.stringify(message));
    lines.splice(2, 0, "", "hello", "  \r", '{"a":1}');
    run.child.stdin?.end(lines.map((line) => `${line}\n`).join(""));
    expect(await run.exited).toBe(0);
    expect(run.stderr().split("\n").slice(1)).toEqual([
      `mcp: skipped a line of stdin that is not JSON (Unexpected token 'h', "hello" is not valid JSON)`,
      "mcp: skipped a line of stdin that is not a JSON-RPC message",
      "",
    ]);
    const answers = run
      .stdout()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: number; result?: { isError?: boolean } });
    expect(answers.map((answer) => answer.id).sort()).toEqual([1, 2, 3]);
    expect(answers.every((answer) => answer.result !== undefined && answer.result.isError !== true)).toBe(true);
  });
});

describe("tracekit-local mcp without an instance", { timeout: 30_000 }, () => {
  const cli = useCliRuns();
  it("says so in one line on stderr, prints nothing on stdout and exits 1", async () => {
    const port = await freePort();
    const run = cli(["mcp", "--port", String(port)]);
    expect(await run.exited).toBe(1);
    expect(run.stdout()).toBe("");
    expect(run.stderr()).toBe(
      `error: no tracekit-local answers at http://localhost:${port}: start it with \`tracekit-local --port ${port}\`, or pass --port / --url\n`,
    );
  });
});

describe("MCP over Streamable HTTP at /mcp", { timeout: 30_000 }, () => {
  it("serves the same tools in-process", async () => {
    const client = new Client({ name: "tracekit-local-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${app.base}/mcp`)));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
      const trace = await call(client, "get_trace", { trace_id: checkout.traceId });
      expect(trace.text.split("\n")[0]).toBe(`Trace ${checkout.traceId} "GET /checkout"`);
      const errors = await call(client, "recent_errors", { limit: 1 });
      expect(errors.text).toMatch(/^1 failing trace,/);
      const bad = await call(client, "get_trace", { trace_id: "xyz" });
      expect(bad).toEqual({ isError: true, text: '"xyz" is not a trace id (32 hex digits)' });
    } finally {
      await client.close();
    }
  });

  const initialize = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "page", version: "1" } },
  };
  const post = (headers: Record<string, string>, body: string = JSON.stringify(initialize)) =>
    fetch(`${app.base}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body,
    });

  it("answers this app's own page and clients that send no Origin", async () => {
    const none = await post({});
    expect(none.status).toBe(200);
    expect((await none.json()).result.serverInfo.name).toBe("tracekit-local");
    const own = await post({ origin: `http://localhost:${app.port}` });
    expect(own.status).toBe(200);
    await own.body?.cancel();
  });

  it("refuses a page of another origin, a foreign Host (DNS rebinding), and methods other than POST", async () => {
    const page = await post({ origin: "http://evil.example" });
    expect(page.status).toBe(403);
    expect(await page.json()).toEqual({
      error: {
        code: "forbidden_origin",
        message: "MCP is only accepted from this app's own page, not from http://evil.example",
      },
    });
    const otherPort = await post({ origin: "http://localhost:3000", "content-type": "text/plain" });
    expect(otherPort.status).toBe(403);
    await otherPort.body?.cancel();
    const rebinding = await rawRequest(app.port, {
      method: "POST",
      path: "/mcp",
      headers: {
        host: "evil.example",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify(initialize),
    });
    expect(rebinding.status).toBe(403);
    expect(JSON.parse(rebinding.body).error.code).toBe("forbidden_host");
    const get = await fetch(`${app.base}/mcp`, { headers: { accept: "text/event-stream" } });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    await get.body?.cancel();
  });

  it("answers malformed JSON-RPC with a JSON-RPC error, not a crash", async () => {
    const broken = await post({}, "{not json");
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.code).toBe(-32700);
    expect(app.events.filter((event) => event.type === "internal-error")).toEqual([]);
  });
});

describe("tracekit-local mcp: windows, units and what a model sends (stdio)", { timeout: 60_000 }, () => {
  let own: TestApp;
  let client: Client;
  const nowNs = () => BigInt(Date.now()) * 1_000_000n;
  /** OTLP/JSON gauge points of one series, oldest first, the newest `newestAgoMs` ago and 100 ms apart. */
  const gauge = (name: string, unit: string, values: number[], newestAgoMs = 1_000) => {
    const newest = Date.now() - newestAgoMs;
    return {
      name,
      unit,
      gauge: {
        dataPoints: values.map((value, i) => ({
          timeUnixNano: String(BigInt(newest - (values.length - 1 - i) * 100) * 1_000_000n),
          asDouble: value,
        })),
      },
    };
  };

  beforeAll(async () => {
    own = await startTestApp();
    const metrics = await fetch(`${own.base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "worker" } }] },
            scopeMetrics: [
              {
                scope: { name: "test" },
                metrics: [
                  // Within 300 ms: one step holds the 80 and the 3, or at most one of them is a step's last value.
                  gauge("queue.depth", "{item}", [3, 80, 50, 10]),
                  gauge("job.duration", "s", [0.0123, 0.0075, 1.5, 0.25]),
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(metrics.status).toBe(200);
    const now = nowNs();
    const twoHoursAgo = now - 7_200_000_000_000n;
    for (const [service, startNs] of [
      ["old-svc", twoHoursAgo],
      ["new-svc", now],
    ] as const) {
      const response = await postJson(
        own.base,
        jsonTraceRequest(service, [
          {
            name: "GET /items/:id",
            kind: 2,
            startNs,
            durationNs: 12_000_000n,
            attributes: { "http.route": "/items/:id", "http.response.status_code": 500 },
            statusCode: 2,
          },
        ]),
      );
      expect(response.status).toBe(200);
    }
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, "mcp", "--port", String(own.port)],
      stderr: "pipe",
    });
    client = new Client({ name: "tracekit-local-test", version: "1.0.0" });
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
    await own?.close();
  });

  it("get_metric: a gauge's min and max are of every value in the window, not of each step's last", async () => {
    const { text, isError } = await call(client, "get_metric", { name: "queue.depth", since: "5m" });
    expect(isError).toBe(false);
    // In its unit ({item}), as the Metrics page writes it.
    expect(text).toMatch(/\nlatest +min +avg +max +series\n10 items +3 items +[\d.]+ items +80 items +\(all\)\n/);
    expect(text).toContain("min and max: the least and greatest value recorded in the window");
  });

  it("get_metric: several series' percentiles together are the Metrics page's, beside each series' own", async () => {
    const sdk = sdkMeter(own.base, "api");
    const latency = sdk.meter.createHistogram("api.latency", { unit: "ms" });
    for (let i = 0; i < 18; i++) latency.record(8, { route: "/fast" });
    for (let i = 0; i < 6; i++) latency.record(400 + i * 50, { route: "/slow" });
    await sdk.flush();
    await sdk.shutdown();

    const { text, isError } = await call(client, "get_metric", { name: "api.latency", since: "15m" });
    expect(isError).toBe(false);
    // What the Metrics page shows above the chart of the same window.
    const page = (await readJson(fetch(`${own.base}/api/metrics/api.latency?window=15m`))) as MetricQueryResponse;
    const window = page.windowPercentiles;
    expect(window?.p95).toBeGreaterThan(250);
    const p = (key: "p50" | "p95" | "p99") => formatMetricValue(window?.[key], parseUnit("ms"));
    expect(text).toContain(`\nall series together: p50 ${p("p50")}, p95 ${p("p95")}, p99 ${p("p99")} (`);
    // Each route's row stays its own: the fast one's p95 is under 10 ms, not the window's.
    const row = (source: string, label: string) =>
      source
        .split("\n")
        .find((line) => line.endsWith(label))
        ?.split(/\s{2,}/);
    const fast = row(text, "route=/fast");
    expect(fast?.[3]).toBe("18");
    expect(Number.parseFloat(fast?.[1] ?? "")).toBeLessThanOrEqual(10);
    expect(row(text, "route=/slow")?.[3]).toBe("6");
    // One series: its row is the window's figures, not said twice.
    const one = await call(client, "get_metric", { name: "api.latency", since: "15m", group_by: "*" });
    expect(one.text).not.toContain("all series together");
    expect(row(one.text, "(all series)")).toEqual([p("p50"), p("p95"), p("p99"), "24", "(all series)"]);
  });

  it("get_metric: values of unit s read as durations (ms below a second), not raw seconds", async () => {
    const { text } = await call(client, "get_metric", { name: "job.duration", since: "5m" });
    expect(text).toMatch(/^job\.duration \(gauge, value, unit s\)\n/);
    expect(text).toMatch(/\nlatest +min +avg +max +series\n250ms +7\.5ms +[\d.]+m?s +1\.5s +\(all\)\n/);
    expect(text).not.toContain("0.0075");
  });

  it("list_services takes since, as the other tools do", async () => {
    const all = await call(client, "list_services");
    expect(all.text).toMatch(/\nnew-svc /);
    expect(all.text).toMatch(/\nold-svc /);
    const recent = await call(client, "list_services", { since: "1h" });
    expect(recent.isError).toBe(false);
    expect(recent.text).toMatch(/\nnew-svc +1 +1 +1 +1 +1 +100\.0% /);
    expect(recent.text).not.toContain("old-svc");
    // Counted from the start of the minute an hour ago fell in (or from that time, on a minute's start).
    expect(recent.text).toMatch(
      /\nwindow: the spans that started at or after \d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z, up to now(\.|: the start of the minute .*\n {2}as spans are counted by the minute they started in .*)$/,
    );
    expect((await call(client, "list_services", { since: "1m" })).text).toMatch(/^new-svc|\nnew-svc /);
    const bad = await call(client, "list_services", { since: "yesterday" });
    expect(bad.isError).toBe(true);
    expect(bad.text).toContain('since "yesterday" is not a time');
  });

  it("search_spans finds an attribute by its name, and key=value (either semconv name), as its description says", async () => {
    const { tools } = await client.listTools();
    const search = tools.find((tool) => tool.name === "search_spans");
    expect(search?.description).toContain("a single word also finds spans that have an attribute of that name");
    const byName = await call(client, "search_spans", { text: "http.route" });
    expect(byName.text).toMatch(/^2 spans in 2 traces match "http\.route":/);
    expect(byName.text).toContain("has http.route=/items/:id");
    const byValue = await call(client, "search_spans", { text: "http.status_code=500", since: "1h" });
    expect(byValue.text).toMatch(/^1 span in 1 trace matches "http\.status_code=500":/);
    expect(byValue.text).toMatch(/GET \/items\/:id +new-svc .*http\.response\.status_code=500$/m);
    expect((await call(client, "search_spans", { text: "http.status_code=404" })).text).toMatch(/^No spans match/);
  });
});
