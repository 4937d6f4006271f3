/// <reference lib="dom" />
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import type { LogListResponse } from "../../src/protocol.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { type LogToWrite, SeverityNumber, sendLogsInTrace } from "../helpers/logs-in-trace.js";
import { jsonLogRequest, jsonTraceRequest, newSpanId, newTraceId, postJson, postLogs } from "../helpers/payloads.js";

const available = chromiumAvailable();

/** A checkout as an instrumented app logs it: two records in the request's span, two in its payment call. */
const CHECKOUT_LOGS: LogToWrite[] = [
  {
    in: "root",
    severity: SeverityNumber.INFO,
    severityText: "INFO",
    body: "checkout started",
    attributes: { "cart.items": 3 },
  },
  {
    in: "child",
    severity: SeverityNumber.WARN,
    severityText: "WARN",
    body: { retry: 1, reason: "gateway timeout" },
  },
  {
    in: "child",
    severity: SeverityNumber.ERROR,
    severityText: "ERROR",
    body: "card declined\n    at charge (pay.js:10:5)",
    attributes: { "payment.provider": "stripe" },
  },
  {
    in: "root",
    severity: SeverityNumber.INFO,
    eventName: "checkout.completed",
    body: { orderId: "o-17", total: 89.9 },
  },
];

describe.skipIf(!available)("Logs in Chromium", () => {
  const suite = useAppInChromium();
  let page: Page;
  let problems: string[] = [];

  beforeEach(async () => {
    await fetch(`${suite.app.base}/api/traces`, { method: "DELETE" });
    page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    problems = collectPageProblems(page);
    return async () => {
      await page.close();
      expect(problems).toEqual([]);
    };
  });

  const rowWith = (text: string) => page.locator("[data-log-id]", { hasText: text });

  it("shows what an app logs live, without a reload: level, service, body on one line, events, never HTML", async () => {
    await page.goto(`${suite.app.base}/logs`);
    const setup = page.getByTestId("logs-setup");
    await expect
      .poll(() => setup.textContent())
      .toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:${suite.app.port}`);
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 7;
    });

    const sent = await sendLogsInTrace(suite.app.base, {
      service: "checkout-api",
      name: "POST /checkout",
      logs: [...CHECKOUT_LOGS, { in: "none", severity: SeverityNumber.DEBUG, body: "<b>not bold</b> <img src=x>" }],
    });
    await expect.poll(() => page.locator("[data-log-id]").count()).toBe(5);
    await expect.poll(() => setup.count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);

    const error = rowWith("card declined");
    expect(await error.getAttribute("data-severity")).toBe("ERROR");
    expect(await error.locator(".sev-badge").textContent()).toBe("ERROR");
    // A stack trace reads on one line; the row names the service and links the trace.
    expect(await error.textContent()).toContain("card declined ⏎ at charge (pay.js:10:5)");
    expect(await error.textContent()).toContain("checkout-api");
    expect(await error.getByRole("link").textContent()).toContain(sent.traceId.slice(0, 8));
    expect(await error.locator(".log-col-time").textContent()).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3}$/);
    expect(await page.locator(".log-header-row").textContent()).toMatch(/Time\s*UTC/);
    // Structured bodies as compact JSON; events by their name, with their mark.
    expect(await rowWith("gateway timeout").textContent()).toContain('{"retry":1,"reason":"gateway timeout"}');
    const event = rowWith("checkout.completed");
    expect(await event.locator("[aria-label='event']").count()).toBe(1);
    expect(await event.textContent()).toContain('{"orderId":"o-17","total":89.9}');
    // Telemetry is text: the markup shows as written and makes no element.
    const html = rowWith("not bold");
    expect(await html.textContent()).toContain("<b>not bold</b> <img src=x>");
    expect(await html.locator("b, img").count()).toBe(0);
    expect(await html.getByRole("link").count()).toBe(0);
    // The severity colours differ per level.
    const colour = (text: string) =>
      rowWith(text)
        .locator(".sev-badge")
        .evaluate((el) => getComputedStyle(el).color);
    expect(
      new Set([await colour("card declined"), await colour("gateway timeout"), await colour("not bold")]).size,
    ).toBe(3);

    // Selecting a record opens everything about it; Escape closes it.
    await error.click();
    const details = page.getByTestId("log-details");
    await expect.poll(() => details.textContent()).toContain("card declined\n    at charge (pay.js:10:5)");
    expect(await details.locator('[data-attr-key="payment.provider"]').textContent()).toContain("stripe");
    expect(await details.textContent()).toContain("number 17");
    expect(await details.textContent()).toContain("checkout.handlers");
    expect(await details.getByTestId("log-trace-link").getAttribute("href")).toBe(
      `/traces/${sent.traceId}?span=${sent.childSpanId}&log=${await error.getAttribute("data-log-id")}`,
    );
    expect(page.url()).toContain(`log=${await error.getAttribute("data-log-id")}`);
    await page.keyboard.press("Escape");
    await expect.poll(() => details.count()).toBe(0);
    expect(page.url()).not.toContain("log=");
  });

  it("links a record's span id to its trace with that span selected", async () => {
    const sent = await sendLogsInTrace(suite.app.base, {
      service: "checkout-api",
      name: "POST /checkout",
      logs: CHECKOUT_LOGS,
    });
    await page.goto(`${suite.app.base}/logs`);
    const error = rowWith("card declined");
    await error.click();
    const details = page.getByTestId("log-details");
    const spanLink = details.getByTestId("log-span-link");
    await expect.poll(() => spanLink.textContent(), { timeout: 10_000 }).toBe(sent.childSpanId);
    expect(await spanLink.getAttribute("href")).toBe(
      `/traces/${sent.traceId}?span=${sent.childSpanId}&log=${await error.getAttribute("data-log-id")}`,
    );
    // The copy button stays beside it.
    expect(await details.getByRole("button", { name: "Copy span id" }).count()).toBe(1);
    await spanLink.click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toBe(`/traces/${sent.traceId}`);
    expect(new URL(page.url()).searchParams.get("span")).toBe(sent.childSpanId);
    await expect
      .poll(() => page.getByTestId("span-details").textContent(), { timeout: 10_000 })
      .toContain(sent.childSpanId);
  });

  it("shows the official events example as an event, its map body indented", async () => {
    const body = readFileSync("test/fixtures/otlp-examples/events.json");
    const response = await fetch(`${suite.app.base}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(response.status).toBe(200);
    await page.goto(`${suite.app.base}/logs`);
    const row = rowWith("browser.page_view");
    await row.waitFor();
    expect(await row.locator("[aria-label='event']").count()).toBe(1);
    await row.click();
    const details = page.getByTestId("log-details");
    await expect.poll(() => details.locator(".log-details-title").textContent()).toContain("browser.page_view");
    expect(await details.getByTestId("log-body").getAttribute("data-body-kind")).toBe("json");
    expect(await details.getByTestId("log-body").locator("pre").textContent()).toContain(
      '  "url": "https://www.guidgenerator.com/online-guid-generator.aspx",',
    );
    expect(await details.textContent()).toContain("test severity text");
    expect(await details.locator('[data-attr-key="event.attribute"]').textContent()).toContain("some event attribute");
  });

  it("shows a record named by the older event.name attribute as an event, as instrumentations still send them", async () => {
    // As @opentelemetry/instrumentation-openai writes a prompt: the name in an attribute, not in event_name.
    const request = jsonLogRequest("assistant", [
      {
        attributes: { "event.name": "gen_ai.user.message", "gen_ai.system": "openai" },
        body: { kvlistValue: { values: [{ key: "content", value: { stringValue: "A mug under $20?" } }] } },
      },
    ]);
    expect((await postLogs(suite.app.base, request)).status).toBe(200);
    await page.goto(`${suite.app.base}/logs`);
    const row = rowWith("A mug under $20?");
    await row.waitFor();
    expect(await row.locator("[aria-label='event']").count()).toBe(1);
    expect(await row.locator(".log-event-name").textContent()).toBe("gen_ai.user.message");
    await row.click();
    const details = page.getByTestId("log-details");
    await expect.poll(() => details.locator(".log-details-title").textContent()).toContain("gen_ai.user.message");
  });

  it("cuts a long body in the list and in the details until 'show all'", async () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i} of a long dump`).join("\n");
    const request = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "dumper" } }] },
          scopeLogs: [{ logRecords: [{ severityNumber: 9, body: { stringValue: text } }] }],
        },
      ],
    };
    const response = await fetch(`${suite.app.base}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    expect(response.status).toBe(200);
    await page.goto(`${suite.app.base}/logs`);
    const row = rowWith("line 0 of a long dump");
    await row.waitFor();
    expect((await row.locator(".log-line").textContent())?.length).toBe(301);
    await row.click();
    const body = page.getByTestId("log-body");
    const lines = async () => ((await body.locator("pre").textContent()) ?? "").split("\n").length;
    await expect.poll(lines).toBe(60);
    await body.getByRole("button", { name: /show all \(200 lines/ }).click();
    await expect.poll(lines).toBe(200);
  });

  it("indents a long JSON text body as written, worked out once and not again at 'show all'", async () => {
    // Counts the page's parses of the body's own text.
    await page.addInitScript(() => {
      const parse = JSON.parse;
      const w = window as unknown as { bodyParses: number };
      w.bodyParses = 0;
      JSON.parse = ((text: string, reviver?: (key: string, value: unknown) => unknown) => {
        if (typeof text === "string" && text.trimStart().startsWith('{"batch":')) w.bodyParses++;
        return parse(text, reviver);
      }) as typeof JSON.parse;
    });
    const items = Array.from({ length: 100 }, (_, i) => `{"id":${i},"name":"item ${i}"}`);
    const text = `{"batch":12345678901234567890,"items":[${items.join(",")}]}`;
    await postLogs(suite.app.base, jsonLogRequest("dumper", [{ body: text }]));
    await page.goto(`${suite.app.base}/logs`);
    await rowWith('{"batch":').click();
    const body = page.getByTestId("log-body");
    await expect.poll(() => body.getAttribute("data-body-kind"), { timeout: 10_000 }).toBe("json");
    expect(await body.locator("pre").textContent()).toContain('"batch": 12345678901234567890,');
    const parses = () => page.evaluate(() => (window as unknown as { bodyParses: number }).bodyParses);
    const before = await parses();
    await body.getByRole("button", { name: /^show all/ }).click();
    await expect.poll(() => body.locator("pre").textContent(), { timeout: 10_000 }).toContain('"name": "item 99"');
    await body.getByRole("button", { name: "show less" }).click();
    expect(await parses()).toBe(before);
  });

  it("filters by level, service, text and trace, in the URL, and keeps live records to the filters", async () => {
    const checkout = await sendLogsInTrace(suite.app.base, {
      service: "checkout-api",
      name: "POST /checkout",
      logs: CHECKOUT_LOGS,
    });
    await sendLogsInTrace(suite.app.base, {
      service: "email-worker",
      name: "send receipt",
      logs: [
        { in: "root", severity: SeverityNumber.INFO, body: "receipt queued" },
        { in: "child", severity: SeverityNumber.ERROR, body: "smtp refused the receipt" },
      ],
    });
    await page.goto(`${suite.app.base}/logs`);
    const rows = page.locator("[data-log-id]");
    await expect.poll(() => rows.count()).toBe(6);

    await page.getByLabel("Minimum severity").selectOption("WARN");
    await page.waitForURL(/severity=WARN/);
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-severity")).sort())).toEqual([
      "ERROR",
      "ERROR",
      "WARN",
    ]);
    // Live records are held to the filter too.
    await sendLogsInTrace(suite.app.base, {
      service: "email-worker",
      name: "send reminder",
      logs: [
        { in: "root", severity: SeverityNumber.INFO, body: "reminder queued" },
        { in: "root", severity: SeverityNumber.FATAL, body: "mailbox gone" },
      ],
    });
    await rowWith("mailbox gone").waitFor();
    expect(await rowWith("reminder queued").count()).toBe(0);

    await page.getByLabel("Service").selectOption("email-worker");
    await page.waitForURL(/service=email-worker/);
    await expect.poll(() => rows.count()).toBe(2);

    await page.getByLabel("Search logs").fill("smtp");
    await page.getByLabel("Search logs").press("Enter");
    await page.waitForURL(/q=smtp/);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("smtp refused the receipt");

    // The URL is the view: a reload shows the same.
    await page.reload();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.getByLabel("Minimum severity").inputValue()).toBe("WARN");
    expect(await page.getByLabel("Service").inputValue()).toBe("email-worker");
    expect(await page.getByLabel("Search logs").inputValue()).toBe("smtp");

    // One trace's logs, from its id in the URL; the chip takes the filter away again.
    await page.goto(`${suite.app.base}/logs?traceId=${checkout.traceId}`);
    await expect.poll(() => rows.count()).toBe(4);
    const chip = page.getByTestId("filter-trace");
    expect(await chip.textContent()).toContain(checkout.traceId.slice(0, 8));
    await chip.getByRole("button").click();
    await page.waitForURL(`${suite.app.base}/logs`);
    await expect.poll(() => rows.count()).toBe(8);
  });

  it("offers in its service menu every service with records stored: one that only logs, older than the rows loaded, too", async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    // A worker that sends no spans, whose one record is under 250 newer ones (the first page holds 200).
    const worker = [{ body: "nightly cleanup done", timeNs: now - 1_000_000_000n }];
    expect((await postLogs(suite.app.base, jsonLogRequest("nightly-worker", worker))).status).toBe(200);
    const newer = Array.from({ length: 250 }, (_, i) => ({ body: `request ${i}`, timeNs: now + BigInt(i) * 1_000n }));
    expect((await postLogs(suite.app.base, jsonLogRequest("web-api", newer))).status).toBe(200);
    // A service that only sends spans has no records to pick.
    expect((await postJson(suite.app.base, jsonTraceRequest("spans-only", [{ name: "GET /" }]))).status).toBe(200);
    await page.goto(`${suite.app.base}/logs`);
    await rowWith("request 249").waitFor();
    const options = () =>
      page
        .getByLabel("Service")
        .locator("option")
        .evaluateAll((els) => els.map((el) => el.textContent));
    await expect.poll(options).toEqual(["All services", "nightly-worker", "web-api"]);
    // A service whose first record arrives live is added.
    expect((await postLogs(suite.app.base, jsonLogRequest("mailer", [{ body: "sent" }]))).status).toBe(200);
    await expect.poll(options).toEqual(["All services", "mailer", "nightly-worker", "web-api"]);
    await page.getByLabel("Service").selectOption("nightly-worker");
    await expect.poll(() => page.locator("[data-log-id]").count()).toBe(1);
    expect(await rowWith("nightly cleanup done").count()).toBe(1);
    // Filtered to another service, the list takes none of a new service's records; the menu offers it all the same.
    expect((await postLogs(suite.app.base, jsonLogRequest("billing", [{ body: "invoice sent" }]))).status).toBe(200);
    await expect.poll(options).toEqual(["All services", "billing", "mailer", "nightly-worker", "web-api"]);
    expect(await page.locator("[data-log-id]").count()).toBe(1);
  });

  it("counts every stored record while nothing is filtered, live, and every match when filtered", async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const records = Array.from({ length: 250 }, (_, i) => ({
      body: `record ${i}`,
      severityNumber: i % 10 === 0 ? 17 : 9,
      timeNs: now - BigInt(250 - i) * 1_000_000n,
    }));
    expect((await postLogs(suite.app.base, jsonLogRequest("counted", records))).status).toBe(200);
    await page.goto(`${suite.app.base}/logs`);
    const count = page.getByTestId("log-count");
    // 250 stored, 200 loaded in the first page: the count is the store's.
    await expect.poll(() => count.textContent()).toBe("250 records");
    expect((await postLogs(suite.app.base, jsonLogRequest("counted", [{ body: "one more" }]))).status).toBe(200);
    await expect.poll(() => count.textContent()).toBe("251 records");
    await page.getByLabel("Search logs").fill("record");
    await page.getByLabel("Search logs").press("Enter");
    // 200 loaded in the first page, 250 counted by the server.
    await expect.poll(() => count.textContent()).toBe("250 records");
    await page.getByLabel("Minimum severity").selectOption("ERROR");
    await expect.poll(() => count.textContent()).toBe("25 records");
  });

  it("counts a trace's, a span's and a window's records exactly, live, and says what a count past the server's bound is", async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const traceId = newTraceId();
    const [spanA, spanB] = [newSpanId(), newSpanId()];
    const records = Array.from({ length: 400 }, (_, i) => ({
      body: `step ${i}`,
      severityNumber: i % 8 === 0 ? 17 : 9,
      traceId,
      spanId: i < 300 ? spanA : spanB,
      timeNs: now - BigInt(400 - i) * 1_000_000n,
    }));
    expect((await postLogs(suite.app.base, jsonLogRequest("traced", records))).status).toBe(200);
    const count = page.getByTestId("log-count");
    // 400 stored, 200 loaded in the first page: the server counts the trace's.
    await page.goto(`${suite.app.base}/logs?traceId=${traceId}`);
    await expect.poll(() => count.textContent()).toBe("400 records");
    expect(await count.getAttribute("title")).toContain("this trace's records");
    await page.goto(`${suite.app.base}/logs?traceId=${traceId}&spanId=${spanA}`);
    await expect.poll(() => count.textContent()).toBe("300 records");
    await page.getByLabel("Minimum severity").selectOption("ERROR");
    await expect.poll(() => count.textContent()).toBe("38 records");
    // A record of the span that arrives live is counted.
    const more = [{ body: "late step", severityNumber: 17, traceId, spanId: spanA }];
    expect((await postLogs(suite.app.base, jsonLogRequest("traced", more))).status).toBe(200);
    await expect.poll(() => count.textContent()).toBe("39 records");
    // Not a trace's: counted by the server too, while it can count them at once.
    await page.goto(`${suite.app.base}/logs?q=step`);
    await expect.poll(() => count.textContent()).toBe("401 records");
    await page.goto(`${suite.app.base}/logs?severity=ERROR&window=1h`);
    await expect.poll(() => count.textContent()).toBe("50 records");
    // Past its bound: the rows loaded, "+" while more follow, and the title says what that bounds.
    const bulk = Array.from({ length: 2_300 }, (_, i) => ({ body: `bulk ${i}`, timeNs: now - BigInt(i) * 1_000n }));
    expect((await postLogs(suite.app.base, jsonLogRequest("bulky", bulk))).status).toBe(200);
    await page.goto(`${suite.app.base}/logs?q=bulk`);
    await expect.poll(() => count.textContent()).toBe("200+ records");
    expect(await count.getAttribute("title")).toMatch(
      /^The first 200 records .*more match than the server counts at once \(2,000 in all\)/,
    );
  });

  it("leaves no gap and no record uncounted when a burst is more than a live message carries", async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const burst = (from: number, length: number) =>
      Array.from({ length }, (_, i) => ({ body: `burst ${from + i}`, timeNs: now + BigInt(from + i) * 1_000n }));
    expect((await postLogs(suite.app.base, jsonLogRequest("bursty", burst(0, 10)))).status).toBe(200);
    await page.goto(`${suite.app.base}/logs`);
    const count = page.getByTestId("log-count");
    await expect.poll(() => count.textContent()).toBe("10 records");
    // One request of 1,500: the live message carries the newest 1,000 and counts the rest, and the
    // list, which would have a gap under those 1,000, is loaded afresh.
    const reloaded = page.waitForResponse((response) => response.url().includes("/api/logs?"), { timeout: 5_000 });
    expect((await postLogs(suite.app.base, jsonLogRequest("bursty", burst(10, 1500)))).status).toBe(200);
    await expect.poll(() => count.textContent()).toBe("1,510 records");
    await reloaded.catch(() => undefined);
    await expect.poll(() => rowWith("burst 1509").count()).toBe(1);
    // Rows 990 to 1,010 from the top, where the records the message did not carry begin.
    const numbersAt = async (row: number) => {
      await page.locator(".log-rows").evaluate((el, top) => {
        el.scrollTop = top;
      }, row * 28);
      await page.waitForTimeout(150);
      return page
        .locator("[data-log-id]")
        .evaluateAll((els) => els.map((el) => Number(/burst (\d+)/.exec(el.textContent ?? "")?.[1])));
    };
    for (let row = 200; row < 1000; row += 200) await numbersAt(row);
    await expect.poll(async () => (await numbersAt(990)).includes(1509 - 1000)).toBe(true);
    const shown = await numbersAt(990);
    expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => (shown[0] as number) - i));
  });

  it("shows a trace's records that a burst's live message did not carry on its open trace page", async () => {
    const sent = await sendLogsInTrace(suite.app.base, {
      service: "checkout-api",
      name: "POST /checkout",
      logs: [{ in: "root", severity: SeverityNumber.INFO, body: "checkout started" }],
    });
    await page.goto(`${suite.app.base}/traces/${sent.traceId}`);
    const panelRows = page.getByTestId("trace-logs").locator(".trace-log-row");
    await expect.poll(() => panelRows.count()).toBe(1);
    // One record pushed live: the page's live feed is open.
    const inTrace = (body: string) => ({ body, traceId: sent.traceId, spanId: sent.rootSpanId });
    expect((await postLogs(suite.app.base, jsonLogRequest("bursty", [inTrace("pushed")]))).status).toBe(200);
    await expect.poll(() => panelRows.count()).toBe(2);
    // The trace's two late records come first in a request of 1,500: the live message carries the other newest 1,000.
    const ofTrace = [inTrace("late one"), inTrace("late two")];
    const others = Array.from({ length: 1498 }, (_, i) => ({ body: `elsewhere ${i}` }));
    expect((await postLogs(suite.app.base, jsonLogRequest("bursty", [...ofTrace, ...others]))).status).toBe(200);
    await expect.poll(() => panelRows.count()).toBe(4);
    expect(await page.getByTestId("trace-logs").textContent()).toContain("late two");
  });

  it("opens a linked record that is past the loaded pages or filtered out, and says when one is no longer stored", async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const records = Array.from({ length: 300 }, (_, i) => ({
      body: i === 0 ? "the oldest <b>record</b>" : `filler ${i}`,
      timeNs: now - BigInt(300 - i) * 1_000_000n,
    }));
    expect((await postLogs(suite.app.base, jsonLogRequest("linked", records))).status).toBe(200);
    const { logs } = (await (await fetch(`${suite.app.base}/api/logs?q=oldest`)).json()) as LogListResponse;
    const oldest = logs[0]?.id as string;
    // The first page holds the newest 200: the link still opens the record.
    await page.goto(`${suite.app.base}/logs?log=${oldest}`);
    const details = page.getByTestId("log-details");
    await expect.poll(() => details.getByTestId("log-body").textContent()).toContain("the oldest <b>record</b>");
    expect(await details.locator("b").count()).toBe(0);
    // And the list, as it was where the link was copied: older pages loaded until its row is there,
    // selected and in view (the list stayed on its newest 200, the row nowhere).
    const row = page.locator(`[data-log-id="${oldest}"]`);
    await expect.poll(() => row.getAttribute("aria-selected")).toBe("true");
    await expect
      .poll(() =>
        row.evaluate((el) => {
          const box = el.getBoundingClientRect();
          const list = el.closest(".virtual-list, [role=listbox]")?.getBoundingClientRect() ?? {
            top: 0,
            bottom: innerHeight,
          };
          return box.top >= list.top - 1 && box.bottom <= list.bottom + 1;
        }),
      )
      .toBe(true);
    // Filtered out by the level: still open.
    await page.goto(`${suite.app.base}/logs?severity=ERROR&log=${oldest}`);
    await expect.poll(() => details.textContent()).toContain("the oldest <b>record</b>");
    // An id never given, or one cleared, says it is not stored.
    await page.goto(`${suite.app.base}/logs?log=abc`);
    await expect.poll(() => page.locator(".log-details-missing").textContent()).toContain("Record abc is not stored");
  });

  it("loads older pages until a record far down is in the list: by its link, by scrolling, and back from its trace", async () => {
    // The record to find, in a stored trace, under 1,500 newer records of its service (7 pages of 200 and more).
    const sent = await sendLogsInTrace(suite.app.base, {
      service: "deep-api",
      name: "GET /deep",
      logs: [{ in: "child", severity: SeverityNumber.WARN, body: "the deep record" }],
    });
    const { logs } = (await (await fetch(`${suite.app.base}/api/logs?q=deep`)).json()) as LogListResponse;
    const deepId = logs[0]?.id as string;
    const after = BigInt(Date.now() + 1_000) * 1_000_000n;
    const newer = Array.from({ length: 1500 }, (_, i) => ({
      body: `newer ${i}`,
      timeNs: after + BigInt(i) * 1_000_000n,
    }));
    expect((await postLogs(suite.app.base, jsonLogRequest("deep-api", newer))).status).toBe(200);
    const row = page.locator(`[data-log-id="${deepId}"]`);
    const selectedInView = () =>
      row.evaluate((el) => {
        const box = el.getBoundingClientRect();
        const list = (el.closest("[role=listbox]") as Element).getBoundingClientRect();
        return el.getAttribute("aria-selected") === "true" && box.top >= list.top - 1 && box.bottom <= list.bottom + 1;
      });
    const deepRowShown = async () => (await row.count()) === 1 && (await selectedInView());

    // A link to it: the list pages on until its row is there, selected and in view.
    await page.goto(`${suite.app.base}/logs?service=deep-api&log=${deepId}`);
    await expect.poll(() => page.getByTestId("log-details").textContent()).toContain("the deep record");
    await expect.poll(deepRowShown, { timeout: 10_000 }).toBe(true);

    // Scrolled to by hand, page after page: each near the bottom asks for the next.
    await page.goto(`${suite.app.base}/logs?service=deep-api`);
    await rowWith("newer 1499").waitFor();
    const list = page.locator(".log-rows");
    await expect
      .poll(async () => {
        await list.evaluate((el) => {
          el.scrollTop = el.scrollHeight;
        });
        return row.count();
      })
      .toBe(1);
    // Opened, its trace opened with Enter, and Escape back: the list finds its row again.
    await row.click();
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/traces/${sent.traceId}?**`);
    await page.getByTestId("span-details").waitFor();
    await page.keyboard.press("Escape");
    await page.waitForURL(`**/logs?service=deep-api&log=${deepId}`);
    await expect.poll(deepRowShown, { timeout: 10_000 }).toBe(true);
  });

  it("says a body or attribute sent as bytes is bytes, beside its base64 text", async () => {
    const request = jsonLogRequest("binary", [
      { body: { bytesValue: "aGkA/w==" } as never, attributes: { "as.text": "3q2+7w==" } },
    ]) as any;
    request.resourceLogs[0].scopeLogs[0].logRecords[0].attributes.push({
      key: "payload",
      value: { bytesValue: "3q2+7w==" },
    });
    expect((await postLogs(suite.app.base, request)).status).toBe(200);
    await page.goto(`${suite.app.base}/logs`);
    const row = rowWith("aGkA/w==");
    await expect.poll(() => row.getByTestId("bytes-note").textContent()).toBe("base64 of 4 bytes");
    await row.click();
    const details = page.locator(".log-details");
    await expect
      .poll(() => details.getByTestId("log-body").getByTestId("bytes-note").textContent())
      .toBe("base64 of 4 bytes");
    const payload = details.locator('[data-attr-key="payload"]');
    expect(await payload.getByTestId("bytes-note").textContent()).toBe("base64 of 4 bytes");
    expect(await payload.locator(".tv-attr-value").textContent()).toBe("base64 of 4 bytes3q2+7w==");
    // The same text sent as a string says nothing of bytes.
    expect(await details.locator('[data-attr-key="as.text"]').getByTestId("bytes-note").count()).toBe(0);
  });

  it("leads from a log's trace whose spans are not stored on to that trace's logs", async () => {
    const traceId = newTraceId();
    const records = [
      { body: "sampled-out request began", traceId, spanId: newSpanId() },
      { body: "sampled-out request ended", traceId, spanId: newSpanId() },
    ];
    expect((await postLogs(suite.app.base, jsonLogRequest("unsampled", records))).status).toBe(200);
    await page.goto(`${suite.app.base}/logs`);
    await rowWith("sampled-out request ended").getByRole("link").click();
    await expect.poll(() => page.getByTestId("trace-not-found").count()).toBe(1);
    const onward = page.getByTestId("trace-logs-without-spans");
    await expect.poll(() => onward.textContent()).toContain("Its log records are stored: 2 records.");
    await onward.getByRole("link", { name: "Show them on the Logs page →" }).click();
    await expect.poll(() => page.locator("[data-log-id]").count()).toBe(2);
    expect(new URL(page.url()).search).toBe(`?traceId=${traceId}`);
    // The trace page asked for spans that are not stored, and said so without a failed request (a 404) in the console.
  });

  it("opens, after Back or Forward across a filter pick, the record that step of history had open", async () => {
    await sendLogsInTrace(suite.app.base, { service: "checkout-api", name: "POST /checkout", logs: CHECKOUT_LOGS });
    await page.goto(`${suite.app.base}/logs`);
    const details = page.getByTestId("log-details");
    const params = () => new URL(page.url()).searchParams;
    await rowWith("checkout started").click();
    await expect.poll(() => details.textContent(), { timeout: 10_000 }).toContain("checkout started");
    const startedId = await rowWith("checkout started").getAttribute("data-log-id");
    await page.getByLabel("Minimum severity").selectOption("WARN");
    await expect.poll(() => params().get("severity"), { timeout: 10_000 }).toBe("WARN");
    // Another record opened after the pick: the entry the pick added holds it, the one before still the first.
    await rowWith("card declined").click();
    await expect.poll(() => details.textContent(), { timeout: 10_000 }).toContain("card declined");
    const declinedId = await rowWith("card declined").getAttribute("data-log-id");
    await page.goBack();
    await expect.poll(() => params().get("severity"), { timeout: 10_000 }).toBeNull();
    expect(params().get("log")).toBe(startedId);
    await expect.poll(() => details.textContent(), { timeout: 10_000 }).toContain("checkout started");
    await expect
      .poll(() => rowWith("checkout started").getAttribute("aria-selected"), { timeout: 10_000 })
      .toBe("true");
    await page.goForward();
    await expect.poll(() => params().get("log"), { timeout: 10_000 }).toBe(declinedId);
    await expect.poll(() => details.textContent(), { timeout: 10_000 }).toContain("card declined");
    // Esc now closes what is shown, and the address says so.
    await page.keyboard.press("Escape");
    await expect.poll(() => details.count(), { timeout: 10_000 }).toBe(0);
    expect(params().get("log")).toBeNull();
  });

  it("narrows the list to a time window, in the URL, for loaded and live records", async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const minute = 60_000_000_000n;
    const records = [
      { body: "two hours ago", timeNs: now - 120n * minute },
      { body: "half an hour ago", timeNs: now - 30n * minute },
      { body: "just now", timeNs: now - 1_000_000n },
    ];
    expect((await postLogs(suite.app.base, jsonLogRequest("windowed", records))).status).toBe(200);
    await page.goto(`${suite.app.base}/logs`);
    await expect.poll(() => page.locator("[data-log-id]").count()).toBe(3);
    await page.getByLabel("Time window").selectOption("1h");
    await expect.poll(() => page.locator("[data-log-id]").count()).toBe(2);
    expect(new URL(page.url()).search).toBe("?window=1h");
    await page.getByLabel("Time window").selectOption("15m");
    await expect.poll(() => page.locator("[data-log-id]").count()).toBe(1);
    expect(await rowWith("just now").count()).toBe(1);
    // Live: a record of the window comes in, one sent late with an older time does not.
    const live = [
      { body: "late and old", timeNs: now - 90n * minute },
      { body: "newer still", timeNs: now },
    ];
    expect((await postLogs(suite.app.base, jsonLogRequest("windowed", live))).status).toBe(200);
    await expect.poll(() => rowWith("newer still").count()).toBe(1);
    expect(await rowWith("late and old").count()).toBe(0);
    // The window is part of the address: a reload keeps it, Back undoes it.
    await page.reload();
    await expect.poll(() => page.locator("[data-log-id]").count()).toBe(2);
    expect(await page.getByLabel("Time window").inputValue()).toBe("15m");
    await page.goBack();
    await expect.poll(() => page.locator("[data-log-id]").count()).toBe(3);
    expect(await rowWith("half an hour ago").count()).toBe(1);
    expect(await page.getByLabel("Time window").inputValue()).toBe("1h");
  });

  it("badges a record with the sender's severity text in its level's colour, and finds a structured body's keys", async () => {
    const structured = { structured: true, user: { email: "a@b.c" } };
    const kvlist = {
      kvlistValue: {
        values: [
          { key: "structured", value: { boolValue: true } },
          {
            key: "user",
            value: { kvlistValue: { values: [{ key: "email", value: { stringValue: "a@b.c" } }] } },
          },
        ],
      },
    };
    const records = [
      { body: kvlist, severityNumber: 12, severityText: "NOTICE" },
      { body: JSON.stringify(structured), severityNumber: 10 },
      { body: "plain words", severityNumber: 9, severityText: "INFO" },
    ];
    expect((await postLogs(suite.app.base, jsonLogRequest("badges", records))).status).toBe(200);
    // The API gives both: the level to filter by and the sender's text.
    const listed = (await (await fetch(`${suite.app.base}/api/logs?order=asc`)).json()) as LogListResponse;
    expect(listed.logs.map((log) => [log.severity, log.severityText])).toEqual([
      ["INFO", "NOTICE"],
      ["INFO", ""],
      ["INFO", "INFO"],
    ]);
    await page.goto(`${suite.app.base}/logs`);
    const rows = page.locator("[data-log-id]");
    await expect.poll(() => rows.count()).toBe(3);
    // Newest first: the plain one, the JSON string body, the map body; both bodies read the same.
    expect(await rows.nth(1).locator(".log-col-body").textContent()).toBe(JSON.stringify(structured));
    expect(await rows.nth(2).locator(".log-col-body").textContent()).toBe(JSON.stringify(structured));
    const notice = rows.nth(2);
    const badge = notice.locator(".sev-badge");
    expect(await badge.textContent()).toBe("NOTICE");
    expect(await badge.getAttribute("data-severity")).toBe("INFO");
    expect(await badge.getAttribute("title")).toBe('"NOTICE" as sent, level INFO4, severity number 12');
    const colour = (row: typeof notice) => row.locator(".sev-badge").evaluate((el) => getComputedStyle(el).color);
    expect(await colour(notice)).toBe(await colour(rowWith("plain words")));
    expect(await rows.nth(1).locator(".sev-badge").textContent()).toBe("INFO2");

    const search = page.getByLabel("Search logs");
    for (const word of ["structured", "email", '"EMAIL"']) {
      await search.fill(word);
      await search.press("Enter");
      await expect.poll(() => rows.count(), { message: word }).toBe(2);
      expect(await rowWith("plain words").count()).toBe(0);
    }
    // The level still filters: NOTICE is INFO.
    await page.getByLabel("Minimum severity").selectOption("INFO");
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByLabel("Minimum severity").selectOption("WARN");
    await expect.poll(() => rows.count()).toBe(0);
  });

  it("shows a sender's usual severity texts whole in the level column, wide and at 800 px", async () => {
    const texts = ["Information", "INFORMATION", "Critical", "Warning", "CRITICAL"];
    const records = texts.map((severityText, i) => ({ body: `record ${i}`, severityNumber: 9, severityText }));
    expect((await postLogs(suite.app.base, jsonLogRequest("dotnet-api", records))).status).toBe(200);
    for (const [width, height] of [
      [1440, 900],
      [800, 600],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.goto(`${suite.app.base}/logs`);
      const badges = page.locator("[data-log-id] .sev-badge");
      await expect.poll(() => badges.count(), { timeout: 10_000 }).toBe(texts.length);
      const shown = await badges.evaluateAll((els) =>
        els.map((el) => ({ text: el.textContent, cut: el.scrollWidth > el.clientWidth })),
      );
      expect(
        shown.filter((badge) => badge.cut),
        `${width} px`,
      ).toEqual([]);
      // The message keeps a fair part of a narrow window.
      const body = await page.locator(".log-header-row .log-col-body").boundingBox();
      expect(body?.width ?? 0, `${width} px`).toBeGreaterThan(width / 4);
    }
  });

  it("shows a sender's usual severity texts whole in the trace page's logs panel too, wide and at 800 px", async () => {
    const texts = ["Information", "INFORMATION", "Critical", "Warning", "CRITICAL"];
    const sent = await sendLogsInTrace(suite.app.base, {
      service: "dotnet-api",
      name: "GET /orders",
      logs: texts.map((severityText) => ({
        in: "root",
        severity: SeverityNumber.INFO,
        severityText,
        body: severityText,
      })),
    });
    for (const [width, height] of [
      [1440, 900],
      [800, 600],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.goto(`${suite.app.base}/traces/${sent.traceId}`);
      const badges = page.getByTestId("trace-logs").locator("[data-log-id] .sev-badge");
      await expect.poll(() => badges.count(), { timeout: 10_000 }).toBe(texts.length);
      const shown = await badges.evaluateAll((els) =>
        els.map((el) => ({ text: el.textContent, cut: el.scrollWidth > el.clientWidth })),
      );
      expect(
        shown.filter((badge) => badge.cut),
        `${width} px`,
      ).toEqual([]);
      // The message keeps a fair part of a narrow window.
      const body = await page.getByTestId("trace-logs").locator(".trace-log-body").first().boundingBox();
      expect(body?.width ?? 0, `${width} px`).toBeGreaterThan(width / 5);
    }
  });

  it("leaves records dated in the future out of a window that ends now, and says how many", async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const minute = 60_000_000_000n;
    const records = [
      { body: "an hour ahead", timeNs: now + 60n * minute },
      { body: "just now", timeNs: now - 1_000_000n },
      { body: "half an hour ago", timeNs: now - 30n * minute },
    ];
    expect((await postLogs(suite.app.base, jsonLogRequest("clocks", records))).status).toBe(200);
    await page.goto(`${suite.app.base}/logs?window=15m`);
    const rows = page.locator("[data-log-id]");
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rowWith("just now").count()).toBe(1);
    const note = page.getByTestId("logs-future");
    await expect.poll(() => note.textContent()).toContain("1 record dated in the future");
    expect(await page.getByTestId("log-count").textContent()).toBe("1 record");
    // Live: one more from the future is counted, not listed; one of now is listed.
    const live = [
      { body: "two hours ahead", timeNs: now + 120n * minute },
      { body: "newer still", timeNs: now + 1_000_000n },
    ];
    expect((await postLogs(suite.app.base, jsonLogRequest("clocks", live))).status).toBe(200);
    await expect.poll(() => rowWith("newer still").count()).toBe(1);
    await expect.poll(() => note.textContent()).toContain("2 records dated in the future");
    expect(await rowWith("ahead").count()).toBe(0);
    // Everything stored shows them, newest first, and says nothing left out.
    await note.getByRole("button", { name: "Show everything stored" }).click();
    await expect.poll(() => rows.count()).toBe(5);
    expect(await rows.first().textContent()).toContain("two hours ahead");
    expect(new URL(page.url()).search).toBe("");
    expect(await note.count()).toBe(0);
  });

  it("searches with the query language, and says under the box where a query goes wrong", async () => {
    await sendLogsInTrace(suite.app.base, { service: "checkout-api", name: "POST /checkout", logs: CHECKOUT_LOGS });
    await page.goto(`${suite.app.base}/logs`);
    const rows = page.locator("[data-log-id]");
    await expect.poll(() => rows.count()).toBe(4);
    const search = page.getByLabel("Search logs");
    const hint = page.getByTestId("log-query-hint");
    expect(await hint.textContent()).toContain("severity>=warn");

    await search.fill("severity>=warn payment.provider=stripe");
    await search.press("Enter");
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("card declined");

    await search.fill("body~TIMEOUT | name=checkout.completed");
    await search.press("Enter");
    await expect.poll(() => rows.count()).toBe(2);

    // A span term: nothing listed, and the reason under the box, where it starts.
    await search.fill("checkout status=error");
    await search.press("Enter");
    await expect
      .poll(() => hint.textContent())
      .toBe(
        "At 10: log records have no status field: severity>=error finds failures; @status=error finds the attribute",
      );
    expect(await hint.getAttribute("role")).toBe("alert");
    expect(await search.getAttribute("aria-invalid")).toBe("true");
    expect(await rows.count()).toBe(0);
    // Nothing was searched: no count and no "No logs match", only what to do about the query.
    await expect.poll(() => page.getByTestId("logs-bad-query").count()).toBe(1);
    expect(await page.getByTestId("log-count").count()).toBe(0);
    expect(await page.getByTestId("logs-no-match").count()).toBe(0);
    // Refused by the page itself, with the server's parser: no request failed.
    expect(problems).toEqual([]);

    // Fixed, the list and the hint come back; an event's name is text too.
    await search.fill("checkout.completed | declined severity>=error");
    await search.press("Enter");
    await expect.poll(() => rows.count()).toBe(2);
    expect(await hint.getAttribute("role")).toBeNull();
    expect(await page.getByTestId("log-count").textContent()).toBe("2 records");
    expect(await page.getByTestId("logs-bad-query").count()).toBe(0);
  });

  it("never moves rows under the reader: new records wait behind 'N new' while one is open", async () => {
    await sendLogsInTrace(suite.app.base, { service: "checkout-api", name: "POST /checkout", logs: CHECKOUT_LOGS });
    await page.goto(`${suite.app.base}/logs`);
    const rows = page.locator("[data-log-id]");
    await expect.poll(() => rows.count()).toBe(4);
    const opened = rowWith("card declined");
    await opened.click();
    const before = await opened.boundingBox();

    // j and k move the open record.
    await page.keyboard.press("j");
    await expect.poll(() => page.getByTestId("log-details").textContent()).toContain("gateway timeout");
    await page.keyboard.press("k");
    await expect.poll(() => page.getByTestId("log-details").textContent()).toContain("card declined");

    await sendLogsInTrace(suite.app.base, {
      service: "checkout-api",
      name: "POST /checkout",
      logs: [
        { in: "root", severity: SeverityNumber.INFO, body: "second checkout" },
        { in: "child", severity: SeverityNumber.INFO, body: "second payment" },
      ],
    });
    const pill = page.getByTestId("new-logs");
    await expect.poll(() => pill.textContent()).toContain("2 new logs");
    expect(await rows.count()).toBe(4);
    expect(await opened.boundingBox()).toEqual(before);

    await pill.click();
    await expect.poll(() => rows.count()).toBe(6);
    await expect.poll(() => pill.count()).toBe(0);
    expect(await rows.first().textContent()).toContain("second payment");
  });

  it("a log links to its span and back", async () => {
    const sent = await sendLogsInTrace(suite.app.base, {
      service: "checkout-api",
      name: "POST /checkout",
      logs: CHECKOUT_LOGS,
    });
    await page.goto(`${suite.app.base}/logs`);
    const error = rowWith("card declined");
    await error.waitFor();
    const logId = (await error.getAttribute("data-log-id")) as string;

    // From the log to its trace, its span selected.
    await error.getByRole("link").click();
    await page.waitForURL(`**/traces/${sent.traceId}?span=${sent.childSpanId}&log=${logId}`);
    const details = page.getByTestId("span-details");
    await expect.poll(() => details.locator(".tv-details-title").textContent()).toBe("charge card");
    // Spans with logs carry a mark in the colour of their worst record.
    await expect
      .poll(() => page.locator(`[data-span-id="${sent.childSpanId}"] [data-log-mark]`).getAttribute("data-log-mark"))
      .toBe("ERROR");
    expect(
      await page.locator(`[data-span-id="${sent.rootSpanId}"] [data-log-mark]`).getAttribute("data-log-mark"),
    ).toBe("INFO");

    // The trace's logs, in time order, the linked one marked.
    const panel = page.getByTestId("trace-logs");
    const panelRows = panel.locator("[data-log-id]");
    await expect.poll(() => panelRows.count()).toBe(4);
    expect(await panelRows.evaluateAll((els) => els.map((el) => el.textContent ?? ""))).toEqual([
      expect.stringContaining("checkout started"),
      expect.stringContaining("gateway timeout"),
      expect.stringContaining("card declined"),
      expect.stringContaining("checkout.completed"),
    ]);
    expect(await panel.locator(`[data-log-id="${logId}"]`).getAttribute("class")).toContain("marked");
    // A row of the panel shows its span.
    await panel.locator("[data-log-id]", { hasText: "checkout started" }).click();
    await expect.poll(() => details.locator(".tv-details-title").textContent()).toBe("POST /checkout");
    expect(page.url()).toContain(`span=${sent.rootSpanId}`);

    // The span's own logs in its details, each linking back to itself on the Logs page.
    await page.locator(`[data-span-id="${sent.childSpanId}"]`).click();
    const spanLogs = page.getByTestId("span-logs");
    await expect.poll(() => spanLogs.locator("[data-log-id]").count()).toBe(2);
    const back = spanLogs.locator(`[data-log-id="${logId}"]`);
    expect(await back.textContent()).toContain("card declined");
    await back.getByRole("link").click();
    await page.waitForURL(`**/logs?traceId=${sent.traceId}&spanId=${sent.childSpanId}&log=${logId}`);
    await expect.poll(() => page.getByTestId("log-details").textContent()).toContain("card declined");
    await expect.poll(() => page.locator("[data-log-id]").count()).toBe(2);
    expect(await page.getByTestId("filter-span").textContent()).toContain(sent.childSpanId.slice(0, 8));
    expect(await page.locator(`[data-log-id="${logId}"]`).getAttribute("aria-selected")).toBe("true");

    // Escape on the trace goes back to the Logs page it came from, filters and all.
    await page.goto(`${suite.app.base}/logs?severity=ERROR`);
    await rowWith("card declined").getByRole("link").click();
    await page.waitForURL(`**/traces/${sent.traceId}?**`);
    await page.getByTestId("span-details").waitFor();
    await page.keyboard.press("Escape");
    await page.waitForURL(`${suite.app.base}/logs?severity=ERROR`);
    await rowWith("card declined").waitFor();
    // The header's back link goes there too, and says so: it read "← Traces" and led to Logs.
    await rowWith("card declined").getByRole("link").click();
    await page.waitForURL(`**/traces/${sent.traceId}?**`);
    const backLink = page.locator(".tv-back");
    await expect.poll(() => backLink.textContent()).toBe("← Logs");
    expect(await backLink.getAttribute("href")).toBe("/logs?severity=ERROR");
    expect(await backLink.getAttribute("title")).toBe("Back to Logs (Esc)");
    await backLink.click();
    await page.waitForURL(`${suite.app.base}/logs?severity=ERROR`);
    // A trace opened by its address (a shared link) goes to the trace list.
    await page.goto(`${suite.app.base}/traces/${sent.traceId}`);
    await expect.poll(() => page.locator(".tv-back").textContent()).toBe("← Traces");
    expect(await page.locator(".tv-back").getAttribute("href")).toBe("/");

    // And from the trace to all its logs.
    await page.goto(`${suite.app.base}/traces/${sent.traceId}`);
    await page.getByTestId("trace-logs-all").click();
    await page.waitForURL(`**/logs?traceId=${sent.traceId}`);
    await expect.poll(() => page.locator("[data-log-id]").count()).toBe(4);
  });

  it("counts a span's logs and the trace's with thousands separators, each saying whose they are", async () => {
    const sent = await sendLogsInTrace(suite.app.base, {
      service: "chatty-api",
      name: "POST /import",
      logs: [{ in: "root", severity: SeverityNumber.INFO, body: "import started" }],
    });
    // 1,001 records in the child span; with the root's one the trace holds 1,002.
    const inChild = Array.from({ length: 1001 }, (_, i) => ({
      body: `row ${i} imported`,
      traceId: sent.traceId,
      spanId: sent.childSpanId,
    }));
    expect((await postLogs(suite.app.base, jsonLogRequest("chatty-api", inChild))).status).toBe(200);
    await page.goto(`${suite.app.base}/traces/${sent.traceId}?span=${sent.childSpanId}`);
    const toggle = page.getByTestId("trace-logs").locator(".trace-logs-toggle");
    await expect.poll(() => toggle.textContent()).toBe("▾ Logs of this trace 1,002");
    const mark = page.locator(`[data-span-id="${sent.childSpanId}"] [data-log-mark]`);
    expect(await mark.textContent()).toBe("1,001");
    expect(await mark.getAttribute("aria-label")).toBe("1,001 log records in this span");
    await expect
      .poll(() => page.getByTestId("span-logs").locator("summary").textContent())
      .toBe("Logs of this span 1,001");
    expect(await page.getByTestId("span-logs-all").textContent()).toBe("All 1,001 logs of this span →");
  });

  it("leaves the waterfall rows of spans in a short, narrow window, the logs giving way to their heading", async () => {
    const sent = await sendLogsInTrace(suite.app.base, {
      service: "checkout-api",
      name: "POST /checkout",
      logs: CHECKOUT_LOGS,
    });
    await page.setViewportSize({ width: 900, height: 600 });
    await page.goto(`${suite.app.base}/traces/${sent.traceId}?span=${sent.childSpanId}`);
    await page.getByTestId("span-details").waitFor();
    await expect.poll(() => page.getByTestId("trace-logs").locator("[data-log-id]").count()).toBe(4);
    // Read in one go: the details and the logs share the height left by the header.
    const boxes = await page.evaluate(() => {
      const box = (selector: string) => document.querySelector(selector)?.getBoundingClientRect();
      return { list: box(".tv-list"), logsHead: box(".trace-logs-head"), details: box(".tv-details") };
    });
    // Four rows of spans at least (24 px each); the logs' heading whole, above the details.
    expect(boxes.list?.height).toBeGreaterThanOrEqual(4 * 24);
    expect(boxes.logsHead?.height).toBeGreaterThan(20);
    expect((boxes.logsHead?.bottom ?? 0) <= (boxes.details?.top ?? 0) + 1).toBe(true);
  });
});
