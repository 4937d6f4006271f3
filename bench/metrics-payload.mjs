// Builds OTLP metrics export requests for benchmarks, as an SDK's periodic exporter sends them: one
// point per series per export, cumulative counters and histograms that grow from export to export,
// gauges. Each block of 1,000 series is encoded once (a tiny protobuf writer that remembers where
// each time and value sits); every export is that template with its times and values written in.

const ENCODER = new TextEncoder();
const BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
const SHAPE = [0, 2, 5, 9, 14, 20, 14, 9, 6, 4, 2, 1, 1, 0, 0, 0];
const ROUTES = ["/api/orders/:id", "/api/cart", "/api/search", "/api/users/:id", "/health"];
const METHODS = ["GET", "POST", "PUT", "DELETE"];

class Writer {
  chunks = [];
  length = 0;
  /** Where fixed-width values sit: { at, what, series }. */
  marks = [];

  bytes(bytes) {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  varint(value) {
    const out = [];
    let v = value;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    this.bytes(Uint8Array.from(out));
  }

  tag(field, wireType) {
    this.varint(field * 8 + wireType);
  }

  string(field, text) {
    const bytes = ENCODER.encode(text);
    this.tag(field, 2);
    this.varint(bytes.length);
    this.bytes(bytes);
  }

  /** An 8-byte field (fixed64 or double) whose value is written per export. */
  slot(field, what, series) {
    this.tag(field, 1);
    this.marks.push({ at: this.length, what, series });
    this.bytes(new Uint8Array(8));
  }

  packed(field, count, what, series) {
    this.tag(field, 2);
    this.varint(count * 8);
    for (let i = 0; i < count; i++) {
      this.marks.push({ at: this.length, what, series, index: i });
      this.bytes(new Uint8Array(8));
    }
  }

  message(field, build) {
    const child = new Writer();
    build(child);
    this.tag(field, 2);
    this.varint(child.length);
    for (const mark of child.marks) this.marks.push({ ...mark, at: mark.at + this.length });
    for (const chunk of child.chunks) this.chunks.push(chunk);
    this.length += child.length;
  }
}

function keyValue(w, field, key, value) {
  w.message(field, (kv) => {
    kv.string(1, key);
    kv.message(2, (any) => any.string(1, value));
  });
}

/** Series `i` of a block: 40 % histograms, 30 % counters, 30 % gauges; `block` makes 1,000 other ones. */
function seriesOf(block, i) {
  const id = `${block}-${i}`;
  if (i < 400)
    return {
      kind: "histogram",
      attributes: [
        ["http.request.method", METHODS[i % 4]],
        ["http.route", ROUTES[i % 5]],
        ["instance", id],
      ],
    };
  if (i < 700)
    return {
      kind: "sum",
      attributes: [
        ["http.route", ROUTES[i % 5]],
        ["outcome", i % 9 === 0 ? "error" : "ok"],
        ["instance", id],
      ],
    };
  return {
    kind: "gauge",
    attributes: [
      ["host", `node-${i % 20}`],
      ["queue", `q-${i % 7}`],
      ["instance", id],
    ],
  };
}

function template(block) {
  const series = Array.from({ length: 1000 }, (_, i) => seriesOf(block, i));
  const w = new Writer();
  w.message(1, (rm) => {
    rm.message(1, (resource) => keyValue(resource, 1, "service.name", `bench-${block % 5}`));
    rm.message(2, (sm) => {
      sm.message(1, (scope) => scope.string(1, "bench"));
      const metric = (name, unit, kind, dataField, settings) =>
        sm.message(2, (m) => {
          m.string(1, name);
          m.string(3, unit);
          m.message(dataField, (data) => {
            series.forEach((s, i) => {
              if (s.kind !== kind) return;
              data.message(1, (p) => {
                for (const [k, v] of s.attributes) keyValue(p, kind === "histogram" ? 9 : 7, k, v);
                if (kind !== "gauge") p.slot(2, "start", i);
                p.slot(3, "time", i);
                if (kind === "histogram") {
                  p.slot(4, "count", i);
                  p.slot(5, "sum", i);
                  p.packed(6, SHAPE.length, "bucket", i);
                  p.tag(7, 2);
                  p.varint(BOUNDS.length * 8);
                  const bounds = new DataView(new ArrayBuffer(BOUNDS.length * 8));
                  for (const [k, b] of BOUNDS.entries()) bounds.setFloat64(k * 8, b, true);
                  p.bytes(new Uint8Array(bounds.buffer));
                } else {
                  p.slot(4, "value", i);
                }
              });
            });
            settings(data);
          });
        });
      metric("http.server.request.duration", "ms", "histogram", 9, (d) => {
        d.tag(2, 0);
        d.varint(2);
      });
      metric("http.server.requests", "{request}", "sum", 7, (d) => {
        d.tag(2, 0);
        d.varint(2);
        d.tag(3, 0);
        d.varint(1);
      });
      metric("queue.depth", "{job}", "gauge", 5, () => {});
    });
  });
  return { bytes: Buffer.concat(w.chunks), marks: w.marks };
}

const templates = new Map();

/**
 * Export number `n` of block `block`: 1,000 points (one per series) at `timeMs`, counters and
 * histograms cumulative since `startMs` (each export holds n + 1 times what the first did).
 */
export function metricsRequest(block, n, { startMs, timeMs }) {
  let t = templates.get(block);
  if (t === undefined) {
    t = template(block);
    templates.set(block, t);
  }
  const body = Buffer.from(t.bytes);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const timeNs = BigInt(timeMs) * 1_000_000n;
  const startNs = BigInt(startMs) * 1_000_000n;
  for (const { at, what, series, index } of t.marks) {
    if (what === "time") view.setBigUint64(at, timeNs, true);
    else if (what === "start") view.setBigUint64(at, startNs, true);
    else if (what === "count") view.setBigUint64(at, BigInt(87 * (n + 1)), true);
    else if (what === "sum") view.setFloat64(at, 120.5 * 87 * (n + 1), true);
    else if (what === "bucket") view.setBigUint64(at, BigInt(SHAPE[index] * (n + 1)), true);
    else if (series >= 400 && series < 700) view.setFloat64(at, (n + 1) * ((series % 7) + 1), true);
    else view.setFloat64(at, (series * 31 + n * 17) % 1000, true);
  }
  return body;
}
