/**
 * A minimal protobuf wire-format writer: one growable buffer with the few field encodings OTLP uses.
 * A nested message is written in place behind a one-byte length, which is widened (the message moved
 * along) only when the message turns out to be 128 bytes or longer: no child buffers, no copies for
 * the many small messages (attributes, values).
 */
import { Buffer } from "node:buffer";
import { WIRE_LEN, WIRE_VARINT } from "./wire.js";

const MASK_64 = (1n << 64n) - 1n;
const TWO_POW_32 = 4294967296;

function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

export class ProtoWriter {
  private buf: Buffer;
  length = 0;
  /** Where each message `push` began and `pop` has not ended yet. */
  private readonly open: number[] = [];

  constructor(initialBytes = 4096) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  /** An unsigned varint of a non-negative safe integer. */
  varint(value: number): void {
    this.reserve(10);
    const buf = this.buf;
    let v = value;
    while (v >= 0x80) {
      buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[this.length++] = v;
  }

  /** A varint of any 64-bit value (negative int64 as its two's complement, ten bytes). */
  varint64(value: bigint): void {
    if (value >= 0n && value <= 9007199254740991n) {
      this.varint(Number(value));
      return;
    }
    this.reserve(10);
    let v = value & MASK_64;
    while (v >= 0x80n) {
      this.buf[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.length++] = Number(v);
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  fixed32(value: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(value >>> 0, this.length);
    this.length += 4;
  }

  /** A fixed64 of a non-negative safe integer, without BigInt. */
  fixed64Number(value: number): void {
    this.reserve(8);
    this.buf.writeUInt32LE(value % TWO_POW_32, this.length);
    this.buf.writeUInt32LE(Math.floor(value / TWO_POW_32), this.length + 4);
    this.length += 8;
  }

  fixed64(value: bigint): void {
    this.reserve(8);
    this.buf.writeBigUInt64LE(value & MASK_64, this.length);
    this.length += 8;
  }

  double(value: number): void {
    this.reserve(8);
    this.buf.writeDoubleLE(value, this.length);
    this.length += 8;
  }

  /** A length-delimited field holding `bytes`. */
  lengthDelimited(field: number, bytes: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(bytes.length);
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** A length-delimited field holding `source[start, end)`, copied without a view of it. */
  bytesField(field: number, source: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.tag(field, WIRE_LEN);
    this.varint(n);
    this.reserve(n);
    const buf = this.buf;
    let at = this.length;
    if (n <= 32) {
      for (let i = start; i < end; i++) buf[at++] = source[i] as number;
    } else {
      buf.set(source.subarray(start, end), at);
    }
    this.length += n;
  }

  /** `source[start, end)` as it is: fields encoded before, written again. */
  raw(source: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.reserve(n);
    const buf = this.buf;
    let at = this.length;
    if (n <= 64) {
      for (let i = start; i < end; i++) buf[at++] = source[i] as number;
    } else {
      buf.set(source.subarray(start, end), at);
    }
    this.length += n;
  }

  /** Copies the bytes written at `[start, end)` into `target` from its start. */
  copyTo(target: Uint8Array, start: number, end: number): void {
    const buf = this.buf;
    for (let i = start, at = 0; i < end; i++) target[at++] = buf[i] as number;
  }

  /** A string field, UTF-8. */
  stringField(field: number, value: string): void {
    this.tag(field, WIRE_LEN);
    const n = value.length;
    if (n < 128) {
      // Short ASCII (most keys and values) is copied by hand: no byte-length pass, no encoder call.
      this.reserve(n + 1);
      const buf = this.buf;
      const at = this.length;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + 1 + i] = c;
      }
      if (i === n) {
        buf[at] = n;
        this.length = at + 1 + n;
        return;
      }
    }
    const size = Buffer.byteLength(value, "utf8");
    this.varint(size);
    this.reserve(size);
    this.buf.write(value, this.length, size, "utf8");
    this.length += size;
  }

  /** A bytes field from hex (ids); false (nothing written) when `hex` is not hex of whole bytes. */
  hexField(field: number, hex: string): boolean {
    const n = hex.length;
    if (n === 0 || n % 2 !== 0 || n > 256) return false;
    const mark = this.length;
    this.tag(field, WIRE_LEN);
    this.varint(n / 2);
    this.reserve(n / 2);
    const buf = this.buf;
    for (let i = 0; i < n; i += 2) {
      const hi = hexDigit(hex.charCodeAt(i));
      const lo = hexDigit(hex.charCodeAt(i + 1));
      if (hi < 0 || lo < 0) {
        this.length = mark;
        return false;
      }
      buf[this.length++] = hi * 16 + lo;
    }
    return true;
  }

  /** Starts a nested message (or packed field) `field`; pass the result to `end`. */
  begin(field: number): number {
    this.tag(field, WIRE_LEN);
    this.reserve(1);
    return this.length++;
  }

  /** Ends what `begin` started: writes its length, moving the content when the length needs more than a byte. */
  end(at: number): void {
    const size = this.length - at - 1;
    if (size < 0x80) {
      this.buf[at] = size;
      return;
    }
    const extra = varintSize(size) - 1;
    this.reserve(extra);
    this.buf.copyWithin(at + 1 + extra, at + 1, this.length);
    const end = this.length + extra;
    this.length = at;
    this.varint(size);
    this.length = end;
  }

  /** `begin` for writers that nest without keeping positions: `pop` ends the latest message pushed. */
  push(field: number): void {
    this.open.push(this.begin(field));
  }

  pop(): void {
    this.end(this.open.pop() as number);
  }

  /** The bytes written so far, as a view (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  varintField(field: number, value: number): void {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  /** The bytes written; copied out only when the buffer has much more room than they fill. */
  finish(): Uint8Array {
    const bytes = this.buf.subarray(0, this.length);
    return this.length * 4 >= this.buf.length * 3 ? bytes : Buffer.from(bytes);
  }
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
