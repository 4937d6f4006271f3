// Seeded mutation fuzzing of OTLP/HTTP bodies, shared by the CI test (test/otlp/fuzz-http.test.ts:
// a fixed seed and count) and bench/fuzz.mjs (long runs). Seeds are real OpenTelemetry JS SDK
// output (bench/fuzz-seeds.mjs); each case is one mutated body, sometimes gzipped, sometimes with
// the gzip stream itself corrupted. The server must answer every case with 200, 400, 413 or 415.
import { Agent, request } from "node:http";
import { gzipSync } from "node:zlib";

/** A small, fast, seeded generator (mulberry32): the same seed gives the same cases everywhere. */
export function prng(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x1a, 0x22, 0x08, 0x10];

/** One to four byte-level mutations: bit flips, odd bytes, cuts, copies, splices from another seed, huge varints. */
export function mutateBytes(rand, body, donors = []) {
  let bytes = Uint8Array.from(body);
  const rounds = 1 + rand.int(4);
  for (let round = 0; round < rounds; round++) {
    const at = bytes.length === 0 ? 0 : rand.int(bytes.length);
    const span = 1 + rand.int(Math.max(1, Math.min(64, bytes.length - at)));
    switch (rand.int(8)) {
      case 0:
        for (let i = 0, n = 1 + rand.int(8); i < n && bytes.length > 0; i++) {
          bytes[rand.int(bytes.length)] ^= 1 << rand.int(8);
        }
        break;
      case 1:
        if (bytes.length > 0) bytes[at] = rand.pick(INTERESTING_BYTES);
        break;
      case 2:
        bytes = concat(bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + span)));
        break;
      case 3:
        bytes = concat(bytes.subarray(0, at + span), bytes.subarray(at, at + span), bytes.subarray(at + span));
        break;
      case 4:
        bytes = concat(bytes.subarray(0, at), randomBytes(rand, 1 + rand.int(32)), bytes.subarray(at));
        break;
      case 5:
        bytes = bytes.subarray(0, at);
        break;
      case 6: {
        const donor = donors.length > 0 ? rand.pick(donors) : bytes;
        const from = donor.length === 0 ? 0 : rand.int(donor.length);
        bytes = concat(bytes.subarray(0, at), donor.subarray(from, from + span), bytes.subarray(at + span));
        break;
      }
      default: {
        // A length or varint as long as the wire allows: 0xff × 9, then 0x01.
        const huge = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        bytes = concat(bytes.subarray(0, at), huge, bytes.subarray(Math.min(bytes.length, at + 1 + rand.int(4))));
      }
    }
  }
  return bytes;
}

function randomBytes(rand, n) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rand.int(256);
  return out;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A value of another type or an edge of the same one, for structural JSON mutations. */
function oddValue(rand, depth) {
  switch (rand.int(16)) {
    case 0:
      return null;
    case 1:
      return rand.chance(0.5);
    case 2:
      return rand.pick([0, -1, 1.5, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e-308]);
    case 3:
      return rand.pick(["99999999999999999999999", "-5", "1.5", "0x10", "", "NaN", "Infinity", " 7 "]);
    case 4:
      return "x".repeat(rand.pick([1, 100, 10_000, 200_000]));
    case 5:
      return rand.pick(["0af7651916cd43dd8448eb211c80319", "ZZf7651916cd43dd8448eb211c80319c", "b7ad6b71692033"]);
    case 6:
      return [];
    case 7:
      return {};
    case 8:
      // Deep nesting, spliced in as text after serializing (JSON.stringify itself would overflow).
      return `@@DEEP:${rand.pick([50, 500, 5000])}:${rand.int(2)}@@`;
    case 9:
      // Long lists of primitives, or a few odd values (one level down only: no exponential growth).
      return depth > 0 || rand.chance(0.5)
        ? Array.from({ length: rand.pick([2, 50, 2000]) }, () => rand.pick([1, "x", null, true]))
        : Array.from({ length: 1 + rand.int(4) }, () => oddValue(rand, depth + 1));
    case 10:
      return { stringValue: rand.int(2) ? 5 : null, intValue: "abc", doubleValue: "1", boolValue: "true" };
    case 11:
      return { bytesValue: rand.pick(["!!notbase64", "AAEC", ""]) };
    case 12:
      return { key: rand.pick(["", "a".repeat(5000), "__proto__", "constructor"]), value: { stringValue: "v" } };
    case 13:
      return rand.pick(["__proto__", "constructor", "toString"]);
    case 14:
      return -rand.int(100);
    default:
      return "\u0000\ud800\uffff";
  }
}

/** Every container (object or array) and its keys in a parsed JSON value, for picking a place to mutate. */
function containers(value, out = [], depth = 0) {
  if (depth > 40 || value === null || typeof value !== "object") return out;
  out.push(value);
  for (const child of Array.isArray(value) ? value : Object.values(value)) containers(child, out, depth + 1);
  return out;
}

/** Structural mutations of a parsed body (wrong types, missing or extra keys, repeats, deep nesting), then sometimes bytes. */
export function mutateJson(rand, seedText) {
  const value = JSON.parse(seedText);
  const places = containers(value);
  // Repeating shares one value many times; twice in one body it could multiply (1000 × 1000).
  let repeated = false;
  for (let round = 0, rounds = 1 + rand.int(3); round < rounds; round++) {
    const place = rand.pick(places);
    const keys = Array.isArray(place) ? place.map((_, i) => i) : Object.keys(place);
    if (keys.length === 0) {
      if (Array.isArray(place)) place.push(oddValue(rand, 0));
      else place[rand.pick(["extra", "resourceSpans", "resource_logs", "scopeMetrics"])] = oddValue(rand, 0);
      continue;
    }
    const key = rand.pick(keys);
    switch (rand.int(5)) {
      case 0:
        if (Array.isArray(place)) place.splice(key, 1);
        else delete place[key];
        break;
      case 1:
        if (Array.isArray(place) && !repeated) {
          repeated = true;
          // Repeats up to ~2 MB of JSON: big enough to matter, small enough to keep cases quick.
          const size = JSON.stringify(place[key])?.length ?? 1;
          const n = Math.min(rand.pick([1, 10, 1000]), Math.ceil(2_000_000 / size));
          for (let i = 0; i < n; i++) place.push(place[key]);
        } else if (!Array.isArray(place)) {
          place[`${key}_`] = place[key];
        }
        break;
      default:
        place[key] = oddValue(rand, 0);
    }
  }
  const text = JSON.stringify(value).replace(/"@@DEEP:(\d+):(\d)@@"/g, (_, levels, kind) => {
    const open = kind === "0" ? '{"arrayValue":{"values":[' : '{"kvlistValue":{"values":[{"key":"k","value":';
    const close = kind === "0" ? "]}}" : "}]}}";
    return `${open.repeat(Number(levels))}{"stringValue":"leaf"}${close.repeat(Number(levels))}`;
  });
  let out = new TextEncoder().encode(text);
  if (rand.chance(0.2)) out = mutateBytes(rand, out);
  return out;
}

/**
 * `count` cases for one signal from its seeds ({ protobuf: Uint8Array[], json: Uint8Array[] }):
 * a third protobuf, a third JSON, a third gzipped (of either), a few of those with a corrupted gzip
 * stream, and now and then a wrong Content-Type or Content-Encoding.
 */
export function* fuzzCases(rand, seeds, count) {
  for (let i = 0; i < count; i++) {
    const kind = i % 3;
    const useJson = kind === 1 || (kind === 2 && rand.chance(0.5));
    const body = useJson
      ? mutateJson(rand, new TextDecoder().decode(rand.pick(seeds.json)))
      : mutateBytes(rand, rand.pick(seeds.protobuf), seeds.protobuf);
    const headers = { "content-type": useJson ? "application/json" : "application/x-protobuf" };
    let payload = body;
    if (kind === 2) {
      payload = gzipSync(body);
      headers["content-encoding"] = "gzip";
      if (rand.chance(0.25)) payload = mutateBytes(rand, payload);
    }
    if (rand.chance(0.01)) headers["content-type"] = rand.pick(["text/plain", "application/xml", ""]);
    if (rand.chance(0.01)) headers["content-encoding"] = rand.pick(["gzip", "br", "deflate", "identity, gzip"]);
    yield { headers, body: payload };
  }
}

const EXPECTED = new Set([200, 400, 413, 415]);

/**
 * POSTs every case to `base + path` over keep-alive connections, `concurrency` at a time. Resolves
 * with the count per status and the first few unexpected answers (status, or a network error
 * such as a reset connection), each with its case for reproduction.
 */
export async function runFuzz({ base, path, cases, concurrency = 8 }) {
  const url = new URL(path, base);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = {};
  const unexpected = [];
  const iterator = cases[Symbol.iterator]();
  const worker = async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      const fuzzCase = next.value;
      try {
        const status = await post(agent, url, fuzzCase);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (!EXPECTED.has(status) && unexpected.length < 10) unexpected.push({ status, fuzzCase });
      } catch (error) {
        statuses.error = (statuses.error ?? 0) + 1;
        if (unexpected.length < 10) unexpected.push({ status: String(error), fuzzCase });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return { statuses, unexpected };
}

function post(agent, url, { headers, body }) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent, method: "POST", headers: { ...headers, "content-length": body.length } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
