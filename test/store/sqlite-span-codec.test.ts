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
});
