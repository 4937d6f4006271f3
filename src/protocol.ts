/**
 * The JSON shapes of the REST API and the live WebSocket, shared (type-only) with the web app.
 * Nanosecond times are decimal strings: JSON numbers would clip them.
 */
import type { BytesPlace, ValueStep } from "./domain/bytes-places.js";
import type { SdkPauseJson } from "./domain/sdk-pause.js";
import type { Attributes, AttrValue, SpanKind, StatusCode } from "./domain/span.js";

export type { BytesPlace, ValueStep } from "./domain/bytes-places.js";
export type { Attributes, AttrValue, SpanKind, StatusCode } from "./domain/span.js";

/** An instrumentation scope; `bytes`: where its attributes' values sent as OTLP bytes are (see SpanJson.bytes). */
export interface ScopeJson {
  name: string;
  version: string;
  attributes?: Attributes;
  bytes?: BytesPlace[];
}

export interface TraceSummaryJson {
  traceId: string;
  /** At most its first 4,096 characters (a list needs no more; GET /api/traces/:traceId has the spans whole). */
  name: string;
  /** The whole name's length when `name` is only its beginning; absent when it is whole. */
  nameLength?: number;
  service: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
  hasRoot: boolean;
  /** What failed, in a line (exception type and message, or a status message), when a failing span says. */
  errorMessage?: string;
  /** The trace's GenAI calls (spans that name a model) in total; absent when it has none. */
  llm?: TraceLlmJson;
}

export interface TraceLlmJson {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** USD at the price table in use (bundled, or `--prices`), of the calls whose model has one; absent when none has. */
  usd?: number;
  /** Calls whose model has no price (not in `usd`). */
  unpricedCalls: number;
  /**
   * Calls whose span reports no token count (a call that failed at the provider, say): counted as 0
   * tokens and $0 in the totals, though what they used is unknown.
   */
  noUsageCalls: number;
  /**
   * Of `noUsageCalls`, those whose model has no price (in `unpricedCalls` too): a call of unknown cost
   * is named once. 0 for a trace of several models stored (`--db`) by a version that did not count
   * each model's calls without usage.
   */
  unpricedNoUsageCalls: number;
}

export interface SpanEventJson {
  name: string;
  timeUnixNano: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
  /** See SpanJson.bytes. */
  bytes?: BytesPlace[];
}

export interface SpanLinkJson {
  traceId: string;
  spanId: string;
  traceState?: string;
  /** W3C trace flags and OTLP's is-remote bits of the linked context, when sent. */
  flags?: number;
  attributes: Attributes;
  droppedAttributesCount?: number;
  /** See SpanJson.bytes. */
  bytes?: BytesPlace[];
}

export interface SpanJson {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState?: string;
  flags?: number;
  name: string;
  kind: SpanKind;
  service: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  durationMs: number;
  status: { code: StatusCode; message?: string };
  attributes: Attributes;
  events: SpanEventJson[];
  links: SpanLinkJson[];
  resource: Attributes;
  scope: ScopeJson;
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
  /**
   * Where the attributes' values sent as OTLP bytes are (they are base64 strings): a key, or a key and
   * the steps (list index, map key) to one inside its value. Absent when none was.
   */
  bytes?: BytesPlace[];
  /** The same for the resource's attributes. */
  resourceBytes?: BytesPlace[];
  /** A GenAI span that names its model: what the call cost at the bundled prices (`usd` null: no price for it). */
  llmCost?: LlmCostJson;
}

export interface LlmCostJson {
  model: string;
  /** The price table entry the model matched (dates and provider prefixes taken off), or null. */
  priceKey: string | null;
  usd: number | null;
  inputTokens: number;
  outputTokens: number;
  /** Input tokens count every input token; of them, those read from and written to a prompt cache. */
  cachedInputTokens: number;
  cacheWriteInputTokens: number;
  /** False when the span reports no token count: the tokens (and `usd`) are then 0 for want of any, not known to be 0. */
  usageReported: boolean;
  /** When the bundled prices were taken from the providers' lists. */
  pricesDate: string;
  /** Present when the matched price came from the `--prices` file. */
  pricesFile?: string;
}

/**
 * `GET /api/spans/:spanId`: the stored trace that holds a span with this id (16 hex digits, any case),
 * as a pasted span id opens it. None stored: a 404 `span_not_found`, or, with `?missing=null`, a 200 `null`.
 */
export interface SpanTraceResponse {
  spanId: string;
  traceId: string;
}

/** Most spans above or below a span one `GET /api/spans/:spanId/context` answers. */
export const MAX_SPAN_CONTEXT = 1000;

/**
 * `GET /api/spans/:spanId/context?above=20&below=30`: the span (as `GET /api/spans/:spanId` finds it)
 * with its place in its trace's waterfall, read without the trace's other spans: the nearest `above`
 * spans above it (root side first) and the first `below` spans below it in waterfall order (depth
 * first, children by start), each side at most MAX_SPAN_CONTEXT (defaults 20 and 30), with counts.
 * No such span: a 404 `span_not_found`.
 */
export interface SpanContextResponse {
  traceId: string;
  /** The trace's name, as the trace list says it. */
  traceName: string;
  /** The trace's spans, all of them. */
  spanCount: number;
  /** The earliest start of the trace's spans (unix ns, decimal string). */
  traceStartUnixNano: string;
  span: SpanJson;
  /** How many spans are above it (its depth); `above` lists the nearest of them. */
  depth: number;
  above: SpanJson[];
  /** Depth relative to the span: 1 for a child. */
  below: { span: SpanJson; depth: number }[];
  /** How many spans are below it in all. */
  belowCount: number;
  /** Its parent's other children. */
  siblingCount: number;
}

/** Most trace ids one `GET /api/traces?ids=` may name (the web app asks for no more). */
export const MAX_TRACE_IDS = 100;

/**
 * GET /api/traces: newest start first. Query: `service`, `name`, `q`, `minDurationMs` /
 * `maxDurationMs` (inclusive), `status` (`error` | `ok`), `since` / `until` (unix ms, inclusive, on
 * the trace's start), `sort` (`start` | `duration` | `spans` | `errors`) and `order` (`desc` |
 * `asc`, default `desc`; ties newest first), `limit`, `cursor` (valid for the sort it came with).
 * With `ids` (comma-separated trace ids, at most 100) it answers only the summaries of those traces
 * that are stored, in the order named, and reads no other parameter.
 */
export interface TraceListResponse {
  traces: TraceSummaryJson[];
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  nextCursor?: string;
  /**
   * The search stopped at its time budget (about 100 ms) before filling the page: ask again with
   * `nextCursor` for more matches, even though fewer than `limit` came back.
   */
  partial?: true;
}

export interface TraceResponse {
  traceId: string;
  /** The trace's name as the list shows it (a bare-method root reads as method plus route). */
  name: string;
  /**
   * The service of the span `name` is from, as the list shows it: of a trace with two spans without a
   * parent, the one the list names, not whichever the waterfall puts first.
   */
  service: string;
  spans: SpanJson[];
  /** Code-monitoring snapshots captured inside this trace (each names its span), oldest first. */
  snapshots?: SnapshotSummaryJson[];
}

/** A span of a SharedTraceResponse: its resource and scope are named by their place in the trace's lists. */
export type SharedSpanJson = Omit<SpanJson, "resource" | "scope"> & { resourceIndex: number; scopeIndex: number };

/**
 * GET /api/traces/:traceId?resources=shared: the trace with each distinct resource and scope once (a
 * resource's attributes, an SDK's ~15 of them, are otherwise repeated on every span, about half of a
 * big trace's bytes). `spans[i].resource` of the full form is `resources[spans[i].resourceIndex]`, its
 * `scope` is `scopes[spans[i].scopeIndex]`; everything else is as in TraceResponse.
 */
export interface SharedTraceResponse extends Omit<TraceResponse, "spans"> {
  resources: Attributes[];
  scopes: ScopeJson[];
  spans: SharedSpanJson[];
}

/**
 * One span of a CompactTraceResponse, by place: its id; its parent (null: none; a number: the place in
 * `spans` of the first span with the parent's id; a string: the parent's id, when no span here has it);
 * its name and its service by place in `strings`; its kind and status code by place in SPAN_KINDS and
 * STATUS_CODES (domain/span.ts); its start in nanoseconds after the answer's `startTimeUnixNano` and its
 * length in nanoseconds (end − start), both exact integers, or null when either would not be (then
 * `rest` holds the times and `durationMs`); its attributes; its resource and scope by place in
 * `resources` and `scopes`; and `rest`, present when the span has more: the fields of SpanJson that
 * differ from what the places above make (`traceId` when not the trace's, `status` with its message,
 * `events`, `links` when not empty, and every optional field).
 */
export type CompactSpanJson = [
  spanId: string,
  parent: number | string | null,
  name: number,
  kind: number,
  service: number,
  start: number | null,
  length: number | null,
  status: number,
  attributes: Attributes,
  resourceIndex: number,
  scopeIndex: number,
  rest?: Partial<Omit<SpanJson, "resource" | "scope">>,
];

/**
 * GET /api/traces/:traceId?form=compact1 (what the web app reads): the trace with every span as an
 * array (CompactSpanJson) and what many spans repeat once: each distinct resource and scope (as with
 * `resources=shared`), name and service, the trace id, and the times as numbers after the earliest
 * start. About a third of the shared form's bytes for a big trace, and faster to write and to read.
 * `form` says which form this is: a later one gets another name.
 */
export interface CompactTraceResponse extends Omit<TraceResponse, "spans"> {
  form: "compact1";
  /** The earliest start of any span; each span's `start` counts from it. */
  startTimeUnixNano: string;
  strings: string[];
  resources: Attributes[];
  scopes: ScopeJson[];
  spans: CompactSpanJson[];
}

/**
 * `GET /api/services[?since=&until=]` (unix ms; spans counted by the minute they started in). The
 * headline numbers (`requestCount`, `ratePerSec`, `errorRate`, `p50Ms`…) are of the service's entry
 * spans (SERVER, CONSUMER), or of its root spans when it has none in the window (`basis: "root"`);
 * `spanCount` and `errorCount` count every span of the service; `traceCount` the stored traces with a span of
 * the service that start in the window's minutes (the trace list's rule, `since` at its minute's start).
 * Percentiles are within 2.2% of the exact nearest-rank value, and never past the fastest or slowest
 * request counted unless a minute counted lost spans to retention (then at most a 4.4% bucket past it).
 */
export interface ServiceStatsJson {
  name: string;
  spanCount: number;
  errorCount: number;
  traceCount: number;
  /**
   * Share of the headline spans (`requestCount`) that failed; a request told by more than one entry
   * span of the service (one nested in the other) failed when any of them did.
   */
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  basis: "entry" | "root";
  requestCount: number;
  requestErrorCount: number;
  ratePerSec: number;
}

export interface ServicesResponse {
  services: ServiceStatsJson[];
  /**
   * What `ratePerSec` is per: the window's seconds, or over everything stored the time from the first
   * stored span's start to the last one's end (`fromMs`/`toMs`, unix ms; null with nothing stored).
   */
  /** What the rates are per: `seconds`, from `fromMs` to `toMs` (unix ms) less `idleSeconds` of idle stretches. */
  rateBasis: { seconds: number; fromMs: number | null; toMs: number | null; idleSeconds: number };
}

/**
 * One operation of a service: `entry` (SERVER/CONSUMER spans, by route or name), `outgoing`
 * (CLIENT/PRODUCER calls, by name and peer) or `internal`.
 */
export interface OperationStatsJson {
  group: "entry" | "outgoing" | "internal";
  kind: SpanKind;
  /**
   * Entry spans inside another entry span of the same service (e.g. a framework's span inside the
   * HTTP server span of the same request): listed, not counted in the service's requests.
   */
  nested: boolean;
  name: string;
  peer: string | null;
  /** The trace list's query for traces with a span of this operation. */
  query: string;
  count: number;
  /**
   * Its spans that failed; of an entry operation's requests, also those that failed in a telling
   * nested in them (see ServiceStatsJson).
   */
  errorCount: number;
  errorRate: number;
  ratePerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** `GET /api/services/:name/operations[?since=&until=]`; 404 when the service has no span in the window. */
export interface ServiceOperationsResponse {
  service: ServiceStatsJson;
  windowSeconds: number;
  /** Busiest first. */
  operations: OperationStatsJson[];
}

/** One OTLP/HTTP listener in `/api/health`: where to send, what it reads. */
export interface OtlpHttpEndpointJson {
  port: number;
  /** The base URL, what `OTEL_EXPORTER_OTLP_ENDPOINT` is set to (SDKs append the signal's path). */
  url: string;
  paths: { traces: "/v1/traces"; logs: "/v1/logs"; metrics: "/v1/metrics" };
  /** `Content-Type`s: `application/x-protobuf` and `application/json`. */
  encodings: ["protobuf", "json"];
  /** `Content-Encoding`s besides identity. */
  compression: ["gzip"];
}

/** The OTLP/gRPC listener in `/api/health`. */
export interface OtlpGrpcEndpointJson {
  port: number;
  /** What a gRPC exporter's endpoint is set to. */
  url: string;
  /** The service of each signal; each has the one unary method `Export`. */
  services: { traces: string; logs: string; metrics: string };
  encodings: ["protobuf"];
  /** `grpc-encoding`s besides identity. */
  compression: ["gzip", "deflate"];
}

/**
 * One upstream receiver of `--forward`, in `/api/health`. `queued` is what is not sent yet, the
 * batches being sent included; its bytes count batches gzipped once sealed, as the queue's bound
 * does (which leaves out those being sent); the other byte counts are uncompressed.
 */
export interface ForwardTargetJson {
  /** The base URL (signal paths appended), without credentials. */
  url: string;
  /** `ok`: the last request was accepted (or none was due yet); `retrying`: it failed and is tried again; `stopped`: closed. */
  /** `rejecting`: its last answer refused a batch (400, 401, 413…: dropped, not retried) and it took none since. */
  state: "ok" | "retrying" | "rejecting" | "stopped";
  queued: { bytes: number; batches: number };
  sent: { batches: number; bytes: number };
  /** Requests tried again after 429/502/503/504 or a failed connection. */
  retried: number;
  /**
   * Items (spans, log records, data points) the upstream rejected from batches it took: the counts of
   * its partial-success answers. Not sent again (OTLP: a partial success is final).
   */
  rejectedItems: number;
  /**
   * Batches dropped, by reason: `queueFull` (the oldest, past the queue bound), `rejected` (a final
   * 4xx/5xx answer), `shutdown` (still queued when tracekit-local stopped); `bytes` of all of them.
   */
  dropped: { queueFull: number; rejected: number; shutdown: number; bytes: number };
  lastError: { message: string; at: string } | null;
}

export interface ForwardingJson {
  /** OTLP/HTTP protobuf, gzip; every signal. */
  protocol: "http/protobuf";
  targets: ForwardTargetJson[];
}

/** Whether the stores are read back from the `--db` file yet (see HealthResponse.storage.state). */
export type StorageState = "loading" | "ready";

/**
 * GET /api/health on an extra OTLP port (`--otlp-http-port`, or over HTTP/1.1 `--otlp-grpc-port`),
 * answered 404 (the API is not there, and a client that does not know this shape takes it as no
 * instance): says whose port it is and where the UI and API are, so that a client command or a start
 * pointed at it can say so. Not counted or told as a refused request.
 */
export interface OtlpOnlyPortHealthResponse {
  error: { code: "not_found"; message: string };
  otlpOnlyPort: {
    name: "tracekit-local";
    /** What the port takes: OTLP/HTTP or OTLP/gRPC. */
    receives: "otlp-http" | "otlp-grpc";
    /** The port of the UI and API, and its URL as the instance prints it. */
    mainPort: number;
    url: string;
  };
}

/**
 * GET /api/health: SDKs probe it to find this server, and the CLI's client commands read it as a
 * handshake. `apiVersion` is raised only when a field is removed, renamed or changes meaning (or a
 * REST shape does); added fields keep it. Version 1: this shape.
 */
export interface HealthResponse {
  status: "ok";
  name: "tracekit-local";
  version: string;
  /** The version of this handshake and the REST API; see above for when it changes. */
  apiVersion: number;
  uptimeSeconds: number;
  /** Seconds since start, unrounded: the first local UI's field (`{status, uptime, stats}`), kept for its scripts. */
  uptime: number;
  /** The first local UI's statistics, as GET /api/stats answers them. */
  stats: StatsResponse;
  otlp: {
    /** The main port's OTLP/HTTP base URL and signal URLs (the first fields, kept for older readers). */
    endpoint: string;
    traces: string;
    logs: string;
    metrics: string;
    protocols: string[];
    /** OTLP/HTTP on the main port, which also serves the UI and the API. */
    http: OtlpHttpEndpointJson;
    /** The same OTLP/HTTP receiver on a second port (`--otlp-http-port`, e.g. 4318), or null. */
    extraHttp: OtlpHttpEndpointJson | null;
    /** OTLP/gRPC (`--otlp-grpc-port`, e.g. 4317), or null when not listening. */
    grpc: OtlpGrpcEndpointJson | null;
  };
  /** Passing received data on to upstream OTLP receivers (`--forward`); null when not asked for. */
  forwarding: ForwardingJson | null;
  storage: {
    kind: "memory" | "sqlite";
    /**
     * `loading` while the `--db` file is read back at start: the counts and `stats` are 0 until it is
     * `ready`, and every other request (OTLP exports too) waits for it and is then answered.
     */
    state: StorageState;
    /** The `--db` file, as a whole path (not for a page on another origin). */
    path?: string;
    maxSpans: number;
    /** The bound on stored log records (`--max-logs`); the first to arrive are evicted past it. */
    maxLogs: number;
    /** The bound on stored metric series (`--max-metric-series`). */
    maxMetricSeries: number;
  };
  counts: {
    spans: number;
    traces: number;
    evictedTraces: number;
    evictedSpans: number;
    /** Spans of SDKs' own calls to this server (exports, health probes), not stored. */
    ownCallSpans: number;
    /** Spans that arrived after retention had evicted their trace, dropped (a trace is kept whole or not at all). */
    lateSpans: number;
    /** Requests refused with a 4xx, and spans dropped from partly accepted requests. */
    rejectedRequests: number;
    rejectedSpans: number;
    /**
     * OTLP/JSON requests of another signal than their path takes (logs sent to /v1/traces): answered 200
     * with a warning, nothing stored; not among `rejectedRequests`.
     */
    misdirectedRequests: number;
    /**
     * OTLP/gRPC connections made to an HTTP port, closed unread: connections, not exports (an exporter
     * fails the exports it makes while it waits to connect again without sending them).
     */
    rejectedGrpcConnections: number;
    /** Code-monitoring snapshots kept, and evicted past the bound (oldest first). */
    snapshots: number;
    evictedSnapshots: number;
    breakpoints: number;
    /** Log records stored, and evicted past `storage.maxLogs` (oldest arrival first). */
    logs: number;
    evictedLogs: number;
    /** Log records dropped from partly accepted requests (invalid ids, malformed records). */
    rejectedLogRecords: number;
    /** Metric series stored, and data points accepted (since start or the last clear). */
    metricSeries: number;
    metricPoints: number;
    /** Series refused past `--max-metric-series`, and their data points. */
    droppedMetricSeries: number;
    droppedMetricPoints: number;
    /** Series removed by retention (their newest point a day older than the newest point stored). */
    expiredMetricSeries: number;
    /** Data points dropped from partly accepted metrics requests. */
    rejectedDataPoints: number;
  };
}

/** GET /api/stats: the first TraceKit local UI's statistics, kept for scripts written against it. */
export interface StatsResponse {
  totalTraces: number;
  totalSpans: number;
  services: string[];
  /** Start of the oldest stored trace (ISO 8601), or null when nothing is stored. */
  oldestTrace: string | null;
  /** Start of the newest trace (ISO 8601), or null when nothing is stored. */
  newestTrace: string | null;
}

/** GET /api/attributes: keys of the newest spans' attributes, for autocomplete. */
export interface AttributeKeysResponse {
  keys: { key: string; source: "span" | "resource" | "event"; count: number }[];
  /** How many of the newest spans the counts come from. */
  sampledSpans: number;
}

/** GET /api/attributes/:key/values: the most frequent values of a key (or of service, name, status, kind). */
export interface AttributeValuesResponse {
  key: string;
  values: { value: string; count: number }[];
  sampledSpans: number;
}

export interface ApiErrorResponse {
  /** `position`: for `bad_query`, the 0-based character of the query where the problem is. */
  error: { code: string; message: string; position?: number };
}

/**
 * Requests refused (4xx), items dropped from partly accepted requests, and OTLP/gRPC connections made to
 * an HTTP port (as `/api/health` counts them), since start or the last clear.
 */
export interface RejectionsJson {
  rejectedRequests: number;
  rejectedGrpcConnections: number;
  rejectedSpans: number;
  rejectedLogRecords: number;
  rejectedDataPoints: number;
  /** OTLP/JSON requests of another signal than their path takes (logs sent to /v1/traces): accepted with a warning, nothing stored. */
  misdirectedRequests: number;
  /**
   * The latest refusal, its reason as the sender was told it. `path` is an OTLP/HTTP path, an OTLP/gRPC
   * method's (`/<service>/Export`), or `*` for OTLP/gRPC sent to an HTTP port. `method` is set for an
   * HTTP/1.1 request to the gRPC port (any method: a browser's GET, an OTLP/HTTP exporter's POST) and
   * for a page's refused CORS preflight (`OPTIONS`); the other refusals on an HTTP path are of POSTs,
   * the only method OTLP/HTTP takes.
   */
  last: { at: string; method?: string; path: string; status: number; message: string } | null;
}

/** Messages on the `/api/live` WebSocket; every one has a `type`. */
export type LiveMessage =
  | {
      type: "traces";
      traces: TraceSummaryJson[];
      /** True for the page sent on connect (or after the server had to skip updates to a slow client). */
      snapshot?: boolean;
    }
  | { type: "cleared" }
  /**
   * Traces retention removed (evicted to make room), coalesced per tick: a list drops them, a page
   * showing one says it is no longer stored. A tick carries at most the hub's bound of ids, the
   * newest; `omitted` (present when some were left out) counts the others: a client then reloads its list.
   */
  | { type: "evicted"; traceIds: string[]; omitted?: number }
  /** What was refused on the way in (retained: sent on connect once anything was). */
  | ({ type: "rejections" } & RejectionsJson)
  /**
   * Spans dropped because retention had already evicted their trace (retained: sent on connect once
   * any were), with the bound to raise.
   */
  | { type: "late-spans"; lateSpans: number; maxSpans: number }
  /**
   * Batches `--forward` dropped (`queueFull`: of them, those dropped because the queue passed
   * `maxQueueBytes`, each upstream's bound), and items the upstream rejected from batches it took
   * (`rejectedItems`, OTLP's partial success), per upstream (retained: sent on connect once any were).
   */
  | {
      type: "forwarding-drops";
      maxQueueBytes: number;
      targets: { url: string; dropped: number; queueFull: number; rejectedItems: number; lastError: string | null }[];
    }
  /** The whole breakpoint list and kill switch, after any change to either. */
  | ({ type: "breakpoints" } & BreakpointsResponse)
  /** Newly captured snapshots, coalesced per tick. */
  | { type: "snapshots"; snapshots: SnapshotSummaryJson[] }
  | { type: "sdk-events"; events: SdkEventJson[] }
  /**
   * Newly stored log records, oldest first, coalesced per tick (a burst is a few messages). A tick
   * carries at most the hub's bound of records, the newest; `omitted` (present when some were left
   * out) counts the records stored in the tick before them that it does not carry: a client that
   * shows every record reads them from GET /api/logs.
   */
  | { type: "logs"; logs: LogRecordJson[]; omitted?: number }
  /** Names of metrics that received points since the last tick (each once); pages refetch what they show. */
  | { type: "metrics"; names: string[] }
  /**
   * Every service's slot of the web app's palette (retained; see domain/service-colors.ts): a service
   * missing here is drawn in its name's own slot.
   */
  | { type: "service-colors"; slots: Record<string, number> };

// ---------------------------------------------------------------------------------------------
// Code monitoring (TraceKit SDK snapshots). The SDK-facing protocol under /sdk/snapshots/* is the
// SDKs' own snake_case JSON; these are the camelCase shapes the web app reads from /api/*.

export interface BreakpointJson {
  id: string;
  service: string;
  filePath: string;
  functionName: string;
  label: string;
  lineNumber: number;
  /** An expression the SDK evaluates before capturing; "" when none. */
  condition: string;
  /** 0 = unlimited. */
  maxCaptures: number;
  captureCount: number;
  /** ISO 8601, or null for no expiry. */
  expireAt: string | null;
  enabled: boolean;
  /** "auto": registered by the SDK's first capture_snapshot at this location; "manual": made in the UI. */
  origin: "auto" | "manual";
  createdAt: string;
  updatedAt: string;
  lastCapturedAt: string | null;
  /** When a Node SDK last got it as it is in the answer to its own registration (it keeps that answer); null if never. */
  heardAt: string | null;
  /**
   * Where its last capture came from, when the SDK registered its own capture call as the location
   * (the Node SDK 1.7 does: `TracekitClient.captureSnapshot` in its `client.js`); null otherwise.
   */
  calledFrom: CodeLocationJson | null;
}

/** A place in the code; `functionName` is "" for an anonymous function. */
export interface CodeLocationJson {
  filePath: string;
  functionName: string;
  lineNumber: number;
}

export interface SecurityFlagJson {
  type: string;
  severity: string;
  variable?: string;
}

/** What a list row shows of one captured snapshot. */
export interface SnapshotSummaryJson {
  id: string;
  breakpointId: string | null;
  service: string;
  filePath: string;
  functionName: string;
  label: string;
  lineNumber: number;
  /** ISO 8601, as the SDK stamped it (`captured_at`). */
  capturedAt: string;
  /** Lower-case hex, or null when the capture ran outside a trace. */
  traceId: string | null;
  spanId: string | null;
  securityFlagCount: number;
  /** Top-level variable names, for the row. */
  variableNames: string[];
  /** The capture's caller, read from its stack, when the SDK named its own capture call as the location. */
  calledFrom: CodeLocationJson | null;
}

export interface SnapshotJson extends SnapshotSummaryJson {
  /**
   * The variables as the SDK sent them (already scrubbed by the SDK); any JSON value. An integer past
   * 2^53 is written with its exact digits, as the SDK sent it: read this answer with a parser that keeps
   * them (`parseJsonExact` in domain/exact-json.ts gives a bigint), not JSON.parse, which rounds them.
   */
  variables: unknown;
  securityFlags: SecurityFlagJson[];
  stackTrace: string;
  /** method, path, headers, query… as the SDK sent it; null when absent. Integers as in `variables`. */
  requestContext: unknown;
}

/** Something an SDK reported about itself (e.g. `circuit_breaker_tripped`), from POST /sdk/snapshots/active. */
export interface SdkEventJson {
  id: string;
  service: string;
  type: string;
  receivedAt: string;
  /** The event object as sent. */
  data: Record<string, unknown>;
}

/** GET /api/breakpoints */
export interface BreakpointsResponse {
  breakpoints: BreakpointJson[];
  killSwitch: boolean;
  /** SDKs connected to the SSE stream right now, per service. */
  connectedSdks: Record<string, number>;
  /**
   * When each service's SDK last asked for its breakpoints (`/sdk/snapshots/active/:service`), ISO
   * 8601 (kept across restarts with --db); services not heard from are absent. An SDK not connected live
   * hears of a change only then.
   */
  lastCheckIns: Record<string, string>;
  /** When the kill switch last changed (ISO 8601; with --db, also before this server started), or null. */
  killSwitchChangedAt: string | null;
  /**
   * When this server started (ISO 8601). An SDK's next check-in is expected no sooner: a check-in,
   * kill-switch change or edit from before a restart does not make it overdue at once. Absent from
   * servers older than this field.
   */
  serverStartedAt?: string;
  /**
   * Each service's newest pause its SDK reported (`circuit_breaker_tripped`, domain/sdk-pause.ts),
   * over or not: a client compares `until` with its own clock. `until` is the first capture from the
   * service since it began, when one came (`endPauseAt`). Kept through the UI's clear and, with --db,
   * across restarts.
   */
  sdkPauses: Record<string, SdkPauseJson>;
  /**
   * Services a breakpoint of which their SDK registered (or a capture call took) was deleted on this
   * server since it started: their running apps do not register those locations again until they
   * restart. Absent from older servers.
   */
  deletedFrom?: string[];
  /** Breakpoints are kept in a `--db` file, across restarts. Absent from older servers. */
  keptAcrossRestarts?: boolean;
}

/** GET /api/snapshots */
export interface SnapshotListResponse {
  snapshots: SnapshotSummaryJson[];
  /** The trace ids of these snapshots whose traces are stored here now (the list links to them). */
  storedTraceIds: string[];
  nextCursor?: string;
}

/** GET /api/sdk-events */
export interface SdkEventsResponse {
  events: SdkEventJson[];
}

// ---------------------------------------------------------------------------------------------
// Logs (OTLP LogRecord, POST /v1/logs).

/** Severity ranges of OTLP's severity_number (1–4 TRACE … 21–24 FATAL; 0 UNSPECIFIED). */
export type LogSeverity = "UNSPECIFIED" | "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL";

export interface LogRecordJson {
  /** Assigned by this server on arrival; unique, stable across restarts with --db. */
  id: string;
  /** `time_unix_nano`, or `observed_time_unix_nano` when the record has no time of its own. */
  timeUnixNano: string;
  observedTimeUnixNano: string;
  /** 0–24 as sent. */
  severityNumber: number;
  /** The range `severityNumber` falls in; from `severityText` when the number is 0 and the text names one. */
  severity: LogSeverity;
  /** As sent ("" when absent). */
  severityText: string;
  /** A string, or structured (any AnyValue); null when the record has no body. */
  body: AttrValue | null;
  attributes: Attributes;
  /** OTLP `event_name`: set when the record is an event (shown as one). */
  eventName?: string;
  /** Lower-case hex, or null when the record was not emitted inside a span. */
  traceId: string | null;
  spanId: string | null;
  flags?: number;
  service: string;
  resource: Attributes;
  scope: ScopeJson;
  droppedAttributesCount?: number;
  /**
   * Entries of the body (list items and map entries, nested ones included) this server dropped, past
   * its bounds: 1,000 entries of one value, 10,000 values of one record, 32 levels of nesting. Absent
   * when none was.
   */
  droppedBodyEntries?: number;
  /**
   * Which values were sent as OTLP bytes, shown as base64 strings: `body: true` (the body itself) or
   * the paths (list index, map key) to such values inside the body, and where they are in the
   * attributes and the resource's attributes (see SpanJson.bytes). Absent when none was.
   */
  bytes?: { body?: true | ValueStep[][]; attributes?: BytesPlace[]; resource?: BytesPlace[] };
}

/**
 * GET /api/logs: newest first (`order=asc`: oldest first, as the trace view reads a trace's logs).
 * Query: `service`, `severity` (at least this level), `q` (text in the body, its keys too, and attribute values),
 * `traceId`, `spanId`, `since` / `until` (unix ms), `limit` (default 100, at most 1000), `cursor`,
 * `count=true` (count the matches, see `matched`). `afterId`: the records that arrived after the one with this id, in arrival order (a live `logs`
 * message's `omitted` records are those after the last record a client was sent); `order` does not
 * apply, and the next page is asked with the page's last id as `afterId` (`nextCursor` says one follows).
 */
export interface LogListResponse {
  logs: LogRecordJson[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
  /** Log records stored now, whatever the query (the list's count when nothing is filtered). */
  stored: number;
  /**
   * How many records match the query: for a trace's records (`traceId`, with or without `spanId` and
   * the other filters) always, all of them whatever `limit` and `cursor`, as the store reads them whole
   * at no extra cost; with `count=true`, those from the cursor on (all without one) while no more than
   * 2,000 match in all, page included. Absent otherwise (more match than that): paging through them counts them.
   */
  matched?: number;
  /** The bound (`--max-logs`): past it the oldest records are evicted. */
  maxLogs: number;
  /**
   * The id the last record to arrive was given ("0" before any), whatever the query, evicted or
   * cleared since or not: a client that starts to watch the live feed reads with it as `afterId` the
   * records that arrive while it is not connected, though the feed had not carried it any yet.
   */
  lastId: string;
}

/**
 * GET /api/logs/services: every service with a log record stored, by name, whether or not it sends
 * spans (a worker that only logs) and however old its records: what the Logs page's service menu offers.
 */
export interface LogServicesResponse {
  services: string[];
}

/** GET /api/logs/:id: one stored record by its id; an id not stored (evicted, cleared, never given) is a 404. */
export interface LogResponse {
  log: LogRecordJson;
}

// ---------------------------------------------------------------------------------------------
// Metrics (OTLP metrics, POST /v1/metrics).

/** The OTLP data type a metric arrived as. */
export type MetricKind = "gauge" | "sum" | "histogram" | "exponentialHistogram" | "summary";

/**
 * How a metric is charted: "rate" (monotonic sums, per second), "value" (gauges and up-down sums:
 * the value at each step), "distribution" (histograms, exponential histograms and the TraceKit SDKs'
 * gauge samples: p50 / p95 / p99 lines and a heatmap), "quantiles" (summaries: the quantiles sent).
 */
export type MetricChart = "rate" | "value" | "distribution" | "quantiles";

export interface MetricCatalogEntryJson {
  name: string;
  kind: MetricKind;
  chart: MetricChart;
  /** Sums only. */
  monotonic?: boolean;
  /**
   * Sums and histograms, as interpreted (a TraceKit SDK counter reads as "delta"): its series' (of the
   * service asked for, with `service`), or when they differ the one first stored.
   */
  temporality?: "delta" | "cumulative";
  /** Its series' temporalities when they differ (of the service asked for, with `service`). */
  temporalities?: ("delta" | "cumulative")[];
  /** True when the points were read by the TraceKit SDK rules (instrumentation scope `tracekit`). */
  tracekit?: boolean;
  /** UCUM as sent (`s`, `ms`, `By`, `{request}`…), "" when none. */
  unit: string;
  description: string;
  services: string[];
  /** How many of its series each of `services` has, in their order (a service filter's share of `seriesCount`). */
  seriesPerService?: number[];
  /** Data-point attribute keys seen on this metric's series. */
  attributeKeys: string[];
  seriesCount: number;
  /** Time of the newest point; with `service` (the catalog's, or a query's), that service's newest. */
  lastTimeUnixNano: string;
  /** The time of each of `services`' newest point, in their order (to the millisecond). */
  lastTimeUnixNanoPerService?: string[];
  /** Every chart the metric can be drawn as (`chart` first), for `GET /api/metrics/:name?chart=`. */
  charts?: MetricChart[];
}

/** GET /api/metrics (`q`: text in the name or description; `service`). */
export interface MetricCatalogResponse {
  metrics: MetricCatalogEntryJson[];
  /** The bound on stored series; points of series past it are dropped and counted here. */
  maxSeries: number;
  droppedSeries: number;
  droppedPoints: number;
  /**
   * Series removed by retention: a series whose newest point is more than `retentionMs` older than the
   * newest metric point stored (senders' clocks, so an old example beside live data) is removed.
   */
  expiredSeries: number;
  retentionMs: number;
  /** The metrics it removed whole (the last 100), newest removal first, until they arrive again. */
  expiredMetrics: ExpiredMetricJson[];
}

/** A metric retention removed: its newest point, and the newest point stored when it went. */
export interface ExpiredMetricJson {
  name: string;
  seriesCount: number;
  lastTimeUnixNano: string;
  newestUnixMs: number;
}

/** One line (or band) of a metric chart: one group of series, one value per step of `times`. */
export interface MetricSeriesJson {
  /** The group's label: the `groupBy` attribute's value, or the series' attributes joined ("" for none). */
  label: string;
  /** What the group shares: `{[groupBy]: value}` when grouped, the series' own attributes otherwise. */
  attributes: Attributes;
  /**
   * "rate": per second of the part of the step its points' intervals cover; "value": the last value in
   * the step; "distribution": the step's mean. null = no data. A TraceKit SDK counter (a point per
   * increment, none while it stands still) reads 0 in a step of its life without one, not null.
   */
  values: (number | null)[];
  /**
   * "rate" only: what the group grew by in each step (null = no data; 0 as `values` says). The rate times the step is
   * more than that in a step the data covers only partly (where a series starts or stops, the newest).
   */
  increases?: (number | null)[];
  /**
   * "rate" only, when the group grew (or stood still) in the window: the time its `increases` were
   * counted over, from the window's start, or from when its series began counting when that is later
   * (a counter younger than the window: its first point counts from its start time, before the point),
   * to its newest point in the window; a TraceKit SDK counter's (increments at an instant, nothing sent
   * while it stands still) from the start of the step of its first increment to the window's end; an
   * OpenTelemetry delta counter's to the newest point its resource sent of any metric (no point is sent
   * for an interval it recorded nothing in, while the app's other metrics still come).
   * Their sum ÷ this is the group's average rate in the window.
   */
  counted?: { fromUnixMs: number; toUnixMs: number };
  /** "distribution" only: percentiles estimated from the step's buckets (or samples). */
  p50?: (number | null)[];
  p95?: (number | null)[];
  p99?: (number | null)[];
  /**
   * "distribution" only, and only when some percentile fell in the open last bucket of explicit buckets
   * that sent no max (or an exponential bucket reaching past every double, scale -10, without a max):
   * per percentile, true in those steps. Its value is then the bucket's lower end (the last bound), and
   * the percentile is only known to be at least that (shown as "≥ 10"). A percentile nothing bounds
   * (below the first bound with neither a min nor a sum, or without bounds, min and max) is null.
   */
  atLeast?: { p50?: boolean[]; p95?: boolean[]; p99?: boolean[] };
  /** "distribution" only: how many values the step holds. */
  counts?: (number | null)[];
  /**
   * "value" of a gauge only, and only when some step held more than its last value: the least and
   * greatest value any point of the group held in the step (a TraceKit SDK gauge sends every change,
   * so a burst between two steps' ends shows here, not in `values`).
   */
  min?: (number | null)[];
  max?: (number | null)[];
  /** "quantiles" only: each quantile sent (key "0.5", "0.99"…) per step. */
  quantiles?: Record<string, (number | null)[]>;
}

export interface MetricExemplarJson {
  timeUnixNano: string;
  value: number;
  traceId: string | null;
  spanId: string | null;
  /** The label of the series it belongs to. */
  seriesLabel: string;
  /** The exemplar's own filtered attributes. */
  attributes: Attributes;
}

/**
 * GET /api/metrics/:name. Query: `since` / `until` (unix ms; default the last 15 minutes) or `window`
 * (a duration ending now: `90s`, `15m`, `6h`, `7d`; the Metrics page asks this way), `step`
 * (ms; default chosen for ~120 steps), `service`, `groupBy` (a data-point attribute key, or
 * `service.name`), `where` (`key=value`, repeatable), `chart` (one of the metric's `charts`; its
 * `chart` by default). An unknown name → 404.
 */
export interface MetricQueryResponse {
  metric: MetricCatalogEntryJson;
  /** The chart these series are for (the `chart` asked for, else the metric's). */
  chart?: MetricChart;
  /**
   * A distribution of several groups asked for with `stat`: the one percentile (or "mean": none) its
   * series carry beside their `values` and `counts`. Absent when they carry all three.
   */
  stat?: "p50" | "p95" | "p99" | "mean";
  /** Groups left out past the most one answer holds (500; the first by label are kept). */
  omittedSeries?: number;
  /**
   * Where the steps start: without a `step` asked for, steps are on the clock's grid (multiples of
   * `stepMs` since 1970, as Grafana asks for them), from the one holding `since` (so a window ending
   * now is cut alike at every request within a step, and a step that has ended reads the same each
   * time); with a `step`, `since` itself. For a `window` ending now over a metric younger than it, the
   * step before its oldest point instead (at least 12 of the window's default steps' length before the
   * end), and `startsAtData` says so.
   */
  fromUnixMs: number;
  startsAtData?: true;
  /**
   * With `startsAtData`: when the data of these series begins (the steps start up to 12 before it): their
   * oldest point's time, or the start time a counter's or a cumulative histogram's first point counts from.
   */
  firstPointUnixMs?: number;
  /** `until` (now, for a window ending now): the last step ends there or runs past it. */
  toUnixMs: number;
  stepMs: number;
  /** The start of each step, unix ms. */
  times: number[];
  groupBy: string | null;
  series: MetricSeriesJson[];
  /** "distribution" only: the buckets of all series together per step, for the heatmap. */
  heatmap?: {
    /** Upper bounds of the buckets; the last bucket is everything above the last bound. */
    bounds: number[];
    /** counts[step][bucket] */
    counts: number[][];
    /**
     * The least and greatest value recorded in the window (or, for cumulative histograms, since each
     * series started: bounds that hold them), when the senders reported them: they close the open
     * first and last buckets and bound percentiles read from the buckets.
     */
    min?: number;
    max?: number;
  };
  /**
   * "distribution" only, when the window holds values: the p50, p95 and p99 of every value in it, all
   * series together, estimated from the histograms themselves as each step's percentiles are (an
   * exponential histogram at its own scale, not from the heatmap's coarser rows); null when not known.
   * `atLeast` names those only known to be at least that (in an open last bucket with no max).
   */
  windowPercentiles?: {
    p50: number | null;
    p95: number | null;
    p99: number | null;
    atLeast?: { p50?: true; p95?: true; p99?: true };
  };
  /** Exemplars in the window (newest first, bounded), each linking a point to its trace. */
  exemplars: MetricExemplarJson[];
}

/** One GenAI call, as GET /api/llm lists it. */
export interface LlmCallJson {
  traceId: string;
  spanId: string;
  startTimeUnixNano: string;
  service: string;
  provider: string | null;
  operation: string | null;
  requestModel: string | null;
  cost: Omit<LlmCostJson, "pricesDate">;
  durationMs: number;
  timeToFirstTokenMs: number | null;
  finishReasons: string[];
  streaming: boolean | null;
  failed: boolean;
}

/** Calls grouped by model, service or everything (`key` "all"). */
export interface LlmGroupJson {
  key: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Input tokens count every input token; of them, those read from and written to a prompt cache. */
  cachedInputTokens: number;
  cacheWriteInputTokens: number;
  /** USD of the calls with a price; `unpriced` calls are not in it (their cost is unknown). */
  usd: number;
  unpriced: number;
  /** Calls that reported no token count: in `calls`, but their tokens and cost (unknown) are not in the sums. */
  noUsage: number;
  /** Of `noUsage`, the calls to a model without a price (counted in `unpriced` too). */
  unpricedNoUsage: number;
  failed: number;
  p50Ms: number;
  p95Ms: number;
}

/** One model's or service's calls, tokens (input + output) and USD per time bucket. */
export interface LlmSeriesJson {
  key: string;
  calls: number[];
  tokens: number[];
  usd: number[];
}

/** GET /api/llm: LLM calls in the window, totals per model and service, and over time. */
export interface LlmUsageResponse {
  /** When the bundled prices were taken (also `prices.bundledDate`). */
  pricesDate: string;
  /** The price table in use: the bundled one, and the `--prices` file over it with the models it set. */
  prices: { bundledDate: string; file: string | null; fileModels: string[] };
  totals: LlmGroupJson;
  byModel: LlmGroupJson[];
  byService: LlmGroupJson[];
  /** The services with calls in the window, whatever `service` picks (the page's service picker), by name. */
  services: string[];
  /**
   * Per time bucket (`stepMs` wide from `startMs`, unix ms), the costliest models and services
   * (at most 8 lines each; the rest add up to the line keyed "other").
   */
  timeline: { startMs: number; stepMs: number; buckets: number; byModel: LlmSeriesJson[]; byService: LlmSeriesJson[] };
  /** Newest first, at most `limit`. */
  calls: LlmCallJson[];
  /** Traces the calls belong to; `truncated` is always false (every stored call is counted). */
  tracesRead: number;
  truncated: boolean;
  /**
   * Present while the server still reads the spans a stored file held at start into what this answer
   * is made from (it answers from the spans read so far meanwhile): spans read of those stored.
   */
  building?: { spansRead: number; spansTotal: number };
}

/**
 * POST /api/import: the body is OTLP as kept in files (OTLP/JSON, JSON Lines, protobuf, the
 * Collector's length-prefixed protobuf; gzip told by its magic bytes). `?line=N` numbers the body's
 * first line N in `errors` (a client sending a file in batches). A body nothing could be read from → 400.
 */
export interface ImportResponse {
  /** Distinct traces the stored spans belong to. */
  traces: number;
  traceIds: string[];
  spans: number;
  logRecords: number;
  dataPoints: number;
  /** Items stored already (the file, or these items, imported before): not stored again. */
  alreadyStored: { spans: number; logRecords: number; dataPoints: number };
  /** Items refused (invalid ids, past the retention bound, ...). */
  rejected: number;
  /** Parts that could not be read, and the first reasons for rejected items (`rejectedItems` set). */
  errors: { where: string; message: string; rejectedItems?: number }[];
  /**
   * What retention evicted while the import was stored, to stay within `--max-spans` / `--max-logs`:
   * the oldest traces (perhaps of the file itself) and their spans, and log records.
   */
  evicted: { traces: number; spans: number; logRecords: number };
}

/** GET /api/service-map: services and what they call, with the calls between them. */
export interface ServiceMapResponse {
  nodes: {
    /** `service:<name>` for services (and hosts called by name), `database:`, `cache:`, `queue:`, `llm:` for the rest. */
    id: string;
    name: string;
    kind: "service" | "database" | "cache" | "queue" | "llm" | "external";
    /** Entry spans of a service, or calls into a node that sends no spans. */
    calls: number;
    errors: number;
    p50Ms: number;
    p95Ms: number;
  }[];
  edges: { from: string; to: string; calls: number; errors: number; p50Ms: number; p95Ms: number }[];
  tracesRead: number;
  truncated: boolean;
  /** Seconds between the earliest and latest span read (at least 1): rates are calls over it. */
  seconds: number;
  /**
   * Present while the server still reads the spans a stored file held at start into what this answer
   * is made from (it answers from the spans read so far meanwhile): spans read of those stored.
   */
  building?: { spansRead: number; spansTotal: number };
  /** Where to draw the map, when asked for with `layout=1` (the map page does). */
  layout?: ServiceMapLayoutJson;
}

/**
 * The service map laid out left to right: each node's box (its centre at x, y) by id, each edge's line
 * by `from>to` (calls of a node to itself have none), where the edge's numbers go (the centre of a
 * box on its line kept free of nodes, other lines' labels and lines), and the size of the drawing.
 * The same for the same nodes and edges, whatever the numbers on them.
 */
export interface ServiceMapLayoutJson {
  width: number;
  height: number;
  nodes: Record<string, { x: number; y: number; width: number; height: number }>;
  edges: Record<string, { x: number; y: number }[]>;
  labels: Record<string, { x: number; y: number }>;
}

/** A group of errors that started further down the calls (see ErrorGroupJson.startedBelow). */
export interface ErrorOriginJson {
  /** The group's id, as in `groups[].id` (it may be outside the answer's `limit`). */
  id: string;
  service: string;
  type: string;
  /** One of its errors' message, as it was (its first 4,096 characters). */
  message: string;
}

/**
 * One group of errors of GET /api/errors (see domain/error-fingerprint.ts for what is grouped). Its
 * texts are cut to their first 4,096 characters (the stack trace to 32,768): the sample's say how long
 * they were; the trace the sample names has them whole.
 */
export interface ErrorGroupJson {
  /** Stable for the same fingerprint (16 hex digits). */
  id: string;
  service: string;
  /** A recorded exception, or a failing span that recorded none. */
  kind: "exception" | "status";
  /** The exception's type, else `HTTP 503` / `gRPC 14` / the span's `error.type`, else `error`. */
  type: string;
  /** The message with numbers, ids, quoted values, emails and URLs replaced by `<n>`, `<hex>`, … */
  pattern: string;
  /**
   * The innermost frames that grouped it, `file:function`: the application's own code's, or, when its
   * stack holds none, the runtime's or a library's (`libraryFrames`).
   */
  frames: string[];
  /**
   * True when `frames` are the runtime's or a library's (`node:_http_client`, a dependency's file):
   * the stack has no frame of the application's own code, so none of them is where the app went wrong.
   */
  libraryFrames: boolean;
  /** Errors in the window. */
  count: number;
  /** Traces those errors are in: fewer than `count` when one request fails in several spans. */
  traces: number;
  firstSeenUnixNano: string;
  lastSeenUnixNano: string;
  /** Errors per bucket (see the response's bucket fields), oldest first. */
  sparkline: number[];
  /** Root service and name of the failing traces, most errors first (at most 5). */
  operations: { service: string; name: string; count: number }[];
  /**
   * Where they failed: the operations of the failing spans (all in `service`), most errors first (at
   * most 5), named as the Services page names operations: an entry span by its route (`POST /checkout`),
   * a call by its name and `peer`, who it calls (`POST /api/orders`, peer `checkout-api`), others by name.
   */
  failedIn: { kind: SpanKind; name: string; peer: string | null; count: number }[];
  /**
   * The newest failing traces, newest first, one per trace (at most 5): of a trace whose spans recorded
   * the error several times as it passed through them, the span that recorded it first, and when.
   */
  latest: {
    traceId: string;
    spanId: string;
    timeUnixNano: string;
    operation: { service: string; name: string };
  }[];
  /** The group's newest error, as it was: message and stack trace (text; "" when none). */
  sample: {
    message: string;
    stacktrace: string;
    /** The whole message's length when `message` is only its beginning; absent when it is whole. */
    messageLength?: number;
    /** The whole stack trace's length when `stacktrace` is only its beginning; absent when it is whole. */
    stacktraceLength?: number;
    traceId: string;
    spanId: string;
    timeUnixNano: string;
  };
  /**
   * Where its errors started when that was below them: in each of its newest traces looked at, a
   * span below the failing one failed first (the error was passed along up the calls), and these
   * are the groups of those deepest failures (at most 3). Empty when its errors start in their own
   * span; null when its traces were not looked at (past the answer's budget, over 5,000 spans, or evicted).
   */
  startedBelow: ErrorOriginJson[] | null;
}

/** GET /api/errors?since=&until=&service=&sort=lastSeen|count&limit=&cursor=&buckets=&bucketStart=&bucketNanos= */
export interface ErrorGroupsResponse {
  groups: ErrorGroupJson[];
  /** Pass back as `cursor` (with the same sort) for the groups after these; absent on the last page. */
  nextCursor?: string;
  /** In the window, all pages together. */
  totalGroups: number;
  totalErrors: number;
  /**
   * The traces those errors are in: fewer when a request fails in several spans; one with an exception
   * recorded on a span left OK is counted though the trace list does not count it as failing.
   */
  totalTraces: number;
  /**
   * The sparklines' axis, one for every group: the window asked for (ending now when it has no end);
   * without one, the traces stored (oldest start to newest end), widened to any error outside it.
   */
  bucketStartUnixNano: string;
  bucketNanos: string;
  buckets: number;
}
