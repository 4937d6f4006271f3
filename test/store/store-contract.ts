import { afterEach, describe, expect, it } from "vitest";
import { INT_MARK } from "../../src/domain/bytes-places.js";
import { AppError } from "../../src/domain/errors.js";
import { traceLlmCost } from "../../src/domain/llm-cost.js";
import { MODEL_PRICES } from "../../src/domain/llm-prices.js";
import type { PeerNames } from "../../src/domain/service-map.js";
import type { Attributes, AttrValue, Span } from "../../src/domain/span.js";
import type { TraceSummary } from "../../src/domain/trace-summary.js";
import { PERCENTILE_RELATIVE_ERROR } from "../../src/store/latency-histogram.js";
import type { Store, TraceQuery } from "../../src/store/store.js";
import { errorGroupsContract } from "./error-groups-contract.js";
import { operationsContract } from "./operations-contract.js";
import { peerQueryContract } from "./peer-query-contract.js";
import { queryContract } from "./query-contract.js";
import { sortContract } from "./sort-contract.js";
import { makeSpan, ms, richSpan, rootSpan, sdkFailedRequest, spanId, T0, traceId, walkAll } from "./span-fixtures.js";
import { textSearchContract } from "./text-search-contract.js";
import { trafficContract } from "./traffic-contract.js";

export interface StoreFactoryOptions {
  maxSpans?: number;
  /** `--service-name-mapping`, for `peer=` queries. */
  peerNames?: PeerNames;
}

export type StoreFactory = (options: StoreFactoryOptions) => Store | Promise<Store>;

/** The behaviour every Store must have; each implementation's test file runs it. */
/**
 * The store, with list walks given all the time they need unless a test sets a budget. A walk that
 * uses up its budget (100 ms by default) rightly answers a partial page with a cursor, but a test of
 * what a page holds would then depend on the machine: one stall of a loaded machine is enough.
 */
export function unhurried(store: Store): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === "listTraces") return (query: TraceQuery) => target.listTraces({ budgetMs: 60_000, ...query });
      return Reflect.get(target, property, receiver);
    },
  });
}

export function describeStoreContract(name: string, makeStore: StoreFactory): void {
  describe(`${name}: Store contract`, () => {
    const open: Store[] = [];

    async function fresh(options: StoreFactoryOptions = {}): Promise<Store> {
      const store = unhurried(await makeStore({ ...options, maxSpans: options.maxSpans ?? 100_000 }));
      open.push(store);
      return store;
    }

    afterEach(() => {
      for (const store of open.splice(0)) store.close();
    });

    function summaryOf(store: Store, trace: number): TraceSummary {
      const [summary] = store.getSummaries([traceId(trace)]);
      if (summary === undefined) throw new Error(`no summary for trace ${trace}`);
      return summary;
    }

    function listIds(store: Store, query: Omit<TraceQuery, "limit"> & { limit?: number } = {}): string[] {
      return store.listTraces({ limit: 1000, ...query }).traces.map((t) => t.traceId);
    }

    describe("insert and read back", () => {
      it("returns every field of a span unchanged", async () => {
        const store = await fresh();
        const span = richSpan();
        const expected = structuredClone(span);
        expect(store.insertSpans([span])).toEqual({
          inserted: 1,
          duplicateSpans: 0,
          changedTraceIds: [span.traceId],
          storedTraceIds: [span.traceId],
          lateSpans: 0,
          rejectedSpans: 0,
        });
        expect(store.getTrace(span.traceId)).toEqual([expected]);
        // Twice: a second read must not depend on state the first one left.
        expect(store.getTrace(span.traceId)).toEqual([expected]);
      });

      it("keeps where values sent as bytes are: nested in lists and maps, in the resource and the scope", async () => {
        const store = await fresh();
        const rich = richSpan();
        const span: Span = {
          ...rich,
          attributes: { ...rich.attributes, files: ["a.txt", { id: "AAECAwQ=", "a b": ["AQ=="] }] },
          bytes: ["bytes", ["files", 1, "id"], ["files", 1, "a b", 0]],
          events: [
            ...rich.events,
            {
              name: "chunk",
              timeUnixNano: rich.startTimeUnixNano,
              attributes: { chunks: ["AQ==", "AQID"] },
              bytes: [["chunks", 1]],
            },
          ],
          links: rich.links.map((link, i) =>
            i === 0
              ? { ...link, attributes: { ...link.attributes, keys: { md5: "AAE=" } }, bytes: [["keys", "md5"]] }
              : link,
          ),
          resource: { ...rich.resource, "host.key": "3q2+7w==", "host.certs": [{ id: "AAEC" }] },
          resourceBytes: ["host.key", ["host.certs", 0, "id"]],
          scope: {
            ...rich.scope,
            attributes: { "scope.token": "AQID", "scope.parts": ["x", "AQ=="] },
            bytes: ["scope.token", ["scope.parts", 1]],
          },
        };
        // A span of the same resource and scope without bytes anywhere keeps none.
        const plain = makeSpan({ trace: 1, span: 2, service: "checkout" });
        const other: Span = { ...plain, traceId: span.traceId, parentSpanId: span.spanId, resource: rich.resource };
        const expected = structuredClone([span, other]);
        store.insertSpans([span, other]);
        const back = store.getTrace(span.traceId) ?? [];
        const byId = (id: string) => back.find((s) => s.spanId === id);
        expect(back).toHaveLength(2);
        expect(byId(span.spanId)).toEqual(expected[0]);
        expect(byId(other.spanId)).toEqual(expected[1]);
        expect(byId(other.spanId)).not.toHaveProperty("resourceBytes");
        expect(byId(other.spanId)).not.toHaveProperty("bytes");
        expect(byId(other.spanId)?.scope).not.toHaveProperty("bytes");
      });

      it("keeps where int64s past 2^53 kept as their digits are, beside bytes", async () => {
        const store = await fresh();
        const rich = richSpan();
        const big = "12345678901234567";
        const span: Span = {
          ...rich,
          attributes: { ...rich.attributes, big, ids: ["1", { id: big }] },
          bytes: ["bytes", ["big", INT_MARK], ["ids", 1, "id", INT_MARK]],
          events: rich.events.map((event) => ({ ...event, attributes: { n: big }, bytes: [["n", INT_MARK]] })),
          links: rich.links.map((link) => ({ ...link, attributes: { n: [big] }, bytes: [["n", 0, INT_MARK]] })),
          resource: { ...rich.resource, "host.big": big },
          resourceBytes: [["host.big", INT_MARK]],
          scope: { ...rich.scope, attributes: { "scope.big": big }, bytes: [["scope.big", INT_MARK]] },
        };
        const expected = structuredClone(span);
        store.insertSpans([span]);
        expect(store.getTrace(span.traceId)).toEqual([expected]);
      });

      it("keeps a -0 double as -0 wherever attributes are (JSON writes it as 0)", async () => {
        const store = await fresh();
        const rich = richSpan();
        const zero: Attributes = { zero: -0, list: [-0, 0], map: { zero: -0 } };
        const span: Span = {
          ...rich,
          attributes: { ...rich.attributes, ...zero },
          events: rich.events.map((event) => ({ ...event, attributes: { ...event.attributes, ...zero } })),
          links: rich.links.map((link) => ({ ...link, attributes: { ...link.attributes, ...zero } })),
          resource: { ...rich.resource, ...zero },
          scope: { ...rich.scope, attributes: zero },
        };
        const expected = structuredClone(span);
        store.insertSpans([span]);
        const [back] = store.getTrace(span.traceId) ?? [];
        expect(back).toEqual(expected);
        expect(Object.is(back?.attributes.zero, -0)).toBe(true);
        expect(Object.is(back?.resource.zero, -0)).toBe(true);
      });

      it("returns attributes of every key set unchanged, a __proto__ key as plain data", async () => {
        const store = await fresh();
        const proto: Attributes = {};
        Object.defineProperty(proto, "__proto__", {
          value: "data",
          enumerable: true,
          writable: true,
          configurable: true,
        });
        proto.after = 1;
        const sets: Attributes[] = [
          {},
          { a: 1, b: "x" },
          { b: "x", a: 1 },
          { "2": "int-like", z: [1, { y: null }] },
          proto,
        ];
        const spans = sets.map((attributes, i) => makeSpan({ trace: 1, span: i + 1, start: i, attributes }));
        store.insertSpans(spans);
        const stored = store.getTrace(traceId(1)) ?? [];
        expect(stored.map((span) => JSON.stringify(span.attributes))).toEqual(sets.map((set) => JSON.stringify(set)));
        const last = stored[stored.length - 1]?.attributes ?? {};
        expect(Object.getPrototypeOf(last)).toBe(Object.prototype);
        expect(Object.getOwnPropertyDescriptor(last, "__proto__")?.value).toBe("data");
      });

      it("keeps nanosecond times exactly, across the whole unsigned 64-bit range", async () => {
        const store = await fresh();
        const a = makeSpan({ trace: 1, span: 1 });
        a.startTimeUnixNano = 1_700_000_000_000_000_001n;
        a.endTimeUnixNano = 1_700_000_000_000_000_003n;
        const b = makeSpan({ trace: 2, span: 1 });
        b.startTimeUnixNano = 2n ** 63n - 1n;
        b.endTimeUnixNano = 2n ** 64n - 1n;
        store.insertSpans([a, b]);
        const [readA] = store.getTrace(a.traceId) ?? [];
        expect(readA?.startTimeUnixNano).toBe(1_700_000_000_000_000_001n);
        expect(readA?.endTimeUnixNano).toBe(1_700_000_000_000_000_003n);
        const [readB] = store.getTrace(b.traceId) ?? [];
        expect(readB?.startTimeUnixNano).toBe(2n ** 63n - 1n);
        expect(readB?.endTimeUnixNano).toBe(2n ** 64n - 1n);
        expect(summaryOf(store, 1).startTimeUnixNano).toBe(1_700_000_000_000_000_001n);
        expect(summaryOf(store, 1).endTimeUnixNano).toBe(1_700_000_000_000_000_003n);
        expect(summaryOf(store, 2).endTimeUnixNano).toBe(2n ** 64n - 1n);
        const listed = store.listTraces({ limit: 10 }).traces;
        expect(listed.map((t) => [t.traceId, t.startTimeUnixNano, t.endTimeUnixNano])).toEqual([
          [b.traceId, 2n ** 63n - 1n, 2n ** 64n - 1n],
          [a.traceId, 1_700_000_000_000_000_001n, 1_700_000_000_000_000_003n],
        ]);
      });

      it("returns a trace's spans ordered by start time, ties in arrival order", async () => {
        const store = await fresh();
        store.insertSpans([
          makeSpan({ trace: 1, span: 3, parent: 1, start: 30 }),
          makeSpan({ trace: 1, span: 1, parent: null, start: 0, end: 100 }),
        ]);
        store.insertSpans([
          makeSpan({ trace: 1, span: 4, parent: 1, start: 30 }),
          makeSpan({ trace: 1, span: 2, parent: 1, start: 10 }),
        ]);
        expect(store.getTrace(traceId(1))?.map((s) => s.spanId)).toEqual([spanId(1), spanId(2), spanId(3), spanId(4)]);
      });

      it("answers undefined for an unknown trace", async () => {
        const store = await fresh();
        expect(store.getTrace(traceId(99))).toBeUndefined();
        store.insertSpans([rootSpan(1)]);
        expect(store.getTrace(traceId(99))).toBeUndefined();
        expect(store.getSummaries([traceId(99)])).toEqual([]);
      });

      it("versions a trace: the same while its spans are, another once a span joins it or it is stored anew", async () => {
        const store = await fresh({ maxSpans: 4 });
        expect(store.traceVersion(traceId(1))).toBeUndefined();
        store.insertSpans([makeSpan({ trace: 1, span: 1 })]);
        const first = store.traceVersion(traceId(1));
        expect(first).toBeTypeOf("string");
        // Reads, another trace's spans and a re-sent span leave it alone.
        store.getTrace(traceId(1));
        store.insertSpans([makeSpan({ trace: 2, span: 1 }), makeSpan({ trace: 1, span: 1 })]);
        expect(store.traceVersion(traceId(1))).toBe(first);
        store.insertSpans([makeSpan({ trace: 1, span: 2, parent: 1, start: 5 })]);
        const grown = store.traceVersion(traceId(1));
        expect(grown).toBeTypeOf("string");
        expect(grown).not.toBe(first);
        // Cleared, then stored again with as many spans (other ones).
        store.clear();
        expect(store.traceVersion(traceId(1))).toBeUndefined();
        store.insertSpans([makeSpan({ trace: 1, span: 3 }), makeSpan({ trace: 1, span: 4, parent: 3, start: 5 })]);
        const again = store.traceVersion(traceId(1));
        expect(again).toBeTypeOf("string");
        expect([first, grown]).not.toContain(again);
        // Evicted (the bound is 4 spans): unknown.
        store.insertSpans([1, 2, 3].map((span) => makeSpan({ trace: 3, span })));
        expect(store.getTrace(traceId(1))).toBeUndefined();
        expect(store.traceVersion(traceId(1))).toBeUndefined();
      });

      it("reports changed traces once each, in arrival order", async () => {
        const store = await fresh();
        const result = store.insertSpans([
          makeSpan({ trace: 3, span: 1 }),
          makeSpan({ trace: 1, span: 1 }),
          makeSpan({ trace: 3, span: 2 }),
          makeSpan({ trace: 2, span: 1 }),
        ]);
        expect(result).toEqual({
          inserted: 4,
          duplicateSpans: 0,
          changedTraceIds: [traceId(3), traceId(1), traceId(2)],
          storedTraceIds: [traceId(3), traceId(1), traceId(2)],
          lateSpans: 0,
          rejectedSpans: 0,
        });
        expect(store.insertSpans([])).toEqual({
          inserted: 0,
          duplicateSpans: 0,
          changedTraceIds: [],
          storedTraceIds: [],
          lateSpans: 0,
          rejectedSpans: 0,
        });
      });
    });

    describe("duplicates", () => {
      it("ignores a re-sent batch (an exporter retry)", async () => {
        const store = await fresh();
        const batch = [rootSpan(1, { end: 10 }), makeSpan({ trace: 1, span: 2, parent: 1, start: 1 })];
        expect(store.insertSpans(batch).inserted).toBe(2);
        expect(store.insertSpans(batch.map((s) => ({ ...s })))).toEqual({
          inserted: 0,
          duplicateSpans: 2,
          changedTraceIds: [],
          storedTraceIds: [],
          lateSpans: 0,
          rejectedSpans: 0,
        });
        expect(store.getTrace(traceId(1))).toHaveLength(2);
        expect(summaryOf(store, 1).spanCount).toBe(2);
        expect(store.stats().spans).toBe(2);
      });

      it("ignores a span repeated within one batch and mixed with new spans", async () => {
        const store = await fresh();
        const a = makeSpan({ trace: 1, span: 1 });
        expect(store.insertSpans([a, { ...a }, makeSpan({ trace: 1, span: 2 })]).inserted).toBe(2);
        const again = store.insertSpans([makeSpan({ trace: 1, span: 3 }), { ...a }, makeSpan({ trace: 2, span: 1 })]);
        expect(again).toEqual({
          inserted: 2,
          duplicateSpans: 1,
          changedTraceIds: [traceId(1), traceId(2)],
          storedTraceIds: [traceId(1), traceId(2)],
          lateSpans: 0,
          rejectedSpans: 0,
        });
        expect(summaryOf(store, 1).spanCount).toBe(3);
        expect(store.stats()).toMatchObject({ spans: 4, traces: 2 });
      });

      it("ignores duplicates in a trace of many spans arriving in many batches", async () => {
        const store = await fresh();
        const spans = Array.from({ length: 120 }, (_, i) => makeSpan({ trace: 1, span: i + 1, start: i }));
        let inserted = 0;
        for (let i = 0; i < spans.length; i += 10) inserted += store.insertSpans(spans.slice(0, i + 10)).inserted;
        expect(inserted).toBe(120);
        expect(store.getTrace(traceId(1))).toHaveLength(120);
        expect(summaryOf(store, 1).spanCount).toBe(120);
      });
    });

    describe("trace summaries", () => {
      // frontend root → api child → db grandchild (an error); the root starts first.
      const root = () =>
        makeSpan({ trace: 7, span: 1, parent: null, name: "GET /", service: "frontend", start: 0, end: 50 });
      const child = () =>
        makeSpan({ trace: 7, span: 2, parent: 1, name: "api call", service: "api", start: 5, end: 40 });
      const grandchild = () =>
        makeSpan({ trace: 7, span: 3, parent: 2, name: "SELECT", service: "db", start: 10, end: 20, error: true });

      it("is correct after each batch when children arrive before their parents", async () => {
        const store = await fresh();
        store.insertSpans([grandchild()]);
        expect(summaryOf(store, 7)).toEqual({
          traceId: traceId(7),
          name: "SELECT",
          service: "db",
          startTimeUnixNano: ms(10),
          endTimeUnixNano: ms(20),
          durationMs: 10,
          spanCount: 1,
          errorCount: 1,
          services: ["db"],
          hasRoot: false,
          errorMessage: "failed",
          llm: null,
        });
        store.insertSpans([child()]);
        expect(summaryOf(store, 7)).toMatchObject({
          name: "api call",
          service: "api",
          startTimeUnixNano: ms(5),
          durationMs: 35,
          spanCount: 2,
          errorCount: 1,
          services: ["api", "db"],
          hasRoot: false,
        });
        expect(store.listTraces({ limit: 10 }).traces).toEqual([summaryOf(store, 7)]);
        store.insertSpans([root()]);
        const final = {
          traceId: traceId(7),
          name: "GET /",
          service: "frontend",
          startTimeUnixNano: ms(0),
          endTimeUnixNano: ms(50),
          durationMs: 50,
          spanCount: 3,
          errorCount: 1,
          services: ["api", "db", "frontend"],
          hasRoot: true,
          errorMessage: "failed",
          llm: null,
        };
        expect(summaryOf(store, 7)).toEqual(final);
        expect(store.listTraces({ limit: 10 }).traces).toEqual([final]);
      });

      it("ends the same whatever order and batching the spans arrive in", async () => {
        const orders = [
          [root, child, grandchild],
          [root, grandchild, child],
          [child, root, grandchild],
          [child, grandchild, root],
          [grandchild, root, child],
          [grandchild, child, root],
        ];
        const results: TraceSummary[] = [];
        for (const order of orders) {
          for (const together of [false, true]) {
            const store = await fresh();
            // Another trace around it, so list order and the trace's move are exercised too.
            store.insertSpans([rootSpan(8, { start: 2 })]);
            if (together) store.insertSpans(order.map((make) => make()));
            else for (const make of order) store.insertSpans([make()]);
            results.push(summaryOf(store, 7));
            expect(listIds(store)).toEqual([traceId(8), traceId(7)]);
            expect(listIds(store, { service: "db" })).toEqual([traceId(7)]);
          }
        }
        for (const summary of results) expect(summary).toEqual(results[0]);
        expect(results[0]).toMatchObject({ name: "GET /", service: "frontend", spanCount: 3, durationMs: 50 });
      });

      it("uses the root's name once it arrives even when a child started earlier (clock skew)", async () => {
        const store = await fresh();
        store.insertSpans([
          makeSpan({ trace: 1, span: 2, parent: 1, name: "early child", service: "b", start: 0, end: 5 }),
        ]);
        expect(summaryOf(store, 1)).toMatchObject({ name: "early child", service: "b", hasRoot: false });
        store.insertSpans([
          makeSpan({ trace: 1, span: 1, parent: null, name: "root", service: "a", start: 1, end: 9 }),
        ]);
        expect(summaryOf(store, 1)).toMatchObject({
          name: "root",
          service: "a",
          hasRoot: true,
          startTimeUnixNano: ms(0),
          durationMs: 9,
        });
      });

      it("leaves spans whose start is unset (0) out of the trace's times, in any arrival order", async () => {
        const unset = (trace: number, span: number, parent: number | null, end = 0n): Span => ({
          ...makeSpan({ trace, span, parent, name: `unset ${span}`, service: "b" }),
          startTimeUnixNano: 0n,
          endTimeUnixNano: end,
        });
        const store = await fresh();
        // Trace 1: the unset child first, then its timed parent; trace 2: the other way round.
        store.insertSpans([unset(1, 2, 1)]);
        store.insertSpans([makeSpan({ trace: 1, span: 1, parent: null, name: "GET /b", start: 10, end: 510 })]);
        store.insertSpans([makeSpan({ trace: 2, span: 1, parent: null, name: "GET /c", start: 20, end: 30 })]);
        store.insertSpans([unset(2, 2, 1, ms(99_999))]);
        expect(summaryOf(store, 1)).toMatchObject({
          name: "GET /b",
          startTimeUnixNano: ms(10),
          endTimeUnixNano: ms(510),
          durationMs: 500,
          spanCount: 2,
        });
        expect(summaryOf(store, 2)).toMatchObject({
          startTimeUnixNano: ms(20),
          endTimeUnixNano: ms(30),
          durationMs: 10,
        });
        // Without a root, the earliest span with a start names the trace.
        store.insertSpans([unset(3, 2, 1), makeSpan({ trace: 3, span: 3, parent: 1, name: "timed", start: 5 })]);
        expect(summaryOf(store, 3)).toMatchObject({ name: "timed", startTimeUnixNano: ms(5), durationMs: 1 });
        // A trace of spans without a start has no times: 0, and no duration.
        store.insertSpans([unset(4, 1, null, ms(50))]);
        expect(summaryOf(store, 4)).toMatchObject({
          name: "unset 1",
          startTimeUnixNano: 0n,
          endTimeUnixNano: 0n,
          durationMs: 0,
        });
        expect(listIds(store)).toEqual([traceId(2), traceId(1), traceId(3), traceId(4)]);
      });

      it("counts a span whose start is unset (0) as of no known duration in latency percentiles", async () => {
        const store = await fresh();
        store.insertSpans([
          { ...makeSpan({ trace: 1, span: 1, service: "zero-svc", name: "GET /z" }), startTimeUnixNano: 0n },
          makeSpan({ trace: 2, span: 1, service: "zero-svc", name: "GET /z", start: 10, end: 70 }),
        ]);
        const [service] = store.listServices();
        expect(service?.requestCount).toBe(2);
        // Counted from 1970 it read as 56 years: its duration is unknown, and is 0.
        expect(service?.p99Ms).toBeLessThan(100);
      });

      it("counts errors and lists every service once", async () => {
        const store = await fresh();
        store.insertSpans([
          makeSpan({ trace: 1, span: 1, service: "a", error: true }),
          makeSpan({ trace: 1, span: 2, parent: 1, service: "b", error: true }),
          makeSpan({ trace: 1, span: 3, parent: 1, service: "a" }),
        ]);
        expect(summaryOf(store, 1)).toMatchObject({ spanCount: 3, errorCount: 2, services: ["a", "b"] });
      });

      it("totals a trace's LLM calls: calls and tokens, per model (priced when shown)", async () => {
        const store = await fresh();
        const llmSpan = (span: number, attributes: Attributes) =>
          makeSpan({ trace: 3, span, parent: 1, name: "chat", start: span, attributes });
        store.insertSpans([
          rootSpan(3, { end: 100 }),
          llmSpan(2, {
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.input_tokens": 1000,
            "gen_ai.usage.output_tokens": 100,
          }),
          rootSpan(4),
        ]);
        expect(summaryOf(store, 4).llm).toBeNull();
        const gpt4o = {
          model: "gpt-4o",
          calls: 1,
          inputTokens: 1000,
          outputTokens: 100,
          cachedInputTokens: 0,
          cacheWriteInputTokens: 0,
          noUsageCalls: 0,
        };
        expect(summaryOf(store, 3).llm).toEqual({
          calls: 1,
          inputTokens: 1000,
          outputTokens: 100,
          noUsageCalls: 0,
          models: [gpt4o],
        });
        expect(traceLlmCost(summaryOf(store, 3).llm?.models ?? [], MODEL_PRICES)).toEqual({
          usd: (1000 * 2.5 + 100 * 10) / 1e6,
          unpricedCalls: 0,
          unpricedNoUsageCalls: 0,
        });
        // A model without a price counts its call and tokens, and adds no cost.
        store.insertSpans([
          llmSpan(3, {
            "gen_ai.response.model": "home-grown-7b",
            "gen_ai.usage.prompt_tokens": 50,
            "gen_ai.usage.completion_tokens": 5,
          }),
        ]);
        const homeGrown = {
          model: "home-grown-7b",
          calls: 1,
          inputTokens: 50,
          outputTokens: 5,
          cachedInputTokens: 0,
          cacheWriteInputTokens: 0,
          noUsageCalls: 0,
        };
        expect(summaryOf(store, 3).llm).toEqual({
          calls: 2,
          inputTokens: 1050,
          outputTokens: 105,
          noUsageCalls: 0,
          models: [gpt4o, homeGrown],
        });
        expect(traceLlmCost(summaryOf(store, 3).llm?.models ?? [], MODEL_PRICES)).toEqual({
          usd: (1000 * 2.5 + 100 * 10) / 1e6,
          unpricedCalls: 1,
          unpricedNoUsageCalls: 0,
        });
        expect(store.listTraces({ limit: 10 }).traces.find((t) => t.traceId === traceId(3))?.llm?.calls).toBe(2);
        store.insertSpans([
          makeSpan({
            trace: 5,
            span: 1,
            attributes: { "gen_ai.request.model": "nobody-knows", "gen_ai.usage.input_tokens": 7 },
          }),
        ]);
        expect(summaryOf(store, 5).llm).toEqual({
          calls: 1,
          inputTokens: 7,
          outputTokens: 0,
          noUsageCalls: 0,
          models: [
            {
              model: "nobody-knows",
              calls: 1,
              inputTokens: 7,
              outputTokens: 0,
              cachedInputTokens: 0,
              cacheWriteInputTokens: 0,
              noUsageCalls: 0,
            },
          ],
        });
        // A call the provider refused (a 429) reports no usage: counted apart, not as a call of 0 tokens.
        store.insertSpans([
          makeSpan({
            trace: 5,
            span: 2,
            parent: 1,
            error: true,
            attributes: { "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o" },
          }),
        ]);
        expect(summaryOf(store, 5).llm).toMatchObject({ calls: 2, inputTokens: 7, noUsageCalls: 1 });
      });

      it("counts each model's calls without usage, so the unpriced among them are known at any price table", async () => {
        const store = await fresh();
        const chat = (span: number, attributes: Attributes) =>
          makeSpan({ trace: 6, span, parent: 1, name: "chat", start: span, attributes });
        store.insertSpans([
          rootSpan(6, { end: 100 }),
          // Priced, with usage: gpt-4o at $2.50 / 1M in and $10 / 1M out.
          chat(2, {
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.input_tokens": 1000,
            "gen_ai.usage.output_tokens": 100,
          }),
          // No price, and no usage reported.
          chat(3, { "gen_ai.request.model": "home-grown-7b" }),
          // Priced, and no usage reported (the provider refused it).
          { ...chat(4, { "gen_ai.request.model": "gpt-4o" }), status: { code: "ERROR", message: "429" } },
        ]);
        const llm = summaryOf(store, 6).llm;
        expect(llm).toMatchObject({ calls: 3, inputTokens: 1000, outputTokens: 100, noUsageCalls: 2 });
        expect(llm?.models.map((m) => [m.model, m.calls, m.noUsageCalls])).toEqual([
          ["gpt-4o", 2, 1],
          ["home-grown-7b", 1, 1],
        ]);
        expect(traceLlmCost(llm?.models ?? [], MODEL_PRICES)).toEqual({
          usd: (1000 * 2.5 + 100 * 10) / 1e6,
          unpricedCalls: 1,
          unpricedNoUsageCalls: 1,
        });
        // At a table that prices the home-grown model, no call without usage is unpriced.
        const priced = { ...MODEL_PRICES, "home-grown-7b": { input: 0.1, output: 0.2, provider: "self" } };
        expect(traceLlmCost(llm?.models ?? [], priced)).toMatchObject({ unpricedCalls: 0, unpricedNoUsageCalls: 0 });
        expect(store.listTraces({ limit: 10 }).traces.find((t) => t.traceId === traceId(6))?.llm).toEqual(llm);
      });

      it("getSummaries keeps the given order and skips unknown traces", async () => {
        const store = await fresh();
        store.insertSpans([rootSpan(1), rootSpan(2), rootSpan(3)]);
        const summaries = store.getSummaries([traceId(3), traceId(9), traceId(1)]);
        expect(summaries.map((s) => s.traceId)).toEqual([traceId(3), traceId(1)]);
        expect(store.getSummaries([])).toEqual([]);
      });
    });

    describe("what failed", () => {
      const failing = (span: number, start: number, extra: Partial<Span> = {}) => ({
        ...makeSpan({ trace: 9, span, parent: span === 1 ? null : 1, start, end: start + 10, error: true }),
        ...extra,
      });
      const exception = (type: string, message: string) => [
        {
          name: "exception",
          timeUnixNano: 1n,
          attributes: { "exception.type": type, "exception.message": message },
        },
      ];

      it("says the same line in every arrival order of a silent failure below a span that did not fail, its SERVER span's parent missing", async () => {
        // S: a failing SERVER span whose caller never arrives; E below it did not fail; H below E failed saying nothing.
        const server = {
          ...makeSpan({ trace: 9, span: 1, parent: 99, start: 0, end: 10, error: true }),
          kind: "SERVER" as const,
          status: { code: "ERROR" as const, message: "Internal Server Error" },
        };
        const handler = makeSpan({ trace: 9, span: 2, parent: 1, start: 1, end: 9 });
        const silent = {
          ...makeSpan({ trace: 9, span: 3, parent: 2, start: 2, end: 8, error: true }),
          status: { code: "ERROR" as const },
        };
        const later = {
          ...makeSpan({ trace: 9, span: 4, parent: 98, start: 20, end: 30, error: true }),
          kind: "SERVER" as const,
          status: { code: "ERROR" as const, message: "Bad Gateway" },
        };
        const lines = new Set<string | null>();
        for (const order of [
          [handler, silent, server],
          [server, handler, silent],
          [silent, server, handler],
          [server, handler, silent, later],
          [silent, server, handler, later],
          [handler, silent, later, server],
        ]) {
          const store = await fresh();
          for (const span of order) store.insertSpans([span]);
          lines.add(summaryOf(store, 9).errorMessage);
        }
        expect([...lines]).toEqual([null]);
      });

      it("keeps two failing requests of a service apart, one during the other, when their callers never arrive", async () => {
        const request = (span: number, parent: number, start: number, end: number) => ({
          ...makeSpan({ trace: 9, span, parent, start, end, error: true }),
          kind: "SERVER" as const,
          status: { code: "ERROR" as const, message: `request ${span} failed` },
        });
        const spans = [request(1, 91, 0, 2000), request(2, 92, 100, 150)];
        for (const order of [spans, [...spans].reverse()]) {
          const store = await fresh();
          for (const span of order) store.insertSpans([span]);
          // Both are where a failure started: the one that started first is named.
          expect(summaryOf(store, 9).errorMessage).toBe("request 1 failed");
        }
      });

      it("says it in a line: what the failing span with none failing below it that started first says, in any arrival order", async () => {
        const spans = [
          failing(1, 0, { status: { code: "ERROR", message: "HTTP 500" } }),
          failing(2, 5, { events: exception("CardDeclined", "insufficient funds") }),
          failing(3, 2, { events: exception("TimeoutError", "gateway took 30 s") }),
          makeSpan({ trace: 9, span: 4, parent: 1, start: 1, end: 3 }),
        ];
        for (const order of [spans, [...spans].reverse()]) {
          const store = await fresh();
          for (const span of order) store.insertSpans([span]);
          expect(summaryOf(store, 9).errorMessage).toBe("TimeoutError: gateway took 30 s");
          expect(store.listTraces({ limit: 1 }).traces[0]?.errorMessage).toBe("TimeoutError: gateway took 30 s");
        }
        const statusOnly = await fresh();
        statusOnly.insertSpans([failing(1, 0, { status: { code: "ERROR", message: "HTTP 500" } })]);
        expect(summaryOf(statusOnly, 9).errorMessage).toBe("HTTP 500");
        const silent = await fresh();
        silent.insertSpans([failing(1, 0, { status: { code: "ERROR" } }), makeSpan({ trace: 10, span: 1 })]);
        expect(summaryOf(silent, 9).errorMessage).toBeNull();
        expect(summaryOf(silent, 10).errorMessage).toBeNull();
      });

      it("names the failure where the trace page says it started, in any arrival order (the TraceKit Node SDK's /fail)", async () => {
        const spans = sdkFailedRequest(9);
        const batches = [
          spans.map((span) => [span]),
          [...spans].reverse().map((span) => [span]),
          [spans],
          // As the SDK sends them: each service's spans as they end.
          [
            [spans[5], spans[4], spans[3]],
            [spans[2], spans[1], spans[0]],
          ],
        ] as Span[][][];
        for (const order of batches) {
          const store = await fresh();
          for (const batch of order) store.insertSpans(batch);
          expect(summaryOf(store, 9).errorMessage).toBe('Error: relation "ordrs" does not exist');
        }
      });

      it("names the failure where the trace page says it started through a span that did not fail, whatever arrived first (OpenTelemetry's Express instrumentation)", async () => {
        // shop's request (502) → its "request handler" span (no status) → its call (503) → inventory's
        // request (an exception) → inventory's handler (no status): the failure started in inventory.
        const span = (
          n: number,
          parent: number | null,
          service: string,
          kind: Span["kind"],
          start: number,
          end: number,
        ) => ({
          ...makeSpan({ trace: 9, span: n, parent, service, start, end }),
          kind,
        });
        const shopRequest: Span = {
          ...span(1, null, "shop", "SERVER", 0, 100),
          status: { code: "ERROR", message: "HTTP 502" },
        };
        const handler = span(2, 1, "shop", "INTERNAL", 1, 99);
        const call: Span = { ...span(3, 2, "shop", "CLIENT", 10, 80), status: { code: "ERROR", message: "HTTP 503" } };
        const inventory: Span = {
          ...span(4, 3, "inventory", "SERVER", 12, 78),
          status: { code: "ERROR" },
          events: exception("OutOfStock", "sku 42 is out of stock"),
        };
        const inventoryHandler = span(5, 4, "inventory", "INTERNAL", 13, 77);
        const spans = [shopRequest, handler, call, inventory, inventoryHandler];
        const orders: Span[][][] = [
          // As a BatchSpanProcessor may send them: the handler's span first, before anything failed.
          [[handler], [inventoryHandler, inventory], [call, shopRequest]],
          [[handler, inventoryHandler], [call], [shopRequest], [inventory]],
          [[shopRequest], [call], [handler], [inventory], [inventoryHandler]],
          [[call, inventory, shopRequest], [handler]],
          [spans],
          [[...spans].reverse()],
        ];
        for (const order of orders) {
          const store = await fresh();
          for (const batch of order) {
            store.insertSpans(batch);
            store.stats();
          }
          expect(summaryOf(store, 9).errorMessage).toBe("OutOfStock: sku 42 is out of stock");
          expect(store.listTraces({ limit: 1 }).traces[0]?.errorMessage).toBe("OutOfStock: sku 42 is out of stock");
        }
        // With one failing span there is nothing to reach through: it is where the failure started.
        const alone = await fresh();
        alone.insertSpans([handler, shopRequest]);
        expect(summaryOf(alone, 9).errorMessage).toBe("HTTP 502");
      });

      it("keeps a one-line length however long the message", async () => {
        const store = await fresh();
        store.insertSpans([failing(1, 0, { status: { code: "ERROR", message: "x".repeat(100_000) } })]);
        expect(summaryOf(store, 9).errorMessage).toHaveLength(300);
      });
    });

    describe("listing", () => {
      it("lists newest first by start time, then by trace id descending", async () => {
        const store = await fresh();
        store.insertSpans([rootSpan(1, { start: 10 }), rootSpan(2, { start: 30 }), rootSpan(3, { start: 20 })]);
        store.insertSpans([rootSpan(5, { start: 20 }), rootSpan(4, { start: 20 })]);
        expect(listIds(store)).toEqual([traceId(2), traceId(5), traceId(4), traceId(3), traceId(1)]);
      });

      it("moves a trace when an earlier span arrives", async () => {
        const store = await fresh();
        store.insertSpans([makeSpan({ trace: 1, span: 2, parent: 1, start: 50 }), rootSpan(2, { start: 40 })]);
        expect(listIds(store)).toEqual([traceId(1), traceId(2)]);
        store.insertSpans([rootSpan(1, { start: 30, end: 60 })]);
        expect(listIds(store)).toEqual([traceId(2), traceId(1)]);
        expect(listIds(store, { service: "api" })).toEqual([traceId(2), traceId(1)]);
      });

      it("returns an empty page from an empty store", async () => {
        const store = await fresh();
        expect(store.listTraces({ limit: 50 })).toEqual({ traces: [] });
        expect(store.listTraces({ limit: 50, service: "nope", q: "x", errorsOnly: true, minDurationMs: 1 })).toEqual({
          traces: [],
        });
      });

      async function filterFixture(): Promise<Store> {
        const store = await fresh();
        store.insertSpans([
          // 1: frontend → api (an error), 100 ms
          makeSpan({
            trace: 1,
            span: 1,
            parent: null,
            name: "GET /checkout",
            service: "frontend",
            start: 10,
            end: 110,
          }),
          makeSpan({
            trace: 1,
            span: 2,
            parent: 1,
            name: "charge",
            service: "api",
            start: 20,
            end: 30,
            error: true,
            attributes: { "payment.provider": "StripeLike", "http.route": "/pay" },
          }),
          // 2: api alone, 5 ms, an event with an attribute
          {
            ...makeSpan({ trace: 2, span: 1, name: "poll", service: "api", start: 20, end: 25 }),
            events: [{ name: "Cache Miss", timeUnixNano: ms(21), attributes: { "cache.key": "User:42" } }],
          },
          // 3: worker, 250 ms, nested attribute value
          makeSpan({
            trace: 3,
            span: 1,
            name: "job",
            service: "worker",
            start: 30,
            end: 280,
            attributes: { payload: { items: [{ sku: "ABC-123" }] }, "thread.count": 12 },
          }),
          // 4: frontend, exactly 50 ms, an error with a status message
          makeSpan({ trace: 4, span: 1, name: "render", service: "frontend", start: 40, end: 90, error: true }),
        ]);
        return store;
      }

      it("filters by any span's service", async () => {
        const store = await filterFixture();
        expect(listIds(store, { service: "api" })).toEqual([traceId(2), traceId(1)]);
        expect(listIds(store, { service: "frontend" })).toEqual([traceId(4), traceId(1)]);
        expect(listIds(store, { service: "worker" })).toEqual([traceId(3)]);
        expect(listIds(store, { service: "Worker" })).toEqual([]);
        expect(listIds(store, { service: "missing" })).toEqual([]);
      });

      it("filters by the trace's name, ignoring case, and combines it with other filters", async () => {
        const store = await filterFixture();
        expect(listIds(store, { name: "checkout" })).toEqual([traceId(1)]);
        expect(listIds(store, { name: "GET /" })).toEqual([traceId(1)]);
        // A child span's name is not the trace's name.
        expect(listIds(store, { name: "charge" })).toEqual([]);
        expect(listIds(store, { name: "o" })).toEqual([traceId(3), traceId(2), traceId(1)]);
        expect(listIds(store, { name: "o", service: "api" })).toEqual([traceId(2), traceId(1)]);
        expect(listIds(store, { name: "%" })).toEqual([]);
      });

      it("finds by name a trace one of whose requests has the route the Services page lists, whatever its own name", async () => {
        const store = await fresh();
        const server = (span: Span): Span => ({ ...span, kind: "SERVER" });
        store.insertSpans([
          // 1: a front end's request, which calls the items service's GET /items/:id.
          server(
            makeSpan({ trace: 1, span: 1, parent: null, name: "GET /shop", service: "front", start: 10, end: 40 }),
          ),
          {
            ...makeSpan({ trace: 1, span: 2, parent: 1, name: "GET", service: "front", start: 11, end: 30 }),
            kind: "CLIENT",
          },
          server(
            makeSpan({
              trace: 1,
              span: 3,
              parent: 2,
              name: "GET",
              service: "items",
              start: 12,
              end: 29,
              attributes: { "http.method": "GET", "http.route": "/items/:id", "http.target": "/items/7" },
            }),
          ),
          // 2: a root named by its path, which the Services page lists by its route.
          server(makeSpan({ trace: 2, span: 1, parent: null, name: "GET /items/5", service: "items", start: 20 })),
          // 3: an INTERNAL span of that name is no request: its trace is not found by it.
          server(makeSpan({ trace: 3, span: 1, parent: null, name: "GET /cart", service: "front", start: 30 })),
          makeSpan({ trace: 3, span: 2, parent: 1, name: "render /items/:id", service: "front", start: 31 }),
        ]);
        const operations = store.listOperations("items", {})?.operations.map((op) => [op.group, op.name]);
        expect(operations).toEqual([["entry", "GET /items/:id"]]);
        expect(listIds(store, { name: "/items/:id" })).toEqual([traceId(2), traceId(1)]);
        expect(listIds(store, { name: "get /ITEMS/:id" })).toEqual([traceId(2), traceId(1)]);
        expect(listIds(store, { name: "/items/:id", service: "front" })).toEqual([traceId(1)]);
        expect(listIds(store, { name: "/shop" })).toEqual([traceId(1)]);
        expect(listIds(store, { name: "/orders/:id" })).toEqual([]);
      });

      it("filters by free text in names, status messages, attribute and event values, ignoring case", async () => {
        const store = await filterFixture();
        expect(listIds(store, { q: "CHARGE" })).toEqual([traceId(1)]);
        expect(listIds(store, { q: "stripelike" })).toEqual([traceId(1)]);
        expect(listIds(store, { q: "/pa" })).toEqual([traceId(1)]);
        expect(listIds(store, { q: "cache miss" })).toEqual([traceId(2)]);
        expect(listIds(store, { q: "user:42" })).toEqual([traceId(2)]);
        expect(listIds(store, { q: "abc-1" })).toEqual([traceId(3)]);
        expect(listIds(store, { q: "12" })).toEqual([traceId(3)]);
        expect(listIds(store, { q: "FAILED" })).toEqual([traceId(4), traceId(1)]);
        expect(listIds(store, { q: "  render  " })).toEqual([traceId(4)]);
        // A bare word that is an attribute's whole key finds it; quoted, it is text only, and keys are
        // not searched as text. LIKE wildcards are plain text.
        expect(listIds(store, { q: "payment.provider" })).toEqual([traceId(1)]);
        expect(listIds(store, { q: '"payment.provider"' })).toEqual([]);
        expect(listIds(store, { q: "payment" })).toEqual([]);
        expect(listIds(store, { q: "%" })).toEqual([]);
        expect(listIds(store, { q: "_" })).toEqual([]);
        expect(listIds(store, { q: "no such text" })).toEqual([]);
        // Blank text is no filter.
        expect(listIds(store, { q: "   " })).toHaveLength(4);
      });

      it("finds free text that JSON would escape or that is not ASCII, in nested values, but never in keys or ids", async () => {
        const store = await fresh();
        store.insertSpans([
          rootSpan(1, { attributes: { "sql.text": "WHERE name = \"Ünïcode\" AND path = 'C:\\tmp'" } }),
          rootSpan(2, { attributes: { payload: { inner: ["ÅNGSTRÖM", 42] }, "keyword.only": "plain" } }),
          rootSpan(3, { attributes: { note: "tab\there" } }),
        ]);
        expect(listIds(store, { q: '"ünïcode"' })).toEqual([traceId(1)]);
        expect(listIds(store, { q: "c:\\tmp" })).toEqual([traceId(1)]);
        expect(listIds(store, { q: "ångström" })).toEqual([traceId(2)]);
        expect(listIds(store, { q: "42" })).toEqual([traceId(2)]);
        expect(listIds(store, { q: "tab\there" })).toEqual([traceId(3)]);
        expect(listIds(store, { q: "inner" })).toEqual([]);
        expect(listIds(store, { q: "keyword" })).toEqual([]);
        expect(listIds(store, { q: spanId(1) })).toEqual([]);
      });

      it("filters by minimum duration (inclusive) and by errors", async () => {
        const store = await filterFixture();
        expect(listIds(store, { minDurationMs: 50 })).toEqual([traceId(4), traceId(3), traceId(1)]);
        expect(listIds(store, { minDurationMs: 100.000001 })).toEqual([traceId(3)]);
        expect(listIds(store, { minDurationMs: 0 })).toHaveLength(4);
        expect(listIds(store, { errorsOnly: true })).toEqual([traceId(4), traceId(1)]);
        expect(listIds(store, { errorsOnly: false })).toHaveLength(4);
      });

      it("filters by the trace's start time, both bounds inclusive, and combines the window with other filters", async () => {
        const store = await filterFixture();
        expect(listIds(store, { sinceUnixNano: ms(20) })).toEqual([traceId(4), traceId(3), traceId(2)]);
        expect(listIds(store, { untilUnixNano: ms(20) })).toEqual([traceId(2), traceId(1)]);
        expect(listIds(store, { sinceUnixNano: ms(20), untilUnixNano: ms(30) })).toEqual([traceId(3), traceId(2)]);
        expect(listIds(store, { sinceUnixNano: ms(20) + 1n, untilUnixNano: ms(40) - 1n })).toEqual([traceId(3)]);
        expect(listIds(store, { sinceUnixNano: ms(41) })).toEqual([]);
        expect(listIds(store, { sinceUnixNano: ms(10), errorsOnly: true, service: "frontend" })).toEqual([
          traceId(4),
          traceId(1),
        ]);
        expect(listIds(store, { untilUnixNano: ms(35), q: "failed" })).toEqual([traceId(1)]);
        // A trace's start moves when an earlier span arrives, and the window follows it.
        store.insertSpans([makeSpan({ trace: 4, span: 2, parent: 1, service: "frontend", start: 5, end: 6 })]);
        expect(listIds(store, { sinceUnixNano: ms(10) })).toEqual([traceId(3), traceId(2), traceId(1)]);
        expect(listIds(store, { untilUnixNano: ms(5) })).toEqual([traceId(4)]);
      });

      it("pages through a time window with limit and cursor", async () => {
        const store = await fresh();
        store.insertSpans(Array.from({ length: 30 }, (_, i) => rootSpan(i + 1, { start: i * 10 })));
        const window = { sinceUnixNano: ms(50), untilUnixNano: ms(250) };
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = store.listTraces({ ...window, limit: 7, ...(cursor === undefined ? {} : { cursor }) });
          seen.push(...page.traces.map((t) => t.traceId));
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        expect(seen).toEqual(Array.from({ length: 21 }, (_, i) => traceId(26 - i)));
      });

      it("combines filters", async () => {
        const store = await filterFixture();
        expect(listIds(store, { service: "frontend", errorsOnly: true })).toEqual([traceId(4), traceId(1)]);
        expect(listIds(store, { service: "frontend", errorsOnly: true, minDurationMs: 60 })).toEqual([traceId(1)]);
        expect(listIds(store, { service: "api", q: "poll" })).toEqual([traceId(2)]);
        expect(listIds(store, { service: "api", q: "failed", errorsOnly: true, minDurationMs: 100 })).toEqual([
          traceId(1),
        ]);
        expect(listIds(store, { service: "worker", errorsOnly: true })).toEqual([]);
        expect(listIds(store, { q: "failed", minDurationMs: 60 })).toEqual([traceId(1)]);
      });

      it("pages with limit and cursor through every trace exactly once", async () => {
        const store = await fresh();
        const spans: Span[] = [];
        for (let i = 1; i <= 47; i++) {
          // Repeated start times, so pages split inside groups of equal starts.
          spans.push(
            rootSpan(i, { start: Math.floor(i / 4), service: i % 3 === 0 ? "three" : "other", error: i % 2 === 0 }),
          );
        }
        store.insertSpans(spans);
        const all = listIds(store);
        expect(all).toHaveLength(47);
        for (const limit of [1, 5, 10, 47, 100]) {
          const pages = walkAll(store, { limit });
          expect(pages.flat()).toEqual(all);
          for (const page of pages.slice(0, -1)) expect(page).toHaveLength(limit);
        }
        const filtered = walkAll(store, { limit: 4, service: "three", errorsOnly: true }).flat();
        expect(filtered).toEqual(listIds(store, { service: "three", errorsOnly: true }));
        expect(filtered).toHaveLength(7);
        expect(store.listTraces({ limit: 47 }).nextCursor).toBeUndefined();
        expect(store.listTraces({ limit: 46 }).nextCursor).toBeDefined();
      });

      it("rejects a cursor it did not issue", async () => {
        const store = await fresh();
        expect(() => store.listTraces({ limit: 5, cursor: "garbage" })).toThrow(AppError);
      });

      it("serves a cursor's next page after newer traces arrived", async () => {
        const store = await fresh();
        store.insertSpans([1, 2, 3, 4].map((i) => rootSpan(i, { start: i })));
        const first = store.listTraces({ limit: 2 });
        expect(first.traces.map((t) => t.traceId)).toEqual([traceId(4), traceId(3)]);
        store.insertSpans([rootSpan(9, { start: 100 })]);
        const second = store.listTraces({ limit: 2, cursor: first.nextCursor as string });
        expect(second.traces.map((t) => t.traceId)).toEqual([traceId(2), traceId(1)]);
      });
    });

    it("gives back a lone surrogate as sent, and finds it, however the trace is kept", async () => {
      // OTLP/JSON can carry one ("\\ud800"), and the JSON decoders keep it; UTF-8 cannot.
      const store = await fresh();
      const span = makeSpan({ trace: 1, span: 1, attributes: { k: "a\ud800b" } });
      store.insertSpans([span]);
      store.insertSpans([makeSpan({ trace: 2, span: 1 })]);
      expect(store.getTrace(traceId(1))).toStrictEqual([span]);
      expect(store.listTraces({ limit: 10, q: 'k="a\ud800b"' }).traces.map((t) => t.traceId)).toEqual([traceId(1)]);
    });

    it("finds a value however deep in arrays it is nested", async () => {
      const store = await fresh();
      let deep: AttrValue = "needle";
      for (let i = 0; i < 20; i++) deep = [deep];
      store.insertSpans([makeSpan({ trace: 1, span: 1, attributes: { k: deep } }), makeSpan({ trace: 2, span: 1 })]);
      expect(store.listTraces({ limit: 10, q: "k=needle" }).traces.map((t) => t.traceId)).toEqual([traceId(1)]);
    });

    describe("a trace by one of its span ids", () => {
      it("names the trace that holds a span, whichever span, and no trace for an id no span has", async () => {
        const store = await fresh();
        store.insertSpans([
          makeSpan({ trace: 1, span: 1 }),
          makeSpan({ trace: 1, span: 2, parent: 1 }),
          // Its parent is in another trace (a link across traces): only its own id is its.
          makeSpan({ trace: 2, span: 3, parent: 9 }),
          makeSpan({ trace: 3, span: 4, attributes: { "app.span": spanId(8), "app.nan": Number.NaN } }),
        ]);
        // A trace still taking spans, after the others went quiet (and were packed, by a packing store).
        store.insertSpans([makeSpan({ trace: 4, span: 5 })]);
        expect(store.traceIdOfSpan(spanId(1))).toBe(traceId(1));
        expect(store.traceIdOfSpan(spanId(2))).toBe(traceId(1));
        expect(store.traceIdOfSpan(spanId(3))).toBe(traceId(2));
        expect(store.traceIdOfSpan(spanId(4))).toBe(traceId(3));
        expect(store.traceIdOfSpan(spanId(5))).toBe(traceId(4));
        // A parent's id, an attribute's value: no span of those.
        expect(store.traceIdOfSpan(spanId(9))).toBeUndefined();
        expect(store.traceIdOfSpan(spanId(8))).toBeUndefined();
        expect(store.traceIdOfSpan("")).toBeUndefined();
        // Asked of one trace (a span link names both), packed or taking spans, with ids past the linear scan.
        expect(store.traceHoldsSpan(traceId(1), spanId(2))).toBe(true);
        expect(store.traceHoldsSpan(traceId(4), spanId(5))).toBe(true);
        expect(store.traceHoldsSpan(traceId(2), spanId(9))).toBe(false);
        expect(store.traceHoldsSpan(traceId(1), spanId(3))).toBe(false);
        expect(store.traceHoldsSpan(traceId(99), spanId(1))).toBe(false);
        store.insertSpans(Array.from({ length: 40 }, (_, i) => makeSpan({ trace: 5, span: 100 + i })));
        expect(store.traceHoldsSpan(traceId(5), spanId(139))).toBe(true);
        expect(store.traceHoldsSpan(traceId(5), spanId(140))).toBe(false);
      });

      it("names the newest trace when two hold a span with the id, past traces that hold its bytes as text", async () => {
        const store = await fresh();
        // The bytes of this id are the text "upstream", which every trace holds in an attribute.
        const common = "757073747265616d";
        const upstream = { "app.call": "upstream" };
        store.insertSpans([
          makeSpan({ trace: 1, span: 1, attributes: upstream }),
          { ...makeSpan({ trace: 2, span: 2, attributes: upstream }), spanId: common },
          makeSpan({ trace: 3, span: 3, attributes: upstream }),
          { ...makeSpan({ trace: 4, span: 4, attributes: upstream }), spanId: common },
          makeSpan({ trace: 5, span: 5, attributes: upstream }),
        ]);
        // A trace still taking spans, after the others went quiet (and were packed, by a packing store).
        store.insertSpans([makeSpan({ trace: 6, span: 6, attributes: upstream })]);
        expect(store.traceIdOfSpan(common)).toBe(traceId(4));
        store.insertSpans([{ ...makeSpan({ trace: 7, span: 7 }), spanId: common }]);
        expect(store.traceIdOfSpan(common)).toBe(traceId(7));
        expect(store.traceIdOfSpan("757073747265616e")).toBeUndefined();
      });

      it("finds ids of any form as they were stored, and none of a trace retention evicted or after clear", async () => {
        const store = await fresh({ maxSpans: 3 });
        store.insertSpans([
          { ...makeSpan({ trace: 1, span: 1 }), spanId: "Not_hex%" },
          makeSpan({ trace: 2, span: 2 }),
          makeSpan({ trace: 2, span: 3, parent: 2 }),
        ]);
        expect(store.traceIdOfSpan("Not_hex%")).toBe(traceId(1));
        // Its exact id: no other case, and "_" and "%" are no wildcards.
        expect(store.traceIdOfSpan("not_hex%")).toBeUndefined();
        expect(store.traceIdOfSpan("NotXhex%")).toBeUndefined();
        expect(store.traceIdOfSpan("Not_hex")).toBeUndefined();
        store.insertSpans([makeSpan({ trace: 3, span: 4 })]);
        expect(store.traceIdOfSpan("Not_hex%")).toBeUndefined();
        expect(store.traceIdOfSpan(spanId(3))).toBe(traceId(2));
        expect(store.traceIdOfSpan(spanId(4))).toBe(traceId(3));
        store.clear();
        expect(store.traceIdOfSpan(spanId(4))).toBeUndefined();
      });

      it("reads a span's context: the nearest spans above it, the first below it in waterfall order, and counts", async () => {
        const store = await fresh();
        // 1 > 2 > 3 > {4 > {6, 7}, 5 (started first), 8}; 9 is another child of 2; 10 a span of another trace.
        store.insertSpans([
          makeSpan({ trace: 1, span: 1, start: 0, end: 100, name: "root" }),
          makeSpan({ trace: 1, span: 2, parent: 1, start: 1 }),
          makeSpan({ trace: 1, span: 9, parent: 2, start: 50 }),
          makeSpan({ trace: 1, span: 3, parent: 2, start: 2, attributes: { "http.route": "/a" } }),
          makeSpan({ trace: 1, span: 4, parent: 3, start: 10 }),
          makeSpan({ trace: 1, span: 6, parent: 4, start: 12 }),
          makeSpan({ trace: 1, span: 7, parent: 4, start: 11 }),
          makeSpan({ trace: 1, span: 5, parent: 3, start: 5 }),
          makeSpan({ trace: 1, span: 8, parent: 3, start: 20 }),
          makeSpan({ trace: 2, span: 10, start: -5 }),
        ]);
        const context = store.spanContext(spanId(3), { maxAbove: 1, maxBelow: 3 });
        expect(context).toBeDefined();
        const { span, above, below, ...counts } = context!;
        expect(span.spanId).toBe(spanId(3));
        expect(span.attributes).toEqual({ "http.route": "/a" });
        expect(counts).toEqual({
          traceId: traceId(1),
          spanCount: 9,
          traceStart: ms(0),
          depth: 2,
          belowCount: 5,
          siblingCount: 1,
        });
        // The nearest one above; below, depth first with children by start: 5, 4, 7 (6 and 8 counted).
        expect(above.map((s) => s.spanId)).toEqual([spanId(2)]);
        expect(below.map((b) => [b.span.spanId, b.depth])).toEqual([
          [spanId(5), 1],
          [spanId(4), 1],
          [spanId(7), 2],
        ]);
        const all = store.spanContext(spanId(3), { maxAbove: 20, maxBelow: 30 });
        expect(all?.above.map((s) => s.name)).toEqual(["root", "span 2"]);
        expect(all?.below.map((b) => b.span.spanId)).toEqual([5, 4, 7, 6, 8].map(spanId));
        // A root: nothing above, no siblings; a leaf: nothing below.
        const root = store.spanContext(spanId(1), { maxAbove: 20, maxBelow: 2 });
        expect([root?.depth, root?.above.length, root?.belowCount, root?.siblingCount]).toEqual([0, 0, 8, 0]);
        expect(root?.below.map((b) => b.span.spanId)).toEqual([spanId(2), spanId(3)]);
        expect(store.spanContext(spanId(6), { maxAbove: 20, maxBelow: 30 })?.belowCount).toBe(0);
        expect(store.spanContext(spanId(10), { maxAbove: 20, maxBelow: 30 })?.spanCount).toBe(1);
        expect(store.spanContext(spanId(99), { maxAbove: 20, maxBelow: 30 })).toBeUndefined();
      });

      it("starts a span's trace at its spans with a start: one whose start is unset (0) places nothing in time", async () => {
        const store = await fresh();
        const unset = (trace: number, span: number, parent: number | null): Span => ({
          ...makeSpan({ trace, span, parent }),
          startTimeUnixNano: 0n,
          endTimeUnixNano: 0n,
        });
        store.insertSpans([makeSpan({ trace: 1, span: 1, start: 10, end: 20 }), unset(1, 2, 1), unset(2, 3, null)]);
        expect(store.spanContext(spanId(2), { maxAbove: 5, maxBelow: 5 })?.traceStart).toBe(ms(10));
        // No span of the trace has a start: 0.
        expect(store.spanContext(spanId(3), { maxAbove: 5, maxBelow: 5 })?.traceStart).toBe(0n);
      });
    });

    describe("query language and autocomplete", () =>
      queryContract((maxSpans) => fresh(maxSpans === undefined ? {} : { maxSpans })));

    describe("peer= queries", () => peerQueryContract(fresh));

    describe("sorting", () => sortContract(() => fresh()));

    describe("free text search", () => textSearchContract((maxSpans) => fresh({ maxSpans })));

    describe("service map and LLM calls", () => trafficContract(fresh));
    describe("services and operations", () => operationsContract((maxSpans) => fresh({ maxSpans })));

    describe("services", () => {
      it("reports spans, errors, traces and duration percentiles per service", async () => {
        const store = await fresh();
        const spans: Span[] = [];
        // api: 20 root spans over 4 traces with durations 1..20 ms, 3 errors.
        for (let i = 1; i <= 20; i++) {
          spans.push(makeSpan({ trace: 1 + (i % 4), span: 100 + i, service: "api", start: 0, end: i, error: i <= 3 }));
        }
        // db: one span of 0.5 ms in trace 1; zero: a span ending before it starts counts as 0 ms.
        spans.push(makeSpan({ trace: 1, span: 1, parent: 100, service: "db", start: 0, end: 0.5 }));
        spans.push(makeSpan({ trace: 9, span: 1, service: "zero", start: 10, end: 5 }));
        store.insertSpans(spans.slice(0, 7));
        store.insertSpans(spans.slice(7));
        const services = store.listServices();
        const near = (value: number | undefined, exact: number) =>
          expect(Math.abs((value ?? -1) - exact)).toBeLessThanOrEqual(exact * PERCENTILE_RELATIVE_ERROR);
        expect(services.map(({ p50Ms, p95Ms, p99Ms, ratePerSec, ...rest }) => rest)).toEqual([
          {
            name: "api",
            spanCount: 20,
            errorCount: 3,
            traceCount: 4,
            basis: "root",
            requestCount: 20,
            requestErrorCount: 3,
          },
          {
            name: "db",
            spanCount: 1,
            errorCount: 0,
            traceCount: 1,
            basis: "root",
            requestCount: 0,
            requestErrorCount: 0,
          },
          {
            name: "zero",
            spanCount: 1,
            errorCount: 0,
            traceCount: 1,
            basis: "root",
            requestCount: 1,
            requestErrorCount: 0,
          },
        ]);
        near(services[0]?.p50Ms, 10);
        near(services[0]?.p95Ms, 19);
        near(services[0]?.p99Ms, 20);
        expect(services[1]).toMatchObject({ p50Ms: 0, p95Ms: 0, p99Ms: 0 });
        expect(services[2]).toMatchObject({ p50Ms: 0, p95Ms: 0, p99Ms: 0 });
      });

      it("is empty for an empty store", async () => {
        const store = await fresh();
        expect(store.listServices()).toEqual([]);
      });
    });

    describe("clear", () => {
      it("forgets everything and accepts new spans afterwards", async () => {
        const store = await fresh();
        store.insertSpans([rootSpan(1), rootSpan(2, { service: "other" })]);
        store.clear();
        expect(store.listTraces({ limit: 10 })).toEqual({ traces: [] });
        expect(store.getTrace(traceId(1))).toBeUndefined();
        expect(store.getSummaries([traceId(1)])).toEqual([]);
        expect(store.listServices()).toEqual([]);
        expect(store.stats()).toMatchObject({ spans: 0, traces: 0 });
        // The same ids are new again after a clear.
        expect(store.insertSpans([rootSpan(1)])).toEqual({
          inserted: 1,
          duplicateSpans: 0,
          changedTraceIds: [traceId(1)],
          storedTraceIds: [traceId(1)],
          lateSpans: 0,
          rejectedSpans: 0,
        });
        expect(listIds(store)).toEqual([traceId(1)]);
        expect(store.stats()).toMatchObject({ spans: 1, traces: 1 });
      });
    });

    describe("retention", () => {
      function threeSpanTrace(trace: number, start: number): Span[] {
        return [1, 2, 3].map((n) =>
          makeSpan({ trace, span: n, parent: n === 1 ? null : 1, start: start + n, end: start + 10 }),
        );
      }

      it("evicts the oldest whole traces by arrival and counts them", async () => {
        const store = await fresh({ maxSpans: 10 });
        // Arrival order 1, 2, 3, 4; start times deliberately in another order.
        store.insertSpans(threeSpanTrace(1, 300));
        store.insertSpans(threeSpanTrace(2, 100));
        store.insertSpans(threeSpanTrace(3, 200));
        expect(store.stats()).toEqual({ spans: 9, traces: 3, maxSpans: 10, evictedTraces: 0, evictedSpans: 0 });
        store.insertSpans(threeSpanTrace(4, 0));
        expect(store.stats()).toEqual({ spans: 9, traces: 3, maxSpans: 10, evictedTraces: 1, evictedSpans: 3 });
        expect(store.getTrace(traceId(1))).toBeUndefined();
        expect(listIds(store)).toEqual([traceId(3), traceId(2), traceId(4)]);
        expect(store.listServices()[0]).toMatchObject({ spanCount: 9, traceCount: 3 });
      });

      it("tells its eviction listener which traces retention removed, once each", async () => {
        const store = await fresh({ maxSpans: 7 });
        const told: string[] = [];
        store.onEvicted?.((ids) => told.push(...ids));
        store.insertSpans(threeSpanTrace(1, 0));
        store.insertSpans(threeSpanTrace(2, 10));
        await store.committed?.();
        expect(told).toEqual([]);
        store.insertSpans([...threeSpanTrace(3, 20), ...threeSpanTrace(4, 30)]);
        // The listener hears at the insert, or at the commit that applies the bound.
        await store.committed?.();
        store.stats();
        expect(told).toEqual([traceId(1), traceId(2)]);
        store.clear();
        expect(told).toHaveLength(2);
      });

      it("names the traces an insert stored, also one its own retention evicted at once", async () => {
        const store = await fresh({ maxSpans: 5 });
        const result = store.insertSpans([...threeSpanTrace(1, 0), ...threeSpanTrace(2, 10)]);
        expect(result).toMatchObject({ inserted: 6, storedTraceIds: [traceId(1), traceId(2)] });
        // Evicted, once the store applies its bound (at once, or at its next flush): no fragment stays.
        expect(store.stats()).toMatchObject({ spans: 3, traces: 1, evictedTraces: 1 });
        // Spans stored already take no place among them.
        expect(store.insertSpans(threeSpanTrace(2, 10))).toMatchObject({ inserted: 0, storedTraceIds: [] });
      });

      it("never keeps half a trace", async () => {
        const store = await fresh({ maxSpans: 8 });
        store.insertSpans(threeSpanTrace(1, 0).slice(0, 2));
        store.insertSpans(threeSpanTrace(2, 10));
        store.insertSpans(threeSpanTrace(3, 20));
        // Trace 1, the oldest arrival, grows to 3 spans: 9 in all, so all of it goes.
        store.insertSpans(threeSpanTrace(1, 0).slice(2));
        expect(store.stats()).toMatchObject({ spans: 6, traces: 2, evictedTraces: 1, evictedSpans: 3 });
        expect(store.getTrace(traceId(1))).toBeUndefined();
        store.insertSpans(threeSpanTrace(4, 30));
        expect(store.stats()).toMatchObject({ spans: 6, traces: 2, evictedTraces: 2, evictedSpans: 6 });
        expect(listIds(store)).toEqual([traceId(4), traceId(3)]);
        for (const id of listIds(store)) expect(store.getTrace(id)).toHaveLength(3);
      });

      it("refuses the spans of a trace past the bound, saying why, and evicts it whole later", async () => {
        const store = await fresh({ maxSpans: 5 });
        const big = Array.from({ length: 8 }, (_, i) => makeSpan({ trace: 1, span: i + 1, start: i }));
        const result = store.insertSpans(big);
        expect(result).toMatchObject({ inserted: 5, rejectedSpans: 3, lateSpans: 0 });
        expect(result.rejectionMessage).toContain("more spans than the 5 the retention bound keeps (--max-spans)");
        expect(store.getTrace(traceId(1))).toHaveLength(5);
        store.insertSpans([rootSpan(2)]);
        expect(store.stats()).toMatchObject({ spans: 1, traces: 1, evictedTraces: 1, evictedSpans: 5 });
        expect(listIds(store)).toEqual([traceId(2)]);
      });

      it("drops late spans of an evicted trace instead of starting a fragment that poses as it", async () => {
        const store = await fresh({ maxSpans: 10 });
        // Trace 1's children arrive first (as a BatchSpanProcessor sends them), its root last.
        store.insertSpans([2, 3, 4].map((n) => makeSpan({ trace: 1, span: n, parent: 1, start: n })));
        for (let i = 2; i <= 11; i++) store.insertSpans([rootSpan(i, { start: 100 + i })]);
        expect(store.getTrace(traceId(1))).toBeUndefined();
        const late = store.insertSpans([rootSpan(1)]);
        expect(late).toMatchObject({ inserted: 0, lateSpans: 1, rejectedSpans: 0, changedTraceIds: [] });
        expect(store.getTrace(traceId(1))).toBeUndefined();
        expect(listIds(store)).not.toContain(traceId(1));
        expect(store.getSummaries([traceId(1)])).toEqual([]);
        expect(store.stats()).toMatchObject({ spans: 10, traces: 10 });
      });

      it("stores a trace evicted earlier again when the insert asks (an import of a saved trace)", async () => {
        const store = await fresh({ maxSpans: 10 });
        const saved = [rootSpan(1, { end: 10 }), makeSpan({ trace: 1, span: 2, parent: 1, start: 1 })];
        store.insertSpans(saved);
        for (let i = 2; i <= 11; i++) store.insertSpans([rootSpan(i, { start: 100 + i })]);
        await store.committed?.();
        expect(store.getTrace(traceId(1))).toBeUndefined();
        // An exporter's spans of it are late ones; a file's are the trace, asked for back.
        expect(store.insertSpans(saved.map((span) => ({ ...span })))).toMatchObject({ inserted: 0, lateSpans: 2 });
        const again = store.insertSpans(
          saved.map((span) => ({ ...span })),
          { storeEvictedTraces: true },
        );
        expect(again).toMatchObject({ inserted: 2, lateSpans: 0, rejectedSpans: 0, storedTraceIds: [traceId(1)] });
        await store.committed?.();
        expect(store.getTrace(traceId(1))?.map((span) => span.spanId)).toEqual([spanId(1), spanId(2)]);
        expect(summaryOf(store, 1).spanCount).toBe(2);
        expect(listIds(store)).toContain(traceId(1));
        // Spans of it sent after that join it, as any stored trace's.
        expect(store.insertSpans([makeSpan({ trace: 1, span: 3, parent: 1, start: 2 })])).toMatchObject({
          inserted: 1,
        });
      });

      it("keeps every trace whole when spans spread over time interleave with eviction", async () => {
        const store = await fresh({ maxSpans: 30 });
        // 80 traces of 6 spans; each trace's spans are sent in 3 requests spread over the stream,
        // in a fixed pseudo-random order, so evictions fall between a trace's requests.
        let seed = 42;
        const random = () => {
          seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
          return seed / 2 ** 31;
        };
        const sent = new Map<string, Set<string>>();
        const pieces: { at: number; spans: Span[] }[] = [];
        for (let t = 1; t <= 80; t++) {
          const spans = [1, 2, 3, 4, 5, 6].map((n) =>
            makeSpan({ trace: t, span: n, parent: n === 1 ? null : 1, start: t * 10 + n }),
          );
          sent.set(traceId(t), new Set(spans.map((span) => span.spanId)));
          for (let p = 0; p < 3; p++) pieces.push({ at: t + random() * 25, spans: spans.slice(p * 2, p * 2 + 2) });
        }
        pieces.sort((a, b) => a.at - b.at);
        let late = 0;
        for (const [i, piece] of pieces.entries()) {
          late += store.insertSpans(piece.spans).lateSpans;
          // Commits come between writes (a batching store applies retention in each).
          if (i % 4 === 0) await store.committed?.();
        }
        expect(late).toBeGreaterThan(0);
        const kept = listIds(store);
        expect(kept.length).toBeGreaterThan(0);
        for (const id of kept) {
          const spans = store.getTrace(id) ?? [];
          expect(new Set(spans.map((span) => span.spanId)), id).toEqual(sent.get(id));
          expect(store.getSummaries([id])[0]?.spanCount).toBe(6);
        }
        const stats = store.stats();
        expect(stats.spans).toBe(kept.length * 6);
        expect(stats.spans + stats.evictedSpans + late).toBe(80 * 6);
      });

      it("drops no span of a trace never evicted whose id is much like an evicted one's", async () => {
        const store = await fresh({ maxSpans: 1 });
        // The same last 13 digits (the random part), the leading ones different.
        const evicted = "0000000100000001000" + "0000000000abc";
        const alike = "0000000000000000000" + "0000000000abc";
        store.insertSpans([{ ...rootSpan(1), traceId: evicted }]);
        store.insertSpans([rootSpan(2)]);
        expect(store.getTrace(evicted)).toBeUndefined();
        expect(store.insertSpans([{ ...rootSpan(3), traceId: alike }])).toMatchObject({ inserted: 1, lateSpans: 0 });
      });

      it("forgets evicted traces when cleared", async () => {
        const store = await fresh({ maxSpans: 2 });
        store.insertSpans([rootSpan(1)]);
        store.insertSpans([rootSpan(2), rootSpan(3)]);
        expect(store.getTrace(traceId(1))).toBeUndefined();
        store.clear();
        expect(store.insertSpans([rootSpan(1)])).toMatchObject({ inserted: 1, lateSpans: 0 });
        expect(listIds(store)).toEqual([traceId(1)]);
      });

      it("keeps the bound under a long stream of traces", async () => {
        const store = await fresh({ maxSpans: 100 });
        for (let i = 1; i <= 200; i++) {
          store.insertSpans(threeSpanTrace(i, i));
          if (i % 17 === 0) expect(store.stats().spans).toBeLessThanOrEqual(100);
        }
        const stats = store.stats();
        expect(stats.spans).toBe(99);
        expect(stats.traces).toBe(33);
        expect(stats.evictedTraces).toBe(167);
        expect(stats.evictedSpans).toBe(501);
        const ids = walkAll(store, { limit: 7 }).flat();
        expect(ids).toEqual(Array.from({ length: 33 }, (_, i) => traceId(200 - i)));
      });
    });

    errorGroupsContract(fresh);

    it("reports stats", async () => {
      const store = await fresh({ maxSpans: 1234 });
      store.insertSpans([rootSpan(1), makeSpan({ trace: 1, span: 2, parent: 1 }), rootSpan(2)]);
      expect(store.stats()).toEqual({ spans: 3, traces: 2, maxSpans: 1234, evictedTraces: 0, evictedSpans: 0 });
      expect(T0).toBeGreaterThan(0n);
    });
  });
}
