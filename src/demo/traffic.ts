import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { createDemoCodeMonitoring } from "./code-monitoring.js";
import { createDemoProviders } from "./providers.js";
import { createRandom, type RandomSource } from "./random.js";
import { createRecentSpans, createScenarioPicker } from "./scenarios.js";
import type { DemoService } from "./services.js";

export interface DemoTrafficOptions {
  /** Base URL of a running tracekit-local, e.g. http://localhost:9999 (no trailing slash). */
  url: string;
  /** How long to generate traffic; 0 means until `signal` aborts. */
  durationMs: number;
  /** Traces per second, on average. */
  rate: number;
  /** Stops generating; what was generated is still delivered before the promise resolves. */
  signal?: AbortSignal;
  /** Called after each generated trace. */
  onProgress?(totals: DemoTotals): void;
  onExportError?(error: Error): void;
  random?: RandomSource;
  now?: () => number;
  /** Replaces the OTLP/HTTP exporters (tests). */
  createExporter?: (service: DemoService) => SpanExporter;
  /** Sends each service's logs and metrics too (default true; the OTLP/HTTP exporters). */
  signals?: boolean;
  /**
   * Plays checkout-api's TraceKit SDK with code monitoring on (default true): registers its
   * "checkout" breakpoint and, once it is enabled on the Snapshots page, sends captures.
   */
  codeMonitoring?: boolean;
}

export interface DemoTotals {
  traces: number;
  /** Spans the server accepted (so far, during the run). */
  spans: number;
  /** Spans that could not be delivered. */
  failedSpans: number;
  services: number;
  elapsedMs: number;
}

/** Long enough for a slow local machine, short enough that a dead server does not hold up Ctrl+C for long. */
const EXPORT_TIMEOUT_MS = 5_000;
/** The loop wakes at least this often, so an abort is noticed quickly even at a low rate. */
const MAX_SLEEP_MS = 100;

/**
 * Sends demo traces through the OpenTelemetry SDK to `url` until the duration passes or `signal`
 * aborts, then flushes and shuts every provider down. Trace start times arrive like live traffic
 * (a Poisson process at `rate`), and each trace is laid out from its start: durations come from the
 * given timestamps, not from waiting.
 */
export async function runDemoTraffic(options: DemoTrafficOptions): Promise<DemoTotals> {
  const now = options.now ?? Date.now;
  const random = createRandom(options.random);
  const providers = createDemoProviders({
    createExporter:
      options.createExporter ??
      (() => new OTLPTraceExporter({ url: `${options.url}/v1/traces`, timeoutMillis: EXPORT_TIMEOUT_MS })),
    onExportError: options.onExportError,
    ...(options.signals === false
      ? {}
      : {
          signals: {
            createLogExporter: () =>
              new OTLPLogExporter({ url: `${options.url}/v1/logs`, timeoutMillis: EXPORT_TIMEOUT_MS }),
            createMetricExporter: () =>
              new OTLPMetricExporter({ url: `${options.url}/v1/metrics`, timeoutMillis: EXPORT_TIMEOUT_MS }),
          },
        }),
  });
  const snapshots =
    options.codeMonitoring === false
      ? undefined
      : createDemoCodeMonitoring({ url: options.url, onError: options.onExportError });
  await snapshots?.start();
  const nextScenario = createScenarioPicker(random);
  const recent = createRecentSpans();
  const startedAt = now();
  const endsAt = options.durationMs > 0 ? startedAt + options.durationMs : Number.POSITIVE_INFINITY;
  let traces = 0;
  const totals = (): DemoTotals => ({
    traces,
    ...providers.delivered(),
    elapsedMs: now() - startedAt,
  });

  let nextAt = startedAt;
  try {
    // Runs for the whole duration: the next arrival may fall after its end, with none before.
    while (!options.signal?.aborted && now() < endsAt) {
      while (nextAt <= now() && nextAt < endsAt && !options.signal?.aborted) {
        nextScenario().run({ tracers: providers, random, at: nextAt, recent, snapshots });
        traces++;
        options.onProgress?.(totals());
        nextAt += secondsUntilNextTrace(random.between(0, 1), options.rate) * 1000;
      }
      await sleep(Math.min(Math.max(Math.min(nextAt, endsAt) - now(), 0), MAX_SLEEP_MS), options.signal);
    }
  } finally {
    await snapshots?.close();
    await providers.close();
  }
  return totals();
}

/** Exponential gaps: arrivals of independent users, averaging `rate` per second. */
function secondsUntilNextTrace(uniform: number, rate: number): number {
  return -Math.log(1 - uniform) / rate;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
