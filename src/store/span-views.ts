/**
 * What the service map and the LLM page read, kept up to date span by span so they answer in one
 * pass over compact data at any store size: `ServiceTraffic` (calls between services and to peers)
 * and `LlmIndex` (every GenAI call). Both are built from the stored spans the first time one is
 * asked for (nothing is spent on ingest until a page needs them), then fed every inserted span and
 * every evicted trace. A store resets them when its contents are replaced (clear, a reload).
 */
import type { PriceTable } from "../domain/llm-cost.js";
import { LlmIndex, type LlmQuery, type LlmUsage } from "../domain/llm-index.js";
import { peerOf } from "../domain/service-map.js";
import { ServiceTraffic, type TrafficTally, type TrafficWindow } from "../domain/service-traffic.js";
import type { Span } from "../domain/span.js";

export interface SpanViews {
  /** A span the store just accepted (never one it already had). */
  add(span: Span): void;
  evict(traceId: string): void;
  /** Forgets everything; the next read builds again from the store. */
  reset(): void;
  serviceTraffic(window: TrafficWindow): TrafficTally;
  llmUsage(query: LlmQuery, prices: PriceTable): LlmUsage;
}

/** `storedSpans` yields every stored span, a trace's spans together; called on the first read. */
export function createSpanViews(storedSpans: () => Iterable<Span>): SpanViews {
  let views: { traffic: ServiceTraffic; llm: LlmIndex } | null = null;

  function built(): { traffic: ServiceTraffic; llm: LlmIndex } {
    if (views === null) {
      const traffic = new ServiceTraffic(peerOf);
      const llm = new LlmIndex();
      for (const span of storedSpans()) {
        traffic.add(span);
        llm.add(span);
      }
      views = { traffic, llm };
    }
    return views;
  }

  return {
    add(span) {
      if (views === null) return;
      views.traffic.add(span);
      views.llm.add(span);
    },
    evict(traceId) {
      if (views === null) return;
      views.traffic.evict(traceId);
      views.llm.evict(traceId);
    },
    reset() {
      views = null;
    },
    serviceTraffic: (window) => built().traffic.tally(window),
    llmUsage: (query, prices) => built().llm.usage(query, prices),
  };
}
