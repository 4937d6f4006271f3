/**
 * Data-point attribute sets kept by the bytes they were decoded from. An exporter sends each of its
 * series once per export with the same attributes, encoded the same way: a set whose bytes were
 * decoded before is handed back as the same (frozen) object instead of being decoded again, which
 * spares the key and value reads and an object per point, and lets the metric store recognise its
 * series by identity before comparing attributes. A slot keeps the bytes its set came from, so a hit
 * is a byte compare; a hostile flood of distinct sets only evicts entries.
 */
import { fmix32, mixBytes } from "../../domain/hash.js";
import type { Attributes } from "../../domain/span.js";

/** Attribute sets longer than this (in bytes, as sent) are decoded every time. */
export const MAX_CACHED_SET_BYTES = 512;

/**
 * Where the length-delimited field whose length starts at `pos` ends, or -1 when its length is not
 * a varint that fits before `limit` (the decoder proper then reads it, and says what is wrong).
 */
export function fieldEnd(buf: Uint8Array, pos: number, limit: number): number {
  let at = pos;
  let length = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (at >= limit) return -1;
    const b = buf[at++] as number;
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return at + length <= limit ? at + length : -1;
  }
  return -1;
}

/** An attribute set and the bytes it was decoded from. */
export interface AttributeSet {
  hash: number;
  /** Of `bytes`: kept beside the hash, so that a set that does not match is told without reading them. */
  length: number;
  bytes: Uint8Array;
  view: DataView;
  attributes: Readonly<Attributes>;
  /** AnyValues the set's decoding counted against the request's limit. */
  values: number;
  /**
   * The set of the point that came after this one last time: exporters send their series in the
   * same order every time, so it is compared first, before hashing the bytes.
   */
  next: AttributeSet | null;
}

export class AttributeSetCache {
  private readonly slots: (AttributeSet | undefined)[];
  private readonly mask: number;

  /** `slots`: a power of two. */
  constructor(slots = 8192) {
    this.slots = new Array(slots).fill(undefined);
    this.mask = slots - 1;
  }

  /** The hash of bytes [start, end) of `view`. */
  hash(view: DataView, start: number, end: number): number {
    // Finalized: the sets of a metric differ in a byte or two, and the slot is the low bits.
    return fmix32(mixBytes(view, start, end)) | 0;
  }

  /** The set that bytes [start, end) of `view` (with this hash) decoded to before, or undefined. */
  find(view: DataView, start: number, end: number, hash: number): AttributeSet | undefined {
    const first = this.slots[hash & this.mask];
    if (first !== undefined && first.hash === hash && holds(first, view, start, end)) return first;
    const second = this.slots[secondSlot(hash) & this.mask];
    return second !== undefined && second.hash === hash && holds(second, view, start, end) ? second : undefined;
  }

  /** Keeps what bytes [start, end) of `buf` (with this hash) decoded to: the set as it is shared from now on. */
  keep(
    buf: Uint8Array,
    start: number,
    end: number,
    hash: number,
    attributes: Attributes,
    values: number,
  ): AttributeSet {
    // A copy of its own (a Buffer's slice would be a view that keeps the whole request alive).
    const bytes = new Uint8Array(end - start);
    bytes.set(buf.subarray(start, end));
    const frozen = Object.freeze(attributes);
    // Two slots a set may sit in: its first when free, else its second (a one-slot table lost one
    // set in eight to collisions at a thousand series).
    const first = hash & this.mask;
    const slot = this.slots[first] === undefined ? first : secondSlot(hash) & this.mask;
    const set: AttributeSet = {
      hash,
      length: bytes.length,
      bytes,
      view: new DataView(bytes.buffer),
      attributes: frozen,
      values,
      next: null,
    };
    this.slots[slot] = set;
    return set;
  }
}

function secondSlot(hash: number): number {
  return Math.imul(hash ^ (hash >>> 16), 0x9e3779b1) >>> 7;
}

/** Whether `set` came from bytes [start, end) of `view`. */
export function holds(set: AttributeSet, view: DataView, start: number, end: number): boolean {
  const length = end - start;
  return set.length === length && sameBytes(set.view, 0, view, start, length);
}

/** Whether `length` bytes of `a` from `aStart` equal those of `b` from `bStart`, compared four at a time. */
export function sameBytes(a: DataView, aStart: number, b: DataView, bStart: number, length: number): boolean {
  let i = 0;
  for (; i + 4 <= length; i += 4) if (a.getUint32(aStart + i, true) !== b.getUint32(bStart + i, true)) return false;
  for (; i < length; i++) if (a.getUint8(aStart + i) !== b.getUint8(bStart + i)) return false;
  return true;
}
