import { describe, expect, it } from "vitest";
import { MatchedCount, RECOUNT_SPACING_MS } from "../../web/src/features/logs/log-recount";

describe("the Logs page's recount", () => {
  it("keeps only the latest answer asked, never an older one landing after it", () => {
    const count = new MatchedCount<string>();
    count.loaded("q=a", "since 1", 10);
    const first = count.ask("q=a", 0);
    const second = count.ask("q=a", RECOUNT_SPACING_MS);
    expect(count.answer(second, "q=a", 12)).toBe(true);
    expect(count.answer(first, "q=a", 11)).toBe(false);
    expect(count.value).toBe(12);
  });

  it("drops an answer asked before Clear or before the list was loaded again", () => {
    const count = new MatchedCount<string>();
    count.loaded("q=a 0 0", "since 1", 10);
    const beforeClear = count.ask("q=a 0 0", 0);
    count.cleared();
    expect(count.value).toBe(0);
    expect(count.answer(beforeClear, "q=a 0 0", 10)).toBe(false);
    expect(count.value).toBe(0);
    // Loaded again (the same filters after a reload): what was asked for the list before is dropped.
    const beforeReload = count.ask("q=a 0 0", RECOUNT_SPACING_MS);
    count.loaded("q=a 0 1", "since 2", 3);
    expect(count.answer(beforeReload, "q=a 0 0", 9)).toBe(false);
    expect(count.answer(beforeReload, "q=a 0 1", 9)).toBe(false);
    expect(count.value).toBe(3);
    // Other filters shown by the time it lands.
    const asked = count.ask("q=a 0 1", 2 * RECOUNT_SPACING_MS);
    expect(count.answer(asked, "q=b 0 1", 9)).toBe(false);
    expect(count.value).toBe(3);
  });

  it("spaces recounts out during a burst, and asks none without a count to keep", () => {
    const count = new MatchedCount<string>();
    count.loaded("q=a", "since 1", null);
    expect(count.wait(0)).toBeNull();
    count.loaded("q=a", "since 1", 10);
    expect(count.wait(0)).toBe(0);
    count.ask("q=a", 1_000);
    expect(count.wait(1_400)).toBe(RECOUNT_SPACING_MS - 400);
    expect(count.wait(1_000 + RECOUNT_SPACING_MS)).toBe(0);
  });

  it("asks with the first page's window, so the count and the rows loaded agree", () => {
    const count = new MatchedCount<{ sinceUnixNano: string }>();
    expect(count.paramsFor("window=15m")).toBeUndefined();
    count.loaded("window=15m", { sinceUnixNano: "1000" }, 5);
    expect(count.paramsFor("window=15m")).toEqual({ sinceUnixNano: "1000" });
    expect(count.paramsFor("window=1h")).toBeUndefined();
  });
});
