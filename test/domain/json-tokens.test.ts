import { describe, expect, it } from "vitest";
import { editJsonTokens, numberEnd, stringEnd } from "../../src/domain/json-tokens.js";

/** Marks every token the walk offers, as `<token>`. */
const marked = (text: string) =>
  editJsonTokens(text, (all, start) => {
    const end = numberEnd(all, start);
    return { end, replacement: `<${all.slice(start, end)}>` };
  });

describe("editJsonTokens", () => {
  it("offers numbers whole and bare words by their first letter, never anything inside a string", () => {
    expect(marked('{"a":-1.5e-7,"b":[12,NaN],"s":"x\\"1 NaN\\\\","t":true}')).toBe(
      '{"a":<-1.5e-7>,"b":[<12>,<N>a<N>],"s":"x\\"1 NaN\\\\","t":true}',
    );
  });

  it("gives null when nothing was replaced, and keeps what it skips", () => {
    expect(editJsonTokens('{"a":1,"b":"2"}', (all, start) => ({ end: numberEnd(all, start), replacement: null }))).toBe(
      null,
    );
    const quoted = editJsonTokens("[1, 22, 333]", (all, start) => {
      const end = numberEnd(all, start);
      return { end, replacement: end - start === 2 ? `"${all.slice(start, end)}"` : null };
    });
    expect(quoted).toBe('[1, "22", 333]');
  });

  it("goes on after a replaced word from where the edit says it ends", () => {
    const words = editJsonTokens("[-Infinity,Infinity,-1]", (all, start) =>
      all.startsWith("-Infinity", start)
        ? { end: start + 9, replacement: '"-Infinity"' }
        : { end: numberEnd(all, start), replacement: null },
    );
    expect(words).toBe('["-Infinity",Infinity,-1]');
  });
});

describe("stringEnd", () => {
  it("ends after the closing quote, over escaped quotes and backslashes", () => {
    expect(stringEnd('x"ab"c', 1)).toBe(5);
    // "a\\" then b": the backslash is escaped, the quote is not.
    expect(stringEnd('"a\\\\"b"', 0)).toBe(5);
    // "a\\\"b": an escaped backslash, then an escaped quote.
    expect(stringEnd('"a\\\\\\"b"', 0)).toBe(8);
    expect(stringEnd('"no end\\"', 0)).toBe(9);
  });
});
