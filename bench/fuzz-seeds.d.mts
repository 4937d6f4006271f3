// Types for bench/fuzz-seeds.mjs, which the CI fuzz test imports.
import type { FuzzSeeds } from "./fuzz-lib.mjs";
export function fuzzSeeds(): Promise<{ traces: FuzzSeeds; logs: FuzzSeeds; metrics: FuzzSeeds }>;
