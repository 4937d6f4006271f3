import type { HealthResponse, LlmUsageResponse, TraceListResponse } from "../protocol.js";
import { count } from "./count.js";

/** What one `tracekit-local run` sent, as the instance counts it (every trace that started in its window). */
export interface RunTotals {
  traces: number;
  spans: number;
  /** Traces with a failing span, as the trace list counts them. */
  failing: number;
  /** LLM calls that name a model, what the priced ones cost, and how many have no price. */
  llm?: { calls: number; usd: number; unpriced: number };
}

export interface RunWindow {
  /** Unix ms, both inclusive. */
  sinceMs: number;
  untilMs: number;
  /** `--service`: only traces with a span from it. */
  service?: string;
}

const PAGE_SIZE = 1000;

function windowParams(window: RunWindow): URLSearchParams {
  // The same order as the trace list writes its own URL.
  const params = new URLSearchParams();
  if (window.service !== undefined) params.set("service", window.service);
  params.set("since", String(window.sinceMs));
  params.set("until", String(window.untilMs));
  return params;
}

/** The trace list's address for just this run. */
export function runListUrl(base: string, window: RunWindow): string {
  return `${base}/?${windowParams(window)}`;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/** Counts the run's traces, spans and failing traces, page by page. */
export async function countRun(base: string, window: RunWindow): Promise<RunTotals> {
  const totals: RunTotals = { traces: 0, spans: 0, failing: 0 };
  const params = windowParams(window);
  params.set("limit", String(PAGE_SIZE));
  for (;;) {
    const page = await getJson<TraceListResponse>(`${base}/api/traces?${params}`);
    for (const trace of page.traces) {
      totals.traces += 1;
      totals.spans += trace.spanCount;
      if (trace.errorCount > 0) totals.failing += 1;
    }
    if (page.nextCursor === undefined) break;
    params.set("cursor", page.nextCursor);
  }
  const llm = await llmCostOfRun(base, window);
  if (llm.calls > 0) totals.llm = llm;
  return totals;
}

/** The run's LLM calls and their cost, as the server's GET /api/llm totals them over the run's window. */
async function llmCostOfRun(
  base: string,
  window: RunWindow,
): Promise<{ calls: number; usd: number; unpriced: number }> {
  const params = windowParams(window);
  params.set("limit", "1");
  const { totals } = await getJson<LlmUsageResponse>(`${base}/api/llm?${params}`);
  return { calls: totals.calls, usd: totals.usd, unpriced: totals.unpriced };
}

/**
 * Waits until the instance's span count has stopped changing for `quietMs` (an SDK's last export
 * may still be in flight when the command exits), at most `maxMs`.
 */
export async function waitForQuiet(base: string, quietMs: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const health = await getJson<HealthResponse>(`${base}/api/health`);
    const received = health.counts.spans + health.counts.rejectedSpans + health.counts.lateSpans;
    if (received !== last) {
      last = received;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** One line: what the run sent and where to look at it. */
export function formatRunLine(totals: RunTotals, url: string): string {
  const parts = [plural(totals.spans, "span"), `${count(totals.failing)} failing`];
  if (totals.llm !== undefined) {
    const { calls, usd, unpriced } = totals.llm;
    const priced = calls - unpriced;
    const cost = priced > 0 ? ` ≈ $${usd < 0.01 ? usd.toPrecision(2) : usd.toFixed(2)}` : "";
    parts.push(`${plural(calls, "LLM call")}${cost}${unpriced > 0 ? ` (${unpriced} without a price)` : ""}`);
  }
  return `tracekit-local: this run sent ${plural(totals.traces, "trace")} (${parts.join(", ")}) · ${url}`;
}
