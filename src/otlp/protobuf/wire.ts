/**
 * A minimal protobuf wire-format reader, written for OTLP ingest speed and for hostile input.
 *
 * Every read is bounded by `end`, the end of the message being decoded (not of the whole buffer), so
 * a field can never read into its parent's bytes. Every malformation (truncation, a length past the
 * end, a varint over 10 bytes, an invalid or group wire type) throws `OtlpDecodeError`; every loop
 * consumes at least one byte per iteration, so no input can make decoding hang.
 */
import { Buffer } from "node:buffer";
import type { BytesPlace } from "../../domain/bytes-places.js";
import { count } from "../../domain/count-text.js";
import { mixBytes } from "../../domain/hash.js";
import { NestedBytes } from "../attributes.js";
import { OtlpDecodeError } from "../errors.js";

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_SGROUP = 3;
export const WIRE_EGROUP = 4;
export const WIRE_I32 = 5;

/** The value `tag()` returns for a field: lets decoders `switch` on one number per field. */
export function tagOf(field: number, wireType: number): number {
  // Multiplication, not `<<`: field numbers go up to 2^29 - 1 and a shift would turn the tag negative.
  return field * 8 + wireType;
}

// Ids of any other length are invalid anyway; capping the hex keeps a hostile 1 MB "id" cheap while the
// result still has the wrong length, so it can never pass as a valid id.
const MAX_ID_BYTES = 32;

const TWO_POW_32 = 4294967296;

/**
 * A direct-mapped cache of strings decoded from short byte runs. Attribute keys, and many values and
 * span names, repeat across spans and requests ("http.route" in every span): returning the same
 * string object skips decoding it, V8 finds an already-internalized property key by identity, and a
 * stored span keeps a shared string rather than a copy of its own. Each slot keeps the bytes the
 * string came from, so a hit is a byte compare done four bytes at a time. Bounded by construction:
 * a hostile flood of distinct strings only evicts entries.
 */
class StringTable {
  readonly strings: (string | undefined)[];
  /** Byte length of each slot's source, -1 while empty. */
  readonly lengths: Int32Array;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly mask: number;

  constructor(
    slots: number,
    readonly slotBytes: number,
  ) {
    this.strings = new Array(slots).fill(undefined);
    this.lengths = new Int32Array(slots).fill(-1);
    this.bytes = new Uint8Array(slots * slotBytes);
    this.view = new DataView(this.bytes.buffer);
    this.mask = slots - 1;
  }
}

// Keys: measured +35% spans/s over decoding each one. Short values: +10% more.
const keyTable = new StringTable(4096, 64);
const MAX_CACHED_VALUE = 24;
// Longer values (SQL statements, URLs, routes, user agents) repeat too; sharing them cut the memory
// store's bytes per span and its GC work. A table of their own, so that a stream of distinct long
// values cannot evict the keys.
const longValueTable = new StringTable(2048, 256);
// Span and trace ids: every span of a trace carries its trace id and a child carries its parent's
// span id, so one string per distinct id (rather than one per occurrence) saves ~70 bytes per stored
// span, and Map lookups by trace id reuse the string's cached hash.
const idTable = new StringTable(8192, 16);

export class ProtoReader {
  readonly buf: Uint8Array;
  private readonly view: DataView;
  // Node's native UTF-8 and hex decoding measured faster than TextDecoder (~1.4x) and than a JS
  // char loop (1.5-2.7x) even for the short ASCII keys that dominate OTLP, and yields flat strings.
  private readonly nodeBuf: Buffer;
  pos = 0;
  /** AnyValues decoded so far, and how many the request may hold (see `RequestLimits.maxValues`). */
  values = 0;
  maxValues = Number.POSITIVE_INFINITY;
  /** Entries the attribute value being read may still take, and those it dropped (see MAX_ENTRIES_PER_VALUE). */
  entriesLeft = 0;
  entriesDropped = 0;
  /** `values` at which the item being read (a span, log record, resource or scope) is full (MAX_VALUES_PER_ITEM). */
  itemValuesEnd = Number.POSITIVE_INFINITY;
  /** Whether the last AnyValue read at depth 1 (an attribute's or a body's own value) was OTLP bytes. */
  valueWasBytes = false;
  /** While attributes are read: where their bytes values are (see BytesPlace), else null. */
  bytesKeys: BytesPlace[] | null = null;
  /** The bytes values met inside the attribute value being read (in its lists and maps). */
  readonly nested = new NestedBytes();
  /** End of the message currently being decoded; `enter`/`leave` move it. */
  end: number;
  /** Field number and offset of the last tag, so errors can say where they happened. */
  private field = 0;
  private fieldStart = 0;
  // Out-parameters of varint64(): avoids allocating a pair per 64-bit varint.
  private lo = 0;
  private hi = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.nodeBuf = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.end = buf.length;
  }

  /** Reads a field key; returns `field * 8 + wireType` (see `tagOf`). */
  tag(): number {
    this.field = 0;
    this.fieldStart = this.pos;
    const tag = this.varint32();
    if (tag < 8) throw this.fail("field number 0");
    this.field = tag >>> 3;
    return tag;
  }

  /** Skips the value of a field this decoder does not know (newer proto revisions add fields). */
  skip(tag: number): void {
    switch (tag & 7) {
      case WIRE_VARINT:
        this.skipVarint();
        return;
      case WIRE_I64:
        this.need(8, "fixed64");
        this.pos += 8;
        return;
      case WIRE_LEN: {
        const len = this.len();
        this.pos += len;
        return;
      }
      case WIRE_I32:
        this.need(4, "fixed32");
        this.pos += 4;
        return;
      case WIRE_SGROUP:
      case WIRE_EGROUP:
        // Groups are proto2-only and appear nowhere in OTLP; skipping them needs a nesting walk that
        // hostile input could abuse, so they are rejected instead.
        throw this.fail(`unsupported group wire type ${tag & 7}`);
      default:
        throw this.fail(`invalid wire type ${tag & 7}`);
    }
  }

  /**
   * Starts decoding a length-delimited sub-message: returns the outer end to hand back to `leave`.
   * Until then every read stops at the sub-message's end.
   */
  enter(): number {
    const len = this.len();
    const saved = this.end;
    this.end = this.pos + len;
    return saved;
  }

  leave(savedEnd: number): void {
    this.pos = this.end;
    this.end = savedEnd;
  }

  /** uint32 / enum / length: the low 32 bits of a varint of up to 10 bytes, unsigned. */
  varint32(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    if (pos >= end) throw this.fail("truncated varint");
    let b = buf[pos++] as number;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let result = b & 0x7f;
    for (let shift = 7; ; shift += 7) {
      if (pos >= end) throw this.fail("truncated varint");
      b = buf[pos++] as number;
      // Bits past 32 are dropped, as protobuf does for uint32; a JS shift by >= 32 would wrap instead.
      if (shift < 32) result |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      if (shift === 63) throw this.fail("varint longer than 10 bytes");
    }
    this.pos = pos;
    return result >>> 0;
  }

  /** int32 / enum: negative values arrive sign-extended to 10 bytes. */
  int32(): number {
    return this.varint32() | 0;
  }

  bool(): boolean {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let bits = 0;
    for (let i = 0; ; i++) {
      if (pos >= end) throw this.fail("truncated varint");
      const b = buf[pos++] as number;
      bits |= b & 0x7f;
      if (b < 0x80) break;
      if (i === 9) throw this.fail("varint longer than 10 bytes");
    }
    this.pos = pos;
    return bits !== 0;
  }

  /** int64 as a number when exactly representable (|v| <= 2^53 - 1), else as a decimal string. */
  int64(): number | string {
    this.varint64();
    let lo = this.lo;
    let hi = this.hi;
    if (hi < 0x200000) return hi * TWO_POW_32 + lo;
    if (hi < 0x80000000) return joinBig(hi, lo).toString();
    // Two's complement negation of the 64-bit pair.
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    if (hi < 0x200000) return -(hi * TWO_POW_32 + lo);
    return `-${joinBig(hi, lo).toString()}`;
  }

  /** uint64 as a number when exactly representable, else as a decimal string. */
  uint64(): number | string {
    this.varint64();
    const hi = this.hi;
    if (hi < 0x200000) return hi * TWO_POW_32 + this.lo;
    return joinBig(hi, this.lo).toString();
  }

  uint64Big(): bigint {
    this.varint64();
    return joinBig(this.hi, this.lo);
  }

  fixed64(): bigint {
    const pos = this.pos;
    this.need(8, "fixed64");
    this.pos = pos + 8;
    return this.view.getBigUint64(pos, true);
  }

  /** fixed64 as a number: exact below 2^53, the nearest double above (counts, where that is plenty). */
  fixed64Number(): number {
    const pos = this.pos;
    this.need(8, "fixed64");
    this.pos = pos + 8;
    return this.view.getUint32(pos + 4, true) * TWO_POW_32 + this.view.getUint32(pos, true);
  }

  /** sfixed64 as a number: exact within ±2^53, the nearest double beyond (metric values). */
  sfixed64Number(): number {
    const pos = this.pos;
    this.need(8, "sfixed64");
    this.pos = pos + 8;
    return this.view.getInt32(pos + 4, true) * TWO_POW_32 + this.view.getUint32(pos, true);
  }

  /** sint32 (zigzag-encoded). */
  sint32(): number {
    const n = this.varint32();
    return (n >>> 1) ^ -(n & 1);
  }

  /** A uint64 varint as a number: exact below 2^53, the nearest double above. */
  uint64Number(): number {
    this.varint64();
    return this.hi * TWO_POW_32 + this.lo;
  }

  fixed32(): number {
    const pos = this.pos;
    this.need(4, "fixed32");
    this.pos = pos + 4;
    return this.view.getUint32(pos, true);
  }

  double(): number {
    const pos = this.pos;
    this.need(8, "double");
    this.pos = pos + 8;
    return this.view.getFloat64(pos, true);
  }

  float(): number {
    const pos = this.pos;
    this.need(4, "float");
    this.pos = pos + 4;
    return this.view.getFloat32(pos, true);
  }

  /** A string field; invalid UTF-8 becomes U+FFFD rather than failing the whole batch. */
  string(): string {
    const len = this.len();
    const start = this.pos;
    this.pos = start + len;
    return len === 0 ? "" : this.nodeBuf.toString("utf8", start, start + len);
  }

  /** A string likely to recur (attribute values, span names): through the caches up to 256 bytes. */
  shortString(): string {
    const len = this.len();
    if (len <= MAX_CACHED_VALUE) return this.cached(len, keyTable, false);
    if (len <= longValueTable.slotBytes) return this.cached(len, longValueTable, false);
    const start = this.pos;
    this.pos = start + len;
    return this.nodeBuf.toString("utf8", start, start + len);
  }

  /** A string that nearly always recurs (attribute keys), through the cache up to 64 bytes. */
  keyString(): string {
    const len = this.len();
    if (len <= keyTable.slotBytes) return this.cached(len, keyTable, false);
    const start = this.pos;
    this.pos = start + len;
    return this.nodeBuf.toString("utf8", start, start + len);
  }

  /**
   * The next `len` bytes (at most `table.slotBytes`) decoded as UTF-8, or as hex when `hex`, through
   * `table`. Strings and ids go to different tables, so equal bytes always mean an equal string.
   */
  private cached(len: number, table: StringTable, hex: boolean): string {
    const start = this.pos;
    const stop = start + len;
    this.pos = stop;
    if (len === 0) return "";
    const view = this.view;
    const h = mixBytes(view, start, stop);
    const slot = (h ^ (h >>> 16)) & table.mask;
    const at = slot * table.slotBytes;
    if (table.lengths[slot] === len) {
      const cachedView = table.view;
      let j = 0;
      while (j + 4 <= len && cachedView.getUint32(at + j, true) === view.getUint32(start + j, true)) j += 4;
      if (j + 4 > len) {
        while (j < len && cachedView.getUint8(at + j) === view.getUint8(start + j)) j++;
        if (j === len) return table.strings[slot] as string;
      }
    }
    const decoded = this.nodeBuf.toString(hex ? "hex" : "utf8", start, stop);
    const bytes = table.bytes;
    const buf = this.buf;
    for (let k = 0; k < len; k++) bytes[at + k] = buf[start + k] as number;
    table.lengths[slot] = len;
    table.strings[slot] = decoded;
    return decoded;
  }

  /** A bytes field as a view into the input (no copy): valid only while the input buffer is. */
  bytes(): Uint8Array {
    const len = this.len();
    const start = this.pos;
    this.pos = start + len;
    return this.buf.subarray(start, start + len);
  }

  bytesBase64(): string {
    const len = this.len();
    const start = this.pos;
    this.pos = start + len;
    return this.nodeBuf.toString("base64", start, start + len);
  }

  /**
   * A bytes field holding an id, as lower-case hex ("" when empty). Over-long values are cut at
   * MAX_ID_BYTES, which keeps them longer than any valid id.
   */
  idHex(): string {
    const len = this.len();
    if (len <= idTable.slotBytes) return this.cached(len, idTable, true);
    const start = this.pos;
    this.pos = start + len;
    return this.nodeBuf.toString("hex", start, start + Math.min(len, MAX_ID_BYTES));
  }

  // Repeated scalars: proto3 writers pack them (one length-delimited run), older writers repeat the
  // field; a reader must accept both. A run is decoded inside its own bounds so a value cannot
  // straddle the end of the run.

  repeatedDouble(tag: number, out: number[]): void {
    if ((tag & 7) === WIRE_I64) {
      out.push(this.double());
    } else if ((tag & 7) === WIRE_LEN) {
      const saved = this.enter();
      while (this.pos < this.end) out.push(this.double());
      this.leave(saved);
    } else {
      this.skip(tag);
    }
  }

  repeatedFixed64(tag: number, out: bigint[]): void {
    if ((tag & 7) === WIRE_I64) {
      out.push(this.fixed64());
    } else if ((tag & 7) === WIRE_LEN) {
      const saved = this.enter();
      while (this.pos < this.end) out.push(this.fixed64());
      this.leave(saved);
    } else {
      this.skip(tag);
    }
  }

  repeatedUint64(tag: number, out: (number | string)[]): void {
    if ((tag & 7) === WIRE_VARINT) {
      out.push(this.uint64());
    } else if ((tag & 7) === WIRE_LEN) {
      const saved = this.enter();
      while (this.pos < this.end) out.push(this.uint64());
      this.leave(saved);
    } else {
      this.skip(tag);
    }
  }

  repeatedInt64(tag: number, out: (number | string)[]): void {
    if ((tag & 7) === WIRE_VARINT) {
      out.push(this.int64());
    } else if ((tag & 7) === WIRE_LEN) {
      const saved = this.enter();
      while (this.pos < this.end) out.push(this.int64());
      this.leave(saved);
    } else {
      this.skip(tag);
    }
  }

  repeatedFixed64Number(tag: number, out: number[]): void {
    if ((tag & 7) === WIRE_I64) {
      out.push(this.fixed64Number());
    } else if ((tag & 7) === WIRE_LEN) {
      const saved = this.enter();
      while (this.pos < this.end) out.push(this.fixed64Number());
      this.leave(saved);
    } else {
      this.skip(tag);
    }
  }

  repeatedUint64Number(tag: number, out: number[]): void {
    if ((tag & 7) === WIRE_VARINT) {
      out.push(this.uint64Number());
    } else if ((tag & 7) === WIRE_LEN) {
      const saved = this.enter();
      while (this.pos < this.end) out.push(this.uint64Number());
      this.leave(saved);
    } else {
      this.skip(tag);
    }
  }

  repeatedUint32(tag: number, out: number[]): void {
    if ((tag & 7) === WIRE_VARINT) {
      out.push(this.varint32());
    } else if ((tag & 7) === WIRE_LEN) {
      const saved = this.enter();
      while (this.pos < this.end) out.push(this.varint32());
      this.leave(saved);
    } else {
      this.skip(tag);
    }
  }

  /** An error naming the field and byte offset being decoded. */
  fail(what: string): OtlpDecodeError {
    const where = this.field === 0 ? "field tag" : `field ${this.field}`;
    return new OtlpDecodeError(`${what} in ${where} at byte ${count(this.fieldStart)}`);
  }

  /**
   * Skips the length-delimited field whose tag was just read and every one right after it with the
   * same tag (a repeated field's run past what is kept, often all of the rest of a list); returns how
   * many it skipped.
   */
  skipLenRun(): number {
    const buf = this.buf;
    // Tags of fields 1-15 are one byte; a run of a later field is skipped a field at a time.
    const tag = (this.field << 3) | WIRE_LEN;
    let skipped = 0;
    for (;;) {
      const len = this.len();
      this.pos += len;
      skipped++;
      if (tag > 0x7f || this.pos >= this.end || buf[this.pos] !== tag) return skipped;
      this.fieldStart = this.pos++;
    }
  }

  /** Reads a length prefix and checks the payload fits in the current message. */
  private len(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    if (pos >= end) throw this.fail("truncated length-delimited");
    let b = buf[pos++] as number;
    let n = b & 0x7f;
    if (b >= 0x80) {
      // A double holds every length that could fit in memory; larger values only need to compare as large.
      let scale = 128;
      for (let i = 1; ; i++) {
        if (pos >= end) throw this.fail("truncated length-delimited");
        b = buf[pos++] as number;
        n += (b & 0x7f) * scale;
        if (b < 0x80) break;
        if (i === 9) throw this.fail("varint longer than 10 bytes");
        scale *= 128;
      }
    }
    this.pos = pos;
    if (n > end - pos) {
      throw this.fail(`truncated length-delimited value (length ${count(n)}, ${count(end - pos)} bytes left)`);
    }
    return n;
  }

  private skipVarint(): void {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    for (let i = 0; ; i++) {
      if (pos >= end) throw this.fail("truncated varint");
      if ((buf[pos++] as number) < 0x80) break;
      if (i === 9) throw this.fail("varint longer than 10 bytes");
    }
    this.pos = pos;
  }

  /** A 64-bit varint into `lo`/`hi` (unsigned 32-bit halves). */
  private varint64(): void {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let lo = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) throw this.fail("truncated varint");
      b = buf[pos++] as number;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    // The fifth byte straddles the halves: 4 bits to `lo`, 3 to `hi`.
    if (pos >= end) throw this.fail("truncated varint");
    b = buf[pos++] as number;
    lo |= (b & 0x7f) << 28;
    let hi = (b & 0x7f) >>> 4;
    if (b >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (pos >= end) throw this.fail("truncated varint");
        b = buf[pos++] as number;
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
        if (shift === 31) throw this.fail("varint longer than 10 bytes");
      }
    }
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) throw this.fail(`truncated ${what}`);
  }
}

function joinBig(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}
