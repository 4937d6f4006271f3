/**
 * The critical path: the chain of spans that decided when the root span ended (work that runs on
 * after it, such as a queue consumer's, is not on it: the request's path, as Jaeger draws it). Starting at the root,
 * the child that finished last is on it; before that child started, the child that finished last
 * before then; and so on down every level (a child running past its parent's end counts up to that
 * end). A child still running when the one after it started did not hold that one up, however late
 * it ended: of parallel calls awaited together, only the last to finish is on the path, and the
 * parent's time before it started is the parent's own. Waiting that no child covers is the parent's
 * own time. Pure, over the waterfall tree.
 *
 * One request told twice is followed through the telling that holds the work: of two SERVER /
 * CONSUMER spans of one service under the same caller that tell one request (same-request.ts: the
 * TraceKit Node SDK's Express middleware takes the caller's context, so its span sits beside the HTTP
 * instrumentation's, which has no children), the inner one counts as a child of the outer one, as on
 * the Services and Map pages. Else the outer, empty one, ending last, would hide the request's work.
 */
import { isOuterTelling, onWholeMillisecond, tellSameRequest } from "../../../../src/domain/same-request";
import type { WaterfallNode, WaterfallTree } from "./waterfall-model";

export interface CriticalPath {
  /** Span ids on the path. */
  ids: ReadonlySet<string>;
  /** Milliseconds of each path span's own time that lie on the path (time none of its path children cover). */
  ownMs: ReadonlyMap<string, number>;
}

const EMPTY: CriticalPath = { ids: new Set(), ownMs: new Map() };

const endOf = (node: WaterfallNode) => node.offsetMs + node.durationMs;
/** A span's start and end in unix milliseconds, as the stores tell a request told twice (same-request.ts reads whole milliseconds). */
const unixMsOf = (node: WaterfallNode): [number, number] => {
  const start = Number(node.span.startTimeUnixNano) / 1e6;
  return [start, start + node.durationMs];
};

/**
 * How far a child may end after the next one on the path started and still have finished before it,
 * when that one started on a whole millisecond: an SDK that starts a span on the clock's millisecond
 * (up to 1 ms early) and times its duration to the nanosecond, as OpenTelemetry JS 1.x does, has a
 * call made as soon as the one before it returned start up to (not quite) 1 ms before that one's end.
 */
const START_ROUNDING_MS = 1;

/**
 * An end this close after the next child's start is that start: offsets and durations are
 * milliseconds as floating-point numbers, and an offset plus a duration (the end less the offset) can
 * land a hair past the end it came from (1 ulp), which is no overlap. A nanosecond, the finest time OTLP has.
 */
const SAME_TIME_MS = 1e-6;

/** Pairs past this many entry spans of one service under one caller are not looked for (a fan-out). */
const MAX_TELLINGS = 64;

/**
 * Of `siblings`, the inner tellings of a request, each with the outer telling it goes under (added to
 * `under`); empty when none.
 */
function innerTellings(
  siblings: readonly WaterfallNode[],
  under: Map<WaterfallNode, WaterfallNode[]>,
): Set<WaterfallNode> {
  const moved = new Set<WaterfallNode>();
  const byService = new Map<string, WaterfallNode[]>();
  for (const node of siblings) {
    if (node.span.kind !== "SERVER" && node.span.kind !== "CONSUMER") continue;
    const list = byService.get(node.span.service);
    if (list === undefined) byService.set(node.span.service, [node]);
    else list.push(node);
  }
  for (const entries of byService.values()) {
    if (entries.length < 2 || entries.length > MAX_TELLINGS) continue;
    const outers: WaterfallNode[] = [];
    for (const node of entries) {
      const outer = outers.find((o) => tellSameRequest(...unixMsOf(o), ...unixMsOf(node)));
      if (outer === undefined) {
        outers.push(node);
        continue;
      }
      const [inner, keeper] = isOuterTelling(...unixMsOf(outer), ...unixMsOf(node)) ? [node, outer] : [outer, node];
      if (keeper !== outer) outers[outers.indexOf(outer)] = keeper;
      moved.add(inner);
      const list = under.get(keeper);
      if (list === undefined) under.set(keeper, [inner]);
      else list.push(inner);
    }
  }
  return moved;
}

export function criticalPath(tree: WaterfallTree): CriticalPath {
  // Children as the path reads them: inner tellings of a request moved under their outer telling.
  const extra = new Map<WaterfallNode, WaterfallNode[]>();
  const moved = new Map<WaterfallNode, ReadonlySet<WaterfallNode>>();
  for (const node of tree.nodes) {
    if (node.children.length < 2) continue;
    const inner = innerTellings(node.children, extra);
    if (inner.size > 0) moved.set(node, inner);
  }
  // Root-level spans are siblings when they name the same missing parent.
  const rootsMoved = new Set<WaterfallNode>();
  const rootsByParent = new Map<string | null, WaterfallNode[]>();
  for (const node of tree.roots) {
    const list = rootsByParent.get(node.span.parentSpanId);
    if (list === undefined) rootsByParent.set(node.span.parentSpanId, [node]);
    else list.push(node);
  }
  for (const siblings of rootsByParent.values()) {
    if (siblings.length > 1) for (const node of innerTellings(siblings, extra)) rootsMoved.add(node);
  }
  const childrenOf = (node: WaterfallNode): readonly WaterfallNode[] => {
    const away = moved.get(node);
    const own = away === undefined ? node.children : node.children.filter((child) => !away.has(child));
    const added = extra.get(node);
    return added === undefined ? own : [...own, ...added];
  };
  // Of several root-level spans (a root missing), the one that ended last decided the end.
  let top: WaterfallNode | null = null;
  for (const node of tree.roots) {
    if (!rootsMoved.has(node) && (top === null || endOf(node) > endOf(top))) top = node;
  }
  if (top === null) return EMPTY;
  const ids = new Set<string>();
  const ownMs = new Map<string, number>();
  // Iterative: a 10,000-deep chain must not overflow the stack.
  const stack: { node: WaterfallNode; until: number }[] = [{ node: top, until: endOf(top) }];
  while (stack.length > 0) {
    const { node, until } = stack.pop()!;
    ids.add(node.spanId);
    const end = Math.min(endOf(node), until);
    // The time the next child on the path must have finished by: first the parent's end (a child
    // running past it is cut there), then the start of the child last put on the path.
    let cursor = end;
    let slack = 0;
    let covered = 0;
    // By end, latest first; of equal ends the earlier start, which covers more of the parent's waiting.
    const byEnd = [...childrenOf(node)].sort((a, b) => endOf(b) - endOf(a) || a.offsetMs - b.offsetMs);
    for (const child of byEnd) {
      if (child.offsetMs >= cursor || child.durationMs <= 0) continue;
      // Still running when the child after it started (beyond that one's start rounding): it ran beside
      // that one, which did not wait for it.
      const late = Math.min(endOf(child), end) - cursor;
      if (late > SAME_TIME_MS && late >= slack) continue;
      const from = Math.max(child.offsetMs, node.offsetMs);
      covered += Math.max(0, Math.min(endOf(child), cursor) - from);
      stack.push({ node: child, until: cursor });
      cursor = child.offsetMs;
      slack = onWholeMillisecond(unixMsOf(child)[0]) ? START_ROUNDING_MS : 0;
    }
    ownMs.set(node.spanId, Math.max(0, end - node.offsetMs - covered));
  }
  return { ids, ownMs };
}

/** Each span's self time as a share (0–1) of the largest self time in the trace, for colouring. */
export function selfTimeShares(tree: WaterfallTree): ReadonlyMap<string, number> {
  let max = 0;
  for (const node of tree.nodes) if (node.selfMs > max) max = node.selfMs;
  const shares = new Map<string, number>();
  for (const node of tree.nodes) shares.set(node.spanId, max > 0 ? node.selfMs / max : 0);
  return shares;
}
