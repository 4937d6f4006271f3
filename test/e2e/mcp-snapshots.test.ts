import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";
import { autoRegister, pollActive, postSdk } from "../helpers/tracekit-snapshot-client.js";

let app: TestApp;
let client: Client;

async function call(name: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
  return result.isError === true ? `error: ${text}` : text;
}

async function enable(id: string): Promise<void> {
  const response = await fetch(`${app.base}/api/breakpoints/${id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ enabled: true }),
  });
  expect(response.status).toBe(200);
}

/**
 * A capture as the Python SDK sends it (unset fields null) at a breakpoint as autoRegister answered it
 * (the SDKs' shape), with `fields` over it.
 */
function sendCapture(base: string, bp: Record<string, unknown>, fields: Record<string, unknown>) {
  return postSdk(base, "/sdk/snapshots/capture", {
    breakpoint_id: bp.id,
    service_name: bp.service_name,
    file_path: bp.file_path,
    function_name: bp.function_name,
    label: bp.label,
    line_number: bp.line_number,
    variables: { n: 1 },
    security_flags: [],
    stack_trace: "",
    trace_id: null,
    span_id: null,
    request_context: {},
    captured_at: new Date().toISOString(),
    ...fields,
  });
}

beforeAll(async () => {
  app = await startTestApp();
  client = new Client({ name: "tracekit-local-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${app.base}/mcp`)));
});

afterAll(async () => {
  await client.close();
  await app.close();
});

describe("MCP: code-monitoring snapshots", { timeout: 30_000 }, () => {
  const traceId = newTraceId();
  const spanId = newSpanId();

  it("list_snapshots with none captured shows the breakpoints and that a disabled one must be enabled", async () => {
    expect(await call("list_snapshots")).toContain("No breakpoints either");
    // The Node SDK 1.7 registers its own capture call as the location.
    const { body } = await autoRegister(app.base, {
      service_name: "checkout-api",
      file_path: "/app/node_modules/@tracekit/node-apm/dist/client.js",
      line_number: 488,
      function_name: "TracekitClient.captureSnapshot",
      label: "checkout",
    });
    const answer = await call("list_snapshots");
    expect(answer).toContain("No snapshots are stored.");
    expect(answer).toMatch(/checkout-api\s+checkout\s+disabled\s+0/);
    await enable(body.id);
    expect(await call("list_snapshots", { service: "checkout-api" })).toMatch(/checkout\s+enabled/);
  });

  it("list_snapshots says an enabled breakpoint's SDK paused capturing by itself, and until when", async () => {
    const { body } = await autoRegister(app.base, {
      service_name: "paused-api",
      file_path: "/app/node_modules/@tracekit/node-apm/dist/client.js",
      line_number: 488,
      function_name: "TracekitClient.captureSnapshot",
      label: "pay",
    });
    await enable(body.id);
    // As the Node SDK reports its tripped circuit breaker with its next check-in (here a minute ago, with
    // a 5-minute cooldown: 4m left, give or take the test's own time).
    const tripped = Date.now() - 60_000;
    await pollActive(app.base, "paused-api", [
      {
        type: "circuit_breaker_tripped",
        service_name: "paused-api",
        failure_count: 3,
        window_seconds: 60,
        cooldown_seconds: 300,
        timestamp: new Date(tripped).toISOString(),
      },
    ]);
    const until = new Date(Math.ceil((tripped + 300_000) / 1000) * 1000).toISOString().replace(".000Z", "Z");
    const answer = await call("list_snapshots", { service: "paused-api" });
    expect(answer).toMatch(
      /paused-api\s+pay\s+enabled, but its SDK paused capturing until \S+, 4m from now \(captures it could not send\)/,
    );
    expect(answer).toContain(`until ${until}, 4m from now (`);
  });

  it("a capture is listed, read whole with exact integers, and named by get_trace", async () => {
    const start = BigInt(Date.now()) * 1_000_000n;
    await postJson(
      app.base,
      jsonTraceRequest("checkout-api", [
        { traceId, spanId, name: "POST /checkout", kind: 2, startNs: start, durationNs: 20_000_000n },
      ]),
    );
    const { body: bp } = await autoRegister(app.base, {
      service_name: "checkout-api",
      file_path: "/app/node_modules/@tracekit/node-apm/dist/client.js",
      line_number: 488,
      function_name: "TracekitClient.captureSnapshot",
      label: "checkout",
    });
    // As the Python SDK writes it: an integer past 2^53 with all its digits.
    const sent = await postSdk(
      app.base,
      "/sdk/snapshots/capture",
      `{"breakpoint_id": "${bp.id}", "service_name": "checkout-api", ` +
        `"file_path": "/app/node_modules/@tracekit/node-apm/dist/client.js", "function_name": "TracekitClient.captureSnapshot", ` +
        `"label": "checkout", "line_number": 488, "variables": {"order_id": 9007199254740993, "cart": {"items": 3, "total": 99.5}, ` +
        `"email": "[REDACTED:email]"}, "security_flags": [{"type": "sensitive_data_[REDACTED:email]", "severity": "high", "variable": "email"}], ` +
        `"stack_trace": "Error\\n    at TracekitClient.captureSnapshot (/app/node_modules/@tracekit/node-apm/dist/client.js:488:39)\\n    at handleCheckout (/app/routes/checkout.js:42:9)", ` +
        `"request_context": {"method": "POST", "path": "/checkout", "headers": {"user-agent": "curl"}}, ` +
        `"trace_id": "${traceId}", "span_id": "${spanId}", "captured_at": "${new Date().toISOString()}"}`,
    );
    expect(sent.status).toBe(201);
    const id = sent.body.id as string;

    const list = await call("list_snapshots");
    expect(list).toMatch(/^1 snapshots, newest first:/);
    const row = list.split("\n").find((line) => line.includes(id)) ?? "";
    // Where the app called the SDK, read from the stack, not the SDK's own file.
    expect(row).toContain("handleCheckout /app/routes/checkout.js:42");
    expect(row).toContain(traceId);
    expect(row).toContain("order_id, cart, email");
    expect(await call("list_snapshots", { trace_id: traceId.toUpperCase() })).toContain(id);
    expect(await call("list_snapshots", { label: "nothing-like-it" })).toMatch(/^No snapshots match\./);

    const one = await call("get_snapshot", { id });
    expect(one.split("\n")[0]).toMatch(new RegExp(`^Snapshot ${id} "checkout" in checkout-api, captured `));
    expect(one).toContain(`trace: ${traceId} span ${spanId}`);
    expect(one).toContain("request: POST /checkout");
    // The flag in words, as the Snapshots page says it.
    expect(one).toContain("high email in the value in email");
    expect(one).toContain('"order_id": 9007199254740993,');
    expect(one).toContain('"total": 99.5');
    expect(one).toContain("at handleCheckout (/app/routes/checkout.js:42:9)");

    const trace = await call("get_trace", { trace_id: traceId });
    expect(trace).toContain("1 code-monitoring snapshot captured in this trace (get_snapshot shows one's variables):");
    expect(trace).toContain(`${id} "checkout" [checkout-api] at span ${spanId}`);
  });

  it("list_snapshots says which breakpoints are set, of the service asked about only, with or without snapshots", async () => {
    const register = (service: string, label: string, line: number) =>
      autoRegister(app.base, {
        service_name: service,
        file_path: `/app/${service}.js`,
        line_number: line,
        function_name: "handler",
        label,
      });
    const { body: cart } = await register("cart-svc", "cart", 3);
    await register("cart-svc", "cart-debug", 9);
    await register("other-svc", "elsewhere", 4);
    await enable(cart.id);
    // None captured yet: the service's breakpoints as a table, not the other service's.
    const none = await call("list_snapshots", { service: "cart-svc" });
    expect(none).toMatch(/cart-svc\s+cart\s+enabled/);
    expect(none).toMatch(/cart-svc\s+cart-debug\s+disabled/);
    expect(none).not.toContain("elsewhere");
    expect(await call("list_snapshots", { service: "no-such-svc" })).toContain(
      'No breakpoint is set for service "no-such-svc"',
    );
    const sent = await sendCapture(app.base, cart, { variables: { items: 2 } });
    expect(sent.status).toBe(201);
    // With a snapshot: still what is set, in a line or two.
    const some = await call("list_snapshots", { service: "cart-svc" });
    expect(some).toMatch(/^1 snapshots, newest first:/);
    expect(some).toContain('Breakpoints of cart-svc (2): enabled: "cart" (1 capture); disabled: "cart-debug"');
    expect(some).not.toContain("elsewhere");
    expect(await call("list_snapshots", { service: "cart-svc", label: "cart" })).toContain(
      'Breakpoints of cart-svc labelled "cart" (1): enabled: "cart" (1 capture)',
    );
  });

  it("list_snapshots says no breakpoint has the label asked about when the one that captured was relabelled", async () => {
    const api = (path: string, method: string, body: unknown) =>
      fetch(`${app.base}${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const made = await api("/api/breakpoints", "POST", { service: "relabel-svc", label: "before", enabled: true });
    expect(made.status).toBe(201);
    const { id } = await made.json();
    const at = { id, service_name: "relabel-svc", file_path: "/app/relabel.js", function_name: "pay", line_number: 4 };
    expect((await sendCapture(app.base, { ...at, label: "before" }, {})).status).toBe(201);
    expect((await api(`/api/breakpoints/${id}`, "PATCH", { label: "after" })).status).toBe(200);
    const answer = await call("list_snapshots", { service: "relabel-svc", label: "before" });
    expect(answer).toMatch(/^1 snapshots, newest first:/);
    expect(answer).toContain(
      'None of the breakpoints of relabel-svc set now has the label "before" (deleted or relabelled since these captures).',
    );
    expect(await call("list_snapshots", { service: "relabel-svc" })).toContain(
      'Breakpoints of relabel-svc (1): enabled, awaiting check-in: "after" (1 capture)\nawaiting check-in: the service',
    );
  });

  it("writes a capture's time sent with the app's zone offset in UTC, as the other captures' times", async () => {
    const { body: bp } = await autoRegister(app.base, {
      service_name: "zoned-py",
      file_path: "/app/zoned.py",
      line_number: 7,
      function_name: "handler",
      label: "zoned",
    });
    await enable(bp.id);
    // Python's datetime.now(tz).isoformat() in India: 10 minutes ago, written with +05:30.
    const taken = new Date(Date.now() - 600_000);
    const local = new Date(taken.getTime() + 5.5 * 3_600_000).toISOString().replace("Z", "+05:30");
    const sent = await sendCapture(app.base, bp, { captured_at: local });
    expect(sent.status).toBe(201);
    const row = (await call("list_snapshots", { service: "zoned-py" }))
      .split("\n")
      .find((line) => line.includes(sent.body.id));
    expect(row).toMatch(new RegExp(`^${taken.toISOString()}\\s`));
    const one = await call("get_snapshot", { id: sent.body.id });
    // Stored in UTC when it arrived, as every reader sees it.
    expect(one.split("\n")[0]).toMatch(new RegExp(`captured ${taken.toISOString()}$`));
  });

  it("get_snapshot masks what looks like a secret, as the Snapshots page does until Reveal, and says where", async () => {
    const { body: bp } = await autoRegister(app.base, {
      service_name: "login-api",
      file_path: "/app/routes/login.js",
      line_number: 12,
      function_name: "login",
      label: "login",
    });
    await enable(bp.id);
    // As an SDK with scrubbing off, or nested below where it scans, would send them.
    const sent = await postSdk(
      app.base,
      "/sdk/snapshots/capture",
      JSON.stringify({
        breakpoint_id: bp.id,
        service_name: "login-api",
        file_path: "/app/routes/login.js",
        function_name: "login",
        label: "login",
        line_number: 12,
        variables: {
          user: { name: "Ada", email: "ada@example.com", password: "hunter2-secret" },
          card: "4111 1111 1111 1111",
          note: "[REDACTED:email]",
          attempts: 3,
        },
        security_flags: [],
        stack_trace: "Error\n    at login (/app/routes/login.js:12:3)",
        request_context: {
          method: "POST",
          path: "/login?next=%2Fhome&token=abc123",
          headers: { authorization: "Bearer abcdefghijklmnopqrstuvwxyz", "user-agent": "curl" },
        },
        captured_at: new Date().toISOString(),
      }),
    );
    expect(sent.status).toBe(201);
    const one = await call("get_snapshot", { id: sent.body.id as string });
    for (const secret of ["ada@example.com", "hunter2-secret", "4111 1111 1111 1111", "abc123", "abcdefghijklmnop"]) {
      expect(one).not.toContain(secret);
    }
    expect(one).toContain(
      'masked: 5 values that look like secrets show as "••••••••", as on the Snapshots page until Reveal',
    );
    expect(one).toContain("  user.email: an email address");
    expect(one).toContain("  user.password: a secret, by its name");
    expect(one).toContain("  card: a card number");
    expect(one).toContain("  request context path: a URL with a secret in its query");
    expect(one).toContain("  request context headers.authorization: a credential header");
    expect(one).toContain('"email": "••••••••"');
    expect(one).toContain('"name": "Ada"');
    expect(one).toContain('"note": "[REDACTED:email]"');
    expect(one).toContain('"user-agent": "curl"');
    expect(one).toContain("request: POST /login?next=%2Fhome&token=••••••••");
  });

  it("get_snapshot of an unknown id is a tool error that says where to look", async () => {
    expect(await call("get_snapshot", { id: "no-such-snapshot" })).toBe(
      "error: no snapshot no-such-snapshot is stored (Clear deletes them); list_snapshots shows what is stored",
    );
  });
});

describe("MCP: snapshots an earlier version stored", { timeout: 30_000 }, () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it("writes a capture time stored with its zone's offset in UTC, as the page and the API read it", async () => {
    const db = `${dir.path}/old-times.db`;
    let old = await startTestApp({ db });
    let id: string;
    // Ten minutes ago, as Python's datetime.now(tz).isoformat() writes it in India.
    const taken = new Date(Date.now() - 600_000);
    const zoned = `${new Date(taken.getTime() + 5.5 * 3_600_000).toISOString().replace("Z", "")}123+05:30`;
    try {
      const { body: bp } = await autoRegister(old.base, {
        service_name: "old-py",
        file_path: "/app/old.py",
        line_number: 5,
        function_name: "handler",
        label: "old",
      });
      const enabled = await fetch(`${old.base}/api/breakpoints/${bp.id}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ enabled: true }),
      });
      expect(enabled.status).toBe(200);
      const sent = await sendCapture(old.base, bp, { captured_at: zoned });
      expect(sent.status).toBe(201);
      id = sent.body.id;
    } finally {
      await old.close();
    }
    // As versions before captures were kept in UTC stored it: the time as the SDK sent it.
    const file = new Database(db);
    file.prepare("UPDATE cm_snapshots SET summary = json_set(summary, '$.capturedAt', ?)").run(zoned);
    file.close();

    old = await startTestApp({ db });
    const reader = new Client({ name: "tracekit-local-test", version: "1.0.0" });
    try {
      await reader.connect(new StreamableHTTPClientTransport(new URL(`${old.base}/mcp`)));
      const utc = `${taken.toISOString().replace("Z", "")}123Z`;
      const text = async (name: string, args: Record<string, unknown>) =>
        ((await reader.callTool({ name, arguments: args })) as CallToolResult).content
          .map((part) => (part.type === "text" ? part.text : ""))
          .join("\n");
      // The page reads it as this instant (Date.parse takes the offset); so do the API and MCP.
      expect(Date.parse(zoned)).toBe(Date.parse(utc));
      const api = await (await fetch(`${old.base}/api/snapshots/${id}`)).json();
      expect(api.capturedAt).toBe(utc);
      expect((await text("get_snapshot", { id })).split("\n")[0]).toMatch(new RegExp(`captured ${utc}$`));
      const row = (await text("list_snapshots", { service: "old-py" })).split("\n").find((line) => line.includes(id));
      expect(row).toMatch(new RegExp(`^${utc.replace(/\./g, "\\.")}\\s`));
    } finally {
      await reader.close();
      await old.close();
    }
  });
});
