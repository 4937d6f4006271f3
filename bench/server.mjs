// Benchmarks' way to a server: start the built tracekit-local, and POST trace bodies to it.
import { spawn } from "node:child_process";
import { request } from "node:http";

const BIN = new URL("../bin/tracekit-local.js", import.meta.url).pathname;

/**
 * Starts the built tracekit-local on a free port (memory store unless args say otherwise) and
 * resolves once it prints its URL. `onLine` sees every later line of its output.
 */
export function startServer(args = [], { nodeArgs = [], onLine = () => {} } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, BIN, "--port", "0", "--no-open", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let port = null;
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const lines = out.split("\n");
      out = lines.pop() ?? "";
      for (const line of lines) {
        const match = port === null ? /UI:\s+http:\/\/[^\s]+:(\d+)/.exec(line) : null;
        if (match) {
          port = Number(match[1]);
          resolve({ child, port });
        } else if (port !== null) {
          onLine(line);
        }
      }
    });
    child.on("exit", (code) => {
      if (port === null) reject(new Error(`server exited ${code} before listening`));
    });
  });
}

/**
 * POSTs one body to /v1/traces with only Content-Type and Content-Length (no User-Agent, as the
 * TraceKit SDKs send); `sdkHost` sends `Host: localhost:<port>` as they do. Rejects unless 200.
 */
export function postTraces(port, body, options) {
  return postOtlp(port, "/v1/traces", body, options);
}

/** The same for any OTLP path (`/v1/metrics`, `/v1/logs`). */
export function postOtlp(port, path, body, { agent, contentType, sdkHost = false }) {
  const headers = { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) };
  if (sdkHost) headers.Host = `localhost:${port}`;
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: "127.0.0.1", port, method: "POST", path, headers }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}
