import { describe, expect, it } from "vitest";
import type { ErrorGroupJson } from "../../src/protocol.js";
import { frameText, groupLink, groupTitle, sparkBars } from "../../web/src/features/errors/errors-model.js";
import { errorsSearch, readErrorFilters } from "../../web/src/features/errors/errors-url.js";

const group: ErrorGroupJson = {
  id: "0123456789abcdef",
  service: "api",
  kind: "exception",
  type: "TypeError",
  pattern: "no user <n>",
  frames: ["users.js:load"],
  count: 2,
  traces: 2,
  firstSeenUnixNano: "1700000000000000000",
  lastSeenUnixNano: "1700000001000000000",
  sparkline: [1, 0, 1],
  operations: [{ service: "web", name: "GET /users", count: 2 }],
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

describe("errors URL", () => {
  it("reads and writes service, window, sort and where errors start, leaving defaults out", () => {
    expect(readErrorFilters({})).toEqual({ window: "all", sort: "lastSeen", starts: false });
    const filters = readErrorFilters({ service: "api", window: "1h", sort: "count", starts: "1" });
    expect(filters).toEqual({ service: "api", window: "1h", sort: "count", starts: true });
    expect(errorsSearch(filters)).toBe("?service=api&window=1h&sort=count&starts=1");
    expect(errorsSearch(readErrorFilters({ window: "bogus", sort: "bogus", starts: "yes" }))).toBe("");
  });
});

describe("frameText", () => {
  it("reads an anonymous function's frame as its file, never with a dangling colon", () => {
    expect(frameText("app.js:")).toBe("app.js (anonymous)");
    expect(frameText("users.js:getUser")).toBe("users.js:getUser");
  });
});
