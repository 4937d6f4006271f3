import { describe, expect, it } from "vitest";
import { OtlpDecodeError } from "../../src/otlp/errors.js";
import { parseOtlpJson, quoteLongIntegers, quoteNonFiniteTokens } from "../../src/otlp/json/parse.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("parseOtlpJson", () => {
  it("parses valid JSON as JSON.parse does", () => {
    expect(parseOtlpJson(bytes('{"a":[1,"NaN",null]}'))).toEqual({ a: [1, "NaN", null] });
  });

  it("reads bare NaN / Infinity / -Infinity tokens as the protobuf JSON mapping's strings", () => {
    expect(parseOtlpJson(bytes('{"d": NaN, "e": [Infinity, -Infinity], "s": "NaN \\" Infinity"}'))).toEqual({
      d: "NaN",
      e: ["Infinity", "-Infinity"],
      s: 'NaN " Infinity',
    });
  });

  it("leaves tokens inside strings, escaped quotes included, untouched", () => {
    expect(quoteNonFiniteTokens('{"k":"a\\"NaN","v":NaN}')).toBe('{"k":"a\\"NaN","v":"NaN"}');
    expect(quoteNonFiniteTokens('{"k":"Infinity"}')).toBeNull();
    expect(quoteNonFiniteTokens("{}")).toBeNull();
  });

  it("reports the original error for a body broken in another way", () => {
    expect(() => parseOtlpJson(bytes("{NaN"))).toThrow(OtlpDecodeError);
    expect(() => parseOtlpJson(bytes('{"a": nan}'))).toThrow(/not valid JSON/);
  });
});

describe("quoteLongIntegers", () => {
  it("quotes integer literals of 16 to 20 digits outside strings, so no 64-bit integer is rounded", () => {
    expect(parseOtlpJson(bytes('{"t":1700000000987654321,"i":[-9223372036854775808, 42],"s":"x"}'))).toEqual({
      t: "1700000000987654321",
      i: ["-9223372036854775808", 42],
      s: "x",
    });
  });

  it("leaves strings, fractions, exponents, short and longer literals and leading zeros as they are", () => {
    expect(quoteLongIntegers('{"k":"a\\":1700000000987654321","v":1}')).toBeNull();
    expect(quoteLongIntegers('{"a":1.2345678901234567890,"b":1e1234567890123456,"c":123456789012345}')).toBeNull();
    expect(quoteLongIntegers('{"a":123456789012345678901,"b":12345678901234567e2,"c":1234567890123456.5}')).toBeNull();
    expect(quoteLongIntegers('{"a":01234567890123456}')).toBeNull();
    expect(quoteLongIntegers('{"a":1234567890123456,"b":"NaN"}')).toBe('{"a":"1234567890123456","b":"NaN"}');
  });

  it("works with bare NaN tokens in the same body", () => {
    expect(parseOtlpJson(bytes('{"a":NaN,"b":-1234567890123456789}'))).toEqual({ a: "NaN", b: "-1234567890123456789" });
  });
});
