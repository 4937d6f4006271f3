/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("trace list sorting, latency chart and LLM mark, in Chromium", () => {
  const suite = useAppInChromium();

  /** Clears the store and stores `count` one-span traces a millisecond apart (the last the newest). */
  async function storeOnly(count: number, durationNs?: (i: number) => bigint) {
    await fetch(`${suite.app.base}/api/traces`, { method: "DELETE" });
    const start = BigInt(Date.now() - 120_000) * 1_000_000n;
    const spans = Array.from({ length: count }, (_, i) => ({
      traceId: newTraceId(),
      name: `GET /item/${i}`,
      startNs: start + BigInt(i) * 1_000_000n,
      ...(durationNs === undefined ? {} : { durationNs: durationNs(i) }),
    }));
    expect((await postJson(suite.app.base, jsonTraceRequest("catalog", spans))).status).toBe(200);
    return spans;
  }

  it("sorts by duration from the header, brushes the chart to filter the list, and marks LLM traces", async () => {
    const { app, browser } = suite;
    const now = BigInt(Date.now() - 60_000) * 1_000_000n;
    // Six traces a second apart, durations from 5 ms to 3 s; the slowest is the oldest.
    const durationsMs = [3000, 5, 1200, 20, 300, 80];
    const ids = durationsMs.map(() => newTraceId());
    for (const [i, ms] of durationsMs.entries()) {
      const llm = i === 3;
      const request = jsonTraceRequest(llm ? "support-assistant" : "checkout", [
        {
          traceId: ids[i],
          name: llm ? "chat gpt-4o" : `GET /step/${i}`,
          startNs: now + BigInt(i) * 1_000_000_000n,
          durationNs: BigInt(ms) * 1_000_000n,
          ...(i === 2 ? { statusCode: 2, statusMessage: "boom" } : {}),
          ...(llm
            ? {
                attributes: {
                  "gen_ai.request.model": "gpt-4o",
                  "gen_ai.usage.input_tokens": 1200,
                  "gen_ai.usage.output_tokens": 300,
                },
              }
            : {}),
        },
      ]);
      expect((await postJson(app.base, request)).status).toBe(200);
    }

    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/`);
    const rowIds = () =>
      page.locator(".trace-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-trace-id")));
    await expect.poll(rowIds).toEqual([...ids].reverse());

    // The LLM trace is marked, with its calls, tokens and cost on hover.
    const mark = page.locator(`[data-trace-id="${ids[3]}"] [data-testid="llm-mark"]`);
    await expect.poll(() => mark.textContent()).toBe("LLM");
    expect(await mark.getAttribute("title")).toMatch(
      /^1 LLM call · 1,500 tokens \(1,200 in, 300 out\) · \$0\.00[0-9]+$/,
    );
    expect(await page.locator('[data-testid="llm-mark"]').count()).toBe(1);

    // Duration's header sorts, longest first, then shortest first; the URL keeps it.
    const byDuration = [...ids].map((id, i) => [id, durationsMs[i] as number] as const);
    await page.getByTestId("sort-duration").click();
    await expect.poll(rowIds).toEqual([...byDuration].sort((a, b) => b[1] - a[1]).map(([id]) => id));
    expect(new URL(page.url()).search).toBe("?sort=duration");
    const durationHeader = page.locator("th", { has: page.getByTestId("sort-duration") });
    expect(await durationHeader.getAttribute("aria-sort")).toBe("descending");
    expect(await page.locator("th", { has: page.getByTestId("sort-start") }).getAttribute("aria-sort")).toBe("none");
    await page.getByTestId("sort-duration").click();
    await expect.poll(rowIds).toEqual([...byDuration].sort((a, b) => a[1] - b[1]).map(([id]) => id));
    expect(new URL(page.url()).search).toBe("?sort=duration&order=asc");
    expect(await durationHeader.getAttribute("aria-sort")).toBe("ascending");

    // A new trace while sorted waits behind "N new" instead of moving the rows.
    const late = newTraceId();
    await postJson(
      app.base,
      jsonTraceRequest("checkout", [
        { traceId: late, name: "late", startNs: now + 9_000_000_000n, durationNs: 1_000_000n },
      ]),
    );
    await expect.poll(() => page.getByTestId("new-traces").textContent()).toContain("1 new trace");
    expect(await rowIds()).toHaveLength(6);
    await page.getByTestId("new-traces").click();
    await expect.poll(rowIds).toHaveLength(7);
    expect((await rowIds())[0]).toBe(late);

    // The chart shows every trace; a rectangle over its upper half keeps only the slow ones.
    await expect.poll(() => page.getByTestId("latency-caption").textContent()).toMatch(/^7 traces \(1 failing/);
    const plot = page.locator('[data-testid="latency-chart"] .u-over');
    const box = await plot.boundingBox();
    if (!box) throw new Error("the chart has no plot area");
    await page.mouse.move(box.x + 2, box.y + 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 4, { steps: 5 });
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => new URL(page.url()).searchParams.get("maxDurationMs")).not.toBeNull();
    const params = new URL(page.url()).searchParams;
    expect(params.get("since")).toMatch(/^\d+$/);
    expect(params.get("until")).toMatch(/^\d+$/);
    expect(params.get("sort")).toBe("duration");
    const min = Number(params.get("brushMinMs") ?? 0);
    const max = Number(params.get("maxDurationMs"));
    const inRange = byDuration.filter(([, ms]) => ms >= min && ms <= max).map(([id]) => id);
    expect(inRange.length).toBeGreaterThan(0);
    expect(inRange.length).toBeLessThan(6);
    expect(inRange).toContain(ids[0]); // the 3 s trace is in the upper half
    await expect.poll(async () => [...(await rowIds())].sort()).toEqual([...inRange].sort());
    await expect
      .poll(() => page.getByTestId("selection-chip").textContent())
      .toMatch(/^Selection: started .+ – .+Clear selection$/);
    // The chip's Clear selection reads as a link inside the chip: no box of its own, within the chip's edges.
    const chip = page.getByTestId("selection-chip");
    const clear = chip.getByRole("button", { name: "Clear selection" });
    const look = await clear.evaluate((el) => {
      const style = getComputedStyle(el);
      return { border: style.borderTopColor, background: style.backgroundColor };
    });
    expect(look).toEqual({ border: "rgba(0, 0, 0, 0)", background: "rgba(0, 0, 0, 0)" });
    const [chipBox, clearBox] = [(await chip.boundingBox())!, (await clear.boundingBox())!];
    expect(clearBox.y).toBeGreaterThan(chipBox.y);
    expect(clearBox.y + clearBox.height).toBeLessThan(chipBox.y + chipBox.height);
    expect(clearBox.x + clearBox.width).toBeLessThan(chipBox.x + chipBox.width);
    // The minimum box shows the brushed minimum as a duration one would type.
    expect(await page.getByRole("searchbox", { name: /Minimum duration/ }).inputValue()).not.toMatch(/^\d+\.\d{4,}/);

    await page.getByRole("button", { name: "Clear selection" }).click();
    await expect.poll(rowIds).toHaveLength(7);
    expect(new URL(page.url()).search).toBe("?sort=duration&order=asc");

    // A minimum typed as "2s" stays "2s".
    const minBox = page.getByRole("searchbox", { name: /Minimum duration/ });
    await minBox.fill("2s");
    await minBox.press("Enter");
    await expect.poll(rowIds).toEqual([ids[0]]);
    await page.reload();
    await expect.poll(() => page.getByRole("searchbox", { name: /Minimum duration/ }).inputValue()).toBe("2s");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("brushes the chart from the keyboard: Tab to it, Shift+arrows draw a rectangle, Enter filters, Escape clears", async () => {
    const { app, browser } = suite;
    // Twenty traces, 10 ms to 200 ms: the longest the newest.
    const spans = await storeOnly(20, (i) => BigInt((i + 1) * 10) * 1_000_000n);
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/`);
    await expect.poll(() => page.getByTestId("latency-caption").textContent()).toMatch(/^20 traces/);
    const rowIds = () =>
      page.locator(".trace-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-trace-id")));
    await expect.poll(rowIds).toHaveLength(20);

    // Tab from the Latency toggle reaches the plot, which says how to brush it and shows a cursor.
    await page.getByRole("button", { name: /Latency/ }).focus();
    await page.keyboard.press("Tab");
    const chart = page.getByRole("application", { name: /Shift\+arrow keys draw a rectangle, Enter filters/ });
    await expect.poll(() => chart.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByTestId("latency-key-cursor").waitFor();
    const hint = page.getByTestId("latency-keyboard");
    expect(await hint.textContent()).toBe(
      "arrows move the cursor, Shift+arrows draw a rectangle, Enter filters the list to it",
    );

    // A rectangle drawn and dropped with Escape changes nothing; the arrows do not move the list's selection.
    await page.keyboard.press("Shift+ArrowRight");
    await expect.poll(() => hint.textContent()).toMatch(/^Enter filters the list to: started /);
    await page.keyboard.press("Escape");
    await expect.poll(() => hint.textContent()).toMatch(/^arrows move the cursor/);
    expect(new URL(page.url()).search).toBe("");
    expect(await page.locator(".trace-row.selected").count()).toBe(0);

    // The whole width, the top half of the plot: the slowest traces, Enter filters the list to them.
    await page.keyboard.press("ArrowLeft");
    for (let i = 0; i < 20; i++) await page.keyboard.press("Shift+ArrowRight");
    for (let i = 0; i < 10; i++) await page.keyboard.press("Shift+ArrowDown");
    expect(
      await page.locator('[data-testid="latency-chart"] .u-select').evaluate((el) => el.clientHeight),
    ).toBeGreaterThan(20);
    expect(await page.locator(".trace-row.selected").count()).toBe(0);
    await page.keyboard.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("maxDurationMs")).not.toBeNull();
    const params = new URL(page.url()).searchParams;
    expect(params.get("since")).toMatch(/^\d+$/);
    expect(params.get("until")).toMatch(/^\d+$/);
    const min = Number(params.get("brushMinMs") ?? 0);
    const max = Number(params.get("maxDurationMs"));
    const inRange = spans.filter((_, i) => (i + 1) * 10 >= min && (i + 1) * 10 <= max).map((span) => span.traceId);
    expect(inRange.length).toBeGreaterThan(2);
    expect(inRange.length).toBeLessThan(20);
    expect(inRange).toContain(spans[19]?.traceId); // the slowest, at the top
    await expect.poll(async () => [...(await rowIds())].sort()).toEqual([...inRange].sort());
    await page.getByTestId("selection-chip").waitFor();

    // Still on the chart, Escape with nothing drawn clears the selection.
    expect(await chart.evaluate((el) => el === document.activeElement)).toBe(true);
    await expect.poll(() => hint.textContent()).toMatch(/Esc clears the selection$/);
    await page.keyboard.press("Escape");
    await expect.poll(() => new URL(page.url()).search).toBe("");
    await expect.poll(rowIds).toHaveLength(20);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("keeps the typed Min duration through a brushed selection, and back when it is cleared", async () => {
    const { app, browser } = suite;
    // Twenty traces, 10 ms to 200 ms; the box asks for 100 ms or more.
    await storeOnly(20, (i) => BigInt((i + 1) * 10) * 1_000_000n);
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/?minDurationMs=100`);
    const rows = () => page.locator(".trace-row").count();
    await expect.poll(rows).toBe(11);
    const minBox = page.getByRole("searchbox", { name: /Minimum duration/ });
    // A full-height rectangle over every start: it takes every duration the chart shows.
    await page.getByRole("button", { name: /Latency/ }).focus();
    await page.keyboard.press("Tab");
    await page.getByTestId("latency-key-cursor").waitFor();
    await page.keyboard.press("ArrowLeft");
    for (let i = 0; i < 20; i++) await page.keyboard.press("Shift+ArrowRight");
    for (let i = 0; i < 20; i++) await page.keyboard.press("Shift+ArrowDown");
    await page.keyboard.press("Enter");
    await page.getByTestId("selection-chip").waitFor();
    // Narrowed by the rectangle, never widened below the box's 100 ms, which the box still shows.
    expect(new URL(page.url()).searchParams.get("minDurationMs")).toBe("100");
    expect(await minBox.inputValue()).toBe("100ms");
    await expect.poll(rows).toBe(11);
    await page.getByRole("button", { name: "Clear selection" }).click();
    await expect.poll(() => new URL(page.url()).search).toBe("?minDurationMs=100");
    expect(await minBox.inputValue()).toBe("100ms");
    await expect.poll(rows).toBe(11);
    // A minimum typed past the selection's longest: the selection goes, not a refused query.
    await page.getByRole("button", { name: /Latency/ }).focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("ArrowLeft");
    for (let i = 0; i < 20; i++) await page.keyboard.press("Shift+ArrowRight");
    for (let i = 0; i < 20; i++) await page.keyboard.press("Shift+ArrowDown");
    await page.keyboard.press("Enter");
    await page.getByTestId("selection-chip").waitFor();
    await minBox.fill("1s");
    await minBox.press("Enter");
    await expect.poll(() => [...new URL(page.url()).searchParams.keys()]).toEqual(["minDurationMs"]);
    expect(new URL(page.url()).searchParams.get("minDurationMs")).toBe("1000");
    await expect.poll(rows).toBe(0);
    expect(await page.getByRole("alert").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it('opens a sorted list of more traces than a page with no false "new" and every trace in it', async () => {
    const { app, browser } = suite;
    // The newest the shortest: by duration, the newest (which the live feed's snapshot holds) are at
    // the end of the list, past its first page of 500.
    const spans = await storeOnly(700, (i) => BigInt(1000 - i) * 1_000_000n);
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/?sort=duration`);
    await expect.poll(() => page.getByTestId("trace-count").textContent()).toBe("700 traces");
    // Connected: the live feed's snapshot has come (it is the first message), and a moment to place it.
    await page.locator('[data-connection="open"]').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await page.getByTestId("new-traces").count()).toBe(0);
    // Scrolled to its end (the next page loads on the way), the list ends with the shortest trace.
    const list = page.locator(".trace-rows");
    const lastRow = () =>
      list.evaluate((element) => {
        element.scrollTop = element.scrollHeight;
        const rows = [...element.querySelectorAll("[data-trace-id]")];
        return rows[rows.length - 1]?.getAttribute("data-trace-id");
      });
    await expect.poll(lastRow).toBe(spans[699]?.traceId);
    expect(await page.getByTestId("new-traces").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("counts every matching trace in the header, not just the rows loaded so far", async () => {
    const { app, browser } = suite;
    // More than the list's first page of 500.
    await storeOnly(700);
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/`);
    await expect.poll(() => page.getByTestId("trace-count").textContent()).toBe("700 traces");
    expect(await page.getByTestId("latency-caption").textContent()).toMatch(/^700 traces/);
    // A query that does not parse counts nothing: the chart draws none of the traces it held.
    const search = page.getByRole("combobox", { name: "Search spans" });
    await search.fill('(status=error "card');
    await search.press("Enter");
    await expect
      .poll(() => page.getByTestId("latency-chart-empty").textContent())
      .toBe("The query does not parse: nothing to draw.");
    expect(await page.getByTestId("latency-caption").textContent()).toBe("0 traces");
    expect(await page.getByTestId("latency-chart").count()).toBe(0);
    // Nor does one that matches nothing.
    await page.goto(`${app.base}/?q=${encodeURIComponent("name=nothing-matches")}`);
    await expect.poll(() => page.getByTestId("trace-count").textContent()).toBe("0 traces");
    await page.close();
    expect(problems).toEqual([]);
  });
});
