import type { LiveHub } from "../live/hub.js";
import { OTLP_GRPC_SERVICES } from "../otlp/grpc-services.js";
import type { RejectionsJson } from "../protocol.js";

/**
 * What was refused on the way in: requests answered 4xx (or 503: the store could not keep them), items (spans, log records, data points)
 * dropped from a partly accepted request, and OTLP/gRPC connections made to an HTTP port. A refusal must never be silent: the CLI prints it, `/api/health` counts it, and the web
 * app shows the latest one (pushed as the retained `rejections` live message).
 */
export interface RejectionLog {
  record(refusal: Refusal): void;
  counts(): RejectionsJson;
  /** Forgets everything, with the rest of the stored data. */
  reset(): void;
}

/** One refused request, or the items refused of a partly accepted one. */
export interface Refusal {
  /** What it was sent to, as `RejectionsJson.last.path` names it. */
  path: string;
  /** Only for an HTTP/1.1 request to the gRPC port (any method) and a page's refused preflight (see `RejectionsJson`). */
  method?: string;
  status: number;
  message: string;
  /**
   * Set for a partly accepted request; a whole request refused counts as a request, except under `*`: an
   * OTLP/gRPC connection to an HTTP port, counted as one. Its exports cannot be: it is closed before its
   * first is read, and the exporter fails those it makes while it waits to connect again without sending them.
   */
  rejectedItems?: number;
  /**
   * An accepted request of another signal than its path takes (OTLP/JSON logs sent to /v1/traces):
   * nothing of it was stored, and the sender was warned; counted as `misdirectedRequests`.
   */
  misdirected?: boolean;
}

/** The path an OTLP/gRPC connection made to an HTTP port is recorded under: the target of HTTP/2's preface. */
export const GRPC_CONNECTION_PATH = "*";

const MAX_MESSAGE_LENGTH = 500;

const EMPTY: RejectionsJson = {
  rejectedRequests: 0,
  rejectedGrpcConnections: 0,
  rejectedSpans: 0,
  rejectedLogRecords: 0,
  rejectedDataPoints: 0,
  misdirectedRequests: 0,
  last: null,
};

/**
 * Which count a partly accepted request's rejected items go to, by the path they came in on: the
 * OTLP/HTTP path, or the OTLP/gRPC method's (`/<service>/Export`).
 */
function itemCountOf(path: string): "rejectedSpans" | "rejectedLogRecords" | "rejectedDataPoints" {
  if (path === "/v1/logs" || path === `/${OTLP_GRPC_SERVICES.logs}/Export`) return "rejectedLogRecords";
  if (path === "/v1/metrics" || path === `/${OTLP_GRPC_SERVICES.metrics}/Export`) return "rejectedDataPoints";
  return "rejectedSpans";
}

export function createRejectionLog(hub: LiveHub, now: () => Date = () => new Date()): RejectionLog {
  let state: RejectionsJson = EMPTY;
  const publish = () => hub.publishState("rejections", () => ({ type: "rejections", ...state }));
  return {
    record({ path, method, status, message, rejectedItems, misdirected }) {
      const last = {
        at: now().toISOString(),
        ...(method === undefined ? {} : { method }),
        path,
        status,
        message: message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message,
      };
      state =
        misdirected === true
          ? { ...state, misdirectedRequests: state.misdirectedRequests + 1, last }
          : rejectedItems !== undefined
            ? { ...state, [itemCountOf(path)]: state[itemCountOf(path)] + rejectedItems, last }
            : path === GRPC_CONNECTION_PATH
              ? { ...state, rejectedGrpcConnections: state.rejectedGrpcConnections + 1, last }
              : { ...state, rejectedRequests: state.rejectedRequests + 1, last };
      publish();
    },
    counts: () => state,
    reset() {
      if (state.last === null) return;
      state = EMPTY;
      publish();
    },
  };
}
