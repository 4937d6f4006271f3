/**
 * LLM usage over many spans: every GenAI call that names its model, with its tokens, cost and
 * latency, and totals per model, per service and over time. Pure; the stores keep an `LlmSpans`
 * index up to date on insert and eviction, and the server prices what it lists.
 */
import { createPricer, type LlmCost, type LlmUsage, llmUsageOf, type PriceTable } from "./llm-cost.js";
import { MODEL_PRICES } from "./llm-prices.js";
import { percentile } from "./percentile.js";
import type { Span } from "./span.js";
import { durationMs } from "./time.js";

/** The query language's "a span that names a GenAI model" (see domain/query.ts). */
export const LLM_SPAN_QUERY = "gen_ai.request.model | gen_ai.response.model";

export interface LlmCall {
  traceId: string;
  spanId: string;
  startTimeUnixNano: bigint;
  service: string;
  provider: string | null;
  operation: string | null;
  requestModel: string | null;
  cost: LlmCost;
  durationMs: number;
  /** Milliseconds to the first token, when the instrumentation reports it. */
  timeToFirstTokenMs: number | null;
  finishReasons: string[];
  streaming: boolean | null;
  failed: boolean;
}

export interface LlmGroup {
  key: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  /** USD of the priced calls; `unpriced` calls add nothing (their cost is unknown). */
  usd: number;
  unpriced: number;
  failed: number;
  p50Ms: number;
  p95Ms: number;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function seconds(value: unknown): number | null {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** An LLM call before pricing: what the span says (its tokens in `usage`). */
export interface LlmSpan extends Omit<LlmCall, "cost"> {
  usage: LlmUsage;
}

/** The span as an LLM call before pricing, or null when it names no model. */
export function llmSpanOf(span: Span): LlmSpan | null {
  const a = span.attributes;
  const usage = llmUsageOf(a);
  if (usage === null) return null;
  const reasons = a["gen_ai.response.finish_reasons"];
  const ttft = seconds(a["gen_ai.response.time_to_first_chunk"] ?? a["gen_ai.server.time_to_first_token"]);
  const streaming = a["gen_ai.request.stream"] ?? a["llm.is_streaming"];
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    startTimeUnixNano: span.startTimeUnixNano,
    service: span.service,
    provider: text(a["gen_ai.provider.name"] ?? a["gen_ai.system"]),
    operation: text(a["gen_ai.operation.name"]),
    requestModel: text(a["gen_ai.request.model"]),
    usage,
    durationMs: durationMs(span.startTimeUnixNano, span.endTimeUnixNano),
    timeToFirstTokenMs: ttft === null ? null : ttft * 1000,
    finishReasons: Array.isArray(reasons) ? reasons.map(String) : typeof reasons === "string" ? [reasons] : [],
    streaming: typeof streaming === "boolean" ? streaming : null,
    failed: span.status.code === "ERROR",
  };
}

/** Prices many calls (each distinct model matched to the table once). */
export function createCallPricer(prices: PriceTable = MODEL_PRICES): (call: LlmSpan) => LlmCall {
  const price = createPricer(prices);
  return ({ usage, ...rest }) => ({ ...rest, cost: price(usage) });
}

/** The span as an LLM call, or null when it names no model. */
export function llmCallOf(span: Span, prices: PriceTable = MODEL_PRICES): LlmCall | null {
  const call = llmSpanOf(span);
  return call === null ? null : createCallPricer(prices)(call);
}

/** Every LLM call of the stored traces, kept span by span; a trace's calls leave with it. */
export class LlmSpans {
  private readonly byTrace = new Map<string, LlmSpan[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(span: Span): void {
    const call = llmSpanOf(span);
    if (call === null) return;
    // The stores add each span once (they drop re-sent spans first).
    const calls = this.byTrace.get(span.traceId);
    if (calls === undefined) this.byTrace.set(span.traceId, [call]);
    else calls.push(call);
    this.count++;
  }

  evict(traceId: string): void {
    const calls = this.byTrace.get(traceId);
    if (calls === undefined) return;
    this.byTrace.delete(traceId);
    this.count -= calls.length;
  }

  clear(): void {
    this.byTrace.clear();
    this.count = 0;
  }

  /** Calls that start in the window (both ends inclusive), of one service when given, in no set order. */
  list(window: { sinceUnixNano?: bigint; untilUnixNano?: bigint; service?: string }): LlmSpan[] {
    const { sinceUnixNano, untilUnixNano, service } = window;
    const out: LlmSpan[] = [];
    for (const calls of this.byTrace.values()) {
      for (const call of calls) {
        if (sinceUnixNano !== undefined && call.startTimeUnixNano < sinceUnixNano) continue;
        if (untilUnixNano !== undefined && call.startTimeUnixNano > untilUnixNano) continue;
        if (service !== undefined && call.service !== service) continue;
        out.push(call);
      }
    }
    return out;
  }
}

/** A group with no calls yet. */
export function emptyGroup(key: string): LlmGroup {
  return {
    key,
    calls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    usd: 0,
    unpriced: 0,
    failed: 0,
    p50Ms: 0,
    p95Ms: 0,
  };
}

/** Calls grouped by `keyOf`, biggest cost first (then most calls). */
export function groupCalls(calls: readonly LlmCall[], keyOf: (call: LlmCall) => string): LlmGroup[] {
  const groups = new Map<string, { group: LlmGroup; durations: number[] }>();
  for (const call of calls) {
    const key = keyOf(call);
    let entry = groups.get(key);
    if (entry === undefined) {
      entry = { group: emptyGroup(key), durations: [] };
      groups.set(key, entry);
    }
    const { group } = entry;
    group.calls++;
    group.inputTokens += call.cost.inputTokens;
    group.outputTokens += call.cost.outputTokens;
    group.cachedInputTokens += call.cost.cachedInputTokens;
    if (call.cost.usd === null) group.unpriced++;
    else group.usd += call.cost.usd;
    if (call.failed) group.failed++;
    entry.durations.push(call.durationMs);
  }
  const out: LlmGroup[] = [];
  for (const { group, durations } of groups.values()) {
    durations.sort((x, y) => x - y);
    group.p50Ms = percentile(durations, 50);
    group.p95Ms = percentile(durations, 95);
    out.push(group);
  }
  return out.sort((x, y) => y.usd - x.usd || y.calls - x.calls || x.key.localeCompare(y.key));
}

/** One model's or service's calls, tokens (input + output) and USD per time bucket. */
export interface LlmSeries {
  key: string;
  calls: number[];
  tokens: number[];
  usd: number[];
}

/** Calls over time, per model and per service, in equal buckets from `startMs`. */
export interface LlmTimeline {
  /** Unix ms at which the first bucket starts. */
  startMs: number;
  stepMs: number;
  buckets: number;
  byModel: LlmSeries[];
  byService: LlmSeries[];
}

/** Bucket widths, smallest first: the first that fits the span in MAX_BUCKETS is used. */
const STEPS_MS = [1, 5, 10, 30, 60, 300, 600, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400].map((s) => s * 1000);
const MAX_BUCKETS = 120;
/** Lines per chart: the costliest keys; the rest add up to "other". */
export const MAX_SERIES = 8;

/**
 * The calls per time bucket: over the window when it has both ends, else from the window's start
 * (or the first call) to its end (or the last call).
 */
export function llmTimeline(
  calls: readonly LlmCall[],
  window: { sinceUnixNano?: bigint; untilUnixNano?: bigint },
): LlmTimeline {
  let first = Infinity;
  let last = -Infinity;
  const starts = new Float64Array(calls.length);
  calls.forEach((call, i) => {
    const ms = Number(call.startTimeUnixNano / 1_000_000n);
    starts[i] = ms;
    if (ms < first) first = ms;
    if (ms > last) last = ms;
  });
  const from = window.sinceUnixNano !== undefined ? Number(window.sinceUnixNano / 1_000_000n) : first;
  const to = window.untilUnixNano !== undefined ? Number(window.untilUnixNano / 1_000_000n) : last;
  if (!Number.isFinite(from) || !Number.isFinite(to) || calls.length === 0) {
    return { startMs: Number.isFinite(from) ? from : 0, stepMs: STEPS_MS[0] as number, buckets: 0, byModel: [], byService: [] };
  }
  const span = Math.max(to - from, 1);
  const stepMs = STEPS_MS.find((step) => span / step <= MAX_BUCKETS) ?? Math.ceil(span / MAX_BUCKETS);
  const startMs = Math.floor(from / stepMs) * stepMs;
  const buckets = Math.floor((to - startMs) / stepMs) + 1;
  const seriesOf = (keyOf: (call: LlmCall) => string): LlmSeries[] => {
    const totals = groupCalls(calls, keyOf);
    const shown = new Set(totals.slice(0, MAX_SERIES).map((group) => group.key));
    const series = new Map<string, LlmSeries>();
    const line = (key: string) => {
      let entry = series.get(key);
      if (entry === undefined) {
        entry = { key, calls: zeros(buckets), tokens: zeros(buckets), usd: zeros(buckets) };
        series.set(key, entry);
      }
      return entry;
    };
    for (const key of shown) line(key);
    calls.forEach((call, i) => {
      const bucket = Math.floor(((starts[i] as number) - startMs) / stepMs);
      if (bucket < 0 || bucket >= buckets) return;
      const key = keyOf(call);
      const entry = line(shown.has(key) ? key : "other");
      (entry.calls[bucket] as number)++;
      entry.tokens[bucket] = (entry.tokens[bucket] as number) + call.cost.inputTokens + call.cost.outputTokens;
      if (call.cost.usd !== null) entry.usd[bucket] = (entry.usd[bucket] as number) + call.cost.usd;
    });
    return [...series.values()];
  };
  return {
    startMs,
    stepMs,
    buckets,
    byModel: seriesOf((call) => call.cost.model),
    byService: seriesOf((call) => call.service),
  };
}

function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}
