import { describe, expect, it } from "vitest";
import type { TraceSummaryJson } from "../../src/protocol";
import {
  compareNewestFirst,
  editFilters,
  filtersFromSearch,
  filtersToSearch,
  hasFilters,
  matchesFilters,
  TraceListModel,
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
      errorsOnly: true,
      since: 1700000000000,
      until: 1700000060000,
    };
    const search = filtersToSearch(filters);
    expect(search).toBe(
      "?service=checkout+api&name=GET+%2Fa%26b&q=user%3A42&minDurationMs=250&errors=1&since=1700000000000&until=1700000060000",
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
    expect(matchesFilters(trace, { name: "checkout" })).toBe("yes");
    expect(matchesFilters(trace, { name: "orders" })).toBe("no");
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
