import { describe, expect, it } from "vitest";
import { parseJsonExact, stringifyJsonExact } from "../../src/domain/exact-json.js";

describe("parseJsonExact", () => {
  it("keeps the digits of integers past 2^53 as bigints, and safe integers as numbers", () => {
    const value = parseJsonExact(
      '{"order_id":9007199254740993,"user_id":1234567890123456789,"n":-99999999999999999999,"safe":9007199254740991,"two53":9007199254740992}',
    );
    expect(value).toEqual({
      order_id: 9007199254740993n,
      user_id: 1234567890123456789n,
      n: -99999999999999999999n,
      safe: 9007199254740991,
      two53: 9007199254740992n,
    });
  });

  it("leaves strings, fractions and exponents as JSON.parse reads them", () => {
    const text =
      '{"s":"9007199254740993","esc":"a\\"12345678901234567890","f":0.12345678901234567,"e":1234567890123456789e2,"big":1e400,"a":[12345678901234567.5]}';
    expect(parseJsonExact(text)).toEqual(JSON.parse(text));
  });

  it("does not take a string the sender wrote for an integer, even one that starts with U+0000", () => {
    const value = parseJsonExact('{"z":"\\u000012345678901234567890","n":12345678901234567890}');
    expect(value).toEqual({ z: "\u000012345678901234567890", n: 12345678901234567890n });
  });

  it("refuses what JSON.parse refuses (leading zeros stay an error)", () => {
    expect(() => parseJsonExact('{"a":00000000000000000012}')).toThrow(SyntaxError);
    expect(() => parseJsonExact("{")).toThrow(SyntaxError);
  });
});

describe("stringifyJsonExact", () => {
  it("writes bigints as bare digits, everything else as JSON.stringify does", () => {
    const value = { a: [1n << 70n, undefined, "x"], b: -12345678901234567890n, c: undefined, d: { e: 1.5, f: null } };
    expect(stringifyJsonExact(value)).toBe(
      '{"a":[1180591620717411303424,null,"x"],"b":-12345678901234567890,"d":{"e":1.5,"f":null}}',
    );
    expect(stringifyJsonExact({ plain: [1, "2"] })).toBe(JSON.stringify({ plain: [1, "2"] }));
  });

  it("round-trips through parseJsonExact", () => {
    const text = '{"order_id":9007199254740993,"nested":[{"id":-9223372036854775808}]}';
    expect(stringifyJsonExact(parseJsonExact(text))).toBe(text);
  });
});
