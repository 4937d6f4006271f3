/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();
const MS = 1_000_000n;

/** A request with one LLM call, started at `startMs` (now by default). */
function llmTrace(service: string, model: string, input: number, output: number, startMs = Date.now()) {
  const traceId = newTraceId();
  const root = newSpanId();
  const t0 = BigInt(startMs) * MS;
  return {
    traceId,
    body: jsonTraceRequest(service, [
      { traceId, spanId: root, name: "POST /ask", startNs: t0, durationNs: 900n * MS },
      {
        traceId,
        parentSpanId: root,
        name: `chat ${model}`,
        kind: 3,
        startNs: t0 + MS,
        durationNs: 800n * MS,
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.provider.name": "openai",
          "gen_ai.response.model": model,
          "gen_ai.usage.input_tokens": input,
          "gen_ai.usage.output_tokens": output,
          "gen_ai.response.finish_reasons": "stop",
        },
      },
    ]),
  };
}

describe.skipIf(!available)("the LLM page, in Chromium", () => {
  const suite = useAppInChromium();

  it("shows every call with its cost, totals per model and service, filters by service, and updates live", async () => {
    const { app, browser } = suite;
    const first = llmTrace("assistant", "gpt-4o", 1_000, 100); // $0.0035
    await postJson(app.base, first.body);
    await postJson(app.base, llmTrace("search", "local-llama", 500, 50).body); // no price
    await postJson(app.base, jsonTraceRequest("plain-web", [{ name: "GET /" }])); // makes no LLM call

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/llm`);
    const totals = page.getByTestId("llm-totals");
    await expect.poll(() => totals.textContent()).toContain("Calls2");
    await expect.poll(() => totals.textContent()).toContain("$0.0035 + 1 unpriced");
    await expect.poll(() => totals.textContent()).toContain("1 call to models without a price");
    const models = page.getByTestId("llm-by-model").locator("tbody tr");
    await expect
      .poll(() => models.allTextContents())
      .toEqual([expect.stringContaining("gpt-4o"), expect.stringContaining("local-llama")]);
    expect(await models.nth(1).textContent()).toContain("no price");
    const calls = page.getByTestId("llm-calls").locator("tbody tr");
    await expect.poll(() => calls.count()).toBe(2);
    await expect
      .poll(() => calls.locator("a").last().getAttribute("href"))
      .toMatch(new RegExp(`^/traces/${first.traceId}\\?span=[0-9a-f]{16}$`));

    // Live: another call shows up on its own.
    await postJson(app.base, llmTrace("assistant", "gpt-4o-mini", 10_000, 1_000).body); // $0.0021
    await expect.poll(() => totals.textContent(), { timeout: 10_000 }).toContain("Calls3");
    await expect.poll(() => totals.textContent()).toContain("$0.0056 + 1 unpriced");

    // The service filter narrows everything and lives in the URL; it offers the services with calls.
    const picker = page.getByLabel("Service").locator("option");
    await expect.poll(() => picker.allTextContents()).toEqual(["All services", "assistant", "search"]);
    await page.getByLabel("Service").selectOption("assistant");
    await expect.poll(() => new URL(page.url()).searchParams.get("service")).toBe("assistant");
    await expect.poll(() => totals.textContent()).toContain("Calls2");
    await expect.poll(() => totals.textContent()).toContain("$0.0056");
    expect(await picker.allTextContents()).toEqual(["All services", "assistant", "search"]);
    await page.getByLabel("Time window").selectOption("15m");
    await expect.poll(() => new URL(page.url()).searchParams.get("window")).toBe("15m");
    await expect.poll(() => calls.count()).toBe(2);
    // Each pick is a step Back undoes, as on the other pages; Forward redoes it.
    await page.goBack();
    await expect.poll(() => new URL(page.url()).searchParams.get("window"), { timeout: 10_000 }).toBeNull();
    expect(new URL(page.url()).searchParams.get("service")).toBe("assistant");
    await expect.poll(() => page.getByLabel("Time window").inputValue(), { timeout: 10_000 }).toBe("all");
    await page.goForward();
    await expect.poll(() => new URL(page.url()).searchParams.get("window"), { timeout: 10_000 }).toBe("15m");
    await expect.poll(() => calls.count()).toBe(2);

    // At 900 px the tables by model and by service stack instead of running into each other.
    await page.setViewportSize({ width: 900, height: 800 });
    const boxes = await page
      .locator(".llm-group")
      .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect));
    expect(boxes).toHaveLength(2);
    const [a, b] = boxes as [DOMRect, DOMRect];
    const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
    expect(apart).toBe(true);
    const tableFits = await page
      .getByTestId("llm-by-model")
      .evaluate(
        (table) =>
          table.getBoundingClientRect().right <= (table.parentElement as HTMLElement).getBoundingClientRect().right + 1,
      );
    expect(tableFits).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("charts cost, tokens and calls over time per model and per service, with known totals", async () => {
    const { app, browser } = suite;
    await fetch(`${app.base}/api/traces`, { method: "DELETE", headers: { origin: app.base } });
    // One start for the three calls: made a moment apart they could fall in two of the charts' buckets,
    // and the tooltip below reads one bucket.
    const startMs = Date.now();
    await postJson(app.base, llmTrace("assistant", "gpt-4o", 1_000, 100, startMs).body); // $0.0035
    await postJson(app.base, llmTrace("assistant", "gpt-4o-mini", 10_000, 1_000, startMs).body); // $0.0021
    await postJson(app.base, llmTrace("search", "gpt-4o-mini", 10_000, 1_000, startMs).body); // $0.0021

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/llm`);
    const byModel = page.getByTestId("llm-chart-model");
    const byService = page.getByTestId("llm-chart-service");
    const legend = (chart: typeof byModel) => chart.locator(".llm-legend li").allTextContents();
    await expect.poll(() => legend(byModel)).toEqual(["gpt-4o-mini $0.0042", "gpt-4o $0.0035"]);
    expect(await legend(byService)).toEqual(["assistant $0.0056", "search $0.0021"]);
    // Each model's line has a colour of its own from the chart palette, on a page opened cold (the
    // palette must not depend on another page's styles having been loaded).
    const swatches = await byModel
      .locator(".llm-swatch")
      .evaluateAll((spans) => spans.map((span) => getComputedStyle(span).backgroundColor));
    expect(new Set(swatches).size).toBe(2);
    expect(swatches).not.toContain("rgb(0, 0, 0)");
    // uPlot drew both charts on canvases of real size.
    for (const chart of [byModel, byService]) {
      const box = await chart.locator("canvas").first().boundingBox();
      expect(box?.width).toBeGreaterThan(200);
      expect(box?.height).toBeGreaterThan(100);
    }
    await page.getByRole("button", { name: "Tokens" }).click();
    await expect.poll(() => legend(byModel)).toEqual(["gpt-4o-mini 22,000", "gpt-4o 1,100"]);
    await page.getByRole("button", { name: "Calls" }).click();
    await expect.poll(() => legend(byService)).toEqual(["assistant 2", "search 1"]);
    // The measure is in the URL: a reload keeps it.
    expect(new URL(page.url()).searchParams.get("measure")).toBe("calls");
    await page.reload();
    await expect.poll(() => legend(byService)).toEqual(["assistant 2", "search 1"]);
    // Hovering a bucket tells what it holds, line by line (the chart alone only draws it).
    const over = byService.locator(".u-over");
    const box = await over.boundingBox();
    if (box === null) throw new Error("no chart");
    let rows: string[] = [];
    for (let x = box.x + 1; x < box.x + box.width && rows.length === 0; x += 3) {
      await page.mouse.move(x, box.y + box.height / 2);
      rows = await byService.locator(".llm-tooltip .chart-tooltip-row").allTextContents();
    }
    expect(rows.sort()).toEqual(["assistant2", "search1"]);
    await page.mouse.move(0, 0);
    // Live: a new call adds to the charts' totals.
    await postJson(app.base, llmTrace("search", "gpt-4o", 1_000, 100).body);
    await expect.poll(() => legend(byService), { timeout: 10_000 }).toEqual(["assistant 2", "search 2"]);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("names each call of unknown cost once, on the page and in the trace's header", async () => {
    const { app, browser } = suite;
    await fetch(`${app.base}/api/traces`, { method: "DELETE", headers: { origin: app.base } });
    const traceId = newTraceId();
    const root = newSpanId();
    const t0 = BigInt(Date.now()) * MS;
    const chat = (at: number, model: string, usage: boolean) => ({
      traceId,
      parentSpanId: root,
      name: `chat ${model}`,
      kind: 3,
      startNs: t0 + BigInt(at) * MS,
      durationNs: 500n * MS,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": model,
        ...(usage ? { "gen_ai.usage.input_tokens": 10_000, "gen_ai.usage.output_tokens": 1_000 } : {}),
      },
    });
    const response = await postJson(
      app.base,
      jsonTraceRequest("assistant", [
        { traceId, spanId: root, name: "POST /ask", startNs: t0, durationNs: 900n * MS },
        chat(1, "gpt-4o-mini", true), // $0.0021
        chat(2, "my-local-model", false), // no price and no usage: unpriced, named once
        chat(3, "my-local-model", true), // no price
        chat(4, "gpt-4o-mini", false), // priced, no usage: its cost is unknown
      ]),
    );
    expect(response.status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/llm`);
    const totals = page.getByTestId("llm-totals");
    await expect
      .poll(() => totals.textContent())
      .toContain("Estimated cost$0.0021 + 2 unpriced + 1 call without usage");
    // The cost column: the calls to priced models without usage on a line of their own.
    const cells = (id: string) => page.getByTestId(id).locator("tbody tr td:nth-child(4)").allTextContents();
    expect(await cells("llm-by-model")).toEqual(["$0.0021+ 1 call without usage", "no price"]);
    expect(await cells("llm-by-service")).toEqual(["$0.0021 + 2 unpriced+ 1 call without usage"]);
    const legend = (id: string) => page.getByTestId(id).locator(".llm-legend li").allTextContents();
    expect(await legend("llm-chart-model")).toEqual([
      "gpt-4o-mini $0.0021 + 1 call without usage",
      "my-local-model no price",
    ]);
    expect(await legend("llm-chart-service")).toEqual(["assistant $0.0021 + 2 unpriced + 1 call without usage"]);
    // The bucket's tooltip lists the model without a price, saying so, rather than leaving it out as $0.
    const chart = page.getByTestId("llm-chart-model");
    const box = await chart.locator(".u-over").boundingBox();
    if (box === null) throw new Error("no chart");
    let rows: string[] = [];
    for (let x = box.x + 1; x < box.x + box.width && rows.length === 0; x += 3) {
      await page.mouse.move(x, box.y + box.height / 2);
      rows = await chart.locator(".llm-tooltip .chart-tooltip-row").allTextContents();
    }
    expect(rows).toEqual(["gpt-4o-mini$0.0021", "my-local-modelno price"]);

    await page.goto(`${app.base}/traces/${traceId}`);
    await expect
      .poll(() => page.getByTestId("llm-totals").textContent())
      .toBe("LLM4 calls · 20,000 in · 2,000 out · $0.0021 + 2 unpriced + 1 call without usage");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("fits the per-model table in its half of a 1280 px page: a long model name wraps once, the rest of a cell wraps first", async () => {
    const { app, browser } = suite;
    await fetch(`${app.base}/api/traces`, { method: "DELETE", headers: { origin: app.base } });
    const traceId = newTraceId();
    const root = newSpanId();
    const t0 = BigInt(Date.now()) * MS;
    const model = "claude-sonnet-4-5-20250929";
    const call = (at: number, usage: boolean, failed: boolean) => ({
      traceId,
      parentSpanId: root,
      name: `chat ${model}`,
      kind: 3,
      startNs: t0 + BigInt(at) * MS,
      durationNs: 1_234n * MS,
      ...(failed ? { statusCode: 2, statusMessage: "overloaded" } : {}),
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": model,
        ...(usage ? { "gen_ai.usage.input_tokens": 123_456, "gen_ai.usage.output_tokens": 12_345 } : {}),
      },
    });
    const spans = [{ traceId, spanId: root, name: "POST /ask", startNs: t0, durationNs: 30_000n * MS }];
    for (let i = 0; i < 120; i++) spans.push(call(i, i % 10 !== 0, i % 7 === 0) as never);
    expect((await postJson(app.base, jsonTraceRequest("support-assistant", spans))).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/llm`);
    const table = page.getByTestId("llm-by-model");
    await expect.poll(() => table.locator("tbody tr td:nth-child(2)").first().textContent()).toContain("18 failed");
    const fit = await table.evaluate((element) => {
      const section = element.parentElement as HTMLElement;
      const name = element.querySelector("tbody td code") as HTMLElement;
      return {
        overflow: section.scrollWidth - section.clientWidth,
        // An inline element's boxes: one per line it takes.
        nameLines: name.getClientRects().length,
      };
    });
    // Before, the calls' "(18 failed)" and the cost's "+ 12 calls without usage" stayed on one line
    // each and squeezed the name into three lines (or pushed p95 out of view).
    expect(fit.overflow).toBeLessThanOrEqual(0);
    expect(fit.nameLines).toBeLessThanOrEqual(2);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("shows the calls for the service picked last, though the answer for an earlier pick comes after it", async () => {
    const { app, browser } = suite;
    await postJson(app.base, llmTrace("stale-early", "early-model", 10, 1).body);
    await postJson(app.base, llmTrace("stale-late", "late-model", 10, 1).body);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/llm?service=stale-late`);
    const models = page.getByTestId("llm-by-model").locator("tbody tr");
    await expect
      .poll(() => models.allTextContents(), { timeout: 10_000 })
      .toEqual([expect.stringContaining("late-model")]);
    // The answer for the first pick is held until the second pick's calls are shown.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = 0;
    let delivered: Promise<void> | null = null;
    await page.route(/\/api\/llm\?.*service=stale-early/, async (route) => {
      held++;
      const response = await route.fetch();
      await released;
      delivered = route.fulfill({ response }).catch(() => {});
    });
    await page.getByLabel("Service").selectOption("stale-early");
    await expect.poll(() => held, { timeout: 10_000 }).toBe(1);
    // The second pick's answer is in before the first one's is let go.
    const answered = page.waitForResponse((response) => /\/api\/llm\?.*service=stale-late/.test(response.url()));
    await page.getByLabel("Service").selectOption("stale-late");
    await answered;
    await expect.poll(() => new URL(page.url()).searchParams.get("service"), { timeout: 10_000 }).toBe("stale-late");
    await expect
      .poll(() => models.allTextContents(), { timeout: 10_000 })
      .toEqual([expect.stringContaining("late-model")]);
    release();
    await expect.poll(() => delivered !== null, { timeout: 10_000 }).toBe(true);
    await delivered;
    // Time for a late answer to be drawn, were it taken.
    await page.waitForTimeout(500);
    expect(await models.allTextContents()).toEqual([expect.stringContaining("late-model")]);
    expect(await page.getByRole("alert").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("asks for live refreshes one at a time: calls arriving while one is in flight ask once more after it", async () => {
    const { app, browser } = suite;
    await postJson(app.base, llmTrace("one-at-a-time", "steady-model", 10, 1).body);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/llm?service=one-at-a-time`);
    const calls = page.getByTestId("llm-calls").locator("tbody tr");
    await expect.poll(() => calls.count(), { timeout: 10_000 }).toBe(1);
    // The first refresh's answer is held while more calls arrive.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let refreshes = 0;
    await page.route(/\/api\/llm\?.*service=one-at-a-time/, async (route) => {
      if (++refreshes > 1) return route.continue();
      const response = await route.fetch();
      await released;
      await route.fulfill({ response }).catch(() => {});
    });
    await postJson(app.base, llmTrace("one-at-a-time", "steady-model", 10, 1).body);
    await expect.poll(() => refreshes, { timeout: 10_000 }).toBe(1);
    for (let i = 0; i < 2; i++) {
      await postJson(app.base, llmTrace("one-at-a-time", "steady-model", 10, 1).body);
      await page.waitForTimeout(1_500);
    }
    expect(refreshes).toBe(1);
    release();
    await expect.poll(() => calls.count(), { timeout: 10_000 }).toBe(4);
    // Time for another request, were one asked.
    await page.waitForTimeout(1_500);
    expect(refreshes).toBe(2);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("explains itself when no call is stored", async () => {
    const { app, browser } = suite;
    const page = await browser.newPage();
    await page.goto(`${app.base}/llm?service=nobody`);
    await expect.poll(() => page.getByTestId("llm-empty").textContent()).toContain("gen_ai.request.model");
    await page.close();
  });

  it("says a service filter matches nothing, not that nothing is stored, and resets it", async () => {
    const { app, browser } = suite;
    await postJson(app.base, llmTrace("has-calls", "steady-model", 10, 1).body);
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.base}/llm?service=no-calls-here`);
    const empty = page.getByTestId("llm-empty");
    await expect.poll(() => empty.locator("h2").textContent()).toBe("No LLM calls for this service");
    // Calls are stored: no "connect an app" for a filter that matches nothing.
    expect(await page.getByTestId("setup-hint").count()).toBe(0);
    await empty.getByRole("button", { name: "Reset filters" }).click();
    await expect.poll(() => new URL(page.url()).search).toBe("");
    await expect.poll(() => page.getByTestId("llm-totals").count()).toBe(1);
    await page.close();
  });
});
