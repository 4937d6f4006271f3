import { describe, expect, it } from "vitest";
import type { TraceSummaryJson } from "../../src/protocol";
import {
  ariaSortOf,
  compareNewestFirst,
  editFilters,
  filtersFromSearch,
  filtersToSearch,
  hasFilters,
  matchesFilters,
  nextSort,
  sortOf,
  spanIdOfQuery,
  spanLinkOf,
  TraceListModel,
  traceLinkOfQuery,
} from "../../web/src/state/trace-list-model";
import { traceSummaryJson } from "../helpers/trace-summary-json";

function summary(traceId: string, start: string, patch: Partial<TraceSummaryJson> = {}): TraceSummaryJson {
  return traceSummaryJson(traceId, { startTimeUnixNano: start, endTimeUnixNano: start, ...patch });
}

describe("filters ↔ URL", () => {
  it("round-trips every filter in a stable order", () => {
    const filters = {
      service: "checkout api",
      name: "GET /a&b",
      q: "user:42",
      minDurationMs: 250,
      brushMinMs: 400,
      maxDurationMs: 900,
      errorsOnly: true,
      since: 1700000000000,
      until: 1700000060000,
    };
    const search = filtersToSearch(filters);
    expect(search).toBe(
      "?service=checkout+api&name=GET+%2Fa%26b&q=user%3A42&minDurationMs=250&brushMinMs=400&maxDurationMs=900&errors=1&since=1700000000000&until=1700000060000",
    );
    expect(filtersFromSearch(search)).toEqual(filters);
  });

  it("drops empty, blank and invalid values, and ignores unrelated parameters", () => {
    expect(filtersFromSearch("?service=&name=%20%20&q=&minDurationMs=abc&errors=0&selected=abc")).toEqual({});
    expect(filtersFromSearch("?minDurationMs=-5")).toEqual({});
    expect(filtersFromSearch("?since=today&until=-1")).toEqual({});
    expect(filtersFromSearch("?minDurationMs=0.5&errors=true")).toEqual({ minDurationMs: 0.5, errorsOnly: true });
    expect(filtersToSearch({})).toBe("");
    expect(hasFilters({ errorsOnly: false })).toBe(false);
    expect(hasFilters({ q: "x" })).toBe(true);
  });
});

describe("matchesFilters", () => {
  const trace = summary("a", "1", { services: ["web", "api"], errorCount: 1, durationMs: 120, name: "GET /Checkout" });
  it("decides service, errors, duration and name from the summary", () => {
    expect(matchesFilters(trace, {})).toBe("yes");
    expect(matchesFilters(trace, { service: "api" })).toBe("yes");
    expect(matchesFilters(trace, { service: "db" })).toBe("no");
    expect(matchesFilters(trace, { errorsOnly: true })).toBe("yes");
    expect(matchesFilters({ ...trace, errorCount: 0 }, { errorsOnly: true })).toBe("no");
    expect(matchesFilters(trace, { minDurationMs: 120 })).toBe("yes");
    expect(matchesFilters(trace, { minDurationMs: 120.5 })).toBe("no");
    // A brushed rectangle's minimum narrows the box's, never widens it.
    expect(matchesFilters(trace, { minDurationMs: 120.5, brushMinMs: 50 })).toBe("no");
    expect(matchesFilters(trace, { minDurationMs: 50, brushMinMs: 120.5 })).toBe("no");
    expect(matchesFilters(trace, { minDurationMs: 50, brushMinMs: 100 })).toBe("yes");
    expect(matchesFilters(trace, { name: "checkout" })).toBe("yes");
  });
  it("leaves a name the summary does not hold to the server, which finds a trace by its requests' routes too", () => {
    expect(matchesFilters(trace, { name: "/items/:id" })).toBe("unknown");
    expect(matchesFilters(trace, { name: "/items/:id", service: "db" })).toBe("no");
    const cut = { ...trace, nameLength: 1_000_000 };
    expect(matchesFilters(cut, { name: "checkout" })).toBe("yes");
    expect(matchesFilters(cut, { name: "orders" })).toBe("unknown");
    expect(matchesFilters(cut, { name: "orders", service: "db" })).toBe("no");
  });
  it("decides the start-time window as the server does (until covers its whole millisecond)", () => {
    const at = summary("b", "1700000000123456789");
    expect(matchesFilters(at, { since: 1700000000123 })).toBe("yes");
    expect(matchesFilters(at, { since: 1700000000124 })).toBe("no");
    expect(matchesFilters(at, { until: 1700000000123 })).toBe("yes");
    expect(matchesFilters(at, { until: 1700000000122 })).toBe("no");
    expect(matchesFilters(at, { since: 1700000000000, until: 1700000001000, q: "x" })).toBe("unknown");
  });
  it("leaves free text to the server, unless another filter already rules the trace out", () => {
    expect(matchesFilters(trace, { q: "x" })).toBe("unknown");
    expect(matchesFilters(trace, { q: "x", service: "db" })).toBe("no");
  });
});

describe("compareNewestFirst", () => {
  it("orders by exact nanosecond start, newest first, then trace id descending", () => {
    const list = [
      summary("aa", "1700000000000000001"),
      summary("bb", "1700000000000000002"),
      summary("cc", "999999999999999999"),
      summary("dd", "1700000000000000002"),
    ];
    expect(list.sort(compareNewestFirst).map((s) => s.traceId)).toEqual(["dd", "bb", "aa", "cc"]);
  });
});

describe("TraceListModel", () => {
  it("keeps traces newest first as they are added in any order", () => {
    const model = new TraceListModel();
    for (const [id, start] of [
      ["b", "20"],
      ["a", "10"],
      ["c", "30"],
    ] as const) {
      expect(model.upsert(summary(id, start))).toBe("added");
    }
    expect(model.list.map((s) => s.traceId)).toEqual(["c", "b", "a"]);
    expect(model.indexOf("a")).toBe(2);
    expect(model.indexOf("zz")).toBe(-1);
  });

  it("updates a trace in place, and moves it when its start changes (an earlier parent arrived)", () => {
    const model = new TraceListModel();
    model.upsert(summary("a", "10"));
    model.upsert(summary("b", "20"));
    model.upsert(summary("c", "30"));
    expect(model.upsert(summary("b", "20", { spanCount: 5 }))).toBe("updated");
    expect(model.get("b")?.spanCount).toBe(5);
    expect(model.list.map((s) => s.traceId)).toEqual(["c", "b", "a"]);
    expect(model.upsert(summary("c", "5"))).toBe("updated");
    expect(model.list.map((s) => s.traceId)).toEqual(["b", "a", "c"]);
    expect(model.size).toBe(3);
  });

  it("removes, trims the oldest, and clears", () => {
    const model = new TraceListModel();
    for (let i = 0; i < 10; i++) model.upsert(summary(`t${i}`, String(100 + i)));
    expect(model.remove("t5")).toBe(true);
    expect(model.remove("t5")).toBe(false);
    expect(model.trimTo(4)).toBe(5);
    expect(model.list.map((s) => s.traceId)).toEqual(["t9", "t8", "t7", "t6"]);
    expect(model.has("t0")).toBe(false);
    model.clear();
    expect(model.size).toBe(0);
  });
});

describe("editFilters", () => {
  it("keeps a just-cleared query when another filter changes before the query's commit (no stale query back)", () => {
    const committed = { q: "http.status_code>=500", service: "api" };
    // The box was emptied (draft), then "Errors only" was clicked within the debounce.
    expect(editFilters(committed, { q: undefined }, { errorsOnly: true })).toEqual({
      service: "api",
      errorsOnly: true,
    });
  });

  it("keeps typed text of every box, lets the edit itself win, and drops empty values", () => {
    expect(editFilters({ name: "old" }, { name: "new", q: "kind=server" }, { service: "web" })).toEqual({
      name: "new",
      q: "kind=server",
      service: "web",
    });
    expect(editFilters({ q: "a" }, { q: "b" }, { q: "c" })).toEqual({ q: "c" });
    expect(editFilters({ errorsOnly: true, name: "x" }, {}, { errorsOnly: false, name: "" })).toEqual({});
  });
});

describe("sorting the list", () => {
  it("keeps sort, order and a maximum duration in the URL, the default order as nothing", () => {
    const search = "?maxDurationMs=900&sort=duration&order=asc";
    expect(filtersToSearch(filtersFromSearch(search))).toBe(search);
    expect(filtersFromSearch("?sort=spans")).toEqual({ sort: "spans" });
    expect(filtersFromSearch("?sort=start&order=desc")).toEqual({});
    expect(filtersFromSearch("?sort=start&order=asc")).toEqual({ sort: "start", order: "asc" });
    expect(filtersFromSearch("?sort=slowest&order=asc")).toEqual({});
    expect(sortOf({ sort: "errors" })).toEqual({ by: "errors", ascending: false });
  });

  it("clicks through a column: descending, ascending, then back to newest first", () => {
    let sort = sortOf({});
    expect(ariaSortOf(sort, "start")).toBe("descending");
    expect(ariaSortOf(sort, "duration")).toBe("none");
    sort = nextSort(sort, "duration");
    expect(sort).toEqual({ by: "duration", ascending: false });
    expect(ariaSortOf(sort, "duration")).toBe("descending");
    expect(ariaSortOf(sort, "start")).toBe("none");
    sort = nextSort(sort, "duration");
    expect(ariaSortOf(sort, "duration")).toBe("ascending");
    expect(nextSort(sort, "duration")).toEqual({ by: "start", ascending: false });
    expect(nextSort(sort, "spans")).toEqual({ by: "spans", ascending: false });
    expect(nextSort({ by: "start", ascending: false }, "start")).toEqual({ by: "start", ascending: true });
    expect(nextSort({ by: "start", ascending: true }, "start")).toEqual({ by: "start", ascending: false });
  });

  it("places traces by the key as the server does (ties newest first), and keeps a growing trace where it was", () => {
    const model = new TraceListModel({ by: "duration", ascending: false });
    model.upsert(summary("a", "10", { durationMs: 5 }));
    model.upsert(summary("b", "20", { durationMs: 50 }));
    model.upsert(summary("c", "30", { durationMs: 5 }));
    model.upsert(summary("d", "40", { durationMs: 20 }));
    expect(model.list.map((s) => s.traceId)).toEqual(["b", "d", "c", "a"]);
    // "a" grows past every other trace: its row updates but does not move under the reader.
    expect(model.upsert(summary("a", "10", { durationMs: 500, spanCount: 9 }))).toBe("updated");
    expect(model.list.map((s) => s.traceId)).toEqual(["b", "d", "c", "a"]);
    expect(model.get("a")?.durationMs).toBe(500);
    expect(model.remove("a")).toBe(true);
    model.upsert(summary("e", "50", { durationMs: 30 }));
    expect(model.list.map((s) => s.traceId)).toEqual(["b", "e", "d", "c"]);
    const ascending = new TraceListModel({ by: "start", ascending: true });
    for (const [id, start] of [
      ["b", "20"],
      ["a", "10"],
      ["c", "20"],
    ] as const)
      ascending.upsert(summary(id, start));
    expect(ascending.list.map((s) => s.traceId)).toEqual(["a", "b", "c"]);
  });
});

describe("traceLinkOfQuery", () => {
  const id = "4bf92f3577b34da6a3ce929d0e0e4736";
  it("opens the trace a search names by its id, any case, quoted or as trace_id=", () => {
    expect(traceLinkOfQuery(id)).toBe(`/traces/${id}`);
    expect(traceLinkOfQuery(` ${id.toUpperCase()} `)).toBe(`/traces/${id}`);
    expect(traceLinkOfQuery(`"${id}"`)).toBe(`/traces/${id}`);
    expect(traceLinkOfQuery(`trace_id=${id}`)).toBe(`/traces/${id}`);
    expect(traceLinkOfQuery(`traceId = "${id}"`)).toBe(`/traces/${id}`);
  });

  it("opens a traceparent's trace on its span", () => {
    expect(traceLinkOfQuery(`00-${id}-00F067AA0BA902B7-01`)).toBe(`/traces/${id}?span=00f067aa0ba902b7`);
  });

  it("leaves every other query to the query language", () => {
    expect(traceLinkOfQuery(undefined)).toBeNull();
    expect(traceLinkOfQuery(id.slice(1))).toBeNull();
    expect(traceLinkOfQuery(`${id} status=error`)).toBeNull();
    expect(traceLinkOfQuery(`span_id=${id}`)).toBeNull();
    expect(traceLinkOfQuery(`"${id}`)).toBeNull();
  });
});

describe("spanIdOfQuery", () => {
  const id = "00f067aa0ba902b7";
  it("reads a search that is a span id, any case, quoted or as span_id=", () => {
    expect(spanIdOfQuery(id)).toBe(id);
    expect(spanIdOfQuery(` ${id.toUpperCase()} `)).toBe(id);
    expect(spanIdOfQuery(`"${id}"`)).toBe(id);
    expect(spanIdOfQuery(`span_id=${id}`)).toBe(id);
    expect(spanIdOfQuery(`spanId = "${id.toUpperCase()}"`)).toBe(id);
    expect(spanIdOfQuery(`span.id=${id}`)).toBe(id);
    expect(spanLinkOf("4bf92f3577b34da6a3ce929d0e0e4736", id)).toBe(
      `/traces/4bf92f3577b34da6a3ce929d0e0e4736?span=${id}`,
    );
  });

  it("is null for every other query: a trace id, more text, another length, no id at all", () => {
    expect(spanIdOfQuery(undefined)).toBeNull();
    expect(spanIdOfQuery("4bf92f3577b34da6a3ce929d0e0e4736")).toBeNull();
    expect(spanIdOfQuery(id.slice(1))).toBeNull();
    expect(spanIdOfQuery(`${id} status=error`)).toBeNull();
    expect(spanIdOfQuery(`trace_id=${id}`)).toBeNull();
    expect(spanIdOfQuery(`"${id}`)).toBeNull();
    expect(spanIdOfQuery("0000000000000000")).toBeNull();
    expect(spanIdOfQuery("00f067aa0ba902bz")).toBeNull();
  });
});
