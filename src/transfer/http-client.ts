/**
 * POSTs to one server over keep-alive connections with node:http (or https): a request body goes out
 * as the parts it was gathered in, without being joined first, and without fetch's stream machinery,
 * which cost the import client about three times the CPU for the same bodies.
 */
import http from "node:http";
import https from "node:https";

export interface HttpAnswer {
  status: number;
  statusMessage: string;
  contentType: string | undefined;
  /** Every header of the answer, by lower-case name. */
  headers: http.IncomingHttpHeaders;
  body: Uint8Array;
}

export interface HttpClient {
  post(path: string, request: { headers: Record<string, string>; body: readonly Uint8Array[] }): Promise<HttpAnswer>;
  /** Closes the idle connections. */
  close(): void;
}

/** A client of the server at `baseUrl` (`http://host:port` with an optional path). */
export function httpClient(baseUrl: string): HttpClient {
  const secure = baseUrl.startsWith("https:");
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const send = secure ? https.request : http.request;
  return {
    post(path, { headers, body }) {
      let length = 0;
      for (const part of body) length += part.length;
      return new Promise((resolve, reject) => {
        const request = send(
          `${baseUrl}${path}`,
          { method: "POST", agent, headers: { ...headers, "Content-Length": String(length) } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("error", reject);
            response.on("end", () =>
              resolve({
                status: response.statusCode ?? 0,
                statusMessage: response.statusMessage ?? "",
                contentType: response.headers["content-type"],
                headers: response.headers,
                body: Buffer.concat(chunks),
              }),
            );
          },
        );
        request.on("error", reject);
        for (const part of body) request.write(part);
        request.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}
