import { describe, expect, it } from "vitest";
import { criticalPath, selfTimeShares } from "../../web/src/features/trace-view/critical-path";
import { buildWaterfallTree } from "../../web/src/features/trace-view/waterfall-model";
import { span } from "./span-fixtures";

const onPath = (tree: ReturnType<typeof buildWaterfallTree>) => [...criticalPath(tree).ids].sort();

describe("criticalPath", () => {
  it("follows the child that finished last, then the one that finished last before it started, at every level", () => {
    // root 0–100: auth 0–10, db 5–30 (starts while auth runs, ends later), render 30–90 (has its own
    // child template 40–85), log 60–70 runs beside render and never decides anything. auth was still
    // running when db started, so db did not wait for it: the root's 0–5 is its own.
    const tree = buildWaterfallTree([
      span("root", null, 0, 100),
      span("auth", "root", 0, 10),
      span("db", "root", 5, 30),
      span("render", "root", 30, 90),
      span("template", "render", 40, 85),
      span("log", "root", 60, 70),
    ]);
    expect(onPath(tree)).toEqual(["db", "render", "root", "template"]);
    const { ownMs } = criticalPath(tree);
    // root works 0–5 and 90–100 itself; render 30–40 and 85–90.
    expect(ownMs.get("root")).toBeCloseTo(15);
    expect(ownMs.has("auth")).toBe(false);
    expect(ownMs.get("render")).toBeCloseTo(15);
    expect(ownMs.get("template")).toBeCloseTo(45);
    expect(ownMs.get("db")).toBeCloseTo(25);
  });

  it("takes of parallel calls awaited together only the last to finish, not the ones that overlap it", () => {
    // An OpenTelemetry JS frontend's handler (spans start on whole milliseconds): four price calls at
    // once, awaited together (the last, /price/4, decided when they were done), then four item calls,
    // of which /items/4 finished last. Each call has its backend's SERVER span under it.
    const frontend = { kind: "CLIENT" as const, service: "frontend" };
    const backend = { kind: "SERVER" as const, service: "backend" };
    const tree = buildWaterfallTree([
      span("handler", null, 0, 88.3, { kind: "SERVER", service: "frontend" }),
      span("price1", "handler", 0, 31.9, frontend),
      span("price2", "handler", 0, 42.6, frontend),
      span("price3", "handler", 1, 53, frontend),
      span("price4", "handler", 1, 64.2, frontend),
      span("price1-server", "price1", 1, 31.5, backend),
      span("price2-server", "price2", 1, 42.1, backend),
      span("price3-server", "price3", 2, 52.6, backend),
      span("price4-server", "price4", 2, 63.7, backend),
      span("items1", "handler", 64, 72, frontend),
      span("items2", "handler", 64, 70.5, frontend),
      span("items3", "handler", 64, 71.2, frontend),
      span("items4", "handler", 69, 87.5, frontend),
      span("items1-server", "items1", 65, 71.6, backend),
      span("items2-server", "items2", 65, 70.1, backend),
      span("items3-server", "items3", 65, 70.8, backend),
      span("items4-server", "items4", 70, 87.1, backend),
      span("select", "items4-server", 71, 86, { service: "backend" }),
    ]);
    // /price/2 (0–42.6) was still running when /price/4 started, and /items/1 (64–72) when /items/4
    // did: neither held anything up.
    expect(onPath(tree)).toEqual(["handler", "items4", "items4-server", "price4", "price4-server", "select"]);
    const { ownMs } = criticalPath(tree);
    // The handler's own: 0–1 before /price/4 started, 64.2–69 between the calls, 87.5–88.3 after.
    expect(ownMs.get("handler")).toBeCloseTo(6.6);
    expect(ownMs.get("price4")).toBeCloseTo(1.5);
    expect(ownMs.get("items4")).toBeCloseTo(1.4);
  });

  it("keeps calls made one after the other on the path, when they touch or a start rounded to the millisecond reads before the previous end", () => {
    // a and b touch at 20; c 45–70.6 and d, started as c returned, on the millisecond 70 (OpenTelemetry
    // JS starts spans on the clock's millisecond, up to 1 ms early, and times durations exactly).
    const tree = buildWaterfallTree([
      span("root", null, 0, 100),
      span("a", "root", 0, 20),
      span("b", "root", 20, 45),
      span("c", "root", 45, 70.6),
      span("d", "root", 70, 99.4),
    ]);
    expect(onPath(tree)).toEqual(["a", "b", "c", "d", "root"]);
    const { ownMs } = criticalPath(tree);
    // c counts up to d's start, so nothing is counted twice.
    expect(ownMs.get("c")).toBeCloseTo(25);
    expect(ownMs.get("root")).toBeCloseTo(0.6);
    // A start off the whole millisecond was not rounded: an end after it is an overlap. So is one a
    // millisecond or more after a start that was.
    const exact = buildWaterfallTree([
      span("root", null, 0, 100),
      span("e", "root", 0, 30.5),
      span("f", "root", 30.25, 99),
    ]);
    expect(onPath(exact)).toEqual(["f", "root"]);
    const rounded = buildWaterfallTree([
      span("root", null, 0, 100),
      span("e", "root", 0, 30),
      span("f", "root", 29, 99),
    ]);
    expect(onPath(rounded)).toEqual(["f", "root"]);
  });

  it("keeps a child whose clock is off against its parent's, counted within the parent", () => {
    // The backend's clock reads 2 ms early and 3 ms late against the call's: its SERVER span starts
    // before the call and ends after it. Its queries, one after the other, are both on the path.
    const tree = buildWaterfallTree([
      span("call", null, 10, 60, { kind: "CLIENT", service: "frontend" }),
      span("server", "call", 8, 63, { kind: "SERVER", service: "backend" }),
      span("query1", "server", 9, 30, { service: "backend" }),
      span("query2", "server", 30, 62, { service: "backend" }),
    ]);
    expect(onPath(tree)).toEqual(["call", "query1", "query2", "server"]);
    const { ownMs } = criticalPath(tree);
    expect(ownMs.get("call")).toBeCloseTo(0);
    expect(ownMs.get("query2")).toBeCloseTo(30);
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

describe("criticalPath with times in microseconds", () => {
  it("keeps a call that ends exactly when the next one starts, whatever the floating-point sum of its times", () => {
    // As Jaeger or Zipkin data gives times: an offset plus a duration (the end less the offset) can land
    // a hair past the end it was taken from, which must not read as an overlap.
    const dropped: string[] = [];
    for (let us = 1; us < 1000; us++) {
      const start = us / 1000;
      const touch = start + 0.066;
      const tree = buildWaterfallTree([
        span("root", null, 0, 2),
        span("a", "root", start, touch),
        span("b", "root", touch, 1.9),
      ]);
      if (!criticalPath(tree).ids.has("a")) dropped.push(`${start}–${touch}`);
    }
    expect(dropped).toEqual([]);
  });
});
