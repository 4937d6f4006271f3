// Memory per retained span, for three shapes of traffic, each into a fresh server (memory store)
// filled to its bound: RSS while ingesting (the highest sample), idle (12 s after the last request,
// time for the server's compaction of a quiet heap, then once RSS holds within 1% for a second), and
// after searches (free text and key=value over the whole store, which fill the search caches), each
// as MB per 100k retained spans above the server's RSS before the first span.
// Shapes: "bench" (bench/payload.mjs: 10-span traces, ~10 attributes), "sdk" (the TraceKit SDKs'
// local-UI JSON: ~10 attributes, one small resource), "express" (an Express app under OpenTelemetry
// Node auto-instrumentation: server, middleware, pg and outgoing HTTP spans, long URLs and user
// agents, a resource of ~15 attributes).
// Run after `npm run build`:  node bench/memory.mjs
// Knobs: BENCH_SPANS (spans retained, default 350000 = the default --max-spans), BENCH_SHAPES,
// BENCH_IDLE_MS (the idle wait), SERVER_NODE_ARGS (flags for the server's node, space-separated).
import { randomBytes } from "node:crypto";
import { Agent } from "node:http";
import { buildRequest, freshBodies } from "./payload.mjs";
import { cpuSeconds, get, postOtlp, rssMb, sendAll, startServer } from "./server.mjs";

const SPANS = Number(process.env.BENCH_SPANS ?? 350_000);
// The server works on for a few seconds after a burst (packing quiet traces, folding the views' minutes),
// and compacts its heap only after 3 s without a collection: 12 s covers both (6 s read the bench
// shape's 1M spans at 705 MB, before a compaction that brought them to 481 MB).
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 12_000);
const NODE_ARGS = (process.env.SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
const hex = (bytes) => randomBytes(bytes).toString("hex");
const kv = (key, value) => ({
  key,
  value: typeof value === "string" ? { stringValue: value } : { intValue: String(value) },
});

function sdkBody() {
  const traceId = hex(16);
  const start = BigInt(Date.now()) * 1_000_000n;
  const rootId = hex(8);
  const spans = Array.from({ length: 10 }, (_, i) => ({
    traceId,
    spanId: i === 0 ? rootId : hex(8),
    parentSpanId: i === 0 ? "" : rootId,
    name: i === 0 ? "GET /api/orders/<int:id>" : `SELECT orders ${i % 7}`,
    kind: i === 0 ? 1 : 2,
    startTimeUnixNano: String(start + BigInt(i) * 1_000_000n),
    endTimeUnixNano: String(start + BigInt(i) * 1_000_000n + 750_000n),
    attributes: [
      kv("http.method", "GET"),
      kv("http.route", "/api/orders/<int:id>"),
      kv("http.target", `/api/orders/${Math.floor(Math.random() * 1e6)}`),
      kv("http.status_code", 200),
      kv("db.system", "postgresql"),
      kv("db.statement", "SELECT id, status, total FROM orders WHERE id = %s"),
      kv("user.id", `user-${Math.floor(Math.random() * 500)}`),
      kv("net.peer.name", "db"),
      kv("net.peer.port", 5432),
      kv("code.function", "get_order"),
    ],
    status: { code: 0 },
  }));
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [kv("service.name", "orders")] },
        scopeSpans: [{ scope: { name: "tracekit" }, spans }],
      },
    ],
  });
}

const EXPRESS_RESOURCE = {
  attributes: [
    kv("service.name", "storefront"),
    kv("service.version", "2.14.0"),
    kv("deployment.environment", "development"),
    kv("telemetry.sdk.language", "nodejs"),
    kv("telemetry.sdk.name", "opentelemetry"),
    kv("telemetry.sdk.version", "2.0.1"),
    kv("host.name", "dev-laptop"),
    kv("host.arch", "amd64"),
    kv("os.type", "linux"),
    kv("process.pid", 48211),
    kv("process.executable.name", "node"),
    kv("process.runtime.name", "nodejs"),
    kv("process.runtime.version", "20.18.0"),
    kv("process.command", "/app/dist/server.js"),
    kv("process.owner", "app"),
  ],
};

function expressBody() {
  const traceId = hex(16);
  const start = BigInt(Date.now()) * 1_000_000n;
  const rootId = hex(8);
  const orderId = Math.floor(Math.random() * 1e6);
  const span = (name, kind, parent, i, attributes) => ({
    traceId,
    spanId: parent === "" ? rootId : hex(8),
    parentSpanId: parent,
    name,
    kind,
    startTimeUnixNano: String(start + BigInt(i) * 500_000n),
    endTimeUnixNano: String(start + BigInt(i) * 500_000n + 400_000n),
    attributes,
    status: { code: 0 },
  });
  const spans = [
    span("GET /api/orders/:id", 2, "", 0, [
      kv("http.request.method", "GET"),
      kv("url.full", `http://localhost:3000/api/orders/${orderId}?include=items,customer&currency=EUR`),
      kv("url.path", `/api/orders/${orderId}`),
      kv("http.route", "/api/orders/:id"),
      kv("http.response.status_code", 200),
      kv("server.address", "localhost"),
      kv("server.port", 3000),
      kv("client.address", "127.0.0.1"),
      kv(
        "user_agent.original",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
      ),
      kv("network.protocol.version", "1.1"),
    ]),
    ...["query", "expressInit", "jsonParser", "session", "authenticate"].map((name, i) =>
      span(`middleware - ${name}`, 1, rootId, i + 1, [
        kv("express.name", name),
        kv("express.type", "middleware"),
        kv("http.route", "/"),
      ]),
    ),
    span("request handler - /api/orders/:id", 1, rootId, 6, [
      kv("express.name", "/api/orders/:id"),
      kv("express.type", "request_handler"),
      kv("http.route", "/api/orders/:id"),
    ]),
    span("pg.query:SELECT shop", 3, rootId, 7, [
      kv("db.system", "postgresql"),
      kv("db.namespace", "shop"),
      kv(
        "db.query.text",
        "SELECT o.id, o.status, o.total, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1",
      ),
      kv("db.operation.name", "SELECT"),
      kv("server.address", "db"),
      kv("server.port", 5432),
      kv("db.user", "shop"),
    ]),
    span("pg.query:SELECT shop", 3, rootId, 8, [
      kv("db.system", "postgresql"),
      kv("db.namespace", "shop"),
      kv("db.query.text", "SELECT id, sku, quantity, price FROM order_items WHERE order_id = $1"),
      kv("db.operation.name", "SELECT"),
      kv("server.address", "db"),
      kv("server.port", 5432),
      kv("db.user", "shop"),
    ]),
    span("GET", 3, rootId, 9, [
      kv("http.request.method", "GET"),
      kv("url.full", `http://inventory:8080/v1/stock?order=${orderId}&warehouse=eu-west-1`),
      kv("server.address", "inventory"),
      kv("server.port", 8080),
      kv("http.response.status_code", 200),
      kv("network.peer.address", "10.0.3.17"),
    ]),
  ];
  return JSON.stringify({
    resourceSpans: [
      {
        resource: EXPRESS_RESOURCE,
        scopeSpans: [{ scope: { name: "@opentelemetry/instrumentation-express", version: "0.41.0" }, spans }],
      },
    ],
  });
}

const benchTemplate = () => buildRequest(10, 10);

const SHAPES = {
  bench: {
    contentType: "application/x-protobuf",
    spansPerBody: 100,
    body: () => freshBodies(benchTemplate(), Infinity),
  },
  sdk: {
    contentType: "application/json",
    spansPerBody: 10,
    body: () => () => sdkBody(),
  },
  express: {
    contentType: "application/json",
    spansPerBody: 10,
    body: () => () => expressBody(),
  },
};

async function measure(name, shape) {
  const { child, port } = await startServer(["--max-spans", String(SPANS)], { nodeArgs: NODE_ARGS });
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const base = rssMb(child.pid);
    let peak = base;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(child.pid));
    }, 100);
    const makeBody = shape.body();
    const count = Math.ceil(SPANS / shape.spansPerBody);
    const cpuBefore = cpuSeconds(child.pid);
    await sendAll(port, "/v1/traces", {
      agent,
      count,
      concurrency: 4,
      seconds: 600,
      body: makeBody,
      send: (bytes) => postOtlp(port, "/v1/traces", bytes, { agent, contentType: shape.contentType }),
    });
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(child.pid));
    const ingestCpu = cpuSeconds(child.pid) - cpuBefore;
    const retained = (await get(agent, port, "/api/health")).counts.spans;
    await new Promise((r) => setTimeout(r, IDLE_MS));
    // Settled: a compaction of the heap may still be under way (it briefly raises RSS while it copies).
    let idle = rssMb(child.pid);
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = rssMb(child.pid);
      const settled = Math.abs(now - idle) < idle / 100;
      idle = now;
      if (settled) break;
    }
    const searches = [];
    for (const q of ["checkout", "nothing-matches-this", "http.route=/api/orders/:id", "db.system=postgresql"]) {
      const started = performance.now();
      await get(agent, port, `/api/traces?q=${encodeURIComponent(q)}&limit=50`);
      searches.push(`${q} ${fmt(performance.now() - started)} ms`);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const searched = rssMb(child.pid);
    const per100k = (rss) => fmt((rss - base) / (retained / 100_000), 1);
    console.log(
      `${name}: ${fmt(retained)} spans retained; RSS at start ${fmt(base)} MB; ingesting peak ${fmt(peak)} MB ` +
        `(${per100k(peak)} MB per 100k), idle ${fmt(idle)} MB (${per100k(idle)} MB per 100k), after searches ` +
        `${fmt(searched)} MB (${per100k(searched)} MB per 100k); 1M spans would need ≈ ${fmt(base + ((idle - base) * 1_000_000) / retained)} MB idle`,
    );
    console.log(
      `  server CPU while ingesting: ${fmt((ingestCpu * 1e6) / (count * shape.spansPerBody), 1)} µs per span; ` +
        `first searches: ${searches.join(", ")}`,
    );
  } finally {
    agent.destroy();
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

const wanted = process.env.BENCH_SHAPES?.split(",") ?? Object.keys(SHAPES);
for (const name of wanted) await measure(name, SHAPES[name]);
