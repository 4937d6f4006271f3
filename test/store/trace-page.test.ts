import { describe, expect, it } from "vitest";
import { TraceAggregate } from "../../src/domain/trace-summary.js";
import { SortedChunks } from "../../src/store/sorted-chunks.js";
import type { TracePage } from "../../src/store/store.js";
import type { BlockNote } from "../../src/store/trace-blocks.js";
import { createKeyOrders } from "../../src/store/trace-key-order.js";
import { collectTracePage } from "../../src/store/trace-page.js";
import { collectSortedTracePage } from "../../src/store/trace-sort.js";
import { makeSpan, traceId } from "./span-fixtures.js";

interface Entry {
  start: bigint;
  traceId: string;
  aggregate: TraceAggregate;
}

/** 1,000 one-span traces (or `n`), every 7th a match. */
function traces(n = 1000): SortedChunks<Entry, BlockNote> {
  const chunks = new SortedChunks<Entry, BlockNote>((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0), 64);
  for (let i = 1; i <= n; i++) {
    const aggregate = new TraceAggregate(traceId(i));
    aggregate.add(makeSpan({ trace: i, span: 1, start: i }));
    chunks.insert({ start: aggregate.startTimeUnixNano, traceId: aggregate.traceId, aggregate });
  }
  return chunks;
}

function walker(
  byStart: SortedChunks<Entry, BlockNote>,
  cursor: string | undefined,
  budgetMs: number,
  clock: () => number,
) {
  return collectTracePage({
    byStart,
    limit: 50,
    cursor,
    positionOf: (e) => ({ start: e.start, traceId: e.traceId }),
    matches: (e) => Number.parseInt(e.traceId.slice(-8), 16) % 7 === 0,
    summaryOf: (e) => e.aggregate.toSummary(),
    budgetMs,
    now: clock,
  });
}

/** Every trace id of every page, following cursors; and how many pages said `partial`. */
function allPages(next: (cursor: string | undefined) => TracePage): { ids: string[]; partials: number } {
  const ids: string[] = [];
  let partials = 0;
  let cursor: string | undefined;
  do {
    const page = next(cursor);
    if (page.partial) partials++;
    ids.push(...page.traces.map((t) => t.traceId));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { ids, partials };
}

describe("collectTracePage", () => {
  it("stops at its time budget with a cursor that continues exactly where it stopped", () => {
    const byStart = traces();
    // Unbounded: every match, 50 a page.
    const all = allPages((cursor) => walker(byStart, cursor, Number.POSITIVE_INFINITY, () => 0));
    expect(all.partials).toBe(0);
    expect(all.ids).toHaveLength(142);

    // A clock that moves 1 ms per reading and a 3 ms budget: every call stops early.
    let t = 0;
    const ticking = () => t++;
    const { ids: again, partials } = allPages((cursor) => walker(byStart, cursor, 3, ticking));
    expect(partials).toBeGreaterThan(5);
    expect(again).toEqual(all.ids);
  });
});

describe("collectSortedTracePage", () => {
  function sortedWalker(
    byStart: SortedChunks<Entry, BlockNote>,
    cursor: string | undefined,
    budgetMs: number,
    clock: () => number,
  ) {
    return collectSortedTracePage({
      byStart,
      sort: { by: "duration", order: "desc" },
      limit: 50,
      cursor,
      positionOf: (e) => ({ start: e.start, traceId: e.traceId }),
      // Durations repeat (ties broken newest first).
      keyOf: (e) => Number.parseInt(e.traceId.slice(-8), 16) % 13,
      boundsOf: (e) => e.aggregate,
      matches: () => true,
      matchesQuery: (e) => Number.parseInt(e.traceId.slice(-8), 16) % 7 === 0,
      summaryOf: (e) => e.aggregate.toSummary(),
      budgetMs,
      now: clock,
    });
  }

  it("stops a query at its time budget with a cursor that continues the sorted order exactly", () => {
    const byStart = traces();
    const { ids: all, partials: none } = allPages((cursor) =>
      sortedWalker(byStart, cursor, Number.POSITIVE_INFINITY, () => 0),
    );
    expect(none).toBe(0);
    expect(all).toHaveLength(142);
    const key = (id: string) => Number.parseInt(id.slice(-8), 16) % 13;
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1] as string, all[i] as string];
      expect(key(a) > key(b) || (key(a) === key(b) && a > b)).toBe(true);
    }

    let t = 0;
    const { ids: again, partials } = allPages((cursor) => sortedWalker(byStart, cursor, 3, () => t++));
    expect(partials).toBeGreaterThan(5);
    expect(again).toEqual(all);
  });
});

describe("collectSortedTracePage with many candidates", () => {
  it("gives the same order whether a page fills from the first best candidates or needs the whole sort", () => {
    const byStart = traces(3000);
    const num = (e: { traceId: string }) => Number.parseInt(e.traceId.slice(-8), 16);
    for (const every of [7, 97]) {
      const walk = (cursor: string | undefined) =>
        collectSortedTracePage({
          byStart,
          sort: { by: "spans", order: "asc" },
          limit: 5,
          cursor,
          positionOf: (e) => ({ start: e.start, traceId: e.traceId }),
          keyOf: (e) => (num(e) * 31) % 17,
          boundsOf: (e) => e.aggregate,
          matches: () => true,
          matchesQuery: (e) => num(e) % every === 0,
          summaryOf: (e) => e.aggregate.toSummary(),
          budgetMs: Number.POSITIVE_INFINITY,
        });
      const { ids } = allPages(walk);
      const expected = Array.from({ length: 3000 }, (_, i) => traceId(i + 1))
        .filter((id) => num({ traceId: id }) % every === 0)
        .sort((a, b) => {
          const ka = (num({ traceId: a }) * 31) % 17;
          const kb = (num({ traceId: b }) * 31) % 17;
          return ka - kb || (a < b ? 1 : -1);
        });
      expect(ids, `every ${every}`).toEqual(expected);
    }
  });
});

describe("collectSortedTracePage with the blocks' lists kept between calls", () => {
  it("pages in the order a full sort gives, after traces join, leave and change key", () => {
    const byStart = traces(2000);
    const keys = new Map<Entry, number>();
    const keyOf = (e: Entry) => keys.get(e) ?? Number.parseInt(e.traceId.slice(-8), 16) % 23;
    const keyOrders = createKeyOrders<Entry>();
    const every: Entry[] = [];
    byStart.walkUp((e) => every.push(e) > 0);
    for (const order of ["desc", "asc"] as const) {
      const check = () => {
        const walk = (cursor: string | undefined) =>
          collectSortedTracePage({
            byStart,
            sort: { by: "duration", order },
            limit: 37,
            cursor,
            positionOf: (e) => ({ start: e.start, traceId: e.traceId }),
            keyOf,
            boundsOf: (e) => e.aggregate,
            keyOrders,
            matches: (e) => !e.traceId.endsWith("5"),
            summaryOf: (e) => e.aggregate.toSummary(),
          });
        const expected = every
          .filter((e) => !e.traceId.endsWith("5"))
          .reverse()
          .sort((a, b) => (order === "desc" ? keyOf(b) - keyOf(a) : keyOf(a) - keyOf(b)))
          .map((e) => e.traceId);
        expect(allPages(walk).ids, order).toEqual(expected);
      };
      check();
      // Some leave (as a trace that moves or is compacted away), some change key (and are touched).
      for (let i = 0; i < 40; i++) {
        const [gone] = every.splice((i * 61) % every.length, 1);
        byStart.remove(gone as Entry);
        const changed = every[(i * 113) % every.length] as Entry;
        keys.set(changed, 100 + (i % 3));
        byStart.touch(changed);
      }
      check();
      // New ones join among the old.
      for (let i = 0; i < 30; i++) {
        const aggregate = new TraceAggregate(traceId(5000 + i));
        aggregate.add(makeSpan({ trace: 5000 + i, span: 1, start: i * 53 }));
        const entry = { start: aggregate.startTimeUnixNano, traceId: aggregate.traceId, aggregate };
        byStart.insert(entry);
      }
      every.length = 0;
      byStart.walkUp((e) => every.push(e) > 0);
      check();
    }
  });
});
