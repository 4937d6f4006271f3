/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import type { LogListResponse } from "../../src/protocol.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonLogRequest, postLogs } from "../helpers/payloads.js";

const available = chromiumAvailable();

describe.skipIf(!available)("a link to a log record far down the list, in Chromium", () => {
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

  /** The record linked to, under `newer` newer records (1 ms apart, of `service`), and one older than it. */
  async function storeFarRecord(newer: number, service = "far-api"): Promise<string> {
    const start = BigInt(Date.now() - 60_000) * 1_000_000n;
    const old = [
      { body: "the record before it", timeNs: start - 1_000_000n },
      { body: "the far record", timeNs: start },
    ];
    expect((await postLogs(suite.app.base, jsonLogRequest("far-api", old))).status).toBe(200);
    const { logs } = (await (await fetch(`${suite.app.base}/api/logs?q=%22far%20record%22`)).json()) as LogListResponse;
    const farId = logs[0]?.id as string;
    for (let sent = 0; sent < newer; sent += 2000) {
      const batch = Array.from({ length: Math.min(2000, newer - sent) }, (_, i) => ({
        body: `newer ${sent + i}`,
        timeNs: start + BigInt(sent + i + 1) * 1_000_000n,
      }));
      expect((await postLogs(suite.app.base, jsonLogRequest(service, batch))).status).toBe(200);
    }
    return farId;
  }

  const rowWith = (text: string) => page.locator("[data-log-id]", { hasText: text });

  it("shows and selects the record's row however many records are newer, with the records around it", async () => {
    // 30 pages of 200 newer records: past what the list loads page by page to find it.
    const farId = await storeFarRecord(6000);
    await page.goto(`${suite.app.base}/logs?log=${farId}`);
    const row = page.locator(`[data-log-id="${farId}"]`);
    await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(1);
    expect(await row.getAttribute("aria-selected")).toBe("true");
    const inView = await row.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const list = (el.closest("[role=listbox]") as Element).getBoundingClientRect();
      return box.top >= list.top - 1 && box.bottom <= list.bottom + 1;
    });
    expect(inView).toBe(true);
    expect(await page.getByTestId("log-details").textContent()).toContain("the far record");
    // The records just newer and just older are listed around it.
    await expect.poll(() => rowWith("the record before it").count()).toBe(1);
    await expect.poll(() => rowWith("newer 0").count()).toBe(1);
    // The list says newer records are not loaded; one that arrives is counted, never put above the gap.
    const note = page.getByTestId("logs-around");
    expect(await note.textContent()).toContain("newer records are not loaded");
    const later = [{ body: "arrived while reading", timeNs: BigInt(Date.now()) * 1_000_000n }];
    expect((await postLogs(suite.app.base, jsonLogRequest("far-api", later))).status).toBe(200);
    await expect.poll(() => page.getByTestId("new-logs").textContent()).toContain("1 new");
    expect(await rowWith("arrived while reading").count()).toBe(0);
    // Showing the newest loads the list from the top again, the record still open beside it.
    await note.getByRole("button", { name: "Show the newest" }).click();
    await rowWith("arrived while reading").waitFor();
    await expect.poll(() => note.count()).toBe(0);
    expect(await page.getByTestId("log-details").textContent()).toContain("the far record");
    expect(new URL(page.url()).searchParams.get("log")).toBe(farId);
  });

  it("loads from the newest once the filters changed, even when they are picked back", async () => {
    const farId = await storeFarRecord(6000, "bulk-svc");
    // Newer still, of another service: a list loaded around the bulk record picked next has these above it.
    const latest = [{ body: "latest of all", timeNs: BigInt(Date.now()) * 1_000_000n }];
    expect((await postLogs(suite.app.base, jsonLogRequest("far-api", latest))).status).toBe(200);
    await page.goto(`${suite.app.base}/logs?log=${farId}`);
    const note = page.getByTestId("logs-around");
    await note.waitFor();
    await page.getByLabel("Service", { exact: true }).selectOption("bulk-svc");
    await expect.poll(() => note.count()).toBe(0);
    const newest = rowWith("newer 5999");
    await page.getByRole("listbox").evaluate((el) => {
      el.scrollTop = 0;
    });
    await newest.click();
    const newestId = (await newest.getAttribute("data-log-id")) as string;
    await expect.poll(() => new URL(page.url()).searchParams.get("log")).toBe(newestId);
    // All services again: the list is the newest records, the one just picked selected in it, not
    // the list loaded around the record linked to before.
    await page.getByLabel("Service", { exact: true }).selectOption("");
    await expect.poll(() => new URL(page.url()).searchParams.get("service")).toBeNull();
    const selected = page.locator(`[data-log-id="${newestId}"]`);
    await expect.poll(() => selected.getAttribute("aria-selected")).toBe("true");
    // The record is selected in the bulk service's list too: the newest of all services come with the
    // list's next load.
    await expect.poll(() => rowWith("latest of all").count()).toBe(1);
    expect(await selected.getAttribute("aria-selected")).toBe("true");
    expect(await note.count()).toBe(0);
    expect(await rowWith("the far record").count()).toBe(0);
  });

  it("counts new records without loading the newest on reaching the top or leaving the list", async () => {
    const farId = await storeFarRecord(6000);
    await page.goto(`${suite.app.base}/logs?log=${farId}`);
    const far = page.locator(`[data-log-id="${farId}"]`);
    await expect.poll(() => far.getAttribute("aria-selected"), { timeout: 20_000 }).toBe("true");
    const note = page.getByTestId("logs-around");
    const pill = page.getByTestId("new-logs");
    const pillText = async () => (await pill.allTextContents()).join("");
    // The top row of the list loaded around the record: the 100th record newer than it.
    const aroundTop = rowWith("newer 99");
    let sent = 0;
    const postNew = async (count: number) => {
      const records = Array.from({ length: count }, () => ({
        body: `arrived ${++sent}`,
        timeNs: BigInt(Date.now()) * 1_000_000n + BigInt(sent),
      }));
      expect((await postLogs(suite.app.base, jsonLogRequest("far-api", records))).status).toBe(200);
    };
    const list = page.getByRole("listbox");
    const box = (await list.boundingBox()) as { x: number; y: number; width: number; height: number };
    const outside = { x: box.x + box.width / 2, y: box.y - 60 };
    await page.mouse.move(outside.x, outside.y);
    // The record closed (the list is scrolled down to its row): three arrive and are counted.
    await page.keyboard.press("Escape");
    await expect.poll(() => new URL(page.url()).searchParams.get("log")).toBeNull();
    await postNew(3);
    await expect.poll(pillText, { timeout: 5000 }).toContain("3 new");
    // Scrolling to the top shows them no more than before: the list stays around the record.
    await list.evaluate((el) => {
      el.scrollTop = 0;
    });
    await postNew(1);
    await expect.poll(pillText, { timeout: 5000 }).toContain("4 new");
    expect(await note.count()).toBe(1);
    expect(await aroundTop.count()).toBe(1);
    expect(await rowWith("arrived 1").count()).toBe(0);
    // At the top, the pointer over the list, then leaving it: still only counted.
    await page.mouse.move(box.x + box.width / 2, box.y + 40);
    await postNew(2);
    await expect.poll(pillText, { timeout: 5000 }).toContain("6 new");
    await page.mouse.move(outside.x, outside.y);
    await postNew(1);
    await expect.poll(pillText, { timeout: 5000 }).toContain("7 new");
    expect(await note.count()).toBe(1);
    expect(await aroundTop.count()).toBe(1);
    // The pill is asked for: the list is loaded from the newest.
    await pill.click();
    await rowWith("arrived 7").waitFor();
    await expect.poll(() => note.count()).toBe(0);
  });
});
