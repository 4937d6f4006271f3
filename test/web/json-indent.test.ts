import { describe, expect, it } from "vitest";
import { EAGER_JSON_CHARS, indentJson, looksLikeJson, MAX_INDENT_DEPTH } from "../../web/src/lib/json-indent";

describe("indentJson", () => {
  it("indents an object or array two spaces a level, as JSON.stringify would", () => {
    const value = {
      order: {
        id: 7,
        items: [
          { sku: "a-1", qty: 2 },
          { sku: "b", qty: 1 },
        ],
        tags: [],
        meta: {},
      },
    };
    expect(indentJson(JSON.stringify(value))).toBe(JSON.stringify(value, null, 2));
    expect(indentJson(' [1, "two", true, null, {"a": -1.5e3}] ')).toBe(
      JSON.stringify([1, "two", true, null, { a: -1.5e3 }], null, 2).replace("-1500", "-1.5e3"),
    );
    expect(indentJson("{}")).toBe("{}");
    expect(indentJson("[ ]")).toBe("[]");
  });

  it("keeps the text as sent: every digit of a big integer, key order and repeats", () => {
    expect(indentJson('{"id":12345678901234567890,"n":1.0}')).toBe('{\n  "id": 12345678901234567890,\n  "n": 1.0\n}');
    // Escapes read as JSON.stringify writes them: quotes, backslashes and control characters stay escaped.
    expect(indentJson('{"s":"a \\"quoted\\" {x}, [y]: z\\\\","u":"caf\\u00e9 \\/ \\n"}')).toBe(
      '{\n  "s": "a \\"quoted\\" {x}, [y]: z\\\\",\n  "u": "café / \\n"\n}',
    );
    expect(indentJson('{"b":1,"a":2,"b":3}')).toBe('{\n  "b": 1,\n  "a": 2,\n  "b": 3\n}');
    // Telemetry stays text: markup inside is kept as written.
    expect(indentJson('["<img src=x onerror=alert(1)>"]')).toBe('[\n  "<img src=x onerror=alert(1)>"\n]');
  });

  it("says null for text that only looks like JSON, and for other text", () => {
    expect(indentJson("{not json}")).toBeNull();
    expect(indentJson('{"a":1,}')).toBeNull();
    expect(indentJson("[1, 2")).toBeNull();
    expect(indentJson("plain text")).toBeNull();
    expect(indentJson('"a string"')).toBeNull();
    expect(indentJson("42")).toBeNull();
    expect(indentJson("")).toBeNull();
  });

  it("gives up (null: shown as sent) on nesting so deep that indenting would blow the text up", () => {
    const nested = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;
    // Each line repeats the indent: output grows with the square of the depth.
    const deepest = nested(MAX_INDENT_DEPTH);
    expect(indentJson(deepest)).toBe(JSON.stringify(JSON.parse(deepest), null, 2));
    expect(indentJson(nested(MAX_INDENT_DEPTH + 1))).toBeNull();
    // A value as big as the attribute table indents on render: ~32k deep would be ~2e9 characters.
    const huge = nested(EAGER_JSON_CHARS / 2);
    const started = Date.now();
    expect(indentJson(huge)).toBeNull();
    expect(Date.now() - started).toBeLessThan(2000);
    // Shallow but each line long with indent: past a multiple of the text as sent.
    const wide = `${"[".repeat(60)}${Array(20000).fill("[1]").join(",")}${"]".repeat(60)}`;
    expect(indentJson(wide)).toBeNull();
  });
});

describe("looksLikeJson", () => {
  it("tells by the first and last characters alone", () => {
    expect(looksLikeJson(' {"a":1}\n')).toBe(true);
    expect(looksLikeJson("[1]")).toBe(true);
    expect(looksLikeJson("{not json}")).toBe(true);
    expect(looksLikeJson("{]")).toBe(false);
    expect(looksLikeJson("{")).toBe(false);
    expect(looksLikeJson("  ")).toBe(false);
    expect(looksLikeJson("GET /orders/{id}")).toBe(false);
  });
});
