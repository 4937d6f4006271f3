import { type SpanContext, SpanKind } from "@opentelemetry/api";
import {
  httpClientAttributes,
  httpServerAttributes,
  type PostgresQuery,
  postgresAttributes,
  redisAttributes,
} from "../attributes.js";
import type { DemoCheckoutCapture } from "../code-monitoring.js";
import { type DemoException, DemoSpan } from "../demo-span.js";
import type { DemoTracers } from "../providers.js";
import type { Random } from "../random.js";
import { type DemoService, type HttpService, SERVICE_PORTS } from "../services.js";

export interface ScenarioInput {
  tracers: DemoTracers;
  random: Random;
  /** Epoch milliseconds at which the trace starts. */
  at: number;
  recent: RecentSpans;
  /** checkout-api's `captureSnapshot("checkout", ...)`: the Snapshots page's demo data. */
  snapshots?: { checkout(capture: DemoCheckoutCapture): void };
}

export interface Scenario {
  name: string;
  /** Relative frequency in the traffic mix. */
  weight: number;
  /** Lays out and ends every span of one trace. */
  run(input: ScenarioInput): void;
}

/** Spans of earlier traces that later ones link to (a batch job links the orders it picks up). */
export interface RecentSpans {
  remember(span: SpanContext): void;
  latest(count: number): SpanContext[];
}

export function createRecentSpans(limit = 20): RecentSpans {
  const spans: SpanContext[] = [];
  return {
    remember(span) {
      spans.push(span);
      if (spans.length > limit) spans.shift();
    },
    latest: (count) => spans.slice(-count),
  };
}

export interface HttpOutcome {
  /** When the server finished answering. */
  end: number;
  status: number;
  /** Recorded on the server span when it failed. */
  exception?: DemoException;
}

export interface ServiceCall {
  from: DemoService;
  to: HttpService;
  method: string;
  route: string;
  path: string;
  query?: string;
}

const STATUS_TEXT: Record<number, string> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** Sets what an HTTP server instrumentation records once the response is known. */
export function answerRequest(
  server: DemoSpan,
  outcome: HttpOutcome,
  request: { method: string; route: string; path: string; port: number; userAgent?: string; query?: string },
): number {
  server.set(httpServerAttributes({ ...request, status: outcome.status }));
  // Servers mark only 5xx as errors: a 4xx is the client's fault, not the server's.
  if (outcome.exception !== undefined) server.fail(outcome.end, outcome.exception);
  else if (outcome.status >= 500) server.failStatus(String(outcome.status), STATUS_TEXT[outcome.status] ?? "");
  return server.end(outcome.end);
}

/**
 * One service calling another over HTTP: a CLIENT span in the caller whose context reaches the
 * callee, which starts its SERVER span under it. `handle` lays out the callee's work.
 */
export function callService(
  input: ScenarioInput,
  parent: DemoSpan,
  call: ServiceCall,
  at: number,
  handle: (server: DemoSpan, at: number) => HttpOutcome,
): HttpOutcome {
  const { tracers, random } = input;
  const port = SERVICE_PORTS[call.to];
  const client = parent.child(tracers.tracer(call.from, "http"), `${call.method} ${call.route}`, at, {
    kind: SpanKind.CLIENT,
  });
  const serverStart = at + random.between(0.3, 1.2);
  const server = client.remote(tracers.tracer(call.to, "http"), `${call.method} ${call.route}`, serverStart, {
    kind: SpanKind.SERVER,
  });
  const outcome = handle(server, serverStart + random.between(0.05, 0.4));
  answerRequest(server, outcome, { ...call, port, userAgent: "undici" });
  client.set(
    httpClientAttributes({
      method: call.method,
      url: `http://localhost:${port}${call.path}${call.query !== undefined ? `?${call.query}` : ""}`,
      template: call.route,
      status: outcome.status,
      peerService: call.to,
    }),
  );
  if (outcome.status >= 400) client.failStatus(String(outcome.status), `HTTP ${outcome.status}`);
  return { ...outcome, end: client.end(outcome.end + random.between(0.2, 0.9)) };
}

/** A call to a host outside the simulated system; only the caller's CLIENT span exists. */
export function callExternal(
  input: ScenarioInput,
  parent: DemoSpan,
  service: DemoService,
  request: { method: string; url: string; template: string; status?: number; durationMs: number },
  at: number,
  exception?: DemoException,
): number {
  const url = new URL(request.url);
  const client = parent.child(input.tracers.tracer(service, "http"), `${request.method} ${url.hostname}`, at, {
    kind: SpanKind.CLIENT,
  });
  client.set(
    httpClientAttributes({
      method: request.method,
      url: request.url,
      template: request.template,
      status: request.status,
    }),
  );
  const end = at + request.durationMs;
  if (exception !== undefined) client.fail(end, exception);
  else if (request.status !== undefined && request.status >= 400) {
    client.failStatus(String(request.status), `HTTP ${request.status}`);
  }
  return client.end(end);
}

/** The span of a Postgres query made by `service` under `parent`; the caller ends it. */
export function postgresQuery(
  input: ScenarioInput,
  service: DemoService,
  parent: DemoSpan,
  at: number,
  query: PostgresQuery,
): DemoSpan {
  return parent.child(input.tracers.tracer(service, "pg"), `${query.operation} ${query.collection}`, at, {
    kind: SpanKind.CLIENT,
    attributes: postgresAttributes(query),
  });
}

/** Runs a Postgres query that takes about `typicalMs`; returns when it ended. */
export function queryPostgres(
  input: ScenarioInput,
  service: DemoService,
  parent: DemoSpan,
  at: number,
  query: PostgresQuery,
  typicalMs: number,
): number {
  return postgresQuery(input, service, parent, at, query).end(at + input.random.latency(typicalMs));
}

/** A Redis command (as redis-cli shows it) made by `service` under `parent`. */
export function redisCommand(
  input: ScenarioInput,
  service: DemoService,
  parent: DemoSpan,
  at: number,
  command: string,
): DemoSpan {
  const name = (command.split(" ")[0] ?? command).toLowerCase();
  return parent.child(input.tracers.tracer(service, "redis"), name, at, {
    kind: SpanKind.CLIENT,
    attributes: redisAttributes(command),
  });
}

/** Runs a Redis command that simply answers; returns when it ended. */
export function runRedis(
  input: ScenarioInput,
  service: DemoService,
  parent: DemoSpan,
  at: number,
  command: string,
  typicalMs = 0.4,
): number {
  return redisCommand(input, service, parent, at, command).end(at + input.random.latency(typicalMs));
}

const USER_AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
] as const;

export interface PageRequest {
  method: string;
  route: string;
  path: string;
  query?: string;
}

/** A request to the web frontend: the SERVER span that starts the trace. */
export function serveFrontend(
  input: ScenarioInput,
  request: PageRequest,
  handle: (root: DemoSpan, at: number) => HttpOutcome,
): void {
  const { random } = input;
  const root = DemoSpan.root(
    input.tracers.tracer("web-frontend", "http"),
    `${request.method} ${request.route}`,
    input.at,
    {
      kind: SpanKind.SERVER,
    },
  );
  const outcome = handle(root, input.at + random.between(0.2, 1));
  answerRequest(root, outcome, {
    ...request,
    port: SERVICE_PORTS["web-frontend"],
    userAgent: random.pick(USER_AGENTS),
  });
}

/** The frontend turning data into HTML after its API calls. */
export function renderPage(input: ScenarioInput, root: DemoSpan, at: number, component: string): number {
  const span = root.child(input.tracers.tracer("web-frontend", "app"), `render ${component}`, at, {
    attributes: { "app.render.component": component, "app.render.streaming": input.random.chance(0.5) },
  });
  return span.end(at + input.random.latency(6));
}

/** A short pause between two steps of the same handler (code running between the calls). */
export function gap(input: ScenarioInput): number {
  return input.random.between(0.05, 0.6);
}
