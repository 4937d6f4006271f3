/**
 * Small non-cryptographic hashes for caches and filters: equal input, equal hash, and nothing more
 * is promised (a hostile sender can collide them; users compare what they find).
 */

/**
 * Bytes [start, end) of `view` mixed four at a time (murmur2's multiplier), seeded with their
 * length; not yet finalized (see fmix32).
 */
export function mixBytes(view: DataView, start: number, end: number): number {
  let h = end - start;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    h = Math.imul(h ^ view.getUint32(i, true), 0x5bd1e995);
    h ^= h >>> 15;
  }
  for (; i < end; i++) {
    h = Math.imul(h ^ view.getUint8(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h;
}

/** Murmur3's finalizer: spreads every input bit over the 32 output bits (unsigned). */
export function fmix32(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
