/**
 * Trace ids recently evicted by retention, so that spans of such a trace arriving later (a
 * BatchSpanProcessor sends a trace's spans over seconds) are dropped instead of starting a fragment
 * that claims to be the whole trace. Bounded: the oldest ids are forgotten first. Each id is kept as
 * a 52-bit fingerprint (a number) rather than a string: ~40 bytes per id instead of ~100.
 */
export interface EvictedTraces {
  add(traceId: string): void;
  /** Remembers an id by its fingerprint (traceIdFingerprint), as a store file keeps them. */
  addFingerprint(fingerprint: number): void;
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
 * The id's last 13 hex digits (the random part W3C trace ids must have) plus a hash (FNV-1a) of the
 * whole id times an odd number below 2^20: ids alike in those digits (structured ids, or ids not in
 * hex) collide only when their hashes do (about 2^-32 a pair), random ids with a probability of about
 * 2^-52 a lookup. Exact: every intermediate stays below 2^53.
 */
export function traceIdFingerprint(traceId: string): number {
  const low = Number.parseInt(traceId.slice(19), 16) || 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < traceId.length; i++) hash = Math.imul(hash ^ traceId.charCodeAt(i), 0x01000193);
  return (low + (hash >>> 0) * 1_048_573) % TWO_52;
}

export function createEvictedTraces(capacity: number): EvictedTraces {
  const ring = new Float64Array(capacity);
  const ids = new Set<number>();
  let next = 0;
  const addFingerprint = (fingerprint: number) => {
    if (ids.has(fingerprint)) return;
    if (ids.size === capacity) ids.delete(ring[next] as number);
    ring[next] = fingerprint;
    next = (next + 1) % capacity;
    ids.add(fingerprint);
  };
  return {
    add: (traceId) => addFingerprint(traceIdFingerprint(traceId)),
    addFingerprint,
    // Until a trace is evicted (most sessions stay under the bound) no id needs its fingerprint.
    has: (traceId) => ids.size > 0 && ids.has(traceIdFingerprint(traceId)),
    clear() {
      ids.clear();
      next = 0;
    },
    get size() {
      return ids.size;
    },
  };
}
