/**
 * Input from the network is untrusted: whatever arrives, decoding ends quickly with a result or an
 * OtlpDecodeError (→ 400), never another exception (→ 500), a stack overflow or a hang.
 */
import { describe, expect, it } from "vitest";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { decodeTraceRequestProtobuf } from "../../src/otlp/protobuf/traces.js";
import type { TraceDecodeResult } from "../../src/otlp/traces.js";
import {
  bytes,
  cutAtEveryOffset,
  decodeError,
  decodeMutations,
  outcome as decodeOutcome,
  decodeRandomBytes,
  hexBytes,
  key,
  lenField,
  loadOtlpRoot,
  nestedArrayValue,
  nestingDepth,
  PKG,
  prng,
  varint,
} from "./helpers.js";
import { jsonRequest, protoRequest } from "./sample-request.js";

// Fuzz and deep-nesting cases take a second or two on an idle machine; room for a busy CI box.
const SLOW = { timeout: 120_000 };

const root = loadOtlpRoot();
const Request = root.lookupType(`${PKG}.ExportTraceServiceRequest`);
const validBody = Request.encode(Request.fromObject(protoRequest())).finish();

/** Decodes and reports "ok" or "error" (an OtlpDecodeError); also checks the rejected count. */
function outcome(decode: () => TraceDecodeResult): "ok" | "error" {
  return decodeOutcome(() => expect(decode().rejectedSpans).toBeGreaterThanOrEqual(0));
}

/** Request → ResourceSpans → ScopeSpans → Span(ids + extra span fields). */
function requestWithSpanFields(...spanFields: ArrayLike<number>[]): Uint8Array {
  const span = bytes(
    lenField(1, hexBytes("0af7651916cd43dd8448eb211c80319c")),
    lenField(2, hexBytes("b7ad6b7169203331")),
    ...spanFields,
  );
  return bytes(lenField(1, lenField(2, lenField(2, span))));
}

describe("protobuf: truncated and corrupted bodies", () => {
  it("handles the valid body cut at every byte offset", SLOW, () => {
    const outcomes = cutAtEveryOffset(outcome, decodeTraceRequestProtobuf, validBody);
    // Cuts inside the single top-level field must be detected.
    expect(outcomes.error).toBeGreaterThan(validBody.length * 0.9);
    expect(outcome(() => decodeTraceRequestProtobuf(validBody))).toBe("ok");
  });

  it("handles thousands of random byte strings (seeded)", SLOW, () => {
    decodeRandomBytes(outcome, decodeTraceRequestProtobuf, prng(0x5eed), 4000);
  });

  it("handles thousands of random mutations of a valid body (seeded)", SLOW, () => {
    const ok = decodeMutations(outcome, decodeTraceRequestProtobuf, validBody, prng(42), 3000);
    // Mutations that land in string or number payloads still decode; the rest are errors.
    expect(ok).toBeGreaterThan(0);
  });

  it("rejects invalid wire types and groups, at the top level and inside a span", () => {
    expect(decodeError(() => decodeTraceRequestProtobuf(bytes(key(1, 6), [0])))).toBe(
      "invalid wire type 6 in field 1 at byte 0",
    );
    expect(decodeError(() => decodeTraceRequestProtobuf(requestWithSpanFields(key(99, 7), [0])))).toMatch(
      /^invalid wire type 7 in field 99 at byte \d+$/,
    );
    expect(decodeError(() => decodeTraceRequestProtobuf(requestWithSpanFields(key(99, 3), key(99, 4))))).toMatch(
      /^unsupported group wire type 3 in field 99/,
    );
  });

  it("rejects huge length prefixes without allocating", () => {
    for (const len of [2n ** 31n, 2n ** 32n + 1n, 2n ** 53n, 2n ** 64n - 1n]) {
      expect(decodeError(() => decodeTraceRequestProtobuf(bytes(key(1, 2), varint(len), [0, 0])))).toMatch(
        /^truncated length-delimited value \(length \d{1,3}(,\d{3})+, 2 bytes left\) in field 1 at byte 0$/,
      );
      expect(decodeError(() => decodeTraceRequestProtobuf(requestWithSpanFields(key(5, 2), varint(len))))).toMatch(
        /truncated length-delimited value .* in field 5 at byte/,
      );
    }
  });

  it("rejects a field whose length runs past its parent message but not past the buffer", () => {
    // The span claims a 50-byte name inside a 10-byte span, followed by plenty of bytes.
    const span = bytes(key(5, 2), varint(50), new Array(8).fill(0x61));
    const body = bytes(lenField(1, lenField(2, lenField(2, span))), new Array(100).fill(0));
    expect(decodeError(() => decodeTraceRequestProtobuf(body))).toMatch(/length 50, 8 bytes left/);
  });

  it("cuts 10,000 levels of arrayValue nesting at 32 without overflowing the stack", SLOW, () => {
    const levels = 10_000;
    const deepValue = nestedArrayValue(levels);
    const kv = bytes(lenField(1, [0x64]), lenField(2, deepValue));
    const body = requestWithSpanFields(lenField(9, kv));
    expect(body.length).toBeGreaterThan(levels * 4);
    // The entry past the bound is dropped and counted, as past the other bounds of a value.
    const [cut] = decodeTraceRequestProtobuf(body).spans;
    expect(nestingDepth(cut?.attributes.d)).toBe(32);
    expect(cut?.droppedAttributesCount).toBe(1);

    // The same nesting at the allowed depth decodes whole.
    const okBody = requestWithSpanFields(lenField(9, bytes(lenField(1, [0x64]), lenField(2, nestedArrayValue(31)))));
    const [whole] = decodeTraceRequestProtobuf(okBody).spans;
    expect(nestingDepth(whole?.attributes.d)).toBe(31);
    expect(whole?.droppedAttributesCount).toBeUndefined();
  });

  it("counts spans with bad ids as rejected, keeps the rest, and reports the first few reasons", () => {
    const spans: number[][] = [];
    for (let i = 0; i < 100; i++) {
      const ok = i % 10 === 0;
      spans.push(
        lenField(
          2,
          bytes(
            lenField(1, hexBytes(ok ? "0af7651916cd43dd8448eb211c80319c" : "00".repeat(16))),
            lenField(2, hexBytes("b7ad6b7169203331")),
          ),
        ),
      );
    }
    const result = decodeTraceRequestProtobuf(bytes(lenField(1, lenField(2, bytes(...spans)))));
    expect(result.spans).toHaveLength(10);
    expect(result.rejectedSpans).toBe(90);
    expect(result.errors).toEqual([
      "resourceSpans[0].scopeSpans[0].spans[1]: trace id is all zero",
      "resourceSpans[0].scopeSpans[0].spans[2]: trace id is all zero",
      "resourceSpans[0].scopeSpans[0].spans[3]: trace id is all zero",
      "resourceSpans[0].scopeSpans[0].spans[4]: trace id is all zero",
      "resourceSpans[0].scopeSpans[0].spans[5]: trace id is all zero",
    ]);
  });

  it("decodes an empty body as an empty request", () => {
    expect(decodeTraceRequestProtobuf(new Uint8Array(0))).toStrictEqual({ spans: [], rejectedSpans: 0, errors: [] });
  });
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

describe("JSON: wrong shapes", () => {
  const span = (extra: Record<string, Json>): Record<string, Json> => ({
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    ...extra,
  });
  const body = (spans: Json): Json => ({ resourceSpans: [{ scopeSpans: [{ spans }] }] });

  it("rejects a body that is unusable as a whole", () => {
    const cases: [unknown, string][] = [
      [null, "request body is not a JSON object"],
      [[], "request body is not a JSON object"],
      ["{}", "request body is not a JSON object"],
      [{ resourceSpans: {} }, "request: resourceSpans is not an array"],
      [{ resourceSpans: [5] }, "resourceSpans[0] is not an object"],
      [{ resourceSpans: [{ scopeSpans: "x" }] }, "resourceSpans[0]: scopeSpans is not an array"],
      [{ resourceSpans: [{ scopeSpans: [null] }] }, "resourceSpans[0].scopeSpans[0] is not an object"],
      [{ resourceSpans: [{ scopeSpans: [{ spans: {} }] }] }, "resourceSpans[0].scopeSpans[0]: spans is not an array"],
      [{ resourceSpans: [{ resource: [] }] }, "resourceSpans[0].resource: resource is not an object"],
      [
        { resourceSpans: [{ resource: { attributes: [{ key: 1 }] } }] },
        "resourceSpans[0].resource: attribute key 1 is not a string",
      ],
      [
        { resourceSpans: [{ scopeSpans: [{ scope: { name: 7 } }] }] },
        "resourceSpans[0].scopeSpans[0].scope: name is not a string",
      ],
    ];
    for (const [input, message] of cases) expect(decodeError(() => decodeTraceRequestJson(input))).toBe(message);
  });

  it("treats absent or null lists as empty", () => {
    for (const input of [
      {},
      { resourceSpans: null },
      { resourceSpans: [{}] },
      { resourceSpans: [{ scopeSpans: [{}] }] },
    ]) {
      expect(decodeTraceRequestJson(input)).toStrictEqual({ spans: [], rejectedSpans: 0, errors: [] });
    }
  });

  it("rejects only the span that is malformed, with its reason", () => {
    const bad: [Json, string][] = [
      ["not a span", 'span "not a span" is not an object'],
      [span({ name: 5 }), "name is not a string"],
      [span({ kind: "SPAN_KIND_BOGUS" }), 'kind "SPAN_KIND_BOGUS" is not a known enum value'],
      [span({ kind: 1.5 }), "kind 1.5 is not a known enum value"],
      [span({ startTimeUnixNano: "-5" }), 'startTimeUnixNano "-5" is not an unsigned 64-bit integer'],
      [span({ startTimeUnixNano: "1.5" }), 'startTimeUnixNano "1.5" is not an unsigned 64-bit integer'],
      [span({ endTimeUnixNano: -1 }), "endTimeUnixNano -1 is not an unsigned 64-bit integer"],
      [span({ endTimeUnixNano: 2.5 }), "endTimeUnixNano 2.5 is not an unsigned 64-bit integer"],
      [
        span({ startTimeUnixNano: "18446744073709551616" }),
        'startTimeUnixNano "18446744073709551616" is not an unsigned 64-bit integer',
      ],
      [span({ startTimeUnixNano: "" }), 'startTimeUnixNano "" is not an unsigned 64-bit integer'],
      // Megabyte-long digit strings are refused before BigInt parsing could take seconds.
      [
        span({ startTimeUnixNano: "9".repeat(1_000_000) }),
        `startTimeUnixNano "${"9".repeat(40)}…" is not an unsigned 64-bit integer`,
      ],
      [
        span({ attributes: [{ key: "a", value: { intValue: "1".repeat(1_000_000) } }] }),
        `intValue "${"1".repeat(40)}…" is not a 64-bit integer`,
      ],
      [span({ traceId: 12 }), "traceId is not a string"],
      [span({ traceId: "zz".repeat(16) }), `trace id "${"zz".repeat(16)}" is not 32 hex digits (16 bytes)`],
      [span({ attributes: {} }), "attributes is not an array"],
      [span({ attributes: [{ key: "a", value: "raw" }] }), 'AnyValue "raw" is not an object'],
      [span({ attributes: [{ key: "a", value: { intValue: "12x" } }] }), 'intValue "12x" is not a 64-bit integer'],
      [span({ attributes: [{ key: "a", value: { intValue: "1e999" } }] }), 'intValue "1e999" is not a 64-bit integer'],
      [span({ attributes: [{ key: "a", value: { intValue: " 12" } }] }), 'intValue " 12" is not a 64-bit integer'],
      [span({ attributes: [{ key: "a", value: { intValue: "0x10" } }] }), 'intValue "0x10" is not a 64-bit integer'],
      [span({ attributes: [{ key: "a", value: { boolValue: "true" } }] }), 'boolValue "true" is not a boolean'],
      [span({ attributes: [{ key: "a", value: { doubleValue: "x" } }] }), 'doubleValue "x" is not a number'],
      [span({ attributes: [{ key: "a", value: { bytesValue: "!!" } }] }), 'bytesValue "!!" is not base64'],
      [span({ attributes: [{ key: "a", value: { arrayValue: [] } }] }), "arrayValue is not an object"],
      [span({ attributes: [{ key: "a", value: { kvlistValue: { values: 3 } } }] }), "values is not an array"],
      [span({ events: [1] }), "event 1 is not an object"],
      [span({ events: [{ timeUnixNano: "soon" }] }), 'timeUnixNano "soon" is not an unsigned 64-bit integer'],
      [span({ links: [[]] }), "link […] is not an object"],
      [span({ status: "ERROR" }), 'status "ERROR" is not an object'],
      [span({ status: { code: "STATUS_CODE_NOPE" } }), 'code "STATUS_CODE_NOPE" is not a known enum value'],
      [span({ droppedAttributesCount: -1 }), "droppedAttributesCount -1 is not an unsigned 32-bit integer"],
      [span({ flags: 2 ** 32 }), "flags 4294967296 is not an unsigned 32-bit integer"],
    ];
    const good = span({ name: "fine", kind: 2 });
    const spans: Json[] = [good];
    for (const [s] of bad) spans.push(s, good);
    const result = decodeTraceRequestJson(body(spans));
    expect(result.spans).toHaveLength(bad.length + 1);
    expect(result.rejectedSpans).toBe(bad.length);
    // Only the first few reasons are kept; check every reason by decoding each case alone.
    expect(result.errors).toHaveLength(5);
    for (const [s, reason] of bad) {
      expect(decodeTraceRequestJson(body([s])).errors).toEqual([`resourceSpans[0].scopeSpans[0].spans[0]: ${reason}`]);
    }
  });

  it("accepts lenient but valid spellings", () => {
    const result = decodeTraceRequestJson(
      body([
        span({
          kind: "3",
          startTimeUnixNano: "000123",
          flags: "1",
          attributes: [
            { key: "d", value: { doubleValue: "2.5" } },
            { key: "i", value: { intValue: "-0" } },
            { key: "b", value: { bytesValue: "" } },
            { value: { stringValue: "no key" } },
            { key: "n", value: null },
            { key: "u", value: { intValue: 2 ** 60 } },
            // No int64, but a finite number: kept as that double rather than losing the span.
            { key: "f", value: { intValue: 1.5 } },
            { key: "o", value: { intValue: "9223372036854775808" } },
            { key: "e", value: { intValue: "1e+21" } },
            { key: "g", value: { intValue: 2 ** 64 } },
          ],
        }),
      ]),
    );
    expect(result.rejectedSpans).toBe(0);
    const s = result.spans[0];
    expect(s?.kind).toBe("CLIENT");
    expect(s?.startTimeUnixNano).toBe(123n);
    expect(s?.flags).toBe(1);
    expect(s?.attributes).toStrictEqual({
      d: 2.5,
      i: 0,
      b: "",
      "": "no key",
      n: null,
      u: "1152921504606846976",
      f: 1.5,
      o: 2 ** 63,
      e: 1e21,
      g: 2 ** 64,
    });
  });

  it("cuts 10,000 levels of arrayValue and kvlistValue nesting at 32 without overflowing the stack", SLOW, () => {
    const levels = 10_000;
    const deepArray = `${'{"arrayValue":{"values":['.repeat(levels)}{}${"]}}".repeat(levels)}`;
    const deepKvlist = `${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(levels)}{}${"}]}}".repeat(levels)}`;
    for (const deep of [deepArray, deepKvlist]) {
      const text = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","attributes":[{"key":"deep","value":${deep}}]}]}]}]}`;
      const [span] = decodeTraceRequestJson(JSON.parse(text)).spans;
      // The entry past the bound is dropped and counted, as past the other bounds of a value.
      expect(nestingDepth(span?.attributes.deep)).toBe(32);
      expect(span?.droppedAttributesCount).toBe(1);
    }
  });

  it("survives thousands of random structural mutations of a valid body (seeded)", SLOW, () => {
    const rand = prng(7);
    const randomValue = (): Json => {
      const pick = Math.floor(rand() * 9);
      switch (pick) {
        case 0:
          return null;
        case 1:
          return rand() < 0.5;
        case 2:
          return Math.floor(rand() * 1e6) - 5e5;
        case 3:
          return rand() * 10;
        case 4:
          return "";
        case 5:
          return "0af7651916cd43dd8448eb211c80319c";
        case 6:
          return [];
        case 7:
          return {};
        default:
          return { values: [{}] };
      }
    };
    const mutate = (value: Json): Json => {
      if (rand() < 0.04) return randomValue();
      if (Array.isArray(value)) return value.map(mutate);
      if (value !== null && typeof value === "object") {
        const out: { [key: string]: Json } = {};
        for (const [k, v] of Object.entries(value)) out[k] = mutate(v);
        return out;
      }
      return value;
    };
    const base = jsonRequest() as Json;
    const seen = { ok: 0, error: 0 };
    for (let n = 0; n < 2000; n++) seen[outcome(() => decodeTraceRequestJson(mutate(base)))]++;
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });
});
