import type { Peer, PeerNames } from "../domain/service-map.js";
import { type CallingSpan, callPairsOf } from "../domain/trace-calls.js";

/**
 * A trace's calls (domain/trace-calls.ts callPairsOf: its edges on the service map) as of its first
 * `spans` spans: a `peer=` query passes over a trace without the call it needs by these alone.
 * Shared by every trace with the same count and calls (see keep below): never changed.
 */
export interface TraceCalls {
  readonly spans: number;
  readonly pairs: readonly string[];
}

/** A stored trace as the call cache sees it: `calls` is null until they are known. */
export interface TraceWithCalls {
  calls: TraceCalls | null;
}

/**
 * A trace's spans as pairsOf's `read` gives them: `peers`, calledPeerOf of each span, when the reader
 * knows it (see domain/trace-calls.ts PeeredSpans).
 */
export interface CallsRead {
  readonly spans: readonly CallingSpan[];
  readonly peers?: readonly (Peer | null)[];
}

/** Distinct (span count, calls) kept to share: past it the table starts again (the traces keep theirs). */
const SHARED_CALLS = 4_096;

/**
 * Each trace's calls, worked out from its spans the first time a `peer=` query needs them and again
 * once it took more spans (`pairsOf`). A store reading a trace's whole spans for something else hands
 * them to `learn`, so no query needs to read them again. Each pair's text, and each distinct (count,
 * calls), is kept once for all traces.
 */
export function createTraceCallCache(peerNames: PeerNames | undefined) {
  let texts = new Map<string, string>();
  let shared = new Map<string, TraceCalls>();

  /**
   * The shared TraceCalls for this count and these pairs. Pairs come in the order of the spans that
   * make them, the same for traces of one shape.
   */
  function keep(spans: number, pairs: readonly string[]): TraceCalls {
    const key = `${spans}\u0001${pairs.join("\u0001")}`;
    let calls = shared.get(key);
    if (calls === undefined) {
      if (shared.size >= SHARED_CALLS) shared = new Map();
      const kept = pairs.map((pair) => {
        const text = texts.get(pair);
        if (text !== undefined) return text;
        texts.set(pair, pair);
        return pair;
      });
      calls = Object.freeze({ spans, pairs: Object.freeze(kept) });
      shared.set(key, calls);
    }
    return calls;
  }

  return {
    /** A trace's whole spans, read for something else: its calls are known from them. */
    learn(trace: TraceWithCalls, spans: readonly CallingSpan[]): void {
      trace.calls = keep(spans.length, callPairsOf(spans, peerNames));
    },

    /**
     * The trace's calls, reading its spans (`read`) only when it holds `spanCount` spans and they are
     * not known.
     */
    pairsOf(trace: TraceWithCalls, spanCount: number, read: () => CallsRead): readonly string[] {
      const known = trace.calls;
      if (known !== null && known.spans === spanCount) return known.pairs;
      const { spans, peers } = read();
      const calls = keep(spanCount, callPairsOf(spans, peerNames, peers));
      trace.calls = calls;
      return calls.pairs;
    },

    clear(): void {
      texts = new Map();
      shared = new Map();
    },
  };
}

export type TraceCallCache = ReturnType<typeof createTraceCallCache>;
