import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gunzipSync } from "node:zlib";

/** One request the upstream received: its body inflated. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The answer it was given ("hang" when none, "trickle" when one that never ends). */
  answered: number | "hang" | "trickle";
}

/**
 * How the upstream answers the next request: a status with headers (after `delayMs`), no answer at
 * all, or a 200 whose body comes a byte every 50 ms and never ends.
 */
export type Behaviour =
  | { status: number; headers?: Record<string, string>; body?: string | Uint8Array; delayMs?: number }
  | "hang"
  | "trickle";

export interface Upstream {
  url: string;
  port: number;
  requests: Received[];
  /** Requests answered 2xx. */
  delivered(): Received[];
  /** Decides each request's answer (default: 200 with an empty protobuf message). */
  behave(next: (index: number, path: string) => Behaviour): void;
  close(): Promise<void>;
}

/** A tiny real OTLP/HTTP protobuf receiver that records what it gets and can fail, hang and recover. */
export async function startUpstream(): Promise<Upstream> {
  const requests: Received[] = [];
  let decide: (index: number, path: string) => Behaviour = () => ({ status: 200 });
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
      const path = req.url ?? "";
      const behaviour = decide(requests.length, path);
      const answered = typeof behaviour === "string" ? behaviour : behaviour.status;
      requests.push({ path, headers: req.headers, body, answered });
      if (behaviour === "hang") {
        hung.add(res);
        return;
      }
      if (behaviour === "trickle") {
        res.writeHead(200, { "Content-Type": "application/x-protobuf" });
        const drip = setInterval(() => res.write("x"), 50);
        res.on("close", () => clearInterval(drip));
        return;
      }
      const ok = behaviour.status >= 200 && behaviour.status < 300;
      const answer = () => {
        res.writeHead(behaviour.status, {
          "Content-Type": ok ? "application/x-protobuf" : "application/json",
          ...behaviour.headers,
        });
        res.end(behaviour.body ?? (ok ? "" : JSON.stringify({ code: 14, message: "unavailable" })));
      };
      if (behaviour.delayMs === undefined) answer();
      else setTimeout(answer, behaviour.delayMs);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    delivered: () => requests.filter((r) => typeof r.answered === "number" && r.answered >= 200 && r.answered < 300),
    behave(next) {
      decide = next;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls `check` until it returns a value other than undefined (or fails after `timeoutMs`). */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
