import type { Meter } from "@opentelemetry/api";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";

export interface SdkMeter {
  meter: Meter;
  /** Exports what was recorded so far (OTLP/protobuf, cumulative, as the SDK does by default). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The real OpenTelemetry metrics SDK with its OTLP/protobuf exporter, pointed at `baseUrl`. The periodic
 * reader's interval is long: tests export when they choose, through `flush`. `exporter` replaces the
 * OTLP/protobuf one (e.g. the gRPC exporter).
 */
export function sdkMeter(baseUrl: string, service: string, exporter?: PushMetricExporter): SdkMeter {
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    readers: [
      new PeriodicExportingMetricReader({
        exporter: exporter ?? new OTLPMetricExporter({ url: `${baseUrl}/v1/metrics` }),
        exportIntervalMillis: 600_000,
      }),
    ],
  });
  return {
    meter: provider.getMeter("metrics-e2e"),
    // The SDK's clock has millisecond steps: recorded and exported within one millisecond, a first cumulative
    // point's start equals its time, which says nothing of when its values came. Apps never export that fast.
    flush: async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await provider.forceFlush();
    },
    shutdown: () => provider.shutdown(),
  };
}
