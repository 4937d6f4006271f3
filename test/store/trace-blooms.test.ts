import { describe, expect, it } from "vitest";
import { parseQuery } from "../../src/domain/query.js";
import { requiredBlockNeeds } from "../../src/store/span-query.js";
import { holdsNumberText, requiredTexts } from "../../src/store/sqlite-span-query.js";
import { blockFilterAllows, buildBlockFilter } from "../../src/store/trace-blocks.js";
import { bloomAllows, buildBloom, requiredTokens, tokenHash } from "../../src/store/trace-blooms.js";
import { makeSpan } from "./span-fixtures.js";

const q = (text: string) => parseQuery(text) as NonNullable<ReturnType<typeof parseQuery>>;

describe("per-trace Bloom filters", () => {
  const bloom = buildBloom([
    makeSpan({ trace: 1, span: 1, attributes: { "http.status_code": 503, tags: ["a", ["b"]], "url.path": "/x" } }),
    makeSpan({ trace: 1, span: 2, service: "db", attributes: { "db.system": "postgresql" } }),
  ]);
  const allows = (text: string) => bloomAllows(bloom.bits, requiredTokens(q(text)));

  it("lets through every trace that may match, old and new key names and number forms included", () => {
    expect(bloom.spans).toBe(2);
    expect(allows("http.status_code=503")).toBe(true);
    expect(allows("http.response.status_code=503.0")).toBe(true);
    expect(allows("tags=b")).toBe(true);
    expect(allows("db.system.name=postgresql")).toBe(true);
    expect(allows("service.name=db")).toBe(true);
    expect(allows("http.target=/x?y=1")).toBe(true);
    expect(allows("http.status_code>=500 db.system")).toBe(true);
  });

  it("lets numeric text through for its number in any form, and for map attributes under dotted keys", () => {
    const filter = buildBloom([
      makeSpan({ trace: 1, span: 1, attributes: { numtext: "2.5e2", "app.customer": { tier: "gold" } } }),
    ]);
    const passes = (text: string) => bloomAllows(filter.bits, requiredTokens(q(text)));
    expect(passes("numtext=250")).toBe(true);
    expect(passes("numtext=250.0")).toBe(true);
    expect(passes("numtext=2.5e2")).toBe(true);
    expect(passes("numtext=251")).toBe(false);
    expect(passes("app.customer.tier=gold")).toBe(true);
    expect(passes("app.region.tier=gold")).toBe(false);
  });

  it("lets every numeric text through for its number however written, integers as written included", () => {
    // Integers written as a number writes them share their text's token; every other form adds its number's.
    const texts = [
      "250",
      "-7",
      "0",
      "-0",
      "0250",
      "+1",
      "2.5e2",
      " 42",
      "123456789012345",
      "1234567890123456",
      "9007199254740993",
    ];
    for (const text of texts) {
      const filter = buildBloom([makeSpan({ trace: 1, span: 1, attributes: { n: text } })]);
      const passes = (query: string) => bloomAllows(filter.bits, requiredTokens(q(query)));
      expect(passes(`n=${JSON.stringify(text)}`), text).toBe(true);
      expect(passes(`n=${Number(text)}`), text).toBe(true);
      expect(passes(`n=${Number(text).toExponential()}`), text).toBe(true);
    }
  });

  it("rules out traces without a required key or key=value pair", () => {
    expect(allows("http.status_code=404")).toBe(false);
    // A bare word may be text anywhere: it needs no token (the exact check decides).
    expect(allows("app.order.id")).toBe(true);
    expect(allows("app.order.id~1")).toBe(false);
    expect(allows("app.order.id>1")).toBe(false);
    expect(allows("app.order.id=1 | http.status_code=404")).toBe(false);
  });

  it("requires nothing of negations, text, span fields, or an OR with such a branch", () => {
    const terms = ["-app.order.id=1", "not app.order.id", "app", "service=x", "duration>1s", "a=1 | x", "operation=x"];
    for (const text of terms) {
      expect(requiredTokens(q(text)), text).toEqual([]);
    }
    // An operation's name is made from the route, the path or the peer: a block holds one of its texts
    // (see operationNameTexts), and nothing is required of `~` or `!=`.
    expect(requiredBlockNeeds(q('operation="GET /items/:id" kind=server'))).toEqual([["/items/", "/items/:id"]]);
    expect(requiredBlockNeeds(q('operation="GET payments"'))).toEqual([["payments", "get"]]);
    expect(requiredBlockNeeds(q("operation~items | operation!=x"))).toEqual([]);
    expect(requiredTokens(q("a=1 b"))).toEqual([[tokenHash("a", "1")]]);
    expect(requiredTokens(q("a=1 | b"))).toEqual([]);
    expect(requiredTokens(q("(a=1 | c=2) d"))).toEqual([[tokenHash("a", "1"), tokenHash("c", "2")]]);
  });
});

describe("the SQLite rows' text pre-check", () => {
  it("requires the lower-cased text a match must contain, and nothing it cannot vouch for", () => {
    expect(requiredTexts(q("Checkout"))).toEqual([["checkout"]]);
    expect(requiredTexts(q('"a \\"b\\""'))).toEqual([]);
    expect(requiredTexts(q("user.name=Ada"))).toEqual([["ada"]]);
    // A number: as written, as JSON writes it, or numeric text in another form (`"5e2"`).
    expect(requiredTexts(q("code=500.0"))).toEqual([["500.0", "500", { number: 500 }]]);
    expect(requiredTexts(q("http.status_code=500"))).toEqual([["500", { number: 500 }]]);
    expect(requiredTexts(q("http.target=/a?b"))).toEqual([]);
    expect(requiredTexts(q("http.status_code"))).toEqual([["http.status_code", "http.response.status_code"]]);
    expect(requiredTexts(q("name~GET kind=server -x"))).toEqual([["get"]]);
    expect(requiredTexts(q("a | b"))).toEqual([["a", "b"]]);
    // An operation's name is made from the route, the path or the peer, not written in the span as such.
    expect(requiredTexts(q('operation="GET /items/:id"'))).toEqual([["/items/", "/items/:id"]]);
    expect(requiredTexts(q('operation="render items"'))).toEqual([["render items"]]);
    expect(requiredTexts(q('operation="GET /items/:id" | operation~items'))).toEqual([]);
    // In the scope's name (or an attribute so named): the rows' scopes are looked in too.
    expect(requiredTexts(q("otel.scope.name=@Acme/PG")).map((anyOf) => [...new Set(anyOf)])).toEqual([["@acme/pg"]]);
    expect(requiredTexts(q("otel.scope.name!=pg"))).toEqual([]);
  });
});

describe("holdsNumberText", () => {
  it("finds a string that reads as the number in any form, and one with an escape it does not read", () => {
    expect(holdsNumberText('["4bf92f35","x",{"n":"2.5e2"}]', 250)).toBe(true);
    expect(holdsNumberText('{"n":" 0x1f4 "}', 500)).toBe(true);
    expect(holdsNumberText('{"n":"\\t250"}', 250)).toBe(true);
    expect(holdsNumberText('{"n":"\u00a0250"}', 250)).toBe(true);
    expect(holdsNumberText('{"n":"2.5e2"}', 251)).toBe(false);
    expect(holdsNumberText('{"k":250,"n":"/250"}', 250)).toBe(false);
    // A span's ids and times are read and passed over.
    expect(holdsNumberText('["23cb57a02ea1e7bc",null,"GET /x",2,["GET",200],"1796646236643000000"]', 500)).toBe(false);
    // A string ending in an escaped backslash ends at its quote.
    expect(holdsNumberText('{"n":"a\\\\","m":"250"}', 250)).toBe(true);
  });
});

describe("a block's Bloom filter", () => {
  it("holds every token it was built from, lets few others through, and takes ~10 bits a token", () => {
    const tokens = new Set(Array.from({ length: 5000 }, (_, i) => tokenHash("app.id", `in-${i}`)));
    const filter = buildBlockFilter(tokens);
    for (const token of tokens) expect(blockFilterAllows(filter, [[token]])).toBe(true);
    let through = 0;
    for (let i = 0; i < 20_000; i++) if (blockFilterAllows(filter, [[tokenHash("app.id", `out-${i}`)]])) through++;
    expect(through / 20_000).toBeLessThan(0.03);
    expect(filter.size).toBe(50_016);
    expect(blockFilterAllows(buildBlockFilter(new Set()), [[tokenHash("a")]])).toBe(false);
    expect(blockFilterAllows(filter, [])).toBe(true);
  });

  it("finds lower-cased text within one piece of search text, never across two, and passes a block with too much", () => {
    const filter = buildBlockFilter(new Set([tokenHash("app.id")]), ["Upstream FAILED", "ΟΔΟΣ", "upstream failed"]);
    expect(filter.text).toBe("upstream failed\nοδος");
    expect(blockFilterAllows(filter, [["stream f"]])).toBe(true);
    expect(blockFilterAllows(filter, [["οδος"]])).toBe(true);
    expect(blockFilterAllows(filter, [["failedοδος"]])).toBe(false);
    expect(blockFilterAllows(filter, [["nowhere", tokenHash("app.id")]])).toBe(true);
    expect(blockFilterAllows(filter, [["nowhere", tokenHash("app.other")]])).toBe(false);
    const long = Array.from({ length: 300 }, (_, i) => `${i} ${"x".repeat(4000)}`);
    const full = buildBlockFilter(new Set(), long);
    expect(full.text).toBeNull();
    expect(blockFilterAllows(full, [["nowhere"]])).toBe(true);
  });
});
