/**
 * The waterfall's row model: a pure function of (spans, collapsed ids), after Jaeger's timeline.
 * The tree is built once per span set (sorting makes it O(n log n)); collapsing only skips
 * contiguous pre-order ranges, so toggling a node costs O(visible rows).
 */

import { spanLabel } from "../../../../src/domain/span-label";
import type { SpanJson } from "../../../../src/protocol";
import { spanNumbersOf } from "../../api/compact-trace";
import { isUnsetTime, nanosDiffMs } from "../../lib/format";
import { clipText } from "../../lib/long-text";
import { clockSkewOf } from "./clock-skew";
import { isGenAiSpan } from "./genai";

/** Why a span sits at root level although it names a parent. */
export type ParentIssue = "missing" | "cycle" | null;

export interface WaterfallNode {
  span: SpanJson;
  spanId: string;
  /**
   * What the row calls the span: its name, or method plus route or host for a span named just "GET"
   * (span-label.ts); cut to a row's worth (lib/long-text.ts), the details show all of it.
   */
  label: string;
  /** Position in the fully expanded pre-order (parents before children, children by start). */
  index: number;
  parent: WaterfallNode | null;
  children: WaterfallNode[];
  depth: number;
  hasChildren: boolean;
  /** Every span below this one, at any depth. */
  descendantCount: number;
  /** Milliseconds from the trace start to this span's start. */
  offsetMs: number;
  durationMs: number;
  /**
   * Its start is unset (0, OTLP's "no time"): it places nothing in time, so it takes no part in the
   * trace's times and is drawn without a bar, at the trace's start with no duration.
   */
  startUnset: boolean;
  /** Duration minus the union of the children's intervals (clipped to this span). */
  selfMs: number;
  /** Milliseconds from the trace start, one per event, in event order. */
  eventOffsetsMs: number[];
  isError: boolean;
  /** A GenAI (LLM) call: the row carries a mark. */
  isLlm: boolean;
  parentIssue: ParentIssue;
  /** A second span with an id already seen; shown, but children attach to the first. */
  duplicate: boolean;
}

export interface WaterfallTree {
  /** Every node in pre-order. */
  nodes: WaterfallNode[];
  /** First node per span id. */
  byId: Map<string, WaterfallNode>;
  roots: WaterfallNode[];
  /** The real root (no parent id) if one arrived, else the earliest root-level node. */
  root: WaterfallNode | null;
  /** The earliest start and latest start or end of the spans with a start; "0" both when none has one. */
  startNanos: string;
  endNanos: string;
  totalMs: number;
  /** Service names in tree order of first appearance. */
  services: string[];
  errorCount: number;
}

const NO_OFFSETS: number[] = [];
/** The children of a node without any until the tree is built (frozen: one array for all of them). */
const NO_CHILDREN = Object.freeze([]) as unknown as WaterfallNode[];

const EMPTY_TREE: WaterfallTree = {
  nodes: [],
  byId: new Map(),
  roots: [],
  root: null,
  startNanos: "0",
  endNanos: "0",
  totalMs: 0,
  services: [],
  errorCount: 0,
};

/** Compares non-negative decimal strings without BigInt (no leading zeros expected, tolerated). */
function compareDecimal(a: string, b: string): number {
  const x = a.length > 1 && a[0] === "0" ? a.replace(/^0+(?=\d)/, "") : a;
  const y = b.length > 1 && b[0] === "0" ? b.replace(/^0+(?=\d)/, "") : b;
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function safeDiffMs(from: string, to: string): number {
  try {
    return nanosDiffMs(from, to);
  } catch {
    return 0; // a malformed time must not take the whole page down
  }
}

/** Low digits that still fit a double exactly (< 2^53), so most diffs need no BigInt. */
const LOW_DIGITS = 15;

/**
 * Milliseconds from `base` for many timestamps of one trace. Timestamps that share `base`'s high
 * digits (a window of about 11 days) are subtracted as plain numbers, exactly; others go through
 * `nanosDiffMs`. This keeps a 10,000-span trace from parsing 20,000 BigInts.
 */
function offsetsFrom(base: string): (nanos: string) => number {
  if (base.length <= LOW_DIGITS) return (nanos) => safeDiffMs(base, nanos);
  const high = base.slice(0, base.length - LOW_DIGITS);
  const low = Number(base.slice(base.length - LOW_DIGITS));
  return (nanos) => {
    if (nanos.length === base.length && nanos.startsWith(high)) {
      const value = Number(nanos.slice(high.length));
      if (Number.isSafeInteger(value)) return (value - low) / 1e6;
    }
    return safeDiffMs(base, nanos);
  };
}

function byStart(a: WaterfallNode, b: WaterfallNode): number {
  return a.offsetMs - b.offsetMs || a.index - b.index;
}

/** Builds the span tree once per span set; never throws on cycles, orphans or duplicate ids. */
export function buildWaterfallTree(spans: readonly SpanJson[]): WaterfallTree {
  if (spans.length === 0) return EMPTY_TREE;
  // The compact answer's numbers, when it gave them: the same values as the strings give.
  const times = spanNumbersOf(spans);
  let startNanos: string;
  let endNanos: string;
  if (times) {
    startNanos = times.startNanos;
    endNanos = times.endNanos;
  } else {
    // Of the spans with a start only: one "started" in 1970 made the ruler span 56 years.
    let first: string | null = null;
    let last: string | null = null;
    for (const span of spans) {
      const start = span.startTimeUnixNano;
      if (isUnsetTime(start)) continue;
      if (first === null || compareDecimal(start, first) < 0) first = start;
      if (last === null || compareDecimal(span.endTimeUnixNano, last) > 0) last = span.endTimeUnixNano;
      if (compareDecimal(start, last) > 0) last = start;
    }
    startNanos = first ?? "0";
    endNanos = last ?? "0";
  }

  const nodes: WaterfallNode[] = new Array(spans.length);
  const byId = new Map<string, WaterfallNode>();
  let errorCount = 0;
  const offsetOf = offsetsFrom(startNanos);
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const startUnset = isUnsetTime(span.startTimeUnixNano);
    const offsetMs = startUnset ? 0 : times ? times.starts[i]! / 1e6 : offsetOf(span.startTimeUnixNano);
    const endMs = startUnset ? 0 : times ? times.ends[i]! / 1e6 : offsetOf(span.endTimeUnixNano);
    const durationMs = Math.max(0, endMs - offsetMs);
    const isError = span.status.code === "ERROR";
    if (isError) errorCount++;
    const node: WaterfallNode = {
      span,
      spanId: span.spanId,
      label: clipText(spanLabel(span)),
      index: i, // input order until the pre-order walk renumbers it; keeps sorting stable
      parent: null,
      children: NO_CHILDREN,
      depth: 0,
      hasChildren: false,
      descendantCount: 0,
      offsetMs,
      durationMs,
      startUnset,
      selfMs: durationMs,
      eventOffsetsMs: span.events.length === 0 ? NO_OFFSETS : span.events.map((event) => offsetOf(event.timeUnixNano)),
      isError,
      isLlm: isGenAiSpan(span.attributes),
      parentIssue: null,
      duplicate: byId.has(span.spanId),
    };
    if (!node.duplicate) byId.set(span.spanId, node);
    nodes[i] = node;
  }

  // Tentative parent links straight from the data (by input index), the children in each node's
  // `children`; cycles are broken below, and the walk keeps only the children it places.
  // The first node with the parent's id: the one the answer names by place, unless that is a duplicate.
  const parentOf = (i: number, parentId: string): WaterfallNode | undefined => {
    const place = times ? times.parents[i]! : -1;
    const named = place >= 0 ? nodes[place] : undefined;
    return named !== undefined && !named.duplicate ? named : byId.get(parentId);
  };
  const tentativeParent: (WaterfallNode | undefined)[] = new Array(nodes.length);
  const roots: WaterfallNode[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const parentId = node.span.parentSpanId;
    if (!parentId) {
      roots.push(node);
      continue;
    }
    const parent = parentId === node.spanId ? undefined : parentOf(i, parentId);
    if (parent === undefined) {
      node.parentIssue = parentId === node.spanId ? "cycle" : "missing";
      roots.push(node);
      continue;
    }
    tentativeParent[i] = parent;
    if (parent.children === NO_CHILDREN) parent.children = [node];
    else parent.children.push(node);
  }

  // Whatever the roots cannot reach hangs off a cycle: cut each cycle at one of its nodes.
  const reached = new Uint8Array(nodes.length);
  let reachedCount = 0;
  const markReached = (from: WaterfallNode) => {
    const stack = [from];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (reached[node.index]) continue;
      reached[node.index] = 1;
      reachedCount++;
      for (const child of node.children) stack.push(child);
    }
  };
  for (const root of roots) markReached(root);
  if (reachedCount < nodes.length) {
    for (const node of nodes) {
      if (reached[node.index]) continue;
      const seen = new Set<WaterfallNode>();
      let cursor = node;
      while (!seen.has(cursor)) {
        seen.add(cursor);
        cursor = tentativeParent[cursor.index]!; // unreached nodes always have a parent
      }
      cursor.parentIssue = "cycle";
      roots.push(cursor);
      markReached(cursor);
    }
  }

  // Spans mostly come in start order, and so do their siblings: sort only the lists that are not.
  sortByStart(roots);
  for (const node of nodes) if (node.children.length > 1) sortByStart(node.children);

  // Iterative pre-order walk: a 10k-deep chain must not overflow the stack. Indexes stay the input's
  // until the walk ends (`placed` is by them).
  const order: WaterfallNode[] = [];
  const placed = new Uint8Array(nodes.length);
  const services: string[] = [];
  const seenServices = new Set<string>();
  const stack: WaterfallNode[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i]!);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (placed[node.index]) continue;
    placed[node.index] = 1;
    order.push(node);
    if (!seenServices.has(node.span.service)) {
      seenServices.add(node.span.service);
      services.push(node.span.service);
    }
    let children = node.children;
    if (children.some((child) => placed[child.index] || child.parentIssue === "cycle")) {
      children = children.filter((child) => !placed[child.index] && child.parentIssue !== "cycle");
    }
    node.children = children;
    node.hasChildren = children.length > 0;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i]!;
      child.parent = node;
      child.depth = node.depth + 1;
      stack.push(child);
    }
  }

  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    node.index = i;
    if (node.parent) node.parent.descendantCount += node.descendantCount + 1;
    node.selfMs = selfTime(node);
  }

  const root = roots.find((node) => !node.span.parentSpanId) ?? roots[0] ?? null;
  return {
    nodes: order,
    byId,
    roots,
    root,
    startNanos,
    endNanos,
    totalMs: safeDiffMs(startNanos, endNanos),
    services,
    errorCount,
  };
}

/** Sorts `list` by start, ties in input order, unless it is so already (one pass). */
function sortByStart(list: WaterfallNode[]): void {
  for (let i = 1; i < list.length; i++) {
    if (byStart(list[i - 1]!, list[i]!) > 0) {
      list.sort(byStart);
      return;
    }
  }
}

/** Duration not covered by any child (children are sorted by start, so one sweep merges them). */
function selfTime(node: WaterfallNode): number {
  const start = node.offsetMs;
  const end = node.offsetMs + node.durationMs;
  let covered = 0;
  let coveredUntil = start;
  for (const child of node.children) {
    const from = Math.max(child.offsetMs, coveredUntil);
    const to = Math.min(child.offsetMs + child.durationMs, end);
    if (to > from) {
      covered += to - from;
      coveredUntil = to;
    }
  }
  return Math.max(0, node.durationMs - covered);
}

/** The span column's share of the waterfall before its width is known. */
export const DEFAULT_TREE_FRACTION = 0.4;
const MIN_TREE_FRACTION = 0.3;
const MAX_TREE_FRACTION = 0.55;

/** A text's width in px at the rows' font (bold for the service); by default 7 px a character. */
export type MeasureText = (text: string, bold: boolean) => number;

const estimateText: MeasureText = (text) => text.length * 7;

/** A row's width besides its texts: padding, the toggle with its child count, the dot, gaps, and room for a log mark. */
const ROW_CHROME_PX = 100;

/**
 * The span column's share of a waterfall `width` px wide that shows every row's service and name
 * whole (with the indent, the toggle and the marks), between 30% and 55% so the timeline keeps room.
 */
export function fittedTreeFraction(
  nodes: readonly WaterfallNode[],
  width: number,
  measure: MeasureText = estimateText,
): number {
  return treeFractionFor(widestTreeRow(nodes, measure), width);
}

/** The span column's share that gives `need` px (see widestTreeRow) in a waterfall `width` px wide. */
export function treeFractionFor(need: number, width: number): number {
  if (!(width > 0)) return DEFAULT_TREE_FRACTION;
  return Math.min(MAX_TREE_FRACTION, Math.max(MIN_TREE_FRACTION, need / width));
}

/** The px the widest row's service and name need in the span column, with its indent and marks. */
export function widestTreeRow(nodes: readonly WaterfallNode[], measure: MeasureText = estimateText): number {
  let need = 0;
  for (const node of nodes) {
    const showService = node.parent === null || node.parent.span.service !== node.span.service;
    const marks =
      (node.isError ? 20 : 0) + (node.isLlm ? 34 : 0) + (node.parentIssue ? 90 : 0) + (clockSkewOf(node) ? 120 : 0);
    const px =
      Math.min(node.depth, 40) * 14 +
      ROW_CHROME_PX +
      (showService ? measure(node.span.service, true) + 5 : 0) +
      measure(node.label, false) +
      marks;
    if (px > need) need = px;
  }
  return need;
}

/** The rows on screen: pre-order, skipping the subtree of every collapsed node. */
export function visibleRows(tree: WaterfallTree, collapsedIds: ReadonlySet<string>): WaterfallNode[] {
  if (collapsedIds.size === 0) return tree.nodes;
  const rows: WaterfallNode[] = [];
  const { nodes } = tree;
  let i = 0;
  while (i < nodes.length) {
    const node = nodes[i]!;
    rows.push(node);
    i += node.hasChildren && collapsedIds.has(node.spanId) ? node.descendantCount + 1 : 1;
  }
  return rows;
}

/** The whole pipeline in one call: what the waterfall shows for these spans and collapsed ids. */
export function buildWaterfallRows(spans: readonly SpanJson[], collapsedIds: ReadonlySet<string>): WaterfallNode[] {
  return visibleRows(buildWaterfallTree(spans), collapsedIds);
}

/** Span ids of every ancestor of `node`, nearest first. */
export function ancestorIds(node: WaterfallNode | null | undefined): string[] {
  const ids: string[] = [];
  for (let cursor = node?.parent; cursor; cursor = cursor.parent) ids.push(cursor.spanId);
  return ids;
}

/** The collapsed set with every ancestor of `node` expanded; the same set when nothing changes. */
export function expandAncestors(
  collapsedIds: ReadonlySet<string>,
  node: WaterfallNode | null | undefined,
): ReadonlySet<string> {
  if (collapsedIds.size === 0) return collapsedIds;
  const ancestors = ancestorIds(node).filter((id) => collapsedIds.has(id));
  if (ancestors.length === 0) return collapsedIds;
  const next = new Set(collapsedIds);
  for (const id of ancestors) next.delete(id);
  return next;
}

/** Ids of every node that has children ("Collapse all"). */
export function collapsibleIds(tree: WaterfallTree): Set<string> {
  const ids = new Set<string>();
  for (const node of tree.nodes) if (node.hasChildren) ids.add(node.spanId);
  return ids;
}

export interface TimeTicks {
  step: number;
  ticks: number[];
}

/**
 * Round tick positions for a time window, at most about `maxTicks` of them: 1, 2, 2.5, 5 × 10^k ms
 * up to a second, then steps a clock reads (1, 2, 5, 10, 15, 30 s and min; 1, 2, 3, 6, 12 h; days),
 * so a 2-hour trace is marked every 30 min, not every 2,000,000 ms (33m 20s).
 * Steps are whole microseconds, as the labels are: finer ones read "1µs 1µs 1µs" over a trace of a
 * few microseconds, and 2.5µs steps "3µs 5µs 8µs".
 */
export function timeTicks(fromMs: number, toMs: number, maxTicks = 6): TimeTicks {
  const span = toMs - fromMs;
  if (!Number.isFinite(span) || span <= 0 || maxTicks < 1) return { step: 0, ticks: [Math.max(0, fromMs || 0)] };
  const raw = span / maxTicks;
  const step = raw > 1000 ? clockStep(raw) : decimalStep(raw);
  const ticks: number[] = [];
  const first = Math.ceil(fromMs / step - 1e-9) * step;
  for (let k = 0; ; k++) {
    // Multiplying (not adding) keeps 0.1 + 0.2-style drift out of the labels.
    const tick = round(first + k * step);
    if (tick > toMs + step * 1e-9) break;
    ticks.push(tick);
  }
  return { step, ticks };
}

function decimalStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 2.5, 5, 10]) {
    const candidate = magnitude * factor;
    if (candidate >= raw && isWholeMicroseconds(candidate)) return candidate;
  }
  return Math.max(magnitude * 10, MICROSECOND_MS);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const CLOCK_STEPS = [1, 2, 5, 10, 15, 30]
  .map((n) => n * SECOND)
  .concat(
    [1, 2, 5, 10, 15, 30].map((n) => n * MINUTE),
    [1, 2, 3, 6, 12, 24].map((n) => n * HOUR),
  );

/** The smallest step a clock reads that is at least `raw` ms; past a day, 1, 2, 5 × 10^k days. */
function clockStep(raw: number): number {
  const step = CLOCK_STEPS.find((candidate) => candidate >= raw);
  if (step !== undefined) return step;
  const days = raw / DAY;
  const magnitude = 10 ** Math.floor(Math.log10(days));
  const factor = [1, 2, 5, 10].find((f) => magnitude * f >= days) ?? 10;
  return magnitude * factor * DAY;
}

const MICROSECOND_MS = 0.001;

function isWholeMicroseconds(ms: number): boolean {
  const micros = ms / MICROSECOND_MS;
  return micros >= 1 - 1e-9 && Math.abs(micros - Math.round(micros)) < 1e-6;
}

function round(value: number): number {
  return Number(value.toPrecision(12));
}

/** The part of the trace the timeline shows, in milliseconds from the trace start. */
export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

/** Where a bar sits in a time window, as percentages of its width, clipped to the window. */
export function timePosition(
  offsetMs: number,
  durationMs: number,
  window: TimeWindow,
): { left: number; width: number } {
  const length = window.toMs - window.fromMs;
  if (!(length > 0)) return { left: 0, width: 0 };
  const clamp = (value: number) => Math.min(100, Math.max(0, value));
  const left = clamp(((offsetMs - window.fromMs) / length) * 100);
  const right = clamp(((offsetMs + durationMs - window.fromMs) / length) * 100);
  return { left, width: right - left };
}

/**
 * A rough width per character of a bar's duration label, only where no canvas measures it (the page
 * measures each label in its font): short of narrow labels ("100ms" is 37.5 px in Chromium, not 32.5).
 */
export const BAR_LABEL_CHAR_PX = 6.5;
/** How far a label inside a bar keeps from its start, and from an event's mark (2 px, a 1 px halo). */
const LABEL_INSET_PX = 4;

/**
 * Where a duration label inside a bar starts, in px from the timeline's left edge, given the bar's
 * edges and its events' marks (px) and the label's width: 4 px into the bar, or, where a mark would
 * cross it there (an exception 1 ms into a 19.7 ms span reads "|9.7ms"), 4 px past a mark, at the
 * first such place where it fits inside the bar without touching a mark; 4 px in when none has room.
 */
export function insideLabelLeftPx(
  barLeftPx: number,
  barRightPx: number,
  marksPx: readonly number[],
  labelPx: number,
): number {
  const start = barLeftPx + LABEL_INSET_PX;
  const marks = marksPx.filter((x) => x >= barLeftPx && x <= barRightPx).sort((a, b) => a - b);
  const clear = (left: number) =>
    left + labelPx <= barRightPx - 2 &&
    marks.every((x) => x + LABEL_INSET_PX - 1 <= left || x - LABEL_INSET_PX + 1 >= left + labelPx);
  for (const left of [start, ...marks.map((x) => x + LABEL_INSET_PX)]) {
    if (left >= start && clear(left)) return left;
  }
  return start;
}
