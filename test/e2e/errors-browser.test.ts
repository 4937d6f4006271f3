/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { loadUser, pickShard, sendFailingTrace } from "../helpers/otel-errors.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson, sdkThrownRequestJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("the Errors page, in Chromium", () => {
  const suite = useAppInChromium();

  it("groups the same exception, updates live, shows the stack as text and opens the failing span", async () => {
    const { app, browser } = suite;
    const users = [];
    for (const id of ["17", "4711", "90210"]) {
      users.push(
        await sendFailingTrace(app.base, { service: "users", name: "GET /users/:id", fail: () => loadUser(id) }),
      );
    }
    await sendFailingTrace(app.base, { service: "users", name: "GET /shards", fail: () => pickShard(3) });

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/`);
    await page.getByRole("link", { name: "Errors" }).click();
    await page.waitForURL("**/errors");
    const groups = page.getByTestId("error-group");
    await expect.poll(() => groups.count()).toBe(2);
    // Newest first: the RangeError came last.
    await expect.poll(() => groups.nth(0).textContent()).toContain("RangeError");
    const typeErrors = groups.filter({ hasText: "TypeError" });
    // Titled by its newest error as it was; grouped by the pattern, which the details show.
    expect(await typeErrors.textContent()).toMatch(
      /Cannot read properties of undefined \(reading 'email'\) for user \d/,
    );
    expect(await typeErrors.getByTestId("error-count").textContent()).toBe("3");
    expect(await groups.filter({ hasText: "RangeError" }).getByTestId("error-count").textContent()).toBe("1");

    // Live: a failing span without an exception makes a group of its own, with its message as text.
    await postJson(
      app.base,
      jsonTraceRequest("billing", [
        {
          name: "charge",
          kind: 2,
          statusCode: 2,
          statusMessage: "<b>declined</b> for card 4242",
          startNs: BigInt(Date.now()) * 1_000_000n,
        },
      ]),
    );
    await expect.poll(() => groups.count(), { timeout: 10_000 }).toBe(3);
    const billing = groups.filter({ hasText: "billing" });
    expect(await billing.textContent()).toContain("<b>declined</b> for card 4242");
    expect(await billing.locator("b").count()).toBe(0);
    // And another of the same TypeError joins its group.
    users.push(
      await sendFailingTrace(app.base, { service: "users", name: "GET /users/:id", fail: () => loadUser("5") }),
    );
    await expect.poll(() => typeErrors.getByTestId("error-count").textContent(), { timeout: 10_000 }).toBe("4");

    // Opened: the newest error's stack trace, as text, and where it happened.
    await typeErrors.getByRole("button", { name: "Show details" }).click();
    const stack = typeErrors.locator("pre");
    await expect.poll(() => stack.textContent()).toContain("at loadUser");
    // Styled as in the trace view, though the trace view's code and styles were never loaded here.
    expect(await stack.evaluate((pre) => getComputedStyle(pre).overflowY)).toBe("auto");
    expect(await typeErrors.textContent()).toContain("for user 5");
    expect(await typeErrors.getByTestId("error-pattern").textContent()).toContain(
      "Cannot read properties of undefined (reading '<value>') for user <n>",
    );
    expect(await typeErrors.getByTestId("error-operations").textContent()).toContain("users · GET /users/:id ×4");
    expect(await typeErrors.getByTestId("error-latest").locator("a").count()).toBe(4);

    // Sorted by count, in the URL.
    await page.getByLabel("Sort").selectOption("count");
    await expect.poll(() => new URL(page.url()).searchParams.get("sort")).toBe("count");
    await expect.poll(() => groups.nth(0).textContent()).toContain("TypeError");

    // A group opens its newest trace on the span that failed.
    const newest = users[users.length - 1] as { traceId: string; failingSpanId: string };
    await typeErrors.locator("a.error-group-link").click();
    await page.waitForURL(`**/traces/${newest.traceId}?span=${newest.failingSpanId}`);
    const failing = page.locator(`[data-span-id="${newest.failingSpanId}"]`);
    await expect.poll(() => failing.getAttribute("aria-selected")).toBe("true");
    await expect.poll(() => page.getByTestId("span-details").textContent()).toContain("load user");
    // Escape goes back to the Errors page it was opened from, as it was.
    await page.keyboard.press("Escape");
    await page.waitForURL((url) => url.pathname === "/errors");
    expect(new URL(page.url()).searchParams.get("sort")).toBe("count");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("says how many traces a group's errors are in: a request told twice is one error, a retry another", async () => {
    const { app, browser } = suite;
    // A request told by two SERVER spans (the TraceKit Node SDK's HTTP span and its Express span): one error each.
    for (let i = 0; i < 2; i++) {
      const traceId = newTraceId();
      const root = newSpanId();
      const http = { "http.status_code": 500 };
      await postJson(
        app.base,
        jsonTraceRequest("two-spans", [
          {
            traceId,
            spanId: root,
            name: "GET",
            kind: 2,
            statusCode: 2,
            attributes: { ...http, "http.target": "/fail" },
          },
          {
            traceId,
            parentSpanId: root,
            name: "GET /fail",
            kind: 2,
            statusCode: 2,
            attributes: { ...http, "http.route": "/fail" },
          },
        ]),
      );
    }
    // A caller that tried twice, one request after the other: two errors in one trace.
    const retried = newTraceId();
    const caller = newSpanId();
    const first = 1_700_000_100_000_000_000n;
    for (const startNs of [first, first + 20_000_000n]) {
      await postJson(
        app.base,
        jsonTraceRequest("two-spans", [
          {
            traceId: retried,
            parentSpanId: caller,
            name: "GET /fail",
            kind: 2,
            statusCode: 2,
            startNs,
            attributes: { "http.status_code": 500, "http.route": "/fail" },
          },
        ]),
      );
    }
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.base}/errors?service=two-spans`);
    const count = page.getByTestId("error-count");
    await expect.poll(() => count.textContent()).toBe("4in 3 traces");
    await expect(page.locator(".error-group").first().textContent()).resolves.toContain("GET /fail failed");
    // Its outer span failed after its inner one, but both are the group: its errors start here.
    expect(await page.getByTestId("error-origin").count()).toBe(0);
    await page.close();
  });

  it("says where errors passed along from below started, and shows only those on request", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const [root, call] = [newSpanId(), newSpanId()];
    await postJson(
      app.base,
      jsonTraceRequest("relay-web", [
        { traceId, spanId: root, name: "POST /buy", kind: 2, statusCode: 2, statusMessage: "HTTP 502" },
        { traceId, spanId: call, parentSpanId: root, name: "POST pay", kind: 3, statusCode: 2 },
      ]),
    );
    await postJson(
      app.base,
      jsonTraceRequest("relay-pay", [
        { traceId, parentSpanId: call, name: "POST /charge", kind: 2, statusCode: 2, statusMessage: "card declined" },
      ]),
    );
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors`);
    const titled = (text: string | RegExp) =>
      page.getByTestId("error-group").filter({ has: page.locator(".error-group-title", { hasText: text }) });
    const relayed = titled(/HTTP 502|POST pay failed/);
    await expect.poll(() => relayed.count()).toBe(2);
    for (const row of await relayed.all()) {
      expect(await row.getByTestId("error-origin").textContent()).toContain("passed along from error card declined");
    }
    // Its link opens the group where it started.
    await relayed.first().getByTestId("error-origin").getByRole("button").click();
    const origin = titled("card declined");
    await expect.poll(() => origin.getAttribute("class")).toContain("open");
    expect(await origin.getByTestId("error-origin").count()).toBe(0);
    // One request's failure told by several spans: the header also counts the traces the errors are in.
    expect(await page.getByTestId("errors-totals").textContent()).toMatch(/^\d+ errors in \d+ groups, in \d+ traces?$/);
    // Only where errors start: the two that passed it along are hidden, and counted.
    await page.getByLabel("Only where errors start").check();
    await expect.poll(() => new URL(page.url()).searchParams.get("starts")).toBe("1");
    await expect.poll(() => relayed.count()).toBe(0);
    expect(await origin.count()).toBe(1);
    expect(await page.getByTestId("errors-totals").textContent()).toMatch(/passed along from below hidden/);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("says the HTTP span's 500 of a request whose handler threw passed along the handler's TypeError (TraceKit Node SDK)", async () => {
    const { app, browser } = suite;
    // The SDK never sends its Express span for such a request: the handler's span names a missing parent.
    expect((await postJson(app.base, sdkThrownRequestJson("throw-app", newTraceId()))).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors?service=throw-app`);
    const groups = page.getByTestId("error-group");
    await expect.poll(() => groups.count()).toBe(2);
    const titled = (text: string) => groups.filter({ has: page.locator(".error-group-title", { hasText: text }) });
    await expect
      .poll(() => titled("GET /throw failed").getByTestId("error-origin").textContent())
      .toContain("passed along from TypeError Cannot read properties of null");
    const typeError = titled("TypeError");
    expect(await typeError.getByTestId("error-origin").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("at 800 px wide still names where a passed-along error started, its message cut short rather than dropped", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const [root, call] = [newSpanId(), newSpanId()];
    await postJson(
      app.base,
      jsonTraceRequest("narrow-web", [
        { traceId, spanId: root, name: "GET /checkout", kind: 2, statusCode: 2, statusMessage: "HTTP 502" },
        { traceId, spanId: call, parentSpanId: root, name: "GET stock", kind: 3, statusCode: 2 },
      ]),
    );
    await postJson(
      app.base,
      jsonTraceRequest("narrow-stock", [
        {
          traceId,
          parentSpanId: call,
          name: "GET /stock/:sku",
          kind: 2,
          statusCode: 2,
          statusMessage: "stock level missing for the requested item in the berlin warehouse, retry later",
        },
      ]),
    );
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors`);
    const origin = page
      .getByTestId("error-group")
      .filter({ hasText: "narrow-web" })
      .getByTestId("error-origin")
      .first();
    await origin.waitFor();
    // Where the origin's link and its service lie against the line's edge, which clips what passes it.
    const shown = await origin.evaluate((line) => {
      const edge = line.getBoundingClientRect().right;
      const link = line.querySelector("button")!;
      const service = line.querySelector(".faint")!;
      return {
        linkInside: link.getBoundingClientRect().right <= edge + 0.5,
        linkWidth: link.getBoundingClientRect().width,
        serviceInside: service.getBoundingClientRect().right <= edge + 0.5,
        linkCut: link.scrollWidth > link.clientWidth,
      };
    });
    // The line used to clip the whole link away (a button is cut whole), reading "↳ passed along from …".
    // Now the link shrinks to the room left, its message cut short inside it, and the service stays.
    expect(shown).toEqual({ linkInside: true, linkWidth: expect.any(Number), serviceInside: true, linkCut: true });
    expect(shown.linkWidth).toBeGreaterThan(60);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("says where each group failed, so two alike in type and message read apart", async () => {
    const { app, browser } = suite;
    // As the demo's checkout: the shop answers HTTP 500 because its call to orders got HTTP 500.
    for (let i = 0; i < 2; i++) {
      const traceId = newTraceId();
      const root = newSpanId();
      const startNs = BigInt(Date.now()) * 1_000_000n;
      await postJson(
        app.base,
        jsonTraceRequest("alike-shop", [
          {
            traceId,
            spanId: root,
            name: "POST",
            kind: 2,
            startNs,
            statusCode: 2,
            statusMessage: "HTTP 500",
            attributes: { "http.request.method": "POST", "http.route": "/checkout", "http.response.status_code": 500 },
          },
          {
            traceId,
            parentSpanId: root,
            name: "POST /api/orders",
            kind: 3,
            startNs,
            statusCode: 2,
            statusMessage: "HTTP 500",
            attributes: {
              "http.request.method": "POST",
              "url.full": "http://localhost:8081/api/orders",
              "http.response.status_code": 500,
              "peer.service": "orders",
            },
          },
        ]),
      );
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors?service=alike-shop`);
    const groups = page.getByTestId("error-group");
    await expect.poll(() => groups.count()).toBe(2);
    // Both are titled "HTTP 500"; each row names its own failing operation.
    expect(await groups.locator(".error-group-title").allTextContents()).toEqual(["HTTP 500 ", "HTTP 500 "]);
    const places = await groups.getByTestId("error-failed-in").allTextContents();
    expect(places.sort()).toEqual([" › POST /api/orders → orders client", " › POST /checkout server"]);
    // The call failed inside the shop's POST /checkout; the server span is that request itself.
    const call = groups.filter({ hasText: "POST /api/orders" });
    expect(await call.getByTestId("error-within").textContent()).toBe(" · in alike-shop POST /checkout");
    expect(await groups.filter({ hasText: "server" }).getByTestId("error-within").count()).toBe(0);
    // Opened, the details list where it failed, with counts.
    await call.getByRole("button", { name: "Show details" }).click();
    expect(await call.getByTestId("error-failed-in-list").textContent()).toBe(
      "alike-shop · POST /api/orders → orders client ×2",
    );
    // The meta line stays on one line at this width, its failing operation in view.
    const box = await call.getByTestId("error-failed-in").boundingBox();
    const meta = await call.locator(".error-group-meta").boundingBox();
    expect(box !== null && meta !== null && box.x + box.width <= meta.x + meta.width).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("says when a group's frames are the runtime's or a library's, its stack holding no frame of the app's code", async () => {
    const { app, browser } = suite;
    const stacks = {
      "frames-lib":
        "Error: socket hang up\n    at TLSSocket.socketOnEnd (node:_http_client:524:23)\n    at TLSSocket.emit (node:events:529:35)",
      "frames-app":
        "Error: socket hang up\n    at TLSSocket.socketOnEnd (node:_http_client:524:23)\n    at fetchCart (/srv/app/src/cart.js:12:5)",
    };
    for (const [service, stacktrace] of Object.entries(stacks)) {
      const body = jsonTraceRequest(service, [
        { name: "GET /cart", kind: 2, statusCode: 2, startNs: BigInt(Date.now()) * 1_000_000n },
      ]) as any;
      const span = body.resourceSpans[0].scopeSpans[0].spans[0];
      span.events = [
        {
          name: "exception",
          timeUnixNano: span.endTimeUnixNano,
          attributes: [
            { key: "exception.type", value: { stringValue: "Error" } },
            { key: "exception.message", value: { stringValue: "socket hang up" } },
            { key: "exception.stacktrace", value: { stringValue: stacktrace } },
          ],
        },
      ];
      expect((await postJson(app.base, body)).status).toBe(200);
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    const groupOf = async (service: string) => {
      await page.goto(`${app.base}/errors?service=${service}`);
      const group = page.getByTestId("error-group");
      await expect.poll(() => group.count()).toBe(1);
      await group.getByRole("button", { name: "Show details" }).click();
      await expect.poll(() => group.getByTestId("error-frames-heading").count()).toBe(1);
      return group;
    };
    const library = await groupOf("frames-lib");
    expect(await library.getByTestId("error-frame").textContent()).toBe(
      " · no frame of your code · runtime or library: node:_http_client:TLSSocket.socketOnEnd",
    );
    expect(await library.getByTestId("error-frames-heading").textContent()).toBe(
      "Grouped by the runtime's or a library's frames",
    );
    expect(await library.getByTestId("error-pattern").textContent()).toContain(
      "at node:_http_client:TLSSocket.socketOnEnd ← node:events:TLSSocket.emit (no frame of your code",
    );
    // Each frame isolated on its own (the type, the pattern, two frames): one's direction never reorders another.
    expect(await library.getByTestId("error-pattern").locator("bdi").count()).toBe(4);
    const own = await groupOf("frames-app");
    expect(await own.getByTestId("error-frame").textContent()).toBe(" · cart.js:fetchCart");
    expect(await own.getByTestId("error-frames-heading").textContent()).toBe("Grouped by frames");
    expect(await own.getByTestId("error-pattern").textContent()).not.toContain("no frame of your code");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("makes each filter picked a step Back undoes, as the trace list and the Logs page do", async () => {
    const { app, browser } = suite;
    await postJson(
      app.base,
      jsonTraceRequest("history-api", [{ name: "GET /boom", kind: 2, statusCode: 2, statusMessage: "boom" }]),
    );
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors`);
    await page.getByTestId("error-group").first().waitFor();
    const search = () => new URL(page.url()).search;
    await page.locator("select.filter-service").selectOption("history-api");
    await expect.poll(search).toBe("?service=history-api");
    await page.getByRole("combobox", { name: /sort/i }).selectOption("count");
    await expect.poll(search).toBe("?service=history-api&sort=count");
    await page.getByLabel("Only where errors start").check();
    await expect.poll(search).toBe("?service=history-api&sort=count&starts=1");
    // Back undoes one pick at a time, the page's controls following; Forward redoes it.
    await page.goBack();
    await expect.poll(search).toBe("?service=history-api&sort=count");
    expect(await page.getByLabel("Only where errors start").isChecked()).toBe(false);
    await page.goBack();
    await expect.poll(search).toBe("?service=history-api");
    await expect.poll(() => page.getByRole("combobox", { name: /sort/i }).inputValue()).toBe("lastSeen");
    await page.goBack();
    await expect.poll(search).toBe("");
    await expect.poll(() => page.locator("select.filter-service").inputValue()).toBe("");
    await page.goForward();
    await expect.poll(search).toBe("?service=history-api");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("keeps the group opened in the URL: Back from one of its traces, and a shared link, show it open", async () => {
    const { app, browser } = suite;
    for (let i = 0; i < 3; i++) {
      await postJson(
        app.base,
        jsonTraceRequest("open-api", [
          { name: `GET /fail/${i}`, kind: 2, statusCode: 2, statusMessage: `upstream refused order ${i}` },
        ]),
      );
    }
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors?service=open-api`);
    const group = page.getByTestId("error-group").filter({ hasText: "upstream refused" });
    await group.locator(".error-group-toggle").click();
    await expect.poll(() => group.getAttribute("class")).toContain("open");
    const groupId = await group.getAttribute("data-group-id");
    await expect.poll(() => new URL(page.url()).searchParams.get("group")).toBe(groupId);
    // One of its newest traces, then Back: the group is still open, its traces in view.
    await group.locator(".error-group-details a[href^='/traces/']").last().click();
    await page.waitForURL("**/traces/**");
    await page.goBack();
    await page.waitForURL((url) => url.pathname === "/errors");
    await expect.poll(() => group.getAttribute("class")).toContain("open");
    expect(new URL(page.url()).searchParams.get("service")).toBe("open-api");
    // The address opens it too; closing it takes it out of the address.
    const shared = await browser.newPage();
    await shared.goto(page.url());
    const sharedGroup = shared.locator(`[data-group-id="${groupId}"]`);
    await expect.poll(() => sharedGroup.getAttribute("class")).toContain("open");
    await shared.close();
    await group.locator(".error-group-toggle").click();
    await expect.poll(() => new URL(page.url()).searchParams.get("group")).toBeNull();
    await page.close();
    expect(problems).toEqual([]);
  });

  it("opens, after Back or Forward across a filter pick, the group that step of history had open", async () => {
    const { app, browser } = suite;
    for (const message of ["ledger refused the entry", "ledger timed out"]) {
      await postJson(
        app.base,
        jsonTraceRequest("ledger-api", [{ name: "POST /entries", kind: 2, statusCode: 2, statusMessage: message }]),
      );
    }
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors?service=ledger-api`);
    const refused = page.getByTestId("error-group").filter({ hasText: "ledger refused" });
    const timedOut = page.getByTestId("error-group").filter({ hasText: "ledger timed out" });
    const refusedId = await refused.getAttribute("data-group-id");
    const timedOutId = await timedOut.getAttribute("data-group-id");
    const params = () => new URL(page.url()).searchParams;
    const openIds = () =>
      page
        .locator("[data-testid='error-group'].open")
        .evaluateAll((items) => items.map((item) => item.dataset.groupId));
    await refused.locator(".error-group-toggle").click();
    await expect.poll(() => params().get("group"), { timeout: 10_000 }).toBe(refusedId);
    await page.getByRole("combobox", { name: /sort/i }).selectOption("count");
    await expect.poll(() => params().get("sort"), { timeout: 10_000 }).toBe("count");
    // Another group opened after the pick: the entry the pick added holds it, the one before still the first.
    await timedOut.locator(".error-group-toggle").click();
    await expect.poll(openIds, { timeout: 10_000 }).toEqual([timedOutId]);
    await page.goBack();
    await expect.poll(() => params().get("sort"), { timeout: 10_000 }).toBeNull();
    expect(params().get("group")).toBe(refusedId);
    await expect.poll(openIds, { timeout: 10_000 }).toEqual([refusedId]);
    await expect.poll(() => refused.getAttribute("aria-selected"), { timeout: 10_000 }).toBe("true");
    await page.goForward();
    await expect.poll(() => params().get("group"), { timeout: 10_000 }).toBe(timedOutId);
    await expect.poll(openIds, { timeout: 10_000 }).toEqual([timedOutId]);
    // A key pressed now acts on what is shown: Esc closes that group, and the address says so.
    await page.keyboard.press("Escape");
    await expect.poll(openIds, { timeout: 10_000 }).toEqual([]);
    expect(params().get("group")).toBeNull();
    expect(params().get("selected")).toBe(timedOutId);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("scrolls to the group another step of history selects after Back or Forward across a filter pick", async () => {
    const { app, browser } = suite;
    const letters = "ghijklmnopqrstuvwxyz";
    for (let i = 0; i < 40; i++) {
      const shelf = `${letters[i % 20]}${letters[Math.floor(i / 20)]}`;
      await postJson(
        app.base,
        jsonTraceRequest("shelf-api", [
          { name: "GET /shelf", kind: 2, statusCode: 2, statusMessage: `shelf ${shelf} is gone` },
        ]),
      );
    }
    const page = await browser.newPage({ viewport: { width: 1000, height: 500 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors?service=shelf-api`);
    const groups = page.getByTestId("error-group");
    // The list draws the groups in view; each says how many are listed.
    await expect.poll(() => groups.first().getAttribute("aria-setsize"), { timeout: 10_000 }).toBe("40");
    const param = (name: string) => () => new URL(page.url()).searchParams.get(name);
    const inView = (id: string) => () =>
      page.evaluate((groupId) => {
        const row = document.querySelector(`[data-group-id="${groupId}"] .error-group-row`);
        const box = row?.getBoundingClientRect();
        // Within a pixel: the list's scrolling box may end a fraction of one below the window.
        return box !== undefined && box.top >= 0 && box.bottom <= innerHeight + 1;
      }, id);

    // The last group selected, then a pick (the selection kept), then the first group.
    await page.keyboard.press("End");
    const lastId = (await groups.last().getAttribute("data-group-id")) as string;
    await expect.poll(param("selected"), { timeout: 10_000 }).toBe(lastId);
    await page.getByRole("combobox", { name: /sort/i }).selectOption("count");
    await expect.poll(param("sort"), { timeout: 10_000 }).toBe("count");
    expect(param("selected")()).toBe(lastId);
    await page.keyboard.press("Home");
    const firstId = (await groups.first().getAttribute("data-group-id")) as string;
    await expect.poll(param("selected"), { timeout: 10_000 }).toBe(firstId);
    await expect.poll(inView(firstId), { timeout: 10_000 }).toBe(true);
    expect(await inView(lastId)()).toBe(false);

    // Back: the entry before the pick selects the last group, scrolled into view; Forward: the first again.
    await page.goBack();
    await expect.poll(param("sort"), { timeout: 10_000 }).toBeNull();
    expect(param("selected")()).toBe(lastId);
    await expect.poll(inView(lastId), { timeout: 10_000 }).toBe(true);
    await page.goForward();
    await expect.poll(param("selected"), { timeout: 10_000 }).toBe(firstId);
    await expect.poll(inView(firstId), { timeout: 10_000 }).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("walks groups and an open group's newest traces from the keyboard, as the trace list does", async () => {
    const { app, browser } = suite;
    const users = [];
    for (const id of ["1", "2"]) {
      users.push(
        await sendFailingTrace(app.base, { service: "keys", name: "GET /users/:id", fail: () => loadUser(id) }),
      );
    }
    await sendFailingTrace(app.base, { service: "keys", name: "GET /shards", fail: () => pickShard(9) });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors?service=keys`);
    const groups = page.getByTestId("error-group");
    await expect.poll(() => groups.count()).toBe(2);
    // Newest first: the RangeError, then the TypeError.
    const shards = groups.filter({ hasText: "RangeError" });
    const typeErrors = groups.filter({ hasText: "TypeError" });
    const shardsId = (await shards.getAttribute("data-group-id")) as string;
    const typeId = (await typeErrors.getAttribute("data-group-id")) as string;
    const tree = page.getByRole("tree", { name: "Error groups" });
    const selectedIds = () =>
      page.evaluate(() => [...document.querySelectorAll('[aria-selected="true"]')].map((element) => element.id));
    expect(await selectedIds()).toEqual([]);

    await page.keyboard.press("j");
    await expect.poll(selectedIds).toEqual([`error-group-${shardsId}`]);
    await page.keyboard.press("j");
    await expect.poll(selectedIds).toEqual([`error-group-${typeId}`]);
    expect(await tree.getAttribute("aria-activedescendant")).toBe(`error-group-${typeId}`);
    // o opens the selected group, into the address.
    await page.keyboard.press("o");
    await expect.poll(() => new URL(page.url()).searchParams.get("group")).toBe(typeId);
    expect(await typeErrors.getAttribute("aria-expanded")).toBe("true");
    // Its newest traces come next, newest first; past the last, j stays.
    const [older, newer] = users as [{ traceId: string; failingSpanId: string }, (typeof users)[number]];
    await page.keyboard.press("j");
    await expect.poll(selectedIds).toEqual([`error-trace-${typeId}-${newer.traceId}`]);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("j");
    await expect.poll(selectedIds).toEqual([`error-trace-${typeId}-${older.traceId}`]);
    await page.keyboard.press("k");
    await expect.poll(selectedIds).toEqual([`error-trace-${typeId}-${newer.traceId}`]);
    expect(await tree.getAttribute("aria-activedescendant")).toBe(`error-trace-${typeId}-${newer.traceId}`);
    // Enter opens that trace on the span that failed.
    await page.keyboard.press("Enter");
    await page.waitForURL("**/traces/**");
    expect(new URL(page.url()).pathname).toBe(`/traces/${newer.traceId}`);
    expect(new URL(page.url()).searchParams.get("span")).toBe(newer.failingSpanId);

    // Back: the group open and that trace selected; k to the group's line and Enter closes it, Home
    // and Enter open the first.
    await page.goBack();
    await page.waitForURL((url) => url.pathname === "/errors");
    await expect.poll(selectedIds).toEqual([`error-trace-${typeId}-${newer.traceId}`]);
    await page.keyboard.press("k");
    await expect.poll(selectedIds).toEqual([`error-group-${typeId}`]);
    await page.keyboard.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("group")).toBeNull();
    expect(await typeErrors.getAttribute("aria-expanded")).toBe("false");
    await page.keyboard.press("Home");
    await expect.poll(selectedIds).toEqual([`error-group-${shardsId}`]);
    await page.keyboard.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("group")).toBe(shardsId);

    // Enter on a focused button presses that button, not the selected row.
    await typeErrors.getByRole("button", { name: "Show details" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("group")).toBe(typeId);
    expect(await shards.getAttribute("aria-expanded")).toBe("false");

    // A click on a row selects it and hands the keyboard to the list, where j/k go on from it.
    await typeErrors.locator(".error-group-meta").click();
    await expect.poll(selectedIds).toEqual([`error-group-${typeId}`]);
    expect(await tree.evaluate((element) => document.activeElement === element)).toBe(true);
    await page.keyboard.press("k");
    await expect.poll(selectedIds).toEqual([`error-group-${shardsId}`]);

    // The shortcut sheet lists them.
    await page.keyboard.press("?");
    const sheet = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    expect(await sheet.textContent()).toContain("on Errors: open or close the selected group");
    await page.keyboard.press("Escape");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("keeps the keyboard's row in the URL, so a reload and Back select it again, and Esc closes the open group", async () => {
    const { app, browser } = suite;
    const users = [];
    for (const id of ["1", "2"]) {
      users.push(
        await sendFailingTrace(app.base, { service: "kept", name: "GET /users/:id", fail: () => loadUser(id) }),
      );
    }
    await sendFailingTrace(app.base, { service: "kept", name: "GET /shards", fail: () => pickShard(9) });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors?service=kept`);
    const groups = page.getByTestId("error-group");
    await expect.poll(() => groups.count(), { timeout: 10_000 }).toBe(2);
    const typeErrors = groups.filter({ hasText: "TypeError" });
    const typeId = (await typeErrors.getAttribute("data-group-id")) as string;
    const selectedIds = () =>
      page.evaluate(() => [...document.querySelectorAll('[aria-selected="true"]')].map((element) => element.id));
    const param = (name: string) => () => new URL(page.url()).searchParams.get(name);

    // A group selected, not opened: in the address, and selected again after a reload.
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    await expect.poll(selectedIds, { timeout: 10_000 }).toEqual([`error-group-${typeId}`]);
    expect(param("selected")()).toBe(typeId);
    await page.reload();
    await expect.poll(selectedIds, { timeout: 10_000 }).toEqual([`error-group-${typeId}`]);
    expect(param("service")()).toBe("kept");

    // Opened, the group is its own selection: `?group=` alone says it.
    await page.keyboard.press("o");
    await expect.poll(param("group"), { timeout: 10_000 }).toBe(typeId);
    expect(param("selected")()).toBeNull();
    // One of its newest traces, opened and Back: that trace is selected again, its group open.
    const newer = users[1] as { traceId: string };
    await page.keyboard.press("j");
    await expect.poll(selectedIds, { timeout: 10_000 }).toEqual([`error-trace-${typeId}-${newer.traceId}`]);
    expect(param("selected")()).toBe(newer.traceId);
    await page.keyboard.press("Enter");
    await page.waitForURL("**/traces/**");
    await page.goBack();
    await page.waitForURL((url) => url.pathname === "/errors");
    await expect.poll(selectedIds, { timeout: 10_000 }).toEqual([`error-trace-${typeId}-${newer.traceId}`]);
    expect(await typeErrors.getAttribute("aria-expanded")).toBe("true");

    // Esc while the shortcut sheet is open closes the sheet alone.
    await page.keyboard.press("?");
    const sheet = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await sheet.waitFor();
    await page.keyboard.press("Escape");
    await sheet.waitFor({ state: "detached" });
    expect(await typeErrors.getAttribute("aria-expanded")).toBe("true");
    // Esc closes the open group, the keyboard back on its line, without a history entry of its own.
    const entries = await page.evaluate(() => history.length);
    await page.keyboard.press("Escape");
    await expect.poll(() => typeErrors.getAttribute("aria-expanded"), { timeout: 10_000 }).toBe("false");
    expect(param("group")()).toBeNull();
    expect(param("selected")()).toBe(typeId);
    await expect.poll(selectedIds, { timeout: 10_000 }).toEqual([`error-group-${typeId}`]);
    expect(await page.evaluate(() => history.length)).toBe(entries);
    // A filter picked keeps the row; a reload shows the group closed and selected.
    await page.getByRole("combobox", { name: /sort/i }).selectOption("count");
    await expect.poll(param("sort"), { timeout: 10_000 }).toBe("count");
    expect(param("selected")()).toBe(typeId);
    await page.reload();
    await expect.poll(selectedIds, { timeout: 10_000 }).toEqual([`error-group-${typeId}`]);
    expect(await typeErrors.getAttribute("aria-expanded")).toBe("false");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("shows the list for the filter picked last, though the answer for an earlier pick comes after it", async () => {
    const { app, browser } = suite;
    for (const service of ["stale-early", "stale-late"]) {
      await postJson(
        app.base,
        jsonTraceRequest(service, [{ name: "GET /stale", kind: 2, statusCode: 2, statusMessage: `${service} failed` }]),
      );
    }
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors`);
    const groups = page.getByTestId("error-group");
    await groups.filter({ hasText: "stale-late failed" }).waitFor();
    // The answer for the first pick is held until the second pick's list is shown.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = 0;
    let delivered: Promise<void> | null = null;
    await page.route(/\/api\/errors\?.*service=stale-early/, async (route) => {
      held++;
      const response = await route.fetch();
      await released;
      delivered = route.fulfill({ response }).catch(() => {});
    });
    await page.locator("select.filter-service").selectOption("stale-early");
    await expect.poll(() => held, { timeout: 10_000 }).toBe(1);
    await page.locator("select.filter-service").selectOption("stale-late");
    await expect
      .poll(() => groups.allTextContents(), { timeout: 10_000 })
      .toEqual([expect.stringContaining("stale-late failed")]);
    release();
    await expect.poll(() => delivered !== null, { timeout: 10_000 }).toBe(true);
    await delivered;
    // Time for a late answer to be drawn, were it taken.
    await page.waitForTimeout(500);
    expect(await groups.allTextContents()).toEqual([expect.stringContaining("stale-late failed")]);
    expect(new URL(page.url()).searchParams.get("service")).toBe("stale-late");

    // Live refreshes for the same filters are asked one at a time: traffic while one is in flight asks
    // once more after it, not once a second, and the answer shown is the one asked last (here a failure).
    let releaseFirst = () => {};
    const firstReleased = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let refreshes = 0;
    await page.route(/\/api\/errors\?.*service=stale-late/, async (route) => {
      if (++refreshes > 1) {
        return route.fulfill({ status: 500, contentType: "text/plain", body: "grouping failed" });
      }
      const response = await route.fetch();
      await firstReleased;
      await route.fulfill({ response }).catch(() => {});
    });
    const send = (message: string) =>
      postJson(
        app.base,
        jsonTraceRequest("stale-late", [{ name: message, kind: 2, statusCode: 2, statusMessage: message }]),
      );
    await send("first refresh");
    await expect.poll(() => refreshes, { timeout: 10_000 }).toBe(1);
    for (const message of ["second refresh", "third refresh"]) {
      await send(message);
      await page.waitForTimeout(1_500);
    }
    expect(refreshes).toBe(1);
    releaseFirst();
    await expect.poll(() => refreshes, { timeout: 10_000 }).toBe(2);
    const banner = page.locator(".error-banner");
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toContain("Could not load errors");
    // Time for another answer to be drawn over the failure, were one on its way.
    await page.waitForTimeout(1_500);
    expect(refreshes).toBe(2);
    expect(await banner.count()).toBe(1);
    expect(await groups.filter({ hasText: "first refresh" }).count()).toBe(1);
    await page.close();
    // Chromium logs the failure it was sent.
    expect(problems).toEqual([expect.stringContaining("status of 500")]);
  });

  it("says an error that arrives between two ticks of the page's clock happened just now, not in the future", async () => {
    const { app, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    // The page opens 8 s before now by its own clock; then its clock is set to now without a tick of its
    // timers: as when an error arrives 8 s after the page's last "… ago" tick (it ticks every 10 s).
    await page.clock.install({ time: Date.now() - 8_000 });
    await page.goto(`${app.base}/errors?service=between-ticks`);
    await expect.poll(() => page.getByTestId("errors-empty").count()).toBe(1);
    await page.clock.setSystemTime(Date.now());
    await postJson(
      app.base,
      jsonTraceRequest("between-ticks", [
        {
          name: "sync",
          kind: 2,
          statusCode: 2,
          statusMessage: "stale clock",
          startNs: BigInt(Date.now()) * 1_000_000n,
        },
      ]),
    );
    const seen = page.getByTestId("error-group").locator(".error-group-seen");
    await expect.poll(() => seen.count(), { timeout: 10_000 }).toBe(1);
    await expect(seen.locator("div").allTextContents()).resolves.toEqual(["just now", "first just now"]);
    await page.close();
  });

  it("filters by service and says it matches nothing, not that nothing is stored, and resets it", async () => {
    const { app, browser } = suite;
    await postJson(
      app.base,
      jsonTraceRequest("has-errors", [
        { name: "sync", kind: 2, statusCode: 2, statusMessage: "down", startNs: BigInt(Date.now()) * 1_000_000n },
      ]),
    );
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.base}/errors?service=nobody`);
    const empty = page.getByTestId("errors-empty");
    await expect.poll(() => empty.locator("h2").textContent()).toBe("No errors for this service");
    // Errors are stored: no "connect an app" for a filter that matches nothing.
    expect(await page.getByTestId("setup-hint").count()).toBe(0);
    await empty.getByRole("button", { name: "Reset filters" }).click();
    await expect.poll(() => new URL(page.url()).search).toBe("");
    await expect.poll(() => page.getByTestId("error-group").filter({ hasText: "has-errors" }).count()).toBe(1);
    await page.close();
  });
});

describe.skipIf(!available)("the Errors page's order while the reader is on it, in Chromium", () => {
  const suite = useAppInChromium();

  /** One failing span of the service "held-order" whose status message names its group. */
  const fail = (base: string, message: string) =>
    postJson(
      base,
      jsonTraceRequest("held-order", [
        { name: "work", kind: 2, statusCode: 2, statusMessage: message, startNs: BigInt(Date.now()) * 1_000_000n },
      ]),
    );

  it("holds the groups' order under the pointer and while one is selected, new groups behind a pill", async () => {
    const { app, browser } = suite;
    await fail(app.base, "first failure");
    await fail(app.base, "second failure");
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.base}/errors?service=held-order`);
    const groups = page.getByTestId("error-group");
    const order = () => groups.evaluateAll((items) => items.map((item) => item.textContent?.match(/\w+ failure/)?.[0]));
    await expect.poll(order).toEqual(["second failure", "first failure"]);

    // The pointer on the list: a newer error of the second group leaves it where it is, counted.
    await groups.nth(0).hover();
    await fail(app.base, "first failure");
    const firstCount = groups.filter({ hasText: "first failure" }).getByTestId("error-count");
    await expect.poll(() => firstCount.textContent(), { timeout: 10_000 }).toBe("2");
    expect(await order()).toEqual(["second failure", "first failure"]);
    const pill = page.getByTestId("errors-held");
    await expect.poll(() => pill.textContent()).toBe("↑ Order changed");
    await fail(app.base, "third failure");
    await expect.poll(() => pill.textContent(), { timeout: 10_000 }).toBe("↑ 1 new group, order changed");
    expect(await order()).toEqual(["second failure", "first failure"]);

    // Leaving the list shows the newest order.
    await page.mouse.move(5, 5);
    await expect.poll(order).toEqual(["third failure", "first failure", "second failure"]);
    expect(await pill.count()).toBe(0);

    // A selected group holds the order with the pointer elsewhere, until the pill is pressed.
    await groups.nth(2).getByTestId("error-count").click();
    await page.mouse.move(5, 5);
    await fail(app.base, "second failure");
    await expect.poll(() => pill.textContent(), { timeout: 10_000 }).toBe("↑ Order changed");
    expect(await order()).toEqual(["third failure", "first failure", "second failure"]);
    await pill.click();
    await expect.poll(order).toEqual(["second failure", "third failure", "first failure"]);
    await page.close();
  });

  it("applies an order picked at once, a group selected or open, keeping that group selected and in view", async () => {
    const { app, browser } = suite;
    // A millisecond apart each, so the order by time never ties (sends may share a millisecond).
    let at = (BigInt(Date.now()) - 60_000n) * 1_000_000n;
    const send = (message: string) => {
      at += 1_000_000n;
      return postJson(
        app.base,
        jsonTraceRequest("picked-order", [
          { name: "work", kind: 2, statusCode: 2, statusMessage: message, startNs: at },
        ]),
      );
    };
    // The busiest group failed first, so it comes last by time and first by count.
    for (let i = 0; i < 3; i++) await send("busy failure");
    // Letters, not numbers: a number in a message is a value, grouped as one.
    const letters = "abcdefghijklmnopqrstuvwxyzABCD";
    for (const letter of letters) await send(`quiet failure ${letter}`);
    const page = await browser.newPage({ viewport: { width: 1000, height: 500 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/errors?service=picked-order`);
    const groups = page.getByTestId("error-group");
    // The list draws the groups in view; each says how many are listed.
    await expect.poll(() => groups.first().getAttribute("aria-setsize"), { timeout: 10_000 }).toBe("31");
    const busy = groups.filter({ hasText: "busy failure" });
    // Last by time: not drawn until the list is scrolled to it.
    const busiest = (await fetch(`${app.base}/api/errors?service=picked-order&sort=count&limit=1`).then((r) =>
      r.json(),
    )) as { groups: { id: string }[] };
    const busyId = busiest.groups[0]?.id as string;
    const counts = () =>
      groups.evaluateAll((items) =>
        items.map((item) => item.querySelector("[data-testid='error-count']")?.textContent),
      );
    const param = (name: string) => () => new URL(page.url()).searchParams.get(name);
    const busyInView = () =>
      busy.evaluate((group) => {
        const box = group.querySelector(".error-group-row")?.getBoundingClientRect();
        return box !== undefined && box.top >= 0 && box.bottom <= innerHeight + 1;
      });

    // The busy group selected from the keyboard, at the bottom; then the most errors first.
    await page.keyboard.press("End");
    await expect.poll(param("selected"), { timeout: 10_000 }).toBe(busyId);
    await page.getByRole("combobox", { name: /sort/i }).selectOption("count");
    await expect.poll(param("sort"), { timeout: 10_000 }).toBe("count");
    await expect.poll(async () => (await counts())[0], { timeout: 10_000 }).toBe("3");
    expect(await groups.first().getAttribute("data-group-id")).toBe(busyId);
    expect(await page.getByTestId("errors-held").count()).toBe(0);
    expect(param("selected")()).toBe(busyId);
    expect(await busy.getAttribute("aria-selected")).toBe("true");
    await expect.poll(busyInView, { timeout: 10_000 }).toBe(true);

    // Open, and back to the newest first: the order picked applies at once again, the group still open and in view.
    await page.keyboard.press("Enter");
    await expect.poll(param("group"), { timeout: 10_000 }).toBe(busyId);
    await page.getByRole("combobox", { name: /sort/i }).selectOption("lastSeen");
    await expect.poll(param("sort"), { timeout: 10_000 }).toBeNull();
    await expect.poll(async () => (await counts())[0], { timeout: 10_000 }).toBe("1");
    expect(await groups.last().getAttribute("data-group-id")).toBe(busyId);
    expect(await page.getByTestId("errors-held").count()).toBe(0);
    expect(await busy.getAttribute("aria-expanded")).toBe("true");
    await expect.poll(busyInView, { timeout: 10_000 }).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });
});
