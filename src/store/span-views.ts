/**
 * What the service map and the LLM page read, kept up to date span by span so they answer from sums
 * per minute of compact data at any store size: `ServiceTraffic` (calls between services and to peers)
 * and `LlmIndex` (every GenAI call). A store feeds them every span it accepts and every trace it
 * evicts from its first insert on; a store opened on a file that already holds spans reads those
 * into them in the background (see sqlite-views-build.ts) and says how far it got in `building`.
 */
import type { PriceTable } from "../domain/llm-cost.js";
import { LlmIndex, type LlmQuery, type LlmUsage } from "../domain/llm-index.js";
import { peerOf } from "../domain/service-map.js";
import { ServiceTraffic, type TrafficTally, type TrafficWindow } from "../domain/service-traffic.js";
import type { Span } from "../domain/span.js";
import type { ViewsBuilding } from "./store.js";

export interface SpanViews {
  /**
   * A span the store just accepted (never one it already had); `nowMs`, the clock read once for the
   * whole insert, spares a read per span (default: read now).
   */
  add(span: Span, nowMs?: number): void;
  evict(traceId: string): void;
  /** Forgets everything (the store was cleared or is read again from its file). */
  reset(): void;
  serviceTraffic(window: TrafficWindow): TrafficTally;
  llmUsage(query: LlmQuery, prices: PriceTable): LlmUsage;
  /** While stored spans are still being read in: how far it got; null once every stored span is in. */
  building: ViewsBuilding | null;
}

export function createSpanViews(): SpanViews {
  let traffic = new ServiceTraffic(peerOf);
  let llm = new LlmIndex();
  return {
    add(span, nowMs) {
      traffic.add(span, nowMs);
      llm.add(span);
    },
    evict(traceId) {
      traffic.evict(traceId);
      llm.evict(traceId);
    },
    reset() {
      traffic = new ServiceTraffic(peerOf);
      llm = new LlmIndex();
      this.building = null;
    },
    serviceTraffic: (window) => traffic.tally(window),
    llmUsage: (query, prices) => llm.usage(query, prices),
    building: null,
  };
}
