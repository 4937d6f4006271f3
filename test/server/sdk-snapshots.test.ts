import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { captureState } from "../../src/domain/breakpoint-state.js";
import { sdkPausesFromJson } from "../../src/domain/sdk-pause.js";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";
import {
  autoRegister,
  capture,
  connectSse,
  NODE_17_SDK_CALL,
  node17Stack,
  openLive,
  pollActive,
  postSdk,
  type SseConnection,
  waitFor,
} from "../helpers/tracekit-snapshot-client.js";

/** A capture as the Node SDK builds it (unset fields left out, Date serialized by JSON.stringify). */
function nodeCapture(breakpointId: string, overrides: Record<string, unknown> = {}) {
  return {
    breakpoint_id: breakpointId,
    service_name: "checkout-api",
    file_path: "/srv/app/routes/checkout.js",
    function_name: "handleCheckout",
    label: "checkout",
    line_number: 42,
    variables: { cart: { items: 3, total: 99.5 }, email: "[REDACTED:email]" },
    security_flags: [{ type: "sensitive_data_[REDACTED:email]", severity: "high", variable: "email" }],
    stack_trace:
      "Error\n    at SnapshotClient._doCheckAndCapture (snapshot-client.js:10:5)\n    at handleCheckout (checkout.js:42:9)",
    request_context: { method: "POST", path: "/checkout", headers: { "user-agent": "curl" } },
    captured_at: new Date(),
    ...overrides,
  };
}

const REGISTER = {
  service_name: "checkout-api",
  file_path: "/srv/app/routes/checkout.js",
  line_number: 42,
  function_name: "handleCheckout",
  label: "checkout",
};

async function json(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, init);
  return { status: response.status, body: await response.json() };
}

function patch(base: string, path: string, body: unknown, method = "PATCH") {
  return json(base, path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

const createBreakpoint = (base: string, body: unknown) => patch(base, "/api/breakpoints", body, "POST");

describe("code monitoring over the SDK protocol", () => {
  let app: TestApp;
  const sse: SseConnection[] = [];
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterEach(() => {
    for (const connection of sse.splice(0)) connection.abort();
  });
  afterAll(async () => {
    await app.close();
  });

  it("auto-registers a disabled breakpoint, the same one again, and pushes it to the live page", async () => {
    const live = await openLive(app.base);
    try {
      const first = await autoRegister(app.base, REGISTER);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ ...REGISTER, enabled: false, max_captures: 0, capture_count: 0 });
      expect(first.body.id).toEqual(expect.any(String));
      const again = await autoRegister(app.base, REGISTER);
      expect(again).toEqual({ status: 200, body: first.body });

      const { body } = await json(app.base, "/api/breakpoints");
      expect(body.breakpoints).toEqual([
        expect.objectContaining({ id: first.body.id, service: "checkout-api", enabled: false, origin: "auto" }),
      ]);
      const pushed = await waitFor("a live breakpoints message", () =>
        live.messages.find((m) => m.type === "breakpoints" && m.breakpoints.length === 1),
      );
      expect(pushed.breakpoints[0]).toMatchObject({ id: first.body.id, lineNumber: 42, enabled: false });
      expect(pushed.killSwitch).toBe(false);
    } finally {
      live.close();
    }
  });

  it("follows a moved line with the same breakpoint, and tells the SDK", async () => {
    const { body: original } = await autoRegister(app.base, { ...REGISTER, label: "moving" });
    const moved = await autoRegister(app.base, { ...REGISTER, label: "moving", line_number: 50 });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: original.id, line_number: 50 });
  });

  it("sends an enabled breakpoint to the SDK's event stream, then takes its captures", async () => {
    const { body: registered } = await autoRegister(app.base, REGISTER);
    const active = await pollActive(app.base, "checkout-api");
    expect(active.status).toBe(200);
    expect(active.body.kill_switch).toBe(false);
    expect(active.body.sse_endpoint).toBe("/sdk/snapshots/stream/checkout-api");
    expect(active.body.breakpoints.map((b: any) => b.id)).toContain(registered.id);

    const stream = await connectSse(app.base, active.body.sse_endpoint);
    sse.push(stream);
    expect(stream.status).toBe(200);
    const init = await waitFor("init", () => stream.events.find((e) => e.event === "init"));
    expect(JSON.parse(init.data)).toMatchObject({ kill_switch: false, breakpoints: expect.any(Array) });
    await waitFor("the SDK counted as connected", async () => {
      const { body } = await json(app.base, "/api/breakpoints");
      return body.connectedSdks["checkout-api"] === 1;
    });

    // A capture before the developer enables it is refused, stores nothing, and is no 5xx.
    const early = await capture(app.base, nodeCapture(registered.id));
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("breakpoint_disabled");

    const live = await openLive(app.base);
    try {
      const enabled = await patch(app.base, `/api/breakpoints/${registered.id}`, { enabled: true });
      expect(enabled.status).toBe(200);
      expect(enabled.body.enabled).toBe(true);
      const update = await waitFor("breakpoint_updated", () =>
        stream.events.find((e) => e.event === "breakpoint_updated" && JSON.parse(e.data).enabled === true),
      );
      expect(JSON.parse(update.data)).toMatchObject({
        id: registered.id,
        file_path: REGISTER.file_path,
        enabled: true,
      });

      const traceId = newTraceId();
      const spanId = newSpanId();
      const captured = await capture(
        app.base,
        nodeCapture(registered.id, { trace_id: traceId.toUpperCase(), span_id: spanId }),
      );
      expect(captured.status).toBe(201);
      const snapshotId = captured.body.id as string;

      const list = await json(app.base, "/api/snapshots?service=checkout-api");
      expect(list.body.snapshots[0]).toMatchObject({
        id: snapshotId,
        breakpointId: registered.id,
        traceId,
        spanId,
        label: "checkout",
        securityFlagCount: 1,
        variableNames: ["cart", "email"],
      });
      const one = await json(app.base, `/api/snapshots/${snapshotId}`);
      expect(one.status).toBe(200);
      expect(one.body.variables).toEqual({ cart: { items: 3, total: 99.5 }, email: "[REDACTED:email]" });
      expect(one.body.requestContext).toMatchObject({ method: "POST", path: "/checkout" });
      expect(one.body.stackTrace).toContain("handleCheckout");
      expect((await json(app.base, `/api/snapshots?traceId=${traceId}`)).body.snapshots).toHaveLength(1);
      // The list says which of its traces are stored: none yet, the SDK's exporter runs behind.
      expect(list.body.storedTraceIds).toEqual([]);

      await postJson(
        app.base,
        jsonTraceRequest("checkout-api", [{ traceId, spanId, name: "POST /checkout", kind: 2 }]),
      );
      expect((await json(app.base, "/api/snapshots?service=checkout-api")).body.storedTraceIds).toEqual([traceId]);
      const trace = await json(app.base, `/api/traces/${traceId}`);
      expect(trace.body.snapshots).toEqual([expect.objectContaining({ id: snapshotId, spanId })]);

      const pushed = await waitFor("a live snapshots message", () =>
        live.messages.find((m) => m.type === "snapshots" && m.snapshots.some((s: any) => s.id === snapshotId)),
      );
      expect(pushed.snapshots[0]).not.toHaveProperty("variables");
      const counted = await waitFor("capture_count on the stream", () =>
        stream.events.find((e) => e.event === "breakpoint_updated" && JSON.parse(e.data).capture_count === 1),
      );
      expect(JSON.parse(counted.data).id).toBe(registered.id);
      expect((await json(app.base, "/api/health")).body.counts).toMatchObject({ snapshots: 1, breakpoints: 2 });
    } finally {
      live.close();
    }
  });

  it("stops at max_captures and refuses a deleted breakpoint's late captures, storing nothing", async () => {
    const { body: made } = await createBreakpoint(app.base, {
      service: "checkout-api",
      filePath: "/srv/app/limits.js",
      lineNumber: 7,
      label: "once",
      maxCaptures: 1,
    });
    expect(made).toMatchObject({ enabled: true, origin: "manual", maxCaptures: 1, captureCount: 0 });
    const body = { ...nodeCapture(made.id), file_path: "/srv/app/limits.js", label: "once", line_number: 7 };
    expect((await capture(app.base, body)).status).toBe(201);
    const second = await capture(app.base, body);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("breakpoint_exhausted");
    const listed = await json(app.base, `/api/snapshots?breakpointId=${made.id}`);
    expect(listed.body.snapshots).toHaveLength(1);
    const sdkView = await pollActive(app.base, "checkout-api");
    expect(sdkView.body.breakpoints.find((b: any) => b.id === made.id)).toMatchObject({
      enabled: false,
      capture_count: 1,
    });
    // Deleted on the page while an SDK that has not heard of it yet still captures there.
    expect((await patch(app.base, `/api/breakpoints/${made.id}`, {}, "DELETE")).status).toBeLessThan(300);
    const late = await capture(app.base, body);
    expect(late.status).toBe(404);
    expect(late.body.error.message).toBe(`breakpoint ${made.id} was deleted; nothing was stored`);
    expect((await json(app.base, `/api/breakpoints`)).body.breakpoints.some((b: any) => b.id === made.id)).toBe(false);
  });

  it("places a breakpoint made on the page by its label at the SDK's first capture call with that label", async () => {
    const { status, body: made } = await createBreakpoint(app.base, {
      service: "label-shop",
      label: "refund",
      maxCaptures: 3,
    });
    expect(status).toBe(201);
    expect(made).toMatchObject({ filePath: "", lineNumber: 0, enabled: true, origin: "manual" });
    const again = await createBreakpoint(app.base, { service: "label-shop", label: "refund" });
    expect([again.status, again.body.error.code]).toEqual([409, "breakpoint_exists"]);
    const neither = await createBreakpoint(app.base, { service: "label-shop" });
    expect([neither.status, neither.body.error.message]).toEqual([
      400,
      'give "filePath" and "lineNumber", or a "label" alone to place the breakpoint at its capture call',
    ]);
    // Another service's call with the label, and an unlabelled call, leave it waiting.
    const other = await autoRegister(app.base, { ...REGISTER, service_name: "other-shop", label: "refund" });
    expect(other.body.id).not.toBe(made.id);
    // The Python SDK registers the caller's own file, function and line, and then sends a capture.
    const where = {
      service_name: "label-shop",
      file_path: "/srv/shop/refunds.py",
      line_number: 31,
      function_name: "refund",
      label: "refund",
    };
    const registered = await autoRegister(app.base, where);
    expect(registered.status).toBe(200);
    expect(registered.body).toMatchObject({
      id: made.id,
      enabled: true,
      max_captures: 3,
      file_path: "/srv/shop/refunds.py",
    });
    const taken = await capture(app.base, nodeCapture(made.id, { ...where, service_name: "label-shop" }));
    expect(taken.status).toBe(201);
    const { body: listed } = await json(app.base, "/api/breakpoints");
    expect(listed.breakpoints.find((b: any) => b.id === made.id)).toMatchObject({
      filePath: "/srv/shop/refunds.py",
      functionName: "refund",
      lineNumber: 31,
      origin: "manual",
      captureCount: 1,
    });
    // Placed, it is the SDK's location: its next registration (a restart) finds the same breakpoint.
    expect((await autoRegister(app.base, where)).body.id).toBe(made.id);
    const placed = app.events.filter((e) => e.type === "code-monitoring" && e.event.type === "placed");
    expect(placed).toHaveLength(1);
    // Deleted, its capture call registers it again once the app restarts: the page may say so.
    expect((await json(app.base, `/api/breakpoints/${made.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await json(app.base, "/api/breakpoints")).body.deletedFrom).toContain("label-shop");
  });

  it("hands a breakpoint made by label to a Node SDK that registered the label before, which captures by it", async () => {
    // The app registered "again" with an earlier run of this server; the Node SDK 1.7 registers a
    // label once per run and finds breakpoints by its own capture call's name and the label.
    const { body: made } = await createBreakpoint(app.base, { service: "late-shop", label: "again" });
    const view = await pollActive(app.base, "late-shop");
    const sdkKey = (b: any) => `${b.function_name}:${b.label}`;
    expect(view.body.breakpoints.map(sdkKey)).toEqual(["TracekitClient.captureSnapshot:again"]);
    expect(view.body.breakpoints[0]).toMatchObject({ id: made.id, enabled: true });
    const taken = await capture(
      app.base,
      nodeCapture(made.id, {
        service_name: "late-shop",
        ...NODE_17_SDK_CALL,
        label: "again",
        stack_trace: node17Stack("retry (/app/src/jobs.js:12:3)"),
      }),
    );
    expect(taken.status).toBe(201);
    const { body: listed } = await json(app.base, "/api/breakpoints");
    expect(listed.breakpoints.find((b: any) => b.id === made.id)).toMatchObject({
      filePath: NODE_17_SDK_CALL.file_path,
      functionName: "TracekitClient.captureSnapshot",
      captureCount: 1,
      calledFrom: { filePath: "/app/src/jobs.js", functionName: "retry", lineNumber: 12 },
    });
    // Its next start registers the same location, and finds the same breakpoint.
    const again = await autoRegister(app.base, { service_name: "late-shop", ...NODE_17_SDK_CALL, label: "again" });
    expect(again.body.id).toBe(made.id);
  });

  it("makes a breakpoint it does not know again from a capture, as the SDK holds it (a restart without --db)", async () => {
    // The SDK registered this location with an earlier run of the server, and registers a location once per run.
    const id = "2b1c7e0a-5d7f-4c1e-9e55-0d9f3c1a7b11";
    const body = nodeCapture(id, { file_path: "/srv/app/remade.js", label: "remade", line_number: 9 });
    const first = await capture(app.base, body);
    expect(first.status).toBe(201);
    const { body: listed } = await json(app.base, "/api/breakpoints");
    expect(listed.breakpoints.find((b: any) => b.id === id)).toMatchObject({
      service: "checkout-api",
      filePath: "/srv/app/remade.js",
      lineNumber: 9,
      label: "remade",
      enabled: true,
      origin: "auto",
      captureCount: 1,
    });
    // The SDK's next check-in finds it under its own id, enabled, and a second capture joins it.
    const sdkView = await pollActive(app.base, "checkout-api");
    expect(sdkView.body.breakpoints.find((b: any) => b.id === id)).toMatchObject({ enabled: true, capture_count: 1 });
    expect((await capture(app.base, body)).status).toBe(201);
    expect((await json(app.base, `/api/snapshots?breakpointId=${id}`)).body.snapshots).toHaveLength(2);
    // The terminal is told once that it was made again.
    const remade = app.events.filter(
      (e) => e.type === "code-monitoring" && e.event.type === "remade" && e.event.breakpoint.id === id,
    );
    expect(remade).toHaveLength(1);
  });

  it("reaches the SDK's stream with the kill switch in well under a second", async () => {
    const { body: registered } = await autoRegister(app.base, REGISTER);
    await patch(app.base, `/api/breakpoints/${registered.id}`, { enabled: true });
    const stream = await connectSse(app.base, "/sdk/snapshots/stream/checkout-api");
    sse.push(stream);
    await waitFor("init", () => stream.events.some((e) => e.event === "init"));

    const before = performance.now();
    const put = await patch(app.base, "/api/kill-switch", { enabled: true }, "PUT");
    expect(put).toEqual({ status: 200, body: { killSwitch: true } });
    const event = await waitFor("kill_switch", () => stream.events.find((e) => e.event === "kill_switch"), 1000);
    expect(JSON.parse(event.data)).toEqual({ enabled: true });
    expect(event.at - before).toBeLessThan(1000);

    const active = await pollActive(app.base, "checkout-api");
    expect(active.body.kill_switch).toBe(true);
    // Python ignores kill_switch: every breakpoint reads as disabled while it is on.
    expect(active.body.breakpoints.every((b: any) => b.enabled === false)).toBe(true);
    const refused = await capture(app.base, nodeCapture(registered.id));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("kill_switch_on");

    await patch(app.base, "/api/kill-switch", { enabled: false }, "PUT");
    expect((await pollActive(app.base, "checkout-api")).body.kill_switch).toBe(false);
    expect((await capture(app.base, nodeCapture(registered.id))).status).toBe(201);
  });

  it("tells the page when each service last checked in, and when the kill switch last changed", async () => {
    const service = "check-in-service";
    const before = (await json(app.base, "/api/breakpoints")).body;
    expect(before.lastCheckIns[service]).toBeUndefined();
    expect(before).toHaveProperty("killSwitchChangedAt");

    const live = await openLive(app.base);
    try {
      const t0 = Date.now();
      await patch(app.base, "/api/kill-switch", { enabled: true }, "PUT");
      await patch(app.base, "/api/kill-switch", { enabled: false }, "PUT");
      const changed = (await json(app.base, "/api/breakpoints")).body.killSwitchChangedAt as string;
      expect(Date.parse(changed)).toBeGreaterThanOrEqual(t0);
      // The same value again is no change.
      await patch(app.base, "/api/kill-switch", { enabled: false }, "PUT");
      expect((await json(app.base, "/api/breakpoints")).body.killSwitchChangedAt).toBe(changed);

      // A poll after the change is a check-in, and the page hears of it.
      await pollActive(app.base, service);
      const after = (await json(app.base, "/api/breakpoints")).body;
      expect(Date.parse(after.lastCheckIns[service])).toBeGreaterThanOrEqual(Date.parse(changed));
      await waitFor("a breakpoints message with the check-in", () =>
        live.messages.some((m: any) => m.type === "breakpoints" && m.lastCheckIns?.[service] !== undefined),
      );
      // The POST poll (with events) counts too; a refused poll does not.
      await pollActive(app.base, "other-service", [{ type: "circuit_breaker_tripped", service_name: "other" }]);
      expect((await json(app.base, "/api/breakpoints")).body.lastCheckIns["other-service"]).toBeDefined();
      const refused = await fetch(`${app.base}/sdk/snapshots/active/${"x".repeat(600)}`);
      expect(refused.status).toBe(400);
      expect(Object.keys((await json(app.base, "/api/breakpoints")).body.lastCheckIns)).not.toContain("x".repeat(600));
    } finally {
      live.close();
    }
  });

  it("takes a capture as the Python SDK sends it: nulls, NaN and a naive time stamped Z", async () => {
    const { body: registered } = await autoRegister(app.base, { ...REGISTER, service_name: "py-shop", label: "py" });
    await patch(app.base, `/api/breakpoints/${registered.id}`, { enabled: true });
    const body =
      `{"breakpoint_id": "${registered.id}", "service_name": "py-shop", "file_path": "/srv/shop.py", ` +
      `"function_name": "checkout", "label": "py", "line_number": 42, "variables": {"ratio": NaN, "big": Infinity, ` +
      `"note": "NaN inside a string"}, "security_flags": null, "stack_trace": "checkout at /srv/shop.py:42", ` +
      `"request_context": null, "trace_id": null, "span_id": null, "captured_at": "2026-12-01T10:00:00.123456Z"}`;
    const response = await capture(app.base, body);
    expect(response.status).toBe(201);
    const stored = await json(app.base, `/api/snapshots/${response.body.id}`);
    expect(stored.body).toMatchObject({
      variables: { ratio: "NaN", big: "Infinity", note: "NaN inside a string" },
      securityFlags: [],
      requestContext: null,
      traceId: null,
      capturedAt: "2026-12-01T10:00:00.123456Z",
    });
  });

  it("answers malformed bodies with a 4xx and a reason, and keeps serving", async () => {
    // The limits are told in the unit a person reads, with the exact bytes beside them.
    const cases: [string, unknown, number, string, string?][] = [
      ["/sdk/snapshots/auto-register", "not json", 400, "invalid_json"],
      ["/sdk/snapshots/auto-register", [1, 2], 400, "invalid_breakpoint"],
      ["/sdk/snapshots/auto-register", { ...REGISTER, service_name: undefined }, 400, "invalid_breakpoint"],
      ["/sdk/snapshots/auto-register", { ...REGISTER, line_number: "42" }, 400, "invalid_breakpoint"],
      ["/sdk/snapshots/capture", "", 400, "invalid_json"],
      ["/sdk/snapshots/capture", { ...nodeCapture("x"), trace_id: "xyz" }, 400, "invalid_snapshot"],
      ["/sdk/snapshots/capture", { ...nodeCapture("x"), captured_at: "yesterday" }, 400, "invalid_snapshot"],
      ["/sdk/snapshots/capture", { ...nodeCapture("x"), security_flags: [{ type: 1 }] }, 400, "invalid_snapshot"],
      ["/sdk/snapshots/capture", `{"variables":${"[".repeat(200)}${"]".repeat(200)}}`, 400, "too_deep"],
      [
        "/sdk/snapshots/capture",
        JSON.stringify({ ...nodeCapture("x"), stack_trace: "x".repeat(1_100_000) }),
        413,
        "body_too_large",
        "body is larger than the 1 MiB (1,048,576 bytes) limit",
      ],
      ["/sdk/snapshots/active/checkout-api", { events: "tripped" }, 400, "invalid_events"],
      ["/sdk/snapshots/active/checkout-api", { events: [{ service_name: "no type" }] }, 400, "invalid_events"],
      [
        "/sdk/snapshots/active/checkout-api",
        { events: [{ type: "big", detail: "x".repeat(20_000) }] },
        400,
        "invalid_events",
        '"events[0]" is larger than 16 KiB (16,384 bytes)',
      ],
    ];
    for (const [path, body, status, code, message] of cases) {
      const response = await fetch(`${app.base}${path}`, {
        method: "POST",
        headers: { "X-API-Key": "k", "Content-Type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const answer = (await response.json()) as any;
      expect([path, response.status, answer.error.code]).toEqual([path, status, code]);
      expect(answer.error.message.length).toBeGreaterThan(10);
      if (message !== undefined) expect(answer.error.message).toContain(message);
    }
    expect((await fetch(`${app.base}/api/health`)).status).toBe(200);
  });

  it("says whose a refused capture was, in the answer and the terminal, and keeps it as the service's event", async () => {
    const send = (body: string) =>
      fetch(`${app.base}/sdk/snapshots/capture`, {
        method: "POST",
        headers: { "X-API-Key": "k", "Content-Type": "application/json" },
        body,
      });
    // Too large (refused by its declared length, unread but for its start), then too deep.
    const large = JSON.stringify({ ...nodeCapture("x", { label: "big-cart" }), stack_trace: "x".repeat(1_100_000) });
    const deep = JSON.stringify({
      ...nodeCapture("x", { service_name: "shop-api", label: "deep" }),
      variables: {},
    }).replace('"variables":{}', `"variables":${"[".repeat(200)}${"]".repeat(200)}`);
    const tooLarge = await send(large);
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as any).error.message).toContain('(from checkout-api, label "big-cart")');
    const tooDeep = await send(deep);
    expect(tooDeep.status).toBe(400);
    expect(((await tooDeep.json()) as any).error.message).toContain('(from shop-api, label "deep")');
    // The same refusal again within 10 s is not kept twice; one naming no service is not kept at all.
    expect((await send(deep)).status).toBe(400);
    expect((await send('{"variables":[[[')).status).toBe(400);
    const { body } = await json(app.base, "/api/sdk-events");
    // (The malformed bodies of another test, on the same server, are kept as well.)
    const mine = body.events.filter((e: any) => e.data.label === "big-cart" || e.data.label === "deep");
    expect(mine.map((e: any) => [e.service, e.type, e.data.label, e.data.status, e.data.code]).sort()).toEqual([
      ["checkout-api", "capture_refused", "big-cart", 413, "body_too_large"],
      ["shop-api", "capture_refused", "deep", 400, "too_deep"],
    ]);
    const told = app.events.flatMap((e) => (e.type === "client-error" ? [`${e.status} ${e.message}`] : []));
    expect(told).toContain(
      '413 body is larger than the 1 MiB (1,048,576 bytes) limit (from checkout-api, label "big-cart")',
    );
    expect(
      told.some(
        (line) => line.startsWith("400 the JSON nests deeper") && line.endsWith('(from shop-api, label "deep")'),
      ),
    ).toBe(true);
  });

  it("records the events an SDK reports with its poll", async () => {
    const live = await openLive(app.base);
    try {
      // Its clock 10 minutes ahead of this server's: the pause starts when the event arrived at the latest.
      const sent = Date.now();
      const tripped = {
        type: "circuit_breaker_tripped",
        service_name: "checkout-api",
        failure_count: 3,
        window_seconds: 60,
        cooldown_seconds: 300,
        timestamp: new Date(sent + 600_000).toISOString(),
      };
      const response = await pollActive(app.base, "checkout-api", [tripped]);
      const received = Date.now();
      expect(response.status).toBe(200);
      expect(response.body).toHaveProperty("kill_switch");
      const { body } = await json(app.base, "/api/sdk-events");
      expect(body.events[0]).toMatchObject({ service: "checkout-api", type: "circuit_breaker_tripped", data: tripped });
      await waitFor("a live sdk-events message", () => live.messages.find((m) => m.type === "sdk-events"));
      // The terminal hears that this SDK stopped capturing by itself, with its numbers.
      const told = app.events.flatMap((e) =>
        e.type === "code-monitoring" && e.event.type === "sdk-paused" && e.event.service === "checkout-api"
          ? [e.event.pause]
          : [],
      );
      expect(told).toEqual([{ since: expect.any(Number), until: expect.any(Number), failures: 3, windowSeconds: 60 }]);
      const since = told[0]?.since as number;
      expect(since).toBeGreaterThanOrEqual(sent);
      expect(since).toBeLessThanOrEqual(received);
      expect(told[0]?.until).toBe(since + 300_000);
      // The page and MCP read it with the breakpoints, live and on request.
      const pause = {
        since: new Date(since).toISOString(),
        until: new Date(since + 300_000).toISOString(),
        failures: 3,
        windowSeconds: 60,
      };
      const state = await waitFor("a live breakpoints message with the pause", () =>
        live.messages.find((m) => m.type === "breakpoints" && m.sdkPauses?.["checkout-api"] !== undefined),
      );
      expect(state.sdkPauses["checkout-api"]).toEqual(pause);
      expect((await json(app.base, "/api/breakpoints")).body.sdkPauses["checkout-api"]).toEqual(pause);
    } finally {
      live.close();
    }
  });

  it("forgets a disconnected SDK", async () => {
    const stream = await connectSse(app.base, "/sdk/snapshots/stream/leaving-service");
    await waitFor(
      "connected",
      async () => (await json(app.base, "/api/breakpoints")).body.connectedSdks["leaving-service"] === 1,
    );
    stream.abort();
    await waitFor(
      "disconnected",
      async () => (await json(app.base, "/api/breakpoints")).body.connectedSdks["leaving-service"] === undefined,
    );
  });

  it("refuses changes and SDK calls from another site's page", async () => {
    const evil = { Origin: "http://evil.example", "content-type": "application/json" };
    const kill = await json(app.base, "/api/kill-switch", { method: "PUT", headers: evil, body: '{"enabled":true}' });
    expect(kill.status).toBe(403);
    const register = await json(app.base, "/sdk/snapshots/auto-register", {
      method: "POST",
      headers: evil,
      body: JSON.stringify(REGISTER),
    });
    expect(register.status).toBe(403);
    const own = await json(app.base, "/api/kill-switch", {
      method: "PUT",
      headers: { Origin: `http://localhost:${app.port}`, "content-type": "application/json" },
      body: '{"enabled":false}',
    });
    expect(own.status).toBe(200);
  });

  it("answers no SDK call a browser makes for another site's page (an <img> sends no Origin)", async () => {
    for (const site of ["cross-site", "same-site"]) {
      const headers = { "Sec-Fetch-Site": site, "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image" };
      const poll = await fetch(`${app.base}/sdk/snapshots/active/img-service`, { headers });
      expect(poll.status).toBe(403);
      expect((await poll.json()).error.message).toContain("another site's page");
      const stream = await fetch(`${app.base}/sdk/snapshots/stream/img-service`, { headers });
      expect(stream.status).toBe(403);
      await stream.body?.cancel();
    }
    const { body } = await json(app.base, "/api/breakpoints");
    expect(body.lastCheckIns["img-service"]).toBeUndefined();
    expect(body.connectedSdks["img-service"]).toBeUndefined();
    // A request the user typed (none) or the app's own page made (same-origin) is served.
    for (const site of ["none", "same-origin"]) {
      const poll = await fetch(`${app.base}/sdk/snapshots/active/img-service`, { headers: { "Sec-Fetch-Site": site } });
      expect(poll.status).toBe(200);
    }
  });

  it("edits and deletes breakpoints from the UI, telling the SDK", async () => {
    const { body: made } = await createBreakpoint(app.base, {
      service: "edit-svc",
      filePath: "/a.js",
      lineNumber: 1,
      enabled: false,
    });
    const stream = await connectSse(app.base, "/sdk/snapshots/stream/edit-svc");
    sse.push(stream);
    const expireAt = new Date(Date.now() + 3_600_000).toISOString();
    const edited = await patch(app.base, `/api/breakpoints/${made.id}`, {
      label: "x",
      condition: "a > 1",
      maxCaptures: 5,
      expireAt,
    });
    expect(edited.body).toMatchObject({ label: "x", condition: "a > 1", maxCaptures: 5, expireAt });
    expect((await patch(app.base, `/api/breakpoints/${made.id}`, { colour: "red" })).status).toBe(400);
    expect((await patch(app.base, "/api/breakpoints/unknown", { enabled: true })).status).toBe(404);
    const deleted = await json(app.base, `/api/breakpoints/${made.id}`, { method: "DELETE" });
    expect(deleted).toEqual({ status: 200, body: { deleted: true } });
    const event = await waitFor("breakpoint_deleted", () =>
      stream.events.find((e) => e.event === "breakpoint_deleted"),
    );
    expect(JSON.parse(event.data)).toEqual({ id: made.id });
    expect((await json(app.base, `/api/snapshots/unknown-id`)).status).toBe(404);
    // Made on the page, it comes back with no restart of the app: the page is not told to say it will.
    const state = await json(app.base, "/api/breakpoints");
    expect(state.body).toMatchObject({ keptAcrossRestarts: false });
    expect(state.body.deletedFrom).not.toContain("edit-svc");
    // One an SDK registered: its app registers it again only when restarted, which the page can say.
    const registered = await autoRegister(app.base, { ...NODE_17_SDK_CALL, service_name: "edit-svc", label: "gone" });
    expect((await json(app.base, `/api/breakpoints/${registered.body.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await json(app.base, "/api/breakpoints")).body.deletedFrom).toContain("edit-svc");
  });

  it("keeps the label an SDK registered, which the SDK finds its breakpoint by", async () => {
    // The Node SDK 1.7 registers every capture under its own call and keys its cache by
    // `${function_name}:${label}` from the poll; a label changed here would never match its
    // captureSnapshot('order-view', …) again, so the point would read as enabled and never capture.
    const registered = await autoRegister(app.base, {
      ...NODE_17_SDK_CALL,
      service_name: "label-svc",
      label: "order-view",
    });
    const id = registered.body.id;
    expect((await patch(app.base, `/api/breakpoints/${id}`, { enabled: true })).status).toBe(200);
    const renamed = await patch(app.base, `/api/breakpoints/${id}`, { label: "order view (renamed)" });
    expect(renamed.status).toBe(409);
    expect(renamed.body.error.code).toBe("label_from_code");
    expect(renamed.body.error.message).toContain('"order-view"');
    // The same label, and every other field, can still be set.
    const same = await patch(app.base, `/api/breakpoints/${id}`, { label: "order-view", maxCaptures: 3 });
    expect(same).toMatchObject({ status: 200, body: { label: "order-view", maxCaptures: 3 } });

    const polled = await pollActive(app.base, "label-svc");
    const keys = polled.body.breakpoints.map((b: any) => `${b.function_name}:${b.label}`);
    expect(keys).toEqual(["TracekitClient.captureSnapshot:order-view"]);
    expect(polled.body.breakpoints[0]).toMatchObject({ id, enabled: true });

    // A breakpoint made on the page is the user's own: its label may change.
    const { body: made } = await createBreakpoint(app.base, {
      service: "label-svc",
      filePath: "/srv/app/a.js",
      lineNumber: 3,
      label: "mine",
    });
    expect((await patch(app.base, `/api/breakpoints/${made.id}`, { label: "still mine" })).body.label).toBe(
      "still mine",
    );
  });

  it("stops an expiring breakpoint at its time and tells the SDK", async () => {
    const { body: made } = await createBreakpoint(app.base, {
      service: "expiring",
      filePath: "/e.js",
      lineNumber: 3,
      label: "soon",
      expireAt: new Date(Date.now() + 300).toISOString(),
    });
    const stream = await connectSse(app.base, "/sdk/snapshots/stream/expiring");
    sse.push(stream);
    const init = await waitFor("init", () => stream.events.find((e) => e.event === "init"));
    const [sent] = JSON.parse(init.data).breakpoints;
    expect(sent).toMatchObject({ id: made.id, enabled: true });
    // Kept here alone: Python compares a time with its naive datetime.now(), wrong in another time zone
    // (an app in a container on UTC); the SDK hears of the expiry as the breakpoint turning off.
    expect(sent.expire_at).toBeNull();
    const expired = await waitFor("breakpoint_updated at expiry", () =>
      stream.events.find((e) => e.event === "breakpoint_updated" && JSON.parse(e.data).enabled === false),
    );
    expect(JSON.parse(expired.data).id).toBe(made.id);
    const body = {
      ...nodeCapture(made.id),
      service_name: "expiring",
      file_path: "/e.js",
      label: "soon",
      line_number: 3,
    };
    const refused = await capture(app.base, body);
    expect([refused.status, refused.body.error.code]).toEqual([409, "breakpoint_expired"]);
  });

  it("clears snapshots and SDK events with everything else, but keeps breakpoints", async () => {
    const before = (await json(app.base, "/api/breakpoints")).body.breakpoints.length;
    expect(before).toBeGreaterThan(0);
    expect((await json(app.base, "/api/traces", { method: "DELETE" })).status).toBe(200);
    expect((await json(app.base, "/api/snapshots")).body.snapshots).toEqual([]);
    expect((await json(app.base, "/api/sdk-events")).body.events).toEqual([]);
    const after = (await json(app.base, "/api/breakpoints")).body;
    expect(after.breakpoints).toHaveLength(before);
    // Its event is gone, but an SDK that paused itself still captures nothing until its pause ends.
    expect(after.sdkPauses["checkout-api"]).toMatchObject({ failures: 3, windowSeconds: 60 });
  });

  it("ends an SDK's pause at a capture from its service, and Clear does not bring it back", async () => {
    const service = "two-instances";
    const register = { ...REGISTER, service_name: service };
    const { body: registered } = await autoRegister(app.base, register);
    await patch(app.base, `/api/breakpoints/${registered.id}`, { enabled: true });
    const state = async () => {
      const { body } = await json(app.base, "/api/breakpoints");
      const bp = body.breakpoints.find((b: { id: string }) => b.id === registered.id);
      return captureState(bp, Date.now(), body.killSwitch, sdkPausesFromJson(body.sdkPauses)).state;
    };
    // One instance's circuit breaker tripped 10 s ago; another instance of the service goes on capturing.
    const timestamp = new Date(Date.now() - 10_000);
    await pollActive(app.base, service, [
      { type: "circuit_breaker_tripped", service_name: service, cooldown_seconds: 300, timestamp },
    ]);
    expect(await state()).toBe("paused");
    expect((await capture(app.base, nodeCapture(registered.id, { service_name: service }))).status).toBe(201);
    expect(await state()).toBe("enabled");
    // Clear starts the breakpoint's count (and its last capture) again; the service still captures.
    expect((await json(app.base, "/api/traces", { method: "DELETE" })).status).toBe(200);
    expect(await state()).toBe("enabled");
  });

  it("tells the terminal of switches, captures, the kill switch and SDKs that start or stop listening", async () => {
    const { body: made } = await createBreakpoint(app.base, {
      service: "told-svc",
      filePath: "/srv/app/told.js",
      lineNumber: 9,
      label: "told",
      enabled: false,
    });
    const seen = () => app.events.filter((e) => e.type === "code-monitoring" || e.type === "sdk-listening");
    const from = seen().length;
    const stream = await connectSse(app.base, "/sdk/snapshots/stream/told-svc");
    sse.push(stream);
    await waitFor("init", () => stream.events.find((e) => e.event === "init"));
    await patch(app.base, `/api/breakpoints/${made.id}`, { enabled: true });
    await patch(app.base, `/api/breakpoints/${made.id}`, { label: "told" }); // no switch: no event
    const body = {
      ...nodeCapture(made.id),
      service_name: "told-svc",
      file_path: "/srv/app/told.js",
      label: "told",
      line_number: 9,
    };
    expect((await capture(app.base, body)).status).toBe(201);
    await patch(app.base, "/api/kill-switch", { enabled: true }, "PUT");
    await patch(app.base, "/api/kill-switch", { enabled: true }, "PUT"); // unchanged: no event
    await patch(app.base, "/api/kill-switch", { enabled: false }, "PUT");
    stream.abort();
    await waitFor("stopped listening", () =>
      seen().find((e) => e.type === "sdk-listening" && e.service === "told-svc" && e.streams === 0),
    );
    const told = seen()
      .slice(from)
      .map((e) =>
        e.type === "sdk-listening"
          ? `listening ${e.service} ${e.streams}`
          : e.event.type === "kill-switch"
            ? `kill-switch ${e.event.enabled}`
            : e.event.type === "expiry-deferred" || e.event.type === "capture-time-unsaved"
              ? `${e.event.type} ${e.event.reason}`
              : e.event.type === "sdk-paused"
                ? `sdk-paused ${e.event.service}`
                : `${e.event.type} ${e.event.breakpoint.label} ${e.event.breakpoint.enabled} ${e.event.breakpoint.captureCount}`,
      );
    expect(told).toEqual([
      "listening told-svc 1",
      "switched told true 0",
      "captured told true 1",
      "kill-switch true",
      "kill-switch false",
      "listening told-svc 0",
    ]);
  });

  it("starts capture counts again on clear, so a breakpoint at its limit captures again, and tells the SDK", async () => {
    const { body: made } = await createBreakpoint(app.base, {
      service: "fresh-start",
      filePath: "/srv/app/fresh.js",
      lineNumber: 3,
      label: "fresh",
      maxCaptures: 1,
    });
    const body = {
      ...nodeCapture(made.id),
      service_name: "fresh-start",
      file_path: "/srv/app/fresh.js",
      label: "fresh",
      line_number: 3,
    };
    expect((await capture(app.base, body)).status).toBe(201);
    expect((await capture(app.base, body)).status).toBe(409);
    const stream = await connectSse(app.base, "/sdk/snapshots/stream/fresh-start");
    sse.push(stream);
    await waitFor("init", () => stream.events.find((e) => e.event === "init"));

    expect((await json(app.base, "/api/traces", { method: "DELETE" })).status).toBe(200);
    const listed = (await json(app.base, "/api/breakpoints")).body.breakpoints.find((b: any) => b.id === made.id);
    expect(listed).toMatchObject({ captureCount: 0, lastCapturedAt: null, enabled: true });
    const told = await waitFor("breakpoint_updated after clear", () =>
      stream.events.find((e) => e.event === "breakpoint_updated" && JSON.parse(e.data).id === made.id),
    );
    expect(JSON.parse(told.data)).toMatchObject({ capture_count: 0, enabled: true });
    expect((await pollActive(app.base, "fresh-start")).body.breakpoints[0]).toMatchObject({ capture_count: 0 });
    expect((await capture(app.base, body)).status).toBe(201);
  });
});

/** A Python capture as json.dumps writes it: integers past 2^53 with every digit. */
function pythonBigIntegerCapture(breakpointId: string): string {
  return (
    `{"breakpoint_id": "${breakpointId}", "service_name": "py-shop", "file_path": "/srv/shop.py", ` +
    `"function_name": "checkout", "label": "big", "line_number": 7, "variables": {"order_id": 9007199254740993, ` +
    `"user_id": 1234567890123456789, "ids": [-9223372036854775809, 12], "as_text": "9007199254740993", ` +
    `"ratio": 0.30000000000000004}, "security_flags": [], "stack_trace": "", "request_context": ` +
    `{"query": {"account": 18446744073709551616}}, "trace_id": null, "span_id": null, "captured_at": null}`
  );
}

const EXACT_VARIABLES =
  '"variables":{"order_id":9007199254740993,"user_id":1234567890123456789,"ids":[-9223372036854775809,12],' +
  '"as_text":"9007199254740993","ratio":0.30000000000000004}';

describe("an SDK's pause and the captures that end it", () => {
  const dir = tempDir();
  let app: TestApp;
  let pragma: (statement: string) => unknown;
  beforeAll(async () => {
    app = await startTestApp({ db: `${dir.path}/pauses.db`, onDatabasePragma: (run) => (pragma = run) });
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  /** A service with an enabled breakpoint whose SDK reported it tripped `agoMs` ago, for 300 s. */
  async function pausedService(service: string, agoMs: number) {
    const { body: registered } = await autoRegister(app.base, { ...REGISTER, service_name: service });
    await patch(app.base, `/api/breakpoints/${registered.id}`, { enabled: true });
    const timestamp = new Date(Date.now() - agoMs).toISOString();
    const event = { type: "circuit_breaker_tripped", service_name: service, cooldown_seconds: 300, timestamp };
    expect((await pollActive(app.base, service, [event])).status).toBe(200);
    const pause = (await json(app.base, "/api/breakpoints")).body.sdkPauses[service];
    expect(Date.parse(pause.until) - Date.parse(pause.since)).toBe(300_000);
    return {
      id: registered.id as string,
      pause,
      send: (extra = {}) => nodeCapture(registered.id, { service_name: service, ...extra }),
    };
  }
  const pauseOf = async (service: string) => (await json(app.base, "/api/breakpoints")).body.sdkPauses[service];

  it("is not ended by a capture answered 5xx, which its SDK counts toward the breaker", async () => {
    const paused = await pausedService("full-disk", 30_000);
    const [{ page_count }] = pragma("page_count") as [{ page_count: number }];
    pragma(`max_page_count = ${page_count}`);
    try {
      const bulky = paused.send({ variables: { blob: "f".repeat(200_000) } });
      const refused = await capture(app.base, bulky);
      expect([refused.status, refused.body.error.code]).toEqual([503, "store_unavailable"]);
    } finally {
      pragma("max_page_count = 1073741823");
    }
    expect(await pauseOf("full-disk")).toEqual(paused.pause);
    // A capture stored ends it.
    expect((await capture(app.base, paused.send())).status).toBe(201);
    expect(Date.parse((await pauseOf("full-disk")).until)).toBeLessThanOrEqual(Date.now());
  });

  it("is not ended by a capture within seconds of its start (sent before the trip, or by a clock ahead)", async () => {
    const paused = await pausedService("just-tripped", 0);
    expect((await capture(app.base, paused.send())).status).toBe(201);
    expect(await pauseOf("just-tripped")).toEqual(paused.pause);
  });

  it("answers a capture refused by the kill switch 409 when the ended pause cannot be saved, and keeps the pause the file holds", async () => {
    const paused = await pausedService("read-only", 30_000);
    await patch(app.base, "/api/kill-switch", { enabled: true }, "PUT");
    try {
      pragma("query_only = ON");
      try {
        const refused = await capture(app.base, paused.send());
        expect([refused.status, refused.body.error.code]).toEqual([409, "kill_switch_on"]);
      } finally {
        pragma("query_only = OFF");
      }
      expect(await pauseOf("read-only")).toEqual(paused.pause);
      // The terminal is told why the page still reads "SDK paused".
      const told = app.events.flatMap((e) =>
        e.type === "code-monitoring" && e.event.type === "capture-time-unsaved" ? [e.event] : [],
      );
      expect(told).toEqual([
        {
          type: "capture-time-unsaved",
          service: "read-only",
          reason: expect.stringMatching(/^the store could not write to its file \(SQLITE_READONLY: /),
          pause: expect.objectContaining({ since: Date.parse(paused.pause.since) }),
        },
      ]);
      // A capture refused 4xx once the file is written again ends it, in memory and in the file.
      expect((await capture(app.base, paused.send())).status).toBe(409);
    } finally {
      await patch(app.base, "/api/kill-switch", { enabled: false }, "PUT");
    }
    const ended = await pauseOf("read-only");
    expect(Date.parse(ended.until)).toBeLessThanOrEqual(Date.now());
    await app.close();
    app = await startTestApp({ db: `${dir.path}/pauses.db`, onDatabasePragma: (run) => (pragma = run) });
    expect(await pauseOf("read-only")).toEqual(ended);
  });

  it("tells the terminal of a pause only when it is new and still running", async () => {
    const service = "told-pauses";
    const told = () =>
      app.events.filter(
        (e) => e.type === "code-monitoring" && e.event.type === "sdk-paused" && e.event.service === service,
      );
    const tripped = (agoMs: number) => ({
      type: "circuit_breaker_tripped",
      service_name: service,
      cooldown_seconds: 300,
      timestamp: new Date(Date.now() - agoMs).toISOString(),
    });
    const paused = await pausedService(service, 40_000);
    expect(told()).toHaveLength(1);
    expect((await capture(app.base, paused.send())).status).toBe(201);
    // Older than the pause kept: ignored. Newer, but begun before the capture that came since: over already.
    await pollActive(app.base, service, [tripped(60_000)]);
    await pollActive(app.base, service, [tripped(20_000)]);
    expect(told()).toHaveLength(1);
    expect(Date.parse((await pauseOf(service)).until)).toBeLessThanOrEqual(Date.now());
  });

  it("takes a cooldown too long to write as a day, and serves the breakpoints still", async () => {
    for (const [service, cooldown] of [
      ["cooldown-1e13", "1e13"],
      ["cooldown-1e306", "1e306"],
    ]) {
      const body = `{"events":[{"type":"circuit_breaker_tripped","service_name":"${service}","cooldown_seconds":${cooldown}}]}`;
      expect((await postSdk(app.base, `/sdk/snapshots/active/${service}`, body)).status).toBe(200);
      const pause = await pauseOf(service as string);
      expect(Date.parse(pause.until) - Date.parse(pause.since)).toBe(86_400_000);
    }
    expect((await json(app.base, "/api/breakpoints")).status).toBe(200);
    const told = app.events.flatMap((e) =>
      e.type === "code-monitoring" && e.event.type === "sdk-paused" && e.event.service.startsWith("cooldown-")
        ? [e.event.pause.until - e.event.pause.since]
        : [],
    );
    expect(told).toEqual([86_400_000, 86_400_000]);
  });
});

describe("integers past 2^53 in a capture", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  for (const store of ["memory", "--db"] as const) {
    it(`keeps their digits through the ${store} store and the API, across a restart with --db`, async () => {
      const db = store === "--db" ? `${dir.path}/big.db` : undefined;
      let app = await startTestApp(db === undefined ? {} : { db });
      let snapshotId: string;
      try {
        const { body: registered } = await autoRegister(app.base, {
          ...REGISTER,
          service_name: "py-shop",
          label: "big",
        });
        await patch(app.base, `/api/breakpoints/${registered.id}`, { enabled: true });
        const response = await capture(app.base, pythonBigIntegerCapture(registered.id));
        expect(response.status).toBe(201);
        snapshotId = response.body.id;
        const text = await (await fetch(`${app.base}/api/snapshots/${snapshotId}`)).text();
        expect(text).toContain(EXACT_VARIABLES);
        expect(text).toContain('"requestContext":{"query":{"account":18446744073709551616}}');
      } finally {
        await app.close();
      }
      if (db === undefined) return;
      app = await startTestApp({ db });
      try {
        const response = await fetch(`${app.base}/api/snapshots/${snapshotId}`);
        expect(response.headers.get("content-type")).toMatch(/^application\/json/);
        expect(await response.text()).toContain(EXACT_VARIABLES);
      } finally {
        await app.close();
      }
    });
  }
});

describe("code monitoring across restarts and shutdown", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it("keeps breakpoints, the kill switch and snapshots in the --db file", async () => {
    const db = `${dir.path}/restart.db`;
    let app = await startTestApp({ db });
    let breakpointId: string;
    let snapshotId: string;
    let capturedAt: number;
    try {
      breakpointId = (await autoRegister(app.base, REGISTER)).body.id;
      await patch(app.base, `/api/breakpoints/${breakpointId}`, { enabled: true });
      snapshotId = (await capture(app.base, nodeCapture(breakpointId))).body.id;
      capturedAt = Date.parse((await json(app.base, "/api/breakpoints")).body.breakpoints[0].lastCapturedAt);
      await patch(app.base, "/api/kill-switch", { enabled: true }, "PUT");
      await pollActive(app.base, "checkout-api", [
        { type: "circuit_breaker_tripped", failure_count: 3, window_seconds: 60, cooldown_seconds: 300 },
      ]);
    } finally {
      await app.close();
    }
    // As the version before pauses were saved apart left the file: no table for them, the pause only in
    // its SDK event (the migration makes the table; the pause is read back from the event), and no
    // table of last captures (filled from the breakpoints' last captures).
    const file = new Database(db);
    file.exec(
      `DROP TABLE cm_sdk_pauses; DROP TABLE cm_last_captures; DROP TABLE cm_check_ins;
       DELETE FROM cm_settings WHERE key = 'kill_switch_changed_at'; UPDATE code_monitoring_schema SET version = 2;`,
    );
    file.close();
    app = await startTestApp({ db });
    try {
      const { body } = await json(app.base, "/api/breakpoints");
      expect(body.killSwitch).toBe(true);
      // The SDK's pause, read back from its stored event: its breakpoints still read as paused.
      expect(body.sdkPauses).toEqual({
        "checkout-api": { since: expect.any(String), until: expect.any(String), failures: 3, windowSeconds: 60 },
      });
      expect(Date.parse(body.sdkPauses["checkout-api"].until) - Date.parse(body.sdkPauses["checkout-api"].since)).toBe(
        300_000,
      );
      expect(body.breakpoints).toEqual([expect.objectContaining({ id: breakpointId, enabled: true, captureCount: 1 })]);
      expect((await json(app.base, `/api/snapshots/${snapshotId}`)).body.variables.cart).toEqual({
        items: 3,
        total: 99.5,
      });
      expect((await autoRegister(app.base, REGISTER)).body.id).toBe(breakpointId);
    } finally {
      await app.close();
    }
    const migrated = new Database(db, { readonly: true });
    try {
      expect(migrated.prepare("SELECT version FROM code_monitoring_schema").pluck().get()).toBe(6);
      expect(migrated.prepare("SELECT service FROM cm_sdk_pauses").pluck().all()).toEqual(["checkout-api"]);
      expect(migrated.prepare("SELECT service, at FROM cm_last_captures").all()).toEqual([
        { service: "checkout-api", at: capturedAt },
      ]);
    } finally {
      migrated.close();
    }
  });

  it("keeps an SDK's pause through Clear and a restart, and ends it at a capture from its service", async () => {
    const db = `${dir.path}/pause.db`;
    const tripped = (timestamp: string) => ({
      type: "circuit_breaker_tripped",
      service_name: "checkout-api",
      failure_count: 3,
      window_seconds: 60,
      cooldown_seconds: 300,
      timestamp,
    });
    /** What the page and MCP read of the breakpoint: captureState over the breakpoints response. */
    const shown = async (base: string) => {
      const { body } = await json(base, "/api/breakpoints");
      const [bp] = body.breakpoints;
      return { state: captureState(bp, Date.now(), body.killSwitch, sdkPausesFromJson(body.sdkPauses)).state, body };
    };
    let app = await startTestApp({ db });
    let breakpointId: string;
    try {
      breakpointId = (await autoRegister(app.base, REGISTER)).body.id;
      await patch(app.base, `/api/breakpoints/${breakpointId}`, { enabled: true });
      await pollActive(app.base, "checkout-api", [tripped(new Date(Date.now() - 10_000).toISOString())]);
      expect((await shown(app.base)).state).toBe("paused");
      expect((await json(app.base, "/api/traces", { method: "DELETE" })).status).toBe(200);
      expect((await shown(app.base)).state).toBe("paused");
    } finally {
      await app.close();
    }
    // Its SDK event went with Clear; the pause stays, with its numbers.
    app = await startTestApp({ db });
    try {
      const before = await shown(app.base);
      expect(before.state).toBe("paused");
      expect(before.body.sdkPauses["checkout-api"]).toMatchObject({ failures: 3, windowSeconds: 60 });
      // Another instance of the service captures: its SDK is not paused, and Clear does not bring the pause back.
      const sent = Date.now();
      expect((await capture(app.base, nodeCapture(breakpointId))).status).toBe(201);
      expect((await shown(app.base)).state).toBe("enabled");
      expect((await json(app.base, "/api/traces", { method: "DELETE" })).status).toBe(200);
      const after = await shown(app.base);
      expect(after.state).toBe("enabled");
      expect(Date.parse(after.body.sdkPauses["checkout-api"].until)).toBeGreaterThanOrEqual(sent);
      expect(Date.parse(after.body.sdkPauses["checkout-api"].until)).toBeLessThanOrEqual(Date.now());
      // A pause reported after that capture but begun before it: over already.
      await pollActive(app.base, "checkout-api", [tripped(new Date(sent - 6_000).toISOString())]);
      expect((await shown(app.base)).state).toBe("enabled");
    } finally {
      await app.close();
    }
    app = await startTestApp({ db });
    try {
      expect((await shown(app.base)).state).toBe("enabled");
    } finally {
      await app.close();
    }
  });

  it("ends a pause reported after a restart at a capture answered before it, after Clear too", async () => {
    const db = `${dir.path}/late-pause.db`;
    const service = "late-report";
    const register = { ...REGISTER, service_name: service };
    const tripped = (timestamp: number) => ({
      type: "circuit_breaker_tripped",
      service_name: service,
      cooldown_seconds: 300,
      timestamp: new Date(timestamp).toISOString(),
    });
    const shown = async (base: string) => {
      const { body } = await json(base, "/api/breakpoints");
      const bp = body.breakpoints.find((b: { service: string }) => b.service === service);
      return captureState(bp, Date.now(), body.killSwitch, sdkPausesFromJson(body.sdkPauses)).state;
    };
    let app = await startTestApp({ db });
    let stored: number;
    let refused: number;
    let breakpointId: string;
    try {
      breakpointId = (await autoRegister(app.base, register)).body.id;
      await patch(app.base, `/api/breakpoints/${breakpointId}`, { enabled: true });
      // One instance of the service captures; Clear then resets the breakpoint's last capture.
      stored = Date.now();
      expect((await capture(app.base, nodeCapture(breakpointId, { service_name: service }))).status).toBe(201);
      expect((await json(app.base, "/api/traces", { method: "DELETE" })).status).toBe(200);
    } finally {
      await app.close();
    }
    app = await startTestApp({ db });
    try {
      // Another instance tripped before that capture and reports it at its next poll, after the restart.
      await pollActive(app.base, service, [tripped(stored - 6_000)]);
      expect(await shown(app.base)).toBe("enabled");
      // A capture refused 4xx (the breakpoint is off) is an answer too, and is kept as well.
      await patch(app.base, `/api/breakpoints/${breakpointId}`, { enabled: false });
      refused = Date.now();
      expect((await capture(app.base, nodeCapture(breakpointId, { service_name: service }))).status).toBe(409);
      await patch(app.base, `/api/breakpoints/${breakpointId}`, { enabled: true });
    } finally {
      await app.close();
    }
    app = await startTestApp({ db });
    try {
      await pollActive(app.base, service, [tripped(refused - 6_000)]);
      expect(await shown(app.base)).toBe("enabled");
      const { body } = await json(app.base, "/api/breakpoints");
      // Ended where the refused capture was answered.
      expect(Date.parse(body.sdkPauses[service].until)).toBeGreaterThanOrEqual(refused);
      expect(Date.parse(body.sdkPauses[service].until)).toBeLessThan(refused + 5_000);
    } finally {
      await app.close();
    }
  });

  it("keeps each service's last check-in across a restart, and marks what a registration answered as heard", async () => {
    const db = `${dir.path}/check-ins.db`;
    const service = "resume-api";
    const where = { ...REGISTER, service_name: service };
    const state = async (base: string) => (await json(base, "/api/breakpoints")).body;
    const breakpointOf = (body: any, id: string) => body.breakpoints.find((b: { id: string }) => b.id === id);
    let app = await startTestApp({ db });
    let id: string;
    let checkedIn: string;
    try {
      id = (await autoRegister(app.base, where)).body.id;
      // Registered: the SDK holds the breakpoint as it was answered.
      const registered = breakpointOf(await state(app.base), id);
      expect(registered.heardAt).toBe(registered.updatedAt);
      await patch(app.base, `/api/breakpoints/${id}`, { enabled: true });
      await pollActive(app.base, service);
      checkedIn = (await state(app.base)).lastCheckIns[service];
      expect(checkedIn).toEqual(expect.any(String));
    } finally {
      await app.close();
    }
    app = await startTestApp({ db });
    try {
      // The page still knows when the service last asked, so an edit made before it asks again reads
      // as unheard (web breakpoint-model's awaitsCheckIn), not as capturing.
      expect((await state(app.base)).lastCheckIns[service]).toBe(checkedIn);
      // It also says when this server started: the SDK's next check-in is not overdue before then.
      expect(Date.parse((await state(app.base)).serverStartedAt)).toBeGreaterThan(Date.parse(checkedIn));
      await new Promise((resolve) => setTimeout(resolve, 5));
      await patch(app.base, `/api/breakpoints/${id}`, { maxCaptures: 5 });
      const edited = breakpointOf(await state(app.base), id);
      expect(Date.parse(edited.updatedAt)).toBeGreaterThan(Date.parse(checkedIn));
      expect(Date.parse(edited.heardAt)).toBeLessThan(Date.parse(edited.updatedAt));
      // Made on the page by its label and handed over by the SDK's first capture call with it: heard
      // with its registration's answer, after the last check-in.
      const { body: made } = await createBreakpoint(app.base, { service, label: "refund" });
      expect(made.heardAt).toBeNull();
      const handedOver = await autoRegister(app.base, { ...where, function_name: "refund", label: "refund" });
      expect(handedOver.body).toMatchObject({ id: made.id, enabled: true });
      const placed = breakpointOf(await state(app.base), made.id);
      expect(placed.heardAt).toBe(placed.updatedAt);
      expect(Date.parse(placed.updatedAt)).toBeGreaterThan(Date.parse(checkedIn));
      // What the Node SDK is answered holds no such field.
      expect(handedOver.body).not.toHaveProperty("heardAt");
    } finally {
      await app.close();
    }
  });

  it("marks a registration answered as heard only for the Node SDK, which keeps the answer (Python keeps only the id)", async () => {
    const app = await startTestApp();
    onTestFinished(() => app.close());
    const service = "workers-api";
    const where = { ...REGISTER, service_name: service };
    // The Python SDK posts with requests; the Node SDK with Node's fetch, which sends `User-Agent: node`.
    const python = (body: unknown) =>
      json(app.base, "/sdk/snapshots/auto-register", {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "python-requests/2.31.0" },
        body: JSON.stringify(body),
      });
    const breakpointOf = async (id: string) =>
      (await json(app.base, "/api/breakpoints")).body.breakpoints.find((b: { id: string }) => b.id === id);
    // Worker 1 registers (off) and checks in; the breakpoint is enabled on the page.
    const { id } = (await python(where)).body;
    expect((await breakpointOf(id)).heardAt).toBeNull();
    await pollActive(app.base, service);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await patch(app.base, `/api/breakpoints/${id}`, { enabled: true });
    // Worker 2's first capture call registers the same location: a Python worker holds it off until it
    // polls, so the edit is still unheard.
    expect((await python(where)).body).toMatchObject({ id, enabled: true });
    const afterPython = await breakpointOf(id);
    expect(afterPython.heardAt).toBeNull();
    // A made-on-the-page breakpoint handed over to a Python worker is not heard either.
    const { body: made } = await createBreakpoint(app.base, { service, label: "refund" });
    await python({ ...where, function_name: "refund", label: "refund" });
    expect((await breakpointOf(made.id)).heardAt).toBeNull();
    // A Node worker keeps the answer: heard.
    expect((await autoRegister(app.base, where)).body).toMatchObject({ id, enabled: true });
    const afterNode = await breakpointOf(id);
    expect(Date.parse(afterNode.heardAt)).toBeGreaterThanOrEqual(Date.parse(afterNode.updatedAt));
  });

  it("shows the app's line when the Node SDK registers its own capture call, across a restart", async () => {
    // The Node SDK 1.7 reads the stack one frame too close to itself: every location it registers is
    // its own TracekitClient.captureSnapshot; the capture's stack holds the app's line right after it.
    const sdkCall = { service_name: "users-api", ...NODE_17_SDK_CALL };
    const stack = node17Stack("/app/src/routes/users.js:8:16");
    const db = `${dir.path}/called-from.db`;
    let app = await startTestApp({ db });
    let userLookup: string;
    try {
      userLookup = (await autoRegister(app.base, { ...sdkCall, label: "user-lookup" })).body.id;
      const orderLookup = (await autoRegister(app.base, { ...sdkCall, label: "order-lookup" })).body.id;
      expect(orderLookup).not.toBe(userLookup);
      await patch(app.base, `/api/breakpoints/${userLookup}`, { enabled: true });
      const captured = await capture(
        app.base,
        nodeCapture(userLookup, { ...sdkCall, label: "user-lookup", stack_trace: stack }),
      );
      expect(captured.status).toBe(201);
      const caller = { filePath: "/app/src/routes/users.js", functionName: "", lineNumber: 8 };
      const [listed] = (await json(app.base, "/api/snapshots?service=users-api")).body.snapshots;
      expect(listed).toMatchObject({
        functionName: "TracekitClient.captureSnapshot",
        lineNumber: 488,
        calledFrom: caller,
      });
      const byId = (body: any, id: string) => body.breakpoints.find((b: any) => b.id === id);
      const { body } = await json(app.base, "/api/breakpoints");
      expect(byId(body, userLookup).calledFrom).toEqual(caller);
      expect(byId(body, orderLookup).calledFrom).toBeNull();
    } finally {
      await app.close();
    }
    app = await startTestApp({ db });
    try {
      const { body } = await json(app.base, "/api/breakpoints");
      expect(body.breakpoints.find((b: any) => b.id === userLookup).calledFrom).toMatchObject({ lineNumber: 8 });
      // The SDK matches on what it registered: that is what it is told.
      const active = await pollActive(app.base, "users-api");
      expect(active.body.breakpoints.find((b: any) => b.id === userLookup)).toMatchObject({
        function_name: "TracekitClient.captureSnapshot",
        line_number: 488,
      });
      const sdkKeys = [
        "capture_count",
        "condition",
        "enabled",
        "expire_at",
        "file_path",
        "function_name",
        "id",
        "label",
        "line_number",
        "max_captures",
        "service_name",
      ];
      for (const breakpoint of active.body.breakpoints) expect(Object.keys(breakpoint).sort()).toEqual(sdkKeys);
    } finally {
      await app.close();
    }
  });

  it("closes promptly with an SDK's event stream open", async () => {
    const app = await startTestApp();
    const stream = await connectSse(app.base, "/sdk/snapshots/stream/checkout-api");
    await waitFor("init", () => stream.events.some((e) => e.event === "init"));
    const started = performance.now();
    await app.close();
    expect(performance.now() - started).toBeLessThan(1500);
    await stream.ended;
  });
});

describe("code monitoring for a service whose name holds a slash", () => {
  let app: TestApp;
  const sse: SseConnection[] = [];
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    for (const connection of sse.splice(0)) connection.abort();
    await app.close();
  });

  it("serves an npm-scoped service name, slash and all, as the SDKs put it in the path unencoded", async () => {
    const service = "@acme/shop";
    const { body: registered } = await autoRegister(app.base, { ...REGISTER, service_name: service, label: "scoped" });
    await patch(app.base, `/api/breakpoints/${registered.id}`, { enabled: true });
    const active = await pollActive(app.base, service);
    expect(active.status).toBe(200);
    expect(active.body.breakpoints.map((b: any) => b.id)).toEqual([registered.id]);
    expect(active.body.sse_endpoint).toBe("/sdk/snapshots/stream/%40acme%2Fshop");
    // The Node SDK's poll that reports events, and its event stream, by either spelling of the path.
    const reported = await pollActive(app.base, service, [{ type: "circuit_breaker_tripped", timestamp: Date.now() }]);
    expect(reported.status).toBe(200);
    for (const endpoint of [active.body.sse_endpoint, `/sdk/snapshots/stream/${service}`]) {
      const stream = await connectSse(app.base, endpoint);
      sse.push(stream);
      const init = await waitFor("init", () => stream.events.find((e) => e.event === "init"));
      expect(JSON.parse(init.data).breakpoints.map((b: any) => b.id)).toEqual([registered.id]);
    }
    const { body } = await json(app.base, "/api/breakpoints");
    expect(body.lastCheckIns[service]).toEqual(expect.any(String));
    // A path under /sdk/ that names nothing is a JSON 404, never the web app's page.
    const stray = await fetch(`${app.base}/sdk/snapshots/nothing-here`);
    expect(stray.status).toBe(404);
    expect(stray.headers.get("content-type")).toContain("application/json");
  });

  it("refuses a service name no SDK sends (a control or formatting character, blank, too long) with a reason, never as a check-in", async () => {
    // As the SDKs build the path: the name as configured, which fetch and requests percent-encode.
    for (const [path, reason] of [
      ["%00", "U+0000"],
      ["shop%0Aapi", "U+000A"],
      ["shop%E2%80%AEipa", "U+202E"],
      ["%20%20", "is empty"],
      ["x".repeat(513), "is longer than 512 characters"],
    ] as const) {
      for (const method of ["GET", "POST"]) {
        const response = await fetch(`${app.base}/sdk/snapshots/active/${path}`, {
          method,
          headers: { "X-API-Key": "k", "Content-Type": "application/json" },
          ...(method === "POST" ? { body: "{}" } : {}),
        });
        const answer = (await response.json()) as any;
        expect([path, method, response.status, answer.error.code]).toEqual([path, method, 400, "invalid_service"]);
        expect(answer.error.message).toContain(reason);
      }
      expect((await fetch(`${app.base}/sdk/snapshots/stream/${path}`)).status).toBe(400);
    }
    const registered = await autoRegister(app.base, { ...REGISTER, service_name: "shop\u0000api" });
    expect([registered.status, registered.body.error.message]).toEqual([
      400,
      '"service_name" holds the control or formatting character U+0000 at character 5, which no service name has',
    ]);
    const made = await createBreakpoint(app.base, { service: "shop\u202eapi", label: "x" });
    expect([made.status, made.body.error.code]).toEqual([400, "invalid_breakpoint"]);
    const { body } = await json(app.base, "/api/breakpoints");
    expect(Object.keys(body.lastCheckIns).filter((name) => /[\p{Cc}\p{Cf}]|^\s*$|x{513}/u.test(name))).toEqual([]);

    // Names a configured app may have: spaces, dots, dashes, non-ASCII letters, markup characters (shown as text).
    for (const service of ["Shop API", "shop.api-v2", "café", "<img src=x>"]) {
      const polled = await pollActive(app.base, encodeURIComponent(service));
      expect([service, polled.status]).toEqual([service, 200]);
      expect((await json(app.base, "/api/breakpoints")).body.lastCheckIns[service]).toEqual(expect.any(String));
    }
  });

  it("takes a name joined or kept apart by zero-width (non-)joiners, and refuses bidirectional controls and invisible characters", async () => {
    // Persian and Indic names need U+200C / U+200D, and so do emoji sequences; a flag of a region spells its code in tags.
    for (const service of [
      "می\u200cخواهم",
      "क्\u200dष-api",
      "\u{1F469}\u200d\u{1F4BB} dev",
      "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F} shop",
    ]) {
      const polled = await pollActive(app.base, encodeURIComponent(service));
      expect([service, polled.status]).toEqual([service, 200]);
      const made = await createBreakpoint(app.base, { service, label: "joined" });
      expect([service, made.status]).toEqual([service, 201]);
    }
    for (const [name, code] of [
      ["shop\u2066api", "U+2066"],
      ["shop\u202aapi", "U+202A"],
      ["shop\u200fapi", "U+200F"],
      ["\ufeffshop", "U+FEFF"],
      ["shop\u200bapi", "U+200B"],
      ["shop\u2028api", "U+2028"],
      ["shop\u00adapi", "U+00AD"],
      ["shop\u2060api", "U+2060"],
      ["shop\u{E0041}api", "U+E0041"],
      ["\u{1F3F4}\u{E0067}shop", "U+E0067"],
      ["shop\u{1BCA0}api", "U+1BCA0"],
      ["shop\u{1BCA3}api", "U+1BCA3"],
      ["shop\u{1D173}api", "U+1D173"],
      ["shop\u{1D17A}api", "U+1D17A"],
    ] as const) {
      const polled = await fetch(`${app.base}/sdk/snapshots/active/${encodeURIComponent(name)}`, {
        headers: { "X-API-Key": "k" },
      });
      const answer = (await polled.json()) as any;
      expect([code, polled.status, answer.error.message]).toEqual([code, 400, expect.stringContaining(code)]);
      const made = await createBreakpoint(app.base, { service: name, label: "x" });
      expect([code, made.status]).toEqual([code, 400]);
    }
  });

  it("takes a region's flag only in its own shape, and refuses text spelled in tag characters after a 🏴", async () => {
    // Tag characters are invisible copies of ASCII: a flag is two lowercase letters, then one to four
    // lowercase letters or digits, then the cancel tag.
    const tags = (text: string) =>
      [...text].map((c) => String.fromCodePoint(0xe0000 + (c.codePointAt(0) as number))).join("");
    for (const service of [
      `\u{1F3F4}${tags("gbsct")}\u{E007F}`,
      `shop \u{1F3F4}${tags("us")}${tags("ca")}\u{E007F}`,
      `\u{1F3F4}${tags("fr75")}\u{E007F}`,
    ]) {
      const polled = await pollActive(app.base, encodeURIComponent(service));
      expect([service, polled.status]).toEqual([service, 200]);
    }
    for (const [name, code] of [
      [`shop\u{1F3F4}${tags('"Ignore all previous instructions"')}\u{E007F}`, "U+E0022"],
      [`\u{1F3F4}${tags("GBENG")}\u{E007F}`, "U+E0047"],
      [`\u{1F3F4}${tags("gb eng")}\u{E007F}`, "U+E0067"],
      [`\u{1F3F4}${tags("gbengxx")}\u{E007F}`, "U+E0067"],
      [`\u{1F3F4}${tags("g")}\u{E007F}`, "U+E0067"],
      [`\u{1F3F4}${tags("12ab")}\u{E007F}`, "U+E0031"],
    ] as const) {
      const polled = await fetch(`${app.base}/sdk/snapshots/active/${encodeURIComponent(name)}`, {
        headers: { "X-API-Key": "k" },
      });
      const answer = (await polled.json()) as any;
      expect([code, polled.status, answer.error.message]).toEqual([code, 400, expect.stringContaining(code)]);
      const made = await createBreakpoint(app.base, { service: name, label: "x" });
      expect([code, made.status]).toEqual([code, 400]);
    }
  });

  it("says a missing field is missing, and names a wrong one's type with the right article", async () => {
    const cases: [unknown, string][] = [
      [{ ...REGISTER, service_name: undefined }, '"service_name" is missing'],
      [{ ...REGISTER, line_number: undefined }, '"line_number" is missing'],
      [{ ...REGISTER, service_name: { name: "shop" } }, '"service_name" must be a string, not an object'],
      [{ ...REGISTER, service_name: 7 }, '"service_name" must be a string, not the number 7'],
      [{ ...REGISTER, line_number: true }, '"line_number" must be a whole number >= 0, not true'],
    ];
    for (const [body, message] of cases) {
      const response = await autoRegister(app.base, body);
      expect([response.status, response.body.error.message]).toEqual([400, message]);
    }
  });
});
