import { describe, expect, it } from "vitest";
import { parseQuery } from "../../src/domain/query.js";
import { callPair } from "../../src/domain/trace-calls.js";
import { callNeedsOf, callsAllow } from "../../src/store/span-query.js";

const needs = (q: string) => callNeedsOf(parseQuery(q) ?? { type: "and", items: [] });
/** What each need asks for, without the text it is matched by. */
const asked = (q: string) => needs(q).map((oneOf) => oneOf.map(({ from, to, contains }) => ({ from, to, contains })));

describe("the calls a peer= query needs of a trace", () => {
  it("pairs a peer with the service ANDed on the same span; an OR needs one branch's; a negation nothing", () => {
    expect(asked("service=web peer=checkout")).toEqual([[{ from: "web", to: "checkout", contains: false }]]);
    expect(asked("peer~CHECK kind=client")).toEqual([[{ from: null, to: "check", contains: true }]]);
    expect(asked("service=web (peer=a | peer=b)")).toEqual([
      [
        { from: "web", to: "a", contains: false },
        { from: "web", to: "b", contains: false },
      ],
    ]);
    expect(asked("service=web | peer=b")).toEqual([]);
    expect(asked("-peer=b")).toEqual([]);
    expect(asked("peer!=b")).toEqual([]);
    expect(asked("service!=web peer=b")).toEqual([[{ from: null, to: "b", contains: false }]]);
  });

  it("lets through a trace holding the call, and only unknown ones without it", () => {
    const pairs = [callPair("web", "checkout"), callPair("checkout", "Postgresql Shop")];
    expect(callsAllow(pairs, needs("service=web peer=checkout"))).toBe(true);
    expect(callsAllow(pairs, needs("service=checkout peer=checkout"))).toBe(false);
    expect(callsAllow(pairs, needs("peer=checkout"))).toBe(true);
    expect(callsAllow(pairs, needs('peer="postgresql shop"'))).toBe(false);
    expect(callsAllow(pairs, needs("peer~SHOP"))).toBe(true);
    expect(callsAllow(pairs, needs("service=web peer~shop"))).toBe(false);
    expect(callsAllow(pairs, needs("peer=web"))).toBe(false);
    expect(callsAllow(null, needs("peer=web"))).toBe(true);
    // A service whose name starts as the caller's does is another service.
    expect(callsAllow([callPair("web-2", "checkout")], needs("service=web peer=checkout"))).toBe(false);
    // Names holding the pair's separator: the call is never missed.
    expect(callsAllow([callPair("a\u0000b", "c\u0000d")], needs('service="a\u0000b" peer="c\u0000d"'))).toBe(true);
  });
});
