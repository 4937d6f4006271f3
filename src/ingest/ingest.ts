import type { Span } from "../domain/span.js";
import type { LiveHub } from "../live/hub.js";
import type { InsertResult, Store } from "../store/store.js";

export interface IngestEvents {
  /** The first span from a service this server has not seen since it started (or was cleared). */
  newService?(service: string): void;
}

export interface Ingest {
  spans(spans: readonly Span[]): InsertResult;
  /** Forgets which services were seen, after the store was cleared. */
  reset(): void;
}

/** The receiver writes through this; it does not own the store or the hub. */
export function createIngest(store: Store, hub: LiveHub, events: IngestEvents = {}): Ingest {
  const seenServices = new Set<string>();
  return {
    spans(spans) {
      if (spans.length === 0) return { inserted: 0, changedTraceIds: [] };
      if (events.newService !== undefined) {
        for (const span of spans) {
          if (!seenServices.has(span.service)) {
            seenServices.add(span.service);
            events.newService(span.service);
          }
        }
      }
      const result = store.insertSpans(spans);
      hub.tracesChanged(result.changedTraceIds);
      return result;
    },
    reset() {
      seenServices.clear();
    },
  };
}
