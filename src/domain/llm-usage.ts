/**
 * LLM usage over many spans: every GenAI call that names its model, with its tokens, cost and
 * latency, and totals per model, per service and over time. Pure; the stores keep an `LlmIndex`
 * (llm-index.ts) up to date on insert and eviction.
 */
import { type LlmCost, type LlmUsage, llmUsageOf } from "./llm-cost.js";
import type { Span } from "./span.js";
import { durationMs } from "./time.js";

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
  /** Of the input tokens, those read from a prompt cache. */
  cachedInputTokens: number;
  /** Of the input tokens, those written to a prompt cache. */
  cacheWriteInputTokens: number;
  /** USD of the priced calls; `unpriced` calls add nothing (their cost is unknown). */
  usd: number;
  unpriced: number;
  /** Calls whose span reports no token count (see LlmUsage.usageReported): their tokens and cost are unknown, not 0. */
  noUsage: number;
  /** Of `noUsage`, the calls to a model without a price (counted in `unpriced` too). */
  unpricedNoUsage: number;
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
  const usage = llmUsageOf(a, span.scope.name);
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

/** A group with no calls yet. */
export function emptyGroup(key: string): LlmGroup {
  return {
    key,
    calls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    usd: 0,
    unpriced: 0,
    noUsage: 0,
    unpricedNoUsage: 0,
    failed: 0,
    p50Ms: 0,
    p95Ms: 0,
  };
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
 * Equal buckets from `from` to `to` (unix ms; `count` calls): the first width in STEPS_MS that
 * covers the span in at most MAX_BUCKETS; none when there is nothing to chart.
 */
export function timelineBuckets(
  from: number,
  to: number,
  count: number,
): { startMs: number; stepMs: number; buckets: number } {
  const smallest = STEPS_MS[0] as number;
  if (count === 0 || !Number.isFinite(from) || !Number.isFinite(to)) {
    return { startMs: Number.isFinite(from) ? from : 0, stepMs: smallest, buckets: 0 };
  }
  const span = Math.max(to - from, 1);
  const stepMs = STEPS_MS.find((step) => span / step <= MAX_BUCKETS) ?? Math.ceil(span / MAX_BUCKETS);
  const startMs = Math.floor(from / stepMs) * stepMs;
  return { startMs, stepMs, buckets: Math.floor((to - startMs) / stepMs) + 1 };
}
