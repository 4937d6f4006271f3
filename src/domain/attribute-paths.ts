import type { Attributes, AttrValue } from "./span.js";

/**
 * A dotted key read as a path into map attributes: `user.id` also names `id` inside the map `user`, as
 * winston's and pino's metadata (`{ user: { id: 5 } }`) arrive, an OTLP kvlist. OpenTelemetry's own
 * keys hold dots too (`http.request.method`), so every split is a read: the top-level key `key`, which
 * must hold a map, and the rest of the path inside it, which may itself be one key with dots or more steps.
 */
export interface PathRead {
  key: string;
  rest: string;
}

/** A key's splits at each dot with text on both sides; none for a key without a dot. */
function splitsOf(key: string): PathRead[] {
  const reads: PathRead[] = [];
  for (let at = key.indexOf(".", 1); at > 0 && at < key.length - 1; at = key.indexOf(".", at + 1)) {
    reads.push({ key: key.slice(0, at), rest: key.slice(at + 1) });
  }
  return reads;
}

/**
 * The reads of a key into a top-level map attribute, one per split (see splitsOf), the longest
 * top-level key first: `app.customer.tier` reads `tier` in the map `app.customer`, and `customer.tier`
 * in the map `app`, as OpenTelemetry's own keys (namespaced, `app.customer`) may hold a map. A match
 * by any read counts. Empty for a key without a dot.
 */
export function pathReadsOf(key: string): PathRead[] {
  return splitsOf(key).reverse();
}

/** The top-level keys a dotted key reads a map under (see pathReadsOf). */
export function pathKeysOf(key: string): string[] {
  return pathReadsOf(key).map((read) => read.key);
}

type AttrMap = { [key: string]: AttrValue };

/** A map value's own entry (never an inherited property such as `constructor` or `__proto__`). */
function mapEntry(map: AttrMap, key: string): AttrValue | undefined {
  const value = map[key];
  if (value === undefined || typeof value === "function") return undefined;
  // Only an object needs the own-property check: an inherited one (`__proto__`) is an object too.
  return typeof value !== "object" || value === null || Object.hasOwn(map, key) ? value : undefined;
}

function testPath(value: AttrValue | undefined, rest: string, test: (value: AttrValue) => boolean): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const whole = mapEntry(value, rest);
  if (whole !== undefined && test(whole)) return true;
  for (const read of splitsOf(rest)) if (testPath(mapEntry(value, read.key), read.rest, test)) return true;
  return false;
}

/**
 * Whether a value at one of the paths (see pathReadsOf) passes `test`. Callers look up the flat key
 * first, and these only for a dotted key that missed; then each read costs one lookup where its
 * top-level key holds no map, as in most attribute sets.
 */
export function testPathsIn(
  attributes: Attributes,
  paths: readonly PathRead[],
  test: (value: AttrValue) => boolean,
): boolean {
  for (const path of paths) {
    const value = attributes[path.key];
    if (typeof value !== "object" || value === null || !Object.hasOwn(attributes, path.key)) continue;
    if (testPath(value, path.rest, test)) return true;
  }
  return false;
}
