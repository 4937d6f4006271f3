/**
 * Two runs of the same request side by side: span trees aligned by service and step (a span's label
 * with its ids templated), under aligned parents and in order among siblings, with duration deltas and
 * the spans one run has and the other lacks. Pure, over two waterfall trees.
 */
import { operationOf } from "../../../../src/domain/operation";
import { spanLabel } from "../../../../src/domain/span-label";
import { ID_PLACEHOLDER, routeNameOf, templatePath } from "../../../../src/domain/trace-name";
import type { TraceSummaryJson } from "../../../../src/protocol";
import { formatDuration } from "../../lib/format";
import type { WaterfallNode, WaterfallTree } from "../trace-view/waterfall-model";

export type Change = "same" | "slower" | "faster" | "added" | "missing";

export interface CompareRow {
  /** Unique per row: the aligned path plus occurrence numbers. */
  key: string;
  depth: number;
  /** The span in the first (baseline) trace, or null when only the second has it ("added"). */
  a: WaterfallNode | null;
  /** The span in the second trace, or null when only the first has it ("missing"). */
  b: WaterfallNode | null;
  /** b's duration minus a's, when both have the span. */
  deltaMs: number | null;
  change: Change;
  /** Failed in b but not in a ("new"), or the other way ("fixed"). */
  errorChange: "new" | "fixed" | null;
}

export interface Comparison {
  rows: CompareRow[];
  /** How many rows of each change: they add up to the rows (`same`: spans in both, changed less than SAME_WITHIN). */
  totals: { deltaMs: number; added: number; missing: number; slower: number; faster: number; same: number };
}

/**
 * A change smaller than the larger of these (5% of the baseline's duration, 0.1 ms) is timing noise:
 * the span counts as about the same. Both the summary and each such row say so.
 */
export const SAME_WITHIN = { ratio: 0.05, minMs: 0.1 } as const;

/** The rule above in words, for the page: "within 5% of A's duration or 100µs". */
export const SAME_WITHIN_TEXT = `within ${SAME_WITHIN.ratio * 100}% of A's duration or ${formatDuration(SAME_WITHIN.minMs)}`;

/** The change below which a span of `aMs` in A counts as about the same. */
export function sameThresholdMs(aMs: number): number {
  return Math.max(SAME_WITHIN.minMs, aMs * SAME_WITHIN.ratio);
}

function changeOf(aMs: number, bMs: number): Change {
  const threshold = sameThresholdMs(aMs);
  if (bMs - aMs > threshold) return "slower";
  if (aMs - bMs > threshold) return "faster";
  return "same";
}

/**
 * What makes two spans "the same step": the service and what the row calls it (span-label.ts, whole),
 * its path's ids templated (trace-name.ts's templatePath): two runs of one route ask for other ids,
 * `GET /orders/1` and `GET /orders/2`, `GET 10.0.0.5:7301/inventory/1` and `…/inventory/2`.
 */
function stepKey(node: WaterfallNode): string {
  return `${node.span.service}\u0000${templatePath(spanLabel(node.span))}`;
}

/**
 * A step told by one instrumentation: a request told twice (the TraceKit Node SDK's Express middleware
 * span beside the HTTP instrumentation's, both named `GET /items/:id` on their rows) pairs each telling
 * with its like, whichever of the two started first in each run (their starts often tie to the
 * millisecond), so the spans under them pair too.
 */
function toldKey(node: WaterfallNode): string {
  return `${stepKey(node)}\u0000${node.span.scope.name}`;
}

/**
 * A looser likeness, for the children one run's steps leave unpaired: the service, the kind and the
 * operation (operation.ts: a server span's route, a call's method and peer, any other span's name),
 * so a call to the same service whose path holds an id templatePath cannot tell (a slug) still pairs,
 * in order; spans with other names stay apart.
 */
function looseKey(node: WaterfallNode): string {
  const operation = operationOf(node.span);
  return `${node.span.service}\u0000${node.span.kind}\u0000${operation.name}\u0000${operation.peer ?? ""}`;
}

function pairRow(a: WaterfallNode | null, b: WaterfallNode | null, depth: number, key: string): CompareRow {
  const errorChange =
    a && b && a.isError !== b.isError ? (b.isError ? "new" : "fixed") : b?.isError && !a ? "new" : null;
  if (a && b) {
    return {
      key,
      depth,
      a,
      b,
      deltaMs: b.durationMs - a.durationMs,
      change: changeOf(a.durationMs, b.durationMs),
      errorChange,
    };
  }
  return { key, depth, a, b, deltaMs: null, change: a ? "missing" : "added", errorChange };
}

/**
 * The children of an aligned pair, aligned: the n-th child of a step told by one instrumentation
 * (toldKey) in one run goes with the n-th such child in the other; then, of the children left, the
 * n-th of a step (stepKey) with the n-th, and the n-th of a looser likeness (looseKey) with the n-th.
 * Ordered by start within the run that has them.
 */
function alignChildren(
  a: WaterfallNode | null,
  b: WaterfallNode | null,
): [WaterfallNode | null, WaterfallNode | null][] {
  const fromA = a?.children ?? [];
  const fromB = b?.children ?? [];
  const pairs: [WaterfallNode | null, WaterfallNode | null][] = fromB.map((child) => [null, child]);
  const paired = new Set<WaterfallNode>();
  for (const keyOf of [toldKey, stepKey, looseKey]) {
    const waiting = new Map<string, WaterfallNode[]>();
    for (const child of fromA) {
      if (paired.has(child)) continue;
      const key = keyOf(child);
      const list = waiting.get(key);
      if (list) list.push(child);
      else waiting.set(key, [child]);
    }
    for (const pair of pairs) {
      if (pair[0] !== null) continue;
      const match = waiting.get(keyOf(pair[1]!))?.shift();
      if (match === undefined) continue;
      pair[0] = match;
      paired.add(match);
    }
  }
  for (const child of fromA) if (!paired.has(child)) pairs.push([child, null]);
  const startOf = ([x, y]: [WaterfallNode | null, WaterfallNode | null]) => (y ?? x)!.offsetMs;
  return pairs.sort((p, q) => startOf(p) - startOf(q));
}

/** Aligns two traces' span trees, first (baseline) against second, roots paired whatever their names. */
export function compareTraces(first: WaterfallTree, second: WaterfallTree): Comparison {
  const rows: CompareRow[] = [];
  const totals = { deltaMs: second.totalMs - first.totalMs, added: 0, missing: 0, slower: 0, faster: 0, same: 0 };
  const rootPairs: [WaterfallNode | null, WaterfallNode | null][] =
    first.root || second.root ? [[first.root, second.root]] : [];
  // Root-level spans besides the roots (parents missing) are aligned like children of one root.
  const rest = alignChildren(
    { children: first.roots.filter((n) => n !== first.root) } as WaterfallNode,
    { children: second.roots.filter((n) => n !== second.root) } as WaterfallNode,
  );
  // Iterative pre-order: a 10,000-deep chain must not overflow the stack.
  const stack: { pair: [WaterfallNode | null, WaterfallNode | null]; depth: number; key: string }[] = [];
  const pushAll = (pairs: [WaterfallNode | null, WaterfallNode | null][], depth: number, parentKey: string) => {
    const seen = new Map<string, number>();
    const items = pairs.map((pair) => {
      const step = stepKey((pair[1] ?? pair[0])!);
      const n = (seen.get(step) ?? 0) + 1;
      seen.set(step, n);
      return { pair, depth, key: `${parentKey}\u0001${step}#${n}${pair[0] && pair[1] ? "" : pair[0] ? "-" : "+"}` };
    });
    for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]!);
  };
  pushAll([...rootPairs, ...rest], 0, "");
  while (stack.length > 0) {
    const { pair, depth, key } = stack.pop()!;
    const row = pairRow(pair[0], pair[1], depth, key);
    rows.push(row);
    if (row.change === "added") totals.added++;
    else if (row.change === "missing") totals.missing++;
    else if (row.change === "slower") totals.slower++;
    else if (row.change === "faster") totals.faster++;
    else totals.same++;
    pushAll(alignChildren(pair[0], pair[1]), depth + 1, key);
  }
  return { rows, totals };
}

/**
 * What a row is called: its span's service and label, or, when it pairs two spans that differ (the
 * roots of two different operations, paired whatever their names), A's and then B's.
 */
export function rowNames(row: Pick<CompareRow, "a" | "b">): { service: string; label: string }[] {
  const nodes = row.a && row.b && stepKey(row.a) !== stepKey(row.b) ? [row.a, row.b] : [(row.b ?? row.a)!];
  return nodes.map((node) => ({ service: node.span.service, label: node.label }));
}

/**
 * A change as a share of the baseline: "+31%", "−0.3%" (below 1% to one significant digit, so a real
 * change never reads "−0%"); "" without a baseline or a change.
 */
export function percentChange(deltaMs: number, baseMs: number): string {
  if (!(baseMs > 0) || deltaMs === 0) return "";
  const percent = (Math.abs(deltaMs) / baseMs) * 100;
  return `${deltaMs > 0 ? "+" : "−"}${percent >= 1 ? percent.toFixed(0) : percent.toPrecision(1)}%`;
}

/** "+12.0ms" / "−3.1ms" / "±0". */
export function signed(ms: number): string {
  if (ms === 0) return "±0";
  return `${ms > 0 ? "+" : "−"}${formatDuration(Math.abs(ms))}`;
}

/**
 * The operation a trace runs, from the name it is listed under: a method-and-path name with its ids
 * templated (`GET /items/1020` → `GET /items/:id`, as the Services page groups requests), so runs of
 * one route with other ids are runs of the same operation; any other name as it is.
 */
export function operationNameOf(traceName: string): string {
  return routeNameOf(traceName, {});
}

/**
 * The trace list's `name` filter (text in the name) that finds the runs of a trace's operation: the
 * longest part of the operation's name between its ids (`GET /items/` for `GET /items/:id`).
 */
export function operationNameFilter(traceName: string): string {
  const parts = operationNameOf(traceName).split(ID_PLACEHOLDER);
  return parts.reduce((longest, part) => (part.length > longest.length ? part : longest), "");
}

/**
 * The trace of the same operation (same operation name, see operationNameOf, and root service) that
 * started last before `current`, among `candidates` (a trace list page); null when none did.
 */
export function previousRun(
  candidates: readonly TraceSummaryJson[],
  current: Pick<TraceSummaryJson, "traceId" | "name" | "service" | "startTimeUnixNano">,
): TraceSummaryJson | null {
  const start = BigInt(current.startTimeUnixNano);
  const operation = operationNameOf(current.name);
  let best: TraceSummaryJson | null = null;
  for (const trace of candidates) {
    if (trace.traceId === current.traceId || trace.service !== current.service) continue;
    if (trace.name !== current.name && operationNameOf(trace.name) !== operation) continue;
    const at = BigInt(trace.startTimeUnixNano);
    if (at >= start) continue;
    if (best === null || at > BigInt(best.startTimeUnixNano)) best = trace;
  }
  return best;
}

/**
 * When the root spans differ by another amount than the whole traces (work that goes on after the
 * request answered, such as a queue consumer's, counts in a trace's length but not in its root's), the
 * roots' difference too, so the summary and the root row do not seem to disagree.
 */
export function rootNote(treeA: WaterfallTree, treeB: WaterfallTree, totalDeltaMs: number): string {
  const a = treeA.root;
  const b = treeB.root;
  if (a === null || b === null) return "";
  const rootDelta = b.durationMs - a.durationMs;
  if (Math.abs(rootDelta - totalDeltaMs) < Math.max(1, 0.05 * Math.abs(totalDeltaMs))) return "";
  return ` (root spans ${rootDelta >= 0 ? "+" : "−"}${formatDuration(Math.abs(rootDelta))})`;
}

/** A trace id as the compare address takes it: 32 hexadecimal digits, either case. */
export const TRACE_ID = /^[0-9a-f]{32}$/i;

/**
 * What is wrong with a compare address's ids (`?a=…&b=…`), for the help it shows instead: which id is
 * missing and which is not a trace id ("; the second trace id (b) is missing"); "" when neither was
 * given (the page was opened bare) or both are trace ids.
 */
export function compareAddressNote(a: unknown, b: unknown): string {
  if ((a === undefined || a === "") && (b === undefined || b === "")) return "";
  const problems: string[] = [];
  for (const [value, which] of [
    [a, "the first trace id (a)"],
    [b, "the second trace id (b)"],
  ] as const) {
    if (value === undefined || value === "") problems.push(`${which} is missing`);
    else if (typeof value !== "string" || !TRACE_ID.test(value)) problems.push(`${which} is not 32 hexadecimal digits`);
  }
  return problems.length === 0 ? "" : `; ${problems.join(" and ")}`;
}
