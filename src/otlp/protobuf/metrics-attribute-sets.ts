/**
 * Data-point attribute sets kept by the bytes they were decoded from. An exporter sends each of its
 * series once per export with the same attributes, encoded the same way: a set whose bytes were
 * decoded before is handed back as the same (frozen) object instead of being decoded again, which
 * spares the key and value reads and an object per point, and lets the metric store recognise its
 * series by identity before comparing attributes. A set keeps the bytes it came from, so a hit is a
 * byte compare; a hostile flood of distinct sets only evicts entries.
 *
 * The kept bytes sit side by side in shared blocks, in the order the sets were first seen, which is
 * the order an exporter sends its series in: comparing a point's bytes with its predicted set reads
 * the block the previous point's compare ended in, where a small array per set put every compare
 * on memory of its own (the most time-consuming line of the decoder, at a thousand series and more).
 *
 * Explicit histogram bounds are kept the same way: every point of every export then shares one
 * array per distinct bounds, which the metric store tells equal by identity.
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

/** Bytes kept per block (sets of up to MAX_CACHED_SET_BYTES each). */
const BLOCK_BYTES = 64 * 1024;

/** An attribute set and the bytes it was decoded from. */
export interface AttributeSet {
  hash: number;
  /** Of its bytes: kept beside the hash, so that a set that does not match is told without reading them. */
  length: number;
  /** The block its bytes are in, and where. */
  view: DataView;
  offset: number;
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
  private slots: (AttributeSet | undefined)[];
  private readonly mask: number;
  /** The block new sets' bytes go to, and how much of it is used. */
  private block: Uint8Array;
  private blockView: DataView;
  private blockUsed = 0;
  /** Blocks started since the table was last emptied. */
  private blocks = 1;
  /** Blocks that may be started before the table is emptied: enough for every slot's set at its longest. */
  private readonly maxBlocks: number;
  readonly bounds = new KnownBounds();

  /** `slots`: a power of two. */
  constructor(slots = 8192) {
    this.slots = new Array(slots).fill(undefined);
    this.mask = slots - 1;
    this.maxBlocks = Math.max(2, Math.ceil((slots * MAX_CACHED_SET_BYTES) / BLOCK_BYTES));
    this.block = new Uint8Array(BLOCK_BYTES);
    this.blockView = new DataView(this.block.buffer);
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
    const length = end - start;
    if (this.blockUsed + length > BLOCK_BYTES) this.startBlock();
    // A copy (a Buffer's slice would be a view that keeps the whole request alive).
    const offset = this.blockUsed;
    this.block.set(buf.subarray(start, end), offset);
    this.blockUsed += length;
    const frozen = Object.freeze(attributes);
    // Two slots a set may sit in: its first when free, else its second (a one-slot table lost one
    // set in eight to collisions at a thousand series).
    const first = hash & this.mask;
    const slot = this.slots[first] === undefined ? first : secondSlot(hash) & this.mask;
    const set: AttributeSet = {
      hash,
      length,
      view: this.blockView,
      offset,
      attributes: frozen,
      values,
      next: null,
    };
    this.slots[slot] = set;
    return set;
  }

  /**
   * A new block for the sets to come. A set that is evicted leaves its bytes in its block, and a
   * block lives while a set in it does: past maxBlocks the table is emptied, so that evicted sets
   * never hold more than the table holds at its fullest.
   */
  private startBlock(): void {
    if (this.blocks >= this.maxBlocks) {
      this.slots = new Array(this.slots.length).fill(undefined);
      this.blocks = 0;
    }
    this.block = new Uint8Array(BLOCK_BYTES);
    this.blockView = new DataView(this.block.buffer);
    this.blockUsed = 0;
    this.blocks++;
  }
}

function secondSlot(hash: number): number {
  return Math.imul(hash ^ (hash >>> 16), 0x9e3779b1) >>> 7;
}

/** Whether `set` came from bytes [start, end) of `view`. */
export function holds(set: AttributeSet, view: DataView, start: number, end: number): boolean {
  const length = end - start;
  return set.length === length && sameBytes(set.view, set.offset, view, start, length);
}

/** Whether `length` bytes of `a` from `aStart` equal those of `b` from `bStart`, compared four at a time. */
export function sameBytes(a: DataView, aStart: number, b: DataView, bStart: number, length: number): boolean {
  let i = 0;
  for (; i + 4 <= length; i += 4) if (a.getUint32(aStart + i, true) !== b.getUint32(bStart + i, true)) return false;
  for (; i < length; i++) if (a.getUint8(aStart + i) !== b.getUint8(bStart + i)) return false;
  return true;
}

/** Explicit bounds remembered (distinct ones: an app's histograms share a few). */
const KNOWN_BOUNDS = 64;

/** Packed explicit bounds as they were sent, and the array they were read into (never changed). */
interface Bounds {
  hash: number;
  bytes: Uint8Array;
  view: DataView;
  bounds: readonly number[];
}

/** Explicit bounds read before, by their packed bytes: one slot per hash, a newer set replacing an older. */
export class KnownBounds {
  private readonly slots: (Bounds | undefined)[] = new Array(KNOWN_BOUNDS).fill(undefined);

  /** The bounds that bytes [start, end) of `view` (with this hash) were read into before, or undefined. */
  find(view: DataView, start: number, end: number, hash: number): readonly number[] | undefined {
    const known = this.slots[hash & (KNOWN_BOUNDS - 1)];
    if (known === undefined || known.hash !== hash || known.bytes.length !== end - start) return undefined;
    return sameBytes(known.view, 0, view, start, end - start) ? known.bounds : undefined;
  }

  /** Keeps what bytes [start, end) of `buf` (with this hash) were read into: `bounds`, never changed from now on. */
  keep(buf: Uint8Array, start: number, end: number, hash: number, bounds: readonly number[]): void {
    // A copy (a Buffer's slice would be a view that keeps the whole request alive).
    const bytes = new Uint8Array(end - start);
    bytes.set(buf.subarray(start, end));
    this.slots[hash & (KNOWN_BOUNDS - 1)] = {
      hash,
      bytes,
      view: new DataView(bytes.buffer),
      bounds,
    };
  }
}
