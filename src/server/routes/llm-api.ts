/** GET /api/llm: every GenAI call in a window, with cost, and totals per model, per service and over time. */
import { Hono } from "hono";
import { AppError } from "../../domain/errors.js";
import { BUNDLED_PRICES, type PriceList } from "../../domain/llm-prices.js";
import { createCallPricer, emptyGroup, groupCalls, type LlmCall, llmTimeline } from "../../domain/llm-usage.js";
import type { LlmCallJson, LlmUsageResponse } from "../../protocol.js";
import type { Store } from "../../store/store.js";
import { parseTimeWindow } from "../time-window.js";

export interface LlmApiDeps {
  store: Store;
  /** The price table in use (`--prices`); the bundled one by default. */
  prices?: PriceList;
}

const DEFAULT_CALLS = 200;
const MAX_CALLS = 2_000;

function callToJson(call: LlmCall): LlmCallJson {
  const { startTimeUnixNano, cost, ...rest } = call;
  return { ...rest, startTimeUnixNano: startTimeUnixNano.toString(), cost };
}

const newestFirst = (x: LlmCall, y: LlmCall) =>
  x.startTimeUnixNano < y.startTimeUnixNano ? 1 : x.startTimeUnixNano > y.startTimeUnixNano ? -1 : 0;

export function llmApiRoutes(deps: LlmApiDeps): Hono {
  const app = new Hono();
  const prices = deps.prices ?? BUNDLED_PRICES;
  app.get("/api/llm", (c) => {
    const params = new URL(c.req.url).searchParams;
    const raw = params.get("limit");
    const limit = raw === null || raw === "" ? DEFAULT_CALLS : /^\d{1,5}$/.test(raw) ? Number(raw) : 0;
    if (limit < 1 || limit > MAX_CALLS) {
      throw new AppError(400, "invalid_query", `limit must be a whole number from 1 to ${MAX_CALLS}`);
    }
    const window = parseTimeWindow(params);
    const service = params.get("service") || undefined;
    const price = createCallPricer(prices.table);
    const calls = deps.store.llmSpans(service === undefined ? window : { ...window, service }).map(price);
    const traces = new Set<string>();
    for (const call of calls) traces.add(call.traceId);
    const [totals] = groupCalls(calls, () => "all");
    const body: LlmUsageResponse = {
      pricesDate: prices.bundledDate,
      prices: { bundledDate: prices.bundledDate, file: prices.file, fileModels: [...prices.fileModels] },
      totals: totals ?? emptyGroup("all"),
      byModel: groupCalls(calls, (call) => call.cost.model),
      byService: groupCalls(calls, (call) => call.service),
      timeline: llmTimeline(calls, window),
      calls: newestCalls(calls, limit).map(callToJson),
      tracesRead: traces.size,
      truncated: false,
    };
    return c.json(body);
  });
  return app;
}

/** The `limit` newest calls, newest first, without sorting them all. */
function newestCalls(calls: LlmCall[], limit: number): LlmCall[] {
  if (calls.length <= limit * 4) return calls.sort(newestFirst).slice(0, limit);
  let kept = calls.slice(0, limit).sort(newestFirst);
  for (let i = limit; i < calls.length; i++) {
    const call = calls[i] as LlmCall;
    if (newestFirst(call, kept[kept.length - 1] as LlmCall) < 0) kept.push(call);
    if (kept.length >= limit * 2) kept = kept.sort(newestFirst).slice(0, limit);
  }
  return kept.sort(newestFirst).slice(0, limit);
}
