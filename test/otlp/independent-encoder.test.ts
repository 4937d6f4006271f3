/**
 * Requests the OTel SDK never emits (kvlist, bytes, int64 past 2^53, non-finite doubles, unknown
 * fields, out-of-range enums, all-zero parents, invalid ids), encoded by protobufjs from an
 * independent schema and hand-written as OTLP/JSON in its lenient spellings. Both decoders must
 * produce exactly the expected Spans.
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { decodeTraceRequestProtobuf, encodeTraceResponseProtobuf } from "../../src/otlp/protobuf/traces.js";
import { hexBytes, loadOtlpRoot, PKG } from "./helpers.js";
import { expectedResult, jsonRequest, protoRequest, ROOT, TRACE } from "./sample-request.js";

const root = loadOtlpRoot();
const Request = root.lookupType(`${PKG}.ExportTraceServiceRequest`);

function encode(type: protobuf.Type, object: Record<string, unknown>): Uint8Array {
  return type.encode(type.fromObject(object)).finish();
}

describe("independent encoder (protobufjs) and hand-written OTLP/JSON", () => {
  const fromProto = decodeTraceRequestProtobuf(encode(Request, protoRequest()));
  const fromJson = decodeTraceRequestJson(jsonRequest());

  it("decodes protobuf to exactly the expected spans", () => {
    expect(fromProto).toStrictEqual(expectedResult());
  });

  it("decodes the OTLP/JSON spelling to exactly the same spans", () => {
    expect(fromJson).toStrictEqual(expectedResult());
    expect(fromJson).toStrictEqual(fromProto);
  });

  it("stores a __proto__ key as data without touching the prototype", () => {
    for (const result of [fromProto, fromJson]) {
      const kv = result.spans[0]?.attributes.kv as Record<string, unknown>;
      expect(Object.getPrototypeOf(kv)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(kv, "__proto__")?.value).toBe("not a prototype");
      expect(JSON.stringify(kv)).toBe('{"inner":{"deeper":"x"},"__proto__":"not a prototype","list":[[]]}');
      expect(({} as Record<string, unknown>).deeper).toBeUndefined();
    }
  });

  it("shares resource and scope objects between the spans of one group", () => {
    for (const result of [fromProto, fromJson]) {
      const [a, b, c, d] = result.spans;
      expect(a?.resource).toBe(b?.resource);
      expect(b?.resource).toBe(c?.resource);
      expect(a?.scope).toBe(c?.scope);
      expect(d?.resource).not.toBe(a?.resource);
    }
  });

  it("skips fields from newer proto revisions in every message, whatever their wire type", () => {
    // The test schema with six fields added at the top of every message, as a newer revision
    // might add them: one per wire type, including a packed repeated scalar and the highest field number.
    const newer = [
      "string future_string = 100;",
      "repeated uint64 future_packed = 101;",
      "fixed32 future_fixed32 = 102;",
      "fixed64 future_fixed64 = 103;",
      "Status future_message = 104;",
      "sint64 future_sint = 536870911;",
    ].join(" ");
    const schema = readFileSync(new URL("../fixtures/otlp-trace.proto", import.meta.url), "utf8");
    const future = protobuf.parse(schema.replace(/message (\w+) \{/g, `message $1 { ${newer}`)).root;
    const extra = {
      futureString: "x",
      futurePacked: ["1", "300", "18446744073709551615"],
      futureFixed32: 7,
      futureFixed64: "9",
      futureMessage: { message: "m", code: 1 },
      futureSint: "-5",
    };
    const withExtras = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(withExtras);
      if (value instanceof Uint8Array || typeof value !== "object" || value === null) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = withExtras(v);
      return { ...out, ...extra };
    };
    const request = withExtras(protoRequest()) as Record<string, unknown>;
    const bytes = encode(future.lookupType(`${PKG}.ExportTraceServiceRequest`), request);
    // The packed encoding really is on the wire (field 101, wire type 2).
    expect(Buffer.from(bytes).includes(Buffer.from([0xaa, 0x06]))).toBe(true);
    expect(decodeTraceRequestProtobuf(bytes)).toStrictEqual(expectedResult());
  });

  it("reads a resource that follows its scope spans, and merges repeated resource and scope fields", () => {
    const ResourceSpans = root.lookupType(`${PKG}.ResourceSpans`);
    const ScopeSpans = root.lookupType(`${PKG}.ScopeSpans`);
    const span = { traceId: hexBytes(TRACE), spanId: hexBytes(ROOT), name: "late" };
    // Concatenated encodings of a message are one message with its fields merged (protobuf rule):
    // here a second scope occurrence follows the spans, and both resource occurrences follow the
    // scope spans they describe.
    const scopeSpans = concat(
      encode(ScopeSpans, { spans: [span], scope: { name: "s1", version: "1" } }),
      encode(ScopeSpans, { scope: { version: "2", attributes: [{ key: "x", value: { boolValue: true } }] } }),
    );
    const rs = concat(
      [0x12, ...varintBytes(scopeSpans.length)],
      scopeSpans,
      encode(ResourceSpans, { resource: { attributes: [{ key: "a", value: { stringValue: "1" } }] } }),
      encode(ResourceSpans, {
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: "late-svc" } },
            { key: "a", value: { stringValue: "2" } },
          ],
        },
      }),
    );
    const request = concat([0x0a, ...varintBytes(rs.length)], rs);
    const { spans } = decodeTraceRequestProtobuf(request);
    expect(spans).toHaveLength(1);
    expect(spans[0]?.service).toBe("late-svc");
    expect(spans[0]?.resource).toEqual({ a: "2", "service.name": "late-svc" });
    expect(spans[0]?.scope).toEqual({ name: "s1", version: "2", attributes: { x: true } });
  });
});

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const flat: number[] = [];
  for (const p of parts) flat.push(...Array.from(p));
  return Uint8Array.from(flat);
}

function varintBytes(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

describe("encodeTraceResponseProtobuf", () => {
  const Response = root.lookupType(`${PKG}.ExportTraceServiceResponse`);

  it("is empty when nothing was rejected", () => {
    expect(encodeTraceResponseProtobuf({ rejectedSpans: 0 })).toEqual(new Uint8Array(0));
    expect(Response.toObject(Response.decode(new Uint8Array(0)))).toEqual({});
  });

  it("encodes partial_success readable by an independent decoder", () => {
    for (const [rejectedSpans, errorMessage] of [
      [3, "span id is all zero"],
      [1, undefined],
      [2 ** 40 + 1, "ünïcode ✓"],
      [0, "a warning only"],
    ] as const) {
      const bytes = encodeTraceResponseProtobuf({ rejectedSpans, errorMessage });
      const decoded = Response.toObject(Response.decode(bytes), { longs: String }) as {
        partialSuccess?: { rejectedSpans?: string; errorMessage?: string };
      };
      expect(decoded.partialSuccess?.rejectedSpans ?? "0").toBe(String(rejectedSpans));
      expect(decoded.partialSuccess?.errorMessage ?? "").toBe(errorMessage ?? "");
    }
  });

  it("refuses a negative or fractional count", () => {
    expect(() => encodeTraceResponseProtobuf({ rejectedSpans: -1 })).toThrow(RangeError);
    expect(() => encodeTraceResponseProtobuf({ rejectedSpans: 1.5 })).toThrow(RangeError);
  });
});
