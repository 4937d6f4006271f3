import { describe, expect, it } from "vitest";
import {
  MAX_SNAPSHOT_ROWS,
  matchesSnapshotFilters,
  SnapshotFeed,
  snapshotFiltersFromSearch,
  snapshotFiltersToSearch,
} from "../../web/src/features/snapshots/snapshot-feed";
import {
  previewVariables,
  snapshotsBySpan,
  spanLink,
  topVariables,
} from "../../web/src/features/snapshots/trace-snapshots";
import { snapshotSummary } from "./snapshot-fixtures";

const ids = (feed: SnapshotFeed) => feed.rows.list.map((s) => s.id);

describe("snapshot list filters", () => {
  it("round-trips through the URL", () => {
    const filters = snapshotFiltersFromSearch("?breakpoint=bp-7&service=checkout&other=1");
    expect(filters).toEqual({ service: "checkout", breakpointId: "bp-7" });
    expect(snapshotFiltersToSearch(filters)).toBe("?service=checkout&breakpoint=bp-7");
    expect(snapshotFiltersToSearch({})).toBe("");
  });

  it("matches by service and breakpoint", () => {
    const s = snapshotSummary("1", "2026-12-02T10:00:00Z", { service: "a", breakpointId: "x" });
    expect(matchesSnapshotFilters(s, {})).toBe(true);
    expect(matchesSnapshotFilters(s, { service: "a", breakpointId: "x" })).toBe(true);
    expect(matchesSnapshotFilters(s, { service: "b" })).toBe(false);
    expect(matchesSnapshotFilters(s, { breakpointId: "y" })).toBe(false);
  });
});

describe("snapshot feed: stored traces", () => {
  it("links a row to its trace once the trace is known to be stored, from a page's answer or a live update", () => {
    const feed = new SnapshotFeed();
    const traceId = "ab".repeat(16);
    const row = snapshotSummary("a", "2026-12-02T10:00:00Z", { traceId, spanId: "cd".repeat(8) });
    const outside = snapshotSummary("b", "2026-12-02T10:00:01Z", { traceId: null });
    feed.reset([row, outside], {});
    expect(feed.traceStored(row)).toBe(false);
    // Another trace arriving changes no row; this one's does.
    expect(feed.tracesStored(["ef".repeat(16)])).toBe(false);
    expect(feed.tracesStored([traceId])).toBe(true);
    expect(feed.tracesStored([traceId])).toBe(false);
    expect(feed.traceStored(row)).toBe(true);
    expect(feed.traceStored(outside)).toBe(false);
    // A trace that came before its capture is remembered for the row that follows.
    const late = snapshotSummary("c", "2026-12-02T10:00:02Z", { traceId: "ef".repeat(16) });
    feed.receive([late], false);
    expect(feed.traceStored(late)).toBe(true);
    feed.clear();
    expect(feed.traceStored(row)).toBe(false);
  });
});

describe("snapshot feed: live placement", () => {
  it("keeps the server's order (newest arrival first) and puts live arrivals on top, whatever the SDK clocks say", () => {
    const feed = new SnapshotFeed();
    // A Python SDK stamps local time as UTC: its capture looks hours newer than it is.
    feed.reset([snapshotSummary("b", "2026-12-02T15:00:00Z"), snapshotSummary("a", "2026-12-02T10:00:02Z")], {});
    feed.append([snapshotSummary("z", "2026-12-02T18:00:00Z")]);
    expect(ids(feed)).toEqual(["b", "a", "z"]);
    feed.receive([snapshotSummary("c", "2026-12-02T10:00:03Z")], false);
    expect(ids(feed)).toEqual(["c", "b", "a", "z"]);
    // Held ones keep their arrival order when they are shown.
    feed.receive([snapshotSummary("d", "2026-12-02T10:00:04Z")], true);
    feed.receive([snapshotSummary("e", "2026-12-02T09:00:00Z")], true);
    feed.release();
    expect(ids(feed)).toEqual(["e", "d", "c", "b", "a", "z"]);
    expect(feed.rows.indexOf("a")).toBe(4);
  });

  it("puts new snapshots on top when nobody is reading, and holds them otherwise", () => {
    const feed = new SnapshotFeed();
    feed.reset([snapshotSummary("2", "2026-12-02T10:00:02Z"), snapshotSummary("1", "2026-12-02T10:00:01Z")], {});
    expect(ids(feed)).toEqual(["2", "1"]);
    expect(feed.receive([snapshotSummary("3", "2026-12-02T10:00:03Z")], false)).toEqual({ changed: true, held: false });
    expect(ids(feed)).toEqual(["3", "2", "1"]);
    expect(feed.receive([snapshotSummary("4", "2026-12-02T10:00:04Z")], true)).toEqual({ changed: false, held: true });
    expect(ids(feed)).toEqual(["3", "2", "1"]);
    expect(feed.pendingCount).toBe(1);
    expect(feed.release()).toBe(true);
    expect(ids(feed)).toEqual(["4", "3", "2", "1"]);
    expect(feed.release()).toBe(false);
  });

  it("updates a snapshot on screen in place even while holding", () => {
    const feed = new SnapshotFeed();
    feed.reset([snapshotSummary("1", "2026-12-02T10:00:01Z")], {});
    const result = feed.receive([snapshotSummary("1", "2026-12-02T10:00:01Z", { securityFlagCount: 2 })], true);
    expect(result).toEqual({ changed: true, held: false });
    expect(feed.rows.get("1")?.securityFlagCount).toBe(2);
  });

  it("ignores snapshots outside the filters", () => {
    const feed = new SnapshotFeed();
    feed.reset([], { service: "checkout-api" });
    expect(feed.receive([snapshotSummary("x", "2026-12-02T10:00:00Z", { service: "other" })], false)).toEqual({
      changed: false,
      held: false,
    });
    expect(feed.rows.size).toBe(0);
  });

  it("appends older pages below without taking held ones, and keeps a bounded number of rows", () => {
    const feed = new SnapshotFeed();
    feed.reset([snapshotSummary("5", "2026-12-02T10:00:05Z")], {});
    feed.receive([snapshotSummary("6", "2026-12-02T10:00:06Z")], true);
    feed.append([snapshotSummary("6", "2026-12-02T10:00:06Z"), snapshotSummary("4", "2026-12-02T10:00:04Z")]);
    expect(ids(feed)).toEqual(["5", "4"]);
    const many = Array.from({ length: MAX_SNAPSHOT_ROWS + 10 }, (_, i) =>
      snapshotSummary(`m${i}`, "2026-12-03T00:00:00Z"),
    );
    feed.receive(many, false);
    expect(feed.rows.size).toBe(MAX_SNAPSHOT_ROWS);
    expect(feed.rows.list[0]?.id).toBe(`m${MAX_SNAPSHOT_ROWS + 9}`);
  });
});

describe("snapshots in a trace", () => {
  it("groups them by span in the server's order, and skips those outside a span", () => {
    const bySpan = snapshotsBySpan([
      snapshotSummary("late", "2026-12-02T10:00:02Z", { traceId: "t", spanId: "AB" }),
      snapshotSummary("early", "2026-12-02T10:00:01Z", { traceId: "t", spanId: "ab" }),
      snapshotSummary("none", "2026-12-02T10:00:01Z", { traceId: "t", spanId: null }),
    ]);
    expect([...bySpan.keys()]).toEqual(["ab"]);
    expect(bySpan.get("ab")?.map((s) => s.id)).toEqual(["late", "early"]);
    expect(snapshotsBySpan(undefined).size).toBe(0);
  });

  it("links to the span and lists the first variables", () => {
    expect(spanLink("t1", "s1")).toBe("/traces/t1?span=s1");
    expect(spanLink("t1", null)).toBe("/traces/t1");
    expect(topVariables(["a", "b", "c"], 2)).toEqual({ names: ["a", "b"], more: 1 });
  });
});

describe("variable previews in the span details", () => {
  it("shows the first variables on one line each, masking secrets and naming redactions", () => {
    const previews = previewVariables(
      {
        cart: { id: 1, items: [] },
        note: "x".repeat(100),
        contact: "jane@example.com",
        email: "[REDACTED:email]",
        ignored: 1,
      },
      4,
    );
    expect(previews.map((p) => [p.name, p.text])).toEqual([
      ["cart", "{id, items}"],
      ["note", `"${"x".repeat(48)}…"`],
      ["contact", '"jane@example.com"'],
      ["email", '"[REDACTED:email]"'],
    ]);
    expect(previews[2]?.secret?.kind).toBe("email");
    expect(previews[3]).toMatchObject({ secret: null, redacted: "email" });
    expect(previewVariables({ greeting: 'say "hi"' })[0]?.text).toBe('"say \\"hi\\""');
    expect(previewVariables(null)).toEqual([]);
    expect(previewVariables([1, 2])).toEqual([]);
  });
});
