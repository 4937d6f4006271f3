import { plural } from "../domain/count-text.js";
import type { HealthResponse } from "../protocol.js";
import { portOf, probeInstance } from "./instance.js";

/**
 * What the instance refused, or took and stored nothing of, as its health counts tell it: read at a
 * run's start and end, their difference is what it refused while the run ran. Which app sent it cannot
 * be told (refusals carry no run id), so the summary says "while it ran", not "of this run".
 */
export interface RefusalCounts {
  /** OTLP/gRPC connections made to an HTTP port, closed unread. */
  grpcConnections: number;
  /** OTLP requests refused whole (4xx, or 503 when the store could not keep them). */
  requests: number;
  /** OTLP/JSON requests of another signal than their path takes, answered 200 with nothing stored. */
  misdirected: number;
  /** Items dropped from partly accepted requests. */
  spans: number;
  logRecords: number;
  dataPoints: number;
}

/** Where the run's command was pointed, for the advice on a gRPC exporter. */
export interface RefusalPlace {
  /** The instance's base URL, which `run` gives as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  /** The instance's OTLP/gRPC port's URL (`--otlp-grpc-port`), or null when it has none. */
  grpcUrl: string | null;
}

export interface RunRefusals extends RefusalPlace {
  refused: RefusalCounts;
}

/**
 * The instance's refusal counts now, and the address of its OTLP/gRPC port (on the host `base` names:
 * the instance's own name for itself may be one only it can reach); null when its health does not
 * answer, and then nothing is said of refusals.
 */
export async function readRefusals(base: string): Promise<{ counts: RefusalCounts; grpcUrl: string | null } | null> {
  const health = (await probeInstance(base, 5_000)) as HealthResponse | null;
  if (health === null) return null;
  const grpcPort = health.otlp?.grpc?.port;
  let grpcUrl: string | null = null;
  if (typeof grpcPort === "number") {
    const grpc = new URL(base);
    grpc.port = String(grpcPort);
    grpcUrl = grpc.origin;
  }
  return { counts: refusalCounts(health), grpcUrl };
}

/** The refusal counts of a health answer. */
export function refusalCounts(health: Pick<HealthResponse, "counts">): RefusalCounts {
  const { counts } = health;
  return {
    grpcConnections: counts.rejectedGrpcConnections,
    requests: counts.rejectedRequests,
    misdirected: counts.misdirectedRequests,
    spans: counts.rejectedSpans,
    logRecords: counts.rejectedLogRecords,
    dataPoints: counts.rejectedDataPoints,
  };
}

/**
 * What was refused between two readings. A count lower at the end was reset in between (a clear of
 * the stored data resets them): the end's count is then all since the clear. The counts carry no mark
 * of a clear, so one followed by at least as many refusals as were counted before reads as fewer.
 */
export function refusedBetween(before: RefusalCounts, after: RefusalCounts): RefusalCounts {
  const since = (key: keyof RefusalCounts) => (after[key] >= before[key] ? after[key] - before[key] : after[key]);
  return {
    grpcConnections: since("grpcConnections"),
    requests: since("requests"),
    misdirected: since("misdirected"),
    spans: since("spans"),
    logRecords: since("logRecords"),
    dataPoints: since("dataPoints"),
  };
}

/**
 * Why an OTLP/gRPC exporter's connections were refused, and what helps. `run` already sets
 * OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf: an exporter that still sends gRPC was chosen in the app's
 * code (Go's otlptracegrpc, .NET's default), which that variable does not change. `run` points
 * OTEL_EXPORTER_OTLP_ENDPOINT at the HTTP port even when the instance has a gRPC port, so keeping
 * gRPC means sending the app there without `run`.
 */
function grpcAdvice({ url, grpcUrl }: RefusalPlace): string {
  const http = portOf(new URL(url));
  const grpc = new URL(grpcUrl ?? url);
  if (grpcUrl === null) grpc.port = "4317";
  const keep =
    grpcUrl === null
      ? `start tracekit-local with --otlp-grpc-port 4317 and run the app with OTEL_EXPORTER_OTLP_ENDPOINT=${grpc.origin}`
      : `run the app with OTEL_EXPORTER_OTLP_ENDPOINT=${grpc.origin} (the instance's gRPC port)`;
  return (
    `port ${http} takes OTLP/HTTP only, and an exporter sent gRPC there, as one chosen in an app's code does ` +
    `whatever OTEL_EXPORTER_OTLP_PROTOCOL says: use an OTLP/HTTP exporter, or ${keep}, not under run ` +
    `(which points it at port ${http})`
  );
}

/** "a, b and c". */
function listed(parts: string[]): string {
  return parts.length <= 1 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

/**
 * What the instance refused while the run ran, in plain words, with what helps ("tracekit-local refused
 * 1 OTLP/gRPC connection; port 9999 takes OTLP/HTTP only, …"); null when it refused nothing.
 */
export function refusalText(refusals: RunRefusals): string | null {
  const { refused } = refusals;
  const what: string[] = [];
  const whole = [
    refused.grpcConnections > 0 ? plural(refused.grpcConnections, "OTLP/gRPC connection") : "",
    refused.requests > 0 ? plural(refused.requests, "OTLP request") : "",
  ].filter((part) => part !== "");
  if (whole.length > 0) what.push(`refused ${listed(whole)}`);
  const items = [
    refused.spans > 0 ? plural(refused.spans, "span") : "",
    refused.logRecords > 0 ? plural(refused.logRecords, "log record") : "",
    refused.dataPoints > 0 ? plural(refused.dataPoints, "data point") : "",
  ].filter((part) => part !== "");
  if (items.length > 0) what.push(`dropped ${listed(items)} of partly accepted requests`);
  if (refused.misdirected > 0) {
    what.push(
      `stored nothing of ${plural(refused.misdirected, "OTLP/JSON request")} sent to another signal's path ` +
        "(logs to /v1/traces, or the like)",
    );
  }
  if (what.length === 0) return null;
  const clauses = [`tracekit-local ${listed(what)}`];
  if (refused.grpcConnections > 0) clauses.push(grpcAdvice(refusals));
  // The gRPC case has its reason above; the others' are the answers their senders got, the latest of
  // which the linked page's notice shows (as the instance's own output does).
  if (refused.requests + refused.misdirected + refused.spans + refused.logRecords + refused.dataPoints > 0) {
    clauses.push("the linked page shows the latest reason");
  }
  return clauses.join("; ");
}
