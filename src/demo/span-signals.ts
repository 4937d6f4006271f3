import type { Counter, Histogram, Meter } from "@opentelemetry/api";
import {
  type Attributes,
  type AttributeValue,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { type Logger, SeverityNumber } from "@opentelemetry/api-logs";
import { hrTimeToMilliseconds } from "@opentelemetry/core";
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";

/**
 * What an instrumented service sends beside its spans: an access log line per request it served,
 * an error log per exception, the semantic-convention duration and token histograms, and the
 * messaging counters of the queue's producer and consumer. The demo
 * lays its traces out without running them, so these are derived from each span as it ends, with
 * the span's own times and context (every log links to its span).
 */
export class DemoSignalsProcessor implements SpanProcessor {
  private readonly serverDuration: Histogram;
  private readonly clientDuration: Histogram;
  private readonly dbDuration: Histogram;
  private readonly llmDuration: Histogram;
  private readonly llmTokens: Histogram;
  private readonly messagesSent: Counter;
  private readonly messagesConsumed: Counter;

  constructor(
    private readonly logger: Logger,
    meter: Meter,
  ) {
    const seconds = { unit: "s", advice: { explicitBucketBoundaries: DURATION_BUCKETS } };
    this.serverDuration = meter.createHistogram("http.server.request.duration", {
      ...seconds,
      description: "Duration of HTTP server requests.",
    });
    this.clientDuration = meter.createHistogram("http.client.request.duration", {
      ...seconds,
      description: "Duration of HTTP client requests.",
    });
    this.dbDuration = meter.createHistogram("db.client.operation.duration", {
      ...seconds,
      description: "Duration of database client operations.",
    });
    this.llmDuration = meter.createHistogram("gen_ai.client.operation.duration", {
      ...seconds,
      description: "GenAI operation duration.",
    });
    this.llmTokens = meter.createHistogram("gen_ai.client.token.usage", {
      unit: "{token}",
      description: "Number of input and output tokens used.",
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    });
    this.messagesSent = meter.createCounter("messaging.client.sent.messages", {
      unit: "{message}",
      description: "Number of messages producer attempted to send to the broker.",
    });
    this.messagesConsumed = meter.createCounter("messaging.client.consumed.messages", {
      unit: "{message}",
      description: "Number of messages that were delivered to the application.",
    });
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    const attributes = span.attributes;
    const seconds = hrTimeToMilliseconds(span.duration) / 1000;
    const context = trace.setSpanContext(ROOT_CONTEXT, span.spanContext());
    // A demo trace is laid out ahead of the clock: each record is observed when it happens, not when
    // the span processor sees the trace (which would date the observation before the record).
    const endMs = hrTimeToMilliseconds(span.endTime);
    for (const event of span.events) {
      if (event.name !== "exception") continue;
      const type = String(event.attributes?.["exception.type"] ?? "Error");
      const message = String(event.attributes?.["exception.message"] ?? "");
      const at = hrTimeToMilliseconds(event.time);
      this.logger.emit({
        timestamp: at,
        observedTimestamp: at,
        context,
        severityNumber: SeverityNumber.ERROR,
        severityText: "ERROR",
        body: `${span.name} failed: ${type}: ${message}`,
        attributes: {
          "exception.type": type,
          "exception.message": message,
          ...pick(event.attributes ?? {}, ["exception.stacktrace"]),
        },
      });
    }
    const method = attributes["http.request.method"];
    if (span.kind === SpanKind.SERVER && method !== undefined) {
      const status = Number(attributes["http.response.status_code"] ?? 0);
      this.serverDuration.record(seconds, pick(attributes, SERVER_KEYS));
      this.logger.emit({
        timestamp: endMs,
        observedTimestamp: endMs,
        context,
        ...(status >= 500 ? ERROR : status >= 400 ? WARN : INFO),
        body: `${method} ${String(attributes["url.path"] ?? attributes["http.route"] ?? "")} ${status} in ${Math.round(seconds * 1000)} ms`,
        attributes: { ...pick(attributes, ACCESS_LOG_KEYS), "event.domain": "http" },
      });
    } else if (span.kind === SpanKind.CLIENT && method !== undefined) {
      this.clientDuration.record(seconds, pick(attributes, CLIENT_KEYS));
    } else if (attributes["db.system.name"] !== undefined || attributes["db.system"] !== undefined) {
      this.dbDuration.record(seconds, pick(attributes, DB_KEYS));
      if (seconds > 0.25) {
        this.logger.emit({
          timestamp: endMs,
          observedTimestamp: endMs,
          context,
          ...WARN,
          body: `slow query (${Math.round(seconds * 1000)} ms): ${String(attributes["db.query.text"] ?? span.name)}`,
          attributes: pick(attributes, DB_KEYS),
        });
      }
    }
    if (attributes["messaging.system"] !== undefined) {
      const messaging = pick(attributes, MESSAGING_KEYS);
      if (span.kind === SpanKind.PRODUCER) this.messagesSent.add(1, messaging);
      else if (span.kind === SpanKind.CONSUMER) this.messagesConsumed.add(1, messaging);
    }
    if (attributes["gen_ai.operation.name"] !== undefined) {
      const llm = pick(attributes, LLM_KEYS);
      this.llmDuration.record(seconds, llm);
      for (const [key, type] of TOKEN_KINDS) {
        const tokens = attributes[key];
        if (typeof tokens === "number") this.llmTokens.record(tokens, { ...llm, "gen_ai.token.type": type });
      }
      if (span.status.code !== SpanStatusCode.ERROR) {
        this.logger.emit({
          timestamp: endMs,
          observedTimestamp: endMs,
          context,
          ...INFO,
          body: `${String(attributes["gen_ai.operation.name"])} ${String(attributes["gen_ai.request.model"] ?? "")} answered in ${Math.round(seconds * 1000)} ms`,
          attributes: pick(attributes, [...LLM_KEYS, "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens"]),
        });
      }
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const INFO = { severityNumber: SeverityNumber.INFO, severityText: "INFO" };
const WARN = { severityNumber: SeverityNumber.WARN, severityText: "WARN" };
const ERROR = { severityNumber: SeverityNumber.ERROR, severityText: "ERROR" };

/** Semantic conventions' advice for HTTP and DB durations, in seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144];

const SERVER_KEYS = ["http.request.method", "http.route", "http.response.status_code", "url.scheme", "error.type"];
const ACCESS_LOG_KEYS = [
  "http.request.method",
  "http.route",
  "url.path",
  "http.response.status_code",
  "client.address",
];
const CLIENT_KEYS = ["http.request.method", "server.address", "server.port", "http.response.status_code", "error.type"];
const DB_KEYS = ["db.system.name", "db.system", "db.operation.name", "db.collection.name", "db.namespace"];
const MESSAGING_KEYS = ["messaging.system", "messaging.destination.name", "messaging.operation.name", "error.type"];
const LLM_KEYS = ["gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.response.model"];
const TOKEN_KINDS = [
  ["gen_ai.usage.input_tokens", "input"],
  ["gen_ai.usage.output_tokens", "output"],
] as const;

function pick(attributes: Attributes, keys: readonly string[]): Attributes {
  const out: Record<string, AttributeValue> = {};
  for (const key of keys) {
    const value = attributes[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
