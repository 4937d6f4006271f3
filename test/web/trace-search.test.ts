import { describe, expect, it } from "vitest";
import type { SpanJson } from "../../src/protocol";
import {
  createTraceSearch,
  highlightSegments,
  spanSearchText,
  stepMatch,
} from "../../web/src/features/trace-view/trace-search";

function span(spanId: string, extra: Partial<SpanJson> = {}): SpanJson {
  return {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId,
    parentSpanId: null,
    name: `op ${spanId}`,
    kind: "INTERNAL",
    service: "api",
    startTimeUnixNano: "1000",
    endTimeUnixNano: "2000",
    durationMs: 0.001,
    status: { code: "UNSET" },
    attributes: {},
    events: [],
    links: [],
    resource: {},
    scope: { name: "", version: "" },
    ...extra,
  };
}

const spans = [
  span("a", { name: "GET /Checkout" }),
  span("b", { service: "payments", attributes: { "db.query.text": "SELECT * FROM carts", retries: 3 } }),
  span("c", { events: [{ name: "cache miss", timeUnixNano: "1500", attributes: { key: "user:42" } }] }),
  span("d", { attributes: { tags: ["blue", "checkout-v2"], nested: { deep: "Value" } } }),
  span("e", { status: { code: "ERROR", message: "connection refused" } }),
];

describe("createTraceSearch", () => {
  const search = createTraceSearch(spans);

  it("matches names, services, attribute values, events and status messages, case-insensitively", () => {
    expect(search.find("checkout")).toEqual(["a", "d"]);
    expect(search.find("PAYMENTS")).toEqual(["b"]);
    expect(search.find("from carts")).toEqual(["b"]);
    expect(search.find("cache miss")).toEqual(["c"]);
    expect(search.find("user:42")).toEqual(["c"]);
    expect(search.find("value")).toEqual(["d"]);
    expect(search.find("refused")).toEqual(["e"]);
    expect(search.find("3")).toEqual(["b"]);
  });

  it("finds nothing for an empty query or across field boundaries", () => {
    expect(search.find("   ")).toEqual([]);
    expect(search.find("checkoutapi")).toEqual([]);
  });

  it("does not match attribute keys (they would match nearly every span)", () => {
    expect(search.find("db.query.text")).toEqual([]);
  });

  it("matches a whole span id (pasted from a log line)", () => {
    const byId = createTraceSearch([span("00f067aa0ba902b7", { name: "x" }), span("b7ad6b7169203331", { name: "y" })]);
    expect(byId.find("00F067AA0BA902B7")).toEqual(["00f067aa0ba902b7"]);
    expect(byId.find("0ba9")).toEqual([]);
  });

  it("reports a span id once even if it appears twice", () => {
    const dup = createTraceSearch([span("x", { name: "hit" }), span("x", { name: "hit again" })]);
    expect(dup.find("hit")).toEqual(["x"]);
  });

  it("returns the same array for the same query", () => {
    expect(search.find("checkout")).toBe(search.find(" Checkout "));
  });

  it("finds a span by its resource's attribute values and by where its links point", () => {
    const podA = { "service.name": "api", "host.name": "build-agent-7" };
    const podB = { "service.name": "api", "host.name": "worker-3" };
    const linked = {
      traceId: "5b8efff798038103d269b633813fc60c",
      spanId: "eee19b7ec3c1b174",
      attributes: { "link.reason": "retry of" },
    };
    const byResource = createTraceSearch([
      span("a", { resource: podA }),
      span("b", { resource: podB }),
      span("c", { resource: podA, links: [linked] }),
    ]);
    expect(byResource.find("build-agent")).toEqual(["a", "c"]);
    expect(byResource.find("WORKER-3")).toEqual(["b"]);
    expect(byResource.find("5b8efff798038103d269b633813fc60c")).toEqual(["c"]);
    expect(byResource.find("eee19b7ec3c1b174")).toEqual(["c"]);
    expect(byResource.find("retry of")).toEqual(["c"]);
  });

  it("puts every searchable field into the search text", () => {
    expect(spanSearchText(spans[1]!)).toContain("select * from carts");
  });
});

describe("highlightSegments", () => {
  it("splits around every case-insensitive occurrence", () => {
    expect(highlightSegments("Get cart, GET user", "get")).toEqual([
      { text: "Get", match: true },
      { text: " cart, ", match: false },
      { text: "GET", match: true },
      { text: " user", match: false },
    ]);
  });

  it("returns the text whole when nothing matches or the query is empty", () => {
    expect(highlightSegments("hello", "xyz")).toEqual([{ text: "hello", match: false }]);
    expect(highlightSegments("hello", "")).toEqual([{ text: "hello", match: false }]);
  });

  it("handles a match covering the whole text", () => {
    expect(highlightSegments("abc", "ABC")).toEqual([{ text: "abc", match: true }]);
  });
});

describe("stepMatch", () => {
  const matches = ["m1", "m2", "m3"];
  const position = (selectedIndex: number) => ({
    selectedIndex,
    indexOf: (id: string) => ({ m1: 2, m2: 5, m3: 9 })[id] ?? -1,
  });

  it("moves from the current match, wrapping around", () => {
    expect(stepMatch(matches, 0, 1)).toBe(1);
    expect(stepMatch(matches, 2, 1)).toBe(0);
    expect(stepMatch(matches, 0, -1)).toBe(2);
  });

  it("starts from the selected row when no match is current", () => {
    expect(stepMatch(matches, -1, 1, position(3))).toBe(1);
    expect(stepMatch(matches, -1, 1, position(5))).toBe(1);
    expect(stepMatch(matches, -1, 1, position(10))).toBe(0);
    expect(stepMatch(matches, -1, -1, position(6))).toBe(1);
    expect(stepMatch(matches, -1, -1, position(0))).toBe(2);
  });

  it("returns -1 without matches", () => {
    expect(stepMatch([], -1, 1)).toBe(-1);
  });
});
