import { describe, expect, it } from "vitest";
import { costOf, priceKeyOf } from "../../src/domain/llm-cost.js";
import { LlmIndex, type LlmQuery, type LlmUsage } from "../../src/domain/llm-index.js";
import { MODEL_PRICES } from "../../src/domain/llm-prices.js";
import { type LlmGroup, type LlmSeries, MAX_SERIES, timelineBuckets } from "../../src/domain/llm-usage.js";
import { PART_ROWS } from "../../src/domain/minute-rows.js";
import { percentile } from "../../src/domain/percentile.js";
import type { Span } from "../../src/domain/span.js";
import { evictedInRound, seededRandom } from "../helpers/random.js";
import { makeSpan, ms } from "../store/span-fixtures.js";

const random = seededRandom(23);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

/** More models than a chart has lines (the rest is "other"), two of them without a price. */
const MODELS = [
  "gpt-4o-mini",
  "gpt-4o-2024-08-06",
  "claude-sonnet-4-5-20250929",
  "gemini-2.5-flash",
  "mistral-large",
  "deepseek-chat",
  "codestral",
  "mistral-small",
  "open-mistral-nemo",
  "local-llama",
  "house-model",
];
const SERVICES = ["assistant", "search", "support"];
const HOUR_MS = 3_600_000;

/** Three busy minutes: many calls of few models and services (so sums per 10 seconds are kept). */
const BUSY_MS = 90 * 60_000;

/** A trace of one to three GenAI calls up to two minutes apart, or up to a second apart in the busy minutes. */
function trace(t: number): Span[] {
  const busy = random() < 0.5;
  const start = busy ? BUSY_MS + random() * 3 * 60_000 : random() * 3 * HOUR_MS;
  const service = pick(busy ? ["assistant", "search"] : SERVICES);
  const models = busy ? ["gpt-4o-mini", "local-llama"] : MODELS;
  return Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => {
    const begin = start + random() * (busy ? 1000 : 120_000);
    const input = Math.floor(random() * 5000);
    const duration = random() < 0.5 ? Math.floor(random() * 40) * 10 : random() * 3000;
    const error = random() < 0.1;
    return {
      ...makeSpan({
        trace: t,
        span: i + 1,
        service: busy || random() < 0.8 ? service : pick(SERVICES),
        start: begin,
        end: begin + duration,
        error,
        // Anthropic's input tokens leave out its cache reads and writes; OpenAI's count its reads in.
        // Half the failed calls report no usage, as a call the provider refused does.
        attributes:
          error && random() < 0.5
            ? { "gen_ai.provider.name": "openai", "gen_ai.response.model": pick(models) }
            : random() < 0.3
              ? {
                  "gen_ai.provider.name": "anthropic",
                  "gen_ai.response.model": pick(models),
                  "gen_ai.usage.input_tokens": input,
                  "gen_ai.usage.output_tokens": Math.floor(random() * 800),
                  "gen_ai.usage.cache_read.input_tokens": random() < 0.5 ? Math.floor(random() * 40_000) : 0,
                  "gen_ai.usage.cache_creation.input_tokens": random() < 0.3 ? Math.floor(random() * 4000) : 0,
                }
              : {
                  "gen_ai.provider.name": "openai",
                  "gen_ai.response.model": pick(models),
                  "gen_ai.usage.input_tokens": input,
                  "gen_ai.usage.output_tokens": Math.floor(random() * 800),
                  "gen_ai.usage.cache_read.input_tokens": random() < 0.3 ? Math.floor(input * random()) : 0,
                },
      }),
      kind: "CLIENT" as const,
    };
  });
}

interface Call {
  span: Span;
  arrival: number;
  model: string;
  startMs: number;
  durationMs: number;
  input: number;
  output: number;
  cached: number;
  cacheWrite: number;
  /** USD, null without a price. */
  usd: number | null;
  usageReported: boolean;
}

function callOf(span: Span, arrival: number): Call {
  const a = span.attributes;
  const read = (a["gen_ai.usage.cache_read.input_tokens"] as number | undefined) ?? 0;
  const written = (a["gen_ai.usage.cache_creation.input_tokens"] as number | undefined) ?? 0;
  const input = (a["gen_ai.usage.input_tokens"] as number | undefined) ?? 0;
  const usage = {
    model: a["gen_ai.response.model"] as string,
    inputTokens: a["gen_ai.provider.name"] === "anthropic" ? input + read + written : input,
    outputTokens: (a["gen_ai.usage.output_tokens"] as number | undefined) ?? 0,
    cachedInputTokens: read,
    cacheWriteInputTokens: written,
    usageReported: a["gen_ai.usage.input_tokens"] !== undefined,
  };
  return {
    span,
    arrival,
    model: usage.model,
    startMs: Number(span.startTimeUnixNano) / 1e6,
    durationMs: Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6,
    input: usage.inputTokens,
    output: usage.outputTokens,
    cached: usage.cachedInputTokens,
    cacheWrite: usage.cacheWriteInputTokens,
    usd: costOf(usage, priceKeyOf(usage.model, MODEL_PRICES), MODEL_PRICES).usd,
    usageReported: usage.usageReported,
  };
}

/** Groups as the page shows them, by brute force over every call. */
function groups(calls: Call[], keyOf: (call: Call) => string): LlmGroup[] {
  const byKey = new Map<string, Call[]>();
  for (const call of calls) byKey.set(keyOf(call), [...(byKey.get(keyOf(call)) ?? []), call]);
  return [...byKey]
    .map(([key, list]) => {
      const durations = list.map((c) => c.durationMs).sort((x, y) => x - y);
      return {
        key,
        calls: list.length,
        inputTokens: list.reduce((sum, c) => sum + c.input, 0),
        outputTokens: list.reduce((sum, c) => sum + c.output, 0),
        cachedInputTokens: list.reduce((sum, c) => sum + c.cached, 0),
        cacheWriteInputTokens: list.reduce((sum, c) => sum + c.cacheWrite, 0),
        usd: list.reduce((sum, c) => sum + (c.usd ?? 0), 0),
        unpriced: list.filter((c) => c.usd === null).length,
        noUsage: list.filter((c) => !c.usageReported).length,
        unpricedNoUsage: list.filter((c) => c.usd === null && !c.usageReported).length,
        failed: list.filter((c) => c.span.status.code === "ERROR").length,
        p50Ms: percentile(durations, 50),
        p95Ms: percentile(durations, 95),
      };
    })
    .sort((x, y) => y.usd - x.usd || y.calls - x.calls || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

/** The usage of the kept calls in the window, by brute force. */
function expected(kept: Call[], query: LlmQuery) {
  const since = query.sinceUnixNano === undefined ? -Infinity : Number(query.sinceUnixNano) / 1e6;
  const until = query.untilUnixNano === undefined ? Infinity : Number(query.untilUnixNano) / 1e6;
  const calls = kept.filter(
    (c) =>
      c.startMs >= since && c.startMs <= until && (query.service === undefined || c.span.service === query.service),
  );
  const byModel = groups(calls, (c) => c.model);
  const byService = groups(calls, (c) => c.span.service);
  const from =
    query.sinceUnixNano !== undefined
      ? Number(query.sinceUnixNano / 1_000_000n)
      : Math.min(...calls.map((c) => c.startMs));
  const to =
    query.untilUnixNano !== undefined
      ? Number(query.untilUnixNano / 1_000_000n)
      : Math.max(...calls.map((c) => c.startMs));
  const { startMs, stepMs, buckets } = timelineBuckets(from, to, calls.length);
  const lines = (list: LlmGroup[], keyOf: (call: Call) => string): LlmSeries[] => {
    const listed = list.slice(0, MAX_SERIES).map((g) => g.key);
    const series = listed.map((key) => ({ key, calls: zeros(buckets), tokens: zeros(buckets), usd: zeros(buckets) }));
    let other: LlmSeries | undefined;
    for (const call of calls) {
      const bucket = Math.floor((call.startMs - startMs) / stepMs);
      if (bucket < 0 || bucket >= buckets) continue;
      const at = listed.indexOf(keyOf(call));
      if (at < 0 && other === undefined) {
        other = { key: "other", calls: zeros(buckets), tokens: zeros(buckets), usd: zeros(buckets) };
        series.push(other);
      }
      const line = at < 0 ? (other as LlmSeries) : (series[at] as LlmSeries);
      line.calls[bucket] = (line.calls[bucket] as number) + 1;
      line.tokens[bucket] = (line.tokens[bucket] as number) + call.input + call.output;
      line.usd[bucket] = (line.usd[bucket] as number) + (call.usd ?? 0);
    }
    return series;
  };
  const newest = [...calls]
    .sort((x, y) =>
      x.span.startTimeUnixNano === y.span.startTimeUnixNano
        ? y.arrival - x.arrival
        : x.span.startTimeUnixNano < y.span.startTimeUnixNano
          ? 1
          : -1,
    )
    .slice(0, query.limit);
  return {
    totals: groups(calls, () => "all")[0],
    byModel,
    byService,
    timeline: {
      startMs,
      stepMs,
      buckets,
      byModel: lines(byModel, (c) => c.model),
      byService: lines(byService, (c) => c.span.service),
    },
    calls: newest.map((c) => [c.span.traceId, c.span.spanId]),
    traces: new Set(calls.map((c) => c.span.traceId)).size,
  };
}

function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

/** Exact counts, tokens and percentiles; USD to a billionth of a dollar (sums may add in another order). */
type Totals = Pick<LlmUsage, "byModel" | "byService" | "timeline" | "traces"> & { totals: LlmGroup | undefined };

function comparable(usage: Totals) {
  const group = (g: LlmGroup | undefined) => g && { ...g, usd: Math.round(g.usd * 1e9) };
  const line = (s: LlmSeries) => ({ ...s, usd: s.usd.map((usd) => Math.round(usd * 1e9)) });
  return {
    totals: group(usage.totals),
    byModel: usage.byModel.map(group),
    byService: usage.byService.map(group),
    timeline: {
      ...usage.timeline,
      byModel: usage.timeline.byModel.map(line),
      byService: usage.timeline.byService.map(line),
    },
    traces: usage.traces,
  };
}

function queries(): LlmQuery[] {
  const a = random() * 3 * HOUR_MS;
  const b = a + random() * HOUR_MS;
  const limit = pick([1, 7, 200]);
  return [
    { limit },
    { limit, sinceUnixNano: ms(a) },
    { limit, untilUnixNano: ms(b) },
    { limit, sinceUnixNano: ms(a), untilUnixNano: ms(b) },
    { limit, sinceUnixNano: ms(a), untilUnixNano: ms(a + 20 * 60_000) },
    // Around the busy minutes: 5-second, 10-second, 30-second and 1-minute buckets.
    { limit, sinceUnixNano: ms(BUSY_MS - 60_000), untilUnixNano: ms(BUSY_MS + 4 * 60_000) },
    { limit, sinceUnixNano: ms(BUSY_MS - 5 * 60_000 - a / 1000), untilUnixNano: ms(BUSY_MS + 15 * 60_000) },
    { limit, sinceUnixNano: ms(BUSY_MS - 20 * 60_000 - a / 1000), untilUnixNano: ms(BUSY_MS + 40 * 60_000) },
    { limit, sinceUnixNano: ms(BUSY_MS - 60 * 60_000 - a / 1000), untilUnixNano: ms(BUSY_MS + 60 * 60_000) },
    { limit, service: "assistant", sinceUnixNano: ms(BUSY_MS - 5 * 60_000), untilUnixNano: ms(BUSY_MS + 15 * 60_000) },
    { limit, service: pick(SERVICES) },
    { limit, service: pick(SERVICES), sinceUnixNano: ms(a) },
    { limit, service: "nobody" },
  ];
}

function check(index: LlmIndex, kept: Map<string, Call[]>): void {
  const calls = [...kept.values()].flat();
  for (const query of queries()) {
    const usage = index.usage(query, MODEL_PRICES);
    const want = expected(calls, query);
    if (want.totals === undefined) expect(usage.totals.calls).toBe(0);
    else expect(comparable(usage)).toEqual(comparable(want));
    expect(usage.calls.map((c) => [c.traceId, c.spanId])).toEqual(want.calls);
    const reported = new Map(calls.map((c) => [c.span.spanId + c.span.traceId, c.usageReported]));
    for (const call of usage.calls) expect(call.cost.usageReported).toBe(reported.get(call.spanId + call.traceId));
  }
}

describe("LlmIndex", () => {
  it("answers as the kept calls would, whatever arrives, is read and is evicted in between", () => {
    const index = new LlmIndex();
    const kept = new Map<string, Call[]>();
    let next = 1;
    let arrival = 0;
    for (let round = 0; round < 10; round++) {
      for (const span of Array.from({ length: 120 }, () => trace(next++)).flat()) {
        index.add(span);
        kept.set(span.traceId, [...(kept.get(span.traceId) ?? []), callOf(span, arrival++)]);
        if (random() < 0.01) index.usage({ limit: 5, sinceUnixNano: ms(random() * 3 * HOUR_MS) }, MODEL_PRICES);
        // One step of the work a quiet moment does ahead: a read must answer the same after any of them.
        if (random() < 0.03) index.warm(Number.NEGATIVE_INFINITY);
      }
      check(index, kept);
      for (const id of evictedInRound([...kept.keys()], round, random)) {
        index.evict(id);
        kept.delete(id);
        if (random() < 0.05) index.warm(Number.NEGATIVE_INFINITY);
      }
      check(index, kept);
    }
    index.clear();
    kept.clear();
    check(index, kept);
  });

  it("answers for a minute of more calls than one part of it holds, the newest calls whichever part has them", () => {
    const index = new LlmIndex();
    const calls: { traceId: string; spanId: string; start: bigint; arrival: number }[] = [];
    // 2.5 parts' worth of calls in one minute (T0 is 20 s into one), in an arrival order unlike their start order.
    const minuteStart = BUSY_MS + 40_000;
    for (let t = 1; t <= PART_ROWS * 2.5; t++) {
      const begin = minuteStart + random() * 59_000;
      const span = {
        ...makeSpan({
          trace: t,
          span: 1,
          start: begin,
          end: begin + 250,
          attributes: {
            "gen_ai.provider.name": "openai",
            "gen_ai.response.model": "gpt-4o-mini",
            "gen_ai.usage.input_tokens": 10,
            "gen_ai.usage.output_tokens": 5,
          },
        }),
        kind: "CLIENT" as const,
      };
      index.add(span);
      calls.push({ traceId: span.traceId, spanId: span.spanId, start: span.startTimeUnixNano, arrival: t });
      if (t === PART_ROWS * 2) index.warm(Number.POSITIVE_INFINITY);
    }
    const newest = (limit: number) =>
      [...calls]
        .sort((a, b) => (a.start === b.start ? b.arrival - a.arrival : a.start < b.start ? 1 : -1))
        .slice(0, limit)
        .map((c) => [c.traceId, c.spanId]);
    for (const limit of [1, 7, 200]) {
      const usage = index.usage({ limit }, MODEL_PRICES);
      expect(usage.totals.calls).toBe(calls.length);
      expect(usage.calls.map((c) => [c.traceId, c.spanId])).toEqual(newest(limit));
    }
  });

  it("keeps its rows to a few times what is live under steady ingest and eviction with nothing read", () => {
    const index = new LlmIndex();
    const kept = new Map<string, Call[]>();
    let arrival = 0;
    let most = 0;
    for (let t = 1; t <= 20_000; t++) {
      for (const span of trace(t)) {
        index.add(span);
        kept.set(span.traceId, [...(kept.get(span.traceId) ?? []), callOf(span, arrival++)]);
      }
      const oldest = kept.keys().next().value as string;
      if (kept.size > 300) {
        index.evict(oldest);
        kept.delete(oldest);
      }
      most = Math.max(most, index.rows);
    }
    const live = [...kept.values()].reduce((sum, calls) => sum + calls.length, 0);
    expect(most).toBeLessThan(Math.max(4 * live, 2048));
    check(index, kept);
  });

  it("counts a call that failed before an answer, naming only the model it asked for, with the answering model", () => {
    const call = (trace: number, start: number, attributes: Record<string, string | number>, error = false): Span => ({
      ...makeSpan({
        trace,
        span: 1,
        start,
        end: start + 100,
        error,
        attributes: { "gen_ai.provider.name": "anthropic", ...attributes },
      }),
      kind: "CLIENT",
    });
    const failed = call(1, 0, { "gen_ai.request.model": "claude-sonnet-4-5" }, true);
    const answered = call(2, 1000, {
      "gen_ai.request.model": "claude-sonnet-4-5",
      "gen_ai.response.model": "claude-sonnet-4-5-20250929",
      "gen_ai.usage.input_tokens": 1000,
      "gen_ai.usage.output_tokens": 100,
    });
    const other = call(3, 2000, { "gen_ai.request.model": "claude-haiku-4-5" }, true);
    // Whichever arrives first.
    for (const order of [
      [failed, answered, other],
      [answered, other, failed],
    ]) {
      const index = new LlmIndex();
      for (const span of order) index.add(span);
      const usage = index.usage({ limit: 10 }, MODEL_PRICES);
      expect(usage.byModel.map((g) => [g.key, g.calls, g.failed, g.inputTokens])).toEqual(
        expect.arrayContaining([
          ["claude-sonnet-4-5-20250929", 2, 1, 1000],
          ["claude-haiku-4-5", 1, 1, 0],
        ]),
      );
      expect(usage.byModel).toHaveLength(2);
      expect(usage.timeline.byModel.map((line) => line.key).sort()).toEqual([
        "claude-haiku-4-5",
        "claude-sonnet-4-5-20250929",
      ]);
      // Each call keeps the model it named.
      expect(usage.calls.map((c) => c.cost.model).sort()).toEqual([
        "claude-haiku-4-5",
        "claude-sonnet-4-5",
        "claude-sonnet-4-5-20250929",
      ]);
    }
    // Once the answering call is evicted, the failed one is counted with the model it asked for.
    const index = new LlmIndex();
    for (const span of [failed, answered, other]) index.add(span);
    index.evict(answered.traceId);
    expect(index.usage({ limit: 10 }, MODEL_PRICES).byModel.map((g) => [g.key, g.calls, g.failed])).toEqual(
      expect.arrayContaining([
        ["claude-sonnet-4-5", 1, 1],
        ["claude-haiku-4-5", 1, 1],
      ]),
    );
  });

  it("tells a call that reported no usage (a provider's 429) from one that reported 0 tokens", () => {
    const call = (trace: number, attributes: Record<string, string | number>, error = false): Span => ({
      ...makeSpan({
        trace,
        span: 1,
        start: trace * 1000,
        end: trace * 1000 + 100,
        error,
        attributes: { "gen_ai.provider.name": "openai", "gen_ai.operation.name": "chat", ...attributes },
      }),
      kind: "CLIENT",
    });
    const index = new LlmIndex();
    index.add(call(1, { "gen_ai.request.model": "gpt-4o-mini" }, true));
    index.add(
      call(2, {
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 0,
        "gen_ai.usage.output_tokens": 0,
      }),
    );
    index.add(
      call(3, {
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 1000,
        "gen_ai.usage.output_tokens": 100,
      }),
    );
    const usage = index.usage({ limit: 10 }, MODEL_PRICES);
    expect(usage.totals).toMatchObject({ calls: 3, failed: 1, noUsage: 1, unpriced: 0, inputTokens: 1000 });
    expect(usage.byModel.map((g) => [g.key, g.calls, g.noUsage])).toEqual([["gpt-4o-mini", 3, 1]]);
    expect(usage.byService.map((g) => g.noUsage)).toEqual([1]);
    // Newest first: the call that reported 1,100 tokens, the one that reported 0, the one that reported none.
    expect(usage.calls.map((c) => [c.cost.inputTokens, c.cost.usageReported, c.cost.usd === 0])).toEqual([
      [1000, true, false],
      [0, true, true],
      [0, false, true],
    ]);
    // Evicting the call takes it out of the count.
    index.evict(usage.calls[2]?.traceId as string);
    expect(index.usage({ limit: 10 }, MODEL_PRICES).totals.noUsage).toBe(0);
  });

  it("counts the calls without usage to a model without a price, which are unpriced as well", () => {
    const call = (trace: number, model: string, usage: boolean): Span => ({
      ...makeSpan({
        trace,
        span: 1,
        start: trace * 1000,
        end: trace * 1000 + 100,
        service: trace % 2 === 0 ? "assistant" : "indexer",
        attributes: {
          "gen_ai.provider.name": "openai",
          "gen_ai.operation.name": "chat",
          "gen_ai.request.model": model,
          ...(usage ? { "gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 10 } : {}),
        },
      }),
      kind: "CLIENT",
    });
    const index = new LlmIndex();
    index.add(call(1, "gpt-4o-mini", true));
    index.add(call(2, "my-local-llama", false));
    index.add(call(3, "my-local-llama", true));
    index.add(call(4, "gpt-4o-mini", false));
    // Everything (summed per minute), and a window that cuts the minute (summed per call).
    for (const query of [{ limit: 10 }, { limit: 10, sinceUnixNano: ms(500), untilUnixNano: ms(30_000) }]) {
      const usage = index.usage(query, MODEL_PRICES);
      expect(usage.totals).toMatchObject({ calls: 4, unpriced: 2, noUsage: 2, unpricedNoUsage: 1 });
      const counts = (groups: LlmGroup[]) =>
        Object.fromEntries(groups.map((g) => [g.key, [g.unpriced, g.noUsage, g.unpricedNoUsage]]));
      expect(counts(usage.byModel)).toEqual({ "gpt-4o-mini": [0, 1, 0], "my-local-llama": [2, 1, 1] });
      expect(counts(usage.byService)).toEqual({ assistant: [1, 2, 1], indexer: [1, 0, 0] });
    }
  });
});
