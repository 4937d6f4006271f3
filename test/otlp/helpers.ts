import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import { expect } from "vitest";
import { prng as seededRandom } from "../../bench/fuzz-lib.mjs";
import { OtlpDecodeError } from "../../src/otlp/errors.js";

/** protobufjs reflection over the test-only schema in test/fixtures/otlp-trace.proto. */
export function loadOtlpRoot(): protobuf.Root {
  const path = fileURLToPath(new URL("../fixtures/otlp-trace.proto", import.meta.url));
  return protobuf.loadSync(path);
}

export const PKG = "tracekit.test.otlp";

// A few bytes-level builders for inputs no encoder would produce (malformed on purpose).

/** The test-only metrics schema (metrics.proto fields, for an independent encoder). */
export function loadOtlpMetricsRoot(): protobuf.Root {
  const path = fileURLToPath(new URL("../fixtures/otlp-metrics.proto", import.meta.url));
  return protobuf.loadSync(path);
}

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

/** Deterministic PRNG (mulberry32, bench/fuzz-lib.mjs's) so fuzz failures reproduce. */
export function prng(seed: number): () => number {
  return seededRandom(seed).next;
}

/** Decodes and reports "ok" or "error" (an OtlpDecodeError); any other exception fails the test. */
export function outcome(decode: () => unknown): "ok" | "error" {
  try {
    decode();
    return "ok";
  } catch (e) {
    if (e instanceof OtlpDecodeError) return "error";
    throw e;
  }
}

/** The message of the OtlpDecodeError `fn` throws; fails the test when it throws nothing or anything else. */
export function decodeError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OtlpDecodeError);
    return (e as Error).message;
  }
  throw new Error("expected an OtlpDecodeError");
}

/** AnyValue{array_value: ArrayValue{values: AnyValue{...}}} nested `levels` deep, built inside out. */
export function nestedArrayValue(levels: number): Uint8Array {
  const prefixes: number[][] = [];
  let size = 0;
  for (let i = 0; i < levels; i++) {
    const arrayPrefix = [...key(1, 2), ...varint(size)];
    size += arrayPrefix.length;
    const valuePrefix = [...key(5, 2), ...varint(size)];
    size += valuePrefix.length;
    prefixes.push(arrayPrefix, valuePrefix);
  }
  return bytes(...prefixes.reverse());
}

/** Decodes `body` cut at every byte offset with `check` (an `outcome`); counts the cuts that decoded and failed. */
export function cutAtEveryOffset<R>(
  check: (decode: () => R) => "ok" | "error",
  decode: (body: Uint8Array) => R,
  body: Uint8Array,
): { ok: number; error: number } {
  const outcomes = { ok: 0, error: 0 };
  for (let i = 0; i < body.length; i++) outcomes[check(() => decode(body.subarray(0, i)))]++;
  return outcomes;
}

/** Decodes `count` random byte strings of up to 300 bytes; every other one starts with a plausible tag. */
export function decodeRandomBytes<R>(
  check: (decode: () => R) => "ok" | "error",
  decode: (body: Uint8Array) => R,
  rand: () => number,
  count: number,
): void {
  for (let n = 0; n < count; n++) {
    const input = new Uint8Array(Math.floor(rand() * 300));
    for (let i = 0; i < input.length; i++) input[i] = Math.floor(rand() * 256);
    // Bias the first byte to a plausible tag so some cases get past the first field.
    if (input.length > 0 && n % 2 === 0) input[0] = 0x0a;
    check(() => decode(input));
  }
}

/** Decodes `count` copies of `body` with one to four random byte edits each; returns how many still decoded. */
export function decodeMutations<R>(
  check: (decode: () => R) => "ok" | "error",
  decode: (body: Uint8Array) => R,
  body: Uint8Array,
  rand: () => number,
  count: number,
): number {
  let ok = 0;
  for (let n = 0; n < count; n++) {
    const input = Uint8Array.from(body);
    for (let e = 1 + Math.floor(rand() * 4); e > 0; e--) {
      const at = Math.floor(rand() * input.length);
      input[at] = rand() < 0.5 ? Math.floor(rand() * 256) : (input[at] as number) ^ (1 << Math.floor(rand() * 8));
    }
    if (check(() => decode(input)) === "ok") ok++;
  }
  return ok;
}

/**
 * How deep a decoded value nests: lists followed by their first item, maps by their key `k` (as
 * nestedArrayValue and the tests' nested key-value lists build them); the innermost, empty one counts.
 */
export function nestingDepth(value: unknown): number {
  let depth = 0;
  while (typeof value === "object" && value !== null) {
    depth++;
    value = Array.isArray(value) ? value[0] : (value as Record<string, unknown>).k;
  }
  return depth;
}
