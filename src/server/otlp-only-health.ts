import type { IncomingMessage, ServerResponse } from "node:http";
import type { OtlpOnlyPortHealthResponse } from "../protocol.js";
import type { HostPolicy } from "./security.js";
import { writeJson } from "./write-json.js";

export interface OtlpOnlyHealthDeps {
  receives: OtlpOnlyPortHealthResponse["otlpOnlyPort"]["receives"];
  /** The main port (the UI and API) and its URL. */
  mainPort(): number;
  baseUrl(): string;
  hostPolicy: HostPolicy;
}

/**
 * Answers `GET /api/health` on an extra OTLP port with OtlpOnlyPortHealthResponse, at once (also while
 * a `--db` file loads); false for every other request, and for one whose Host is not this server's
 * (answered as the port answers the rest). A client command or a start that probes the port learns it
 * is this instance's, and the instance says nothing of it: it is not an exporter sent to the wrong port.
 */
export function otlpOnlyHealth(
  deps: OtlpOnlyHealthDeps,
): (request: IncomingMessage, response: ServerResponse, headers?: Record<string, string>) => boolean {
  return (request, response, headers = {}) => {
    const url = request.url ?? "";
    const query = url.indexOf("?");
    if (request.method !== "GET" || (query === -1 ? url : url.slice(0, query)) !== "/api/health") return false;
    if (!deps.hostPolicy.isAllowedHost(request.headers.host)) return false;
    const what = deps.receives === "otlp-http" ? "OTLP/HTTP" : "OTLP/gRPC";
    const body: OtlpOnlyPortHealthResponse = {
      error: {
        code: "not_found",
        message: `this port of tracekit-local takes only ${what}; the UI and API are at ${deps.baseUrl()}`,
      },
      otlpOnlyPort: { name: "tracekit-local", receives: deps.receives, mainPort: deps.mainPort(), url: deps.baseUrl() },
    };
    writeJson(response, 404, body, headers);
    return true;
  };
}
