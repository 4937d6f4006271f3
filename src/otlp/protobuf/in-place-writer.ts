/**
 * A growable protobuf wire writer that writes nested messages in place, between begin() and end():
 * one buffer, no copy per message (a length past 127 bytes moves its message up when it ends).
 */
export class InPlaceProtoWriter {
  private buf: Buffer;
  pos = 0;
  /** Where the length of each message begun and not yet ended goes. */
  private readonly open: number[] = [];

  constructor(initialBytes = 4096) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  reset(): this {
    this.pos = 0;
    this.open.length = 0;
    return this;
  }

  /** The bytes written so far (a view: valid until the next write or reset). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  varint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  /** int64 / uint64 as a varint (a negative int64 takes ten bytes, two's complement). */
  varint64(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    this.ensure(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  fixed64(value: bigint): void {
    this.ensure(8);
    const v = BigInt.asUintN(64, value);
    this.buf.writeUInt32LE(Number(v & 0xffffffffn), this.pos);
    this.buf.writeUInt32LE(Number(v >> 32n), this.pos + 4);
    this.pos += 8;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string (the length prefix included). */
  string(value: string): void {
    const n = value.length;
    // Short ASCII strings (keys, names, most values) are written here: a native write per string
    // costs more than the loop.
    if (n < 0x80) {
      this.ensure(n + 1);
      const buf = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = start + n;
        return;
      }
    }
    const length = Buffer.byteLength(value);
    this.varint(length);
    this.ensure(length);
    this.pos += this.buf.write(value, this.pos, "utf8");
  }

  /** Length-delimited bytes (the length prefix included). */
  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** A hex string's bytes, length-delimited; the caller has checked it is hex of an even length (< 256 digits). */
  hexBytes(hex: string): void {
    const length = hex.length / 2;
    this.ensure(length + 1);
    const buf = this.buf;
    buf[this.pos++] = length;
    for (let i = 0; i < hex.length; i += 2) {
      buf[this.pos++] = (hexDigit(hex.charCodeAt(i)) << 4) | hexDigit(hex.charCodeAt(i + 1));
    }
  }

  /** Starts field `field` as a nested message, written next; `end()` closes it. Messages nest. */
  begin(field: number): void {
    this.tag(field, 2);
    this.ensure(1);
    this.open.push(this.pos);
    // One byte for the length, enough for most messages; a longer one is moved up when it ends.
    this.pos++;
  }

  end(): void {
    const start = this.open.pop() as number;
    const length = this.pos - start - 1;
    if (length < 0x80) {
      this.buf[start] = length;
      return;
    }
    let size = 1;
    for (let v = length; v >= 0x80; v = Math.floor(v / 0x80)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(start + size, start + 1, this.pos);
    const end = this.pos + size - 1;
    this.pos = start;
    this.varint(length);
    this.pos = end;
  }
}

function hexDigit(c: number): number {
  // '0'-'9' → 0-9, 'a'-'f' and 'A'-'F' → 10-15 (the caller has checked the digits).
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}
