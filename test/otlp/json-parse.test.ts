import { describe, expect, it } from "vitest";
import { OtlpDecodeError } from "../../src/otlp/errors.js";
import { JsonSyntaxError, parseOtlpJson, quoteLongIntegers, quoteNonFiniteTokens } from "../../src/otlp/json/parse.js";
import { syntaxErrorPosition } from "../../src/otlp/json/syntax-error.js";

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

describe("a syntax error's position", () => {
  const positionOf = (text: string) => {
    try {
      parseOtlpJson(bytes(text));
    } catch (error) {
      return error instanceof JsonSyntaxError ? error.position : "not a syntax error";
    }
    return "parsed";
  };

  it("is found for an unexpected token, which V8 names without a position, from the text around it", () => {
    const document = (value: string) => `{\n  "name": "op",\n  "kind": ${value},\n  "status": {}\n}\n`;
    const at = (value: string, token: string) => document(value).indexOf(token, 20);
    // A bare word, single quotes, misspelt literals: V8 stops at the first character that cannot be.
    expect(positionOf(document("x"))).toBe(at("x", "x"));
    expect(positionOf(document("'x'"))).toBe(at("'x'", "'"));
    expect(positionOf(document("ture"))).toBe(at("ture", "u"));
    expect(positionOf(document("nul"))).toBe(at("nul", ","));
    // A trailing comma in an array, in a text too short for V8 to cut its excerpt from.
    expect(positionOf("[\n 1,\n]")).toBe(6);
    expect(positionOf('{\n  "spans": [\n    1,\n    2,\n  ]\n}')).toBe(31);
  });

  it("is the token's own place when the text around it is also in a string before it", () => {
    const around = "5, 6, 7, 8, 9, ]10, 11, 12, 13";
    const text = `[\n  "${around}",\n  ${around}\n]`;
    expect(positionOf(text)).toBe(text.lastIndexOf("]10"));
  });

  it("is read from a message with the line and column newer versions of Node add", () => {
    expect(
      syntaxErrorPosition('{"a" 1}', "Expected ':' after property name in JSON at position 5 (line 1 column 6)"),
    ).toBe(5);
  });

  it("prints V8's excerpt of the text without its line breaks", () => {
    const text = '{\n  "name": "op",\n  "kind": x,\n\t"status": {}\n}\n';
    const message = (() => {
      try {
        parseOtlpJson(bytes(text));
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    })();
    expect(message).toMatch(/^body is not valid JSON \(Unexpected token 'x', .* is not valid JSON\)$/);
    expect(message).not.toMatch(/[\n\r\t]/);
    expect(message).toContain('x,\\n\\t"stat');
  });
});
