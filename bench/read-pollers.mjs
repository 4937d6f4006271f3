// The "browsers" of bench/services.mjs: each asks GET /api/services and a search every POLL_MS and
// keeps its own times of every request (epoch ms, to set beside the server's). Run as a worker thread
// (the default there), they have an event loop of their own: an answer read late because the senders'
// loop was busy would be counted against the server otherwise. Imported, `pollUntil` runs them in
// the importing thread instead.
import { Agent, request } from "node:http";
import { isMainThread, parentPort, workerData } from "node:worker_threads";

const epochNow = () => performance.timeOrigin + performance.now();

/**
 * GET a JSON answer, with this thread's times of the request (epoch ms): asked (the call), sent (the
 * request handed to the socket), head (the answer's headers read) and done (its body read), and
 * whether it went on a kept-alive connection.
 */
function timedGet(agent, port, path) {
  const times = { asked: epochNow(), sent: 0, head: 0, done: 0, reused: false };
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: "127.0.0.1", port, path }, (res) => {
      times.head = epochNow();
      res.resume();
      res.on("end", () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${path}: status ${res.statusCode}`));
        times.done = epochNow();
        resolve(times);
      });
    });
    req.on("finish", () => {
      times.sent = epochNow();
      times.reused = req.reusedSocket;
    });
    req.on("error", reject);
    req.end();
  });
}

/** Stalls of this thread's event loop: [epoch ms when seen, ms late] of each 5 ms tick 20 ms or more late. */
export function stallLog() {
  const stalls = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - last - 5;
    last = now;
    if (late >= 20) stalls.push([Math.round(performance.timeOrigin + now), Math.round(late)]);
  }, 5);
  return { stalls, stop: () => clearInterval(timer) };
}

/**
 * `browsers` pollers, spread over the first POLL_MS, until `deadline` (epoch ms). Each GET carries
 * `probe=<id>` so that the server's probe (bench/load-probe.mjs) lists it too.
 */
export async function pollUntil({ port, browsers, pollMs, deadline, agent }) {
  const gets = { services: [], search: [] };
  const stalls = stallLog();
  let probeId = 0;
  async function browser(index) {
    await new Promise((resolve) => setTimeout(resolve, (index * pollMs) / browsers));
    while (epochNow() < deadline) {
      const started = performance.now();
      const id = `${index}-${probeId++}`;
      gets.services.push({ id: `s${id}`, ...(await timedGet(agent, port, `/api/services?probe=s${id}`)) });
      const query = `q=${encodeURIComponent("user.id=user-42")}&limit=50&probe=q${id}`;
      gets.search.push({ id: `q${id}`, ...(await timedGet(agent, port, `/api/traces?${query}`)) });
      const wait = pollMs - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  await Promise.all(Array.from({ length: browsers }, (_, i) => browser(i)));
  stalls.stop();
  return { gets, stalls: stalls.stalls };
}

if (!isMainThread && workerData?.readPollers === true) {
  const { port, browsers, pollMs, deadline } = workerData;
  const agent = new Agent({ keepAlive: true, maxSockets: browsers + 1 });
  const result = await pollUntil({ port, browsers, pollMs, deadline, agent });
  agent.destroy();
  parentPort.postMessage(result);
}
