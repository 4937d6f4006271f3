import { Prose } from "../../components/Prose";
import { CodeBlock } from "../onboarding/Onboarding";
import { TRACEKIT_ENDPOINT_NOTE } from "../onboarding/setup-snippets";

/** The OpenTelemetry variables that send an app's metrics here, every 5 s. */
export function otelMetricsSetup(origin: string): string {
  return [
    `export OTEL_EXPORTER_OTLP_ENDPOINT=${origin}`,
    "export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
    "export OTEL_METRICS_EXPORTER=otlp",
    "export OTEL_METRIC_EXPORT_INTERVAL=5000",
  ].join("\n");
}

/** No metric has arrived: how to send some, with this instance's address. */
export function MetricsEmpty() {
  const origin = location.origin;
  return (
    <div class="page-message metrics-empty" data-testid="metrics-empty">
      <h2>No metrics yet</h2>
      <p>
        tracekit-local receives OpenTelemetry metrics at <code>{origin}/v1/metrics</code> (http/protobuf or http/json).
        Turn on your SDK's metrics exporter and point it here:
      </p>
      <CodeBlock code={otelMetricsSetup(origin)} />
      <p>
        SDKs export metrics every 60 s unless <code>OTEL_METRIC_EXPORT_INTERVAL</code> (milliseconds) says otherwise, so
        the first points can take a minute without it. A metrics exporter set up in code takes the same endpoint with{" "}
        <code>/v1/metrics</code> appended.
      </p>
      <p>
        <strong>TraceKit SDKs</strong> send their counters, gauges and histograms here when this server is their
        backend: run the app with
      </p>
      <CodeBlock code={`TRACEKIT_ENDPOINT=${origin}`} />
      <p class="muted" data-testid="metrics-tracekit-endpoint">
        <Prose text={TRACEKIT_ENDPOINT_NOTE} /> <a href="/setup?tab=tracekit-node">Set up</a> shows the whole call. The
        SDKs look for the local UI only at <code>http://localhost:9999</code>; given this server as their endpoint, they
        send everything here on any port.
      </p>
    </div>
  );
}
