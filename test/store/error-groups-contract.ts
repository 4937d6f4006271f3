import { describe, expect, it } from "vitest";
import type { Attributes, Span } from "../../src/domain/span.js";
import type { ErrorGroupQuery, ErrorGroupView } from "../../src/store/error-groups.js";
import type { Store } from "../../src/store/store.js";
import { makeSpan, ms, rootSpan, spanId, traceId } from "./span-fixtures.js";

const STACK = (line: number) => `TypeError: boom
    at loadCart (/app/src/cart.js:${line}:7)
    at handler (/app/src/routes.js:3:1)`;

/** A trace of a root `GET /cart` (service web) and a failing child in `service` that threw `message`. */
export function failingTrace(
  trace: number,
  options: { start?: number; message?: string; type?: string; service?: string; line?: number } = {},
): Span[] {
  const start = options.start ?? trace;
  const failing = makeSpan({ trace, span: 2, parent: 1, service: options.service ?? "api", start, error: true });
  const attributes: Attributes = {
    "exception.type": options.type ?? "TypeError",
    "exception.message": options.message ?? `Cannot read properties of undefined (user ${trace})`,
    "exception.stacktrace": STACK(options.line ?? 10 + trace),
  };
  return [
    rootSpan(trace, { name: "GET /cart", service: "web", start, end: start + 5 }),
    { ...failing, events: [{ name: "exception", timeUnixNano: ms(start + 0.5), attributes }] },
  ];
}

/**
 * A request failed with HTTP `status` as the TraceKit Node SDK 1.7.0 tells it (seen with an Express app):
 * the HTTP instrumentation's SERVER span "GET" and the Express middleware's SERVER span "GET /fail",
 * both failing. The middleware's span is inside the HTTP span (`beside` false, the first service of a
 * trace), or beside it under the caller's span (span 1, of another service), starting a few
 * milliseconds late and ending before it. `http` is the HTTP span's id, the middleware's is one more.
 */
export function toldTwice(
  trace: number,
  options: { start?: number; beside?: boolean; http?: number; status?: number } = {},
): { http: Span; middleware: Span } {
  const start = options.start ?? trace;
  const httpId = options.http ?? 2;
  const status = { "http.status_code": options.status ?? 500 };
  const http: Span = {
    ...makeSpan({
      trace,
      span: httpId,
      parent: options.beside === false ? null : 1,
      name: "GET",
      service: "backend",
      start,
      end: start + 32.2,
      error: true,
      attributes: { ...status, "http.target": "/fail" },
    }),
    kind: "SERVER",
    status: { code: "ERROR" },
  };
  const middleware: Span = {
    ...makeSpan({
      trace,
      span: httpId + 1,
      parent: options.beside === false ? httpId : 1,
      name: "GET /fail",
      service: "backend",
      start: start + 6,
      end: start + 17.6,
      error: true,
      attributes: { ...status, "http.route": "/fail" },
    }),
    kind: "SERVER",
    status: { code: "ERROR" },
  };
  return { http, middleware };
}

/** Error groups (`Store.errorGroups`): the same answers from every store, through inserts and evictions. */
export function errorGroupsContract(fresh: (options?: { maxSpans?: number }) => Promise<Store>): void {
  describe("error groups", () => {
    const all: ErrorGroupQuery = { limit: 100 };
    const byType = (groups: ErrorGroupView[]) => groups.map((g) => [g.service, g.type, g.count]);

    it("counts the traces of a group's errors apart from its errors: one request can fail in two spans", async () => {
      const store = await fresh();
      // Two spans of one request that each failed the same way, neither a telling of the request.
      const failedRequest = (trace: number) => {
        const http = { "http.status_code": 500 };
        return [
          makeSpan({
            trace,
            span: 1,
            name: "GET",
            start: trace,
            error: true,
            attributes: { ...http, "http.target": "/fail" },
          }),
          makeSpan({
            trace,
            span: 2,
            parent: 1,
            name: "GET /fail",
            start: trace,
            error: true,
            attributes: { ...http, "http.route": "/fail" },
          }),
        ];
      };
      store.insertSpans([...failedRequest(1), ...failedRequest(2), ...failedRequest(3)]);
      const answer = store.errorGroups(all);
      expect(answer.groups[0]).toMatchObject({ type: "HTTP 500", pattern: "failed", count: 6, traces: 3 });
      // As the trace list counts them: 3 failing traces, though 6 spans failed.
      expect(answer).toMatchObject({ totalErrors: 6, totalTraces: 3 });
    });

    it("counts a request the TraceKit Node SDK tells twice once, in any order of arrival, as the Services page does", async () => {
      const store = await fresh();
      const caller = (trace: number) => ({
        ...makeSpan({ trace, span: 1, name: "GET", service: "frontend", start: trace - 1, end: trace + 40 }),
        kind: "CLIENT" as const,
      });
      // Beside each other under the caller: the outer first, the inner first, or in one batch.
      const a = toldTwice(1);
      store.insertSpans([caller(1), a.http]);
      store.insertSpans([a.middleware]);
      const b = toldTwice(2);
      store.insertSpans([b.middleware]);
      store.insertSpans([caller(2), b.http]);
      const c = toldTwice(3);
      store.insertSpans([c.middleware, caller(3), c.http]);
      // Inside each other, as in the first service of a trace: inner first, then outer.
      const d = toldTwice(4, { beside: false });
      store.insertSpans([d.middleware]);
      store.insertSpans([d.http]);
      const answer = store.errorGroups(all);
      expect(answer.groups.map((g) => [g.type, g.pattern, g.count, g.traces])).toEqual([
        ["HTTP 500", "GET /fail failed", 4, 4],
      ]);
      expect(answer).toMatchObject({ totalErrors: 4, totalTraces: 4 });
      // The request's time is its outer telling's (the HTTP span's end).
      const [group] = answer.groups;
      expect(group?.firstSeenUnixNano).toBe(a.http.endTimeUnixNano);
      expect(group?.lastSeenUnixNano).toBe(d.http.endTimeUnixNano);
      expect(group?.failedIn).toEqual([{ kind: "SERVER", name: "GET /fail", peer: null, count: 4 }]);
      expect(group?.sparkline.reduce((n, x) => n + x, 0)).toBe(4);
      // The Services page counts the same failed requests.
      const backend = store.listServices().find((s) => s.name === "backend");
      expect(backend).toMatchObject({ requestCount: 4, requestErrorCount: 4 });
    });

    it("counts two requests under one call apart (a retry), and a request's other errors", async () => {
      const store = await fresh();
      const first = toldTwice(1, { start: 0 });
      const retry = toldTwice(1, { start: 40, http: 4 });
      // The inner telling also threw: an error of its own kind, counted.
      const thrown: Span = {
        ...retry.middleware,
        events: [
          {
            name: "exception",
            timeUnixNano: retry.middleware.endTimeUnixNano,
            attributes: { "exception.type": "Error", "exception.message": "db failed" },
          },
        ],
      };
      store.insertSpans([first.http, first.middleware, retry.http, thrown]);
      expect(byType(store.errorGroups(all).groups)).toEqual([
        ["backend", "HTTP 500", 2],
        ["backend", "Error", 1],
      ]);
    });

    it("groups the same exception with different values into one group, and others apart", async () => {
      const store = await fresh();
      store.insertSpans([...failingTrace(1), ...failingTrace(2), ...failingTrace(3)]);
      store.insertSpans(failingTrace(4, { type: "RangeError", message: "index 4 out of range", start: 2 }));
      // A failing span without an exception, and a span that did not fail.
      store.insertSpans([
        makeSpan({ trace: 5, span: 1, name: "SELECT orders", service: "db", start: 6, end: 7, error: true }),
        rootSpan(6, { start: 8 }),
      ]);
      const answer = store.errorGroups(all);
      expect(answer.totalGroups).toBe(3);
      expect(answer.totalErrors).toBe(5);
      expect(byType(answer.groups)).toEqual([
        ["db", "error", 1],
        ["api", "TypeError", 3],
        ["api", "RangeError", 1],
      ]);
      const typeError = answer.groups[1] as ErrorGroupView;
      expect(typeError).toMatchObject({
        kind: "exception",
        pattern: "Cannot read properties of undefined (user <n>)",
        frames: ["cart.js:loadCart", "routes.js:handler"],
        firstSeenUnixNano: ms(1.5),
        lastSeenUnixNano: ms(3.5),
        operations: [{ service: "web", name: "GET /cart", count: 3 }],
        sample: {
          message: "Cannot read properties of undefined (user 3)",
          stacktrace: STACK(13),
          traceId: traceId(3),
        },
      });
      expect(typeError.id).toMatch(/^[0-9a-f]{16}$/);
      expect(typeError.latest.map((l) => [l.traceId, l.timeUnixNano])).toEqual([
        [traceId(3), ms(3.5)],
        [traceId(2), ms(2.5)],
        [traceId(1), ms(1.5)],
      ]);
      expect(typeError.latest[0]?.operation).toEqual({ service: "web", name: "GET /cart" });
      expect(answer.groups[0]).toMatchObject({ kind: "status", pattern: "failed" });
      expect(typeError.traces).toBe(3);
      // Re-sent spans are not counted again.
      store.insertSpans(failingTrace(2));
      expect(store.errorGroups(all).totalErrors).toBe(5);
    });

    it("answers for a window and a service, sorted by last seen or by count, cut to the limit", async () => {
      const store = await fresh();
      for (let t = 1; t <= 4; t++) store.insertSpans(failingTrace(t, { start: t * 10 }));
      store.insertSpans(failingTrace(5, { start: 50, type: "KeyError", service: "billing" }));
      const window = store.errorGroups({ limit: 10, sinceUnixNano: ms(20), untilUnixNano: ms(30.5) });
      expect(byType(window.groups)).toEqual([["api", "TypeError", 2]]);
      expect(window.groups[0]?.firstSeenUnixNano).toBe(ms(20.5));
      expect(store.errorGroups({ limit: 10, service: "billing" }).groups.map((g) => g.type)).toEqual(["KeyError"]);
      expect(byType(store.errorGroups({ limit: 10, sort: "count" }).groups)).toEqual([
        ["api", "TypeError", 4],
        ["billing", "KeyError", 1],
      ]);
      const cut = store.errorGroups({ limit: 1 });
      expect(byType(cut.groups)).toEqual([["billing", "KeyError", 1]]);
      expect(cut.totalGroups).toBe(2);
      expect(store.errorGroups({ limit: 10, sinceUnixNano: ms(60) })).toMatchObject({ groups: [], totalErrors: 0 });
    });

    it("counts errors per bucket of the window in the sparkline", async () => {
      const store = await fresh();
      for (const start of [0, 1, 2, 50, 99]) store.insertSpans(failingTrace(start + 1, { start }));
      const answer = store.errorGroups({ limit: 10, sinceUnixNano: ms(0), untilUnixNano: ms(100) - 1n, buckets: 10 });
      expect(answer.bucketStartUnixNano).toBe(ms(0));
      expect(answer.bucketNanos).toBe(10_000_000n);
      expect(answer.groups[0]?.sparkline).toEqual([3, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
      // Without a window, the buckets span the errors found.
      const open = store.errorGroups({ limit: 10, buckets: 4 });
      expect(open.bucketStartUnixNano).toBe(ms(0.5));
      expect(open.groups[0]?.sparkline.reduce((a, b) => a + b, 0)).toBe(5);
      // Given where the stored data starts and ends, the buckets span that (everything stored, as
      // asked for), whatever the errors' own times.
      const stored = store.errorGroups({
        limit: 10,
        buckets: 4,
        axisStartUnixNano: ms(-300),
        axisEndUnixNano: ms(100),
      });
      expect(stored.bucketStartUnixNano).toBe(ms(-300));
      expect(stored.bucketNanos).toBe(100_000_000n + 1n);
      expect(stored.groups[0]?.sparkline).toEqual([0, 0, 0, 5]);
      // Errors outside it still fall inside the axis: it widens to them.
      const narrow = store.errorGroups({ limit: 10, buckets: 4, axisStartUnixNano: ms(10), axisEndUnixNano: ms(20) });
      expect(narrow.bucketStartUnixNano).toBe(ms(0.5));
      expect(narrow.groups[0]?.sparkline.reduce((a, b) => a + b, 0)).toBe(5);
      // A window ends where it is told to (now), even before errors dated later: those count in its last point.
      const window = store.errorGroups({ limit: 10, buckets: 4, sinceUnixNano: ms(0), axisEndUnixNano: ms(40) - 1n });
      expect(window.bucketStartUnixNano).toBe(ms(0));
      expect(window.bucketNanos).toBe(10_000_000n);
      expect(window.groups[0]?.sparkline).toEqual([3, 0, 0, 2]);
    });

    it("names where each group failed: the failing spans' operations, so two alike in type read apart", async () => {
      const store = await fresh();
      // As the demo's checkout: web answers HTTP 500 because its call to orders got HTTP 500; both
      // failing spans say "HTTP 500", one its own answer, one the call's.
      const checkout = (trace: number): Span[] => [
        {
          ...makeSpan({ trace, span: 1, name: "POST", service: "web", start: trace, error: true }),
          kind: "SERVER",
          status: { code: "ERROR", message: "HTTP 500" },
          attributes: { "http.request.method": "POST", "http.route": "/checkout", "http.response.status_code": 500 },
        },
        {
          ...makeSpan({ trace, span: 2, parent: 1, name: "POST /api/orders", service: "web", start: trace }),
          kind: "CLIENT",
          status: { code: "ERROR", message: "HTTP 500" },
          attributes: {
            "http.request.method": "POST",
            "url.full": "http://localhost:8081/api/orders",
            "http.response.status_code": 500,
            "peer.service": "orders",
          },
        },
      ];
      store.insertSpans([...checkout(1), ...checkout(2)]);
      // And an exception thrown in a job's step.
      store.insertSpans(failingTrace(3));
      const groups = store.errorGroups(all).groups;
      const where = groups.map((g) => [g.service, g.type, g.failedIn]);
      expect(where).toContainEqual([
        "web",
        "HTTP 500",
        [{ kind: "SERVER", name: "POST /checkout", peer: null, count: 2 }],
      ]);
      expect(where).toContainEqual([
        "web",
        "HTTP 500",
        [{ kind: "CLIENT", name: "POST /api/orders", peer: "orders", count: 2 }],
      ]);
      expect(where).toContainEqual(["api", "TypeError", [{ kind: "INTERNAL", name: "span 2", peer: null, count: 1 }]]);
      // Evicted or not, counted with the group's errors.
      const client = groups.find((g) => g.failedIn[0]?.kind === "CLIENT");
      expect(client?.operations).toEqual([{ service: "web", name: "POST /checkout", count: 2 }]);
    });

    it("links a trace whose spans recorded the error as it passed through them to the span that recorded it first, in any arrival order", async () => {
      // Trace 1: the query span records the exception at 1.5 ms, its caller records it again at 4 ms.
      const [root, query] = failingTrace(1) as [Span, Span];
      const caller: Span = {
        ...makeSpan({ trace: 1, span: 3, parent: 1, service: "api", start: 1, end: 5, error: true }),
        events: (query.events as Span["events"]).map((event) => ({ ...event, timeUnixNano: ms(4) })),
      };
      const inner = { ...query, parentSpanId: caller.spanId };
      for (const order of [[[root, inner, caller]], [[caller], [inner, root]], [[root, caller], [inner]]]) {
        const store = await fresh();
        // Four newer failing traces first: trace 1 is the last of the five kept, its first error older than all.
        for (let t = 2; t <= 5; t++) store.insertSpans(failingTrace(t, { start: 10 + t }));
        for (const batch of order) store.insertSpans(batch);
        const [group] = store.errorGroups(all).groups;
        expect(group?.count).toBe(6);
        expect(group?.latest.map((l) => [l.traceId, l.spanId])).toEqual([
          ...[5, 4, 3, 2].map((t) => [traceId(t), spanId(2)]),
          [traceId(1), spanId(2)],
        ]);
        expect(group?.latest.at(-1)?.timeUnixNano).toBe(ms(1.5));
      }
      // Its caller records it again after the other traces' errors: trace 1 is the newest failing trace
      // (by the newest time it recorded the error), still linked to where it was recorded first.
      const late: Span = {
        ...caller,
        events: (query.events as Span["events"]).map((event) => ({ ...event, timeUnixNano: ms(100) })),
      };
      for (const order of [[[root, inner, late]], [[late], [inner, root]]]) {
        const store = await fresh();
        for (let t = 2; t <= 6; t++) store.insertSpans(failingTrace(t, { start: 10 * t - 0.5 }));
        for (const batch of order) store.insertSpans(batch);
        const [group] = store.errorGroups(all).groups;
        expect(group?.latest.map((l) => [l.traceId, l.spanId])).toEqual([
          [traceId(1), spanId(2)],
          ...[6, 5, 4, 3].map((t) => [traceId(t), spanId(2)]),
        ]);
        expect(group?.latest[0]?.timeUnixNano).toBe(ms(1.5));
      }
    });

    it("counts errors of spans that arrive later in a stored trace", async () => {
      const store = await fresh();
      const [root, failing] = failingTrace(1);
      store.insertSpans([root as Span]);
      expect(store.errorGroups(all).totalErrors).toBe(0);
      store.insertSpans([failing as Span]);
      expect(byType(store.errorGroups(all).groups)).toEqual([["api", "TypeError", 1]]);
    });

    it("forgets the errors of evicted traces, and a group once all of its errors are gone", async () => {
      // Each trace is 2 spans: a bound of 6 keeps the newest 3 traces.
      const store = await fresh({ maxSpans: 6 });
      store.insertSpans(failingTrace(1, { type: "KeyError" }));
      for (let t = 2; t <= 4; t++) store.insertSpans(failingTrace(t));
      expect(byType(store.errorGroups(all).groups)).toEqual([["api", "TypeError", 3]]);
      store.insertSpans(failingTrace(5));
      const answer = store.errorGroups(all);
      expect(byType(answer.groups)).toEqual([["api", "TypeError", 3]]);
      expect(answer.groups[0]?.latest.map((l) => l.traceId)).toEqual([traceId(5), traceId(4), traceId(3)]);
      for (let t = 6; t <= 8; t++) store.insertSpans(failingTrace(t, { type: "ValueError" }));
      expect(byType(store.errorGroups(all).groups)).toEqual([["api", "ValueError", 3]]);
    });

    it("shows a kept error as the sample once the trace of the newest one is evicted", async () => {
      // Retention goes by arrival: the trace that arrived first, with the newest error, goes first.
      const store = await fresh({ maxSpans: 4 });
      store.insertSpans(failingTrace(1, { start: 100 }));
      store.insertSpans(failingTrace(2, { start: 10 }));
      store.insertSpans(failingTrace(3, { start: 20 }));
      expect(store.getTrace(traceId(1))).toBeUndefined();
      const [group] = store.errorGroups(all).groups;
      expect(group?.count).toBe(2);
      expect(group?.sample).toMatchObject({
        traceId: traceId(3),
        message: "Cannot read properties of undefined (user 3)",
        timeUnixNano: group?.lastSeenUnixNano,
      });
    });

    it("forgets every error when cleared", async () => {
      const store = await fresh();
      store.insertSpans(failingTrace(1));
      store.clear();
      expect(store.errorGroups(all)).toMatchObject({ groups: [], totalGroups: 0, totalErrors: 0 });
      store.insertSpans(failingTrace(2));
      expect(byType(store.errorGroups(all).groups)).toEqual([["api", "TypeError", 1]]);
    });

    it("pages through every group in either order, none skipped or repeated, ties included", async () => {
      const store = await fresh();
      const spans: Span[] = [];
      let trace = 1;
      // 300 groups: counts 1 to 4, and last errors shared by groups of five (ties on time and on count).
      for (let i = 0; i < 300; i++) {
        const service = i % 3 === 0 ? "billing" : "api";
        for (let n = 0; n <= i % 4; n++) {
          spans.push(...failingTrace(trace++, { type: `E${i}`, service, start: 1000 + Math.floor(i / 5) - n }));
        }
      }
      store.insertSpans(spans);
      for (const sort of ["lastSeen", "count"] as const) {
        for (const filters of [{}, { service: "billing" }, { sinceUnixNano: ms(1030) }]) {
          const whole = store.errorGroups({ ...filters, sort, limit: 1000 });
          expect(whole.nextCursor).toBeUndefined();
          for (const limit of [7, 100]) {
            const ids: string[] = [];
            let cursor: string | undefined;
            let pages = 0;
            do {
              const page = store.errorGroups({ ...filters, sort, limit, ...(cursor === undefined ? {} : { cursor }) });
              expect(page.totalGroups).toBe(whole.totalGroups);
              expect(page.totalErrors).toBe(whole.totalErrors);
              expect(page.groups.length).toBeLessThanOrEqual(limit);
              ids.push(...page.groups.map((g) => g.id));
              cursor = page.nextCursor;
              pages++;
            } while (cursor !== undefined && pages < 400);
            expect(ids).toEqual(whole.groups.map((g) => g.id));
            expect(new Set(ids).size).toBe(whole.totalGroups);
          }
        }
      }
      expect(store.errorGroups({ limit: 1000 }).totalGroups).toBe(300);
      const first = store.errorGroups({ sort: "count", limit: 10 });
      expect(() => store.errorGroups({ sort: "lastSeen", limit: 10, cursor: first.nextCursor as string })).toThrow(
        /belongs to sort=count/,
      );
      expect(() => store.errorGroups({ limit: 10, cursor: "nonsense" })).toThrow(/not one this server issued/);
    });

    it("pages on past a group that a new error moved up since the page before, without repeating it", async () => {
      const store = await fresh();
      for (let i = 0; i < 6; i++) store.insertSpans(failingTrace(i + 1, { type: `E${i}`, start: 100 + i }));
      const first = store.errorGroups({ limit: 3 });
      expect(first.groups.map((g) => g.type)).toEqual(["E5", "E4", "E3"]);
      // E0, not shown yet, fails again: it is now the newest, in the first page's place.
      store.insertSpans(failingTrace(7, { type: "E0", start: 200 }));
      const rest = store.errorGroups({ limit: 3, cursor: first.nextCursor as string });
      expect(rest.groups.map((g) => g.type)).toEqual(["E2", "E1"]);
      expect(rest.nextCursor).toBeUndefined();
      expect(store.errorGroups({ limit: 3 }).groups.map((g) => g.type)).toEqual(["E0", "E5", "E4"]);
    });
  });
}
