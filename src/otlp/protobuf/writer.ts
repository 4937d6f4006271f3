/**
 * A minimal protobuf wire-format writer: a growable byte buffer with the few field encodings OTLP
 * uses. Nested messages are written into a child writer and then copied in behind their length.
 */
import { WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from "./wire.js";

const MASK_64 = (1n << 64n) - 1n;

export class ProtoWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** An unsigned varint of a non-negative safe integer. */
  varint(value: number): void {
    this.reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  /** A varint of any 64-bit value (negative int64 as its two's complement, ten bytes). */
  varint64(value: bigint): void {
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
    this.view.setUint32(this.length, value >>> 0, true);
    this.length += 4;
  }

  fixed64(value: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, value & MASK_64, true);
    this.length += 8;
  }

  double(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** A length-delimited field: bytes, a string's UTF-8, or a nested message. */
  lengthDelimited(field: number, bytes: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(bytes.length);
    this.raw(bytes);
  }

  varintField(field: number, value: number): void {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  fixed64Field(field: number, value: bigint): void {
    this.tag(field, WIRE_I64);
    this.fixed64(value);
  }

  doubleField(field: number, value: number): void {
    this.tag(field, WIRE_I64);
    this.double(value);
  }

  fixed32Field(field: number, value: number): void {
    this.tag(field, WIRE_I32);
    this.fixed32(value);
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
