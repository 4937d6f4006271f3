/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { type JsonSpanInput, jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();
const MS = 1_000_000n;

/** One run of a checkout starting at `t0`: its spans as [name, parent index, start ms, end ms]. */
function run(
  t0: bigint,
  steps: [string, number | null, number, number, number?][],
): { traceId: string; spans: JsonSpanInput[] } {
  const traceId = newTraceId();
  const ids = steps.map(() => newSpanId());
  return {
    traceId,
    spans: steps.map(([name, parent, start, end, statusCode], i) => ({
      traceId,
      spanId: ids[i],
      ...(parent === null ? {} : { parentSpanId: ids[parent] }),
      name,
      startNs: t0 + BigInt(start) * MS,
      durationNs: BigInt(end - start) * MS,
      ...(statusCode ? { statusCode } : {}),
    })),
  };
}

describe.skipIf(!available)("comparing two traces, in Chromium", () => {
  const suite = useAppInChromium();

  it("compares a trace with the previous run of its operation: deltas, spans only in one run, swap, only changes", async () => {
    const { app, browser } = suite;
    const t0 = BigInt(Date.now()) * MS;
    const first = run(t0, [
      ["POST /checkout", null, 0, 100],
      ["SELECT cart", 0, 1, 11],
      ["POST /charge", 0, 12, 62],
      ["POST /audit", 0, 80, 95],
    ]);
    const second = run(t0 + 5_000n * MS, [
      ["POST /checkout", null, 0, 160],
      ["GET cache", 0, 0, 1],
      ["SELECT cart", 0, 1, 11],
      ["POST /charge", 0, 12, 132, 2],
    ]);
    // Another operation in between must not be taken for the previous run.
    const other = run(t0 + 2_000n * MS, [["GET /health", null, 0, 1]]);
    for (const r of [first, other, second]) {
      expect((await postJson(app.base, jsonTraceRequest("shop", r.spans))).status).toBe(200);
    }

    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${second.traceId}`);
    await page.getByText("Compare", { exact: true }).first().click();
    await page.getByRole("button", { name: "With the previous trace of this operation" }).click();
    await expect.poll(() => page.url()).toBe(`${app.base}/compare?a=${first.traceId}&b=${second.traceId}`);

    const summary = page.getByTestId("compare-summary");
    await expect.poll(() => summary.textContent()).toContain("B took 60ms longer than A (+60%)");
    await expect.poll(() => summary.textContent()).toContain("1 only in B");
    await expect.poll(() => summary.textContent()).toContain("1 only in A");
    // Every row is counted, and the noise threshold is written out.
    const counted = ((await summary.textContent()) ?? "").match(
      /(\d+) slower · (\d+) faster · (\d+) about the same \(within 5% of A's duration or 100µs\) · (\d+) only in B · (\d+) only in A/,
    );
    expect(counted).not.toBeNull();
    expect(counted!.slice(1).reduce((sum, n) => sum + Number(n), 0)).toBe(
      await page.getByTestId("compare-row").count(),
    );
    const rows = () =>
      page
        .getByTestId("compare-row")
        .evaluateAll((elements) =>
          elements.map((row) => [
            row.querySelector(".cmp-label")?.textContent,
            row.getAttribute("data-change"),
            row.querySelector(".cmp-delta")?.textContent,
          ]),
        );
    await expect.poll(rows).toEqual([
      ["POST /checkout", "slower", "+60ms"],
      ["GET cache", "added", ""],
      ["SELECT cart", "same", "±0"],
      ["POST /charge", "slower", "+70ms"],
      ["POST /audit", "missing", ""],
    ]);
    await expect.poll(() => page.locator(".cmp-badge.error").textContent()).toBe("fails in B");

    await page.getByLabel("Only changed spans").check();
    await expect
      .poll(async () => (await rows()).map((r) => r[0]))
      .toEqual(["POST /checkout", "GET cache", "POST /charge", "POST /audit"]);
    // The choice is in the address: a reload (or a shared link) shows the same rows, and a swap keeps it.
    await expect
      .poll(() => page.url(), { timeout: 10_000 })
      .toBe(`${app.base}/compare?a=${first.traceId}&b=${second.traceId}&changes=1`);
    await page.reload();
    await expect.poll(() => page.getByLabel("Only changed spans").isChecked(), { timeout: 10_000 }).toBe(true);
    await expect
      .poll(async () => (await rows()).map((r) => r[0]), { timeout: 10_000 })
      .toEqual(["POST /checkout", "GET cache", "POST /charge", "POST /audit"]);
    await page.getByRole("button", { name: "⇄ Swap" }).click();
    await expect.poll(() => page.url()).toBe(`${app.base}/compare?a=${second.traceId}&b=${first.traceId}&changes=1`);
    expect(await page.getByLabel("Only changed spans").isChecked()).toBe(true);
    await expect.poll(() => summary.textContent()).toContain("B took 60ms less than A (−38%)");

    // Either trace's name opens it.
    await page.getByTestId("compare-card-a").getByRole("link").click();
    await expect.poll(() => page.url()).toBe(`${app.base}/traces/${second.traceId}`);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("says when there is no earlier run, and explains the page without ids", async () => {
    const { app, browser } = suite;
    const lonely = run(BigInt(Date.now()) * MS, [["GET /only-once", null, 0, 3]]);
    await postJson(app.base, jsonTraceRequest("shop", lonely.spans));
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.base}/traces/${lonely.traceId}`);
    await page.getByText("Compare", { exact: true }).first().click();
    await page.getByRole("button", { name: "With the previous trace of this operation" }).click();
    await expect
      .poll(() => page.locator(".cmp-menu-message").textContent())
      .toBe("No earlier trace of “GET /only-once” from shop is stored.");
    // Escape closes the popup, focus back on its button, and stays on the trace (not back to the list).
    const menu = page.locator(".cmp-menu");
    await page.keyboard.press("Escape");
    await expect.poll(() => menu.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("SUMMARY");
    expect(new URL(page.url()).pathname).toBe(`/traces/${lonely.traceId}`);
    // And so it does from the trace-id field.
    await page.keyboard.press("Enter");
    await expect.poll(() => menu.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(true);
    const field = page.getByLabel("Trace id to compare with");
    await field.focus();
    await expect.poll(() => field.evaluate((input) => input === document.activeElement)).toBe(true);
    await page.keyboard.press("Escape");
    await expect.poll(() => menu.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("SUMMARY");
    expect(new URL(page.url()).pathname).toBe(`/traces/${lonely.traceId}`);
    // Closed, Escape leaves the trace as before.
    await page.keyboard.press("Escape");
    await expect.poll(() => new URL(page.url()).pathname).not.toBe(`/traces/${lonely.traceId}`);
    await page.goto(`${app.base}/compare?a=nope`);
    await expect.poll(() => page.getByTestId("compare-help").textContent()).toContain("not 32 hexadecimal digits");
    // A missing id is said to be missing, not malformed; a trace not stored is named by its side.
    await page.goto(`${app.base}/compare?a=${lonely.traceId}`);
    await expect
      .poll(() => page.getByTestId("compare-help").textContent(), { timeout: 10_000 })
      .toContain("the second trace id (b) is missing.");
    await page.goto(`${app.base}/compare?a=${lonely.traceId}&b=${"0".repeat(31)}1`);
    await expect
      .poll(() => page.getByRole("heading", { level: 2 }).first().textContent(), { timeout: 10_000 })
      .toBe("Could not load trace B");
    await page.close();
  });

  it("finds the previous run of a route requested with another id", async () => {
    const { app, browser } = suite;
    const t0 = BigInt(Date.now()) * MS;
    const earlier = run(t0, [["GET /items/1019", null, 0, 190]]);
    const later = run(t0 + 1_000n * MS, [["GET /items/1020", null, 0, 200]]);
    for (const r of [earlier, later]) {
      expect((await postJson(app.base, jsonTraceRequest("catalog", r.spans))).status).toBe(200);
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${later.traceId}`);
    await page.getByText("Compare", { exact: true }).first().click();
    await page.getByRole("button", { name: "With the previous trace of this operation" }).click();
    await page.waitForURL(`**/compare?a=${earlier.traceId}&b=${later.traceId}`);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("pairs every span of two runs of a route with other ids, as the TraceKit Node SDK sends them", async () => {
    const { app, browser } = suite;
    const SERVER = 2;
    const CLIENT = 3;
    /** One request to /orders/:id through a frontend and a backend: bare `GET` spans, the path in attributes. */
    const sdkRun = async (t0: bigint, id: number, ms: number) => {
      const traceId = newTraceId();
      const ids = Array.from({ length: 6 }, () => newSpanId());
      const at = (start: number, end: number) => ({
        startNs: t0 + BigInt(start) * MS,
        durationNs: BigInt(end - start) * MS,
      });
      const frontend: JsonSpanInput[] = [
        {
          spanId: ids[0],
          name: "GET",
          kind: SERVER,
          ...at(0, ms),
          attributes: { "http.method": "GET", "http.target": `/orders/${id}` },
        },
        {
          spanId: ids[1],
          parentSpanId: ids[0],
          name: `GET /orders/${id}`,
          kind: SERVER,
          ...at(1, ms - 1),
          attributes: { "http.route": `/orders/${id}` },
        },
        {
          spanId: ids[2],
          parentSpanId: ids[1],
          name: "GET",
          kind: CLIENT,
          ...at(2, ms - 2),
          attributes: { "http.method": "GET", "http.url": `http://127.0.0.1:7301/inventory/${id}` },
        },
      ];
      const backend: JsonSpanInput[] = [
        {
          spanId: ids[3],
          parentSpanId: ids[2],
          name: "GET",
          kind: SERVER,
          ...at(3, ms - 3),
          attributes: { "http.method": "GET", "http.target": `/inventory/${id}` },
        },
        {
          spanId: ids[4],
          parentSpanId: ids[3],
          name: `GET /inventory/${id}`,
          kind: SERVER,
          ...at(4, ms - 4),
          attributes: { "http.route": `/inventory/${id}` },
        },
        {
          spanId: ids[5],
          parentSpanId: ids[4],
          name: "SELECT orders",
          ...at(5, 20),
          attributes: { "db.system": "postgresql" },
        },
      ];
      for (const [service, spans] of [
        ["frontend", frontend],
        ["backend", backend],
      ] as const) {
        const body = jsonTraceRequest(
          service,
          spans.map((span) => ({ traceId, ...span })),
        );
        expect((await postJson(app.base, body)).status).toBe(200);
      }
      return traceId;
    };
    const t0 = BigInt(Date.now()) * MS;
    const first = await sdkRun(t0, 1, 180);
    const second = await sdkRun(t0 + 1_000n * MS, 2, 44);
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${second}`);
    await page.getByText("Compare", { exact: true }).first().click();
    await page.getByRole("button", { name: "With the previous trace of this operation" }).click();
    await page.waitForURL(`**/compare?a=${first}&b=${second}`);
    const summary = page.getByTestId("compare-summary");
    await expect.poll(() => summary.textContent()).toContain("5 faster · 1 about the same");
    expect(await summary.textContent()).toContain("0 only in B · 0 only in A");
    const changes = await page
      .getByTestId("compare-row")
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-change")));
    expect(changes).toEqual(["faster", "faster", "faster", "faster", "faster", "same"]);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("names both roots when the traces are of different operations, and counts one span as one", async () => {
    const { app, browser } = suite;
    const t0 = BigInt(Date.now()) * MS;
    const checkout = run(t0, [
      ["GET /checkout", null, 0, 1000],
      ["GET /stock", 0, 50, 150],
    ]);
    const item = run(t0 + 2_000n * MS, [["GET /items/:id", null, 0, 997]]);
    for (const r of [checkout, item]) {
      expect((await postJson(app.base, jsonTraceRequest("frontend", r.spans))).status).toBe(200);
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/compare?a=${checkout.traceId}&b=${item.traceId}`);
    await expect.poll(() => page.getByTestId("compare-card-b").textContent()).toMatch(/997ms · 1 span · /);
    const root = page.getByTestId("compare-row").first().locator(".cmp-name");
    expect(await root.textContent()).toBe("frontendGET /checkoutvsGET /items/:id");
    expect(await root.getAttribute("title")).toBe("frontend · GET /checkout (A) vs frontend · GET /items/:id (B)");
    // 3 ms less in 1 s: a change, not "−0%".
    expect(await page.getByTestId("compare-summary").textContent()).toMatch(/^Trace B took 3ms less than A \(−0\.3%\)/);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("says when A and B are one trace, and when no span changed", async () => {
    const { app, browser } = suite;
    const only = run(BigInt(Date.now()) * MS, [
      ["GET /same", null, 0, 20],
      ["SELECT same", 0, 2, 12],
    ]);
    expect((await postJson(app.base, jsonTraceRequest("shop", only.spans))).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/compare?a=${only.traceId}&b=${only.traceId}`);
    await expect
      .poll(() => page.getByTestId("compare-same-trace").textContent())
      .toMatch(/^A and B are the same trace/);
    // No span only in either: those counts are not coloured as if there were.
    expect(await page.getByTestId("compare-summary").locator(".cmp-added-text, .cmp-missing-text").count()).toBe(0);
    await page.getByLabel("Only changed spans").check();
    await expect
      .poll(() => page.getByTestId("compare-empty").textContent())
      .toMatch(/^No span changed: all 2 are about the same/);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("shows both traces' names whole at 900 px, the facts moving under them", async () => {
    const { app, browser } = suite;
    const t0 = BigInt(Date.now()) * MS;
    const steps: [string, number | null, number, number][] = [
      ["GET /products/:slug", null, 0, 14],
      ["render ProductPage", 0, 2, 9],
    ];
    const a = run(t0, steps);
    const b = run(t0 + 1_000n * MS, steps);
    for (const r of [a, b]) {
      expect((await postJson(app.base, jsonTraceRequest("web-frontend", r.spans))).status).toBe(200);
    }
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/compare?a=${a.traceId}&b=${b.traceId}`);
    for (const card of ["compare-card-a", "compare-card-b"]) {
      const name = page.getByTestId(card).getByRole("link");
      await expect.poll(() => name.textContent()).toBe("GET /products/:slug");
      // Not cut: the link is as wide as its text.
      expect(await name.evaluate((el) => el.scrollWidth - el.clientWidth)).toBe(0);
    }
    await page.close();
    expect(problems).toEqual([]);
  });

  it("keeps both cards within their borders at 800 px, and a deep span's name readable whole, named on hover", async () => {
    const { app, browser } = suite;
    const t0 = BigInt(Date.now()) * MS;
    const middleware = ["query", "expressInit", "jsonParser", "cors", "session", "auth", "rateLimit", "tracing"];
    // An Express request: middleware nested eleven deep, a handler in the last; 30 spans, 11 failing in B.
    const steps = (failing: boolean): [string, number | null, number, number, number?][] => [
      ["GET /stock/:id", null, 0, 320],
      ...middleware.map((name, i): [string, number, number, number] => [`middleware - ${name}`, i, 1, 2]),
      ["request handler - /stock/:id", middleware.length, 2, 48],
      ["compute-stock", middleware.length + 1, 2, 47, failing ? 2 : undefined],
      ...Array.from({ length: 19 }, (_, i): [string, number, number, number, number?] => [
        `read ${i}`,
        0,
        2,
        3,
        failing && i < 10 ? 2 : undefined,
      ]),
    ];
    const a = run(t0, steps(false));
    const b = run(t0 + 1_000n * MS, steps(true));
    for (const r of [a, b]) {
      expect((await postJson(app.base, jsonTraceRequest("inventory", r.spans))).status).toBe(200);
    }
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/compare?a=${a.traceId}&b=${b.traceId}`);
    const cardB = page.getByTestId("compare-card-b");
    await expect.poll(() => cardB.textContent()).toContain("320ms · 30 spans · 11 failing");
    for (const card of [page.getByTestId("compare-card-a"), cardB]) {
      // Nothing runs past the card's border: its facts break between two instead.
      expect(await card.evaluate((el) => el.scrollWidth - el.clientWidth)).toBe(0);
    }
    const rows = page.getByTestId("compare-row");
    await expect.poll(() => rows.count()).toBe(30);
    const shown = await rows.evaluateAll((elements) =>
      elements.map((row) => {
        const label = row.querySelector(".cmp-label") as HTMLElement;
        const indent = row.querySelector(".cmp-indent") as HTMLElement;
        return {
          name: label.textContent,
          cut: label.scrollWidth > label.clientWidth,
          indent: indent.getBoundingClientRect().width,
          title: row.querySelector(".cmp-name")?.getAttribute("title"),
        };
      }),
    );
    // Down the nested middleware each name is whole (they read "inventory mid…" alike) and each row a step further in.
    const chain = shown.slice(1, middleware.length + 3);
    expect(chain.map((row) => row.name)).toEqual([
      ...middleware.map((name) => `middleware - ${name}`),
      "request handler - /stock/:id",
      "compute-stock",
    ]);
    expect(chain.filter((row) => row.cut).map((row) => row.name)).toEqual([]);
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.indent).toBeGreaterThan(chain[i - 1]!.indent);
    // Hovering a row names its span in full, its service too.
    expect(chain.at(-1)?.title).toBe("inventory · compute-stock");
    await page.close();
    expect(problems).toEqual([]);
  });
});
