import { describe, expect, it } from "vitest";
import { pathKeysOf, pathReadsOf, testPathsIn } from "../../src/domain/attribute-paths.js";
import type { Attributes, AttrValue } from "../../src/domain/span.js";

/** The values at a dotted key's paths into the attributes' maps. */
function valuesAt(attributes: Attributes, key: string): AttrValue[] {
  const found: AttrValue[] = [];
  testPathsIn(attributes, pathReadsOf(key), (value) => {
    found.push(value);
    return false;
  });
  return found;
}

describe("pathReadsOf", () => {
  it("reads a dotted key under each of its leading parts, the longest first, the rest inside it", () => {
    expect(pathReadsOf("user.id")).toEqual([{ key: "user", rest: "id" }]);
    expect(pathReadsOf("a.b.c")).toEqual([
      { key: "a.b", rest: "c" },
      { key: "a", rest: "b.c" },
    ]);
    expect(pathKeysOf("http.request.method")).toEqual(["http.request", "http"]);
    for (const key of ["user", ".id", "user.", ""]) {
      expect(pathReadsOf(key)).toEqual([]);
      expect(pathKeysOf(key)).toEqual([]);
    }
  });
});

describe("testPathsIn", () => {
  it("finds a value inside maps, at any depth, under keys that hold dots themselves", () => {
    const attributes: Attributes = {
      user: { id: 5, "org.name": "acme", address: { city: "Oslo" } },
      nested: { a: 1 },
      http: { "request.method": "GET" },
    };
    expect(valuesAt(attributes, "user.id")).toEqual([5]);
    expect(valuesAt(attributes, "nested.a")).toEqual([1]);
    expect(valuesAt(attributes, "user.org.name")).toEqual(["acme"]);
    expect(valuesAt(attributes, "user.address.city")).toEqual(["Oslo"]);
    expect(valuesAt(attributes, "user.address")).toEqual([{ city: "Oslo" }]);
    expect(valuesAt(attributes, "http.request.method")).toEqual(["GET"]);
    expect(valuesAt(attributes, "user.name")).toEqual([]);
  });

  it("finds a value inside a map whose own key holds dots, by every read", () => {
    const attributes: Attributes = {
      "app.customer": { tier: "gold" },
      "s.kv": { id: 5, org: { name: "acme" } },
      "a.b": { c: 1 },
      a: { b: { c: 2 } },
    };
    expect(valuesAt(attributes, "app.customer.tier")).toEqual(["gold"]);
    expect(valuesAt(attributes, "s.kv.id")).toEqual([5]);
    expect(valuesAt(attributes, "s.kv.org.name")).toEqual(["acme"]);
    expect(valuesAt(attributes, "a.b.c")).toEqual([1, 2]);
    expect(valuesAt(attributes, "app.customer")).toEqual([]);
  });

  it("reads no list, text or inherited property as a map", () => {
    const attributes: Attributes = { tags: [{ id: 1 }], note: "x", empty: null };
    expect(valuesAt(attributes, "tags.id")).toEqual([]);
    expect(valuesAt(attributes, "tags.0")).toEqual([]);
    expect(valuesAt(attributes, "note.length")).toEqual([]);
    expect(valuesAt(attributes, "empty.x")).toEqual([]);
    expect(valuesAt(attributes, "__proto__.constructor")).toEqual([]);
    expect(valuesAt({ user: { id: 5 } }, "user.__proto__")).toEqual([]);
    expect(valuesAt({ user: { id: 5 } }, "user.toString")).toEqual([]);
  });
});
