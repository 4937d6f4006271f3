/**
 * LLM usage over many spans: every GenAI call that names its model, with its tokens, cost and
 * latency, and totals per model, per service and over time. Pure; the server feeds it the spans of
 * the traces that have such calls.
 */
import { type LlmCost, llmCostOf, type PriceTable } from "./llm-cost.js";
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

/** The span as an LLM call, or null when it names no model. */
export function llmCallOf(span: Span, prices: PriceTable = MODEL_PRICES): LlmCall | null {
  const a = span.attributes;
  const cost = llmCostOf(a, prices);
  if (cost === null) return null;
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
    cost,
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
