/**
 * Which stored series a point belongs to: (service, attribute set), whatever order its attributes
 * came in. Looked up by a hash of the pair (each attribute hashed alone, the hashes added, so order
 * does not matter) and confirmed by comparing the attributes, which allocates nothing on the way:
 * building a canonical key string per point (sorted keys, concatenated) cost more than storing it.
 */
import type { Attributes, AttrValue } from "../domain/span.js";
import type { MetricSeries } from "./metric-series.js";

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

function hashText(h: number, text: string): number {
  let x = h;
  for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), FNV_PRIME);
  return x;
}

/**
 * hashText from the offset, remembered per string: attribute keys and values repeat from point to
 * point (the decoders share one string per recurring value), and a Map finds a string by the hash V8
 * keeps in it, without walking its characters again.
 */
const textHashes = new Map<string, number>();
const MAX_REMEMBERED = 65_536;

function textHash(text: string): number {
  // Short text hashes faster than a Map finds it.
  if (text.length <= 16) return hashText(FNV_OFFSET, text);
  let h = textHashes.get(text);
  if (h === undefined) {
    h = hashText(FNV_OFFSET, text);
    if (textHashes.size >= MAX_REMEMBERED) textHashes.clear();
    textHashes.set(text, h);
  }
  return h;
}

function hashValue(h: number, v: AttrValue | undefined): number {
  if (typeof v === "string") return Math.imul(h ^ textHash(v), FNV_PRIME);
  if (typeof v === "number") {
    scratch[0] = v;
    return Math.imul(Math.imul(h ^ (scratchWords[0] as number), FNV_PRIME) ^ (scratchWords[1] as number), FNV_PRIME);
  }
  if (typeof v === "boolean") return Math.imul(h ^ (v ? 0x74 : 0x66), FNV_PRIME);
  if (v === null || v === undefined) return Math.imul(h ^ 0x6e, FNV_PRIME);
  // Arrays and maps: rare as metric attributes.
  return hashText(Math.imul(h ^ 0x6a, FNV_PRIME), JSON.stringify(v));
}

/** The hash of a series' identity; equal for equal attribute sets in any key order. */
export function seriesHash(service: string, attributes: Attributes): number {
  let sum = textHash(service);
  for (const key in attributes) {
    // Each pair alone, then added: addition does not care about order.
    sum = (sum + hashValue(textHash(key), attributes[key])) | 0;
  }
  return sum;
}

function sameValue(a: AttrValue | undefined, b: AttrValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The same attribute set (keys and values), in any order. */
export function sameAttributes(a: Attributes, b: Attributes): boolean {
  // The protobuf decoder hands out one object per attribute set it has seen.
  if (a === b) return true;
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(b, key) || !sameValue(a[key], b[key])) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

export class SeriesIndex {
  private readonly byHash = new Map<number, MetricSeries | MetricSeries[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  find(service: string, attributes: Attributes, hash: number): MetricSeries | undefined {
    const found = this.byHash.get(hash);
    if (found === undefined) return undefined;
    if (!Array.isArray(found)) {
      return found.service === service && sameAttributes(found.attributes, attributes) ? found : undefined;
    }
    return found.find((s) => s.service === service && sameAttributes(s.attributes, attributes));
  }

  add(series: MetricSeries): void {
    const found = this.byHash.get(series.hash);
    if (found === undefined) this.byHash.set(series.hash, series);
    else if (Array.isArray(found)) found.push(series);
    else this.byHash.set(series.hash, [found, series]);
    this.count++;
  }

  delete(series: MetricSeries): void {
    const found = this.byHash.get(series.hash);
    if (found === series) this.byHash.delete(series.hash);
    else if (Array.isArray(found)) {
      const rest = found.filter((s) => s !== series);
      if (rest.length === found.length) return;
      this.byHash.set(series.hash, rest.length === 1 ? (rest[0] as MetricSeries) : rest);
    } else return;
    this.count--;
  }

  *values(): Generator<MetricSeries> {
    for (const found of this.byHash.values()) {
      if (Array.isArray(found)) yield* found;
      else yield found;
    }
  }
}
