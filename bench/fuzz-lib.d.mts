// Types for bench/fuzz-lib.mjs, which the CI fuzz test imports.
export interface Rand {
  next(): number;
  int(n: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}
export interface FuzzSeeds {
  protobuf: Uint8Array[];
  json: Uint8Array[];
}
export interface FuzzCase {
  headers: Record<string, string>;
  body: Uint8Array;
}
export function prng(seed: number): Rand;
export function mutateBytes(rand: Rand, body: Uint8Array, donors?: Uint8Array[]): Uint8Array;
export function mutateJson(rand: Rand, text: string): Uint8Array;
export function fuzzCases(rand: Rand, seeds: FuzzSeeds, count: number): Generator<FuzzCase>;
export function runFuzz(options: {
  base: string;
  path: string;
  cases: Iterable<FuzzCase>;
  concurrency?: number;
}): Promise<{
  statuses: Record<string, number>;
  unexpected: { status: number | string; fuzzCase: FuzzCase }[];
}>;
