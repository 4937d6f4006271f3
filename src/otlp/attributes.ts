/**
 * The AnyValue → AttrValue mapping both OTLP decoders share (it is the public REST contract):
 * int64 stays a number only while exact, non-finite doubles become strings (JSON has no NaN),
 * bytes become base64 (a span, event, link or log record names which of its values were bytes, and which
 * were int64s kept as digits: `bytes`, see BytesPlace).
 */
import { type BytesPlace, INT_MARK, type ValueStep } from "../domain/bytes-places.js";
import type { AttrValue } from "../domain/span.js";

/**
 * Deepest AnyValue nesting accepted. Real attributes nest two or three levels; the bound keeps hostile
 * input from exhausting the stack of a recursive decoder.
 */
export const MAX_VALUE_DEPTH = 32;

export function doubleAttr(value: number): AttrValue {
  return Number.isFinite(value) ? value : String(value);
}

/** An int64 as a number while |v| <= 2^53 - 1, else as its decimal string. */
export function int64Attr(value: bigint): number | string {
  return value <= MAX_SAFE && value >= MIN_SAFE ? Number(value) : value.toString();
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/**
 * The bytes values met inside the attribute value being read (in its lists and maps, at any depth), as
 * paths built from the inside out while the reading returns: a bytes value opens a path (`found`), and
 * each list item or map entry it is in adds its index or key on the way out (`step`, `entry`). A value
 * without bytes inside costs one comparison per item; nothing is allocated for it.
 */
export class NestedBytes {
  /** The open paths, innermost step first. */
  readonly paths: ValueStep[][] = [];

  /** A bytes value was read inside a list or a map. */
  found(): void {
    this.paths.push([]);
  }

  /**
   * An int64 value was read (at any depth) as `value`: when it is its digits (past 2^53), a path
   * ending in INT_MARK opens, so that it is written as an int64 again. A number costs one comparison.
   * Gives the value back, for the reader to return.
   */
  foundInt(value: number | string): number | string {
    if (typeof value === "string") this.paths.push([INT_MARK]);
    return value;
  }

  /** After item `index` of a list, read when `from` paths were open: the paths it opened get the index. */
  step(from: number, index: number): void {
    for (let i = from; i < this.paths.length; i++) (this.paths[i] as ValueStep[]).push(index);
  }

  /**
   * After the entry `key` of a map, read when `from` paths were open (`listFrom` when the map began):
   * the paths of an earlier entry of the same key are dropped (the last duplicate wins), and those
   * the entry opened get its key. Called only when paths were opened inside the map.
   */
  entry(listFrom: number, from: number, key: string): void {
    const paths = this.paths;
    let start = from;
    for (let i = from - 1; i >= listFrom; i--) {
      if ((paths[i] as ValueStep[]).at(-1) === key) {
        paths.splice(i, 1);
        start--;
      }
    }
    for (let i = start; i < paths.length; i++) (paths[i] as ValueStep[]).push(key);
  }

  /** Forgets the paths opened after the first `open` (by a list or map that a later member of a oneof replaced). */
  dropPast(open: number): void {
    if (this.paths.length !== open) this.paths.length = open;
  }

  /** Forgets the open paths (before an attribute's value is read). */
  clear(): void {
    if (this.paths.length !== 0) this.paths.length = 0;
  }
}

/**
 * Keeps `places` (see BytesPlace) the places of bytes values in an attribute list, after the attribute
 * `key` was read: `bytes` when its own value was bytes, and `nested`'s paths inside it (which are
 * taken: cleared). A repeated key's earlier places are dropped: the last one decides. Most attributes
 * have no bytes and touch nothing.
 */
export function noteBytesPlaces(places: BytesPlace[], key: string, bytes: boolean, nested: NestedBytes): void {
  const paths = nested.paths;
  if (!bytes && paths.length === 0 && places.length === 0) return;
  for (let i = places.length - 1; i >= 0; i--) {
    const place = places[i] as BytesPlace;
    if (place === key || (typeof place !== "string" && place[0] === key)) places.splice(i, 1);
  }
  if (bytes) places.push(key);
  for (const path of paths) places.push([key, ...path.reverse()]);
  nested.clear();
}

/** The paths inside a value (a log record's body) that `nested` holds, outermost step first; taken (cleared). */
export function takeNestedPaths(nested: NestedBytes): ValueStep[][] {
  const paths = nested.paths.map((path) => path.reverse());
  nested.clear();
  return paths;
}
