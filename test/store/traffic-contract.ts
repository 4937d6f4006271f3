import { expect, it } from "vitest";
import { latencyBucket } from "../../src/domain/latency-buckets.js";
import { MODEL_PRICES } from "../../src/domain/llm-prices.js";
import { wholeMinutesOf } from "../../src/domain/rate-window.js";
import { serviceMapOf } from "../../src/domain/service-map.js";
import type { Span } from "../../src/domain/span.js";
import type { Store } from "../../src/store/store.js";
import { apiTraffic, edgeOfBucketTraffic, failedInsideTraffic, shuffled } from "./operations-contract.js";
import { makeSpan, ms, spanId, traceId } from "./span-fixtures.js";

type Fresh = (options?: { maxSpans?: number }) => Promise<Store>;

/**
 * web → checkout (SERVER, failing when `fails`) → postgres and payment-service (no spans of its
 * own); checkout also calls an LLM. Spans 1..6 of trace `trace`, starting `start` ms after T0.
 */
function checkoutTrace(trace: number, start: number, fails: boolean): Span[] {
  const span = (id: number, parent: number | null, service: string, kind: Span["kind"], ms: number, extra = {}) => ({
    ...makeSpan({ trace, span: id, parent, service, start: start + id, end: start + id + ms }),
    kind,
    ...extra,
  });
  return [
    span(1, null, "web", "SERVER", 100),
    span(2, 1, "web", "CLIENT", 90, { attributes: { "url.full": "http://checkout:8080/orders" } }),
    span(3, 2, "checkout", "SERVER", 80, fails ? { status: { code: "ERROR" } } : {}),
    span(4, 3, "checkout", "CLIENT", 10, { attributes: { "db.system": "postgresql" } }),
    span(5, 3, "checkout", "CLIENT", 40, { attributes: { "server.address": "localhost", "server.port": 8082 } }),
    span(6, 3, "checkout", "CLIENT", 400, {
      attributes: {
        "gen_ai.provider.name": "openai",
        "gen_ai.response.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 10_000,
        "gen_ai.usage.output_tokens": 1_000,
      },
    }),
  ];
}

function llmCalls(store: Store, window = {}): string[] {
  return store
    .llmUsage({ ...window, limit: 100 }, MODEL_PRICES)
    .calls.map((c) => `${c.traceId.slice(-2)} ${c.service}`);
}

function edges(store: Store, window = {}): string[] {
  return serviceMapOf(store.serviceTraffic(window)).edges.map((e) => `${e.from} → ${e.to} ${e.calls}/${e.errors}`);
}

/**
 * The service map's and the LLM page's indexes (`serviceTraffic`, `llmUsage`), part of the Store
 * contract: kept right span by span in any arrival order, through retention and clear.
 */
export function trafficContract(fresh: Fresh): void {
  const expected = [
    "service:checkout → database:postgresql 2/0",
    "service:checkout → llm:openai 2/0",
    "service:checkout → service:localhost:8082 2/0",
    "service:web → service:checkout 2/1",
  ];

  it("counts calls between services and to peers the same whatever order and batching spans arrive in", async () => {
    const inOrder = await fresh();
    inOrder.insertSpans([...checkoutTrace(1, 0, false), ...checkoutTrace(2, 1000, true)]);
    expect(edges(inOrder)).toEqual(expected);

    // Children first, one span per batch, with the index already built (a read before any span).
    const reversed = await fresh();
    expect(edges(reversed)).toEqual([]);
    for (const span of [...checkoutTrace(1, 0, false), ...checkoutTrace(2, 1000, true)].reverse()) {
      reversed.insertSpans([span]);
    }
    expect(edges(reversed)).toEqual(expected);
    const map = serviceMapOf(reversed.serviceTraffic({}));
    // Each service is entered twice (its SERVER spans); the client spans of a service are no entries.
    expect(map.nodes.map((n) => `${n.id} ${n.kind} ${n.calls}/${n.errors}`)).toEqual([
      "database:postgresql database 2/0",
      "llm:openai llm 2/0",
      "service:checkout service 2/1",
      "service:localhost:8082 external 2/0",
      "service:web service 2/0",
    ]);
    expect(reversed.serviceTraffic({}).traces).toBe(2);
  });

  it("counts a request failed on the map when a telling nested in it failed, whatever order its spans came in, until evicted", async () => {
    const traffic = failedInsideTraffic();
    const picture = (store: Store) => {
      const map = serviceMapOf(store.serviceTraffic({}));
      return [
        ...map.nodes.map((n) => `${n.id} ${n.calls}/${n.errors}`),
        ...map.edges.map((e) => `${e.from} → ${e.to} ${e.calls}/${e.errors}`),
      ];
    };
    // Six requests to payment, five failed in a telling of theirs (the HTTP span itself in one).
    const expected = ["service:gateway 6/0", "service:payment 6/5", "service:gateway → service:payment 6/5"];
    const together = await fresh();
    together.insertSpans(traffic);
    expect(picture(together)).toEqual(expected);
    // The failed inner span before or after its request's outer one, in inserts of their own.
    for (const [n, order] of [traffic, [...traffic].reverse(), shuffled(traffic, 3), shuffled(traffic, 13)].entries()) {
      const store = await fresh();
      for (const span of order) store.insertSpans([span]);
      expect(picture(store), `order ${n}`).toEqual(expected);
    }
    for (let cut = 1; cut < traffic.length; cut++) {
      const store = await fresh();
      store.insertSpans(traffic.slice(cut));
      store.insertSpans(traffic.slice(0, cut));
      expect(picture(store), `cut at ${cut}`).toEqual(expected);
    }
    // Evicted by newer traffic: what is left is what that traffic alone gives.
    const bounded = await fresh({ maxSpans: traffic.length });
    for (const span of [...traffic].reverse()) bounded.insertSpans([span]);
    const alone = await fresh({ maxSpans: traffic.length });
    for (const span of apiTraffic()) {
      bounded.insertSpans([span]);
      alone.insertSpans([span]);
    }
    expect(picture(bounded)).toEqual(picture(alone));
  });

  it("answers over a window on span start times", async () => {
    const store = await fresh();
    store.insertSpans([...checkoutTrace(1, 0, false), ...checkoutTrace(2, 1000, true)]);
    expect(edges(store, { sinceUnixNano: ms(500) })).toEqual([
      "service:checkout → database:postgresql 1/0",
      "service:checkout → llm:openai 1/0",
      "service:checkout → service:localhost:8082 1/0",
      "service:web → service:checkout 1/1",
    ]);
    expect(edges(store, { untilUnixNano: ms(0) })).toEqual([]);
    const tally = store.serviceTraffic({ untilUnixNano: ms(500) });
    expect(tally.traces).toBe(1);
    // From the root's start (T0 + 1 ms) to the LLM call's end (T0 + 406 ms).
    expect((tally.lastMs as number) - (tally.firstMs as number)).toBeCloseTo(405, 3);

    const late = store.llmUsage({ sinceUnixNano: ms(500), limit: 10 }, MODEL_PRICES);
    expect(late.calls.map((c) => [c.traceId, c.spanId, c.service, c.cost.inputTokens])).toEqual([
      [traceId(2), spanId(6), "checkout", 10_000],
    ]);
    expect(late.traces).toBe(1);
    expect(llmCalls(store, { service: "web" })).toEqual([]);
    const early = store.llmUsage({ service: "checkout", untilUnixNano: ms(500), limit: 10 }, MODEL_PRICES);
    // gpt-4o-mini: 10,000 × $0.15 + 1,000 × $0.60 per 1M tokens.
    expect(early.calls[0]?.cost.usd).toBeCloseTo(0.0021, 10);
    expect(early.totals).toMatchObject({ calls: 1, inputTokens: 10_000, outputTokens: 1_000, p50Ms: 400 });
    expect(early.totals.usd).toBeCloseTo(0.0021, 10);
    // Both calls, newest first; totals, groups and the timeline over both.
    const all = store.llmUsage({ limit: 10 }, MODEL_PRICES);
    expect(all.calls.map((c) => c.traceId)).toEqual([traceId(2), traceId(1)]);
    expect(all.byModel.map((g) => [g.key, g.calls])).toEqual([["gpt-4o-mini", 2]]);
    expect(all.byService.map((g) => [g.key, g.calls])).toEqual([["checkout", 2]]);
    expect(all.timeline.byModel.map((line) => [line.key, line.calls.reduce((a, b) => a + b, 0)])).toEqual([
      ["gpt-4o-mini", 2],
    ]);
    expect(store.llmUsage({ limit: 1 }, MODEL_PRICES).calls).toHaveLength(1);
  });

  it("gives a service the same request count, p50 and p95 on the map as on the Services page", async () => {
    // 120 traces fit: the oldest leave. "api" takes requests of durations near their bucket's middle,
    // web and checkout requests of a duration per trace.
    const store = await fresh({ maxSpans: 120 * 6 });
    const traffic = edgeOfBucketTraffic(1, 400, 23);
    const minuteNs = 60_000_000_000n;
    const windows = [{}, { sinceUnixNano: ms(0) + 30n * minuteNs, untilUnixNano: ms(0) + 100n * minuteNs }];
    const inserted: Span[] = [];
    for (let i = 0; i < traffic.length; i += 50) {
      const checkout = Array.from({ length: 50 }, (_, k) =>
        checkoutTrace(1000 + i + k, (i + k) * 37_000, k % 9 === 0).map((span, id) => ({
          ...span,
          endTimeUnixNano: span.endTimeUnixNano + BigInt(((i + k) * 7919 * (id + 1)) % 40_000_000),
        })),
      ).flat();
      const batch = [...traffic.slice(i, i + 50), ...checkout];
      inserted.push(...batch);
      store.insertSpans(batch);
      for (const window of windows) {
        // Over the whole minutes of the window, as GET /api/service-map reads it.
        const map = serviceMapOf(store.serviceTraffic(wholeMinutesOf(window)));
        const services = store.listServices(window);
        // Every service with requests, and no other, has calls into its node.
        expect(map.nodes.filter((n) => n.kind === "service" && n.calls > 0).map((n) => n.name)).toEqual(
          services.map((s) => s.name),
        );
        const stored = new Set(store.listTraces({ limit: 1000 }).traces.map((t) => t.traceId));
        for (const service of services) {
          const node = map.nodes.find((n) => n.id === `service:${service.name}`);
          // Where a minute of the service lost spans to retention, the Services page knows its extremes
          // only to within their buckets: the same buckets then, not the same figures.
          const lost = inserted.some((s) => s.service === service.name && !stored.has(s.traceId));
          const figure = (ms: number | undefined) => (lost ? latencyBucket(Math.round((ms ?? 0) * 1e6)) : ms);
          expect(
            [node?.calls, figure(node?.p50Ms), figure(node?.p95Ms)],
            `${service.name} after ${i + 50} traces of each, window ${JSON.stringify(window, (_, v) => (typeof v === "bigint" ? `${v}` : v))}`,
          ).toEqual([service.requestCount, figure(service.p50Ms), figure(service.p95Ms)]);
        }
      }
    }
  });

  it("forgets what retention evicted, and everything on clear", async () => {
    const store = await fresh({ maxSpans: 12 });
    store.insertSpans(checkoutTrace(1, 0, true));
    expect(llmCalls(store)).toHaveLength(1);
    store.insertSpans(checkoutTrace(2, 1000, false));
    expect(edges(store)).toEqual(expected);
    // A third trace pushes the oldest (the failing one) out.
    store.insertSpans(checkoutTrace(3, 2000, false));
    expect(store.stats().evictedTraces).toBe(1);
    expect(edges(store)).toEqual(expected.map((line) => line.replace(/ 2\/1$/, " 2/0")));
    expect(llmCalls(store)).toEqual(["03 checkout", "02 checkout"]);
    // Many more traces than fit: the index keeps only what the store keeps.
    for (let t = 4; t < 60; t++) store.insertSpans(checkoutTrace(t, t * 1000, t % 2 === 0));
    expect(edges(store)).toEqual([
      "service:checkout → database:postgresql 2/0",
      "service:checkout → llm:openai 2/0",
      "service:checkout → service:localhost:8082 2/0",
      "service:web → service:checkout 2/1",
    ]);
    expect(store.serviceTraffic({}).traces).toBe(2);
    store.clear();
    expect(edges(store)).toEqual([]);
    expect(llmCalls(store)).toEqual([]);
    expect(store.llmUsage({ limit: 5 }, MODEL_PRICES).totals.calls).toBe(0);
    store.insertSpans(checkoutTrace(99, 0, false));
    expect(edges(store)).toHaveLength(4);
  });

  it("folds new spans into the indexes ahead of a read once they stop coming, and not while they come", async () => {
    const store = await fresh();
    const quietMs = 250;
    // Spans every 50 ms for 600 ms: never a quiet spell, so nothing is done ahead.
    for (let t = 1; t <= 12; t++) {
      store.insertSpans(checkoutTrace(t, t * 61_000, t % 3 === 0));
      expect(store.viewsWarm()).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(store.viewsWarm()).toBe(false);
    // Then quiet: done ahead without any read, soon after the quiet time.
    const quietFrom = performance.now();
    while (!store.viewsWarm() && performance.now() - quietFrom < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(store.viewsWarm()).toBe(true);
    expect(performance.now() - quietFrom).toBeGreaterThanOrEqual(quietMs - 60);
    expect(edges(store)).toEqual([
      "service:checkout → database:postgresql 12/0",
      "service:checkout → llm:openai 12/0",
      "service:checkout → service:localhost:8082 12/0",
      "service:web → service:checkout 12/4",
    ]);
    expect(llmCalls(store)).toHaveLength(12);
  });
}
