import { expect, it } from "vitest";
import { AppError } from "../../src/domain/errors.js";
import type { Span } from "../../src/domain/span.js";
import type { TraceSummary } from "../../src/domain/trace-summary.js";
import type { Store, TraceQuery } from "../../src/store/store.js";
import { SORT_ORDERS, type SortOrder, TRACE_SORT_KEYS, type TraceSortKey } from "../../src/store/trace-sort.js";
import { makeSpan, rootSpan, traceId, walkAll } from "./span-fixtures.js";

/**
 * Sorting the trace list (`TraceQuery.sort` / `order`) and paging in sorted order, part of the Store
 * contract: `fresh` opens an empty store of the implementation under test.
 */
export function sortContract(fresh: () => Promise<Store>): void {
  /**
   * 60 traces: durations, span counts and failing spans spread out with many ties, start times that
   * repeat, and the longest, biggest and most failing traces among the oldest (a newest-first slice
   * would miss them). Every third trace is from "worker"; every fifth has a span named "checkout".
   */
  async function fixture(): Promise<Store> {
    const store = await fresh();
    const spans: Span[] = [];
    for (let i = 1; i <= 60; i++) {
      const start = Math.floor(i / 3) * 10;
      const duration = i <= 3 ? 5000 + i : (i * 37) % 11;
      const service = i % 3 === 0 ? "worker" : "api";
      spans.push(rootSpan(i, { start, end: start + duration, service, error: i % 4 === 0 }));
      const children = i <= 2 ? 20 : i % 5;
      for (let c = 0; c < children; c++) {
        spans.push(
          makeSpan({
            trace: i,
            span: c + 2,
            parent: 1,
            name: i % 5 === 0 ? "checkout" : "step",
            service,
            start: start + 0.5,
            end: start + 0.75,
            error: i === 1 || (i % 7 === 0 && c < 2),
          }),
        );
      }
    }
    // In several batches, so stores see traces grow.
    for (let at = 0; at < spans.length; at += 45) store.insertSpans(spans.slice(at, at + 45));
    return store;
  }

  function keyOf(summary: TraceSummary, by: Exclude<TraceSortKey, "start">): number {
    return by === "duration" ? summary.durationMs : by === "spans" ? summary.spanCount : summary.errorCount;
  }

  /** The order the contract promises, computed here from the summaries alone. */
  function expected(summaries: TraceSummary[], by: TraceSortKey, order: SortOrder): string[] {
    const newestFirst = (a: TraceSummary, b: TraceSummary) =>
      a.startTimeUnixNano !== b.startTimeUnixNano
        ? a.startTimeUnixNano > b.startTimeUnixNano
          ? -1
          : 1
        : a.traceId > b.traceId
          ? -1
          : a.traceId < b.traceId
            ? 1
            : 0;
    const sorted = [...summaries].sort((a, b) => {
      if (by === "start") return order === "desc" ? newestFirst(a, b) : newestFirst(b, a);
      const ka = keyOf(a, by);
      const kb = keyOf(b, by);
      if (ka !== kb) return order === "desc" ? kb - ka : ka - kb;
      return newestFirst(a, b);
    });
    return sorted.map((s) => s.traceId);
  }

  function everything(store: Store, query: Partial<TraceQuery> = {}): TraceSummary[] {
    return store.listTraces({ limit: 1000, ...query }).traces;
  }

  it("orders by every key both ways: the key, then newest first among equal keys", async () => {
    const store = await fixture();
    const all = everything(store);
    expect(all).toHaveLength(60);
    for (const by of TRACE_SORT_KEYS) {
      for (const order of SORT_ORDERS) {
        const ids = everything(store, { sort: by, order }).map((t) => t.traceId);
        expect(ids, `${by} ${order}`).toEqual(expected(all, by, order));
      }
    }
    // The longest, biggest and most failing traces are among the oldest, and still come first.
    expect(everything(store, { sort: "duration", limit: 3 }).map((t) => t.traceId)).toEqual([3, 2, 1].map(traceId));
    expect(everything(store, { sort: "spans", limit: 2 }).map((t) => t.traceId)).toEqual([2, 1].map(traceId));
    expect(everything(store, { sort: "errors", limit: 1 })[0]?.traceId).toBe(traceId(1));
    // Without an order, descending.
    expect(everything(store, { sort: "duration" })).toEqual(everything(store, { sort: "duration", order: "desc" }));
  });

  it("pages through every key both ways exactly once, pages full but the last", async () => {
    const store = await fixture();
    for (const by of TRACE_SORT_KEYS) {
      for (const order of SORT_ORDERS) {
        const all = everything(store, { sort: by, order }).map((t) => t.traceId);
        for (const limit of [1, 7, 25, 60]) {
          const pages = walkAll(store, { sort: by, order, limit });
          expect(pages.flat(), `${by} ${order} by ${limit}`).toEqual(all);
          for (const page of pages.slice(0, -1)) expect(page).toHaveLength(limit);
        }
        expect(store.listTraces({ sort: by, order, limit: 60 }).nextCursor).toBeUndefined();
      }
    }
  });

  it("sorts and pages what the filters and the query match, and only that", async () => {
    const store = await fixture();
    for (const by of TRACE_SORT_KEYS) {
      for (const order of SORT_ORDERS) {
        const filters = [
          { service: "worker" },
          { q: "checkout" },
          { q: "checkout", errorsOnly: true },
          { service: "api", minDurationMs: 3, maxDurationMs: 9 },
        ];
        for (const filter of filters) {
          const matching = everything(store, filter);
          const ids = walkAll(store, { ...filter, sort: by, order, limit: 3 }).flat();
          expect(ids, `${by} ${order} ${JSON.stringify(filter)}`).toEqual(expected(matching, by, order));
        }
      }
    }
  });

  it("filters by maximum duration, inclusive, alone and with a minimum", async () => {
    const store = await fresh();
    store.insertSpans([10, 20, 30, 40].map((d, i) => rootSpan(i + 1, { start: i, end: i + d })));
    expect(everything(store, { maxDurationMs: 20 }).map((t) => t.traceId)).toEqual([2, 1].map(traceId));
    expect(everything(store, { minDurationMs: 20, maxDurationMs: 30 }).map((t) => t.traceId)).toEqual(
      [3, 2].map(traceId),
    );
    expect(everything(store, { maxDurationMs: 5 })).toEqual([]);
  });

  it("places a trace by its key as it grows, and a cursor stays valid after new traces arrive", async () => {
    const store = await fresh();
    store.insertSpans([1, 2, 3, 4].map((i) => rootSpan(i, { start: i, end: i + i * 10 })));
    const first = store.listTraces({ sort: "duration", limit: 2 });
    expect(first.traces.map((t) => t.traceId)).toEqual([4, 3].map(traceId));
    store.insertSpans([rootSpan(9, { start: 100, end: 200 })]);
    const second = store.listTraces({ sort: "duration", limit: 2, cursor: first.nextCursor as string });
    expect(second.traces.map((t) => t.traceId)).toEqual([2, 1].map(traceId));
    // Trace 1 grows past every other one.
    store.insertSpans([makeSpan({ trace: 1, span: 2, parent: 1, start: 2, end: 500 })]);
    expect(everything(store, { sort: "duration", limit: 2 }).map((t) => t.traceId)).toEqual([1, 9].map(traceId));
  });

  it("refuses a cursor from another sort or order, saying which it belongs to", async () => {
    const store = await fixture();
    const byDuration = store.listTraces({ sort: "duration", limit: 5 }).nextCursor as string;
    const newest = store.listTraces({ limit: 5 }).nextCursor as string;
    const oldest = store.listTraces({ sort: "start", order: "asc", limit: 5 }).nextCursor as string;
    expect(() => store.listTraces({ sort: "spans", limit: 5, cursor: byDuration })).toThrow(/sort=duration&order=desc/);
    expect(() => store.listTraces({ sort: "duration", order: "asc", limit: 5, cursor: byDuration })).toThrow(AppError);
    expect(() => store.listTraces({ limit: 5, cursor: byDuration })).toThrow(AppError);
    expect(() => store.listTraces({ sort: "duration", limit: 5, cursor: newest })).toThrow(AppError);
    expect(() => store.listTraces({ limit: 5, cursor: oldest })).toThrow(AppError);
    expect(() => store.listTraces({ sort: "duration", limit: 5, cursor: "duration.desc:x_1_2" })).toThrow(AppError);
  });
}
