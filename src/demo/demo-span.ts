import {
  type Attributes,
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

/** An exception as an instrumented app would record it. */
export interface DemoException {
  type: string;
  message: string;
  stacktrace: string;
}

export interface DemoSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
}

const propagator = new W3CTraceContextPropagator();

/**
 * A span whose times are given, not measured: the demo lays a whole trace out at once instead of
 * sleeping through it. Times are epoch milliseconds (fractions allowed).
 */
export class DemoSpan {
  private constructor(
    readonly span: Span,
    readonly start: number,
    /** Carries this span, so spans started with it become its children. */
    readonly context: Context,
  ) {}

  /** The first span of a new trace. */
  static root(tracer: Tracer, name: string, at: number, options: DemoSpanOptions = {}): DemoSpan {
    return DemoSpan.startIn(tracer, name, at, options, ROOT_CONTEXT);
  }

  private static startIn(
    tracer: Tracer,
    name: string,
    at: number,
    options: DemoSpanOptions,
    parent: Context,
  ): DemoSpan {
    const span = tracer.startSpan(
      name,
      { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links, startTime: at },
      parent,
    );
    return new DemoSpan(span, at, trace.setSpan(parent, span));
  }

  get spanContext(): SpanContext {
    return this.span.spanContext();
  }

  /** A child in the same process. */
  child(tracer: Tracer, name: string, at: number, options: DemoSpanOptions = {}): DemoSpan {
    return DemoSpan.startIn(tracer, name, at, options, this.context);
  }

  /**
   * The span another service starts for this CLIENT or PRODUCER span: the context crosses as
   * `traceparent` headers, the way it does over HTTP or in message headers.
   */
  remote(tracer: Tracer, name: string, at: number, options: DemoSpanOptions = {}): DemoSpan {
    const headers: Record<string, string> = {};
    propagator.inject(this.context, headers, defaultTextMapSetter);
    const extracted = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    return DemoSpan.startIn(tracer, name, at, options, extracted);
  }

  set(attributes: Attributes): this {
    this.span.setAttributes(attributes);
    return this;
  }

  event(name: string, at: number, attributes?: Attributes): this {
    this.span.addEvent(name, attributes, at);
    return this;
  }

  /** Marks the span failed, with the exception event an instrumentation records. */
  fail(at: number, exception: DemoException, statusMessage = exception.message): this {
    this.span.recordException({ name: exception.type, message: exception.message, stack: exception.stacktrace }, at);
    this.span.setAttribute("error.type", exception.type);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: statusMessage });
    return this;
  }

  /** An error status without an exception (e.g. an HTTP client that got a 5xx answer). */
  failStatus(errorType: string, message: string): this {
    this.span.setAttribute("error.type", errorType);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message });
    return this;
  }

  /** Ends the span at `at` and returns `at`, so callers can chain timelines. */
  end(at: number): number {
    this.span.end(at);
    return at;
  }
}
