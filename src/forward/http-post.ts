import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** What an upstream answered to one forwarded request. */
export interface PostAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The start of the body (an error's reason), at most `MAX_REASON_BYTES`… */
  body: Uint8Array;
  /** …and the same as text. */
  text: string;
}

const MAX_REASON_BYTES = 2048;

/** One keep-alive connection pool per upstream, so batches do not each pay a TCP (and TLS) handshake. */
export interface Poster {
  post(url: URL, body: Uint8Array, headers: Record<string, string>, timeoutMs: number): Promise<PostAnswer>;
  /** Ends requests in flight (they fail) and closes idle connections. */
  destroy(): void;
}

export function createPoster(): Poster {
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 4 });
  const inFlight = new Set<{ destroy(error: Error): void }>();
  return {
    post(url, body, headers, timeoutMs) {
      return new Promise((resolve, reject) => {
        const https = url.protocol === "https:";
        const req = (https ? httpsRequest : httpRequest)(url, {
          method: "POST",
          agent: https ? httpsAgent : httpAgent,
          headers: { ...headers, "Content-Length": String(body.byteLength) },
        });
        inFlight.add(req);
        const done = () => {
          clearTimeout(timer);
          inFlight.delete(req);
        };
        // For the whole request, answer included: a socket timeout restarts with every byte, and an
        // upstream that trickles its answer would hold the request (and its send slot) forever.
        const timer = setTimeout(() => {
          // Whether it took the connection says which of two problems this is: a host that cannot be
          // reached (a firewall dropping packets), or a receiver that took the request and said nothing.
          const connected = req.socket !== null && !req.socket.connecting;
          const error = Object.assign(
            new Error(
              connected
                ? `it took the request but sent no answer within ${timeoutMs / 1000} s`
                : `no connection within ${timeoutMs / 1000} s`,
            ),
            { code: connected ? "FORWARD_NO_ANSWER" : "FORWARD_NO_CONNECTION" },
          );
          // Its answer may have begun: its body then fails with "aborted", not with this.
          done();
          reject(error);
          req.destroy(error);
        }, timeoutMs);
        req.on("error", (error) => {
          done();
          reject(error);
        });
        req.on("response", (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            if (size < MAX_REASON_BYTES) chunks.push(chunk);
            size += chunk.length;
          });
          res.on("end", () => {
            done();
            const body = Buffer.concat(chunks).subarray(0, MAX_REASON_BYTES);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString("utf8") });
          });
          res.on("error", (error) => {
            done();
            reject(error);
          });
        });
        req.end(body);
      });
    },
    destroy() {
      for (const req of inFlight) req.destroy(new Error("forwarding stopped"));
      inFlight.clear();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
