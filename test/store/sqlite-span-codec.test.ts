import { describe, expect, it } from "vitest";
import type { Attributes, Span } from "../../src/domain/span.js";
import { encodeBody, SpanBodyEncoder } from "../../src/store/sqlite-span-codec.js";
import { makeSpan, richSpan } from "./span-fixtures.js";

const text = (body: Uint8Array | string) => (typeof body === "string" ? body : Buffer.from(body).toString("utf8"));

/** richSpan without its NaN and Infinity, whose body is encodeBody's boxed text. */
function richFiniteSpan(): Span {
  const span = richSpan();
  const { "not.a.number": _nan, infinite: _infinite, ...attributes } = span.attributes;
  return { ...span, attributes };
}

/** Attribute values whose JSON is not their characters as they are. */
const TRICKY: Attributes = {
  quote: 'say "hi"',
  backslash: "C:\\temp",
  control: "a\u0001b\tc\nd",
  del: "\u007f",
  latin1: "café",
  wide: "日本語 🚀",
  loneHigh: "x\ud800y",
  loneLow: "\udc00",
  empty: "",
  zero: 0,
  fraction: 0.1,
  exponent: 1e21,
  tiny: 5e-324,
  negative: -12.5,
  big: Number.MAX_SAFE_INTEGER + 2,
  yes: true,
  no: false,
  nothing: null,
  list: ['a"b', 1, [null, { k: "v" }]],
  map: { 'key with "quote"': "\u2028" },
  ["__proto__"]: "own key",
  ключ: "значение",
};

describe("SpanBodyEncoder", () => {
  it("writes the UTF-8 bytes of encodeBody's text, with and without a shape", () => {
    const spans: Span[] = [
      richFiniteSpan(),
      makeSpan({ trace: 1, span: 2, parent: 1, attributes: TRICKY }),
      makeSpan({ trace: 1, span: 3, parent: null, name: 'na"me\\ ✓', error: true }),
      makeSpan({ trace: 2, span: 4 }),
      { ...makeSpan({ trace: 3, span: 5 }), traceState: 'k="v"', flags: 0 },
      // Not what a decoder makes, but a JS object can hold it: written as JSON.stringify writes a list's.
      makeSpan({ trace: 4, span: 6, attributes: { missing: undefined } as unknown as Attributes }),
      { ...makeSpan({ trace: 4, span: 7 }), parentSpanId: undefined } as unknown as Span,
    ];
    const encoder = new SpanBodyEncoder();
    for (const span of spans) {
      for (const shapeId of [null, 0, 7, 123_456]) {
        const body = encoder.encode(span, shapeId);
        expect(body).toBeInstanceOf(Uint8Array);
        expect(text(body)).toBe(encodeBody(span, shapeId));
      }
    }
  });

  it("gives a body with a number JSON cannot write as encodeBody's boxed text", () => {
    const encoder = new SpanBodyEncoder();
    const span = richSpan();
    expect(encoder.encode(span, 3)).toBe(encodeBody(span, 3));
    const negativeZero = makeSpan({ trace: 1, span: 1, attributes: { z: -0 } });
    expect(encoder.encode(negativeZero, null)).toBe(encodeBody(negativeZero, null));
    expect(encodeBody(negativeZero, null).startsWith("!")).toBe(true);
  });

  it("keeps every body it handed out intact across slabs, one larger than a slab too", () => {
    const encoder = new SpanBodyEncoder();
    const spans: Span[] = [];
    for (let i = 0; i < 2_000; i++) {
      const attributes: Attributes = { index: i, text: `value ${i} ${"x".repeat(i % 300)}` };
      // A body past a slab (256 KiB) in the middle, with characters past ASCII.
      if (i === 1_000) attributes.huge = "é".repeat(200_000);
      spans.push(makeSpan({ trace: i, span: i + 1, attributes }));
    }
    const bodies = spans.map((span, i) => encoder.encode(span, i % 2 === 0 ? 1 : null));
    spans.forEach((span, i) => {
      expect(text(bodies[i] as Uint8Array)).toBe(encodeBody(span, i % 2 === 0 ? 1 : null));
    });
  });

  it("writes a body larger than a slab apart, in a buffer of its own length, and keeps to its slab after", () => {
    const SLAB_BYTES = 256 * 1024;
    const encoder = new SpanBodyEncoder();
    const small = (i: number) => makeSpan({ trace: i, span: i + 1, attributes: { index: i, text: `value ${i}` } });
    const before = encoder.encode(small(0), null) as Uint8Array;
    const spans: Span[] = [
      // 8 million characters (as the default body limit allows), with and without a shape; several
      // large values in one body; one past ASCII; one that starts as ASCII and is escaped further on.
      makeSpan({ trace: 1, span: 2, attributes: { huge: "x".repeat(8_000_000) } }),
      makeSpan({
        trace: 1,
        span: 3,
        attributes: { a: "y".repeat(300_000), b: "é".repeat(300_000), c: "z".repeat(900_000) },
      }),
      makeSpan({ trace: 1, span: 4, attributes: { late: `${"w".repeat(400_000)}"\u0001` } }),
    ];
    for (const span of spans) {
      for (const shapeId of [null, 5]) {
        const body = encoder.encode(span, shapeId) as Uint8Array;
        expect(text(body)).toBe(encodeBody(span, shapeId));
        expect(body.buffer.byteLength).toBe(body.byteLength);
        // The bodies after it are written in a slab, not in what was grown for the large one.
        for (let i = 0; i < 1_000; i++) {
          const after = encoder.encode(small(i), shapeId) as Uint8Array;
          expect(text(after)).toBe(encodeBody(small(i), shapeId));
          expect(after.buffer.byteLength).toBe(SLAB_BYTES);
        }
      }
    }
    expect(text(before)).toBe(encodeBody(small(0), null));
  });

  it("goes back to its slab after a body larger than a slab failed to be written", () => {
    const encoder = new SpanBodyEncoder();
    const first = makeSpan({ trace: 1, span: 1, attributes: { index: 1 } });
    const kept = encoder.encode(first, 2) as Uint8Array;
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const failing = makeSpan({
      trace: 1,
      span: 2,
      attributes: { huge: "x".repeat(1_000_000), cycle } as unknown as Attributes,
    });
    expect(() => encoder.encode(failing, 2)).toThrow(TypeError);
    const next = makeSpan({ trace: 1, span: 3, attributes: { index: 3 } });
    const body = encoder.encode(next, 2) as Uint8Array;
    expect(text(body)).toBe(encodeBody(next, 2));
    expect(body.buffer.byteLength).toBe(256 * 1024);
    expect(body.buffer).toBe(kept.buffer);
    expect(text(kept)).toBe(encodeBody(first, 2));
  });
});
