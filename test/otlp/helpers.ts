import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import { expect } from "vitest";
import { OtlpDecodeError } from "../../src/otlp/errors.js";

/** protobufjs reflection over the test-only schema in test/fixtures/otlp-trace.proto. */
export function loadOtlpRoot(): protobuf.Root {
  const path = fileURLToPath(new URL("../fixtures/otlp-trace.proto", import.meta.url));
  return protobuf.loadSync(path);
}

/** The same schema plus the metrics messages of test/fixtures/otlp-metrics.proto. */
export function loadOtlpMetricsRoot(): protobuf.Root {
  const path = fileURLToPath(new URL("../fixtures/otlp-metrics.proto", import.meta.url));
  return protobuf.loadSync(path);
}

export const PKG = "tracekit.test.otlp";

// A few bytes-level builders for inputs no encoder would produce (malformed on purpose).

export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

export function key(field: number, wireType: number): number[] {
  return varint(field * 8 + wireType);
}

export function lenField(field: number, payload: ArrayLike<number>): number[] {
  return [...key(field, 2), ...varint(payload.length), ...Array.from(payload)];
}

export function bytes(...parts: ArrayLike<number>[]): Uint8Array {
  const flat: number[] = [];
  for (const p of parts) flat.push(...Array.from(p));
  return Uint8Array.from(flat);
}

export function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/** Deterministic PRNG (mulberry32) so fuzz failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The message of the OtlpDecodeError `fn` throws; fails the test when it throws anything else or nothing. */
export function decodeError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OtlpDecodeError);
    return (e as Error).message;
  }
  throw new Error("expected an OtlpDecodeError");
}
