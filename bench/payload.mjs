// Builds realistic OTLP trace requests for benchmarks: 100 traces × 10 spans, ~10 attributes a span,
// with every trace id rewritten per request so each request adds new traces, and (freshRequest,
// freshBodies) its times moved to when it is made, so traces arrive in start order as from live SDKs.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";

const schema = readFileSync(new URL("../test/fixtures/otlp-trace.proto", import.meta.url), "utf8");
const root = protobuf.parse(schema).root;
const Request = root.lookupType("tracekit.test.otlp.ExportTraceServiceRequest");

const SERVICES = ["frontend", "checkout", "payments", "inventory", "email"];
const str = (key, value) => ({ key, value: { stringValue: value } });
const int = (key, value) => ({ key, value: { intValue: value } });

function span(traceId, index, parent, startNs) {
  const spanId = randomBytes(8);
  const isRoot = parent === null;
  return {
    spanId,
    value: {
      traceId,
      spanId,
      parentSpanId: parent ?? undefined,
      name: isRoot ? "GET /api/orders/:id" : index % 3 === 0 ? "SELECT orders" : `call inventory ${index}`,
      kind: isRoot ? 2 : index % 3 === 0 ? 3 : 1,
      startTimeUnixNano: (startNs + BigInt(index) * 1_000_000n).toString(),
      endTimeUnixNano: (startNs + BigInt(index) * 1_000_000n + 750_000n).toString(),
      attributes: [
        str("http.request.method", "GET"),
        str("http.route", "/api/orders/:id"),
        int("http.response.status_code", index % 17 === 0 ? 500 : 200),
        str("url.full", `http://localhost:8080/api/orders/${index}?expand=items`),
        str("server.address", "localhost"),
        int("server.port", 8080),
        str("db.system.name", "postgresql"),
        str("db.query.text", "SELECT id, status, total FROM orders WHERE id = $1"),
        str("user.id", `user-${index % 97}`),
        { key: "app.cache_hit", value: { boolValue: index % 2 === 0 } },
      ],
      events:
        index % 5 === 0
          ? [{ timeUnixNano: startNs.toString(), name: "cache.miss", attributes: [str("cache.key", `order:${index}`)] }]
          : [],
      status: index % 17 === 0 ? { code: 2, message: "upstream failed" } : {},
    },
  };
}

/** One protobuf request with `traces` traces of `spansPerTrace` spans, plus where its trace ids sit. */
export function buildRequest(traces = 100, spansPerTrace = 10) {
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const byService = new Map();
  const traceIds = [];
  for (let t = 0; t < traces; t++) {
    const traceId = randomBytes(16);
    traceIds.push(traceId);
    let parent = null;
    for (let s = 0; s < spansPerTrace; s++) {
      const service = SERVICES[(t + s) % SERVICES.length];
      const built = span(traceId, s, parent, startNs + BigInt(t) * 10_000_000n);
      if (parent === null) parent = built.spanId;
      if (!byService.has(service)) byService.set(service, []);
      byService.get(service).push(built.value);
    }
  }
  const request = {
    resourceSpans: [...byService.entries()].map(([service, spans]) => ({
      resource: {
        attributes: [
          str("service.name", service),
          str("service.version", "1.4.2"),
          str("telemetry.sdk.language", "nodejs"),
        ],
      },
      scopeSpans: [{ scope: { name: "@opentelemetry/instrumentation-http", version: "0.52.0" }, spans }],
    })),
  };
  const bytes = Buffer.from(Request.encode(Request.fromObject(request)).finish());
  // Every place a trace id's 16 bytes occur, so each request can get fresh ids cheaply.
  const offsets = placesOf(bytes, traceIds);
  // Every place a span's or event's fixed64 time sits, so each request can be moved to its own moment.
  const times = new Set();
  for (let t = 0; t < traces; t++) {
    const traceStart = startNs + BigInt(t) * 10_000_000n;
    times.add(traceStart); // events' time
    for (let s = 0; s < spansPerTrace; s++) {
      const spanStart = traceStart + BigInt(s) * 1_000_000n;
      times.add(spanStart).add(spanStart + 750_000n);
    }
  }
  return {
    bytes,
    spanCount: traces * spansPerTrace,
    offsets,
    startNs,
    timeOffsets: timeOffsetsOf(bytes, times),
    json: Request.toObject(Request.decode(bytes), { longs: String, bytes: String }),
  };
}

/**
 * Every place each of `needles` (byte strings of 4 bytes or more) occurs in `bytes`, a list per
 * needle: one pass over `bytes` keyed by 4 bytes (a search per needle made a 70,000-span request
 * take half an hour to build).
 */
function placesOf(bytes, needles) {
  const byHead = new Map();
  needles.forEach((needle, i) => {
    const head = needle.readUInt32LE(0);
    if (!byHead.has(head)) byHead.set(head, []);
    byHead.get(head).push(i);
  });
  const places = needles.map(() => []);
  const width = needles.reduce((least, needle) => Math.min(least, needle.length), Number.POSITIVE_INFINITY);
  for (let at = 0; at + width <= bytes.length; at++) {
    const candidates = byHead.get(bytes.readUInt32LE(at));
    if (candidates === undefined) continue;
    for (const i of candidates) {
      const needle = needles[i];
      if (at + needle.length <= bytes.length && bytes.compare(needle, 0, needle.length, at, at + needle.length) === 0) {
        places[i].push(at);
      }
    }
  }
  return places;
}

/** Where each of `times` (ns) sits in `bytes` as a fixed64, one place each. */
export function timeOffsetsOf(bytes, times) {
  const needles = [...times].map((ns) => {
    const le = Buffer.alloc(8);
    le.writeBigUInt64LE(ns);
    return le;
  });
  return [...new Set(placesOf(bytes, needles).flat())];
}

/** Moves every time in `bytes` (a copy of the template's body) `shiftNs` later. */
export function shiftTimes(bytes, template, shiftNs) {
  for (const at of template.timeOffsets) bytes.writeBigUInt64LE(template.bytes.readBigUInt64LE(at) + shiftNs, at);
  return bytes;
}

/** Every request repeats the template's times (BENCH_FIXED_TIMES=1): how the benches sent until they moved them to now. */
const FIXED_TIMES = process.env.BENCH_FIXED_TIMES === "1";

/**
 * The next request of a live sender: the template with new trace ids and its traces starting now,
 * as an SDK's do. (Requests that all repeat the same 100 start times put every new trace among the
 * stored ones instead of after them, which no real sender does.)
 */
export function freshRequest(template) {
  const bytes = withFreshTraceIds(template);
  return FIXED_TIMES ? bytes : shiftTimes(bytes, template, BigInt(Date.now()) * 1_000_000n - template.startNs);
}

/** A copy of the request with new random trace ids (and the same shape). */
export function withFreshTraceIds(template) {
  const bytes = Buffer.from(template.bytes);
  for (const places of template.offsets) {
    const id = randomBytes(16);
    for (const at of places) id.copy(bytes, at);
  }
  return bytes;
}

/**
 * `body(i)`: the i-th request to send, each with fresh trace ids. The first 50 are made ahead of time
 * so the load generator's own work is not timed; later ones replace them in turn.
 */
export function freshBodies(template, count) {
  const bodies = Array.from({ length: Math.min(count, 50) }, () => freshRequest(template));
  return (i) => {
    if (i < bodies.length) return bodies[i];
    const body = freshRequest(template);
    bodies[i % bodies.length] = body;
    return body;
  };
}

/** The same request as OTLP/JSON (hex ids), for the JSON decode rate. */
export function toOtlpJson(template) {
  const hex = (b64) => (b64 ? Buffer.from(b64, "base64").toString("hex") : undefined);
  const clone = JSON.parse(JSON.stringify(template.json));
  for (const rs of clone.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        s.traceId = hex(s.traceId);
        s.spanId = hex(s.spanId);
        if (s.parentSpanId) s.parentSpanId = hex(s.parentSpanId);
      }
    }
  }
  return JSON.stringify(clone);
}

/**
 * `body(i)`: the i-th OTLP/JSON request to send (as toOtlpJson writes it), each with fresh trace ids,
 * so that the receiver stores every request instead of taking its cheaper path for spans it has.
 */
export function freshJsonBodies(template) {
  const text = toOtlpJson(template);
  const bytes = Buffer.from(text);
  const ids = new Set(
    JSON.parse(text).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.traceId))),
  );
  const offsets = [...ids].map((id) => {
    const places = [];
    for (let at = bytes.indexOf(id); at !== -1; at = bytes.indexOf(id, at + id.length)) places.push(at);
    return places;
  });
  return () => {
    const body = Buffer.from(bytes);
    for (const places of offsets) {
      const id = randomBytes(16).toString("hex");
      for (const at of places) body.write(id, at, "latin1");
    }
    return body;
  };
}
