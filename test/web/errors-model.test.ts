import { describe, expect, it } from "vitest";
import type { ErrorGroupJson, ErrorGroupsResponse } from "../../src/protocol.js";
import {
  errorKeyIndex,
  errorKeyRowId,
  errorKeyRows,
  failedOperationText,
  failurePlace,
  frameText,
  groupingFrame,
  groupingFramesHeading,
  groupLink,
  groupTitle,
  sparkBars,
  withNextPage,
  withRefreshedHead,
} from "../../web/src/features/errors/errors-model.js";
import {
  errorsSearch,
  linkedKeyRow,
  readErrorFilters,
  selectedParam,
} from "../../web/src/features/errors/errors-url.js";
import { holdGroupOrder } from "../../web/src/features/errors/held-groups.js";

const group: ErrorGroupJson = {
  id: "0123456789abcdef",
  service: "api",
  kind: "exception",
  type: "TypeError",
  pattern: "no user <n>",
  frames: ["users.js:load"],
  libraryFrames: false,
  count: 2,
  traces: 2,
  firstSeenUnixNano: "1700000000000000000",
  lastSeenUnixNano: "1700000001000000000",
  sparkline: [1, 0, 1],
  operations: [{ service: "web", name: "GET /users", count: 2 }],
  failedIn: [{ kind: "INTERNAL", name: "load user", peer: null, count: 2 }],
  latest: [
    {
      traceId: "a".repeat(32),
      spanId: "b".repeat(16),
      timeUnixNano: "1700000001000000000",
      operation: { service: "web", name: "GET /users" },
    },
    {
      traceId: "c".repeat(32),
      spanId: "d".repeat(16),
      timeUnixNano: "1700000000000000000",
      operation: { service: "web", name: "GET /users" },
    },
  ],
  sample: { message: "no user 7", stacktrace: "", traceId: "a".repeat(32), spanId: "b".repeat(16), timeUnixNano: "1" },
  startedBelow: [],
};

describe("errors model", () => {
  it("says when the frames that grouped a group are the runtime's or a library's, not the app's own", () => {
    expect(groupingFrame(group)).toMatchObject({ lead: null, frame: "users.js:load" });
    expect(groupingFramesHeading(group).text).toBe("Grouped by frames");
    const library = {
      ...group,
      frames: ["node:_http_client:TLSSocket.socketOnEnd", "node:events:TLSSocket.emit"],
      libraryFrames: true,
    };
    const frame = groupingFrame(library);
    expect(`${frame?.lead}${frame?.frame}`).toBe(
      "no frame of your code · runtime or library: node:_http_client:TLSSocket.socketOnEnd",
    );
    expect(frame?.title).toContain("no frame of your code");
    expect(groupingFramesHeading(library).text).toBe("Grouped by the runtime's or a library's frames");
    expect(groupingFrame({ frames: [], libraryFrames: false })).toBeNull();
  });

  it("opens a group's newest trace on its failing span", () => {
    expect(groupLink(group)).toBe(`/traces/${"a".repeat(32)}?span=${"b".repeat(16)}`);
    expect(groupLink({ ...group, latest: [] })).toBeNull();
  });

  it("titles a group by type and its newest message as it was, the pattern apart", () => {
    expect(groupTitle(group)).toEqual({ type: "TypeError", message: "no user 7", pattern: "no user <n>" });
    expect(groupTitle({ ...group, pattern: "" })).toEqual({
      type: "TypeError",
      message: "no user 7",
      pattern: "no user 7",
    });
    // One line of it, and nothing that only repeats the type.
    const sample = (message: string) => ({ ...group.sample, message });
    expect(groupTitle({ ...group, sample: sample("\n  first line\nsecond") }).message).toBe("first line");
    expect(groupTitle({ ...group, type: "HTTP 500", pattern: "HTTP <n>", sample: sample("HTTP 500") })).toEqual({
      type: "HTTP 500",
      message: "",
      pattern: "HTTP <n>",
    });
    expect(groupTitle({ ...group, sample: sample("") }).message).toBe("no user <n>");
    expect(groupTitle({ ...group, sample: sample("x".repeat(400)) }).message).toBe(`${"x".repeat(300)}…`);
  });

  it("scales sparkline bars to the busiest bucket, a lone error at least 1 px tall", () => {
    expect(sparkBars([0, 4, 2], 30, 20)).toEqual([
      { x: 0, y: 20, width: 9, height: 0, count: 0 },
      { x: 10, y: 0, width: 9, height: 20, count: 4 },
      { x: 20, y: 10, width: 9, height: 10, count: 2 },
    ]);
    expect(sparkBars([1, 0, 400], 3, 20)[0]).toEqual({ x: 0, y: 19, width: 1, height: 1, count: 1 });
  });
});

describe("the Errors page's keyboard rows", () => {
  const other: ErrorGroupJson = { ...group, id: "fedcba9876543210", latest: [] };
  const a = "a".repeat(32);
  const c = "c".repeat(32);

  it("walks every group, and under the open one its newest traces", () => {
    expect(errorKeyRows([group, other], null)).toEqual([
      { groupId: group.id, traceId: null },
      { groupId: other.id, traceId: null },
    ]);
    expect(errorKeyRows([group, other], group.id)).toEqual([
      { groupId: group.id, traceId: null },
      { groupId: group.id, traceId: a },
      { groupId: group.id, traceId: c },
      { groupId: other.id, traceId: null },
    ]);
    // An open group no longer shown (filtered out) adds nothing.
    expect(errorKeyRows([other], group.id)).toEqual([{ groupId: other.id, traceId: null }]);
  });

  it("finds the selection, falling back to its group when its trace is not listed", () => {
    const open = errorKeyRows([group, other], group.id);
    expect(errorKeyIndex(open, null)).toBe(-1);
    expect(errorKeyIndex(open, { groupId: group.id, traceId: c })).toBe(2);
    expect(errorKeyIndex(open, { groupId: other.id, traceId: null })).toBe(3);
    // Its group was closed, or the trace left the newest: the group's line.
    const closed = errorKeyRows([group, other], null);
    expect(errorKeyIndex(closed, { groupId: group.id, traceId: c })).toBe(0);
    expect(errorKeyIndex(open, { groupId: group.id, traceId: "e".repeat(32) })).toBe(0);
    // Its group is gone: nothing.
    expect(errorKeyIndex(closed, { groupId: "0".repeat(16), traceId: null })).toBe(-1);
  });

  it("names each row's element apart", () => {
    expect(errorKeyRowId({ groupId: group.id, traceId: null })).toBe(`error-group-${group.id}`);
    expect(errorKeyRowId({ groupId: group.id, traceId: a })).toBe(`error-trace-${group.id}-${a}`);
  });
});

describe("errors URL", () => {
  it("reads and writes service, window, sort and where errors start, leaving defaults out", () => {
    expect(readErrorFilters({})).toEqual({ window: "all", sort: "lastSeen", starts: false });
    const filters = readErrorFilters({ service: "api", window: "1h", sort: "count", starts: "1" });
    expect(filters).toEqual({ service: "api", window: "1h", sort: "count", starts: true });
    expect(errorsSearch(filters)).toBe("?service=api&window=1h&sort=count&starts=1");
    expect(errorsSearch(readErrorFilters({ window: "bogus", sort: "bogus", starts: "yes" }))).toBe("");
    expect(errorsSearch(filters, { group: "g1", selected: "g2" })).toBe(
      "?service=api&window=1h&sort=count&starts=1&group=g1&selected=g2",
    );
  });

  it("keeps the keyboard's row as a group id or the open group's trace id, never repeating ?group=", () => {
    const trace = "a".repeat(32);
    expect(selectedParam(null, null)).toBeNull();
    expect(selectedParam({ groupId: group.id, traceId: null }, null)).toBe(group.id);
    expect(selectedParam({ groupId: group.id, traceId: null }, group.id)).toBeNull();
    expect(selectedParam({ groupId: group.id, traceId: trace }, group.id)).toBe(trace);
    expect(selectedParam({ groupId: group.id, traceId: null }, "f".repeat(16))).toBe(group.id);
  });

  it("reads the keyboard's row back from the address", () => {
    const other = { ...group, id: "fedcba9876543210", latest: [] };
    const open = errorKeyRows([group, other], group.id);
    // Nothing named: the open group's line, or none.
    expect(linkedKeyRow(open, null, group.id)).toEqual({ groupId: group.id, traceId: null });
    expect(linkedKeyRow(errorKeyRows([group, other], null), null, null)).toBeNull();
    expect(linkedKeyRow(open, "c".repeat(32), group.id)).toEqual({ groupId: group.id, traceId: "c".repeat(32) });
    expect(linkedKeyRow(open, other.id, group.id)).toEqual({ groupId: other.id, traceId: null });
    // A trace no longer among the newest: its open group's line.
    expect(linkedKeyRow(open, "e".repeat(32), group.id)).toEqual({ groupId: group.id, traceId: null });
    // Not listed yet (or any more), nothing open: the group it names, which errorKeyIndex finds once listed.
    expect(linkedKeyRow([], other.id, null)).toEqual({ groupId: other.id, traceId: null });
  });
});

describe("frameText", () => {
  it("reads an anonymous function's frame as its file, never with a dangling colon", () => {
    expect(frameText("app.js:")).toBe("app.js (anonymous)");
    expect(frameText("users.js:getUser")).toBe("users.js:getUser");
  });
});

describe("where a group failed", () => {
  // The demo's two "HTTP 500" groups of web-frontend: its own answer, and its call to checkout-api.
  const http500 = (failedIn: ErrorGroupJson["failedIn"]): ErrorGroupJson => ({
    ...group,
    service: "web-frontend",
    kind: "status",
    type: "HTTP 500",
    pattern: "HTTP <n>",
    frames: [],
    operations: [{ service: "web-frontend", name: "POST /checkout", count: 6 }],
    failedIn,
    sample: { ...group.sample, message: "HTTP 500" },
  });

  it("names the failing span's operation, so groups alike in type and message read apart", () => {
    const answered = failurePlace(http500([{ kind: "SERVER", name: "POST /checkout", peer: null, count: 6 }]));
    const called = failurePlace(
      http500([{ kind: "CLIENT", name: "POST /api/orders", peer: "checkout-api", count: 6 }]),
    );
    expect(answered).toEqual({
      operation: "POST /checkout",
      kind: "server",
      more: 0,
      title: "web-frontend POST /checkout (server) ×6",
      // It failed in the request's own span: nothing to say of where it happened inside.
      within: null,
    });
    expect(called).toEqual({
      operation: "POST /api/orders → checkout-api",
      kind: "client",
      more: 0,
      title: "web-frontend POST /api/orders → checkout-api (client) ×6",
      within: "web-frontend POST /checkout",
    });
  });

  it("counts the other operations a group failed in, and its traces' others", () => {
    const place = failurePlace({
      ...group,
      operations: [
        { service: "web", name: "GET /users", count: 2 },
        { service: "web", name: "GET /admin", count: 1 },
      ],
      failedIn: [
        { kind: "INTERNAL", name: "load user", peer: null, count: 2 },
        { kind: "CLIENT", name: "SELECT users", peer: "postgresql shop", count: 1 },
      ],
    });
    expect(place).toMatchObject({ operation: "load user", kind: "internal", more: 1, within: "web GET /users +1" });
    expect(place.title.split("\n")).toEqual([
      "api load user (internal) ×2",
      "api SELECT users → postgresql shop (client) ×1",
    ]);
    expect(failurePlace({ ...group, failedIn: [] })).toMatchObject({ operation: null, kind: null, more: 0 });
  });

  it("writes a call by its name and who it calls, once", () => {
    expect(failedOperationText({ kind: "CLIENT", name: "POST payments", peer: "payments", count: 1 })).toBe(
      "POST payments",
    );
    expect(failedOperationText({ kind: "CLIENT", name: "GET /charge", peer: "payments", count: 1 })).toBe(
      "GET /charge → payments",
    );
  });
});

describe("the Errors page's held order", () => {
  const g = (id: string, count = 1): ErrorGroupJson => ({ ...group, id, count });

  it("keeps the order drawn, with each group's newest counts, and says the newest answer moved them", () => {
    const held = holdGroupOrder(["b", "a"], [g("a", 5), g("b")]);
    expect(held.groups.map((x) => [x.id, x.count])).toEqual([
      ["b", 1],
      ["a", 5],
    ]);
    expect(held).toMatchObject({ newCount: 0, reordered: true });
  });

  it("draws the groups of a page more after those held, at once: below the last row they move none", () => {
    const held = holdGroupOrder(["b", "a"], [g("c"), g("a"), g("b"), g("d"), g("e")]);
    expect(held.groups.map((x) => x.id)).toEqual(["b", "a", "d", "e"]);
    expect(held).toMatchObject({ newCount: 1, reordered: true });
  });

  it("holds new groups back and counts them; a group no longer in the answer goes", () => {
    const held = holdGroupOrder(["b", "a", "gone"], [g("c"), g("b"), g("a")]);
    expect(held.groups.map((x) => x.id)).toEqual(["b", "a"]);
    expect(held).toMatchObject({ newCount: 1, reordered: false });
  });
});

describe("the Errors page's next page of groups", () => {
  const g = (id: string, count = 1): ErrorGroupJson => ({ ...group, id, count });
  const answer = (groups: ErrorGroupJson[], more: Partial<ErrorGroupsResponse>): ErrorGroupsResponse => ({
    groups,
    totalGroups: 5,
    totalErrors: 9,
    totalTraces: 8,
    bucketStartUnixNano: "1000",
    bucketNanos: "10",
    buckets: 30,
    ...more,
  });

  it("lists the page after the groups listed, once each, with the newest counts and the axis drawn", () => {
    const shown = answer([g("a"), g("b")], { nextCursor: "lastSeen:1_1_b" });
    // b moved down since (its errors left a window): it stays where it is listed.
    const page = answer([g("b", 2), g("c"), g("d")], {
      nextCursor: "lastSeen:1_1_d",
      totalErrors: 10,
      bucketStartUnixNano: "1001",
    });
    const both = withNextPage(shown, page);
    expect(both.groups.map((x) => [x.id, x.count])).toEqual([
      ["a", 1],
      ["b", 1],
      ["c", 1],
      ["d", 1],
    ]);
    expect(both).toMatchObject({ nextCursor: "lastSeen:1_1_d", totalErrors: 10, bucketStartUnixNano: "1000" });
    expect(withNextPage(both, answer([g("e")], {})).nextCursor).toBeUndefined();
  });

  it("refreshes the first groups listed and keeps the rest reached, once each, after them", () => {
    const shown = answer([g("a"), g("b"), g("c"), g("d")], { nextCursor: "lastSeen:1_1_d" });
    // A new group e came first, c's errors moved it up: b is pushed out of the head, and stays reached.
    const head = answer([g("e"), g("c", 3)], { nextCursor: "lastSeen:1_1_c", totalGroups: 6, totalErrors: 12 });
    const both = withRefreshedHead(shown, head);
    expect(both.groups.map((x) => [x.id, x.count])).toEqual([
      ["e", 1],
      ["c", 3],
      ["a", 1],
      ["b", 1],
      ["d", 1],
    ]);
    expect(both).toMatchObject({ nextCursor: "lastSeen:1_1_d", totalGroups: 6, totalErrors: 12 });
    // A head that holds every group in the window is the whole answer.
    const all = answer([g("a"), g("c")], { totalGroups: 2 });
    expect(withRefreshedHead(shown, all)).toBe(all);
  });
});
