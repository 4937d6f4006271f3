/**
 * The critical path: the chain of spans that decided when the root span ended (work that runs on
 * after it, such as a queue consumer's, is not on it: the request's path, as Jaeger draws it). Starting at the root,
 * the child that finished last is on it; before that child started, the child that finished last
 * before then; and so on down every level (a child running past its parent's end counts up to that
 * end). Waiting that no child covers is the parent's own time. Pure, over the waterfall tree.
 */
import type { WaterfallNode, WaterfallTree } from "./waterfall-model";

export interface CriticalPath {
  /** Span ids on the path. */
  ids: ReadonlySet<string>;
  /** Milliseconds of each path span's own time that lie on the path (time none of its path children cover). */
  ownMs: ReadonlyMap<string, number>;
}

const EMPTY: CriticalPath = { ids: new Set(), ownMs: new Map() };

const endOf = (node: WaterfallNode) => node.offsetMs + node.durationMs;

export function criticalPath(tree: WaterfallTree): CriticalPath {
  // Of several root-level spans (a root missing), the one that ended last decided the end.
  let top: WaterfallNode | null = null;
  for (const node of tree.roots) if (top === null || endOf(node) > endOf(top)) top = node;
  if (top === null) return EMPTY;
  const ids = new Set<string>();
  const ownMs = new Map<string, number>();
  // Iterative: a 10,000-deep chain must not overflow the stack.
  const stack: { node: WaterfallNode; until: number }[] = [{ node: top, until: endOf(top) }];
  while (stack.length > 0) {
    const { node, until } = stack.pop()!;
    ids.add(node.spanId);
    let cursor = Math.min(endOf(node), until);
    let covered = 0;
    const byEnd = [...node.children].sort((a, b) => endOf(b) - endOf(a));
    for (const child of byEnd) {
      if (child.offsetMs >= cursor || child.durationMs <= 0) continue;
      const from = Math.max(child.offsetMs, node.offsetMs);
      covered += Math.max(0, Math.min(endOf(child), cursor) - from);
      stack.push({ node: child, until: cursor });
      cursor = child.offsetMs;
    }
    ownMs.set(node.spanId, Math.max(0, Math.min(endOf(node), until) - node.offsetMs - covered));
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
