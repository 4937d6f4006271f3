/**
 * Trace ids recently evicted by retention, so that spans of such a trace arriving later (a
 * BatchSpanProcessor sends a trace's spans over seconds) are dropped instead of starting a fragment
 * that claims to be the whole trace. Bounded: the oldest ids are forgotten first. Each id is kept as
 * a 52-bit fingerprint (a number) rather than a string: ~40 bytes per id instead of ~100.
 */
export interface EvictedTraces {
  add(traceId: string): void;
  has(traceId: string): boolean;
  clear(): void;
  readonly size: number;
}

/** How many evicted ids a store remembers: enough for every trace it could hold, up to 131,072. */
export function evictedTracesCapacity(maxSpans: number): number {
  return Math.max(1024, Math.min(maxSpans, 131_072));
}

const TWO_52 = 2 ** 52;

/**
 * The id's last 13 hex digits (the random part W3C trace ids must have) plus a multiple of the
 * rest: ids that differ only in their leading digits never collide, and random ids collide with a
 * probability of about 2^-52 per lookup. Exact: every intermediate stays below 2^53.
 */
export function traceIdFingerprint(traceId: string): number {
  const low = Number.parseInt(traceId.slice(19), 16) || 0;
  const mix =
    ((Number.parseInt(traceId.slice(0, 8), 16) || 0) ^
      (Number.parseInt(traceId.slice(8, 16), 16) || 0) ^
      (Number.parseInt(traceId.slice(16, 19), 16) || 0)) >>>
    0;
  return (low + mix * 1_048_573) % TWO_52;
}

export function createEvictedTraces(capacity: number): EvictedTraces {
  const ring = new Float64Array(capacity);
  const ids = new Set<number>();
  let next = 0;
  return {
    add(traceId) {
      const fingerprint = traceIdFingerprint(traceId);
      if (ids.has(fingerprint)) return;
      if (ids.size === capacity) ids.delete(ring[next] as number);
      ring[next] = fingerprint;
      next = (next + 1) % capacity;
      ids.add(fingerprint);
    },
    has: (traceId) => ids.has(traceIdFingerprint(traceId)),
    clear() {
      ids.clear();
      next = 0;
    },
    get size() {
      return ids.size;
    },
  };
}
