/**
 * What the service map and the LLM page read, kept up to date span by span so they answer from sums
 * per minute of compact data at any store size: `ServiceTraffic` (calls between services and to peers)
 * and `LlmIndex` (every GenAI call). A store feeds them every span it accepts and every trace it
 * evicts from its first insert on; a store opened on a file that already holds spans reads those
 * into them in the background (see sqlite-views-build.ts) and says how far it got in `building`.
 *
 * An index folds the spans it was given into its minutes when it is read (minute-rows.ts). After a
 * burst (an import, a test run, a file reopened) that is every span at once, and the first look at
 * the map or the LLM page waited for it. So once spans stop coming for WARM_AFTER_MS, the views do
 * that work ahead in slices of WARM_SLICE_MS, each followed by a turn of the event loop, and give up
 * at the first slice that finds new spans (they wait for the next quiet spell). Under steady ingest
 * nothing runs ahead: reads fold what arrived since the last read, as before.
 */
import type { PriceTable } from "../domain/llm-cost.js";
import { LlmIndex, type LlmQuery, type LlmUsage } from "../domain/llm-index.js";
import { calledPeerOf } from "../domain/service-map.js";
import { ServiceTraffic, type TrafficTally, type TrafficWindow } from "../domain/service-traffic.js";
import type { Span } from "../domain/span.js";
import type { ViewsBuilding } from "./store.js";

export interface SpanViews {
  /**
   * A span the store just accepted (never one it already had); `nowMs`, the clock read once for the
   * whole insert, spares a read per span (default: read now); `startNs` and `durationNs`, the span's
   * start and durationNanos as numbers, spare converting them again (default: converted here).
   */
  add(span: Span, nowMs?: number, startNs?: number, durationNs?: number): void;
  evict(traceId: string): void;
  /** Forgets everything (the store was cleared or is read again from its file). */
  reset(): void;
  serviceTraffic(window: TrafficWindow): TrafficTally;
  llmUsage(query: LlmQuery, prices: PriceTable): LlmUsage;
  /** While stored spans are still being read in: how far it got; null once every stored span is in. */
  building: ViewsBuilding | null;
  /** Whether a read would find every span folded into its minute (nothing left to do ahead). */
  readonly warm: boolean;
  /** Stops the work ahead (the store closes). */
  close(): void;
}

export interface SpanViewsOptions {
  /** Quiet time after the last span before the work ahead starts (ms). */
  warmAfterMs?: number;
}

/** Quiet time before the work ahead starts (ms): longer than the gaps inside one burst of requests. */
const WARM_AFTER_MS = 250;
/** Longest a slice of the work ahead keeps the event loop (ms). */
const WARM_SLICE_MS = 8;

export function createSpanViews(options: SpanViewsOptions = {}): SpanViews {
  const warmAfterMs = options.warmAfterMs ?? WARM_AFTER_MS;
  let traffic = new ServiceTraffic(calledPeerOf);
  let llm = new LlmIndex();
  /** Spans added and traces evicted so far: the work ahead waits until this stops moving. */
  let changes = 0;
  let timer: NodeJS.Timeout | null = null;
  let slice: NodeJS.Immediate | null = null;
  let closed = false;

  function stop(): void {
    if (timer !== null) clearTimeout(timer);
    if (slice !== null) clearImmediate(slice);
    timer = null;
    slice = null;
  }

  /** Waits for a quiet spell: `warmAfterMs` without a change. */
  function waitForQuiet(): void {
    const seen = changes;
    timer = setTimeout(() => {
      timer = null;
      if (changes !== seen) waitForQuiet();
      else warmSlice(seen);
    }, warmAfterMs);
    timer.unref();
  }

  function warmSlice(seen: number): void {
    slice = null;
    if (changes !== seen) {
      waitForQuiet();
      return;
    }
    const deadline = performance.now() + WARM_SLICE_MS;
    if (traffic.warm(deadline) && llm.warm(deadline)) return;
    slice = setImmediate(warmSlice, seen);
    slice.unref();
  }

  function changed(): void {
    changes++;
    if (timer === null && slice === null && !closed) waitForQuiet();
  }

  return {
    add(span, nowMs, startNs, durationNs) {
      traffic.add(span, nowMs, startNs, durationNs);
      llm.add(span);
      changed();
    },
    evict(traceId) {
      traffic.evict(traceId);
      llm.evict(traceId);
      changed();
    },
    reset() {
      stop();
      traffic = new ServiceTraffic(calledPeerOf);
      llm = new LlmIndex();
      this.building = null;
    },
    serviceTraffic: (window) => traffic.tally(window),
    llmUsage: (query, prices) => llm.usage(query, prices),
    building: null,
    get warm() {
      return traffic.upToDate && llm.upToDate;
    },
    close() {
      closed = true;
      stop();
    },
  };
}
