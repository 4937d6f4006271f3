import { type Context, Hono } from "hono";
import { AppError, internalErrorAnswer } from "../domain/errors.js";
import type { PriceList } from "../domain/llm-prices.js";
import { type RecentRunServices, RUN_ROUTE, withoutRunPrefix } from "../domain/run-path.js";
import type { PeerNames } from "../domain/service-map.js";
import type { Forwarder } from "../forward/forwarder.js";
import type { CodeMonitoring } from "../ingest/code-monitoring.js";
import type { Ingest } from "../ingest/ingest.js";
import type { LogIngest } from "../ingest/logs.js";
import type { MetricIngest } from "../ingest/metrics.js";
import type { RejectionLog } from "../ingest/rejections.js";
import type { LiveHub } from "../live/hub.js";
import type { SdkStreams } from "../live/sdk-streams.js";
import type { ExportsInFlight, WorkTurns } from "../otlp/limits.js";
import type { CodeMonitoringStore } from "../store/code-monitoring-store.js";
import type { LogStore } from "../store/log-store.js";
import type { MetricStore } from "../store/metric-store.js";
import type { Store } from "../store/store.js";
import { storeUnavailableReason } from "../store/store-unavailable.js";
import { corsPreflight } from "./otlp-cors.js";
import { apiRoutes } from "./routes/api.js";
import { codeMonitoringApiRoutes } from "./routes/code-monitoring-api.js";
import { errorsApiRoutes } from "./routes/errors-api.js";
import { llmApiRoutes } from "./routes/llm-api.js";
import { logsApiRoutes } from "./routes/logs-api.js";
import { mcpRoutes } from "./routes/mcp.js";
import { metricsApiRoutes } from "./routes/metrics-api.js";
import { corsHeaders, encodingOf, refused, STORE_RETRY_AFTER_SECONDS } from "./routes/otlp.js";
import { otlpRoutes } from "./routes/otlp-routes.js";
import { sdkSnapshotRoutes } from "./routes/sdk-snapshots.js";
import { serviceMapApiRoutes } from "./routes/service-map-api.js";
import { transferRoutes } from "./routes/transfer-api.js";
import { webRoutes } from "./routes/web.js";
import { forbiddenHostBody, type HostPolicy } from "./security.js";

export interface ServerDeps {
  store: Store;
  /** The price table GenAI calls are priced at (`--prices`); the bundled one by default. */
  prices?: PriceList;
  /** `--service-name-mapping`: a peer's `host:port` or `host` → the name the service map shows. */
  peerNames?: PeerNames;
  hub: LiveHub;
  ingest: Ingest;
  logStore: LogStore;
  logIngest: LogIngest;
  metricIngest: MetricIngest;
  metricStore: MetricStore;
  rejections: RejectionLog;
  codeMonitoringStore: CodeMonitoringStore;
  codeMonitoring: CodeMonitoring;
  sdkStreams: SdkStreams;
  hostPolicy: HostPolicy;
  version: string;
  /** When the start began (ms since the epoch): /api/health's uptime counts from it. */
  startedAt: number;
  maxBodyBytes: number;
  /** See OtlpRouteDeps.strictSpanKinds. */
  strictSpanKinds?: boolean;
  /** See OtlpRouteDeps.workTurns. */
  workTurns?: WorkTurns;
  /** See OtlpRouteDeps.exports. */
  exports?: ExportsInFlight;
  /** See OtlpRouteDeps.holdYoungGeneration. */
  holdYoungGeneration?: () => () => void;
  /** See OtlpRouteDeps.recentRuns. */
  recentRuns?: RecentRunServices;
  dbPath: string | null;
  /** The built web app; defaults to dist/web beside the compiled server. */
  webRoot?: string;
  port(): number;
  baseUrl(): string;
  /** The extra OTLP listeners (`--otlp-http-port`, `--otlp-grpc-port`) with their real ports, or null. */
  otlpListeners(): { http: ListenerAddress | null; grpc: ListenerAddress | null };
  /**
   * A refused request, for the CLI to print: `method` when not POST (a read the `--db` file could not
   * serve), `rejectedItems` for a partly accepted export (see OtlpRouteDeps).
   */
  onClientError?(
    path: string,
    status: number,
    message: string,
    details?: { method?: string; rejectedItems?: number },
  ): void;
  /** Upstream forwarding (`--forward`): fed by the OTLP receivers, its state shown in health. */
  forward?: Forwarder;
  /** Unexpected failures (bugs), for the CLI to print; the request gets a 500 JSON error. */
  onInternalError?(error: unknown): void;
}

/** Where one listener is reached. */
export interface ListenerAddress {
  port: number;
  url: string;
}

function forbiddenHost(c: Context, host: string | undefined, port: number): Response {
  return c.json(forbiddenHostBody(host, port), 403);
}

/** The Host policy in front of every route, and nosniff on every answer. */
function guardHost(app: Hono, deps: Pick<ServerDeps, "hostPolicy" | "port">): void {
  app.use("*", async (c, next) => {
    const host = c.req.header("host");
    if (!deps.hostPolicy.allowsRequest(c.req.path, host)) return forbiddenHost(c, host, deps.port());
    await next();
    // No answer of the API, OTLP or SDK paths is ever read as another type than it says (web.ts sets its own).
    if (!c.res.headers.has("X-Content-Type-Options")) c.header("X-Content-Type-Options", "nosniff");
  });
}

/**
 * The one error mapping: AppError to its status and JSON (an SDK's refused request told to the CLI,
 * as OTLP's are: its app only logs it), anything else a 500 told to the CLI.
 */
function mapErrors(app: Hono, deps: Pick<ServerDeps, "onInternalError" | "onClientError">): void {
  app.onError((error, c) => {
    if (error instanceof AppError) {
      if (c.req.method === "POST" && withoutRunPrefix(c.req.path).startsWith("/sdk/")) {
        deps.onClientError?.(c.req.path, error.status, error.message);
      }
      return c.json({ error: { code: error.code, message: error.message, ...error.details } }, error.status);
    }
    // The --db file could not be used (a full disk when a read committed what was pending first, a
    // failed read): the condition of the file, not a bug, and the request may succeed later. Told as
    // a read or a write as the store marked it, else as what the request came to do.
    const reading = c.req.method === "GET" || c.req.method === "HEAD";
    const unavailable = storeUnavailableReason(error, reading ? "read" : "write");
    if (unavailable !== null) {
      const message = `${unavailable}; retry later`;
      deps.onClientError?.(c.req.path, 503, message, { method: c.req.method });
      return c.json({ error: { code: "store_unavailable", message } }, 503, {
        "Retry-After": String(STORE_RETRY_AFTER_SECONDS),
      });
    }
    deps.onInternalError?.(error);
    const { status, code, message } = internalErrorAnswer(error);
    return c.json({ error: { code, message } }, status);
  });
}

const UNDER_SIGNAL_PATH_RE = /^(.+?)(\/v1\/(?:traces|logs|metrics))$/;

/**
 * Why a POST to `path` found no OTLP receiver when it ends in a signal's path under another one (an
 * endpoint given with a path: `/v1/traces/v1/traces`), or null. `base`: the endpoint to give instead.
 */
export function misplacedOtlpPath(path: string, base: string): string | null {
  const match = UNDER_SIGNAL_PATH_RE.exec(path);
  if (match === null) return null;
  const [, prefix = "", signal = ""] = match;
  const doubled = /\/v1\/(?:traces|logs|metrics)$/.exec(prefix);
  return doubled !== null
    ? `the endpoint already ends in ${doubled[0]}; set OTEL_EXPORTER_OTLP_ENDPOINT to ${base}`
    : `OTLP/HTTP is received at ${signal}, not under ${prefix}; set OTEL_EXPORTER_OTLP_ENDPOINT to ${base}`;
}

/**
 * Where OTLP/HTTP is received, for an OTLP body sent to a path that takes none: a browser exporter
 * uses its `url` as given, and one without the signal's path posts to `/`.
 */
export const OTLP_PATHS_HINT =
  "OTLP/HTTP traces go to /v1/traces, logs to /v1/logs, metrics to /v1/metrics; the exporter's url must name the signal's path";

/**
 * A 404 for a POST that found no receiver but was meant for one: to a signal's path under another path,
 * or with an OTLP content type (protobuf or JSON) anywhere else. Counted and told to the CLI as a refused
 * export, and readable by a dev origin's page (its exporter logs the answer); null for any other request.
 */
function misplacedOtlpAnswer(
  c: Context,
  deps: Pick<ServerDeps, "baseUrl" | "onClientError" | "rejections" | "hostPolicy">,
): Response | null {
  if (c.req.method !== "POST") return null;
  const message =
    misplacedOtlpPath(c.req.path, deps.baseUrl()) ??
    (encodingOf(c.req.header("content-type")) === null ? null : OTLP_PATHS_HINT);
  if (message === null) return null;
  refused(deps, c.req.path, 404, message);
  return c.json(
    { error: { code: "not_found", message: `nothing at POST ${c.req.path}: ${message}` } },
    404,
    corsHeaders(c.req.header("origin"), deps.hostPolicy),
  );
}

/** The whole HTTP surface as a Hono app; listening is the caller's business. */
export function createServer(deps: ServerDeps): Hono {
  const app = new Hono();
  guardHost(app, deps);
  app.use("*", corsPreflight(deps));

  app.route("/", otlpRoutes(deps));
  app.route("/", apiRoutes(deps));
  app.route("/", codeMonitoringApiRoutes(deps));
  app.route("/", logsApiRoutes(deps));
  app.route("/", llmApiRoutes(deps));
  app.route("/", errorsApiRoutes(deps));
  app.route("/", serviceMapApiRoutes(deps));
  app.route("/", metricsApiRoutes(deps));
  app.route("/", sdkSnapshotRoutes(deps));
  // A run's endpoint (domain/run-path.ts): what a TraceKit SDK sends, which the OTLP routes tag with the run.
  app.route(RUN_ROUTE, otlpRoutes(deps));
  app.route(RUN_ROUTE, sdkSnapshotRoutes(deps));
  app.route("/", transferRoutes(deps));
  app.route("/", mcpRoutes({ ...deps, requestApi: async (path, host) => app.request(path, { headers: { host } }) }));

  app.all("/api/*", (c) => {
    throw new AppError(404, "not_found", `no API endpoint ${c.req.method} ${c.req.path}`);
  });
  app.route(
    "/",
    webRoutes({
      ...(deps.webRoot !== undefined ? { webRoot: deps.webRoot } : {}),
      metricStored: (name) => deps.metricStore.metric(name) !== undefined,
    }),
  );

  mapErrors(app, deps);
  app.notFound(
    (c) =>
      misplacedOtlpAnswer(c, deps) ??
      c.json({ error: { code: "not_found", message: `nothing at ${c.req.method} ${c.req.path}` } }, 404),
  );

  return app;
}

/**
 * The second OTLP/HTTP port (`--otlp-http-port`): the same receiver (routes, Host policy, CORS,
 * limits) and nothing else; the UI and `/api` stay on the main port, which a 404 here names.
 */
export function createOtlpOnlyServer(deps: ServerDeps): Hono {
  const app = new Hono();
  guardHost(app, deps);
  app.use("*", corsPreflight(deps));
  app.route("/", otlpRoutes(deps));
  mapErrors(app, deps);
  app.notFound(
    (c) =>
      misplacedOtlpAnswer(c, deps) ??
      c.json(
        {
          error: {
            code: "not_found",
            message: `nothing at ${c.req.method} ${c.req.path}: this port takes only OTLP/HTTP (POST /v1/traces, /v1/logs, /v1/metrics); the UI and API are at ${deps.baseUrl()}`,
          },
        },
        404,
      ),
  );
  return app;
}
