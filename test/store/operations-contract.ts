import { expect, it } from "vitest";
import { percentile } from "../../src/domain/percentile.js";
import type { Attributes, Span, SpanKind } from "../../src/domain/span.js";
import { latencyBucket, PERCENTILE_RELATIVE_ERROR } from "../../src/store/latency-histogram.js";
import { MAX_OPERATIONS_PER_SERVICE, OTHER_OPERATIONS } from "../../src/store/operation-stats.js";
import type { ServiceOperations, ServiceStats, StatsWindow, Store } from "../../src/store/store.js";
import { MAX_TRACE_OPERATIONS } from "../../src/store/trace-operations.js";
import { makeSpan, ms, spanId, traceId } from "./span-fixtures.js";

interface OpSpec {
  trace: number;
  span: number;
  parent?: number | null;
  kind: SpanKind;
  name: string;
  service?: string;
  start?: number;
  end: number;
  error?: boolean;
  attributes?: Attributes;
}

export function opSpan(spec: OpSpec): Span {
  const { kind, ...rest } = spec;
  return { ...makeSpan({ parent: 1, ...rest }), kind };
}

/** `service`'s traceCount over the window from `sinceMinute` minutes after T0 (everything stored without). */
function traceCountOf(store: Store, service: string, sinceMinute?: number): number | undefined {
  const window = sinceMinute === undefined ? {} : { sinceUnixNano: ms(sinceMinute * 60_000) };
  return store.listServices(window).find((s) => s.name === service)?.traceCount;
}

/** The start of the minute `ns` falls in. */
function minuteStartNs(ns: bigint): bigint {
  return (ns / 60_000_000_000n) * 60_000_000_000n;
}

/** The ids of the stored traces a query finds, sorted. */
function tracesMatching(store: Store, q: string): string[] {
  return store
    .listTraces({ q, limit: 100 })
    .traces.map((t) => t.traceId)
    .sort();
}

const ids = (...n: number[]) => n.map(traceId).sort();

function expectNear(actual: number, exact: number, label: string): void {
  expect(Math.abs(actual - exact), `${label}: ${actual} vs ${exact}`).toBeLessThanOrEqual(
    exact * PERCENTILE_RELATIVE_ERROR + 1e-9,
  );
}

/**
 * An "api" service: 10 requests to GET /users/:id (1..10 ms, 2 failing) and 5 queue messages
 * (100 ms each), each request making a database call (0.5 ms) and every other one an HTTP call to
 * payments (20 ms, the first failing), plus an internal "render" span per queue message.
 */
export function apiTraffic(): Span[] {
  const spans: Span[] = [];
  for (let i = 1; i <= 10; i++) {
    spans.push(
      opSpan({
        trace: i,
        span: 1,
        parent: null,
        kind: "SERVER",
        name: "GET",
        end: i,
        error: i <= 2,
        attributes: { "http.request.method": "GET", "http.route": "/users/:id", "url.path": `/users/${i}` },
      }),
      opSpan({
        trace: i,
        span: 2,
        kind: "CLIENT",
        name: "SELECT users",
        start: 0.1,
        end: 0.6,
        attributes: { "db.system.name": "postgresql", "db.namespace": "shop" },
      }),
    );
    if (i % 2 === 0) {
      spans.push(
        opSpan({
          trace: i,
          span: 3,
          kind: "CLIENT",
          name: "GET",
          start: 0.5,
          end: 20.5,
          error: i === 2,
          attributes: {
            "http.request.method": "GET",
            "server.address": "payments.internal",
            "url.full": "http://payments.internal/pay",
          },
        }),
      );
    }
  }
  for (let i = 11; i <= 15; i++) {
    spans.push(
      opSpan({ trace: i, span: 1, parent: null, kind: "CONSUMER", name: "orders process", end: 100 }),
      opSpan({ trace: i, span: 2, kind: "INTERNAL", name: "render", start: 1, end: 2 }),
    );
  }
  return spans;
}

/** A cron-like service: root INTERNAL spans only, and a database call under each. */
export function jobTraffic(): Span[] {
  const spans: Span[] = [];
  for (let i = 21; i <= 24; i++) {
    spans.push(
      opSpan({
        trace: i,
        span: 1,
        parent: null,
        kind: "INTERNAL",
        name: "nightly-report",
        service: "cron",
        end: 40 * i,
      }),
      opSpan({
        trace: i,
        span: 2,
        kind: "CLIENT",
        name: "INSERT reports",
        service: "cron",
        end: 3,
        attributes: { "db.system": "postgresql" },
      }),
    );
  }
  return spans;
}

/**
 * What the TraceKit Node SDK sends for 6 requests to an Express app: the HTTP instrumentation's
 * root SERVER span "GET" (path only), and inside it the SDK middleware's own SERVER span named by
 * the path, the last two failing; plus "billing"'s SERVER span called straight from the first
 * request's root (another service: a request of its own).
 */
export function nestedServerTraffic(): Span[] {
  const spans: Span[] = [];
  for (let i = 1; i <= 6; i++) {
    spans.push(
      opSpan({
        trace: 40 + i,
        span: 2,
        parent: 1,
        kind: "SERVER",
        name: `GET /users/${i}`,
        start: 1,
        end: 3,
        error: i > 4,
        service: "shop",
        attributes: { "http.method": "GET", "http.route": `/users/${i}`, "http.client_ip": "::1" },
      }),
      opSpan({
        trace: 40 + i,
        span: 1,
        parent: null,
        kind: "SERVER",
        name: "GET",
        end: 4,
        error: i > 4,
        service: "shop",
        attributes: { "http.method": "GET", "http.target": `/users/${i}` },
      }),
    );
  }
  spans.push(
    opSpan({ trace: 41, span: 3, parent: 1, kind: "SERVER", name: "charge", start: 2, end: 3, service: "billing" }),
  );
  return spans;
}

/**
 * gateway calling payment 6 times, each request told more than once by payment: the HTTP
 * instrumentation's SERVER span (status unset: it answered 402) and inside it the TraceKit Node SDK's
 * middleware span, failed with the exception the handler threw (the first two); both failed (a 500,
 * the third); a span failed two tellings deep (the fourth); none failed (the fifth); and two SERVER
 * spans under the gateway's call over the same time, the inner one failed (the sixth).
 */
export function failedInsideTraffic(): Span[] {
  const spans: Span[] = [];
  const charge = { "http.method": "POST", "http.target": "/charge" };
  for (let i = 1; i <= 6; i++) {
    const trace = 120 + i;
    spans.push(
      opSpan({ trace, span: 1, parent: null, kind: "SERVER", name: "POST /checkout", end: 10, service: "gateway" }),
      opSpan({ trace, span: 2, parent: 1, kind: "CLIENT", name: "POST", start: 1, end: 9, service: "gateway" }),
      opSpan({
        trace,
        span: 3,
        parent: 2,
        kind: "SERVER",
        name: "POST",
        start: 2,
        end: 8,
        error: i === 3,
        service: "payment",
        attributes: charge,
      }),
      opSpan({
        trace,
        span: 4,
        parent: i === 6 ? 2 : 3,
        kind: "SERVER",
        name: "POST /charge",
        start: 2.5,
        end: 7.5,
        error: i <= 3 || i === 6,
        service: "payment",
        attributes: { ...charge, "http.route": "/charge" },
      }),
    );
    if (i === 4) {
      spans.push(
        opSpan({
          trace,
          span: 5,
          parent: 4,
          kind: "SERVER",
          name: "charge",
          start: 3,
          end: 7,
          error: true,
          service: "payment",
        }),
      );
    }
  }
  return spans;
}

/**
 * shop calling users 4 times, where users' HTTP instrumentation and, over the same time, its
 * framework's span are both SERVER spans under shop's call (one request told twice), and a retry
 * under the first call after its first request (a request of its own).
 */
export function calledServiceTraffic(): Span[] {
  const spans: Span[] = [];
  for (let i = 1; i <= 4; i++) {
    const trace = 90 + i;
    spans.push(
      opSpan({
        trace,
        span: 1,
        parent: null,
        kind: "SERVER",
        name: "GET",
        end: 50,
        service: "shop",
        attributes: { "http.target": `/users/${i}` },
      }),
      opSpan({ trace, span: 2, parent: 1, kind: "CLIENT", name: "GET", start: 5, end: 45, service: "shop" }),
      // users' HTTP instrumentation and, over the same time, its framework's span: both children of shop's call.
      opSpan({
        trace,
        span: 3,
        parent: 2,
        kind: "SERVER",
        name: "GET",
        start: 10,
        end: 40,
        service: "users",
        attributes: { "http.target": `/profile/${i}` },
      }),
      opSpan({
        trace,
        span: 4,
        parent: 2,
        kind: "SERVER",
        name: `GET /profile/${i}`,
        // As the TraceKit Node SDK's middleware span: a millisecond late, and sometimes ending a little after.
        start: 11,
        end: i % 2 === 0 ? 40.3 : 38,
        service: "users",
      }),
    );
  }
  // A second request under the same call, after the first (a retry): a request of its own.
  spans.push(
    opSpan({
      trace: 91,
      span: 5,
      parent: 2,
      kind: "SERVER",
      name: "GET",
      start: 41,
      end: 44,
      service: "users",
      attributes: { "http.target": "/profile/1" },
    }),
  );
  return spans;
}

/**
 * One trace of 20,001 entry spans (by default): a shop request (the root) holding, `calls` times over, the shop
 * framework's SERVER span (nested in the root), a call to users that users' two instrumentations
 * both tell (the inner one nested; every tenth call retried once, a request of its own), and a worker's
 * CONSUMER span of a message the call sent (a request).
 */
export function manyEntrySpansTrace(calls = 5000): Span[] {
  const trace = 300;
  const spans = [opSpan({ trace, span: 1, parent: null, kind: "SERVER", name: "GET", end: 1000, service: "shop" })];
  for (let i = 0; i < calls; i++) {
    const id = 10 + 10 * i;
    const start = i % 50;
    spans.push(
      opSpan({
        trace,
        span: id,
        parent: 1,
        kind: "SERVER",
        name: `GET /items/${i % 7}`,
        start,
        end: start + 1,
        service: "shop",
      }),
      opSpan({ trace, span: id + 1, parent: 1, kind: "CLIENT", name: "GET", start, end: start + 3, service: "shop" }),
      opSpan({
        trace,
        span: id + 2,
        parent: id + 1,
        kind: "SERVER",
        name: "GET",
        start,
        end: start + 2,
        service: "users",
      }),
      opSpan({
        trace,
        span: id + 3,
        parent: id + 1,
        kind: "SERVER",
        name: "GET /u",
        start: start + 0.1,
        end: start + 1.9,
        service: "users",
      }),
      opSpan({
        trace,
        span: id + 4,
        parent: id + 1,
        kind: "CONSUMER",
        name: "process",
        start: start + 2,
        end: start + 3,
        service: "worker",
      }),
    );
    if (i % 10 === 0) {
      spans.push(
        opSpan({
          trace,
          span: id + 5,
          parent: id + 1,
          kind: "SERVER",
          name: "GET",
          start: start + 2.1,
          end: start + 2.9,
          service: "users",
        }),
      );
    }
  }
  return spans;
}

function byName(result: ServiceOperations | undefined, name: string) {
  const op = result?.operations.find((o) => o.name === name);
  if (op === undefined) throw new Error(`no operation ${name}`);
  return op;
}

/**
 * Statistics with each percentile as its latency bucket, to compare two stores' answers: the same
 * spans fall in the same buckets, while the bounds a percentile is held within are exact in one
 * store and a bucket's edge in another where spans left a minute or came back from a file.
 */
function comparable<T extends { p50Ms: number; p95Ms: number; p99Ms: number; ratePerSec: number }>(stats: T): T {
  const bucket = (ms: number) => latencyBucket(Math.round(ms * 1e6));
  return { ...stats, p50Ms: bucket(stats.p50Ms), p95Ms: bucket(stats.p95Ms), p99Ms: bucket(stats.p99Ms) };
}

export function snapshot(store: Store): { services: ServiceStats[]; operations: Record<string, unknown> } {
  const services = store.listServices().map(comparable);
  const operations: Record<string, unknown> = {};
  for (const service of services) {
    const found = store.listOperations(service.name);
    operations[service.name] = found && {
      ...found,
      service: comparable(found.service),
      operations: found.operations.map(comparable),
    };
  }
  return { services, operations };
}

/** `snapshot` without the operations' queries: written from the first span that made each, they may read differently. */
export function counts(store: Store): unknown {
  return JSON.parse(JSON.stringify(snapshot(store), (key, value) => (key === "query" ? undefined : value)));
}

/** `items` in an order fixed by `seed`. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Requests whose durations sit just below or just above the middle of their latency bucket (1.000 s
 * lies below its bucket's middle, 1.006 s), where an estimate at the middle reads above the longest
 * or below the shortest; one request a minute or so over four hours, to two operations of "api".
 */
export function edgeOfBucketTraffic(first: number, count: number, seed: number): Span[] {
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: count }, (_, i) => {
    const trace = first + i;
    const start = Math.floor(random() * 4 * 60) * 60_000 + random() * 50_000;
    // A bucket's middle is 2^((b − 0.5)/16) ns; durations within 0.5% of it, mostly below it.
    const bucket = 440 + Math.floor(random() * 40);
    const middleMs = 2 ** ((bucket - 0.5) / 16) / 1e6;
    const duration = trace % 7 === 0 ? 1000 : middleMs * (1 + (random() - 0.8) * 0.01);
    const name = trace % 3 === 0 ? "GET /a" : "GET /b";
    return opSpan({ trace, span: 1, parent: null, kind: "SERVER", name, start, end: start + duration });
  });
}

/**
 * Checks a store's percentiles over every service and operation of `edgeOfBucketTraffic` in each of
 * several windows (everything, minutes within an hour, whole hours, hours with ragged ends) against
 * the stored spans: within the documented error of the exact nearest-rank value, p50 ≤ p95 ≤ p99, and
 * never below the shortest or above the longest duration counted, unless a minute counted lost some
 * of its spans (of `inserted`, those no longer stored), when a bucket's width (4.4%) past them at most.
 */
export function expectPercentilesWithinExtremes(store: Store, inserted: readonly Span[], label: string): void {
  const minuteNs = 60_000_000_000n;
  const hour0 = (ms(0) / minuteNs / 60n) * 60n;
  const windows: { sinceUnixNano?: bigint; untilUnixNano?: bigint }[] = [
    {},
    { sinceUnixNano: (hour0 + 70n) * minuteNs, untilUnixNano: (hour0 + 100n) * minuteNs },
    { sinceUnixNano: (hour0 + 60n) * minuteNs, untilUnixNano: (hour0 + 180n) * minuteNs - 1_000_000n },
    { sinceUnixNano: (hour0 + 30n) * minuteNs, untilUnixNano: (hour0 + 200n) * minuteNs },
  ];
  const spans = store
    .listTraces({ limit: 1000 })
    .traces.flatMap((t) => store.getTrace(t.traceId) ?? [])
    .filter((s) => s.service === "api");
  const stored = new Set(spans.map((s) => s.traceId));
  const lost = new Set(inserted.filter((s) => !stored.has(s.traceId)).map((s) => s.startTimeUnixNano / minuteNs));
  const bucketWidth = 2 ** (1 / 16);
  for (const [w, window] of windows.entries()) {
    const from = window.sinceUnixNano === undefined ? null : window.sinceUnixNano / minuteNs;
    const to = window.untilUnixNano === undefined ? null : window.untilUnixNano / minuteNs;
    const inWindow = spans.filter((s) => {
      const minute = s.startTimeUnixNano / minuteNs;
      return (from === null || minute >= from) && (to === null || minute <= to);
    });
    const expectWithin = (got: { p50Ms: number; p95Ms: number; p99Ms: number } | undefined, name: string | null) => {
      const counted = inWindow.filter((s) => name === null || s.name === name);
      const durations = counted.map((s) => Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6).sort((a, b) => a - b);
      const exact = !counted.some((s) => lost.has(s.startTimeUnixNano / minuteNs));
      const where = `${label}, window ${w}, ${name ?? "service"} (${durations.length} spans, ${exact ? "no minute lost spans" : "a minute lost spans"})`;
      if (durations.length === 0) return;
      expect(got, where).toBeDefined();
      const { p50Ms, p95Ms, p99Ms } = got as { p50Ms: number; p95Ms: number; p99Ms: number };
      const min = (durations[0] as number) / (exact ? 1 : bucketWidth);
      const max = (durations[durations.length - 1] as number) * (exact ? 1 : bucketWidth);
      expect(
        [min <= p50Ms, p50Ms <= p95Ms, p95Ms <= p99Ms, p99Ms <= max],
        `${where}: ${min} ≤ ${p50Ms} ≤ ${p95Ms} ≤ ${p99Ms} ≤ ${max}`,
      ).toEqual([true, true, true, true]);
      for (const [p, value] of [
        [50, p50Ms],
        [95, p95Ms],
        [99, p99Ms],
      ] as const) {
        const exactValue = percentile(durations, p);
        expect(Math.abs(value - exactValue), `${where}: p${p} ${value} vs ${exactValue}`).toBeLessThanOrEqual(
          exactValue * PERCENTILE_RELATIVE_ERROR + 1e-9,
        );
      }
    };
    expectWithin(
      store.listServices(window).find((s) => s.name === "api"),
      null,
    );
    const operations = store.listOperations("api", window)?.operations ?? [];
    for (const name of ["GET /a", "GET /b"]) {
      expectWithin(
        operations.find((o) => o.name === name),
        name,
      );
    }
  }
}

/**
 * Per-service and per-operation statistics (`listServices`, `listOperations`), part of the Store
 * contract: `fresh` opens an empty store of the implementation under test.
 */
/** A request of "api" (or `service`) to GET /a, `durationMs` long from `start` ms. */
function lostSpansRequest(trace: number, start: number, durationMs: number, service = "api"): Span {
  return opSpan({
    trace,
    span: 1,
    parent: null,
    kind: "SERVER",
    name: "GET /a",
    start,
    end: start + durationMs,
    service,
  });
}

const HOUR_NS = 3_600_000_000_000n;
const MINUTE_NS = 60_000_000_000n;

/**
 * A minute that lost spans, then takes another (for a store of 5 spans). `before`, insert by insert: in
 * T0's minute a request of 1.5 s, then (after two of another hour) two of 1.000 s; the 1.5 s one leaves.
 * `later`: a request of 1.080 s (below its bucket's middle, 1.096 s) to the minute while retention takes
 * one of the other hour out. The windows: T0's whole hour, and its minute.
 */
export const minuteThatLostSpans = {
  before: (): Span[][] => [
    [lostSpansRequest(1, 0, 1500)],
    [lostSpansRequest(2, 7_200_000, 5, "other"), lostSpansRequest(3, 7_201_000, 5, "other")],
    [lostSpansRequest(4, 1_000, 1000), lostSpansRequest(5, 2_000, 1000)],
    [lostSpansRequest(6, 7_202_000, 5, "other")],
  ],
  later: (): Span[] => [lostSpansRequest(7, 3_000, 1080)],
  wholeHour: { sinceUnixNano: (ms(0) / HOUR_NS) * HOUR_NS, untilUnixNano: (ms(0) / HOUR_NS + 1n) * HOUR_NS - 1n },
  oneMinute: {
    sinceUnixNano: (ms(0) / MINUTE_NS) * MINUTE_NS,
    untilUnixNano: (ms(0) / MINUTE_NS + 1n) * MINUTE_NS - 1n,
  },
};

export function operationsContract(fresh: (maxSpans?: number) => Promise<Store>): void {
  it("takes a service's headline numbers from its entry spans, and splits it into operations", async () => {
    const store = await fresh();
    const spans = apiTraffic();
    store.insertSpans(spans.slice(0, 13));
    store.insertSpans(spans.slice(13));
    const [api] = store.listServices();
    expect(api).toMatchObject({
      name: "api",
      spanCount: 35,
      errorCount: 3,
      traceCount: 15,
      basis: "entry",
      requestCount: 15,
      requestErrorCount: 2,
    });
    // Entry durations: 1..10 ms and five of 100 ms. Nearest rank: p50 = 8th of 15 = 8 ms, p95 = p99 = 100 ms.
    expectNear(api?.p50Ms ?? -1, 8, "p50");
    expectNear(api?.p95Ms ?? -1, 100, "p95");
    expectNear(api?.p99Ms ?? -1, 100, "p99");

    const result = store.listOperations("api");
    expect(result?.service).toEqual(api);
    expect(result?.operations.map((o) => [o.group, o.kind, o.name, o.peer, o.count, o.errorCount])).toEqual([
      ["entry", "SERVER", "GET /users/:id", null, 10, 2],
      ["outgoing", "CLIENT", "SELECT users", "postgresql shop", 10, 0],
      ["outgoing", "CLIENT", "GET payments", "payments", 5, 1],
      ["entry", "CONSUMER", "orders process", null, 5, 0],
      ["internal", "INTERNAL", "render", null, 5, 0],
    ]);
    const users = byName(result, "GET /users/:id");
    expectNear(users.p50Ms, 5, "users p50");
    expectNear(users.p99Ms, 10, "users p99");
    expectNear(byName(result, "SELECT users").p95Ms, 0.5, "db p95");
    expectNear(byName(result, "GET payments").p50Ms, 20, "payments p50");
    // Over everything stored, rates are per the time the spans cover: here 100 ms, so per second (the least).
    expect(result?.windowSeconds).toBe(1);
    expect(users.ratePerSec).toBeCloseTo(10, 9);

    // Each operation's query finds exactly the traces holding it.
    const traces = (q: string) => tracesMatching(store, q);
    expect(traces(users.query)).toEqual(ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
    expect(traces(byName(result, "GET payments").query)).toEqual(ids(2, 4, 6, 8, 10));
    expect(traces(byName(result, "orders process").query)).toEqual(ids(11, 12, 13, 14, 15));
    expect(traces(byName(result, "SELECT users").query)).toEqual(ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  });

  it("takes a span ending at the last nanosecond OTLP can say beside ordinary spans of its service", async () => {
    const store = await fresh();
    // 2^64 - 1 ns: its duration falls in the top latency buckets, whose range used to overflow when
    // an ordinary duration came next (every later span of the service was lost).
    const endless = {
      ...opSpan({ trace: 1, span: 1, parent: null, kind: "SERVER", name: "GET /a", service: "api", end: 5 }),
      endTimeUnixNano: 18_446_744_073_709_551_615n,
    };
    store.insertSpans([endless]);
    const ordinary = [2, 3, 4].map((trace) =>
      opSpan({ trace, span: 1, parent: null, kind: "SERVER", name: "GET /a", service: "api", end: trace }),
    );
    expect(store.insertSpans(ordinary).inserted).toBe(3);
    expect(store.stats().spans).toBe(4);
    const [api] = store.listServices();
    expect(api).toMatchObject({ name: "api", requestCount: 4, spanCount: 4 });
    expectNear(api?.p50Ms ?? -1, 3, "p50");
    expect(api?.p99Ms).toBeGreaterThan(1e12);
    expect(store.listOperations("api")?.operations.map((o) => [o.name, o.count])).toEqual([["GET /a", 4]]);
  });

  it("counts an entry span inside another of its service's once: the outer one is the request", async () => {
    const store = await fresh();
    store.insertSpans(nestedServerTraffic());
    const [billing, shop] = store.listServices();
    expect(shop).toMatchObject({ name: "shop", basis: "entry", spanCount: 12, requestCount: 6, requestErrorCount: 2 });
    expectNear(shop?.p50Ms ?? -1, 4, "shop p50: the outer spans' 4 ms");
    // Called from shop's span, but billing's own request all the same.
    expect(billing).toMatchObject({ name: "billing", basis: "entry", requestCount: 1 });
    // The outer spans (a bare GET and its path) and the inner ones (named by the path, which they also
    // give as their route, as the TraceKit Node SDK's Express middleware does) are both the route
    // GET /users/:id: the outer ones the requests, the inner ones apart and marked nested.
    const operations = store.listOperations("shop")?.operations ?? [];
    expect(
      operations
        .map((o) => [o.group, o.kind, o.name, o.nested, o.count, o.errorCount])
        .sort((a, b) => Number(a[3]) - Number(b[3])),
    ).toEqual([
      ["entry", "SERVER", "GET /users/:id", false, 6, 2],
      ["entry", "SERVER", "GET /users/:id", true, 6, 2],
    ]);
    // Its name alike an outer span's: still apart, and still not a request.
    store.insertSpans([
      opSpan({ trace: 60, span: 1, parent: null, kind: "SERVER", name: "GET /users/1", end: 1, service: "shop" }),
    ]);
    const again = store.listOperations("shop")?.operations ?? [];
    const sameName = again.filter((o) => o.name === "GET /users/:id");
    expect(sameName.map((o) => [o.nested, o.count]).sort()).toEqual([
      [false, 7],
      [true, 6],
    ]);
    expect(store.listServices().find((s) => s.name === "shop")?.requestCount).toBe(7);
  });

  it("counts a nested entry span sent twice in one insert once, and nested (the first copy is the one kept)", async () => {
    const store = await fresh();
    const server = (span: number, parent: number | null, name: string) =>
      opSpan({ trace: 70, span, parent, kind: "SERVER", name, service: "dup", start: span - 1, end: 11 - span });
    store.insertSpans([
      server(1, null, "GET /a"),
      server(2, 1, "express GET /a"),
      { ...server(2, 1, "express GET /a") },
    ]);
    expect(store.listServices().find((s) => s.name === "dup")).toMatchObject({ spanCount: 2, requestCount: 1 });
    const operations = store.listOperations("dup")?.operations ?? [];
    expect(operations.map((o) => [o.name, o.nested, o.count]).sort()).toEqual([
      ["GET /a", false, 1],
      ["express GET /a", true, 1],
    ]);
  });

  it("tells a database's GET from an HTTP GET to the same peer, whichever came first", async () => {
    for (const redisFirst of [true, false]) {
      const store = await fresh();
      const redis = opSpan({
        trace: 80,
        span: 2,
        kind: "CLIENT",
        name: "GET",
        end: 1,
        attributes: { "db.system": "redis", "server.address": "redis", "server.port": 6379 },
      });
      const http = opSpan({
        trace: 81,
        span: 2,
        kind: "CLIENT",
        name: "GET",
        end: 1,
        attributes: {
          "http.request.method": "GET",
          "server.address": "redis",
          "server.port": 8080,
          "url.full": "http://redis:8080/health",
        },
      });
      store.insertSpans(redisFirst ? [redis, http] : [http, redis]);
      const operations = store.listOperations("api")?.operations ?? [];
      expect(operations.map((o) => [o.name, o.peer, o.count]).sort(), `redis first: ${redisFirst}`).toEqual([
        ["GET redis", "redis", 1],
        ["GET", "redis", 1],
      ]);
    }
  });

  it("files a TraceKit SDK's INTERNAL span naming a database under outgoing calls, as the map does, whichever came first", async () => {
    const tracekit = { name: "@tracekit/node-apm", version: "1.0.0" };
    const prisma = { name: "prisma", version: "5.0.0" };
    const postgres = { "db.system": "postgresql" };
    for (const tracekitFirst of [true, false]) {
      const store = await fresh();
      const server = (trace: number) =>
        opSpan({ trace, span: 1, parent: null, kind: "SERVER", name: "GET /orders", service: "shop", end: 10 });
      const select = (trace: number, scope: Span["scope"]) => ({
        ...opSpan({ trace, span: 2, kind: "INTERNAL", name: "SELECT orders", service: "shop", end: 3 }),
        attributes: postgres,
        scope,
      });
      // The TraceKit Node SDK's client.startSpan('SELECT orders', {'db.system': 'postgresql'}), and another
      // instrumentation's INTERNAL span of the same name (its CLIENT span would be the call).
      const ours = [server(90), select(90, tracekit)];
      const theirs = [server(91), select(91, prisma)];
      store.insertSpans(tracekitFirst ? [...ours, ...theirs] : [...theirs, ...ours]);
      const operations = store.listOperations("shop")?.operations ?? [];
      expect(
        operations.map((o) => [o.group, o.kind, o.name, o.peer, o.count]).sort(),
        `TraceKit first: ${tracekitFirst}`,
      ).toEqual([
        ["entry", "SERVER", "GET /orders", null, 2],
        ["internal", "INTERNAL", "SELECT orders", null, 1],
        ["outgoing", "INTERNAL", "SELECT orders", "postgresql", 1],
      ]);
      // The call's link lists exactly the traces holding it.
      const call = operations.find((o) => o.group === "outgoing");
      expect(call?.query).toBe('service="shop" kind=internal operation="SELECT orders" peer="postgresql"');
      expect(tracesMatching(store, call?.query ?? "")).toEqual(ids(90));
    }
  });

  it("forgets every evicted span when an evicted trace's entry span was moved among the nested ones", async () => {
    const store = await fresh(4);
    const read = (trace: number) => store.getTrace(traceId(trace));
    store.insertSpans([opSpan({ trace: 1, span: 1, parent: null, kind: "INTERNAL", name: "job", end: 10 })]);
    read(1);
    // Trace 2's CONSUMER span comes (and is stored) before its parent, a SERVER span of its service.
    store.insertSpans([opSpan({ trace: 2, span: 2, parent: 1, kind: "CONSUMER", name: "SELECT", start: 1, end: 9 })]);
    read(2);
    store.insertSpans([
      opSpan({ trace: 2, span: 1, parent: null, kind: "SERVER", name: "GET /a", end: 10 }),
      opSpan({ trace: 1, span: 2, parent: 1, kind: "CONSUMER", name: "SELECT", start: 1, end: 2 }),
      // Four spans of another service push both traces out in the same write.
      ...[1, 2, 3, 4].map((n) =>
        opSpan({
          trace: 3,
          span: n,
          parent: n === 1 ? null : 1,
          kind: "SERVER",
          name: "POST /b",
          service: "web",
          start: 100,
          end: 101,
        }),
      ),
    ]);
    expect(store.listTraces({ limit: 10 }).traces.map((t) => t.traceId)).toEqual([traceId(3)]);
    expect(store.listServices().map((s) => [s.name, s.spanCount, s.traceCount])).toEqual([["web", 4, 1]]);
  });

  it("counts a called service's request once when two of its SERVER spans take the caller's context", async () => {
    const store = await fresh();
    const spans = calledServiceTraffic();
    store.insertSpans(spans);
    const users = store.listServices().find((s) => s.name === "users");
    expect(users).toMatchObject({ basis: "entry", requestCount: 5, spanCount: 9 });
    const operations = store.listOperations("users")?.operations ?? [];
    expect(operations.map((o) => [o.name, o.nested, o.count]).sort()).toEqual([
      ["GET /profile/:id", false, 5],
      ["GET /profile/:id", true, 4],
    ]);
  });

  it("tells nested entry spans apart whatever inserts they came in, and evicts them exactly", async () => {
    const traffic = [...nestedServerTraffic(), ...calledServiceTraffic()];
    const together = await fresh();
    together.insertSpans(traffic);
    const expected = counts(together);
    expect(snapshot(together).services.find((s) => s.name === "users")).toMatchObject({
      requestCount: 5,
      spanCount: 9,
    });
    // One span per insert (a span processor that sends each span alone) in arrival order, backwards and
    // shuffled; and two inserts split at every point (a batch boundary).
    const orders = [traffic, [...traffic].reverse(), shuffled(traffic, 7), shuffled(traffic, 11)];
    for (const [n, order] of orders.entries()) {
      const store = await fresh();
      for (const span of order) store.insertSpans([span]);
      expect(counts(store), `order ${n}`).toEqual(expected);
    }
    for (let cut = 1; cut < traffic.length; cut += 3) {
      const store = await fresh();
      store.insertSpans(traffic.slice(cut));
      store.insertSpans(traffic.slice(0, cut));
      expect(counts(store), `cut at ${cut}`).toEqual(expected);
    }
    // Evicted by newer traffic, they leave exactly what that traffic alone gives.
    const bounded = await fresh(traffic.length);
    for (const span of [...traffic].reverse()) bounded.insertSpans([span]);
    const newer = apiTraffic();
    for (const span of newer) bounded.insertSpans([span]);
    const alone = await fresh(traffic.length);
    for (const span of newer) alone.insertSpans([span]);
    expect(counts(bounded)).toEqual(counts(alone));
  });

  it("counts a request failed when a telling nested in it failed, whatever inserts its spans came in, and evicts it exactly", async () => {
    const traffic = failedInsideTraffic();
    const together = await fresh();
    together.insertSpans(traffic);
    // Six requests, five failed: in the span that tells them inside (one twice: counted once), or in both.
    expect(together.listServices().find((s) => s.name === "payment")).toMatchObject({
      basis: "entry",
      spanCount: 13,
      errorCount: 6,
      requestCount: 6,
      requestErrorCount: 5,
    });
    const operations = together.listOperations("payment")?.operations ?? [];
    expect(operations.map((o) => [o.name, o.nested, o.count, o.errorCount]).sort()).toEqual([
      ["POST /charge", false, 6, 5],
      ["POST /charge", true, 6, 4],
      ["charge", true, 1, 1],
    ]);
    const expected = counts(together);
    // The failed inner span before or after its request's outer one, in inserts of their own; and two
    // inserts split at every point.
    const orders = [traffic, [...traffic].reverse(), shuffled(traffic, 3), shuffled(traffic, 13)];
    for (const [n, order] of orders.entries()) {
      const store = await fresh();
      for (const span of order) store.insertSpans([span]);
      expect(counts(store), `order ${n}`).toEqual(expected);
    }
    for (let cut = 1; cut < traffic.length; cut++) {
      const store = await fresh();
      store.insertSpans(traffic.slice(cut));
      store.insertSpans(traffic.slice(0, cut));
      expect(counts(store), `cut at ${cut}`).toEqual(expected);
    }
    // Evicted by newer traffic, they leave exactly what that traffic alone gives.
    for (const order of [traffic, [...traffic].reverse()]) {
      const bounded = await fresh(traffic.length);
      for (const span of order) bounded.insertSpans([span]);
      const newer = apiTraffic();
      const alone = await fresh(traffic.length);
      for (const span of newer) {
        bounded.insertSpans([span]);
        alone.insertSpans([span]);
      }
      expect(counts(bounded)).toEqual(counts(alone));
    }
  });

  it("tells a trace of 20,000 entry spans stored in slices, children before their parents, apart as stored at once", async () => {
    const spans = manyEntrySpansTrace();
    const together = await fresh();
    together.insertSpans(spans);
    const expected = counts(together);
    const requests = (store: Store) => store.listServices().map((s) => [s.name, s.requestCount, s.spanCount]);
    expect(requests(together)).toEqual([
      ["shop", 1, 10_001],
      ["users", 5500, 10_500],
      ["worker", 5000, 5000],
    ]);
    const sliced = await fresh();
    const reversed = [...spans].reverse();
    for (let i = 0; i < reversed.length; i += 250) sliced.insertSpans(reversed.slice(i, i + 250));
    expect(counts(sliced)).toEqual(expected);
  });

  it("groups requests known only by their path under the route with the ids templated, and finds their traces", async () => {
    const store = await fresh();
    const uuid = "3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b";
    const paths = ["/users/1", "/users/22", `/users/${uuid}`, "/users/7/orders", "/users/8/orders", "/health"];
    store.insertSpans(
      paths.flatMap((path, i) => [
        // The HTTP instrumentation's bare GET with only the path, and inside it the SDK's span named by the path.
        opSpan({
          trace: 70 + i,
          span: 1,
          parent: null,
          kind: "SERVER",
          name: "GET",
          end: 4,
          service: "node",
          attributes: { "http.target": path },
        }),
        opSpan({
          trace: 70 + i,
          span: 2,
          parent: 1,
          kind: "SERVER",
          name: `GET ${path}`,
          start: 1,
          end: 3,
          service: "node",
          attributes: { "http.route": path },
        }),
      ]),
    );
    const result = store.listOperations("node");
    const outer = (result?.operations ?? []).filter((o) => !o.nested);
    expect(outer.map((o) => [o.name, o.count]).sort()).toEqual([
      ["GET /health", 1],
      ["GET /users/:id", 3],
      ["GET /users/:id/orders", 2],
    ]);
    const inner = (result?.operations ?? []).filter((o) => o.nested);
    expect(inner.map((o) => [o.name, o.count]).sort()).toEqual([
      ["GET /health", 1],
      ["GET /users/:id", 3],
      ["GET /users/:id/orders", 2],
    ]);
    const traces = (q: string) => tracesMatching(store, q);
    for (const ops of [outer, inner]) {
      const byOpName = (name: string) => ops.find((o) => o.name === name)?.query ?? "";
      // Each finds its own requests, not those of other routes holding its fixed parts (/users/:id/orders).
      expect(traces(byOpName("GET /users/:id"))).toEqual(ids(70, 71, 72));
      expect(traces(byOpName("GET /users/:id/orders"))).toEqual(ids(73, 74));
      expect(traces(byOpName("GET /health"))).toEqual(ids(75));
    }
  });

  it("links a route templated from paths to exactly its traces, however each request's span was named", async () => {
    const store = await fresh();
    const request = (trace: number, name: string, attributes: Attributes) =>
      opSpan({ trace, span: 1, parent: null, kind: "SERVER", name, service: "shop", end: 2, attributes });
    store.insertSpans([
      request(80, "GET", { "http.request.method": "GET", "url.path": "/items/5" }),
      request(81, "GET", { "http.request.method": "GET", "url.path": "/items/5/reviews" }),
      request(82, "GET", { "http.request.method": "GET", "url.path": "/items" }),
      request(83, "GET /items/6", {}),
      request(84, "GET", { "http.request.method": "GET", "url.full": "http://shop.internal/items/7?x=1" }),
      // Another service's request to the same route is not this one's.
      opSpan({ trace: 85, span: 1, parent: null, kind: "SERVER", name: "GET /items/8", service: "web", end: 2 }),
    ]);
    const ops = store.listOperations("shop")?.operations ?? [];
    expect(ops.map((o) => [o.name, o.count]).sort()).toEqual([
      ["GET /items", 1],
      ["GET /items/:id", 3],
      ["GET /items/:id/reviews", 1],
    ]);
    const queryOf = (name: string) => ops.find((o) => o.name === name)?.query ?? "";
    // Templated from the path or not: the operation itself.
    expect(queryOf("GET /items/:id")).toBe('service="shop" kind=server operation="GET /items/:id"');
    expect(queryOf("GET /items")).toBe('service="shop" kind=server operation="GET /items"');
    const traces = (q: string) => tracesMatching(store, q);
    expect(traces(queryOf("GET /items/:id"))).toEqual(ids(80, 83, 84));
    expect(traces(queryOf("GET /items/:id/reviews"))).toEqual(ids(81));
    expect(traces(queryOf("GET /items"))).toEqual(ids(82));
  });

  it("links each operation to exactly the traces holding a span of it, whatever instrumentation named the span", async () => {
    const store = await fresh();
    const span = (trace: number, kind: SpanKind, name: string, attributes: Attributes = {}) =>
      opSpan({ trace, span: 1, parent: null, kind, name, service: "shop", end: 2, attributes });
    store.insertSpans([
      // GET /cart: a bare method with the route, and a span named by method and route (another instrumentation).
      span(90, "SERVER", "GET", { "http.request.method": "GET", "http.route": "/cart" }),
      span(91, "SERVER", "GET /cart", {}),
      // Another route's request, and the same route in another kind, are not GET /cart's.
      span(92, "SERVER", "GET", { "http.request.method": "GET", "http.route": "/cart/items" }),
      span(93, "CONSUMER", "GET /cart", {}),
      // A call named by its method to payments, one named by method and peer, one to another peer whose URL holds "payments".
      span(94, "CLIENT", "GET", { "http.request.method": "GET", "peer.service": "payments" }),
      span(95, "CLIENT", "GET payments", { "peer.service": "payments" }),
      span(96, "CLIENT", "GET", { "http.request.method": "GET", "url.full": "http://orders.internal/payments" }),
      // A loopback peer, named by host and port read from two attributes.
      span(97, "CLIENT", "GET", { "http.request.method": "GET", "server.address": "localhost", "server.port": 3001 }),
      // An unspecified kind's operation is not the SERVER span of the same name.
      span(98, "UNSPECIFIED", "tick", {}),
      span(99, "SERVER", "tick", {}),
    ]);
    const ops = store.listOperations("shop")?.operations ?? [];
    const queryOf = (kind: SpanKind, name: string) =>
      ops.find((o) => o.kind === kind && o.name === name && !o.nested)?.query ?? "";
    const traces = (q: string) => tracesMatching(store, q);
    expect(queryOf("SERVER", "GET /cart")).toBe('service="shop" kind=server operation="GET /cart"');
    expect(traces(queryOf("SERVER", "GET /cart"))).toEqual(ids(90, 91));
    expect(traces(queryOf("SERVER", "GET /cart/items"))).toEqual(ids(92));
    expect(traces(queryOf("CONSUMER", "GET /cart"))).toEqual(ids(93));
    expect(ops.find((o) => o.name === "GET payments")).toMatchObject({ count: 2, peer: "payments" });
    expect(traces(queryOf("CLIENT", "GET payments"))).toEqual(ids(94, 95));
    expect(traces(queryOf("CLIENT", "GET orders"))).toEqual(ids(96));
    expect(traces(queryOf("CLIENT", "GET localhost:3001"))).toEqual(ids(97));
    expect(queryOf("UNSPECIFIED", "tick")).toBe('service="shop" kind=unspecified operation="tick"');
    expect(traces(queryOf("UNSPECIFIED", "tick"))).toEqual(ids(98));
    expect(traces(queryOf("SERVER", "tick"))).toEqual(ids(99));
  });

  it("finds a trace of more operations than it lists by any of them, and only where they are", async () => {
    const store = await fresh();
    const many = MAX_TRACE_OPERATIONS + 36;
    const spans = Array.from({ length: many }, (_, i) =>
      opSpan({
        trace: 130,
        span: i + 1,
        parent: i === 0 ? null : 1,
        kind: "INTERNAL",
        name: `step ${i}`,
        service: "batch",
        start: i,
        end: i + 1,
      }),
    );
    store.insertSpans(spans);
    store.insertSpans([
      opSpan({
        trace: 131,
        span: 1,
        parent: null,
        kind: "INTERNAL",
        name: "step 3",
        service: "batch",
        start: 0,
        end: 1,
      }),
    ]);
    expect(tracesMatching(store, 'operation="step 0"')).toEqual(ids(130));
    expect(tracesMatching(store, `operation="step ${many - 1}"`)).toEqual(ids(130));
    expect(tracesMatching(store, 'operation="step 3"')).toEqual(ids(130, 131));
    expect(tracesMatching(store, 'operation="step none"')).toEqual([]);
  });

  it("finds a trace by an operation whose span came in a later request than the trace's first spans", async () => {
    const store = await fresh();
    const q = 'service="shop" kind=server operation="GET /cart"';
    const first = (trace: number) =>
      opSpan({ trace, span: 2, parent: 1, kind: "INTERNAL", name: "prepare", service: "shop", start: 1, end: 2 });
    const entry = (trace: number, end: number) =>
      opSpan({
        trace,
        span: 1,
        parent: null,
        kind: "SERVER",
        name: "GET",
        service: "shop",
        end,
        attributes: { "http.request.method": "GET", "http.route": "/cart" },
      });
    store.insertSpans([first(110), first(111), first(112)]);
    expect(tracesMatching(store, q)).toEqual([]);
    // The entry spans arrive later: each trace is found from then on, and only those.
    store.insertSpans([entry(110, 5), entry(112, 9)]);
    expect(tracesMatching(store, q)).toEqual(ids(110, 112));
    store.insertSpans([entry(111, 7)]);
    expect(tracesMatching(store, q)).toEqual(ids(110, 111, 112));
    // Sorted by duration and a page at a time, as any query.
    const longest = store.listTraces({ q, limit: 2, sort: "duration", order: "desc" });
    expect(longest.traces.map((t) => t.traceId)).toEqual([traceId(112), traceId(111)]);
    const rest = store.listTraces({ q, limit: 2, sort: "duration", order: "desc", cursor: longest.nextCursor });
    expect(rest.traces.map((t) => t.traceId)).toEqual([traceId(110)]);
    const page = store.listTraces({ q, limit: 1 });
    const next = store.listTraces({ q, limit: 2, cursor: page.nextCursor });
    expect([...page.traces, ...next.traces].map((t) => t.traceId).sort()).toEqual(ids(110, 111, 112));
    // An OR of operations finds either; a negated one is a span's own (the prepare spans are not GET /cart).
    expect(tracesMatching(store, 'operation="GET /cart" | operation="nothing"')).toEqual(ids(110, 111, 112));
    expect(tracesMatching(store, '-operation="GET /cart" operation="prepare"')).toEqual(ids(110, 111, 112));
    expect(tracesMatching(store, 'operation="GET /cart" operation="prepare"')).toEqual([]);
    expect(tracesMatching(store, 'operation="prepare" -operation="nothing"')).toEqual(ids(110, 111, 112));
  });

  it("finds an operation's traces exactly across eviction: the evicted ones no more, new ones at once", async () => {
    const store = await fresh(4);
    const call = (trace: number, name: string, start: number) =>
      opSpan({ trace, span: 1, parent: null, kind: "CLIENT", name, service: "shop", start, end: start + 1 });
    store.insertSpans([call(120, "SELECT users", 0), call(121, "SELECT once", 10)]);
    store.insertSpans([call(122, "SELECT users", 20), call(123, "SELECT orders", 30)]);
    const q = 'service="shop" kind=client operation="SELECT users"';
    expect(tracesMatching(store, q)).toEqual(ids(120, 122));
    expect(tracesMatching(store, 'operation="SELECT once"')).toEqual(ids(121));
    // Two more traces evict the two oldest: one of SELECT users' traces, and SELECT once's only one.
    store.insertSpans([call(124, "SELECT users", 40), call(125, "SELECT orders", 50)]);
    expect(store.getTrace(traceId(120))).toBeUndefined();
    expect(tracesMatching(store, q)).toEqual(ids(122, 124));
    expect(tracesMatching(store, 'operation="SELECT orders"')).toEqual(ids(123, 125));
    expect(tracesMatching(store, 'operation="SELECT once"')).toEqual([]);
    // A late span of an evicted trace does not bring it back; a new trace of the operation is found at once.
    store.insertSpans([{ ...call(120, "SELECT users", 1), spanId: spanId(9) }]);
    expect(tracesMatching(store, q)).toEqual(ids(122, 124));
    store.insertSpans([call(126, "SELECT once", 60)]);
    expect(tracesMatching(store, 'operation="SELECT once"')).toEqual(ids(126));
    expect(tracesMatching(store, 'operation="SELECT once" | operation="SELECT users"')).toEqual(ids(124, 126));
  });

  it("falls back to root spans for a service without entry spans, and says so", async () => {
    const store = await fresh();
    store.insertSpans([...apiTraffic(), ...jobTraffic()]);
    const cron = store.listServices().find((s) => s.name === "cron");
    expect(cron).toMatchObject({ basis: "root", requestCount: 4, spanCount: 8, traceCount: 4 });
    // Root durations 840, 880, 920, 960 ms: p50 = 2nd = 880.
    expectNear(cron?.p50Ms ?? -1, 880, "cron p50");
    expect(store.listOperations("cron")?.operations.map((o) => [o.group, o.name, o.peer])).toEqual([
      ["outgoing", "INSERT reports", "postgresql"],
      ["internal", "nightly-report", null],
    ]);
    expect(store.listOperations("nobody")).toBeUndefined();
  });

  it("takes a rate over everything stored per the time the spans cover, not the whole minutes they fall in", async () => {
    const store = await fresh();
    // 12 requests over 30 s (the last one 500 ms long) that fall in two whole minutes of start.
    store.insertSpans(
      Array.from({ length: 12 }, (_, i) =>
        opSpan({
          trace: i + 1,
          span: 1,
          parent: null,
          kind: "SERVER",
          name: "tick",
          start: 20_000 + (i * 29_500) / 11,
          end: 20_000 + (i * 29_500) / 11 + (i === 11 ? 500 : 5),
        }),
      ),
    );
    const [api] = store.listServices();
    expect(api?.ratePerSec).toBeCloseTo(12 / 30, 9);
    expect(store.listOperations("api")?.windowSeconds).toBeCloseTo(30, 9);
  });

  it("takes a rate over everything stored from the oldest trace still stored once older ones were evicted", async () => {
    const store = await fresh(10);
    // One request at 0 s, then ten at 20-29 s in the same minute of start: the first is evicted.
    const request = (trace: number, start: number) =>
      opSpan({ trace, span: 1, parent: null, kind: "SERVER", name: "tick", start, end: start + 5 });
    store.insertSpans([request(1, 0)]);
    store.getTrace(traceId(1));
    store.insertSpans(Array.from({ length: 10 }, (_, i) => request(i + 2, 20_000 + i * 1000)));
    expect(store.getTrace(traceId(1))).toBeUndefined();
    // The ten stored span 9.005 s (20 s to 29.005 s), not 29.005 s from the evicted one's start.
    expect(store.listOperations("api")?.windowSeconds).toBeCloseTo(9.005, 6);
    expect(store.listServices()[0]?.ratePerSec).toBeCloseTo(10 / 9.005, 6);
  });

  it("answers a window by the minute spans started in", async () => {
    const store = await fresh();
    // One request per minute for 10 minutes, the last three failing.
    store.insertSpans(
      Array.from({ length: 10 }, (_, i) =>
        opSpan({
          trace: i + 1,
          span: 1,
          parent: null,
          kind: "SERVER",
          name: "tick",
          start: i * 60_000,
          end: i * 60_000 + 5,
          error: i >= 7,
        }),
      ),
    );
    const minute = 60_000_000_000n;
    const window = { sinceUnixNano: ms(0) + 6n * minute, untilUnixNano: ms(0) + 9n * minute };
    const [api] = store.listServices(window);
    // Traces as the trace list counts them for the window: the 4 that start in it.
    expect(api).toMatchObject({ requestCount: 4, requestErrorCount: 3, spanCount: 4, traceCount: 4 });
    expect(api?.ratePerSec).toBeCloseTo(4 / 180, 9);
    expect(store.listOperations("api", window)?.operations.map((o) => o.count)).toEqual([4]);
    // A window with nothing in it lists no service; windows of whole hours merge hours.
    expect(store.listServices({ sinceUnixNano: ms(0) + 20n * minute })).toEqual([]);
    const hours = { sinceUnixNano: ms(0) - 5n * 60n * minute, untilUnixNano: ms(0) + 5n * 60n * minute };
    expect(store.listServices(hours)[0]?.requestCount).toBe(10);
  });

  it("counts a service's traces in a window as the trace list lists them: by the trace's start, through moves and eviction", async () => {
    const store = await fresh(7);
    const minute = 60_000;
    const span = (trace: number, id: number, parent: number | null, service: string, at: number) =>
      opSpan({
        trace,
        span: id,
        parent,
        kind: parent === null ? "SERVER" : "CLIENT",
        name: "op",
        service,
        start: at * minute,
        end: at * minute + 5,
      });
    // Trace 1 starts in minute 0, trace 2 in minute 5; trace 3's child (minute 7) comes before its
    // root (minute 2); trace 4 starts in "db" in minute 3 and reaches "gw" in minute 8, later.
    store.insertSpans([span(1, 1, null, "gw", 0), span(2, 1, null, "gw", 5), span(3, 2, 1, "gw", 7)]);
    store.insertSpans([span(4, 1, null, "db", 3)]);
    expect(traceCountOf(store, "gw", 6)).toBe(1);
    store.insertSpans([span(3, 1, null, "gw", 2), span(4, 2, 1, "gw", 8)]);
    const expectAsListed = (label: string) => {
      for (const since of [undefined, 0, 1, 2, 3, 4, 6, 9]) {
        for (const service of ["gw", "db"]) {
          const window = since === undefined ? {} : { sinceUnixNano: ms(since * minute) };
          // The Services page links to the list from the start of the window's first minute.
          const listSince = since === undefined ? undefined : minuteStartNs(ms(since * minute));
          const listed = store.listTraces({ service, sinceUnixNano: listSince, limit: 100 }).traces.length;
          const counted = store.listServices(window).find((s) => s.name === service)?.traceCount ?? 0;
          expect(counted, `${label}: ${service} since minute ${since}`).toBe(listed);
        }
      }
    };
    expectAsListed("moved and gained");
    expect(traceCountOf(store, "gw", 4)).toBe(1);
    expect(traceCountOf(store, "gw", 2)).toBe(3);
    expect(traceCountOf(store, "gw")).toBe(4);
    // Two more traces evict the oldest ones (traces 1 and 2 first).
    store.insertSpans([span(5, 1, null, "gw", 9), span(6, 1, null, "gw", 9)]);
    expect(store.getTrace(traceId(1))).toBeUndefined();
    expectAsListed("after eviction");
  });

  it("holds every percentile within the shortest and longest duration counted, in any window, through eviction", async () => {
    // 60 traces fit: the oldest leave as new ones come, the slowest and the fastest among them.
    const store = await fresh(60);
    const spans = edgeOfBucketTraffic(1, 300, 11);
    let exactChecks = 0;
    for (let i = 0; i < spans.length; i += 20) {
      store.insertSpans(spans.slice(i, i + 20));
      expectPercentilesWithinExtremes(store, spans.slice(0, i + 20), `after ${i + 20} traces`);
      exactChecks++;
    }
    expect(exactChecks).toBe(15);
  });

  it("reads percentiles held within the exact extremes again once the minutes that lost spans are out of the window", async () => {
    // Requests of 1.000 s (below their bucket's middle, 1.006 s) in minutes 0-8, the first one of
    // 1.020 s (the same bucket); the 3 oldest traces, of minute 0, leave, the slowest among them: a
    // window of minutes 1-8 reads 1.000 s exactly, one with minute 0 up to its bucket's edge.
    const store = await fresh(42);
    const spans = Array.from({ length: 45 }, (_, i) => {
      const start = Math.floor(i / 5) * 60_000 + (i % 5) * 1_000;
      const end = start + (i === 0 ? 1020 : 1000);
      return opSpan({ trace: i + 1, span: 1, parent: null, kind: "SERVER", name: "GET /a", start, end });
    });
    store.insertSpans(spans);
    const minuteNs = 60_000_000_000n;
    const minute = (n: number) => ms(0) / minuteNs + BigInt(n);
    const later = { sinceUnixNano: minute(1) * minuteNs, untilUnixNano: minute(9) * minuteNs };
    expect(store.listServices(later)[0]).toMatchObject({ requestCount: 40, p50Ms: 1000, p95Ms: 1000, p99Ms: 1000 });
    const all = store.listServices()[0];
    expect(all?.requestCount).toBe(42);
    for (const p of [all?.p50Ms, all?.p95Ms, all?.p99Ms]) {
      expect(p).toBeGreaterThanOrEqual(1000);
      expect(p).toBeLessThanOrEqual(1000 * 2 ** (1 / 16));
    }
  });

  it("reads a minute that lost spans alike over whole hours and by its minutes, once later spans come to it", async () => {
    // In T0's minute: a request of 1.5 s, then (after two of another hour) two of 1.000 s. The 1.5 s one
    // leaves and the statistics are read; a request of 1.080 s (below its bucket's middle, 1.096 s)
    // then comes to the minute while retention takes one of the other hour out.
    const store = await fresh(5);
    const { before, later, wholeHour, oneMinute } = minuteThatLostSpans;
    for (const spans of before()) store.insertSpans(spans);
    const api = (window: StatsWindow) => store.listServices(window).find((s) => s.name === "api");
    // The minute knows its longest only to within its bucket now: its middle, 1.006 s.
    expect(api(wholeHour)).toMatchObject({ requestCount: 2, p99Ms: expect.closeTo(1006.2, 1) });
    store.insertSpans(later());
    expect(api(wholeHour)).toMatchObject({ requestCount: 3, p99Ms: 1080 });
    expect(api(oneMinute)).toMatchObject({ requestCount: 3, p99Ms: 1080 });
    expect(api({})?.p99Ms).toBe(1080);
  });

  it("takes evicted traces out, as if they had never arrived", async () => {
    const maxSpans = 8;
    const store = await fresh(maxSpans);
    const spans = [...apiTraffic(), ...jobTraffic()];
    // Spans of a trace arrive spread over several inserts, interleaved with other traces and eviction.
    for (let i = 0; i < spans.length; i += 3) {
      store.insertSpans(spans.slice(i, i + 3));
      const kept = new Set(store.listTraces({ limit: 1000 }).traces.map((t) => t.traceId));
      const rebuilt = await fresh(maxSpans);
      for (const id of [...kept].sort()) rebuilt.insertSpans(store.getTrace(id) ?? []);
      expect(snapshot(store), `after ${i + 3} spans`).toEqual(snapshot(rebuilt));
    }
    // Only cron's traces fit at the end: api is gone from the statistics.
    expect(store.listServices().map((s) => s.name)).toEqual(["cron"]);
    expect(store.listOperations("api")).toBeUndefined();
  });

  it(`keeps at most ${MAX_OPERATIONS_PER_SERVICE} operations per service, counting the rest together`, async () => {
    const store = await fresh();
    const spans = Array.from({ length: MAX_OPERATIONS_PER_SERVICE + 5 }, (_, i) =>
      opSpan({ trace: i + 1, span: 1, parent: null, kind: "SERVER", name: `op ${i}`, end: 1 }),
    );
    store.insertSpans(spans);
    const operations = store.listOperations("api")?.operations ?? [];
    expect(operations).toHaveLength(MAX_OPERATIONS_PER_SERVICE + 1);
    expect(operations.find((o) => o.name === OTHER_OPERATIONS)).toMatchObject({ group: "entry", count: 5 });
    expect(store.listServices()[0]?.requestCount).toBe(MAX_OPERATIONS_PER_SERVICE + 5);
  });

  it("moves a span counted with the other operations from there when its parent arrives, after eviction made room", async () => {
    const store = await fresh(MAX_OPERATIONS_PER_SERVICE + 1);
    store.insertSpans(
      Array.from({ length: MAX_OPERATIONS_PER_SERVICE }, (_, i) =>
        opSpan({ trace: i + 1, span: 1, parent: null, kind: "SERVER", name: `op ${i}`, end: 1 }),
      ),
    );
    // The 501st operation: counted with the other operations.
    store.insertSpans([opSpan({ trace: 9999, span: 2, parent: 1, kind: "SERVER", name: "late", start: 1, end: 2 })]);
    // Trace 1 is evicted ("op 0" goes, making room); then the late span's parent, a request of its service, arrives.
    store.insertSpans([opSpan({ trace: 8888, span: 1, parent: null, kind: "SERVER", name: "op 499", end: 1 })]);
    store.insertSpans([
      opSpan({ trace: 9999, span: 1, parent: null, kind: "SERVER", name: "op 499", start: 0, end: 3 }),
    ]);
    const operations = store.listOperations("api")?.operations ?? [];
    expect(operations.filter((o) => o.count < 0)).toEqual([]);
    expect(operations.filter((o) => o.name === OTHER_OPERATIONS && !o.nested)).toEqual([]);
    // Now nested in the request, it is counted there once (as its own operation if the eviction made room by then).
    expect(operations.filter((o) => o.nested).map((o) => o.count)).toEqual([1]);
  });

  it("forgets everything on clear", async () => {
    const store = await fresh();
    store.insertSpans(apiTraffic());
    store.clear();
    expect(store.listServices()).toEqual([]);
    expect(store.listOperations("api")).toBeUndefined();
    store.insertSpans(jobTraffic());
    expect(store.listServices().map((s) => [s.name, s.traceCount])).toEqual([["cron", 4]]);
  });
}
