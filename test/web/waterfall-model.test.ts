import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/domain/duration-text.js";
import {
  ancestorIds,
  BAR_LABEL_CHAR_PX,
  buildWaterfallRows,
  buildWaterfallTree,
  collapsibleIds,
  expandAncestors,
  fittedTreeFraction,
  insideLabelLeftPx,
  timePosition,
  timeTicks,
  visibleRows,
} from "../../web/src/features/trace-view/waterfall-model";
import { ns, span, T0 } from "./span-fixtures";

const ids = (rows: { spanId: string }[]) => rows.map((row) => row.spanId);
const none = new Set<string>();

describe("buildWaterfallRows", () => {
  it("puts parents before children and orders siblings by start time", () => {
    const spans = [
      span("c2", "root", 30, 40),
      span("g1", "c1", 12, 14),
      span("root", null, 0, 100),
      span("c1", "root", 10, 20),
    ];
    const rows = buildWaterfallRows(spans, none);
    expect(ids(rows)).toEqual(["root", "c1", "g1", "c2"]);
    expect(rows.map((row) => row.depth)).toEqual([0, 1, 2, 1]);
    expect(rows.map((row) => row.index)).toEqual([0, 1, 2, 3]);
    expect(rows[0]!.hasChildren).toBe(true);
    expect(rows[0]!.descendantCount).toBe(3);
    expect(rows[1]!.descendantCount).toBe(1);
    expect(rows[2]!.hasChildren).toBe(false);
    expect(rows[2]!.parent?.spanId).toBe("c1");
  });

  it("keeps the input order for siblings that start together", () => {
    const spans = [span("root", null, 0, 10), span("b", "root", 1, 2), span("a", "root", 1, 3)];
    expect(ids(buildWaterfallRows(spans, none))).toEqual(["root", "b", "a"]);
  });

  it("measures offsets and durations from the trace start, exactly, from decimal nanosecond strings", () => {
    const spans = [
      span("root", null, 0, 250.5),
      {
        ...span("child", "root", 0, 0),
        startTimeUnixNano: (T0 + 1_000_001n).toString(),
        endTimeUnixNano: (T0 + 3_500_002n).toString(),
      },
    ];
    const [root, child] = buildWaterfallRows(spans, none);
    expect(root!.offsetMs).toBe(0);
    expect(root!.durationMs).toBe(250.5);
    expect(child!.offsetMs).toBeCloseTo(1.000001, 9);
    expect(child!.durationMs).toBeCloseTo(2.500001, 9);
  });

  it("computes self time as the duration minus the union of the children, clipped to the parent", () => {
    const spans = [
      span("root", null, 0, 100),
      span("a", "root", 10, 40),
      span("b", "root", 30, 60), // overlaps a: union 10..60
      span("c", "root", 90, 130), // runs past the parent: only 90..100 counts
      span("d", "root", 50, 55), // inside the union already
    ];
    const tree = buildWaterfallTree(spans);
    expect(tree.byId.get("root")!.selfMs).toBeCloseTo(100 - 50 - 10, 9);
    expect(tree.byId.get("a")!.selfMs).toBe(30);
  });

  it("shows orphans at root level, marked parent missing", () => {
    const spans = [span("root", null, 0, 100), span("orphan", "not-here", 5, 10), span("kid", "orphan", 6, 7)];
    const rows = buildWaterfallRows(spans, none);
    expect(ids(rows)).toEqual(["root", "orphan", "kid"]);
    expect(rows[1]!.depth).toBe(0);
    expect(rows[1]!.parentIssue).toBe("missing");
    expect(rows[2]!.depth).toBe(1);
    expect(rows[0]!.parentIssue).toBeNull();
  });

  it("breaks cycles without hanging and shows every span exactly once", () => {
    const spans = [
      span("root", null, 0, 100),
      span("a", "b", 10, 20),
      span("b", "a", 12, 18),
      span("tail", "a", 14, 15),
      span("self", "self", 30, 40),
    ];
    const tree = buildWaterfallTree(spans);
    expect(tree.nodes).toHaveLength(5);
    expect(new Set(ids(tree.nodes)).size).toBe(5);
    const cut = tree.roots.filter((node) => node.parentIssue === "cycle").map((node) => node.spanId);
    expect(cut).toContain("self");
    expect(cut.some((id) => id === "a" || id === "b")).toBe(true);
    for (const node of tree.nodes) {
      // Every node's parent comes before it, and depth agrees with the parent chain.
      if (node.parent) {
        expect(node.parent.index).toBeLessThan(node.index);
        expect(node.depth).toBe(node.parent.depth + 1);
      } else expect(node.depth).toBe(0);
    }
  });

  it("keeps spans with a duplicate id as rows of their own; children attach to the first", () => {
    const spans = [
      span("root", null, 0, 100),
      span("dup", "root", 10, 20),
      span("dup", "root", 30, 40),
      span("kid", "dup", 11, 12),
    ];
    const tree = buildWaterfallTree(spans);
    expect(tree.nodes).toHaveLength(4);
    const dups = tree.nodes.filter((node) => node.spanId === "dup");
    expect(dups.map((node) => node.duplicate)).toEqual([false, true]);
    expect(tree.byId.get("kid")!.parent).toBe(dups[0]);
  });

  it("hides the subtree of every collapsed span, and ignores collapsed leaves", () => {
    const spans = [
      span("root", null, 0, 100),
      span("a", "root", 1, 50),
      span("a1", "a", 2, 10),
      span("a11", "a1", 3, 4),
      span("b", "root", 60, 70),
    ];
    expect(ids(buildWaterfallRows(spans, new Set(["a"])))).toEqual(["root", "a", "b"]);
    expect(ids(buildWaterfallRows(spans, new Set(["a1"])))).toEqual(["root", "a", "a1", "b"]);
    expect(ids(buildWaterfallRows(spans, new Set(["b", "a11"])))).toEqual(["root", "a", "a1", "a11", "b"]);
    expect(ids(buildWaterfallRows(spans, new Set(["root", "a"])))).toEqual(["root"]);
  });

  it("returns an empty list for no spans", () => {
    expect(buildWaterfallRows([], none)).toEqual([]);
    const tree = buildWaterfallTree([]);
    expect(tree.root).toBeNull();
    expect(tree.totalMs).toBe(0);
  });

  // Speed is bench/browser.mjs's business (a 10,000-span trace's first row); here only correctness at size.
  it("handles a 10,000-deep chain and a 10,000-span trace", () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => span(`s${i}`, i === 0 ? null : `s${i - 1}`, i * 0.01, 200));
    const tree = buildWaterfallTree(chain);
    expect(tree.nodes[9_999]!.depth).toBe(9_999);
    expect(tree.nodes[0]!.descendantCount).toBe(9_999);

    const wide = [span("root", null, 0, 1000)];
    for (let i = 1; i < 10_000; i++) {
      wide.push(span(`w${i}`, i < 100 ? "root" : `w${1 + (i % 99)}`, (i * 7919) % 997, 999));
    }
    const wideTree = buildWaterfallTree(wide);
    expect(wideTree.nodes).toHaveLength(10_000);
    const rows = visibleRows(wideTree, new Set(["w5", "w7"]));
    expect(rows.length).toBeLessThan(10_000);
    expect(rows.length).toBeGreaterThan(100);
  });
});

describe("tree facts", () => {
  it("finds the real root, the services in tree order and the error count", () => {
    const spans = [
      span("db", "root", 5, 9, { service: "postgres", status: { code: "ERROR", message: "boom" } }),
      span("root", null, 0, 10, { service: "frontend" }),
      span("x", "root", 1, 2, { service: "api" }),
    ];
    const tree = buildWaterfallTree(spans);
    expect(tree.root?.spanId).toBe("root");
    expect(tree.services).toEqual(["frontend", "api", "postgres"]);
    expect(tree.errorCount).toBe(1);
    expect(tree.byId.get("db")!.isError).toBe(true);
    expect(tree.totalMs).toBe(10);
  });

  it("falls back to the earliest root-level span while the root has not arrived", () => {
    const tree = buildWaterfallTree([span("late", "gone", 5, 9), span("early", "gone", 1, 20)]);
    expect(tree.root?.spanId).toBe("early");
    expect(tree.totalMs).toBe(19);
  });

  it("leaves spans whose start is unset (0) out of the trace's times, and draws them at its start without a duration", () => {
    const unset = span("unset", "root", 0, 0, { startTimeUnixNano: "0", endTimeUnixNano: "0", durationMs: 0 });
    const lateEnd = span("late-end", "root", 0, 0, { startTimeUnixNano: "0", endTimeUnixNano: ns(90_000) });
    const tree = buildWaterfallTree([span("root", null, 10, 510), unset, lateEnd]);
    expect(tree.startNanos).toBe(ns(10));
    expect(tree.endNanos).toBe(ns(510));
    expect(tree.totalMs).toBe(500);
    const node = tree.byId.get("unset")!;
    expect(node).toMatchObject({ startUnset: true, offsetMs: 0, durationMs: 0, selfMs: 0 });
    expect(tree.byId.get("late-end")).toMatchObject({ startUnset: true, offsetMs: 0, durationMs: 0 });
    expect(tree.byId.get("root")).toMatchObject({ startUnset: false, offsetMs: 0, durationMs: 500, selfMs: 500 });
    // A trace of only such spans has no times.
    const none = buildWaterfallTree([unset]);
    expect(none).toMatchObject({ startNanos: "0", endNanos: "0", totalMs: 0 });
    expect(none.nodes[0]).toMatchObject({ startUnset: true, offsetMs: 0, durationMs: 0 });
  });

  it("places events relative to the trace start", () => {
    const s = span("root", null, 0, 10, { events: [{ name: "e", timeUnixNano: ns(4), attributes: {} }] });
    expect(buildWaterfallTree([s]).nodes[0]!.eventOffsetsMs).toEqual([4]);
  });

  it("lists ancestors and expands them for a jump, keeping the set when nothing changes", () => {
    const tree = buildWaterfallTree([span("r", null, 0, 9), span("a", "r", 1, 5), span("b", "a", 2, 3)]);
    const b = tree.byId.get("b")!;
    expect(ancestorIds(b)).toEqual(["a", "r"]);
    const collapsed = new Set(["a", "r", "other"]);
    expect([...expandAncestors(collapsed, b)]).toEqual(["other"]);
    const untouched = new Set(["other"]);
    expect(expandAncestors(untouched, b)).toBe(untouched);
    expect([...collapsibleIds(tree)].sort()).toEqual(["a", "r"]);
  });
});

describe("timeTicks", () => {
  it("chooses round steps", () => {
    expect(timeTicks(0, 100, 5)).toEqual({ step: 20, ticks: [0, 20, 40, 60, 80, 100] });
    expect(timeTicks(0, 120, 5).ticks).toEqual([0, 25, 50, 75, 100]);
    expect(timeTicks(0, 1, 5).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(timeTicks(0, 4200, 6).step).toBe(1000);
  });

  it("starts at the first round value inside a zoomed window", () => {
    expect(timeTicks(13, 57, 5).ticks).toEqual([20, 30, 40, 50]);
  });

  it("steps in whole microseconds, as its labels read, over a trace of a few", () => {
    const labels = (toMs: number, maxTicks: number) => timeTicks(0, toMs, maxTicks).ticks.map(formatDuration);
    expect(labels(0.001, 6)).toEqual(["0ms", "1µs"]);
    expect(labels(0.003, 8)).toEqual(["0ms", "1µs", "2µs", "3µs"]);
    expect(labels(0.014, 6)).toEqual(["0ms", "5µs", "10µs"]);
    expect(labels(0.14, 6)).toEqual(["0ms", "25µs", "50µs", "75µs", "100µs", "125µs"]);
  });

  it("steps as a clock reads past a second", () => {
    // A 2 h 47 m trace: every 30 min, not every 2,000,000 ms (33m 20s).
    expect(timeTicks(0, 10_000_000, 6).step).toBe(30 * 60_000);
    expect(timeTicks(0, 10_000_000, 12).step).toBe(15 * 60_000);
    expect(timeTicks(0, 100_000, 6).step).toBe(30_000);
    expect(timeTicks(0, 50_000, 6).step).toBe(10_000);
    expect(timeTicks(0, 11 * 3_600_000, 6).step).toBe(2 * 3_600_000);
    expect(timeTicks(0, 30 * 3_600_000, 6).step).toBe(6 * 3_600_000);
    expect(timeTicks(0, 10 * 86_400_000, 6).step).toBe(2 * 86_400_000);
  });

  it("degrades gracefully for an empty window", () => {
    expect(timeTicks(0, 0).ticks).toEqual([0]);
  });
});

describe("timePosition", () => {
  it("gives percentages of the window, clipped to it", () => {
    expect(timePosition(25, 50, { fromMs: 0, toMs: 100 })).toEqual({ left: 25, width: 50 });
    expect(timePosition(0, 100, { fromMs: 50, toMs: 100 })).toEqual({ left: 0, width: 100 });
    expect(timePosition(200, 10, { fromMs: 0, toMs: 100 })).toEqual({ left: 100, width: 0 });
  });
});

describe("fittedTreeFraction", () => {
  it("widens the span column to the longest service and name, within 30% to 55%", () => {
    const spans = [
      span("a", null, 0, 10, { name: "GET" }),
      span("b", "a", 1, 9, { name: "POST /charge", service: "payment-service" }),
      span("c", "b", 2, 8, { name: "POST api.stripe.com", service: "payment-service" }),
    ];
    const tree = buildWaterfallTree(spans);
    // Widest: the payment service's first span, its service shown: 1 level (14 px) + 100 px of toggle,
    // dot, gaps and marks + "payment-service" (15 characters of 7 px) + 5 + "POST /charge" (12 of 7) = 308 px.
    expect(fittedTreeFraction(tree.nodes, 700)).toBeCloseTo(308 / 700, 9);
    // Measured texts decide when given.
    expect(fittedTreeFraction(tree.nodes, 1000, (text, bold) => (bold ? 200 : text.length))).toBeCloseTo(
      (14 + 100 + 200 + 5 + 12) / 1000,
      9,
    );
    expect(fittedTreeFraction(tree.nodes, 2000)).toBe(0.3);
    expect(fittedTreeFraction(tree.nodes, 300)).toBe(0.55);
    expect(fittedTreeFraction(tree.nodes, 0)).toBe(0.4);
  });

  it("makes room for a clock-skew badge, so the span's name still shows beside it", () => {
    const spans = [
      span("a", null, 0, 10, { name: "GET", kind: "CLIENT" }),
      span("b", "a", -2, 9, { name: "POST /charge", service: "payment-service", kind: "SERVER" }),
    ];
    // As above, with the badge's 120 px.
    expect(fittedTreeFraction(buildWaterfallTree(spans).nodes, 1000)).toBeCloseTo((308 + 120) / 1000, 9);
  });
});

describe("a duration label inside a bar", () => {
  // "19.7ms": 6 characters.
  const label = 6 * BAR_LABEL_CHAR_PX;

  it("starts 4 px into the bar when no event's mark is under it", () => {
    expect(insideLabelLeftPx(0, 500, [], label)).toBe(4);
    expect(insideLabelLeftPx(0, 500, [200], label)).toBe(4);
  });

  it("moves past an exception's mark that would cross it (19.7ms read as |9.7ms)", () => {
    // An exception 1.1 ms into a 19.7 ms span drawn 500 px wide: its mark 28 px in.
    expect(insideLabelLeftPx(0, 500, [28], label)).toBe(32);
    // Past each mark in its way, to the first gap wide enough.
    expect(insideLabelLeftPx(10, 500, [20, 40, 120], label)).toBe(44);
    expect(insideLabelLeftPx(10, 500, [20, 60, 120], label)).toBe(64);
    expect(insideLabelLeftPx(10, 500, [20, 60, 100], label)).toBe(104);
  });

  it("stays at the start when the bar has no room past the marks", () => {
    expect(insideLabelLeftPx(0, 60, [28], label)).toBe(4);
  });
});
