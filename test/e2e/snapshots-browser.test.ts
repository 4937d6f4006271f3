/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { sendSdkTrace } from "../helpers/otel.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";
import {
  autoRegister,
  capture,
  NODE_17_SDK_CALL,
  node17Stack,
  pollActive,
} from "../helpers/tracekit-snapshot-client.js";

const available = chromiumAvailable();

/** Where a TraceKit SDK registers its first `capture_snapshot("checkout", …)` (the Python SDK's shape). */
function registration(service: string, label = "checkout", line = 42) {
  return {
    service_name: service,
    file_path: "/srv/app/checkout/views.py",
    line_number: line,
    function_name: "place_order",
    label,
  };
}

/** A capture as the Python SDK sends it: snake_case, `captured_at` with microseconds and a Z. */
function pythonCapture(breakpointId: string, service: string, extra: Record<string, unknown> = {}) {
  return {
    breakpoint_id: breakpointId,
    service_name: service,
    file_path: "/srv/app/checkout/views.py",
    function_name: "place_order",
    label: "checkout",
    line_number: 42,
    variables: {
      cart: { items: [{ sku: "SHOE-42", qty: 1 }], total: 89.9 },
      customer: { id: 48213, contact: "jane.doe@example.com" },
      password: "[REDACTED]",
    },
    security_flags: [{ type: "sensitive_variable_name", severity: "medium", variable: "password" }],
    stack_trace:
      "place_order at /srv/app/checkout/views.py:42\ndispatch at /srv/app/venv/site-packages/flask/app.py:880",
    request_context: { method: "POST", path: "/checkout", headers: { "content-type": "application/json" } },
    trace_id: null,
    span_id: null,
    captured_at: new Date().toISOString().replace("Z", "123Z"),
    ...extra,
  };
}

/** A breakpoint the SDK registered and the developer then enabled (PATCH from the page's API); its id. */
async function registerEnabled(base: string, where: ReturnType<typeof registration>): Promise<string> {
  const { body } = await autoRegister(base, where);
  await fetch(`${base}/api/breakpoints/${body.id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ enabled: true }),
  });
  return body.id as string;
}

describe.skipIf(!available)("Snapshots page in Chromium", () => {
  const suite = useAppInChromium();
  let page: Page;
  /** Console errors a test expects (e.g. the 404 of a trace that is not stored). */
  let allowedErrors: RegExp | null = null;

  beforeEach(async () => {
    const { browser } = suite;
    // Clear drops snapshots and events; breakpoints and the kill switch are configuration.
    await fetch(`${suite.app.base}/api/traces`, { method: "DELETE" });
    const { breakpoints } = (await (await fetch(`${suite.app.base}/api/breakpoints`)).json()) as {
      breakpoints: { id: string }[];
    };
    for (const { id } of breakpoints) await fetch(`${suite.app.base}/api/breakpoints/${id}`, { method: "DELETE" });
    await fetch(`${suite.app.base}/api/kill-switch`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enabled: false }),
    });
    allowedErrors = null;
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    return async () => {
      await page.close();
      expect(problems.filter((problem) => !allowedErrors?.test(problem))).toEqual([]);
    };
  });

  it("with no breakpoint, offers the demo, whose checkout-api registers one, with this instance's address", async () => {
    await page.goto(`${suite.app.base}/snapshots`);
    const hint = page.getByTestId("snapshots-demo-hint");
    await hint.waitFor();
    expect(await hint.locator("pre").textContent()).toBe(`tracekit-local demo --url ${suite.app.base}`);
    expect(await hint.textContent()).toContain("checkout-api");
  });

  it("shows a registered breakpoint by itself, enables it for the SDK, and shows its capture live, down to the span", async () => {
    await page.goto(`${suite.app.base}/snapshots`);
    await page.getByTestId("snapshots-setup").waitFor();

    const registered = await autoRegister(suite.app.base, registration("checkout-api"));
    expect(registered.status).toBe(201);
    const id = registered.body.id as string;
    const row = page.locator(`[data-breakpoint-id="${id}"]`);
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain("checkout");
    await expect.poll(() => row.textContent()).toContain("0 / ∞");

    const toggle = row.getByRole("switch");
    expect(await toggle.getAttribute("aria-checked")).toBe("false");
    expect((await pollActive(suite.app.base, "checkout-api")).body.breakpoints[0].enabled).toBe(false);
    await toggle.click();
    await expect.poll(() => toggle.getAttribute("aria-checked")).toBe("true");
    await expect
      .poll(async () => (await pollActive(suite.app.base, "checkout-api")).body.breakpoints[0].enabled)
      .toBe(true);

    // The request's trace, then the capture inside its span, as the SDK sends it.
    const trace = await sendSdkTrace(suite.app.base, { service: "checkout-api", name: "POST /checkout", children: 2 });
    const spanId = trace.spanIds[0] as string;
    const captured = await capture(
      suite.app.base,
      pythonCapture(id, "checkout-api", { trace_id: trace.traceId, span_id: spanId }),
    );
    expect(captured.status).toBe(201);
    const snapshotRow = page.locator(`[data-snapshot-id="${captured.body.id}"]`);
    await snapshotRow.waitFor();
    await expect.poll(() => snapshotRow.textContent()).toContain("cart, customer, password");
    await expect.poll(() => row.textContent()).toContain("1 / ∞");

    // The list links the capture to its span, as the trace is stored.
    const traceLink = snapshotRow.getByTestId("snapshot-trace-link");
    await expect.poll(() => traceLink.getAttribute("href")).toBe(`/traces/${trace.traceId}?span=${spanId}`);

    await snapshotRow.click();
    await page.waitForURL(`**/snapshots/${captured.body.id}`);
    const tree = page.getByRole("tree", { name: "Variables" });
    await tree.waitFor();
    // Nested containers start closed and open on request.
    const items = tree.locator('[data-path="/cart/items"]');
    await expect.poll(() => items.getAttribute("aria-expanded")).toBe("false");
    await expect(tree.locator('[data-path="/cart/items/0"]').count()).resolves.toBe(0);
    await items.getByRole("button", { name: "Expand items" }).click();
    await tree.locator('[data-path="/cart/items/0/sku"]').waitFor({ state: "detached" });
    await tree.locator('[data-path="/cart/items/0"]').getByRole("button", { name: "Expand 0" }).click();
    await expect.poll(() => tree.locator('[data-path="/cart/items/0/sku"]').textContent()).toContain("SHOE-42");

    // The SDK left an email address in a nested value: masked until revealed; its own redaction stays a marker.
    const contact = tree.locator('[data-path="/customer/contact"]');
    await expect.poll(() => contact.textContent()).toContain("looks like an email address");
    expect(await contact.textContent()).not.toContain("jane.doe@example.com");
    await contact.getByRole("button", { name: "Reveal" }).click();
    await expect.poll(() => contact.textContent()).toContain("jane.doe@example.com");
    await expect.poll(() => tree.locator('[data-path="/password"]').textContent()).toContain("redacted");
    // Its type is not known: the marker is no string the app had.
    expect(await tree.locator('[data-path="/password"] .vt-type').count()).toBe(0);
    await expect.poll(() => page.getByTestId("security-flags").textContent()).toContain("sensitive variable name");
    await expect.poll(() => page.getByTestId("stack-trace").textContent()).toContain("place_order");
    await expect.poll(() => page.getByTestId("request-context").textContent()).toContain("POST /checkout");

    // From the snapshot to its span, which carries the snapshot's mark and lists it.
    const link = page.getByTestId("snapshot-trace").getByRole("link");
    await expect.poll(() => link.textContent()).toContain("Open its span");
    await link.click();
    await page.waitForURL(`**/traces/${trace.traceId}?span=${spanId}`);
    await page.locator(`[data-span-id="${spanId}"] [data-snapshot-mark]`).waitFor();
    await expect.poll(() => page.locator("[data-snapshot-mark]").count()).toBe(1);
    const details = page.getByTestId("span-snapshots");
    await expect.poll(() => details.textContent()).toContain("checkout");
    // Its first variables, with their values (the SDK's redaction shown as such).
    await expect.poll(() => details.textContent()).toContain("cart {items, total}");
    await expect.poll(() => details.textContent()).toContain("password redacted");
  });

  it("opens the set-up of the SDK that sent the newest spans, else the tab picked last, each with its whole run line", async () => {
    await page.goto(`${suite.app.base}/snapshots`);
    const setup = page.getByTestId("snapshots-setup");
    const selected = setup.locator('[role="tab"][aria-selected="true"]');
    // Nothing to go by: Node, run with this server as its endpoint and an API key. Not in development mode,
    // which would send every span to whatever answers at localhost:9999 too: this instance is elsewhere.
    await expect.poll(() => selected.textContent()).toBe("Node.js");
    const run = setup.getByRole("tabpanel").locator("pre").last();
    await expect.poll(() => run.textContent()).toMatch(new RegExp(`^TRACEKIT_ENDPOINT=${suite.app.base} `));
    expect(await run.textContent()).toContain("TRACEKIT_API_KEY=local");
    expect(await run.textContent()).not.toContain("NODE_ENV");
    expect(await setup.getByRole("tabpanel").textContent()).toContain("NODE_ENV=development is left out");
    // A pick is remembered.
    await setup.getByRole("tab", { name: "Python" }).click();
    await expect.poll(() => run.textContent()).toContain("python app.py");
    expect(await run.textContent()).toMatch(new RegExp(`^TRACEKIT_ENDPOINT=${suite.app.base} `));
    expect(await run.textContent()).not.toContain("ENV=development");
    expect(await run.textContent()).toContain("TRACEKIT_API_KEY=local");
    expect(await run.textContent()).toContain("python app.py");
    await page.reload();
    await expect.poll(() => selected.textContent()).toBe("Python");
    await setup.getByRole("tab", { name: "Node.js" }).click();

    // Spans from a Python SDK: its tab opens, whatever was picked before.
    const body = jsonTraceRequest("py-app", [{ name: "GET /cart" }]) as any;
    body.resourceSpans[0].resource.attributes.push({ key: "telemetry.sdk.language", value: { stringValue: "python" } });
    expect((await postJson(suite.app.base, body)).ok).toBe(true);
    await page.reload();
    await expect.poll(() => selected.textContent()).toBe("Python");
  });

  it("places a Node SDK 1.7 breakpoint at the app's line, read from its first capture's stack", async () => {
    // That SDK registers its own TracekitClient.captureSnapshot as every location.
    const sdkCall = { service_name: "users-api", ...NODE_17_SDK_CALL, label: "user-lookup" };
    await page.goto(`${suite.app.base}/snapshots`);
    await page.getByTestId("snapshots-setup").waitFor();
    const id = await registerEnabled(suite.app.base, sdkCall);
    const row = page.locator(`[data-breakpoint-id="${id}"]`);
    const location = row.getByTestId("breakpoint-location");
    await expect.poll(() => location.textContent()).toBe("at first capture");
    expect(await row.textContent()).not.toContain("captureSnapshot");

    const stack = node17Stack("getUser (/app/src/routes/users.js:8:16)");
    const captured = await capture(suite.app.base, {
      ...pythonCapture(id, "users-api"),
      ...sdkCall,
      stack_trace: stack,
    });
    expect(captured.status).toBe(201);
    await expect.poll(() => location.textContent()).toBe("users.js:8");
    await expect.poll(() => row.textContent()).toContain("getUser");
    expect(await page.locator(".bp-file-head").allTextContents()).toEqual(["/app/src/routes/users.js"]);
    const snapshotRow = page.locator(`[data-snapshot-id="${captured.body.id}"]`);
    await expect.poll(() => snapshotRow.textContent()).toContain("getUser · /app/src/routes/users.js:8");

    await snapshotRow.click();
    const where = page.getByTestId("snapshot-where");
    await expect.poll(() => where.textContent()).toBe("getUser · /app/src/routes/users.js:8");
    expect(await where.getAttribute("title")).toContain("TracekitClient.captureSnapshot at /app/node_modules");
  });

  it("makes a breakpoint by its label ahead of the code, which the SDK's first capture call takes and captures at", async () => {
    await page.goto(`${suite.app.base}/snapshots`);
    await page.getByTestId("snapshots-setup").waitFor();
    await page.getByRole("button", { name: "New breakpoint" }).click();
    const form = page.getByRole("form", { name: "New breakpoint" });
    // Opened, the form has focus in its first field, so its Escape closes it at once.
    await expect
      .poll(() => form.getByLabel("Service").evaluate((field) => field === document.activeElement))
      .toBe(true);
    await page.keyboard.press("Escape");
    await form.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "New breakpoint" }).click();
    await form.getByLabel("Service").fill("users-api");
    await form.getByLabel("Label").fill("user-lookup");
    await form.getByLabel("Max captures").fill("1");
    await form.getByRole("button", { name: "Create" }).click();
    await form.waitFor({ state: "detached" });
    const row = page.locator("[data-breakpoint-id]");
    await expect.poll(() => row.textContent()).toContain("user-lookup");
    const id = (await row.getAttribute("data-breakpoint-id")) as string;
    expect(await row.locator(".bp-state").textContent()).toBe("at first call");
    expect(await row.locator(".bp-state").getAttribute("title")).toContain(
      "A Node app that already made that call in its current run takes it at its next check-in",
    );
    expect(await row.getByTestId("breakpoint-location").textContent()).toBe("at first capture");
    expect(await page.getByTestId("service-waiting").count()).toBe(0);

    // A service no SDK has been heard from is most likely misspelt: the form says so.
    await page.getByRole("button", { name: "New breakpoint" }).click();
    await form.getByLabel("Service").fill("users-apj");
    const unknown = form.getByTestId("unknown-service");
    await expect.poll(() => unknown.textContent()).toContain("No SDK of “users-apj”");
    // Other tests' services check in with this app too.
    expect(await unknown.textContent()).toMatch(/\(heard from: [^)]*\busers-api\b/);
    await form.getByRole("button", { name: "Cancel" }).click();

    // The same label again is refused, in the form (the browser logs the 409).
    allowedErrors = /status of 409/;
    await page.getByRole("button", { name: "New breakpoint" }).click();
    await form.getByLabel("Service").fill("users-api");
    await form.getByLabel("Label").fill("user-lookup");
    await form.getByRole("button", { name: "Create" }).click();
    await expect
      .poll(() => form.getByRole("alert").textContent())
      .toContain('already has a breakpoint labelled "user-lookup"');
    // Once the label is changed, the refusal of the one before no longer stands.
    await form.getByLabel("Label").fill("user-lookup-2");
    await expect.poll(() => form.getByRole("alert").count()).toBe(0);
    expect(await form.textContent()).not.toContain("already has a breakpoint");
    await form.getByRole("button", { name: "Cancel" }).click();

    // The Node SDK 1.7's first captureSnapshot("user-lookup", …) registers its own call as the location.
    const sdkCall = { service_name: "users-api", ...NODE_17_SDK_CALL, label: "user-lookup" };
    const registered = await autoRegister(suite.app.base, sdkCall);
    expect(registered.body).toMatchObject({ id, enabled: true, max_captures: 1 });
    await expect.poll(() => row.locator(".bp-state").textContent()).toBe("capturing");
    const captured = await capture(suite.app.base, {
      ...pythonCapture(id, "users-api"),
      ...sdkCall,
      stack_trace: node17Stack("getUser (/app/src/routes/users.js:8:16)"),
    });
    expect(captured.status).toBe(201);
    await expect.poll(() => row.getByTestId("breakpoint-location").textContent()).toBe("users.js:8");
    await expect.poll(() => row.locator(".bp-state").textContent()).toBe("limit reached");
    await page.locator(`[data-snapshot-id="${captured.body.id}"]`).waitFor();
  });

  it("marks a span live when a snapshot of it arrives while its trace is open", async () => {
    const id = await registerEnabled(suite.app.base, registration("orders"));
    const trace = await sendSdkTrace(suite.app.base, { service: "orders", name: "GET /orders" });
    await page.goto(`${suite.app.base}/traces/${trace.traceId}`);
    await page.locator(`[data-span-id="${trace.rootSpanId}"]`).waitFor();
    expect(await page.locator("[data-snapshot-mark]").count()).toBe(0);
    await capture(suite.app.base, pythonCapture(id, "orders", { trace_id: trace.traceId, span_id: trace.rootSpanId }));
    await page.locator(`[data-span-id="${trace.rootSpanId}"] [data-snapshot-mark]`).waitFor();
  });

  it("says plainly when an older snapshot's trace is not stored", async () => {
    allowedErrors = /404/;
    const id = await registerEnabled(suite.app.base, registration("billing"));
    const captured = await capture(
      suite.app.base,
      pythonCapture(id, "billing", {
        trace_id: "ab".repeat(16),
        span_id: "cd".repeat(8),
        captured_at: new Date(Date.now() - 120_000).toISOString(),
      }),
    );
    await page.goto(`${suite.app.base}/snapshots/${captured.body.id}`);
    await expect.poll(() => page.getByTestId("snapshot-trace").textContent()).toContain("is not stored");
  });

  it("says a fresh capture's spans are on their way, and links to its span when they arrive", async () => {
    allowedErrors = /404/;
    const id = await registerEnabled(suite.app.base, registration("fresh"));
    const traceId = newTraceId();
    const spanId = newSpanId();
    const captured = await capture(suite.app.base, pythonCapture(id, "fresh", { trace_id: traceId, span_id: spanId }));
    await page.goto(`${suite.app.base}/snapshots/${captured.body.id}`);
    const notice = page.getByTestId("snapshot-trace");
    await expect.poll(() => notice.textContent()).toContain("Its spans are on their way");
    expect(await notice.textContent()).not.toContain("is not stored");

    // The SDK's exporter sends the request's span a few seconds later: the page links to it.
    const sent = await postJson(
      suite.app.base,
      jsonTraceRequest("fresh", [{ traceId, spanId, name: "POST /checkout" }]),
    );
    expect(sent.ok).toBe(true);
    const link = notice.getByRole("link");
    await expect.poll(() => link.textContent()).toContain("Open its span");
    expect(await link.getAttribute("href")).toBe(`/traces/${traceId}?span=${spanId}`);
  });

  it("links a capture in the list to its span once its trace is stored, and opens the span from there", async () => {
    const id = await registerEnabled(suite.app.base, registration("linked"));
    const traceId = newTraceId();
    const spanId = newSpanId();
    const captured = await capture(suite.app.base, pythonCapture(id, "linked", { trace_id: traceId, span_id: spanId }));
    await page.goto(`${suite.app.base}/snapshots`);
    const row = page.locator(`[data-snapshot-id="${captured.body.id}"]`);
    await expect.poll(() => row.locator(".snap-col-trace").textContent()).toBe("trace on its way");
    expect(await row.getByTestId("snapshot-trace-link").count()).toBe(0);
    // Its cell holds the words whole (it read "trace on it…").
    const cell = row.locator(".snap-col-trace");
    expect(await cell.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);

    // The spans arrive after the capture: the row gains its link live.
    await postJson(suite.app.base, jsonTraceRequest("linked", [{ traceId, spanId, name: "POST /checkout" }]));
    const link = row.getByTestId("snapshot-trace-link");
    await expect.poll(() => link.getAttribute("href")).toBe(`/traces/${traceId}?span=${spanId}`);
    await link.click();
    await page.waitForURL(`**/traces/${traceId}?span=${spanId}`);
    // A reload of the list knows it from the server's answer.
    await page.goto(`${suite.app.base}/snapshots`);
    await expect.poll(() => row.getByTestId("snapshot-trace-link").count()).toBe(1);
  });

  it("asks before the kill switch goes on, and the SDK hears it", async () => {
    await autoRegister(suite.app.base, registration("payments"));
    await page.goto(`${suite.app.base}/snapshots`);
    const killSwitch = page.getByTestId("kill-switch");
    await expect.poll(() => killSwitch.textContent()).toContain("Kill switch off");
    page.once("dialog", (dialog) => void dialog.dismiss());
    await killSwitch.getByRole("button").click();
    await expect.poll(async () => (await pollActive(suite.app.base, "payments")).body.kill_switch).toBe(false);
    page.once("dialog", (dialog) => void dialog.accept());
    await killSwitch.getByRole("button").click();
    await expect.poll(() => killSwitch.textContent()).toContain("Kill switch ON");
    await expect.poll(async () => (await pollActive(suite.app.base, "payments")).body.kill_switch).toBe(true);
    await killSwitch.getByRole("button", { name: "Turn off" }).click();
    await expect.poll(async () => (await pollActive(suite.app.base, "payments")).body.kill_switch).toBe(false);
    // No SDK listens on the event stream here: the page says when the SDKs will hear it.
    await expect.poll(() => killSwitch.textContent()).toContain("once each SDK checks in");
  });

  it("after the kill switch goes off, a breakpoint waits for its service's next check-in instead of reading capturing", async () => {
    const id = await registerEnabled(suite.app.base, registration("quiet-service"));
    await pollActive(suite.app.base, "quiet-service");
    await page.goto(`${suite.app.base}/snapshots`);
    const row = page.locator(`[data-breakpoint-id="${id}"]`);
    const badge = row.locator(".bp-state");
    await expect.poll(() => badge.textContent()).toBe("capturing");
    const killSwitch = page.getByTestId("kill-switch");
    page.once("dialog", (dialog) => void dialog.accept());
    await killSwitch.getByRole("button").click();
    await expect.poll(() => badge.textContent()).toBe("kill switch on");
    await killSwitch.getByRole("button", { name: "Turn off" }).click();

    // No SDK of the service listens live, and none has asked since: nothing is captured yet.
    await expect.poll(() => badge.textContent()).toBe("awaiting check-in");
    expect(await badge.getAttribute("title")).toContain(
      "waiting for quiet-service's next check-in (within about 60 s)",
    );
    await expect
      .poll(() => page.locator('[data-service="quiet-service"]').textContent())
      .toContain("waiting for quiet-service's next check-in (within about 60 s)");
    // The SDK's next poll hears it: from then on it captures.
    await pollActive(suite.app.base, "quiet-service");
    await expect.poll(() => badge.textContent()).toBe("capturing");
    expect(await page.getByTestId("service-waiting").count()).toBe(0);
  });

  it("says when a service's app has stopped checking in, instead of waiting for it forever", async () => {
    const id = await registerEnabled(suite.app.base, registration("stopped-service"));
    // Its app asks once, then stops; the breakpoint is turned off and on again after that.
    await pollActive(suite.app.base, "stopped-service");
    for (const enabled of [false, true]) {
      await fetch(`${suite.app.base}/api/breakpoints/${id}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ enabled }),
      });
    }
    // The page is opened 18 minutes after that check-in (the browser's clock runs ahead by as much).
    await page.clock.install({ time: Date.now() + 18 * 60_000 });
    await page.goto(`${suite.app.base}/snapshots`);
    const row = page.locator(`[data-breakpoint-id="${id}"]`);
    const badge = row.locator(".bp-state");
    const heading = page.locator('[data-service="stopped-service"]').getByTestId("service-waiting");
    await expect.poll(() => badge.textContent()).toBe("no check-in for 18m");
    expect(await heading.textContent()).toBe(
      "stopped-service last checked in 18m ago; it will pick this up when it runs again",
    );
    expect(await heading.textContent()).not.toContain("within about 60 s");
    // It keeps counting while the page stays open.
    await page.clock.fastForward(45 * 60_000);
    await expect.poll(() => badge.textContent()).toBe("no check-in for 1h");
    expect(await heading.textContent()).toContain("last checked in 1h ago");
    // The app runs again and asks: it has heard of the breakpoint (read on a page with the real
    // clock: the live socket's timers went by with the fake clock's 45 minutes).
    await pollActive(suite.app.base, "stopped-service");
    const fresh = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await fresh.goto(`${suite.app.base}/snapshots`);
      const freshBadge = fresh.locator(`[data-breakpoint-id="${id}"] .bp-state`);
      await expect.poll(() => freshBadge.textContent(), { timeout: 20_000 }).toBe("capturing");
      expect(await fresh.getByTestId("service-waiting").count()).toBe(0);
    } finally {
      await fresh.close();
    }
  });

  it("edits a breakpoint's limit, deletes it after asking, and filters captures by breakpoint in the URL", async () => {
    const first = await registerEnabled(suite.app.base, registration("shop", "checkout", 42));
    const second = await registerEnabled(suite.app.base, registration("shop", "refund", 77));
    const a = await capture(suite.app.base, pythonCapture(first, "shop"));
    const b = await capture(suite.app.base, pythonCapture(second, "shop", { label: "refund", line_number: 77 }));
    await page.goto(`${suite.app.base}/snapshots`);
    await page.locator(`[data-snapshot-id="${a.body.id}"]`).waitFor();
    await page.locator(`[data-snapshot-id="${b.body.id}"]`).waitFor();

    // Clicking a breakpoint's label shows only its captures, as a link to keep.
    const row = page.locator(`[data-breakpoint-id="${second}"]`);
    await row.getByRole("button", { name: "refund", exact: true }).click();
    await page.waitForURL(`**/snapshots?breakpoint=${second}`);
    await expect.poll(() => page.locator("[data-snapshot-id]").count()).toBe(1);
    await page.reload();
    await page.locator(`[data-snapshot-id="${b.body.id}"]`).waitFor();
    expect(await page.locator(`[data-snapshot-id="${a.body.id}"]`).count()).toBe(0);

    await row.getByRole("button", { name: "Edit" }).click();
    const editor = page.locator(`[data-editor-for="${second}"]`);
    await editor.getByLabel("Max captures").fill("5");
    await editor.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => editor.count()).toBe(0);
    await expect.poll(() => row.textContent()).toContain("1 / 5");
    await expect
      .poll(async () =>
        (await pollActive(suite.app.base, "shop")).body.breakpoints.find((x: any) => x.label === "refund"),
      )
      .toMatchObject({ max_captures: 5 });

    // The question says the running app will not register it again, and how to keep it instead.
    const question = new Promise<string>((resolve) =>
      page.once("dialog", (dialog) => {
        resolve(dialog.message());
        void dialog.dismiss();
      }),
    );
    await row.getByRole("button", { name: "Delete breakpoint refund" }).click();
    expect(await question).toContain("comes back (switched off) only when shop restarts");
    expect(await question).toContain("turn its switch off (Disable)");
    await expect.poll(async () => (await pollActive(suite.app.base, "shop")).body.breakpoints.length).toBe(2);
    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: "Delete breakpoint refund" }).click();
    await expect.poll(() => row.count()).toBe(0);
    await expect.poll(async () => (await pollActive(suite.app.base, "shop")).body.breakpoints.length).toBe(1);
  });

  it("keeps every breakpoint column and its heading at 900 × 800 (two lines a row), and one line at 1400 × 900", async () => {
    const id = await registerEnabled(suite.app.base, registration("narrow-service"));
    await fetch(`${suite.app.base}/api/breakpoints/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ maxCaptures: 50, expireAt: new Date(Date.now() + 3_600_000).toISOString() }),
    });
    await capture(suite.app.base, pythonCapture(id, "narrow-service"));
    const cells = [
      ".bp-switch",
      ".bp-label",
      ".bp-fn",
      ".bp-loc",
      ".bp-state",
      ".bp-captures",
      ".bp-expiry",
      ".bp-last",
    ];
    const headings = ["On", "Label", "Function", "Location", "State", "Captures", "Expires", "Last capture"];
    const row = page.locator(`[data-breakpoint-id="${id}"]`);
    /** Each cell's box; every one visible, inside the row and the window, none over another. */
    const layout = async (width: number) => {
      await expect.poll(() => row.locator(".bp-last").textContent()).toBe("just now");
      // Every box read in one go: the list may move (a notice above it comes or goes) between reads.
      const measured = await row.evaluate(
        (element, selectors) => {
          const rectOf = (target: Element | null) => {
            if (target === null) return null;
            const r = target.getBoundingClientRect();
            return { x: r.x, y: r.y, width: r.width, height: r.height };
          };
          return { row: rectOf(element), cells: selectors.map((selector) => rectOf(element.querySelector(selector))) };
        },
        [...cells, ".bp-actions"],
      );
      const rowBox = measured.row;
      const boxes = [];
      for (const [i, cell] of [...cells, ".bp-actions"].entries()) {
        const box = measured.cells[i] ?? null;
        expect(box, cell).not.toBeNull();
        if (!box || !rowBox) continue;
        expect(box.width, cell).toBeGreaterThan(10);
        expect(box.x + box.width, cell).toBeLessThanOrEqual(width);
        expect(box.y, cell).toBeGreaterThanOrEqual(rowBox.y - 1);
        expect(box.y + box.height, cell).toBeLessThanOrEqual(rowBox.y + rowBox.height + 1);
        boxes.push({ cell, ...box });
      }
      for (const a of boxes) {
        for (const b of boxes) {
          if (a === b) continue;
          const overlap =
            a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 && a.y < b.y + b.height - 1 && b.y < a.y + a.height - 1;
          expect(overlap, `${a.cell} over ${b.cell}`).toBe(false);
        }
      }
      const header = page.locator(".bp-columns");
      for (const heading of headings)
        expect(await header.getByText(heading, { exact: true }).isVisible(), heading).toBe(true);
      return boxes;
    };

    // The panel takes its two-line form from a media query read by script: wait for each form.
    const panelClass = () => page.getByTestId("breakpoints").getAttribute("class");
    await page.setViewportSize({ width: 900, height: 800 });
    await page.goto(`${suite.app.base}/snapshots`);
    await expect.poll(panelClass).toContain("stacked");
    const narrow = await layout(900);
    const lines = new Set(narrow.map((box) => Math.round(box.y + box.height / 2)));
    expect(lines.size).toBeGreaterThan(1);
    expect(await row.locator(".bp-expiry").textContent()).toMatch(/^in (59|60)m$|^in 1h$/);

    await page.setViewportSize({ width: 1400, height: 900 });
    await expect.poll(panelClass).not.toContain("stacked");
    const wide = await layout(1400);
    const middle = (box: { y: number; height: number }) => box.y + box.height / 2;
    for (const box of wide) expect(Math.abs(middle(box) - middle(wide[0]!)), box.cell).toBeLessThan(4);
  });

  it("counts as enabled only what captures, says the rest as the rows do, and shows an expiry whole at 1280 and 1366", async () => {
    const base = suite.app.base;
    const patch = (id: string, body: unknown) =>
      fetch(`${base}/api/breakpoints/${id}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    await registerEnabled(base, registration("count-service", "live", 10));
    const expired = await registerEnabled(base, registration("count-service", "late", 20));
    // The widest expiry a row says for the first day ("expired 59m ago").
    await patch(expired, { expireAt: new Date(Date.now() - 59.5 * 60_000).toISOString() });
    const usedUp = await registerEnabled(base, registration("count-service", "once", 30));
    await patch(usedUp, { maxCaptures: 1 });
    expect(
      (await capture(base, pythonCapture(usedUp, "count-service", { label: "once", line_number: 30 }))).status,
    ).toBe(201);

    for (const [width, height] of [
      [1280, 800],
      [1366, 768],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.goto(`${base}/snapshots`);
      const expiry = page.locator(`[data-breakpoint-id="${expired}"] .bp-expiry`);
      await expect.poll(() => expiry.textContent()).toMatch(/^expired 59m ago$/);
      expect(await page.getByTestId("breakpoint-count").textContent()).toBe(
        "3 breakpoints, 1 enabled, 1 expired, 1 limit reached",
      );
      expect(await page.getByTestId("service-breakpoint-count").textContent()).toBe(
        "3 breakpoints, 1 enabled, 1 expired, 1 limit reached",
      );
      expect(await page.locator(`[data-breakpoint-id="${usedUp}"] .bp-state`).textContent()).toBe("limit reached");
      expect(await page.locator(`[data-breakpoint-id="${expired}"] .bp-state`).textContent()).toBe("expired");
      // Not cut to "expired 59m a…".
      expect(await expiry.evaluate((cell) => cell.scrollWidth <= cell.clientWidth), `${width}`).toBe(true);
    }
  });

  it("at 800 × 600 gives the breakpoints most of the window, cuts no row through, and scrolls on to the captures", async () => {
    // Two services, six breakpoints: 10 rows of 44 px, more than fit.
    const ids = [await registerEnabled(suite.app.base, registration("short-api"))];
    for (const line of [10, 20, 30, 40, 50]) {
      const where = { ...registration("short-web", `cart${line}`, line), file_path: `/srv/web/cart${line}.py` };
      ids.push(await registerEnabled(suite.app.base, where));
    }
    await capture(suite.app.base, pythonCapture(ids[0]!, "short-api"));
    await page.setViewportSize({ width: 800, height: 600 });
    await page.goto(`${suite.app.base}/snapshots`);
    await page.locator(`[data-breakpoint-id="${ids[0]}"]`).waitFor();
    await expect.poll(() => page.getByTestId("breakpoints").getAttribute("class")).toContain("stacked");
    const measured = await page.evaluate(() => {
      const pane = (document.querySelector(".bp-rows") as HTMLElement).getBoundingClientRect();
      const switches = [...document.querySelectorAll(".bp-switch")].map((element) => element.getBoundingClientRect());
      return { top: pane.top, bottom: pane.bottom, switches: switches.map((r) => ({ top: r.top, bottom: r.bottom })) };
    });
    // Before: 40% of the window, 240 px, with the fifth row's switch cut in half at its edge.
    expect(measured.bottom - measured.top).toBeGreaterThanOrEqual(380);
    expect((measured.bottom - measured.top) % 44).toBe(0);
    const inPane = measured.switches.filter((r) => r.bottom > measured.top && r.top < measured.bottom);
    expect(inPane.length).toBeGreaterThanOrEqual(3);
    for (const r of inPane) {
      expect(r.top).toBeGreaterThanOrEqual(measured.top);
      expect(r.bottom).toBeLessThanOrEqual(measured.bottom);
    }
    // The page scrolls on to the captured list, which then has the window.
    const captured = page.getByRole("region", { name: "Captured snapshots" });
    await captured.scrollIntoViewIfNeeded();
    await page.locator(".snap-row").first().waitFor();
    const box = (await captured.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(400);
    // The switches work where they are.
    const toggle = page.locator(`[data-breakpoint-id="${ids[1]}"]`).getByRole("switch");
    await toggle.scrollIntoViewIfNeeded();
    await toggle.click();
    await expect.poll(() => toggle.getAttribute("aria-checked")).toBe("false");
  });

  it("does not move the captured list under a reader: new captures wait behind a pill while it is scrolled", async () => {
    const id = await registerEnabled(suite.app.base, registration("busy"));
    for (let i = 0; i < 40; i++) await capture(suite.app.base, pythonCapture(id, "busy"));
    await page.goto(`${suite.app.base}/snapshots`);
    await expect.poll(() => page.getByTestId("snapshot-count").textContent()).toContain("40 snapshots");
    const list = page.locator(".snap-rows");
    await list.evaluate((element) => {
      element.scrollTop = 300;
    });
    const box = await list.boundingBox();
    const firstVisible = () =>
      page.evaluate(
        ([x, y]) =>
          document
            .elementFromPoint(x as number, y as number)
            ?.closest("[data-snapshot-id]")
            ?.getAttribute("data-snapshot-id"),
        [(box?.x ?? 0) + 300, (box?.y ?? 0) + 10],
      );
    const before = await firstVisible();
    const fresh = await capture(suite.app.base, pythonCapture(id, "busy"));
    const pill = page.getByTestId("new-snapshots");
    await expect.poll(() => pill.textContent()).toContain("1 new snapshot");
    expect(await firstVisible()).toBe(before);
    await pill.click();
    await page.locator(`[data-snapshot-id="${fresh.body.id}"]`).waitFor();
    await expect.poll(() => list.evaluate((element) => element.scrollTop)).toBe(0);
  });

  it("moves through captures with the keyboard, opens one with Enter and comes back with Escape", async () => {
    const id = await registerEnabled(suite.app.base, registration("keys"));
    const older = await capture(suite.app.base, pythonCapture(id, "keys"));
    const newer = await capture(suite.app.base, pythonCapture(id, "keys"));
    await page.goto(`${suite.app.base}/snapshots?service=keys`);
    await page.locator(`[data-snapshot-id="${older.body.id}"]`).waitFor();
    await page.keyboard.press("j");
    await expect
      .poll(() => page.locator(`[data-snapshot-id="${newer.body.id}"]`).getAttribute("aria-selected"))
      .toBe("true");
    await page.keyboard.press("j");
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/snapshots/${older.body.id}`);
    await page.getByRole("tree", { name: "Variables" }).waitFor();
    await page.keyboard.press("Escape");
    await page.waitForURL((url) => url.pathname === "/snapshots" && url.searchParams.get("service") === "keys");
    await expect
      .poll(() => page.locator(`[data-snapshot-id="${older.body.id}"]`).getAttribute("aria-selected"))
      .toBe("true");
  });

  it("goes back to the list with its filters from a capture's ← Snapshots link, as Escape does", async () => {
    const id = await registerEnabled(suite.app.base, registration("backlink"));
    const one = await capture(suite.app.base, pythonCapture(id, "backlink"));
    await page.goto(`${suite.app.base}/snapshots?service=backlink&breakpoint=${id}`);
    await page.locator(`[data-snapshot-id="${one.body.id}"]`).click();
    await page.waitForURL(`**/snapshots/${one.body.id}`);
    const back = page.getByRole("link", { name: "← Snapshots" });
    // The link names the filtered list, so opening it in a new tab keeps the filters too.
    await expect
      .poll(
        async () => {
          const href = new URL((await back.getAttribute("href")) ?? "", suite.app.base);
          return [href.pathname, href.searchParams.get("service"), href.searchParams.get("breakpoint")];
        },
        { timeout: 10_000 },
      )
      .toEqual(["/snapshots", "backlink", id]);
    await back.click();
    await page.waitForURL((url) => url.pathname === "/snapshots" && url.searchParams.get("service") === "backlink");
    expect(new URL(page.url()).searchParams.get("breakpoint")).toBe(id);
    // Back, not a new entry: one more Back leaves the app (the page opened on the list).
    await page.goBack();
    await expect.poll(() => page.url(), { timeout: 10_000 }).toBe("about:blank");
  });

  it("keeps the selected capture across a filter pick and in view: Back selects and shows the one each step had", async () => {
    const base = suite.app.base;
    const checkout = await registerEnabled(base, registration("history", "checkout", 42));
    const refund = await registerEnabled(base, registration("history", "refund", 77));
    const oldest = (await capture(base, pythonCapture(checkout, "history"))).body.id as string;
    for (let i = 0; i < 39; i++) await capture(base, pythonCapture(checkout, "history"));
    const refunded = (await capture(base, pythonCapture(refund, "history", { label: "refund", line_number: 77 }))).body
      .id as string;
    await page.goto(`${base}/snapshots?service=history`);
    await expect.poll(() => page.getByTestId("snapshot-count").textContent()).toContain("41 snapshots");
    const params = () => new URL(page.url()).searchParams;
    /** Whether the row is drawn selected within the list's visible part. */
    const shownSelected = (id: string) =>
      page.evaluate((wanted) => {
        const item = document.querySelector(`[data-snapshot-id="${wanted}"]`);
        const list = document.querySelector(".snap-rows");
        if (!item || !list || item.getAttribute("aria-selected") !== "true") return false;
        const a = item.getBoundingClientRect();
        const b = list.getBoundingClientRect();
        return a.top >= b.top && a.bottom <= b.bottom;
      }, id);
    // The oldest capture, far down the list; opened, then Back: selected and scrolled to again.
    await page.keyboard.press("End");
    await expect.poll(() => params().get("selected"), { timeout: 10_000 }).toBe(oldest);
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/snapshots/${oldest}`);
    await page.goBack();
    await expect.poll(() => shownSelected(oldest), { timeout: 10_000 }).toBe(true);
    // A breakpoint picked keeps the selection in the address; Back across it selects what that step had.
    await page.locator(`[data-breakpoint-id="${refund}"]`).getByRole("button", { name: "refund", exact: true }).click();
    await expect.poll(() => params().get("breakpoint"), { timeout: 10_000 }).toBe(refund);
    expect(params().get("selected")).toBe(oldest);
    await expect.poll(() => page.locator("[data-snapshot-id]").count(), { timeout: 10_000 }).toBe(1);
    await page.keyboard.press("j");
    await expect.poll(() => params().get("selected"), { timeout: 10_000 }).toBe(refunded);
    await page.goBack();
    await expect.poll(() => params().get("breakpoint"), { timeout: 10_000 }).toBeNull();
    expect(params().get("selected")).toBe(oldest);
    await expect.poll(() => shownSelected(oldest), { timeout: 10_000 }).toBe(true);
    await page.goForward();
    await expect.poll(() => shownSelected(refunded), { timeout: 10_000 }).toBe(true);
  });

  it("shows the app's own stack frames strongest, the SDK's quiet even from a local checkout, long frames whole", async () => {
    const id = await registerEnabled(suite.app.base, registration("stacky"));
    const sdk = "/home/dev/src/tracekit-node/dist";
    const long = `/home/dev/src/shop/src/${"deeply/nested/".repeat(12)}handler.js:1234:56`;
    const stack = [
      "Error",
      `    at SnapshotClient._doCheckAndCapture (${sdk}/snapshot-client.js:124:23)`,
      `    at TracekitClient.captureSnapshot (${sdk}/client.js:488:39)`,
      "    at getUser (/home/dev/src/shop/src/routes/users.js:8:16)",
      ...Array.from(
        { length: 8 },
        (_, i) => `    at next (/home/dev/src/shop/node_modules/express/lib/router/route.js:${i + 100}:13)`,
      ),
      `    at handleWithAVeryLongName (${long})`,
    ].join("\n");
    const captured = await capture(suite.app.base, pythonCapture(id, "stacky", { stack_trace: stack }));
    await page.setViewportSize({ width: 900, height: 800 });
    await page.goto(`${suite.app.base}/snapshots/${captured.body.id}`);
    const list = page.getByTestId("stack-trace");
    await expect.poll(() => list.locator("li").count()).toBe(12);
    const weight = (index: number) =>
      list
        .locator("li")
        .nth(index)
        .locator(".snap-frame-fn")
        .evaluate((element) => Number(getComputedStyle(element).fontWeight));
    expect(await weight(0)).toBeLessThan(600);
    expect(await weight(1)).toBeLessThan(600);
    expect(await weight(2)).toBeGreaterThanOrEqual(600);
    expect(await weight(3)).toBeLessThan(600);
    expect(await list.locator("li").nth(1).getAttribute("data-origin")).toBe("sdk");
    // Nothing is cut at the right edge: the long frame wraps inside the box.
    expect(await list.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
    expect(await list.locator("li").nth(11).textContent()).toContain("handler.js:1234:56");
    // "10." and "12." sit inside the box's left edge.
    const box = await list.boundingBox();
    for (const index of [9, 11]) {
      const number = await list.locator("li").nth(index).locator(".snap-frame-no").boundingBox();
      expect(number!.x).toBeGreaterThanOrEqual(box!.x);
      expect(await list.locator("li").nth(index).locator(".snap-frame-no").textContent()).toBe(`${index + 1}.`);
    }
  });

  it("keeps a large capture light: big containers start closed and list their children a page at a time", async () => {
    const id = await registerEnabled(suite.app.base, registration("bulk"));
    let deep: unknown = "bottom";
    for (let i = 0; i < 50; i++) deep = { level: 50 - i, next: deep };
    const variables = {
      rows: Array.from({ length: 5000 }, (_, i) => ({ id: i, sku: `SKU-${i}`, qty: i % 7 })),
      deep,
      blob: "lorem ipsum ".repeat(20_000),
    };
    const captured = await capture(suite.app.base, pythonCapture(id, "bulk", { variables }));
    expect(captured.status).toBe(201);
    await page.goto(`${suite.app.base}/snapshots/${captured.body.id}`);
    const tree = page.getByRole("tree", { name: "Variables" });
    await tree.waitFor();
    const items = tree.getByRole("treeitem");
    await expect.poll(() => items.count()).toBeLessThan(10);
    await expect.poll(() => tree.locator('[data-path="/blob"]').textContent()).toContain("show all 240,000 characters");

    await tree.getByRole("button", { name: "Expand rows" }).click();
    await expect.poll(() => items.count()).toBeLessThan(60);
    await tree.getByRole("button", { name: "Show 200 more" }).click();
    await tree.locator('[data-path="/rows/249"]').waitFor();
    expect(await tree.locator('[data-path="/rows/250"]').count()).toBe(0);
    await expect.poll(() => tree.textContent()).toContain("250 of 5,000 shown");
  });

  it("shows a Python capture's integers past 2^53 as numbers with every digit", async () => {
    const id = await registerEnabled(suite.app.base, registration("ledger"));
    // json.dumps writes Python ints exactly; JSON.parse would show 9007199254740992 and 1234567890123456800.
    const body = JSON.stringify(pythonCapture(id, "ledger", { variables: { order_id: 0, user_id: 0, as_text: "" } }))
      .replace('"order_id":0', '"order_id":9007199254740993')
      .replace('"user_id":0', '"user_id":1234567890123456789')
      .replace('"as_text":""', '"as_text":"9007199254740993"');
    const captured = await capture(suite.app.base, body);
    expect(captured.status).toBe(201);
    await page.goto(`${suite.app.base}/snapshots/${captured.body.id}`);
    const tree = page.getByRole("tree", { name: "Variables" });
    await tree.waitFor();
    const number = (path: string) => tree.locator(`[data-path="${path}"] .vt-number`).textContent();
    await expect.poll(() => number("/order_id")).toBe("9007199254740993");
    expect(await number("/user_id")).toBe("1234567890123456789");
    expect(await tree.locator('[data-path="/order_id"] .vt-type').textContent()).toBe("number");
    expect(await tree.locator('[data-path="/as_text"] .vt-string').textContent()).toBe('"9007199254740993"');
  });

  it("shows what the SDKs report about themselves, and that a paused SDK's breakpoints do not capture", async () => {
    const id = await registerEnabled(suite.app.base, registration("flaky"));
    await page.goto(`${suite.app.base}/snapshots`);
    await page.locator("[data-breakpoint-id]").waitFor();
    await pollActive(suite.app.base, "flaky", [
      {
        type: "circuit_breaker_tripped",
        service_name: "flaky",
        failure_count: 3,
        window_seconds: 60,
        cooldown_seconds: 300,
        // Tripped 10 s ago: a capture from the service ends it (one within seconds of the trip does not).
        timestamp: new Date(Date.now() - 10_000).toISOString(),
      },
    ]);
    await expect
      .poll(() => page.getByTestId("sdk-events").textContent())
      .toContain("flaky: the SDK paused snapshot capture after 3 captures it could not send within 1m");
    // Enabled, but its SDK captures nothing until its 5-minute pause is over: the badge says so.
    const badge = page.locator(`[data-breakpoint-id="${id}"] .bp-state`);
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe("SDK paused, 5m left");
    expect(await badge.getAttribute("title")).toContain("flaky's SDK paused capturing by itself after 3 captures");
    // The page lists only the newest 20 SDK events: another service's 20 push the trip out, not the pause.
    const other = Array.from({ length: 20 }, (_, i) => ({ type: "stream_reconnected", attempt: i }));
    await pollActive(suite.app.base, "chatty", other);
    await expect
      .poll(() => page.getByTestId("sdk-events").textContent(), { timeout: 10_000 })
      .toMatch(/^(?![\s\S]*flaky)[\s\S]*chatty/);
    expect(await badge.textContent()).toBe("SDK paused, 5m left");
    // Clear empties the SDK events list, live and after a reload; the SDK is still paused, and reads so.
    expect((await fetch(`${suite.app.base}/api/traces`, { method: "DELETE" })).status).toBe(200);
    await expect.poll(() => page.getByTestId("sdk-events").count(), { timeout: 10_000 }).toBe(0);
    expect(await badge.textContent()).toBe("SDK paused, 5m left");
    await page.reload();
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe("SDK paused, 5m left");
    // A capture from another instance of the service: it captures, and reads so, through Clear too (which
    // its SDK, polling, hears of at its next check-in: the count it stops at starts again).
    expect((await capture(suite.app.base, pythonCapture(id, "flaky"))).status).toBe(201);
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe("capturing");
    expect((await fetch(`${suite.app.base}/api/traces`, { method: "DELETE" })).status).toBe(200);
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe("awaiting check-in");
    await pollActive(suite.app.base, "flaky");
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe("capturing");
    await page.reload();
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe("capturing");
  });

  it("reads an SDK's older pause as superseded once its SDK paused again, not as running to its own end", async () => {
    const id = await registerEnabled(suite.app.base, registration("twice"));
    await page.goto(`${suite.app.base}/snapshots`);
    await page.locator("[data-breakpoint-id]").waitFor();
    const tripped = (agoMs: number) => ({
      type: "circuit_breaker_tripped",
      service_name: "twice",
      failure_count: 3,
      window_seconds: 60,
      cooldown_seconds: 300,
      timestamp: new Date(Date.now() - agoMs).toISOString(),
    });
    // Tripped 30 s ago; the app restarted and captured; then its new process tripped too.
    await pollActive(suite.app.base, "twice", [tripped(30_000)]);
    expect((await capture(suite.app.base, pythonCapture(id, "twice"))).status).toBe(201);
    await pollActive(suite.app.base, "twice", [tripped(0)]);
    const lines = page.getByTestId("sdk-events").locator("li");
    await expect.poll(() => lines.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await expect
      .poll(() => lines.nth(0).textContent(), { timeout: 10_000 })
      .toMatch(/^twice: the SDK paused .*; it captures again at \d\d:\d\d:\d\d\./);
    expect(await lines.nth(1).textContent()).toMatch(
      /^twice: the SDK paused .*; superseded by the pause that began at \d\d:\d\d:\d\d \(the app restarted, or another instance of it paused\)\./,
    );
    const badge = page.locator(`[data-breakpoint-id="${id}"] .bp-state`);
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe("SDK paused, 5m left");
  });
});
