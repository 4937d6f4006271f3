import { describe, expect, it } from "vitest";
import { estimateFromExactMs } from "../../src/domain/latency-buckets.js";
import { nestedEntrySpans } from "../../src/domain/operation.js";
import { percentile } from "../../src/domain/percentile.js";
import { calledPeerOf, serviceMapOf } from "../../src/domain/service-map.js";
import { OPEN_QUIET_MS, ServiceTraffic, type TrafficWindow } from "../../src/domain/service-traffic.js";
import type { Span } from "../../src/domain/span.js";
import { evictedInRound, seededRandom } from "../helpers/random.js";
import { makeSpan, ms } from "../store/span-fixtures.js";

const span = (trace: number, id: number, parent: number | null, service: string, kind: Span["kind"]): Span => ({
  ...makeSpan({ trace, span: id, parent, service, start: 0, end: 10 }),
  kind,
});

/** Node calls and edges as `id calls` lines. */
function picture(traffic: ServiceTraffic): string[] {
  const map = serviceMapOf(traffic.tally());
  return [...map.nodes.map((n) => `${n.id} ${n.calls}`), ...map.edges.map((e) => `${e.from} → ${e.to} ${e.calls}`)];
}

describe("ServiceTraffic: arrival state of open traces", () => {
  it("keeps it for at most `openTraces` traces, and drops a quiet trace's", () => {
    let now = 0;
    const traffic = new ServiceTraffic(calledPeerOf, { now: () => now, openTraces: 3 });
    for (let t = 1; t <= 10; t++) traffic.add(span(t, 1, null, "web", "SERVER"));
    expect(traffic.openTraces).toBe(3);
    now += OPEN_QUIET_MS + 1;
    traffic.add(span(11, 1, null, "web", "SERVER"));
    // The three older ones were quiet: only the new one is open.
    expect(traffic.openTraces).toBe(1);
    expect(picture(traffic)).toEqual(["service:web 11"]);
  });

  it("holds no state of a trace it dropped, while later ones stay queued", () => {
    const traffic = new ServiceTraffic(calledPeerOf, { openTraces: 3 });
    // 1,500 traces: the queue is cut only once more than 1,024 dropped states lie behind its head.
    for (let t = 1; t <= 1_500; t++) {
      traffic.add(span(t, 1, null, "web", "SERVER"));
      traffic.add(span(t, 2, 1, "web", "CLIENT"));
    }
    expect(traffic.openTraces).toBe(3);
    expect(traffic.queuedStates).toBe(3);
  });

  it("counts a late span of a dropped trace without its trace: no edge, and no entry unless it enters its service", () => {
    let now = 0;
    const traffic = new ServiceTraffic(calledPeerOf, { now: () => now });
    traffic.add(span(1, 1, null, "web", "SERVER"));
    traffic.add(span(1, 2, 1, "web", "CLIENT"));
    now += OPEN_QUIET_MS + 1;
    traffic.add(span(2, 1, null, "other", "SERVER")); // a new trace drops the quiet one
    expect(traffic.openTraces).toBe(1);
    // Late: web's own INTERNAL child (no entry), and checkout's SERVER span called by web's CLIENT span.
    traffic.add(span(1, 3, 1, "web", "INTERNAL"));
    traffic.add(span(1, 4, 2, "checkout", "SERVER"));
    expect(picture(traffic)).toEqual(["service:checkout 1", "service:other 1", "service:web 1"]);
    // Had the trace stayed open, the same spans make an edge.
    const open = new ServiceTraffic(calledPeerOf);
    for (const s of [
      span(1, 1, null, "web", "SERVER"),
      span(1, 2, 1, "web", "CLIENT"),
      span(1, 3, 1, "web", "INTERNAL"),
      span(1, 4, 2, "checkout", "SERVER"),
    ])
      open.add(s);
    expect(picture(open)).toEqual(["service:checkout 1", "service:web 1", "service:web → service:checkout 1"]);
  });

  it("counts no request for a span other than SERVER / CONSUMER whose parent never comes, and one when it comes from elsewhere", () => {
    // The TraceKit Node SDK never sends its Express span of a request whose handler threw: the
    // handler's own INTERNAL span and a CLIENT call under it are left with a parent that never comes.
    const orphans = [
      span(1, 1, 9, "web", "SERVER"),
      span(1, 2, 8, "web", "INTERNAL"),
      span(1, 3, 8, "web", "CLIENT"),
      span(2, 1, null, "web", "SERVER"),
      span(2, 2, 7, "orders", "INTERNAL"),
    ];
    const traffic = new ServiceTraffic(calledPeerOf);
    for (const s of orphans) traffic.add(s);
    expect(picture(traffic)).toEqual(["service:web 2"]);
    // The parent of orders' INTERNAL span comes after all, from web: a request into orders then,
    // as it is when the parent comes first.
    const parent = span(2, 7, 1, "web", "CLIENT");
    traffic.add(parent);
    const first = new ServiceTraffic(calledPeerOf);
    for (const s of [...orphans.slice(0, 4), parent, orphans[4] as Span]) first.add(s);
    for (const t of [traffic, first]) {
      expect(picture(t)).toEqual(["service:orders 1", "service:web 2", "service:web → service:orders 1"]);
    }
  });

  it("still forgets an evicted trace whose arrival state was dropped", () => {
    const traffic = new ServiceTraffic(calledPeerOf, { openTraces: 1 });
    traffic.add(span(1, 1, null, "web", "SERVER"));
    traffic.add(span(2, 1, null, "web", "SERVER"));
    expect(traffic.openTraces).toBe(1);
    traffic.evict(makeSpan({ trace: 1, span: 1 }).traceId);
    expect(picture(traffic)).toEqual(["service:web 1"]);
    expect(traffic.tally().traces).toBe(1);
  });
});

describe("ServiceTraffic: a request told twice", () => {
  const server = (id: number, parent: number | null, service: string, start: number, end: number): Span => ({
    ...makeSpan({ trace: 1, span: id, parent, service, start, end }),
    kind: "SERVER",
  });
  /** api's calls and the edge's, with the spans arriving in `order`. */
  const apiCalls = (order: Span[]) => {
    const traffic = new ServiceTraffic(calledPeerOf, { now: () => 0 });
    for (const s of order) traffic.add(s, 0);
    const map = serviceMapOf(traffic.tally());
    return [map.nodes.find((n) => n.id === "service:api")?.calls, map.edges[0]?.calls];
  };
  /** Every order of the spans. */
  const orders = (spans: Span[]): Span[][] =>
    spans.length <= 1
      ? [spans]
      : spans.flatMap((first, i) => orders(spans.filter((_, j) => j !== i)).map((rest) => [first, ...rest]));

  it("counts a retry told twice once, as the whole trace does, whatever the order", () => {
    const root = server(1, null, "web", 0, 200);
    const first = server(2, 1, "api", 0, 40);
    const retryOuter = server(3, 1, "api", 50, 90);
    const retryInner = server(4, 1, "api", 51, 90.3);
    expect([...(nestedEntrySpans([root, first, retryOuter, retryInner]) ?? [])]).toEqual([retryInner]);
    for (const order of orders([root, first, retryOuter, retryInner])) expect(apiCalls(order)).toEqual([2, 2]);
  });
});

describe("ServiceTraffic: a fast request told twice, its spans started on whole milliseconds", () => {
  const server = (id: number, start: number, end: number): Span => ({
    ...makeSpan({ trace: 1, span: id, parent: 1, service: "api", start, end }),
    kind: "SERVER",
  });
  const orders = (spans: Span[]): Span[][] =>
    spans.length <= 1
      ? [spans]
      : spans.flatMap((first, i) => orders(spans.filter((_, j) => j !== i)).map((rest) => [first, ...rest]));

  it("counts each request once, whatever the order: the inner telling, begun in the next millisecond, seems to end after the outer", () => {
    // As the TraceKit Node SDK tells a request of a millisecond or two: its HTTP span and its Express
    // span, both under the caller's, started on the clock's millisecond and timed to the nanosecond.
    const caller = {
      ...makeSpan({ trace: 1, span: 1, parent: null, service: "web", start: 0, end: 20 }),
      kind: "CLIENT" as const,
    };
    const spans = [caller, server(2, 10, 11.6), server(3, 11, 11.9), server(4, 13, 14.5), server(5, 14, 14.8)];
    for (const order of orders(spans)) {
      const traffic = new ServiceTraffic(calledPeerOf, { now: () => 0 });
      for (const s of order) traffic.add(s, 0);
      const map = serviceMapOf(traffic.tally());
      expect(map.nodes.find((n) => n.id === "service:api")?.calls).toBe(2);
    }
    expect([...(nestedEntrySpans(spans) ?? [])].map((s) => s.spanId)).toEqual([spans[2]?.spanId, spans[4]?.spanId]);
  });
});

describe("ServiceTraffic: compaction", () => {
  const server = (
    trace: number,
    id: number,
    parent: number | null,
    service: string,
    start: number,
    end: number,
  ): Span => ({
    ...makeSpan({ trace, span: id, parent, service, start, end }),
    kind: "SERVER",
  });
  /** A request to api told twice under web's root, as the TraceKit Node SDK's middleware span tells it: the inner telling first. */
  const told = (trace: number) => ({
    root: server(trace, 1, null, "web", 0, 100),
    inner: server(trace, 3, 1, "api", 1, 40.3),
    outer: server(trace, 2, 1, "api", 0, 40),
  });

  // Trace 1 holds the told request; 2,000 one-span traces of "filler" follow, retention keeping the
  // newest 10 (and trace 1). Before it come `before` more fillers, all evicted: 1,000 make the log's
  // dead front worth dropping (the rest moves down); 5 are too few, so the log is rebuilt.
  for (const [before, how] of [
    [1000, "the dead front is dropped"],
    [5, "the log is rebuilt"],
  ] as const) {
    it(`kills the inner telling's entries, not others, when the outer one arrives after a compaction (${how})`, () => {
      const traffic = new ServiceTraffic(calledPeerOf, { now: () => 0 });
      const fillers: string[] = [];
      const filler = (t: number) => {
        const s = server(t, 1, null, "filler", 0, 5);
        traffic.add(s, 0);
        fillers.push(s.traceId);
        if (fillers.length > 10) traffic.evict(fillers.shift() as string);
      };
      for (let t = 0; t < before; t++) filler(10_000 + t);
      const request = told(1);
      traffic.add(request.root, 0);
      traffic.add(request.inner, 0);
      const entries = traffic.entries;
      for (let t = 0; t < 2000; t++) filler(20_000 + t);
      // Compacted: fewer entries than were ever added.
      expect(traffic.entries).toBeLessThan(entries + 2000);
      traffic.add(request.outer, 0);
      expect(picture(traffic)).toEqual([
        "service:api 1",
        "service:filler 10",
        "service:web 1",
        "service:web → service:api 1",
      ]);
      expect(serviceMapOf(traffic.tally()).edges[0]?.p50Ms).toBe(40);
    });
  }

  it("answers as the arrived spans would when retention evicts the oldest traces while later ones arrive", () => {
    const random = seededRandom(5);
    const traffic = new ServiceTraffic(calledPeerOf, { now: () => 0 });
    /** Each kept trace's arrived spans, oldest trace first. */
    const kept = new Map<string, Span[]>();
    let next = 1;
    for (let round = 0; round < 40; round++) {
      // 100 traces whose spans arrive shuffled with the next round's first ones still to come.
      const spans = Array.from({ length: 100 }, () => {
        const t = next++;
        const { root, inner, outer } = told(t);
        const client = {
          ...makeSpan({ trace: t, span: 4, parent: 1, service: "web", start: 50, end: 60 }),
          kind: "CLIENT" as const,
        };
        const called = server(t, 5, 4, random() < 0.5 ? "mail" : "web", 51, 59);
        return [root, inner, outer, client, called];
      }).flat();
      for (let i = spans.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [spans[i], spans[j]] = [spans[j] as Span, spans[i] as Span];
      }
      for (const span of spans) {
        traffic.add(span, 0);
        kept.set(span.traceId, [...(kept.get(span.traceId) ?? []), span]);
        // Retention: the oldest traces go once 300 are kept.
        if (kept.size > 300) {
          const oldest = kept.keys().next().value as string;
          traffic.evict(oldest);
          kept.delete(oldest);
        }
      }
      if (round % 5 === 4) {
        const whole = new ServiceTraffic(calledPeerOf);
        for (const list of kept.values()) for (const span of list) whole.add(span, 0);
        expect(picture(traffic)).toEqual(picture(whole));
      }
    }
  });
});

describe("ServiceTraffic: windows over many minutes", () => {
  const random = seededRandom(17);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const SERVICES = ["web", "api", "auth", "mail", "search"];
  const HOUR_MS = 3_600_000;
  /** A duration in ms: mostly whole milliseconds (many ties), sometimes fractional or 0. */
  const duration = () => (random() < 0.6 ? Math.floor(random() * 30) : random() < 0.8 ? random() * 500 : 0);

  /**
   * Trace `t`: a SERVER root, a SERVER child in another (or the same) service, an INTERNAL child of the
   * root; the children start up to 90 s after the root, often in another minute.
   */
  function trace(t: number): Span[] {
    const start = random() * 3 * HOUR_MS;
    const [a, b] = [pick(SERVICES), pick(SERVICES)];
    const at = (id: number, parent: number | null, service: string, kind: Span["kind"], offset: number): Span => {
      const begin = start + offset;
      return {
        ...makeSpan({
          trace: t,
          span: id,
          parent,
          service,
          start: begin,
          end: begin + duration(),
          error: random() < 0.2,
        }),
        kind,
      };
    };
    const spans = [
      at(1, null, a, "SERVER", 0),
      at(2, 1, b, "SERVER", random() * 90_000),
      at(3, 1, a, "INTERNAL", random() * 90_000),
    ];
    // Sometimes a second SERVER span of b under the root: inside span 2's time (the same request told
    // twice, by a second instrumentation) or after it (a second request).
    if (random() < 0.4) {
      const second = spans[1] as Span;
      const inside = random() < 0.5;
      const sibling = {
        ...makeSpan({ trace: t, span: 4, parent: 1, service: b, start: 0, end: 0, error: random() < 0.2 }),
        kind: "SERVER" as const,
      };
      if (inside) {
        // As the TraceKit Node SDK's middleware span: a millisecond later, ending a little after.
        second.endTimeUnixNano = second.startTimeUnixNano + 40_000_000n;
        sibling.startTimeUnixNano = second.startTimeUnixNano + 1_000_000n;
        sibling.endTimeUnixNano = second.startTimeUnixNano + 40_300_000n;
      } else {
        sibling.startTimeUnixNano = second.endTimeUnixNano + 5_000_000n;
        sibling.endTimeUnixNano = sibling.startTimeUnixNano + BigInt(Math.round(duration() * 1e6));
      }
      spans.push(sibling);
    }
    return spans;
  }

  type Entry = { key: string; service: string; startMs: number; durMs: number; error: boolean; trace: string };
  /** What the arrived spans of a trace add, as the whole trace would make it. */
  function entriesOf(spans: Span[]): Entry[] {
    // A request failed when a span telling it did: its own, or a SERVER span of its service nested in
    // it or told by it (shorter, under the same parent, within its time).
    const tells = (span: Span, request: Span) =>
      span !== request &&
      span.kind === "SERVER" &&
      request.kind === "SERVER" &&
      span.service === request.service &&
      (span.parentSpanId === request.spanId ||
        (span.parentSpanId === request.parentSpanId &&
          request.startTimeUnixNano <= span.startTimeUnixNano &&
          request.endTimeUnixNano - request.startTimeUnixNano > span.endTimeUnixNano - span.startTimeUnixNano &&
          request.endTimeUnixNano >= span.startTimeUnixNano));
    const failed = (span: Span) =>
      span.status.code === "ERROR" || spans.some((s) => s.status.code === "ERROR" && tells(s, span));
    const entry = (key: string, service: string, span: Span): Entry => ({
      key,
      service,
      startMs: Number(span.startTimeUnixNano) / 1e6,
      durMs: Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6,
      error: failed(span),
      trace: span.traceId,
    });
    const root = spans.find((s) => s.parentSpanId === null);
    const out: Entry[] = [];
    for (const span of spans) {
      // A SERVER span inside an arrived SERVER span of its own service is part of that request.
      const parent = spans.find((s) => s.spanId === span.parentSpanId);
      const nested = parent?.kind === "SERVER" && parent.service === span.service;
      // So is the shorter of two arrived SERVER spans of its service under the same parent over the same time.
      const told =
        span.kind === "SERVER" &&
        !nested &&
        span.parentSpanId !== null &&
        spans.some(
          (s) =>
            s !== span &&
            s.kind === "SERVER" &&
            s.service === span.service &&
            s.parentSpanId === span.parentSpanId &&
            s.startTimeUnixNano <= span.startTimeUnixNano &&
            s.endTimeUnixNano - s.startTimeUnixNano > span.endTimeUnixNano - span.startTimeUnixNano &&
            s.endTimeUnixNano >= span.startTimeUnixNano,
        );
      if (told) continue;
      if (span.kind === "SERVER") {
        if (!nested) out.push(entry(`service:${span.service}`, span.service, span));
      } else if (root === undefined) out.push(entry(`service:${span.service}`, span.service, span));
      if (span.kind === "SERVER" && root !== undefined && span !== root && root.service !== span.service) {
        out.push(entry(`service:${root.service}\u0000service:${span.service}`, "", span));
      }
    }
    return out;
  }

  const stats = (entries: Entry[]) => {
    const sorted = entries.map((e) => e.durMs).sort((x, y) => x - y);
    const [min = 0, max = 0] = [sorted[0], sorted[sorted.length - 1]];
    return {
      calls: entries.length,
      errors: entries.filter((e) => e.error).length,
      // The exact percentiles, read as every latency figure is (latency-buckets.ts).
      p50Ms: sorted.length === 0 ? 0 : estimateFromExactMs(percentile(sorted, 50), min, max),
      p95Ms: sorted.length === 0 ? 0 : estimateFromExactMs(percentile(sorted, 95), min, max),
    };
  };

  /** The map, trace count and time span of the entries in the window, by brute force. */
  function expected(kept: Map<string, Span[]>, window: TrafficWindow) {
    const since = window.sinceUnixNano === undefined ? -Infinity : Number(window.sinceUnixNano) / 1e6;
    const until = window.untilUnixNano === undefined ? Infinity : Number(window.untilUnixNano) / 1e6;
    const entries = [...kept.values()].flatMap(entriesOf).filter((e) => e.startMs >= since && e.startMs <= until);
    const byKey = new Map<string, Entry[]>();
    for (const e of entries) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
    const nodeIds = new Set<string>();
    for (const key of byKey.keys()) for (const id of key.split("\u0000")) nodeIds.add(id);
    const nodes = [...nodeIds]
      .sort()
      .map((id) => ({ id, name: id.slice(8), kind: "service", ...stats(byKey.get(id) ?? []) }));
    const edges = [...byKey]
      .filter(([key]) => key.includes("\u0000"))
      .map(([key, list]) => {
        const [from, to] = key.split("\u0000") as [string, string];
        return { from, to, ...stats(list) };
      })
      .sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : x.to < y.to ? -1 : x.to > y.to ? 1 : 0));
    const traces = new Set(entries.map((e) => e.trace)).size;
    const firstMs = traces === 0 ? null : Math.min(...entries.map((e) => e.startMs));
    const lastMs = traces === 0 ? null : Math.max(...entries.map((e) => e.startMs + e.durMs));
    return { map: { nodes, edges }, traces, firstMs, lastMs };
  }

  function windows(): TrafficWindow[] {
    const ns = (offsetMs: number) => ms(offsetMs);
    const minute = (offsetMs: number) => BigInt(Math.floor(Number(ms(offsetMs)) / 6e10)) * 60_000_000_000n;
    const a = random() * 3 * HOUR_MS;
    const b = a + random() * HOUR_MS;
    return [
      {},
      { sinceUnixNano: ns(a) },
      { untilUnixNano: ns(b) },
      { sinceUnixNano: ns(a), untilUnixNano: ns(b) },
      { sinceUnixNano: minute(a), untilUnixNano: minute(b) },
      { sinceUnixNano: ns(a), untilUnixNano: ns(a + 30) },
      { sinceUnixNano: ns(b), untilUnixNano: ns(a) },
    ];
  }

  function check(traffic: ServiceTraffic, kept: Map<string, Span[]>): void {
    for (const window of windows()) {
      const tally = traffic.tally(window);
      const want = expected(kept, window);
      expect(serviceMapOf(tally)).toEqual(want.map);
      expect({ traces: tally.traces, firstMs: tally.firstMs, lastMs: tally.lastMs }).toEqual({
        traces: want.traces,
        firstMs: want.firstMs,
        lastMs: want.lastMs,
      });
    }
  }

  it("answers as the arrived spans of the kept traces would, whatever arrives, is read and is evicted in between", () => {
    const traffic = new ServiceTraffic(calledPeerOf, { now: () => 0 });
    /** Arrived spans of each trace not evicted. */
    const kept = new Map<string, Span[]>();
    let next = 1;
    for (let round = 0; round < 12; round++) {
      // A batch of traces whose spans arrive shuffled (children before parents too), read now and then.
      const spans = Array.from({ length: 150 }, () => trace(next++)).flat();
      for (let i = spans.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [spans[i], spans[j]] = [spans[j] as Span, spans[i] as Span];
      }
      for (const span of spans) {
        traffic.add(span, 0);
        const list = kept.get(span.traceId) ?? [];
        list.push(span);
        kept.set(span.traceId, list);
        if (random() < 0.004) traffic.tally({ sinceUnixNano: ms(random() * 3 * HOUR_MS) });
        // One step of the work a quiet moment does ahead: a read must answer the same after any of them.
        if (random() < 0.02) traffic.warm(Number.NEGATIVE_INFINITY);
      }
      check(traffic, kept);
      // Retention: a few traces, or most of them (the index then drops what died).
      for (const id of evictedInRound([...kept.keys()], round, random)) {
        traffic.evict(id);
        kept.delete(id);
        if (random() < 0.05) traffic.warm(Number.NEGATIVE_INFINITY);
      }
      check(traffic, kept);
    }
    traffic.clear();
    kept.clear();
    check(traffic, kept);
    traffic.add(trace(next)[0] as Span, 0);
    expect(traffic.tally().traces).toBe(1);
  });

  it("keeps its log to a few times what is live under steady ingest and eviction with nothing read", () => {
    const traffic = new ServiceTraffic(calledPeerOf, { now: () => 0 });
    const kept = new Map<string, Span[]>();
    let most = 0;
    for (let t = 1; t <= 20_000; t++) {
      const spans = trace(t);
      for (const span of spans) traffic.add(span, 0);
      kept.set(spans[0]?.traceId as string, spans);
      // Retention keeps the last 300 traces.
      const oldest = kept.keys().next().value as string;
      if (kept.size > 300) {
        traffic.evict(oldest);
        kept.delete(oldest);
      }
      most = Math.max(most, traffic.entries);
    }
    const live = [...kept.values()].reduce((sum, spans) => sum + entriesOf(spans).length, 0);
    expect(most).toBeLessThan(Math.max(4 * live, 2048));
    check(traffic, kept);
  });

  it("does a read's work ahead in steps, after which the read has nothing left to do", () => {
    const traffic = new ServiceTraffic(calledPeerOf, { now: () => 0 });
    const kept = new Map<string, Span[]>();
    // Spread over three hours of minutes: one step rebuilds one of them.
    for (let t = 1; t <= 3_000; t++) {
      const spans = trace(t);
      for (const span of spans) traffic.add(span, 0);
      kept.set(spans[0]?.traceId as string, spans);
    }
    expect(traffic.upToDate).toBe(false);
    let steps = 0;
    while (!traffic.warm(Number.NEGATIVE_INFINITY)) steps++;
    expect(steps).toBeGreaterThan(100);
    expect(traffic.upToDate).toBe(true);
    check(traffic, kept);
    // Evictions and new spans leave work again, done ahead the same way.
    for (const id of [...kept.keys()].slice(0, 600)) {
      traffic.evict(id);
      kept.delete(id);
    }
    const late = trace(25_001);
    for (const span of late) traffic.add(span, 0);
    kept.set(late[0]?.traceId as string, late);
    expect(traffic.upToDate).toBe(false);
    while (!traffic.warm(Number.NEGATIVE_INFINITY)) steps++;
    expect(traffic.upToDate).toBe(true);
    check(traffic, kept);
  });
});
