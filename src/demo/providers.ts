import type { Tracer } from "@opentelemetry/api";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from "@opentelemetry/sdk-logs";
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  DEMO_SERVICE_NAMES,
  DEMO_SERVICES,
  type DemoService,
  INSTRUMENTATION_SCOPES,
  type Instrumentation,
} from "./services.js";
import { DemoSignalsProcessor } from "./span-signals.js";

/** What scenarios need: a tracer for a service and the library that would instrument the call. */
export interface DemoTracers {
  tracer(service: DemoService, instrumentation: Instrumentation): Tracer;
}

export interface DeliveryTotals {
  /** Spans the exporters delivered. */
  spans: number;
  /** Spans an export gave up on. */
  failedSpans: number;
  /** Services with spans delivered (a short run does not reach every service). */
  services: number;
}

export interface DemoProviders extends DemoTracers {
  delivered(): DeliveryTotals;
  /** Exports everything still queued in every provider, then shuts them all down. */
  close(): Promise<void>;
}

export interface DemoProviderOptions {
  /** One exporter per service (each provider owns and shuts down its own). */
  createExporter(service: DemoService): SpanExporter;
  onExportError?(error: Error): void;
  /** How often queued spans are exported; short, so traces show up while the demo runs. */
  scheduledDelayMillis?: number;
  /** Logs and metrics beside the spans (see DemoSignalsProcessor); without them, spans only. */
  signals?: {
    createLogExporter(service: DemoService): LogRecordExporter;
    createMetricExporter(service: DemoService): PushMetricExporter;
    /** How often metrics are exported (default 2 s). */
    metricIntervalMillis?: number;
  };
}

/** Counts what its exporter delivered and what it gave up on. */
class CountingExporter implements SpanExporter {
  private delivered = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly totals: DeliveryTotals,
    private readonly onError: (error: Error) => void,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) {
        this.totals.spans += spans.length;
        if (!this.delivered && spans.length > 0) {
          this.delivered = true;
          this.totals.services++;
        }
      } else {
        this.totals.failedSpans += spans.length;
        this.onError(result.error ?? new Error("export failed"));
      }
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** One tracer provider per simulated service, each with that service's own resource. */
export function createDemoProviders(options: DemoProviderOptions): DemoProviders {
  const totals: DeliveryTotals = { spans: 0, failedSpans: 0, services: 0 };
  const onError = options.onExportError ?? (() => {});
  const providers = new Map<DemoService, BasicTracerProvider>();
  const loggerProviders: LoggerProvider[] = [];
  const meterProviders: MeterProvider[] = [];
  for (const service of DEMO_SERVICE_NAMES) {
    const exporter = new CountingExporter(options.createExporter(service), totals, onError);
    // defaultResource carries telemetry.sdk.*; a provider given only its own attributes would not.
    const resource = defaultResource().merge(
      resourceFromAttributes({
        "service.name": service,
        "service.version": DEMO_SERVICES[service],
        "deployment.environment.name": "development",
      }),
    );
    const signalProcessors: SpanProcessor[] = [];
    if (options.signals !== undefined) {
      const loggerProvider = new LoggerProvider({
        resource,
        processors: [
          new BatchLogRecordProcessor({
            exporter: options.signals.createLogExporter(service),
            scheduledDelayMillis: options.scheduledDelayMillis ?? 200,
            maxQueueSize: 16_384,
            maxExportBatchSize: 1_000,
          }),
        ],
      });
      const meterProvider = new MeterProvider({
        resource,
        readers: [
          new PeriodicExportingMetricReader({
            exporter: options.signals.createMetricExporter(service),
            exportIntervalMillis: options.signals.metricIntervalMillis ?? 2_000,
          }),
        ],
      });
      loggerProviders.push(loggerProvider);
      meterProviders.push(meterProvider);
      signalProcessors.push(
        new DemoSignalsProcessor(
          loggerProvider.getLogger(service, DEMO_SERVICES[service]),
          meterProvider.getMeter(service, DEMO_SERVICES[service]),
        ),
      );
    }
    providers.set(
      service,
      new BasicTracerProvider({
        resource,
        // Explicit, so an OTEL_TRACES_SAMPLER meant for the user's own app cannot thin the demo out.
        sampler: new AlwaysOnSampler(),
        spanProcessors: [
          new BatchSpanProcessor(exporter, {
            scheduledDelayMillis: options.scheduledDelayMillis ?? 200,
            // A batch-job trace is a few hundred spans at once; never drop it at a high --rate.
            maxQueueSize: 16_384,
            maxExportBatchSize: 1_000,
          }),
          ...signalProcessors,
        ],
      }),
    );
  }

  return {
    tracer(service, instrumentation) {
      const provider = providers.get(service);
      if (provider === undefined) throw new Error(`unknown demo service ${service}`);
      return instrumentation === "app"
        ? provider.getTracer(service, DEMO_SERVICES[service])
        : provider.getTracer(INSTRUMENTATION_SCOPES[instrumentation]);
    },
    delivered: () => ({ ...totals }),
    async close() {
      const all = [...providers.values()];
      // A failed export rejects the flush; it is already counted in failedSpans, and every other
      // provider must still get its turn to flush and shut down.
      await Promise.allSettled(all.map((provider) => provider.forceFlush()));
      await Promise.allSettled(all.map((provider) => provider.shutdown()));
      // Span processors wrote their logs and recorded their metrics as spans ended; send those last.
      const signals = [...loggerProviders, ...meterProviders];
      await Promise.allSettled(signals.map((provider) => provider.forceFlush()));
      await Promise.allSettled(signals.map((provider) => provider.shutdown()));
    },
  };
}
