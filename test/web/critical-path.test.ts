import { describe, expect, it } from "vitest";
import { criticalPath, selfTimeShares } from "../../web/src/features/trace-view/critical-path";
import { buildWaterfallTree } from "../../web/src/features/trace-view/waterfall-model";
import { span } from "./span-fixtures";

const onPath = (tree: ReturnType<typeof buildWaterfallTree>) => [...criticalPath(tree).ids].sort();

describe("criticalPath", () => {
  it("follows the child that finished last, then the one that finished last before it started, at every level", () => {
    // root 0–100: auth 0–10, db 5–30 (overlaps auth, ends later), render 30–90 (has its own child
    // template 40–85), log 60–70 runs beside render and never decides anything. Before db started,
    // auth was what the root waited for (0–5).
    const tree = buildWaterfallTree([
      span("root", null, 0, 100),
      span("auth", "root", 0, 10),
      span("db", "root", 5, 30),
      span("render", "root", 30, 90),
      span("template", "render", 40, 85),
      span("log", "root", 60, 70),
    ]);
    expect(onPath(tree)).toEqual(["auth", "db", "render", "root", "template"]);
    const { ownMs } = criticalPath(tree);
    // root works 90–100 itself; render 30–40 and 85–90.
    expect(ownMs.get("root")).toBeCloseTo(10);
    expect(ownMs.get("auth")).toBeCloseTo(5);
    expect(ownMs.get("render")).toBeCloseTo(15);
    expect(ownMs.get("template")).toBeCloseTo(45);
    expect(ownMs.get("db")).toBeCloseTo(25);
  });

  it("counts a child that outlives its parent only up to the parent's end, and takes the last-ending root when the root is missing", () => {
    const tree = buildWaterfallTree([
      span("a", "gone", 0, 50),
      span("b", "gone", 10, 80),
      span("late", "b", 70, 120),
      span("early", "b", 10, 20),
    ]);
    expect(onPath(tree)).toEqual(["b", "early", "late"]);
    expect(criticalPath(tree).ownMs.get("late")).toBeCloseTo(10);
  });

  it("follows a request told twice (HTTP server span and the SDK middleware's beside it) through the telling that holds the work", () => {
    // The TraceKit Node SDK's shape (times from an Express app calling another): the backend's HTTP
    // instrumentation span (68–116, no children) and its middleware span (71–101, with the query) both
    // sit under the frontend's client call. The empty outer one ends last; the path goes on inside it.
    const server = { kind: "SERVER" as const };
    const tree = buildWaterfallTree([
      span("root", null, 0, 175, { ...server, service: "frontend" }),
      span("handler", "root", 18, 168, { ...server, service: "frontend" }),
      span("call", "handler", 19, 121.6, { kind: "CLIENT", service: "frontend" }),
      span("http", "call", 68, 116.1, { ...server, service: "backend" }),
      span("middleware", "call", 71, 100.8, { ...server, service: "backend" }),
      span("select", "middleware", 81, 99.5, { service: "backend" }),
    ]);
    expect(onPath(tree)).toEqual(["call", "handler", "http", "middleware", "root", "select"]);
    const { ownMs } = criticalPath(tree);
    // The HTTP span's own time is what the middleware does not cover: 68–71 and 100.8–116.1.
    expect(ownMs.get("http")).toBeCloseTo(18.3);
    expect(ownMs.get("middleware")).toBeCloseTo(11.3);
    expect(ownMs.get("select")).toBeCloseTo(18.5);
    // Two requests one after the other (a retry), other services' or non-entry spans: not one request.
    const retry = buildWaterfallTree([
      span("call", null, 0, 100, { kind: "CLIENT" }),
      span("first", "call", 0, 40, { ...server, service: "backend" }),
      span("work", "first", 5, 35, { service: "backend" }),
      span("second", "call", 45, 95, { ...server, service: "backend" }),
      span("other", "call", 46, 94, { ...server, service: "billing" }),
    ]);
    expect(onPath(retry)).toEqual(["call", "first", "second", "work"]);
    // The same holds for root-level spans naming one missing caller.
    const orphans = buildWaterfallTree([
      span("http", "gone", 0, 50, { ...server, service: "backend" }),
      span("middleware", "gone", 1, 45, { ...server, service: "backend" }),
      span("select", "middleware", 5, 40, { service: "backend" }),
    ]);
    expect(onPath(orphans)).toEqual(["http", "middleware", "select"]);
  });

  it("handles an empty trace and a 10,000-deep chain", () => {
    expect(criticalPath(buildWaterfallTree([])).ids.size).toBe(0);
    const chain = [span("s0", null, 0, 20_000)];
    for (let i = 1; i < 10_000; i++) chain.push(span(`s${i}`, `s${i - 1}`, i, 20_000 - i));
    expect(criticalPath(buildWaterfallTree(chain)).ids.size).toBe(10_000);
  });
});

describe("selfTimeShares", () => {
  it("scales self time to the largest in the trace", () => {
    const tree = buildWaterfallTree([span("root", null, 0, 100), span("child", "root", 0, 80)]);
    const shares = selfTimeShares(tree);
    expect(shares.get("child")).toBe(1);
    expect(shares.get("root")).toBeCloseTo(0.25);
  });
});
