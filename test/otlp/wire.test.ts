import { describe, expect, it } from "vitest";
import { OtlpDecodeError } from "../../src/otlp/errors.js";
import { ProtoReader, tagOf, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from "../../src/otlp/protobuf/wire.js";
import { bytes, key, lenField, loadOtlpRoot, PKG, varint } from "./helpers.js";

function reader(...parts: ArrayLike<number>[]): ProtoReader {
  return new ProtoReader(bytes(...parts));
}

/** Reads one field's tag and hands the reader back positioned at its value. */
function atValue(field: number, wireType: number, value: ArrayLike<number>): ProtoReader {
  const r = reader(key(field, wireType), value);
  expect(r.tag()).toBe(tagOf(field, wireType));
  return r;
}

function decodeError(fn: () => unknown): OtlpDecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OtlpDecodeError);
    return e as OtlpDecodeError;
  }
  throw new Error("expected an OtlpDecodeError");
}

describe("ProtoReader varints", () => {
  it("reads uint32 of every length", () => {
    for (const n of [0, 1, 127, 128, 300, 16383, 16384, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 32 - 1]) {
      const r = atValue(1, WIRE_VARINT, varint(n));
      expect(r.varint32()).toBe(n);
      expect(r.pos).toBe(r.end);
    }
  });

  it("keeps the low 32 bits of a wider varint, and sign-extended negative int32", () => {
    expect(atValue(1, WIRE_VARINT, varint(2n ** 32n + 5n)).varint32()).toBe(5);
    expect(atValue(1, WIRE_VARINT, varint(-1)).int32()).toBe(-1);
    expect(atValue(1, WIRE_VARINT, varint(-2147483648)).int32()).toBe(-2147483648);
  });

  it("maps int64 to a number while exact, else to a decimal string", () => {
    const cases: [bigint, number | string][] = [
      [0n, 0],
      [1n, 1],
      [-1n, -1],
      [2n ** 53n - 1n, Number.MAX_SAFE_INTEGER],
      [-(2n ** 53n - 1n), -Number.MAX_SAFE_INTEGER],
      [2n ** 53n, "9007199254740992"],
      [-(2n ** 53n), "-9007199254740992"],
      [2n ** 63n - 1n, "9223372036854775807"],
      [-(2n ** 63n), "-9223372036854775808"],
      [4294967296n, 4294967296],
      [-4294967296n, -4294967296],
    ];
    for (const [input, expected] of cases) {
      expect(atValue(3, WIRE_VARINT, varint(input)).int64()).toBe(expected);
    }
  });

  it("reads uint64 and uint64 as bigint", () => {
    expect(atValue(1, WIRE_VARINT, varint(2n ** 64n - 1n)).uint64()).toBe("18446744073709551615");
    expect(atValue(1, WIRE_VARINT, varint(2n ** 40n)).uint64()).toBe(2 ** 40);
    expect(atValue(1, WIRE_VARINT, varint(2n ** 64n - 2n)).uint64Big()).toBe(2n ** 64n - 2n);
  });

  it("reads bools of any varint width", () => {
    expect(atValue(2, WIRE_VARINT, [1]).bool()).toBe(true);
    expect(atValue(2, WIRE_VARINT, [0]).bool()).toBe(false);
    expect(atValue(2, WIRE_VARINT, varint(2n ** 40n)).bool()).toBe(true);
  });

  it("rejects varints over 10 bytes and truncated varints", () => {
    const eleven = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    for (const read of ["varint32", "int64", "uint64", "bool"] as const) {
      expect(decodeError(() => atValue(1, WIRE_VARINT, eleven)[read]()).message).toMatch(/longer than 10 bytes/);
      expect(decodeError(() => atValue(1, WIRE_VARINT, [0x80, 0x80])[read]()).message).toMatch(
        /truncated varint in field 1 at byte 0/,
      );
    }
    expect(decodeError(() => atValue(1, WIRE_VARINT, eleven).skip(tagOf(1, WIRE_VARINT))).message).toMatch(
      /longer than 10 bytes/,
    );
  });

  it("rejects field number 0 and truncated tags", () => {
    expect(decodeError(() => reader([0x00]).tag()).message).toMatch(/field number 0/);
    expect(decodeError(() => reader([0x80]).tag()).message).toBe("truncated varint in field tag at byte 0");
  });
});

describe("ProtoReader fixed-width and length-delimited", () => {
  it("reads fixed64 as an exact bigint, fixed32, double and float", () => {
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, 1700000000123456789n, true);
    expect(atValue(7, WIRE_I64, new Uint8Array(view.buffer)).fixed64()).toBe(1700000000123456789n);
    view.setFloat64(0, -1.5, true);
    expect(atValue(4, WIRE_I64, new Uint8Array(view.buffer)).double()).toBe(-1.5);
    view.setFloat64(0, Number.NaN, true);
    expect(atValue(4, WIRE_I64, new Uint8Array(view.buffer)).double()).toBeNaN();
    expect(atValue(16, WIRE_I32, [0x01, 0x02, 0x00, 0x80]).fixed32()).toBe(0x80000201);
    view.setFloat32(0, 0.25, true);
    expect(atValue(1, WIRE_I32, new Uint8Array(view.buffer, 0, 4)).float()).toBe(0.25);
  });

  it("reports truncated fixed-width values", () => {
    expect(decodeError(() => atValue(7, WIRE_I64, [1, 2, 3]).fixed64()).message).toBe(
      "truncated fixed64 in field 7 at byte 0",
    );
    expect(decodeError(() => atValue(16, WIRE_I32, [1, 2, 3]).fixed32()).message).toMatch(/truncated fixed32/);
  });

  it("decodes short and long strings, ASCII and UTF-8, and replaces invalid UTF-8", () => {
    const samples = [
      "",
      "a",
      "http.method",
      "x".repeat(32),
      "y".repeat(33),
      "é",
      "日本語のテキスト",
      `${"z".repeat(40)}€`,
    ];
    for (const s of samples) {
      const encoded = new TextEncoder().encode(s);
      expect(reader(lenField(1, encoded)).tag()).toBe(tagOf(1, WIRE_LEN));
      const r = reader(lenField(1, encoded));
      r.tag();
      expect(r.string()).toBe(s);
    }
    const bad = reader(lenField(1, [0x61, 0xff, 0x62]));
    bad.tag();
    expect(bad.string()).toBe("a\uFFFDb");
  });

  it("reads bytes as base64, as a view, and ids as lower-case hex capped in length", () => {
    let r = reader(lenField(7, [0, 1, 2, 0xfe, 0xff]));
    r.tag();
    expect(r.bytesBase64()).toBe("AAEC/v8=");
    r = reader(lenField(7, [9, 8]));
    r.tag();
    expect(Array.from(r.bytes())).toEqual([9, 8]);
    r = reader(lenField(1, [0xab, 0xcd, 0xef]));
    r.tag();
    expect(r.idHex()).toBe("abcdef");
    r = reader(lenField(1, new Array(1000).fill(0xaa)));
    r.tag();
    expect(r.idHex()).toBe("aa".repeat(32));
  });

  it("rejects a length past the end of the enclosing message, naming field and byte", () => {
    const body = bytes([0x08, 0x01], key(2, WIRE_LEN), varint(1234), [1, 2, 3]);
    const r = new ProtoReader(body);
    r.skip(r.tag());
    const tag = r.tag();
    expect(decodeError(() => r.skip(tag)).message).toBe(
      "truncated length-delimited value (length 1,234, 3 bytes left) in field 2 at byte 2",
    );
    // A huge length prefix (10-byte varint) is just another length past the end.
    const huge = reader(key(2, WIRE_LEN), varint(2n ** 63n), [1]);
    const hugeTag = huge.tag();
    expect(decodeError(() => huge.skip(hugeTag)).message).toMatch(/truncated length-delimited/);
  });

  it("bounds reads by the sub-message, not the buffer", () => {
    // Field 1 is a 2-byte message whose inner varint claims to continue past it into field 2.
    const r = reader(lenField(1, [0x08, 0x80]), [0x10, 0x01]);
    r.tag();
    const saved = r.enter();
    expect(r.tag()).toBe(tagOf(1, WIRE_VARINT));
    expect(() => r.varint32()).toThrow(OtlpDecodeError);
    r.leave(saved);
    expect(r.pos).toBe(4);
  });
});

describe("ProtoReader skipping", () => {
  it("skips every valid wire type", () => {
    const body = bytes(
      key(1, WIRE_VARINT),
      varint(2n ** 63n),
      key(2, WIRE_I64),
      [1, 2, 3, 4, 5, 6, 7, 8],
      lenField(3, [1, 2, 3]),
      key(4, WIRE_I32),
      [1, 2, 3, 4],
      key(536870911, WIRE_VARINT),
      [0],
    );
    const r = new ProtoReader(body);
    const seen: number[] = [];
    while (r.pos < r.end) {
      const tag = r.tag();
      seen.push(tag >>> 3);
      r.skip(tag);
    }
    expect(seen).toEqual([1, 2, 3, 4, 536870911]);
  });

  it("rejects groups and invalid wire types", () => {
    for (const wt of [3, 4]) {
      const r = reader(key(5, wt), [0]);
      const tag = r.tag();
      expect(decodeError(() => r.skip(tag)).message).toBe(`unsupported group wire type ${wt} in field 5 at byte 0`);
    }
    for (const wt of [6, 7]) {
      const r = reader([0x01], key(9, wt));
      r.pos = 1;
      const tag = r.tag();
      expect(decodeError(() => r.skip(tag)).message).toBe(`invalid wire type ${wt} in field 9 at byte 1`);
    }
  });
});

describe("ProtoReader repeated scalars", () => {
  const root = loadOtlpRoot();
  const Repeated = root.lookupType(`${PKG}.RepeatedScalars`);

  it("reads packed and unpacked encodings of the same values (encoded by protobufjs)", () => {
    const doubles = [1.5, -2, 0, Number.MAX_VALUE];
    const uint64s = ["0", "1", "300", "9007199254740993", "18446744073709551615"];
    const fixed64s = ["1700000000123456789", "0", "18446744073709551615"];
    const uint32s = [0, 1, 4294967295];
    const message = Repeated.fromObject({
      packedDoubles: doubles,
      unpackedDoubles: doubles,
      packedUint64s: uint64s,
      unpackedUint64s: uint64s,
      packedFixed64s: fixed64s,
      unpackedFixed64s: fixed64s,
      packedInt64s: ["-1", "5", "-9223372036854775808"],
      packedUint32s: uint32s,
      unpackedUint32s: uint32s,
    });
    const encoded = Repeated.encode(message).finish();

    // The schema asks for both encodings; check protobufjs really produced both.
    const wireTypes = new Map<number, Set<number>>();
    const scan = new ProtoReader(encoded);
    while (scan.pos < scan.end) {
      const tag = scan.tag();
      const set = wireTypes.get(tag >>> 3) ?? new Set<number>();
      set.add(tag & 7);
      wireTypes.set(tag >>> 3, set);
      scan.skip(tag);
    }
    expect([...(wireTypes.get(1) ?? [])]).toEqual([WIRE_LEN]);
    expect([...(wireTypes.get(2) ?? [])]).toEqual([WIRE_I64]);
    expect([...(wireTypes.get(4) ?? [])]).toEqual([WIRE_VARINT]);
    expect([...(wireTypes.get(6) ?? [])]).toEqual([WIRE_I64]);

    const got = {
      d1: [] as number[],
      d2: [] as number[],
      u1: [] as (number | string)[],
      u2: [] as (number | string)[],
      f1: [] as bigint[],
      f2: [] as bigint[],
      i1: [] as (number | string)[],
      s1: [] as number[],
      s2: [] as number[],
    };
    const r = new ProtoReader(encoded);
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag >>> 3) {
        case 1:
          r.repeatedDouble(tag, got.d1);
          break;
        case 2:
          r.repeatedDouble(tag, got.d2);
          break;
        case 3:
          r.repeatedUint64(tag, got.u1);
          break;
        case 4:
          r.repeatedUint64(tag, got.u2);
          break;
        case 5:
          r.repeatedFixed64(tag, got.f1);
          break;
        case 6:
          r.repeatedFixed64(tag, got.f2);
          break;
        case 7:
          r.repeatedInt64(tag, got.i1);
          break;
        case 8:
          r.repeatedUint32(tag, got.s1);
          break;
        case 9:
          r.repeatedUint32(tag, got.s2);
          break;
        default:
          r.skip(tag);
      }
    }
    const uint64Expected = [0, 1, 300, "9007199254740993", "18446744073709551615"];
    const fixedExpected = fixed64s.map((s) => BigInt(s));
    expect(got.d1).toEqual(doubles);
    expect(got.d2).toEqual(doubles);
    expect(got.u1).toEqual(uint64Expected);
    expect(got.u2).toEqual(uint64Expected);
    expect(got.f1).toEqual(fixedExpected);
    expect(got.f2).toEqual(fixedExpected);
    expect(got.i1).toEqual([-1, 5, "-9223372036854775808"]);
    expect(got.s1).toEqual(uint32s);
    expect(got.s2).toEqual(uint32s);
  });

  it("rejects a packed run whose last value is cut short", () => {
    const r = reader(lenField(1, [0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 1, 2, 3]));
    const tag = r.tag();
    expect(decodeError(() => r.repeatedDouble(tag, [])).message).toMatch(/truncated double in field 1/);
    const v = reader(lenField(3, [0x01, 0x80]));
    const vtag = v.tag();
    expect(decodeError(() => v.repeatedUint64(vtag, [])).message).toMatch(/truncated varint in field 3/);
  });
});
