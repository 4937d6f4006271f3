import type { Attributes, InstrumentationScope, Span } from "../../src/domain/span.js";
import type { Store, TraceQuery } from "../../src/store/store.js";

/** 32-hex trace id / 16-hex span id from a small number, so tests read as "trace 3, span 2". */
export function traceId(n: number): string {
  return n.toString(16).padStart(32, "0");
}

export function spanId(n: number): string {
  return n.toString(16).padStart(16, "0");
}

const RESOURCES = new Map<string, Attributes>();

/** One shared resource object per service, as a decoded OTLP batch would have. */
export function resourceFor(service: string): Attributes {
  let resource = RESOURCES.get(service);
  if (resource === undefined) {
    resource = { "service.name": service };
    RESOURCES.set(service, resource);
  }
  return resource;
}

const SCOPE: InstrumentationScope = { name: "test", version: "1.0.0" };

/** Start times are offsets in milliseconds from a fixed, realistic epoch in nanoseconds. */
export const T0 = 1_700_000_000_000_000_000n;
export function ms(offset: number): bigint {
  return T0 + BigInt(Math.round(offset * 1e6));
}

export interface SpanSpec {
  trace: number;
  span: number;
  parent?: number | null;
  name?: string;
  service?: string;
  /** Milliseconds after T0. */
  start?: number;
  /** Milliseconds after T0 (default start + 1). */
  end?: number;
  error?: boolean;
  attributes?: Attributes;
}

export function makeSpan(spec: SpanSpec): Span {
  const service = spec.service ?? "api";
  const start = spec.start ?? 0;
  const end = spec.end ?? start + 1;
  return {
    traceId: traceId(spec.trace),
    spanId: spanId(spec.span),
    parentSpanId: spec.parent === undefined || spec.parent === null ? null : spanId(spec.parent),
    name: spec.name ?? `span ${spec.span}`,
    kind: "INTERNAL",
    service,
    startTimeUnixNano: ms(start),
    endTimeUnixNano: ms(end),
    status: spec.error ? { code: "ERROR", message: "failed" } : { code: "UNSET" },
    attributes: spec.attributes ?? {},
    events: [],
    links: [],
    resource: resourceFor(service),
    scope: SCOPE,
  };
}

/** A root span (no parent) alone in its trace: the unit most list tests need. */
export function rootSpan(trace: number, spec: Omit<SpanSpec, "trace" | "span"> = {}): Span {
  return makeSpan({ trace, span: 1, parent: null, name: `root ${trace}`, ...spec });
}

/** A span with every field filled, and attribute values of every kind. */
export function richSpan(): Span {
  const resource: Attributes = {
    "service.name": "checkout",
    "service.version": "2.3.1",
    "host.name": "dev-box",
    "process.pid": 4242,
    "process.command_args": ["node", "server.js"],
  };
  return {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    parentSpanId: "00f067aa0ba902b7",
    traceState: "vendor=abc,other=1",
    flags: 257,
    name: "POST /api/checkout ✓",
    kind: "SERVER",
    service: "checkout",
    startTimeUnixNano: 1_700_000_000_123_456_789n,
    endTimeUnixNano: 1_700_000_000_987_654_321n,
    status: { code: "ERROR", message: "Payment Declined" },
    attributes: {
      "http.request.method": "POST",
      "http.response.status_code": 502,
      ratio: 0.25,
      negative: -17,
      cached: false,
      nothing: null,
      big: "18446744073709551615",
      bytes: "3q2+7w==",
      tags: ["a", 1, true, 2.5, null, ["nested"]],
      "empty.list": [],
      "empty.map": {},
      user: { id: "u-1", roles: ["admin"], profile: { age: 42, "weird key": 'x\ny"z' } },
      "not.a.number": Number.NaN,
      infinite: Number.POSITIVE_INFINITY,
      unicode: "naïve – 日本語 🚀",
    },
    events: [
      {
        name: "exception",
        timeUnixNano: 1_700_000_000_500_000_001n,
        attributes: {
          "exception.type": "CardError",
          "exception.message": "Card Expired",
          "exception.stacktrace": "Error: Card Expired\n    at pay (pay.js:1:1)",
        },
        droppedAttributesCount: 2,
      },
      // Values sent as OTLP bytes: base64 strings the span, event or link names in `bytes`.
      { name: "retry", timeUnixNano: 1_700_000_000_600_000_000n, attributes: { payload: "AQID" }, bytes: ["payload"] },
    ],
    links: [
      {
        traceId: "11111111111111111111111111111111",
        spanId: "2222222222222222",
        traceState: "k=v",
        attributes: { "link.reason": "batch" },
        droppedAttributesCount: 1,
        flags: 1,
      },
      {
        traceId: "33333333333333333333333333333333",
        spanId: "4444444444444444",
        attributes: { token: "AAE=" },
        bytes: ["token"],
      },
    ],
    resource,
    scope: { name: "@opentelemetry/instrumentation-http", version: "0.52.0", attributes: { "scope.attr": 1 } },
    droppedAttributesCount: 3,
    droppedEventsCount: 4,
    droppedLinksCount: 5,
    bytes: ["bytes"],
  };
}

/** Every trace id a list query returns, page by page, following cursors `limit` at a time. */
export function walkAll(store: Store, query: Omit<TraceQuery, "cursor">): string[][] {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = store.listTraces(cursor === undefined ? query : { ...query, cursor });
    pages.push(page.traces.map((t) => t.traceId));
    if (page.nextCursor === undefined) return pages;
    cursor = page.nextCursor;
  }
  throw new Error("paging did not end");
}

/**
 * One request to the two-service Express app's `/fail` as the TraceKit Node SDK 1.7.0 sent it (times as
 * recorded, whole milliseconds at the start): frontend HTTP "GET" → Express "GET /fail" → call to the
 * backend, whose HTTP "GET" and Express "GET /fail" sit side by side under the call; the query "SELECT
 * orders" under Express failed first ("relation … does not exist"), then the handler threw "db failed".
 */
export function sdkFailedRequest(trace: number): Span[] {
  const at = (offset: number) => T0 + BigInt(Math.round(offset * 1e6));
  const exception = (offset: number, message: string) => ({
    name: "exception",
    timeUnixNano: at(offset),
    attributes: { "exception.type": "Error", "exception.message": message },
  });
  const spec = (
    span: number,
    parent: number | null,
    name: string,
    kind: Span["kind"],
    service: string,
    start: number,
    end: number,
    attributes: Attributes,
    events: Span["events"] = [],
  ): Span => ({
    ...makeSpan({ trace, span, parent, name, service, attributes }),
    kind,
    startTimeUnixNano: at(start),
    endTimeUnixNano: at(end),
    status: { code: "ERROR" },
    events,
  });
  return [
    spec(1, null, "GET", "SERVER", "frontend", 0, 93.31027, { "http.target": "/fail", "http.status_code": 502 }),
    spec(2, 1, "GET /fail", "SERVER", "frontend", 12, 79.897026, { "http.route": "/fail", "http.status_code": 502 }),
    spec(3, 2, "GET", "CLIENT", "frontend", 18, 78.426985, { "http.target": "/fail", "http.status_code": 500 }),
    spec(4, 3, "GET", "SERVER", "backend", 50, 82.230962, { "http.target": "/fail", "http.status_code": 500 }),
    spec(5, 3, "GET /fail", "SERVER", "backend", 56, 67.619944, { "http.route": "/fail", "http.status_code": 500 }, [
      exception(67.109066, "db failed"),
    ]),
    spec(6, 5, "SELECT orders", "INTERNAL", "backend", 61, 66.65185, { "db.system": "postgresql" }, [
      exception(66.394447, 'relation "ordrs" does not exist'),
    ]),
  ];
}

/**
 * One request to an Express app's route whose handler threw, as the TraceKit Node SDK 1.7.0 sent it (times
 * as recorded, whole milliseconds at the start): the HTTP instrumentation's root "GET" (500, no message)
 * and the handler's span, where the TypeError was recorded, under the SDK's Express span, which the SDK
 * never sends for such a request. `handlerStart`: the handler's start, in the HTTP span's millisecond
 * (0) or the next (1): it decided which failing leaf started first.
 */
export function sdkThrownRequest(trace: number, handlerStart: 0 | 1 = 1): Span[] {
  const at = (offset: number) => T0 + BigInt(Math.round(offset * 1e6));
  const message = "Cannot read properties of null (reading 'x')";
  const http: Span = {
    ...makeSpan({ trace, span: 1, parent: null, name: "GET", service: "backend" }),
    kind: "SERVER",
    startTimeUnixNano: at(0),
    endTimeUnixNano: at(2.027303),
    status: { code: "ERROR" },
    attributes: { "http.method": "GET", "http.target": "/throw", "http.status_code": 500 },
  };
  const handler: Span = {
    ...makeSpan({ trace, span: 3, parent: 2, name: "handler /throw", service: "backend" }),
    startTimeUnixNano: at(handlerStart),
    endTimeUnixNano: at(handlerStart + 0.159226),
    status: { code: "ERROR", message },
    events: [
      {
        name: "exception",
        timeUnixNano: at(handlerStart + 0.1),
        attributes: { "exception.type": "TypeError", "exception.message": message },
      },
    ],
  };
  return [http, handler];
}
