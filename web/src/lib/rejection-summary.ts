import { rpcCodeFor } from "../../../src/domain/rpc-code";
import type { RejectionsJson } from "../../../src/protocol";
import { formatCount } from "./format";

function counted(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many} rejected`;
}

/**
 * "3 spans rejected, 2 log records rejected, 1 request refused, 4 OTLP/gRPC connections refused", or
 * null when nothing was. An OTLP/gRPC exporter sent to the HTTP port is counted by the connections it
 * made: it fails the exports it makes while it waits to connect again without sending them.
 */
export function rejectionSummary(state: RejectionsJson): string | null {
  const parts: string[] = [];
  if (state.rejectedSpans > 0) parts.push(counted(state.rejectedSpans, "span", "spans"));
  if (state.rejectedLogRecords > 0) parts.push(counted(state.rejectedLogRecords, "log record", "log records"));
  if (state.rejectedDataPoints > 0) parts.push(counted(state.rejectedDataPoints, "data point", "data points"));
  if (state.rejectedRequests > 0) {
    parts.push(
      `${formatCount(state.rejectedRequests)} ${state.rejectedRequests === 1 ? "request" : "requests"} refused`,
    );
  }
  if (state.rejectedGrpcConnections > 0) {
    const connections = state.rejectedGrpcConnections;
    parts.push(`${formatCount(connections)} OTLP/gRPC ${connections === 1 ? "connection" : "connections"} refused`);
  }
  if (state.misdirectedRequests > 0) {
    const requests = state.misdirectedRequests;
    parts.push(`${formatCount(requests)} ${requests === 1 ? "request" : "requests"} sent to another signal's path`);
  }
  return parts.length === 0 ? null : parts.join(", ");
}

/** "1,204 late spans of evicted traces dropped", or null when none were. */
export function lateSpansSummary(lateSpans: number): string | null {
  if (lateSpans <= 0) return null;
  return `${formatCount(lateSpans)} late ${lateSpans === 1 ? "span" : "spans"} of evicted traces dropped`;
}

/**
 * "12 batches not forwarded to http://collector:4318" (or "to 2 upstreams"), then the items upstreams
 * rejected from batches they took (OTLP's partial success, as the terminal's line says):
 * "…, 40 items rejected by it" (or "by http://…", "by 2 upstreams"); null when neither happened.
 */
export function forwardingDropsSummary(
  targets: readonly { url: string; dropped: number; rejectedItems?: number }[],
): string | null {
  const where = (hit: readonly { url: string }[]) =>
    hit.length === 1 ? (hit[0]?.url ?? "") : `${hit.length} upstreams`;
  const dropping = targets.filter((target) => target.dropped > 0);
  const rejecting = targets.filter((target) => (target.rejectedItems ?? 0) > 0);
  const parts: string[] = [];
  if (dropping.length > 0) {
    const total = dropping.reduce((sum, target) => sum + target.dropped, 0);
    parts.push(`${formatCount(total)} ${total === 1 ? "batch" : "batches"} not forwarded to ${where(dropping)}`);
  }
  if (rejecting.length > 0) {
    const total = rejecting.reduce((sum, target) => sum + (target.rejectedItems ?? 0), 0);
    const same = dropping.length > 0 && where(dropping) === where(rejecting);
    const by = same ? (rejecting.length === 1 ? "it" : "them") : where(rejecting);
    parts.push(`${formatCount(total)} ${total === 1 ? "item" : "items"} rejected by ${by}`);
  }
  return parts.length === 0 ? null : parts.join(", ");
}

/**
 * How the latest refused request is named: "POST /v1/traces answered 400" (or "GET /v1/traces answered
 * 400": an HTTP/1.1 request to the gRPC port comes with its method), or for OTLP/gRPC (recorded under
 * the method's path, `/<service>/Export`, with the HTTP status its code maps to)
 * "gRPC …TraceService/Export refused (INVALID_ARGUMENT)". A 200 is a partial success on either. An
 * OTLP/gRPC connection made to the HTTP port is recorded under `*` (its gRPC method is never read).
 */
export function refusedRequestLabel(last: { method?: string; path: string; status: number }): string {
  if (last.path === "*") return "OTLP/gRPC connection to the HTTP port refused";
  // An HTTP/1.1 request to the gRPC port is not gRPC, whatever its path.
  const grpc = last.method === undefined && last.path.endsWith("/Export");
  const answer =
    last.status === 200
      ? "partial success"
      : grpc
        ? `refused (${rpcCodeFor(last.status).name})`
        : `answered ${last.status}`;
  return `${grpc ? "gRPC" : (last.method ?? "POST")} ${last.path} ${answer}`;
}
