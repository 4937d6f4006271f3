import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Hono } from "hono";
import type { Config } from "./config.js";
import type { Forwarder } from "./forward/forwarder.js";
import type { ForwardEvent } from "./forward/target.js";
import { startHeapCompaction } from "./heap-compaction.js";
import { type CodeMonitoringEvent, createCodeMonitoring } from "./ingest/code-monitoring.js";
import { createIngest } from "./ingest/ingest.js";
import { createLogIngest } from "./ingest/logs.js";
import { createMetricIngest } from "./ingest/metrics.js";
import { createRejectionLog, GRPC_CONNECTION_PATH } from "./ingest/rejections.js";
import { createServiceColors } from "./ingest/service-colors.js";
import { FIRST_UI_SOCKET_PATH, firstUiClient } from "./live/first-ui-feed.js";
import { createLiveHub } from "./live/hub.js";
import { createSdkStreams } from "./live/sdk-streams.js";
import { attachLiveSocket } from "./live/websocket.js";
import { ExportsInFlight, WorkTurns } from "./otlp/limits.js";
import { createNodeListener } from "./server/node-listener.js";
import type { OtlpGrpcServer } from "./server/otlp-grpc.js";
import { createHostPolicy } from "./server/security.js";
import type { ServerDeps } from "./server/server.js";
import { openStores, StoreOpenError } from "./store/open-store.js";
import { DEFAULT_MAX_SPANS, DEFAULT_TRACE_LIMIT, type Store } from "./store/store.js";
import { packageVersion } from "./version.js";

/** Notable things the CLI prints a line for; the app itself never prints. */
export type AppEvent =
  | { type: "new-service"; service: string }
  /**
   * A refused request; `method` when not POST (a read the `--db` file could not serve). A 200 is a
   * partly accepted export: `rejectedItems` when it rejected some, else a warning (nothing rejected).
   */
  | { type: "client-error"; path: string; status: number; message: string; method?: string; rejectedItems?: number }
  | { type: "internal-error"; error: unknown }
  /** An upstream of `--forward` started failing, recovered, or had batches dropped. */
  | { type: "forward"; event: ForwardEvent }
  /** A `--db` file from an older version gets its per-operation statistics filled in, once: before (ms null) and after. */
  | { type: "statistics-fill"; spans: number; ms: number | null }
  /** The app is stopping and `--forward` still holds batches: it tries to send them for up to `graceMs`. */
  | { type: "forward-flushing"; batches: number; bytes: number; graceMs: number }
  /** Batches `--forward` still held when the app stopped (after a short grace period to send them). */
  | { type: "forward-stopped"; batches: number; bytes: number }
  /** Breakpoints registered, remade, switched or capturing, and the kill switch (see CodeMonitoringEvent). */
  | { type: "code-monitoring"; event: CodeMonitoringEvent }
  /** A service's SDKs started listening live for breakpoint changes (`streams` open), or stopped (0). */
  | { type: "sdk-listening"; service: string; streams: number; killSwitch: boolean }
  /** The `--db` file is held by another process (often a tracekit-local still closing): waiting up to `ms`. */
  | { type: "db-busy"; path: string; ms: number }
  /** An OTLP/gRPC exporter sent to an HTTP port (`port`); `grpcPort` is the one for it, if listening. */
  | { type: "grpc-on-http"; port: number; grpcPort: number | null }
  /** An HTTP/1.1 request (most often an OTLP/HTTP exporter) on the gRPC port; `httpPort` takes OTLP/HTTP. */
  | { type: "http-on-grpc"; port: number; httpPort: number; method: string; path: string };

/** How long a start waits for a `--db` file another process holds: a stopping tracekit-local takes ~1.5 s. */
const DB_BUSY_WAIT_MS = 5_000;
const DB_BUSY_RETRY_MS = 200;

/**
 * openStores, waiting while the `--db` file is held by another process (restarting right after
 * Ctrl+C, while the old instance still writes and closes it); told once through `onBusy`.
 */
async function openStoresWaiting(
  options: Parameters<typeof openStores>[0],
  onBusy: (ms: number) => void,
): ReturnType<typeof openStores> {
  const deadline = Date.now() + DB_BUSY_WAIT_MS;
  for (let told = false; ; ) {
    try {
      return await openStores(options);
    } catch (error) {
      if (!(error instanceof StoreOpenError && error.busy) || Date.now() >= deadline) throw error;
      if (!told) onBusy(DB_BUSY_WAIT_MS);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, DB_BUSY_RETRY_MS));
    }
  }
}

export interface RunningApp {
  /** The UI, e.g. http://localhost:9999 (with the real port when 0 was asked for). */
  url: string;
  /** What OTEL_EXPORTER_OTLP_ENDPOINT should be set to. */
  otlpEndpoint: string;
  port: number;
  /** The same OTLP/HTTP receiver on its second port (`--otlp-http-port`), or null. */
  otlpHttpEndpoint: string | null;
  /** OTLP/gRPC (`--otlp-grpc-port`), or null. */
  otlpGrpcEndpoint: string | null;
  /** What the stores hold now: at start, what a `--db` file brought back. */
  stored(): StoredCounts;
  close(): Promise<void>;
}

export interface StoredCounts {
  traces: number;
  spans: number;
  logs: number;
  metricSeries: number;
  snapshots: number;
  breakpoints: number;
}

/** An extra OTLP port could not be listened on; `code` is the errno code (EADDRINUSE…) when known. */
export class ExtraPortError extends Error {
  override name = "ExtraPortError";
  constructor(
    readonly flag: "--otlp-http-port" | "--otlp-grpc-port",
    readonly port: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** Names by which apps in containers reach the machine they run on. */
const CONTAINER_HOST_NAMES = new Set(["host.docker.internal", "gateway.docker.internal", "host.containers.internal"]);

/** The host part of a URL people click: loopback and wildcard addresses read best as localhost. */
function displayHost(host: string): string {
  if (host === "127.0.0.1" || host === "0.0.0.0" || host === "::" || host === "::1" || host === "localhost") {
    return "localhost";
  }
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Whether the spans held in the heap make a large store (see startHeapCompaction's `largeStore`):
 * only the memory store keeps them there. A bound above the default asks for a large store; from
 * half the default on, its heap has grown enough for V8's slack between collections to cost ~100 MB.
 */
export function holdsLargeStore(store: Pick<Store, "kind" | "stats">, defaultMaxSpans = DEFAULT_MAX_SPANS): boolean {
  if (store.kind !== "memory") return false;
  const { spans, maxSpans } = store.stats();
  return maxSpans > defaultMaxSpans && spans > defaultMaxSpans / 2;
}

/**
 * Composition root: stores → hub → SDK streams → ingest and code monitoring → server → listening
 * socket. close() undoes it in reverse.
 */
export async function startApp(config: Config, onEvent: (event: AppEvent) => void = () => {}): Promise<RunningApp> {
  const startedAt = Date.now();
  const {
    store,
    codeMonitoring: codeMonitoringStore,
    logs: logStore,
    metrics: metricStore,
    serviceColors: keptServiceColors,
  } = await openStoresWaiting(
    {
      dbPath: config.dbPath,
      maxSpans: config.maxSpans,
      maxLogs: config.maxLogs,
      metrics: { maxSeries: config.maxMetricSeries },
      peerNames: config.peerNames,
      onStatisticsFill: (fill) => onEvent({ type: "statistics-fill", ...fill }),
      ...(config.onDatabasePragma === undefined ? {} : { onDatabasePragma: config.onDatabasePragma }),
    },
    (ms) => onEvent({ type: "db-busy", path: config.dbPath ?? "", ms }),
  );
  const hub = createLiveHub({
    getSummaries: (ids) => store.getSummaries(ids),
    getLatest: () => store.listTraces({ limit: DEFAULT_TRACE_LIMIT }).traces,
    prices: config.prices,
  });
  // A --db file gives back the colours of earlier runs; services it holds without one (a file from
  // before colours were kept) take theirs next, by name (see domain/service-colors.ts).
  const serviceColors = createServiceColors(hub, keptServiceColors);
  for (const service of store.listServices()) serviceColors.see(service.name);
  let listening: Record<string, number> = {};
  const sdkStreams = createSdkStreams({
    onChange: () => {
      codeMonitoring.sdkConnectionsChanged();
      // The terminal hears when a service starts or stops listening, not of every stream.
      const now = sdkStreams.counts();
      for (const service of new Set([...Object.keys(listening), ...Object.keys(now)])) {
        const streams = now[service] ?? 0;
        if ((listening[service] ?? 0) === 0 || streams === 0)
          onEvent({ type: "sdk-listening", service, streams, killSwitch: codeMonitoringStore.killSwitch() });
      }
      listening = now;
    },
  });
  const codeMonitoring = createCodeMonitoring({
    store: codeMonitoringStore,
    hub,
    streams: sdkStreams,
    onEvent: (event) => onEvent({ type: "code-monitoring", event }),
  });
  const hostPolicy = createHostPolicy(config.host);
  let port = config.port;
  const otlpPorts: { http: number | null; grpc: number | null } = { http: null, grpc: null };
  const ingest = createIngest(
    store,
    hub,
    { newService: (service) => onEvent({ type: "new-service", service }) },
    {
      maxSpans: config.maxSpans,
      serviceColors,
      ownAddress: {
        get port() {
          return port;
        },
        get otlpHttpPort() {
          return otlpPorts.http;
        },
        isOwnHost: (host) => hostPolicy.isAllowedHost(host) || (hostPolicy.wildcard && CONTAINER_HOST_NAMES.has(host)),
      },
    },
  );
  const forward: Forwarder | undefined =
    config.forward.length === 0
      ? undefined
      : // Loaded only with --forward.
        (await import("./forward/forwarder.js")).createForwarder(
          // OTLP asks an exporter to say what it is in a User-Agent; a --forward-header can set another.
          config.forward.map((target) => ({
            ...target,
            headers: { "User-Agent": `tracekit-local/${packageVersion()}`, ...target.headers },
          })),
          {
            event: (event) => onEvent({ type: "forward", event }),
            dropsChanged: () =>
              hub.publishState("forwarding-drops", () => ({
                type: "forwarding-drops",
                targets: (forward?.status() ?? []).map((target) => ({
                  url: target.url,
                  dropped: target.dropped.queueFull + target.dropped.rejected + target.dropped.shutdown,
                  rejectedItems: target.rejectedItems,
                  lastError: target.lastError?.message ?? null,
                })),
              })),
          },
          config.forwardTuning,
        );
  const urlOf = (listenPort: number) => `http://${displayHost(config.host)}:${listenPort}`;
  const baseUrl = () => urlOf(port);

  const exports = new ExportsInFlight();
  const serverDeps: ServerDeps = {
    store,
    prices: config.prices,
    peerNames: config.peerNames,
    hub,
    ingest,
    logStore,
    logIngest: createLogIngest(logStore, hub, serviceColors),
    metricIngest: createMetricIngest(metricStore, hub),
    metricStore,
    rejections: createRejectionLog(hub),
    codeMonitoringStore,
    codeMonitoring,
    sdkStreams,
    hostPolicy,
    version: packageVersion(),
    startedAt,
    maxBodyBytes: config.maxBodyBytes,
    strictSpanKinds: config.strictSpanKinds,
    workTurns: new WorkTurns(),
    exports,
    dbPath: config.dbPath,
    port: () => port,
    baseUrl,
    otlpListeners: () => ({
      http: otlpPorts.http === null ? null : { port: otlpPorts.http, url: urlOf(otlpPorts.http) },
      grpc: otlpPorts.grpc === null ? null : { port: otlpPorts.grpc, url: urlOf(otlpPorts.grpc) },
    }),
    onClientError: (path, status, message, details = {}) =>
      onEvent({ type: "client-error", path, status, message, ...details }),
    forward,
    onInternalError: (error) => onEvent({ type: "internal-error", error }),
  };
  // The Hono apps are made by their first request that is not an OTLP export (see createNodeListener),
  // or, for the main port, once it listens and before the URL is printed (below).
  const listenerFor = (app: (server: typeof import("./server/server.js")) => Hono) =>
    createNodeListener({
      app: () => import("./server/server.js").then(app),
      otlp: serverDeps,
      hostPolicy,
      port: () => port,
      hostname: config.host,
      onInternalError: serverDeps.onInternalError,
    });

  let main: HttpListener | null = null;
  let extraHttp: HttpListener | null = null;
  let grpc: OtlpGrpcServer | null = null;
  const stopListeners = async () => {
    // Reverse order of start: gRPC, the second OTLP/HTTP port, then the main server.
    await grpc?.close();
    await extraHttp?.stop();
    await main?.stop();
  };
  // The main port listens first, so that a start on a taken port (most often one a tracekit-local already
  // runs on) is told as such; but its answers, /api/health's above all, wait until the extra OTLP ports
  // are bound too: a client that waits for health and then sends to --otlp-grpc-port must find it there.
  const held = config.otlpHttpPort === null && config.otlpGrpcPort === null ? null : holdRequests();
  try {
    const mainListener = listenerFor((server) => server.createServer(serverDeps));
    // Counted with the other refusals (the line printed is the event's, not a refusal's), as a connection
    // under `*`, the target of HTTP/2's preface: the gRPC method is in the HTTP/2 frames that follow,
    // which are not read.
    const grpcSent = (onPort: () => number) => () => {
      const sentTo = onPort();
      const fix =
        otlpPorts.grpc === null
          ? "set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, or start with --otlp-grpc-port 4317"
          : `send OTLP/gRPC to port ${otlpPorts.grpc}, or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`;
      serverDeps.rejections.record({
        path: GRPC_CONNECTION_PATH,
        status: 400,
        message: `port ${sentTo} receives OTLP/HTTP only; ${fix}`,
      });
      onEvent({ type: "grpc-on-http", port: sentTo, grpcPort: otlpPorts.grpc });
    };
    main = await listenHttp(
      held?.listener ?? mainListener.listener,
      config.port,
      config.host,
      grpcSent(() => port),
    );
    port = main.port;
    // Before the caller prints the URL, with the port already taken: loading Hono's adapter is one long
    // turn (Node's fetch compiled: 60-100 ms, several hundred on a busy machine), and a TraceKit SDK
    // started with this server probes /api/health once, giving up after 0.5 s. Loaded after the URL, it
    // made a health request sent as the URL was printed wait a median 78 ms (memory) and 242 ms (a
    // 350,000-span --db file, whose views build shares the turns), up to 670 ms; loaded here, 27 and
    // 55 ms, for the URL ~25 ms later. A request that comes meanwhile waits. A failure is told once and
    // answered to each request (see createNodeListener); the start goes on.
    await mainListener.preload();
    if (config.otlpHttpPort !== null) {
      extraHttp = await listenHttp(
        listenerFor((server) => server.createOtlpOnlyServer(serverDeps)).listener,
        config.otlpHttpPort,
        config.host,
        grpcSent(() => otlpPorts.http ?? 0),
      ).catch((error: unknown) => {
        throw extraPortError("--otlp-http-port", config.otlpHttpPort ?? 0, error);
      });
      otlpPorts.http = extraHttp.port;
    }
    if (config.otlpGrpcPort !== null) {
      // grpc-js is loaded only when asked for: it would add to every start.
      const { startOtlpGrpcServer } = await import("./server/otlp-grpc.js");
      grpc = await startOtlpGrpcServer({
        otlp: serverDeps,
        host: config.host,
        port: config.otlpGrpcPort,
        httpPort: () => otlpPorts.http ?? port,
        onHttpRequest: (method, path) =>
          onEvent({ type: "http-on-grpc", port: otlpPorts.grpc ?? 0, httpPort: otlpPorts.http ?? port, method, path }),
        onInternalError: serverDeps.onInternalError,
        timeouts: config.grpcPortTimeouts,
      }).catch((error: unknown) => {
        throw extraPortError("--otlp-grpc-port", config.otlpGrpcPort ?? 0, error);
      });
      otlpPorts.grpc = grpc.port;
    }
    held?.open(mainListener.listener);
  } catch (error) {
    held?.fail();
    await stopListeners();
    await forward?.close(0);
    codeMonitoring.close();
    sdkStreams.close();
    hub.close();
    codeMonitoringStore.close();
    logStore.close();
    metricStore.close();
    store.close();
    throw error;
  }
  const server = main.server;

  const live = attachLiveSocket(server, {
    hub,
    path: "/api/live",
    otherPaths: { [FIRST_UI_SOCKET_PATH]: firstUiClient },
    onInternalError: serverDeps.onInternalError,
    authorize(request) {
      if (!hostPolicy.isAllowedHost(request.headers.host))
        return `Host "${request.headers.host ?? ""}" is not this server`;
      const origin = request.headers.origin;
      if (origin !== undefined && !hostPolicy.isOwnOrigin(origin, port)) {
        return `the live feed is only for this app's own page, not ${origin}`;
      }
      return true;
    },
  });

  const heapCompaction = startHeapCompaction({ largeStore: () => holdsLargeStore(store) });
  server.on("request", () => heapCompaction.touch());

  let closing: Promise<void> | null = null;
  return {
    url: baseUrl(),
    otlpEndpoint: baseUrl(),
    port,
    otlpHttpEndpoint: otlpPorts.http === null ? null : urlOf(otlpPorts.http),
    otlpGrpcEndpoint: otlpPorts.grpc === null ? null : urlOf(otlpPorts.grpc),
    stored() {
      const { traces, spans } = store.stats();
      const { snapshots, breakpoints } = codeMonitoringStore.stats();
      return {
        traces,
        spans,
        logs: logStore.stats().logs,
        metricSeries: metricStore.stats().series,
        snapshots,
        breakpoints,
      };
    },
    close() {
      closing ??= (async () => {
        heapCompaction.close();
        // A large export goes on in slices: its connection is kept until it is answered (stored, or
        // refused past the grace), and the stores close after it.
        const exportsSettled = exports.settle(EXPORTS_STOP_GRACE_MS);
        // The extra OTLP listeners only feed ingest: they stop first, while the hub and stores still run.
        await grpc?.close(exportsSettled);
        await extraHttp?.stop(exportsSettled);
        live.close();
        // Open SDK event streams would hold server.close() open; ending them sends the SDKs back to polling.
        codeMonitoring.close();
        sdkStreams.close();
        hub.close();
        await main?.stop(exportsSettled);
        // One that began on a connection kept open since is stopped at its next pause.
        await exports.settle(0);
        // Nothing is received any more: what is queued gets a short time to reach the upstream.
        if (forward !== undefined) {
          const unsent = forward.unsent();
          if (unsent.batches > 0) onEvent({ type: "forward-flushing", ...unsent, graceMs: forward.closeGraceMs });
          const dropped = await forward.close();
          if (dropped.batches > 0) onEvent({ type: "forward-stopped", ...dropped });
        }
        codeMonitoringStore.close();
        logStore.close();
        metricStore.close();
        store.close();
      })();
      return closing;
    },
  };
}

function extraPortError(flag: ExtraPortError["flag"], port: number, error: unknown): ExtraPortError {
  const code = (error as NodeJS.ErrnoException).code;
  return new ExtraPortError(flag, port, code, (error as Error).message);
}

/**
 * A request listener that holds requests until open() hands them, and those after, to the real one;
 * after fail() they are answered 503 (the app did not start).
 */
function holdRequests(): { listener: RequestListener; open(listener: RequestListener): void; fail(): void } {
  const waiting: [IncomingMessage, ServerResponse][] = [];
  let next: RequestListener | null = null;
  const passTo = (listener: RequestListener) => {
    next = listener;
    for (const [request, response] of waiting.splice(0)) listener(request, response);
  };
  return {
    listener(request, response) {
      if (next === null) waiting.push([request, response]);
      else next(request, response);
    },
    open: passTo,
    fail: () =>
      passTo((_request, response) => {
        response.writeHead(503, { "Content-Type": "application/json", Connection: "close" });
        response.end(JSON.stringify({ error: { code: "unavailable", message: "tracekit-local did not start" } }));
      }),
  };
}

/** A listening HTTP server whose stop() also ends idle keep-alive sockets. */
interface HttpListener {
  server: Server;
  port: number;
  /** Stops listening; connections still open SOCKET_GRACE_MS after `exportsSettled` are dropped. */
  stop(exportsSettled?: Promise<void>): Promise<void>;
}

/** How long a stopping server's open connections get once its exports settled (a long read, a slow client). */
const SOCKET_GRACE_MS = 2000;

/**
 * How long a stopping server waits for exports in flight (a large one is decoded and stored in slices
 * for seconds) before it refuses them (503, which senders retry); within the CLI's 10 s limit, with
 * the 2 s that forwarding then gets.
 */
const EXPORTS_STOP_GRACE_MS = 5000;

/** The first bytes of every HTTP/2 connection, which OTLP/gRPC exporters open. */
const HTTP2_PREFACE = "PRI * HTTP/2.0";

/**
 * A request Node's HTTP/1 parser refused: `onGrpc` when it was an HTTP/2 connection (an OTLP/gRPC
 * exporter sent to this port), then the answer Node gives by itself, which a 'clientError' listener
 * replaces: 400 (431, 408 for their codes) unless a response is under way, and the socket destroyed.
 */
function refuseUnparsable(error: Error & { code?: string; rawPacket?: Buffer }, socket: Socket, onGrpc: () => void) {
  if (error.rawPacket?.subarray(0, HTTP2_PREFACE.length).toString("latin1") === HTTP2_PREFACE) onGrpc();
  // Node's own check (lib/_http_server.js, socketOnError): the response in flight on this socket.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && inFlight?.headersSent !== true) {
    const status =
      error.code === "HPE_HEADER_OVERFLOW"
        ? "431 Request Header Fields Too Large"
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? "408 Request Timeout"
          : "400 Bad Request";
    socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  }
  socket.destroy(error);
}

function listenHttp(
  listener: RequestListener,
  listenPort: number,
  host: string,
  onGrpc: () => void,
): Promise<HttpListener> {
  return new Promise((resolve, reject) => {
    const server = createHttpServer(listener);
    server.on("clientError", (error: Error, socket: Socket) => refuseUnparsable(error, socket, onGrpc));
    // Exporters keep connections open between batches; a short server-side idle timeout races
    // with their next request and shows up as ECONNRESET on the client.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    const sockets = new Set<Socket>();
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    let stopped: Promise<void> | null = null;
    const stop = (exportsSettled = Promise.resolve()) => {
      stopped ??= new Promise<void>((done) => {
        // Idle keep-alive sockets would hold close() open; requests in flight (and the event
        // streams just ended) finish first, and their sockets are closed as soon as they go idle.
        const sweep = setInterval(() => server.closeIdleConnections?.(), 25);
        server.close(() => {
          clearInterval(sweep);
          done();
        });
        server.closeIdleConnections?.();
        void exportsSettled.then(() => {
          setTimeout(() => {
            for (const socket of sockets) socket.destroy();
          }, SOCKET_GRACE_MS).unref();
        });
      });
      return stopped;
    };
    server.once("listening", () => resolve({ server, port: (server.address() as AddressInfo).port, stop }));
    server.once("error", (error) => reject(error));
    server.listen(listenPort, host);
  });
}
