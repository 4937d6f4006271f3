import type { PeerNames } from "../domain/service-map.js";
import { type CallingSpan, callPairsOf } from "../domain/trace-calls.js";

/**
 * A trace's calls (domain/trace-calls.ts callPairsOf: its edges on the service map) as of its first
 * `spans` spans: a `peer=` query passes over a trace without the call it needs by these alone.
 */
export interface TraceCalls {
  spans: number;
  pairs: readonly string[];
}

/** A stored trace as the call cache sees it: `calls` is null until a `peer=` query first needs them. */
export interface TraceWithCalls {
  calls: TraceCalls | null;
}

/**
 * Each trace's calls, worked out from its spans the first time a `peer=` query needs them and again
 * once it took more spans; each pair's text is kept once for all traces.
 */
export function createTraceCallCache(peerNames: PeerNames | undefined) {
  let texts = new Map<string, string>();
  return {
    /** The trace's calls, reading its spans (`read`) only when it holds `spanCount` spans and they are not known. */
    pairsOf(trace: TraceWithCalls, spanCount: number, read: () => readonly CallingSpan[]): readonly string[] {
      const known = trace.calls;
      if (known !== null && known.spans === spanCount) return known.pairs;
      const pairs = callPairsOf(read(), peerNames).map((pair) => {
        const kept = texts.get(pair);
        if (kept !== undefined) return kept;
        texts.set(pair, pair);
        return pair;
      });
      trace.calls = { spans: spanCount, pairs };
      return pairs;
    },
    clear(): void {
      texts = new Map();
    },
  };
}
