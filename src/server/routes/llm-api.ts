/** GET /api/llm: every GenAI call in a window, with cost, and totals per model, per service and over time. */
import { Hono } from "hono";
import { AppError } from "../../domain/errors.js";
import { BUNDLED_PRICES, type PriceList } from "../../domain/llm-prices.js";
import type { LlmCall } from "../../domain/llm-usage.js";
import { ascending } from "../../domain/order.js";
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

/** Field by field: a rest-and-spread copy took most of the time of a long list's JSON. */
function callToJson(call: LlmCall): LlmCallJson {
  return {
    traceId: call.traceId,
    spanId: call.spanId,
    service: call.service,
    provider: call.provider,
    operation: call.operation,
    requestModel: call.requestModel,
    durationMs: call.durationMs,
    timeToFirstTokenMs: call.timeToFirstTokenMs,
    finishReasons: call.finishReasons,
    streaming: call.streaming,
    failed: call.failed,
    startTimeUnixNano: call.startTimeUnixNano.toString(),
    cost: call.cost,
  };
}

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
    const service = params.get("service") || undefined;
    // A window up to now (`since` alone: the page's "Last 15 minutes") is charted up to now.
    const window = parseTimeWindow(params);
    const usage = deps.store.llmUsage({ ...window, service, limit, timelineEndMs: Date.now() }, prices.table);
    // Every service's calls in the window are summed per minute: a second sum costs little beside the first.
    const everyService = service === undefined ? usage : deps.store.llmUsage({ ...window, limit: 1 }, prices.table);
    const services = everyService.byService.map((group) => group.key).sort(ascending);
    const body: LlmUsageResponse = {
      pricesDate: prices.bundledDate,
      prices: { bundledDate: prices.bundledDate, file: prices.file, fileModels: [...prices.fileModels] },
      totals: usage.totals,
      byModel: usage.byModel,
      byService: usage.byService,
      services,
      timeline: usage.timeline,
      calls: usage.calls.map(callToJson),
      tracesRead: usage.traces,
      truncated: false,
    };
    const building = deps.store.viewsBuilding();
    if (building !== null) body.building = building;
    return c.json(body);
  });
  return app;
}
