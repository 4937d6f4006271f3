import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Hono } from "hono";
import type { Config } from "./config.js";
import { RecentRunServices } from "./domain/run-path.js";
import type { Forwarder, ForwardStopDrops } from "./forward/forwarder.js";
import type { ForwardEvent } from "./forward/target.js";
import { lazyYoungCollection, startHeapCompaction, youngGenerationHold } from "./heap-compaction.js";
import { type CodeMonitoringEvent, createCodeMonitoring } from "./ingest/code-monitoring.js";
import { createIngest } from "./ingest/ingest.js";
import { createLogIngest } from "./ingest/logs.js";
import { createMetricIngest } from "./ingest/metrics.js";
import { createRejectionLog, GRPC_CONNECTION_PATH, type RejectionLog } from "./ingest/rejections.js";
import { createServiceColors } from "./ingest/service-colors.js";
import { optimizeHotCodeSooner } from "./jit-tiering.js";
import { FIRST_UI_SOCKET_PATH, firstUiClient } from "./live/first-ui-feed.js";
import { createLiveHub, type LiveHub } from "./live/hub.js";
import { createSdkStreams } from "./live/sdk-streams.js";
import { attachLiveSocket } from "./live/websocket.js";
import { ExportsInFlight, WorkTurns } from "./otlp/limits.js";
import { type HealthDeps, heldWhileLoading } from "./server/health.js";
import { healthWhileLoading, holdRequests } from "./server/held-requests.js";
import { createNodeListener } from "./server/node-listener.js";
import type { OtlpGrpcServer } from "./server/otlp-grpc.js";
import { otlpOnlyHealth } from "./server/otlp-only-health.js";
import { createHostPolicy } from "./server/security.js";
import type { ServerDeps } from "./server/server.js";
import { LoadStoppedError } from "./store/load-steps.js";
import type { HeldLogs } from "./store/log-store.js";
import { type OpenedStores, openStores, StoreOpenError } from "./store/open-store.js";
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
  | ({ type: "forward-stopped" } & ForwardStopDrops)
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
      // Ctrl+C while it waits: the start stops now rather than at the end of the wait.
      if (options.inSlices?.stopped() === true)
        throw new LoadStoppedError("the start was stopped while the file was held");
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
  /** OTLP/gRPC (`--otlp-grpc-port`), or null; listening before the stores are open, its exports held until they are. */
  readonly otlpGrpcEndpoint: string | null;
  /**
   * Resolves once the stores are open (a `--db` file read back) and every port serves; until then
   * /api/health answers with `storage.state: "loading"` and other requests (gRPC exports too) wait.
   * Rejects when the start failed then (the file could not be opened): the ports are closed again, and
   * what they held was answered 503 (UNAVAILABLE over gRPC). A close() meanwhile stops it (LoadStoppedError).
   */
  ready: Promise<void>;
  /**
   * With `--db`: true once the file is open and ours (this process holds it), before it is read back;
   * false when the start failed or was stopped first (`ready` tells why). True at once without `--db`.
   * While another process holds the file (see the `db-busy` event), /api/health answers 503.
   */
  fileOpen: Promise<boolean>;
  /** What the stores hold now: once `ready`, what a `--db` file brought back. */
  stored(): StoredCounts;
  /**
   * What opening a `--db` file evicted to fit bounds smaller than what it held (a start says so, as
   * `import --db` does); zeros in memory and when the file fitted. Complete once `ready`; before, and
   * after a load that was stopped or failed, what had been deleted by then (a start says that too).
   */
  evictedAtOpen(): OpenEvictions;
  /** Once `ready`: whether the kill switch is on (a `--db` file keeps it), and since when (unix ms) if known. */
  killSwitch(): { on: boolean; since: number | null };
  close(): Promise<void>;
}

/** Traces (with their spans) and log records that opening a `--db` file evicted. */
export interface OpenEvictions {
  traces: number;
  spans: number;
  logs: number;
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
  // Not ::1: `localhost` may name 127.0.0.1 alone (as many /etc/hosts do), which a server on ::1 does not answer.
  if (host === "127.0.0.1" || host === "0.0.0.0" || host === "::" || host === "localhost") {
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
 * Composition root. The main port listens first (a start on a taken port is told as such before a
 * `--db` file is opened), then the second OTLP/HTTP port, then the gRPC port; then startApp resolves,
 * and the rest comes in `ready`: stores (a `--db` file read back in slices that give the event loop
 * back) → hub → SDK streams → ingest and code monitoring → server. Until it is ready, `GET /api/health`
 * is answered at once (`storage.state: "loading"`) and every other request (and gRPC export) is held,
 * then served. close() undoes it in reverse; during the load it stops it at its next slice.
 */
export async function startApp(config: Config, onEvent: (event: AppEvent) => void = () => {}): Promise<RunningApp> {
  const startedAt = Date.now();
  const hostPolicy = createHostPolicy(config.host, { corsOrigins: config.corsOrigins });
  let port = config.port;
  const otlpPorts: { http: number | null; grpc: number | null } = { http: null, grpc: null };
  const urlOf = (listenPort: number) => `http://${displayHost(config.host)}:${listenPort}`;
  const baseUrl = () => urlOf(port);
  let hub: LiveHub | null = null;
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
              hub?.publishState("forwarding-drops", () => ({
                type: "forwarding-drops",
                maxQueueBytes: forward?.maxQueueBytes ?? 0,
                targets: (forward?.status() ?? []).map((target) => ({
                  url: target.url,
                  dropped: target.dropped.queueFull + target.dropped.rejected + target.dropped.shutdown,
                  queueFull: target.dropped.queueFull,
                  rejectedItems: target.rejectedItems,
                  lastError: target.lastError?.message ?? null,
                })),
              })),
          },
          config.forwardTuning,
        );
  const healthDeps: HealthDeps = {
    version: packageVersion(),
    startedAt,
    port: () => port,
    baseUrl,
    otlpListeners: () => ({
      http: otlpPorts.http === null ? null : { port: otlpPorts.http, url: urlOf(otlpPorts.http) },
      grpc: otlpPorts.grpc === null ? null : { port: otlpPorts.grpc, url: urlOf(otlpPorts.grpc) },
    }),
    dbPath: config.dbPath,
    forward,
  };
  // Until the stores are read back, health answers at once and the rest waits (then is served); so do
  // gRPC exports. Health says where the extra OTLP ports are: it answers once those are bound too.
  let portsBound = false;
  // While another process holds the --db file this start is not running yet, and may never be: health
  // says so (503) rather than "loading", until the file is open (then it is read back) or the start fails.
  let fileHeldElsewhere = false;
  // Until the first try to open it settles (milliseconds), health waits: a 200 then could be answered
  // by a start that finds the file held a moment later and never runs.
  let fileSettled = config.dbPath === null;
  const settleFile = () => {
    if (fileSettled) return;
    fileSettled = true;
    mainHeld.reoffer();
  };
  let fileOpened: (opened: boolean) => void = () => {};
  const fileOpen = new Promise<boolean>((resolve) => {
    fileOpened = resolve;
  });
  if (config.dbPath === null) fileOpened(true);
  const healthAnswer = healthWhileLoading({
    health: healthDeps,
    hostPolicy,
    waiting: () =>
      fileHeldElsewhere
        ? "tracekit-local is not running yet: its --db file is held by another process, which it waits for"
        : null,
    held: () =>
      heldWhileLoading({
        kind: config.dbPath === null ? "memory" : "sqlite",
        maxSpans: config.maxSpans,
        maxLogs: config.maxLogs,
        maxMetricSeries: config.maxMetricSeries,
      }),
  });
  const mainHeld = holdRequests((request, response) => portsBound && fileSettled && healthAnswer(request, response));
  // What the gRPC port serves with once the stores are open; its calls wait for it until then.
  let grpcServe: (deps: ServerDeps) => void = () => {};
  let grpcFail: (error: unknown) => void = () => {};
  const grpcServes = new Promise<ServerDeps>((resolve, reject) => {
    grpcServe = resolve;
    grpcFail = reject;
  });
  grpcServes.catch(() => {});
  const extraHeld = config.otlpHttpPort === null ? null : holdRequests();
  let rejections: RejectionLog | null = null;
  // Counted with the other refusals once the stores are open (the line printed is the event's, not a
  // refusal's), as a connection under `*`, the target of HTTP/2's preface: the gRPC method is in the
  // HTTP/2 frames that follow, which are not read.
  const grpcSent = (onPort: () => number) => () => {
    const sentTo = onPort();
    const fix =
      otlpPorts.grpc === null
        ? "set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, or start with --otlp-grpc-port 4317"
        : `send OTLP/gRPC to port ${otlpPorts.grpc}, or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`;
    rejections?.record({
      path: GRPC_CONNECTION_PATH,
      status: 400,
      message: `port ${sentTo} receives OTLP/HTTP only; ${fix}`,
    });
    onEvent({ type: "grpc-on-http", port: sentTo, grpcPort: otlpPorts.grpc });
  };

  let main: HttpListener | null = null;
  let extraHttp: HttpListener | null = null;
  let grpc: OtlpGrpcServer | null = null;
  // One collector (made at its first call) for the OTLP/HTTP body reader and the OTLP/gRPC message reader.
  const freePieces = lazyYoungCollection();
  const stopListeners = async () => {
    // Reverse order of start: gRPC, the second OTLP/HTTP port, then the main server.
    await grpc?.close();
    await extraHttp?.stop();
    await main?.stop();
  };
  try {
    main = await listenHttp(
      mainHeld.listener,
      config.port,
      config.host,
      grpcSent(() => port),
    );
    port = main.port;
    main.server.on("upgrade", mainHeld.upgrade);
    // Before the caller prints the URL, with the port already taken: loading Hono's adapter is one long
    // turn (Node's fetch compiled: 60-100 ms, several hundred on a busy machine), and a TraceKit SDK
    // started with this server probes /api/health once, giving up after 0.5 s. Loaded after the URL, it
    // made a health request sent as the URL was printed wait a median 78 ms (memory) and 242 ms (a
    // 350,000-span --db file, whose views build shares the turns), up to 670 ms; loaded here, 27 and
    // 55 ms, for the URL ~25 ms later. A request that comes meanwhile waits. A failure is told by the
    // listener made once the stores are open (see createNodeListener); the start goes on.
    await Promise.all([import("./server/server.js"), import("@hono/node-server")]).catch(() => {});
    if (config.otlpHttpPort !== null && extraHeld !== null) {
      const health = otlpOnlyHealth({ receives: "otlp-http", mainPort: () => port, baseUrl, hostPolicy });
      const held = extraHeld;
      extraHttp = await listenHttp(
        (request, response) => {
          if (!health(request, response)) held.listener(request, response);
        },
        config.otlpHttpPort,
        config.host,
        grpcSent(() => otlpPorts.http ?? 0),
      ).catch((error: unknown) => {
        throw extraPortError("--otlp-http-port", config.otlpHttpPort ?? 0, error);
      });
      otlpPorts.http = extraHttp.port;
    }
    if (config.otlpGrpcPort !== null) {
      // grpc-js is loaded only when asked for: it would add to every start. Bound before the file is
      // read back, as the HTTP ports are: an exporter started beside this server finds it listening,
      // and its exports wait for the stores as HTTP ones do.
      const { startOtlpGrpcServer } = await import("./server/otlp-grpc.js");
      grpc = await startOtlpGrpcServer({
        otlp: grpcServes,
        maxBodyBytes: config.maxBodyBytes,
        host: config.host,
        port: config.otlpGrpcPort,
        freePieces,
        httpPort: () => otlpPorts.http ?? port,
        answersHealth: otlpOnlyHealth({ receives: "otlp-grpc", mainPort: () => port, baseUrl, hostPolicy }),
        onHttpRequest: (method, path) =>
          onEvent({
            type: "http-on-grpc",
            port: otlpPorts.grpc ?? 0,
            httpPort: otlpPorts.http ?? port,
            method,
            path,
          }),
        onInternalError: (error) => onEvent({ type: "internal-error", error }),
        timeouts: config.grpcPortTimeouts,
      }).catch((error: unknown) => {
        throw extraPortError("--otlp-grpc-port", config.otlpGrpcPort ?? 0, error);
      });
      otlpPorts.grpc = grpc.port;
    }
    portsBound = true;
    mainHeld.reoffer();
  } catch (error) {
    await stopListeners();
    await forward?.close(0);
    throw error;
  }
  const server = main.server;

  let closing: Promise<void> | null = null;
  let running: Running | null = null;
  // What the file's log records held before their bound applied, and what opening it evicted (the
  // traces and spans as the store tells each eviction, the log records once the file is read back).
  let heldLogs: HeldLogs = { logs: 0, evictedLogs: 0 };
  let evictedAtOpen: OpenEvictions = { traces: 0, spans: 0, logs: 0 };
  const ready = (async (): Promise<Running> => {
    try {
      const stores = await openStoresWaiting(
        {
          dbPath: config.dbPath,
          maxSpans: config.maxSpans,
          maxLogs: (held) => {
            heldLogs = held;
            return config.maxLogs;
          },
          metrics: { maxSeries: config.maxMetricSeries },
          peerNames: config.peerNames,
          onStatisticsFill: (fill) => onEvent({ type: "statistics-fill", ...fill }),
          onOpen: () => {
            fileHeldElsewhere = false;
            fileOpened(true);
            settleFile();
          },
          onOpenEviction: (evicted) => {
            evictedAtOpen = { ...evictedAtOpen, ...evicted };
          },
          ...(config.onDatabasePragma === undefined ? {} : { onDatabasePragma: config.onDatabasePragma }),
          inSlices: { stopped: () => closing !== null },
        },
        (ms) => {
          fileHeldElsewhere = true;
          settleFile();
          onEvent({ type: "db-busy", path: config.dbPath ?? "", ms });
        },
      );
      // Read before anything is stored: retention that a later export makes is no open's doing.
      evictedAtOpen = { ...evictedAtOpen, logs: stores.logs.stats().evictedLogs - heldLogs.evictedLogs };
      if (closing !== null) {
        closeStores(stores);
        throw new LoadStoppedError("the start was stopped while the file loaded");
      }
      const wired = wire(stores);
      running = wired;
      const listenerFor = (app: (serverModule: typeof import("./server/server.js")) => Hono) =>
        createNodeListener({
          app: () => import("./server/server.js").then(app),
          otlp: wired.serverDeps,
          hostPolicy,
          port: () => port,
          hostname: config.host,
          onInternalError: wired.serverDeps.onInternalError,
          freePieces,
        });
      const mainListener = listenerFor((serverModule) => serverModule.createServer(wired.serverDeps));
      await mainListener.preload();
      const live = attachLiveSocket(server, {
        hub: wired.hub,
        path: "/api/live",
        otherPaths: { [FIRST_UI_SOCKET_PATH]: firstUiClient },
        onInternalError: wired.serverDeps.onInternalError,
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
      wired.live = live;
      server.off("upgrade", mainHeld.upgrade);
      mainHeld.open(mainListener.listener, (request: IncomingMessage, socket: Duplex, head: Buffer) =>
        server.emit("upgrade", request, socket, head),
      );
      extraHeld?.open(listenerFor((serverModule) => serverModule.createOtlpOnlyServer(wired.serverDeps)).listener);
      grpcServe(wired.serverDeps);
      const heapCompaction = startHeapCompaction({ largeStore: () => holdsLargeStore(wired.stores.store) });
      server.on("request", () => heapCompaction.touch());
      wired.heapCompaction = heapCompaction;
      // Only now: a flag set earlier made V8 refuse the code cache of the chunks a start loads.
      optimizeHotCodeSooner();
      return wired;
    } catch (error) {
      fileHeldElsewhere = false;
      fileOpened(false);
      mainHeld.fail("tracekit-local did not start");
      extraHeld?.fail("tracekit-local did not start");
      grpcFail(error);
      // At once: stopListeners closes the gRPC server, which would tell its held calls "shutting down".
      grpc?.fail();
      await stopListeners();
      if (running !== null) await closeRunning(running, Promise.resolve());
      await forward?.close(0);
      throw error;
    }
  })();
  // Told through `ready`; a caller that never asks still must not see an unhandled rejection.
  ready.catch(() => {});

  /** Everything that needs the stores, made once they are open. */
  interface Running {
    stores: OpenedStores;
    hub: LiveHub;
    serverDeps: ServerDeps;
    codeMonitoring: ReturnType<typeof createCodeMonitoring>;
    sdkStreams: ReturnType<typeof createSdkStreams>;
    exports: ExportsInFlight;
    live: { close(): void } | null;
    heapCompaction: { close(): void } | null;
  }

  function wire(stores: OpenedStores): Running {
    const {
      store,
      codeMonitoring: codeMonitoringStore,
      logs: logStore,
      metrics: metricStore,
      serviceColors: keptServiceColors,
    } = stores;
    const liveHub = createLiveHub({
      getSummaries: (ids) => store.getSummaries(ids),
      getLatest: () => store.listTraces({ limit: DEFAULT_TRACE_LIMIT }).traces,
      prices: config.prices,
    });
    hub = liveHub;
    // A --db file gives back the colours of earlier runs; services it holds without one (a file from
    // before colours were kept) take theirs next, by name (see domain/service-colors.ts).
    const serviceColors = createServiceColors(liveHub, keptServiceColors);
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
      hub: liveHub,
      streams: sdkStreams,
      persistent: config.dbPath !== null,
      onEvent: (event) => onEvent({ type: "code-monitoring", event }),
    });
    const ingest = createIngest(
      store,
      liveHub,
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
          isOwnHost: (host) =>
            hostPolicy.isAllowedHost(host) || (hostPolicy.wildcard && CONTAINER_HOST_NAMES.has(host)),
        },
      },
    );
    const exports = new ExportsInFlight();
    rejections = createRejectionLog(liveHub);
    const serverDeps: ServerDeps = {
      ...healthDeps,
      store,
      prices: config.prices,
      peerNames: config.peerNames,
      hub: liveHub,
      ingest,
      logStore,
      logIngest: createLogIngest(logStore, liveHub, serviceColors),
      metricIngest: createMetricIngest(metricStore, liveHub),
      metricStore,
      rejections,
      codeMonitoringStore,
      codeMonitoring,
      sdkStreams,
      hostPolicy,
      maxBodyBytes: config.maxBodyBytes,
      strictSpanKinds: config.strictSpanKinds,
      workTurns: new WorkTurns(),
      exports,
      holdYoungGeneration: youngGenerationHold(),
      recentRuns: new RecentRunServices(),
      onClientError: (path, status, message, details = {}) =>
        onEvent({ type: "client-error", path, status, message, ...details }),
      forward,
      onInternalError: (error) => onEvent({ type: "internal-error", error }),
    };
    return { stores, hub: liveHub, serverDeps, codeMonitoring, sdkStreams, exports, live: null, heapCompaction: null };
  }

  /** Undoes wire() and what came after it, in reverse; the listeners were stopped (or are, meanwhile). */
  async function closeRunning(wired: Running, listenersStopped: Promise<void>): Promise<void> {
    wired.heapCompaction?.close();
    wired.live?.close();
    // Open SDK event streams would hold server.close() open; ending them sends the SDKs back to polling.
    wired.codeMonitoring.close();
    wired.sdkStreams.close();
    wired.hub.close();
    await listenersStopped;
    // One that began on a connection kept open since is stopped at its next pause.
    await wired.exports.settle(0);
    closeStores(wired.stores);
  }

  return {
    url: baseUrl(),
    otlpEndpoint: baseUrl(),
    port,
    otlpHttpEndpoint: otlpPorts.http === null ? null : urlOf(otlpPorts.http),
    get otlpGrpcEndpoint() {
      return otlpPorts.grpc === null ? null : urlOf(otlpPorts.grpc);
    },
    ready: ready.then(() => {}),
    fileOpen,
    stored() {
      if (running === null) throw new Error("the stores are not open yet: await ready first");
      const { store, codeMonitoring: codeMonitoringStore, logs: logStore, metrics: metricStore } = running.stores;
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
    evictedAtOpen() {
      return { ...evictedAtOpen };
    },
    killSwitch() {
      if (running === null) throw new Error("the stores are not open yet: await ready first");
      const store = running.stores.codeMonitoring;
      return { on: store.killSwitch(), since: store.killSwitchChangedAt() };
    },
    close() {
      closing ??= (async () => {
        const wired = await ready.catch(() => null);
        // A load stopped (or failed): it answered what it held 503 and closed what it had opened.
        if (wired === null) return;
        wired.heapCompaction?.close();
        // A large export goes on in slices: its connection is kept until it is answered (stored, or
        // refused past the grace), and the stores close after it.
        const exportsSettled = wired.exports.settle(EXPORTS_STOP_GRACE_MS);
        // The extra OTLP listeners only feed ingest: they stop first, while the hub and stores still run.
        await grpc?.close(exportsSettled);
        await extraHttp?.stop(exportsSettled);
        wired.live?.close();
        wired.codeMonitoring.close();
        wired.sdkStreams.close();
        wired.hub.close();
        await main?.stop(exportsSettled);
        // One that began on a connection kept open since is stopped at its next pause.
        await wired.exports.settle(0);
        // Nothing is received any more: what is queued gets a short time to reach the upstream.
        if (forward !== undefined) {
          const unsent = forward.unsent();
          if (unsent.batches > 0) onEvent({ type: "forward-flushing", ...unsent, graceMs: forward.closeGraceMs });
          const dropped = await forward.close();
          if (dropped.batches > 0) onEvent({ type: "forward-stopped", ...dropped });
        }
        closeStores(wired.stores);
      })();
      return closing;
    },
  };
}

/** Closes the stores in reverse order of opening (the span store, which may hold the file, last). */
function closeStores(stores: OpenedStores): void {
  stores.codeMonitoring.close();
  stores.logs.close();
  stores.metrics.close();
  stores.store.close();
}

function extraPortError(flag: ExtraPortError["flag"], port: number, error: unknown): ExtraPortError {
  const code = (error as NodeJS.ErrnoException).code;
  return new ExtraPortError(flag, port, code, (error as Error).message);
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
