import { describe, expect, it } from "vitest";
import { OtlpDecodeError } from "../../src/otlp/errors.js";
import { parseOtlpJson, quoteNonFiniteTokens } from "../../src/otlp/json/parse.js";

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
