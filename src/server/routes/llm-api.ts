/** GET /api/llm: every GenAI call in a window, with cost, and totals per model and per service. */
import { Hono } from "hono";
import { AppError } from "../../domain/errors.js";
import { PRICES_DATE } from "../../domain/llm-prices.js";
import { emptyGroup, groupCalls, LLM_SPAN_QUERY, type LlmCall, llmCallOf } from "../../domain/llm-usage.js";
import type { LlmCallJson, LlmUsageResponse } from "../../protocol.js";
import type { Store, TraceQuery } from "../../store/store.js";
import { readTraces } from "../read-traces.js";
import { parseTimeWindow } from "../time-window.js";

export interface LlmApiDeps {
  store: Store;
}

const DEFAULT_CALLS = 200;
const MAX_CALLS = 2_000;

function callToJson(call: LlmCall): LlmCallJson {
  const { startTimeUnixNano, cost, ...rest } = call;
  return { ...rest, startTimeUnixNano: startTimeUnixNano.toString(), cost };
}

export function llmApiRoutes(deps: LlmApiDeps): Hono {
  const app = new Hono();
  app.get("/api/llm", (c) => {
    const params = new URL(c.req.url).searchParams;
    const raw = params.get("limit");
    const limit = raw === null || raw === "" ? DEFAULT_CALLS : /^\d{1,5}$/.test(raw) ? Number(raw) : 0;
    if (limit < 1 || limit > MAX_CALLS) {
      throw new AppError(400, "invalid_query", `limit must be a whole number from 1 to ${MAX_CALLS}`);
    }
    const window = parseTimeWindow(params);
    const query: Omit<TraceQuery, "limit"> = { q: LLM_SPAN_QUERY, ...window };
    const service = params.get("service");
    if (service) query.service = service;

    const { traces, truncated } = readTraces(deps.store, query);
    const calls: LlmCall[] = [];
    for (const spans of traces) {
      for (const span of spans) {
        const call = llmCallOf(span);
        if (call !== null && (!service || call.service === service)) calls.push(call);
      }
    }
    const tracesRead = traces.length;
    calls.sort((x, y) =>
      x.startTimeUnixNano < y.startTimeUnixNano ? 1 : x.startTimeUnixNano > y.startTimeUnixNano ? -1 : 0,
    );
    const [totals] = groupCalls(calls, () => "all");
    const body: LlmUsageResponse = {
      pricesDate: PRICES_DATE,
      totals: totals ?? emptyGroup("all"),
      byModel: groupCalls(calls, (call) => call.cost.model),
      byService: groupCalls(calls, (call) => call.service),
      calls: calls.slice(0, limit).map(callToJson),
      tracesRead,
      truncated,
    };
    return c.json(body);
  });
  return app;
}
