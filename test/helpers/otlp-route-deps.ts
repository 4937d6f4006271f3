import { createIngest } from "../../src/ingest/ingest.js";
import type { LogIngest } from "../../src/ingest/logs.js";
import type { MetricIngest } from "../../src/ingest/metrics.js";
import { createRejectionLog } from "../../src/ingest/rejections.js";
import { createLiveHub } from "../../src/live/hub.js";
import type { OtlpRouteDeps } from "../../src/server/routes/otlp.js";
import { createHostPolicy } from "../../src/server/security.js";
import type { Store } from "../../src/store/store.js";

/**
 * The OTLP receiver's dependencies for traces into `store` (logs and metrics are never reached): a
 * local host policy, a hub nobody listens to, and `extra` (forwarding, turns, exports in flight).
 */
export function traceRouteDeps(store: Store, maxBodyBytes: number, extra: Partial<OtlpRouteDeps> = {}): OtlpRouteDeps {
  const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [] });
  return {
    ingest: createIngest(store, hub),
    logIngest: {} as LogIngest,
    metricIngest: {} as MetricIngest,
    hostPolicy: createHostPolicy("127.0.0.1"),
    maxBodyBytes,
    rejections: createRejectionLog(hub),
    ...extra,
  };
}
