import type { ReceivedMetric } from "../domain/metric.js";
import type { LiveHub } from "../live/hub.js";
import type { LiveMessage } from "../protocol.js";
import { emptyMetricInsertResult, type MetricInsertResult, type MetricStore } from "../store/metric-store.js";

export interface MetricIngest {
  metrics(received: readonly ReceivedMetric[]): MetricInsertResult;
  /**
   * Resolves once every point accepted so far is in the store's file (at once without one): a 200 then
   * means it is on disk. See Ingest.committed.
   */
  committed(mark?: number): Promise<void>;
  commitMark(): number | undefined;
}

const NOTHING: MetricInsertResult = Object.freeze(emptyMetricInsertResult());

/** Each name once, in the order they first changed since the last tick. */
function metricsMessage(names: string[]): LiveMessage {
  return { type: "metrics", names: [...new Set(names)] };
}

/** The receiver writes metrics through this; it does not own the store or the hub. */
export function createMetricIngest(store: MetricStore, hub: LiveHub): MetricIngest {
  return {
    metrics(received) {
      if (received.length === 0) return NOTHING;
      const result = store.insert(received);
      hub.publishItems("metrics", result.changedNames, metricsMessage);
      return result;
    },
    committed(mark) {
      return store.committed?.(mark) ?? Promise.resolve();
    },
    commitMark: () => store.commitMark?.(),
  };
}
