import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Hono } from "hono";
import { internalErrorAnswer } from "../domain/errors.js";
import { splitRunPath } from "../domain/run-path.js";
import { type FreePieces, readIncomingBody } from "./body.js";
import { exportSignal, type OtlpHttpAnswer, type OtlpRouteDeps, type OtlpSignal, otlpSignals } from "./routes/otlp.js";
import { forbiddenHostBody, type HostPolicy } from "./security.js";
import { writeJson } from "./write-json.js";

export interface NodeListenerDeps {
  /** The Hono app for every request but an OTLP export: made on the first such request (or `preload`). */
  app(): Hono | Promise<Hono>;
  otlp: OtlpRouteDeps;
  hostPolicy: HostPolicy;
  port(): number;
  /** The listen address, which the Hono adapter uses for request URLs without a usable Host. */
  hostname: string;
  onInternalError?(error: unknown): void;
  /** Frees the pieces a large OTLP body was read in, once copied out (see body.ts's FreePieces). */
  freePieces?: FreePieces;
}

/** The Node request listener, and a way to load what its first non-OTLP request needs ahead of it. */
export interface NodeListener {
  listener: RequestListener;
  /**
   * Makes the Hono app and loads Hono's Node adapter now rather than on the first request that needs
   * them. Never rejects: a failure is told to `onInternalError` (once), and answered to those requests.
   */
  preload(): Promise<void>;
}

/**
 * The Node request listener: OTLP exports (`POST /v1/traces`, `/v1/logs`, `/v1/metrics`, also under a
 * run's endpoint, `/run/<id>/v1/traces`) are answered straight from Node's request and response
 * objects, everything else goes through the Hono app. Building a web Request and Response per request doubles the server time of a one-span export
 * (0.2 ms → 0.4 ms measured), and the TraceKit Python SDK sends one span per request while the app's
 * own request waits for it. Both ways run the same `exportSignal`, behind the same Host policy.
 */
export function createNodeListener(deps: NodeListenerDeps): NodeListener {
  // The Hono app (the web app's and API's routes) and Hono's Node adapter are loaded on first use (or
  // `preload`): importing the adapter loads Node's fetch implementation and node:http2, and an OTLP
  // export, the one request that cannot wait, needs neither. Requests that come meanwhile wait for them.
  // A load that failed is kept (each later request is answered as the first was) and told once, here.
  let viaHono: RequestListener | null = null;
  let loading: Promise<RequestListener> | null = null;
  const loadHono = () => {
    if (loading === null) {
      loading = Promise.all([Promise.resolve().then(() => deps.app()), import("@hono/node-server")]).then(
        ([app, { getRequestListener }]) => {
          viaHono = getRequestListener(app.fetch, { hostname: deps.hostname });
          return viaHono;
        },
      );
      loading.catch((error: unknown) => deps.onInternalError?.(error));
    }
    return loading;
  };
  /** A request that could not be answered: 500 (or 503, see internalErrorAnswer) if nothing was sent yet. */
  const answerFailure = (response: ServerResponse, error: unknown) => {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const { status, code, message } = internalErrorAnswer(error);
    writeJson(response, status, { error: { code, message } });
  };
  /** A request this listener could not answer: told to the terminal, and answered. */
  const failed = (response: ServerResponse, error: unknown) => {
    deps.onInternalError?.(error);
    answerFailure(response, error);
  };
  const signals = new Map<string, OtlpSignal>(otlpSignals(deps.otlp).map((signal) => [signal.path, signal]));
  const listener: RequestListener = (request, response) => {
    if (request.method === "POST") {
      const path = pathOf(request.url);
      // A TraceKit SDK given a run's endpoint exports under its path (domain/run-path.ts).
      const run = splitRunPath(path);
      const signal = signals.get(run === null ? path : run.path);
      if (signal !== undefined) {
        answerExport(signal, run?.runId, request, response, deps).catch((error: unknown) => failed(response, error));
        return;
      }
    }
    if (viaHono !== null) {
      void viaHono(request, response);
      return;
    }
    loadHono().then(
      (hono) => void hono(request, response),
      (error: unknown) => answerFailure(response, error),
    );
  };
  return {
    listener,
    async preload() {
      // A failure is told by loadHono, and answered to each request that needs the app.
      await loadHono().catch(() => {});
    },
  };
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return "";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

async function answerExport(
  signal: OtlpSignal,
  runId: string | undefined,
  request: IncomingMessage,
  response: ServerResponse,
  deps: NodeListenerDeps,
): Promise<void> {
  const host = request.headers.host;
  if (!deps.hostPolicy.allowsRequest(signal.path, host)) {
    writeJson(response, 403, forbiddenHostBody(host, deps.port()));
    return;
  }
  const answer: OtlpHttpAnswer = await exportSignal(
    signal,
    {
      header: (name) => header(request, name),
      body: (limit) => readIncomingBody(request, limit, deps.freePieces),
      runId,
    },
    deps.otlp,
  );
  const body = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body;
  response.writeHead(answer.status, { ...answer.headers, "Content-Length": String(body.byteLength) });
  response.end(body);
  if (answer.afterAnswer === undefined) return;
  try {
    answer.afterAnswer();
  } catch (error) {
    // The answer is on its way: the error is told to the terminal, and the connection is left alone.
    deps.onInternalError?.(error);
  }
}
