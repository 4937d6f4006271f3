import { tagRuns } from "../../domain/run-path.js";
import type { MetricIngest } from "../../ingest/metrics.js";
import { OTLP_GRPC_SERVICES } from "../../otlp/grpc-services.js";
import { decodeMetricsRequestJson, metricsRequestJsonSteps } from "../../otlp/json/metrics.js";
import { type ExportsInFlight, mapSteps, storeInSlices, type WorkTurns } from "../../otlp/limits.js";
import type { MetricDecodeResult } from "../../otlp/metrics.js";
import { decodeMetricsRequestProtobuf, metricsRequestSteps } from "../../otlp/protobuf/metrics.js";
import { MAX_REPORTED_ERRORS } from "../../otlp/traces.js";
import type { DecodedExport, OtlpSignal } from "./otlp.js";

/**
 * The metrics signal: data points go to `metricIngest.metrics`. Points the store refuses (their
 * metric is stored as another kind, or they start a series past --max-metric-series) join the
 * decoder's rejections in the partial success.
 */
export function metricSignal(deps: {
  metricIngest: MetricIngest;
  workTurns?: WorkTurns;
  exports?: ExportsInFlight;
}): OtlpSignal {
  const decoded = (result: MetricDecodeResult): DecodedExport => {
    let rejected = result.rejectedDataPoints;
    let duplicates = 0;
    const errors = result.errors;
    return {
      get rejected() {
        return rejected;
      },
      errors,
      get duplicates() {
        return duplicates;
      },
      addRunIds: (runOf) => tagRuns(result.metrics, runOf),
      async accept() {
        const mark = deps.metricIngest.commitMark();
        await storeInSlices(
          result.metrics,
          (metrics) => {
            const stored = deps.metricIngest.metrics(metrics);
            rejected += stored.rejected + stored.droppedPoints;
            duplicates += stored.duplicates;
            for (const error of stored.errors) {
              if (errors.length < MAX_REPORTED_ERRORS && !errors.includes(error)) errors.push(error);
            }
          },
          { turns: deps.workTurns, stop: deps.exports?.signal },
        );
        // With a store file, what was accepted is in it before the 200 (requests that complete
        // together share the commit).
        await deps.metricIngest.committed(mark);
      },
    };
  };
  return {
    path: "/v1/metrics",
    grpcService: OTLP_GRPC_SERVICES.metrics,
    requestName: "ExportMetricsServiceRequest",
    rejectedField: "rejectedDataPoints",
    items: "data point(s)",
    decodeProtobuf: (body) => decoded(decodeMetricsRequestProtobuf(body)),
    decodeJson: (value) => decoded(decodeMetricsRequestJson(value)),
    decodeProtobufSteps: (body) => mapSteps(metricsRequestSteps(body), decoded),
    decodeJsonSteps: (body) => mapSteps(metricsRequestJsonSteps(body), decoded),
  };
}
