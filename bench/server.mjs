// Benchmarks' way to a server: start the built tracekit-local, and POST OTLP bodies to it.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { percentile } from "../dist/domain/percentile.js";

const BIN = new URL("../bin/tracekit-local.js", import.meta.url).pathname;

/**
 * Starts the built tracekit-local on a free port (memory store unless args say otherwise) and
 * resolves once it prints its URL. `onLine` sees every later line of its output. `script` runs another
 * build's bin/tracekit-local.js, or another server that prints its URL the same way (bench/bare-server.mjs).
 */
export function startServer(args = [], { nodeArgs = [], onLine = () => {}, script = BIN } = {}) {
  const cliArgs = script.endsWith("/bin/tracekit-local.js") ? ["--port", "0", "--no-open", ...args] : args;
  const child = spawn(process.execPath, [...nodeArgs, script, ...cliArgs], {
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

/** POSTs one body to an OTLP path (`/v1/logs`…), as postTraces does. Rejects unless 200. */
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

/** GET a JSON answer. Rejects unless 200. */
export function get(agent, port, path) {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: "127.0.0.1", port, path }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${path}: status ${res.statusCode}`));
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** The median time of `runs` GETs of `path`, in ms. */
export async function timeQuery(agent, port, path, runs = 20) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await get(agent, port, path);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return percentile(times, 50);
}

/** Resident memory of a process, in MB. */
export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/**
 * CPU seconds (user + system) a process has used so far: unlike wall time, barely moved by other
 * work on a shared machine, so before/after comparisons of the server's own cost hold up.
 */
export function cpuSeconds(pid) {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/**
 * CPU seconds (user + system) of a process's main thread alone: the one thread that receives, decodes
 * and stores, whose time bounds ingest on a machine with cores to spare (V8's compiler and GC threads,
 * libuv's pool and worker threads are left out).
 */
export function mainThreadCpuSeconds(pid) {
  return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuSeconds(file) {
  const stat = readFileSync(file, "utf8");
  // Fields after the command name (which may hold spaces) start at state; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Sends `count` protobuf bodies (`body(i)` makes the i-th) to `path`, `concurrency` at a time, until
 * all are sent or `seconds` have passed. Returns the requests sent, the seconds it took and each
 * request's latency in ms, sorted. `send(bytes)` replaces the HTTP POST (e.g. a gRPC call).
 */
export async function sendAll(
  port,
  path,
  {
    agent,
    count,
    concurrency,
    seconds,
    body,
    send = (bytes) => postOtlp(port, path, bytes, { agent, contentType: "application/x-protobuf" }),
  },
) {
  const latencies = [];
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  async function worker() {
    while (next < count && performance.now() < deadline) {
      const bytes = body(next++);
      const t = performance.now();
      await send(bytes);
      latencies.push(performance.now() - t);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  latencies.sort((a, b) => a - b);
  return { sent: latencies.length, seconds: (performance.now() - start) / 1000, latencies };
}
