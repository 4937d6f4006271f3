/// <reference lib="dom" />
import type { Locator } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonLogRequest, jsonTraceRequest, newSpanId, newTraceId, postJson, postLogs } from "../helpers/payloads.js";
import { autoRegister, capture } from "../helpers/tracekit-snapshot-client.js";

const available = chromiumAvailable();

/**
 * Whether `first` is drawn left of `last` in an element's text: the characters at the text's own
 * first occurrences of each. A right-to-left override drawn as such puts them the other way round.
 */
function drawnInOrder(element: Locator, first: string, last: string): Promise<boolean> {
  return element.evaluate(
    (root, [a, b]) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      const left = (char: string): number => {
        for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
          const at = (node.textContent ?? "").indexOf(char);
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + 1);
          return range.getBoundingClientRect().left;
        }
        return Number.NaN;
      };
      const x = left(a as string);
      walker.currentNode = root;
      const y = left(b as string);
      return x < y;
    },
    [first, last],
  );
}

describe.skipIf(!available)("bidirectional controls in names and values, in Chromium", () => {
  const suite = useAppInChromium();

  it("are shown as marks, not obeyed, while the stored text is what search and copy see", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const spanId = newSpanId();
    const name = "GET /users/\u202Egnp.exe";
    const response = await postJson(
      app.base,
      jsonTraceRequest("shop", [
        { traceId, spanId, name, kind: 2, attributes: { "user.file": "invoice\u202Efdp.exe", "user.city": "القاهرة" } },
        // A failing child: the header's "Error started in" names it.
        { traceId, parentSpanId: spanId, name: "db \u202Elqs", kind: 3, statusCode: 2 },
      ]),
    );
    expect(response.status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);

    // The trace list: the name reads as stored, "gnp" before "exe", with the control's mark.
    await page.goto(`${app.base}/`);
    const listName = page.locator(`[data-trace-id="${traceId}"] .trace-name`);
    await expect.poll(() => listName.textContent()).toBe(name);
    expect(await drawnInOrder(listName, "g", "x")).toBe(true);
    const mark = listName.locator(".bidi-mark");
    expect(await mark.getAttribute("data-control")).toBe("RLO");
    expect(await mark.evaluate((el) => getComputedStyle(el, "::before").content)).toBe('"⟨RLO⟩"');

    // The trace page: header, waterfall row, details title and the attribute's value.
    await page.goto(`${app.base}/traces/${traceId}?span=${spanId}`);
    const header = page.locator(".tv-title");
    const row = page.locator(`[data-span-id="${spanId}"] .tv-row-name`);
    const title = page.getByTestId("span-details").locator(".tv-details-title");
    const value = page.locator('[data-attr-key="user.file"] .tv-attr-value');
    await expect.poll(() => value.textContent()).toBe("invoice\u202Efdp.exe");
    for (const element of [header, row, title]) {
      expect(await element.textContent()).toBe(name);
      expect(await drawnInOrder(element, "g", "x")).toBe(true);
      expect(await element.locator(".bidi-mark").count()).toBe(1);
    }
    expect(await drawnInOrder(value, "f", "x")).toBe(true);
    const origin = page.getByTestId("error-origin");
    expect(await origin.locator(".tv-error-origin-span").textContent()).toContain("db \u202Elqs");
    expect(await drawnInOrder(origin.locator(".tv-error-origin-span"), "l", "q")).toBe(true);
    expect(await value.locator(".bidi-mark").getAttribute("data-control")).toBe("RLO");
    // Right-to-left text is still drawn right to left: its first letter is its rightmost.
    const city = page.locator('[data-attr-key="user.city"] .tv-attr-value');
    expect(await drawnInOrder(city, "ة", "ق")).toBe(true);

    // Search finds the stored text.
    await page.goto(`${app.base}/?q=${encodeURIComponent("gnp.exe")}`);
    await expect.poll(() => listName.textContent()).toBe(name);
    await page.close();
    expect(problems).toEqual([]);
  });
  it("show service, operation, peer and model names as marks, not obeyed, on every page that names them", async () => {
    const { app, browser } = suite;
    // Obeyed, each override would turn the text after it around: "pay" + "reward", "GET /" + "knab".
    const service = "pay\u202Edrawer";
    const operation = "GET /\u202Ebank";
    const peer = "vault\u202Ecomp";
    const model = "gpt\u202Emini";
    const traceId = newTraceId();
    const root = newSpanId();
    const response = await postJson(
      app.base,
      jsonTraceRequest(service, [
        { traceId, spanId: root, name: operation, kind: 2 },
        { traceId, parentSpanId: root, name: "POST /charge", kind: 3, attributes: { "peer.service": peer } },
        // In a trace of its own: beside a GenAI span, a CLIENT span is taken for its HTTP call.
        {
          name: "chat",
          kind: 3,
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": model,
            "gen_ai.usage.input_tokens": 10,
            "gen_ai.usage.output_tokens": 2,
          },
        },
      ]),
    );
    expect(response.status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    /** The text as stored, drawn in its order ("d" left of "w" in "drawer"), with one RLO mark. */
    const readsInOrder = async (element: Locator, text: string, first: string, last: string) => {
      await expect.poll(() => element.textContent()).toBe(text);
      expect(await drawnInOrder(element, first, last)).toBe(true);
      expect(await element.locator(".bidi-mark").getAttribute("data-control")).toBe("RLO");
    };

    // Services: the name, and in its operations the operation's and the peer's.
    await page.goto(`${app.base}/services`);
    const row = page.locator(`tr[data-service="${service}"]`);
    await readsInOrder(row.locator('[data-field="name"] .service-chip'), service, "d", "w");
    expect(await row.locator(".operations-toggle").getAttribute("aria-label")).toBe("Operations of pay⟨RLO⟩drawer");
    await row.locator(".operations-toggle").click();
    const operations = page.getByTestId("operations");
    await readsInOrder(operations.locator("h2 .user-text"), service, "d", "w");
    const entry = operations.locator(`[data-operation="${operation}"] .operation-name a`);
    await readsInOrder(entry, operation, "b", "k");
    expect(await entry.getAttribute("title")).toContain("GET /⟨RLO⟩bank");
    await readsInOrder(operations.locator(".operation-peer").first(), peer, "c", "p");

    // The trace list: the row's service, and the service filter's option (text only: the mark is written).
    await page.goto(`${app.base}/`);
    const chip = page.locator(`[data-trace-id="${traceId}"] .col-service .service-chip`);
    await readsInOrder(chip, service, "d", "w");
    expect(await chip.getAttribute("title")).toBe("pay⟨RLO⟩drawer (the root span's service)");
    expect(await page.locator(`.filter-service option[value="${service}"]`).textContent()).toBe("pay⟨RLO⟩drawer");

    // The trace page's header: its name, service and service chips.
    await page.goto(`${app.base}/traces/${traceId}`);
    const header = page.getByTestId("trace-header");
    await readsInOrder(header.locator(".tv-title"), operation, "b", "k");
    await readsInOrder(header.locator(".tv-header-service"), service, "d", "w");
    await readsInOrder(header.locator(".tv-service-name").first(), service, "d", "w");
    expect(await header.locator(".tv-service-chip").first().getAttribute("title")).toBe("pay⟨RLO⟩drawer");

    // The trace compared with itself: each row's service and name.
    await page.goto(`${app.base}/compare?a=${traceId}&b=${traceId}`);
    const compared = page.getByTestId("compare-row").first();
    await readsInOrder(compared.locator(".cmp-service"), service, "d", "w");
    await readsInOrder(compared.locator(".cmp-label"), operation, "b", "k");
    expect(await compared.locator(".cmp-name").getAttribute("title")).toBe("pay⟨RLO⟩drawer · GET /⟨RLO⟩bank");

    // The map: SVG text holds no isolate, so the names carry their marks as text, the controls gone.
    await page.goto(`${app.base}/map`);
    const serviceNode = page.locator(`[data-node-id="service:${service}"] .map-node-name`);
    await expect.poll(() => serviceNode.textContent()).toBe("● pay⟨RLO⟩drawer");
    expect(await drawnInOrder(serviceNode, "d", "w")).toBe(true);
    const peerNode = page.locator(".map-node-name", { hasText: "vault" });
    expect(await peerNode.textContent()).toContain("vault⟨RLO⟩comp");
    expect(await drawnInOrder(peerNode, "c", "p")).toBe(true);
    expect(await page.locator(`[data-node-id="service:${service}"]`).getAttribute("aria-label")).toContain(
      "pay⟨RLO⟩drawer",
    );

    // The LLM page: the model and the service in both tables and in the calls.
    await page.goto(`${app.base}/llm`);
    await readsInOrder(page.getByTestId("llm-by-model").locator("tbody code"), model, "m", "n");
    await readsInOrder(page.getByTestId("llm-by-service").locator("tbody td").first(), ` ${service}`, "d", "w");
    const call = page.getByTestId("llm-calls").locator("tbody tr").first();
    await readsInOrder(call.locator("td").nth(1), ` ${service}`, "d", "w");
    await readsInOrder(call.locator("td code"), model, "m", "n");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("show a metric's name, description, unit, services and attribute values as marks, not obeyed", async () => {
    const { app, browser } = suite;
    // Obeyed, each override would turn the text after it around: "jobs." + "tiaw", "pay" + "reward".
    const name = "jobs.\u202Ewait";
    const description = "Jobs \u202Edeueuq now";
    const service = "pay\u202Edrawer";
    const file = "invoice\u202Efdp.exe";
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    /** A gauge point every 10 s over the last five minutes, in each of the series. */
    const dataPoints = ["plain.txt", file].flatMap((value, i) =>
      Array.from({ length: 30 }, (_, k) => ({
        timeUnixNano: String(nowNs - BigInt(k * 10) * 1_000_000_000n),
        asDouble: 5 + i * 10 + (k % 3),
        attributes: [{ key: "file", value: { stringValue: value } }],
      })),
    );
    const response = await fetch(`${app.base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
            scopeMetrics: [{ metrics: [{ name, description, unit: "{jo\u202Ebs}", gauge: { dataPoints } }] }],
          },
        ],
      }),
    });
    expect(response.status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    /** The text as stored, drawn in its order ("w" left of "t" in "wait"), with one RLO mark. */
    const readsInOrder = async (element: Locator, text: string, first: string, last: string) => {
      await expect.poll(() => element.textContent()).toBe(text);
      expect(await drawnInOrder(element, first, last)).toBe(true);
      expect(await element.locator(".bidi-mark").getAttribute("data-control")).toBe("RLO");
    };

    // The catalog: the row's name and service, its title, and the service filter's option.
    await page.goto(`${app.base}/metrics`);
    const row = page.locator(`.catalog-row[data-metric="${name}"]`);
    await readsInOrder(row.locator(".catalog-name"), name, "w", "t");
    expect(await row.locator(".catalog-name").getAttribute("title")).toBe("jobs.⟨RLO⟩wait\nJobs ⟨RLO⟩deueuq now");
    await readsInOrder(row.locator(".catalog-service"), service, "d", "w");
    expect(await row.locator(".catalog-services").getAttribute("title")).toBe("pay⟨RLO⟩drawer");
    expect(await page.locator(`.catalog-filters option[value="${service}"]`).textContent()).toBe("pay⟨RLO⟩drawer");
    // The overview's card names it too.
    const card = page.locator(`.overview-card[data-metric="${name}"] .overview-name`);
    await readsInOrder(card, name, "w", "t");
    expect(await card.getAttribute("title")).toBe("Jobs ⟨RLO⟩deueuq now");

    // The metric's page: its title, description, unit, service, chart label and legend.
    await row.click();
    const header = page.locator(".metric-header");
    await readsInOrder(header.locator("h1"), name, "w", "t");
    await readsInOrder(header.locator(".metric-description"), description, "d", "q");
    await readsInOrder(header.locator('[data-field="services"]'), service, "d", "w");
    expect(await header.locator('[data-field="unit"] .bidi-mark').count()).toBe(1);
    expect(await header.locator('[data-field="unit"]').getAttribute("title")).toBe("unit as sent: {jo⟨RLO⟩bs}");
    const chart = page.getByTestId("metric-chart").locator(".uplot-box").first();
    expect(await chart.getAttribute("aria-label")).toBe("jobs.⟨RLO⟩wait over time");
    const legend = page.getByTestId("chart-legend").locator(".legend-row", { hasText: "invoice" });
    await readsInOrder(legend.locator(".legend-label"), `file=${file}`, "f", "x");
    expect(await legend.getAttribute("title")).toContain("invoice⟨RLO⟩fdp.exe");

    // A tooltip of the chart: the series' label in order, with its mark.
    const over = page.getByTestId("metric-chart").locator(".u-over").first();
    const box = await over.boundingBox();
    if (box === null) throw new Error("no chart");
    const label = page.locator(".chart-tooltip .chart-tooltip-label", { hasText: "invoice" });
    for (let x = box.x + box.width - 2; x > box.x && (await label.count()) === 0; x -= 5)
      await page.mouse.move(x, box.y + box.height / 2);
    await readsInOrder(label, `file=${file}`, "f", "x");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("show a snapshot's label, function, file and variable names as marks, not obeyed", async () => {
    const { app, browser } = suite;
    const where = {
      service_name: "bidi-shop",
      file_path: "/srv/app/\u202Enoitca.py",
      line_number: 7,
      function_name: "pay\u202Etnuocca",
      label: "pay\u202Edrawer",
    };
    const registered = await autoRegister(app.base, where);
    const id = registered.body.id as string;
    await fetch(`${app.base}/api/breakpoints/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enabled: true }),
    });
    const captured = await capture(app.base, {
      ...where,
      breakpoint_id: id,
      variables: { "dra\u202Ewer": 1 },
      security_flags: [],
      stack_trace: "",
      request_context: null,
      trace_id: null,
      span_id: null,
      captured_at: new Date().toISOString(),
    });
    expect(captured.status).toBeLessThan(300);

    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/snapshots`);
    const row = page.locator(`[data-breakpoint-id="${id}"]`);
    const label = row.locator(".bp-label");
    await expect.poll(() => label.textContent()).toBe(where.label);
    // "pay" before "drawer": the override reorders nothing, and its mark shows.
    expect(await drawnInOrder(label, "p", "w")).toBe(true);
    expect(await label.locator(".bidi-mark").getAttribute("data-control")).toBe("RLO");
    expect(await drawnInOrder(row.locator(".bp-fn"), "p", "n")).toBe(true);
    expect(await row.locator(".bp-fn").getAttribute("title")).toContain("pay⟨RLO⟩tnuocca");
    const listed = page.locator(`[data-snapshot-id="${captured.body.id}"]`);
    await expect.poll(() => listed.locator(".snap-col-label").textContent()).toBe(where.label);
    expect(await drawnInOrder(listed.locator(".snap-col-label"), "p", "w")).toBe(true);
    expect(await drawnInOrder(listed.locator(".snap-col-where"), "p", "n")).toBe(true);
    const choice = page.locator(`.snap-filters option[value="${id}"]`);
    expect(await choice.textContent()).toBe("pay⟨RLO⟩drawer · bidi-shop");

    await page.goto(`${app.base}/snapshots/${captured.body.id}`);
    const heading = page.locator("h1");
    await expect.poll(() => heading.textContent()).toBe(where.label);
    expect(await drawnInOrder(heading, "p", "w")).toBe(true);
    expect(await drawnInOrder(page.getByTestId("snapshot-where"), "p", "n")).toBe(true);
    const key = page.locator(".vt-key").first();
    expect(await key.textContent()).toBe("dra\u202Ewer");
    expect(await drawnInOrder(key, "d", "w")).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("show a snapshot's captured values, long strings, stack frames and request as marks, not obeyed", async () => {
    const { app, browser } = suite;
    const where = {
      service_name: "bidi-values",
      file_path: "/srv/app/pay.js",
      line_number: 9,
      function_name: "pay",
      label: "pay-values",
    };
    const registered = await autoRegister(app.base, where);
    const id = registered.body.id as string;
    await fetch(`${app.base}/api/breakpoints/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enabled: true }),
    });
    // The override past the first 160 characters: only "show all" shows it.
    const long = `${"a".repeat(200)}b\u202Ecd`;
    const captured = await capture(app.base, {
      ...where,
      breakpoint_id: id,
      variables: { rtl: "abc\u202Eevil", order: { "ke\u202Eys": 1 }, long },
      security_flags: [{ type: "sensitive_variable_name", severity: "medium", variable: "to\u202Eken" }],
      stack_trace: "Error\n    at cha\u202Erge (/srv/app/pa\u202Eyment.js:9:3)",
      request_context: { method: "POST", path: "/files/\u202Egnp.exe" },
      trace_id: null,
      span_id: null,
      captured_at: new Date().toISOString(),
    });
    expect(captured.status).toBeLessThan(300);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/snapshots/${captured.body.id}`);
    const variables = page.getByRole("tree", { name: "Variables" });
    const value = variables.locator('[data-path="/rtl"] .vt-string');
    // Read as stored, "abc" then "evil", not `"abc"live`; the quotes stay where they are.
    await expect.poll(() => value.textContent()).toBe('"abc\u202Eevil"');
    expect(await drawnInOrder(value, "a", "e")).toBe(true);
    expect(await drawnInOrder(value, "e", "l")).toBe(true);
    expect(await value.locator(".bidi-mark").getAttribute("data-control")).toBe("RLO");
    // A collapsed object's one-line preview (it opens by default) shows its keys' controls too.
    await variables.locator('[data-path="/order"] .vt-toggle').click();
    const preview = variables.locator('[data-path="/order"] .vt-preview');
    expect(await preview.textContent()).toBe("{ke\u202Eys}");
    expect(await drawnInOrder(preview, "k", "y")).toBe(true);
    // A long string, paged: the override shows once the whole string does.
    const longValue = variables.locator('[data-path="/long"] .vt-string');
    await longValue.getByRole("button", { name: /show all/ }).click();
    await expect.poll(() => longValue.locator(".bidi-mark").count()).toBe(1);
    expect(await drawnInOrder(longValue, "b", "c")).toBe(true);
    expect(await drawnInOrder(longValue, "c", "d")).toBe(true);

    const frame = page.getByTestId("stack-trace").locator("li").first();
    expect(await drawnInOrder(frame.locator(".snap-frame-fn"), "c", "r")).toBe(true);
    expect(await drawnInOrder(frame.locator(".snap-frame-loc"), "p", "y")).toBe(true);
    expect(await frame.locator(".bidi-mark").count()).toBe(2);
    const request = page.getByTestId("request-context").locator(".snap-request-line");
    expect(await drawnInOrder(request, "g", "x")).toBe(true);
    expect(await drawnInOrder(page.getByTestId("security-flags").locator("code"), "t", "k")).toBe(true);

    // The list's variable names too.
    await page.goto(`${app.base}/snapshots`);
    const names = page.locator(`[data-snapshot-id="${captured.body.id}"] .snap-col-vars`);
    await expect.poll(() => names.textContent()).toBe("rtl, order, long");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("show a log record's body, text or structured, and an error group's pattern as marks, not obeyed", async () => {
    const { app, browser } = suite;
    const text = "user \u202Eadmin\u202C logged in; amount=\u202E00.001$\u202C";
    const posted = await postLogs(
      app.base,
      jsonLogRequest("bidi-logs", [
        { body: text, severityText: "NO\u202EECITON" },
        { body: { kvlistValue: { values: [{ key: "note", value: { stringValue: "pay \u202E00.001$\u202C now" } }] } } },
      ]),
    );
    expect(posted.status).toBe(200);
    const failed = await postJson(
      app.base,
      jsonTraceRequest("bidi-errors", [
        {
          name: "refund",
          kind: 2,
          statusCode: 2,
          statusMessage: "refund of \u202E00.001$\u202C to \u202Enimda\u202C failed",
        },
      ]),
    );
    expect(failed.status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/logs`);
    const rows = page.locator("[data-log-id]");
    await expect.poll(() => rows.count()).toBe(2);
    const details = page.getByTestId("log-details");
    const body = details.getByTestId("log-body");

    await rows.filter({ hasText: "logged in" }).click();
    const shown = body.locator(".log-body-text");
    await expect.poll(() => shown.textContent()).toBe(text);
    // "admin" and "00.001$" read as stored: each override's mark shows, and it reorders nothing.
    expect(await drawnInOrder(shown, "a", "n")).toBe(true);
    expect(await drawnInOrder(shown, "0", "$")).toBe(true);
    expect(await shown.locator('.bidi-mark[data-control="RLO"]').count()).toBe(2);
    expect(await shown.locator('.bidi-mark[data-control="PDF"]').count()).toBe(2);
    // The severity as sent, in the badge and the facts beside it.
    const facts = details.locator(".log-facts code");
    expect(await drawnInOrder(facts, "N", "E")).toBe(true);
    expect(await details.locator(".log-details-title .sev-badge .bidi-mark").count()).toBe(1);

    await rows.filter({ hasText: "note" }).click();
    await expect.poll(() => body.getAttribute("data-body-kind")).toBe("json");
    const line = body.locator(".log-body-line", { hasText: "note" });
    expect(await line.textContent()).toContain("pay \u202E00.001$\u202C now");
    expect(await drawnInOrder(line, "0", "$")).toBe(true);
    expect(await line.locator(".bidi-mark").count()).toBe(2);

    await page.goto(`${app.base}/errors`);
    const group = page.getByTestId("error-group").filter({ hasText: "bidi-errors" });
    await group.getByRole("button", { name: "Show details" }).click();
    const pattern = group.getByTestId("error-pattern");
    await expect.poll(() => pattern.textContent()).toContain("refund of \u202E<n>$\u202C to \u202Enimda\u202C failed");
    // "<n>$" and "nimda" read as stored: no override turns them around.
    const said = pattern.locator(".mono");
    expect(await drawnInOrder(said, "<", "$")).toBe(true);
    expect(await drawnInOrder(said, "i", "m")).toBe(true);
    expect(await said.locator('.bidi-mark[data-control="RLO"]').count()).toBe(2);
    await page.close();
    expect(problems).toEqual([]);
  });
});
