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
 * The read of a key into a top-level map attribute: under its first part (`user` for `user.id`, `http`
 * for `http.request.method`), so a search for a key that is not there costs one more lookup per
 * attribute set, not one per dot; inside a map every split is tried. Undefined for a key without a dot.
 */
export function pathReadOf(key: string): PathRead | undefined {
  const at = key.indexOf(".", 1);
  return at > 0 && at < key.length - 1 ? { key: key.slice(0, at), rest: key.slice(at + 1) } : undefined;
}

/** The top-level key a dotted key reads a map under (see pathReadOf), as a list: none or one. */
export function pathKeysOf(key: string): string[] {
  const read = pathReadOf(key);
  return read === undefined ? [] : [read.key];
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
 * Whether a value at the path (see pathReadOf) passes `test`. Where the first part holds no map, as
 * in most attribute sets, this is one lookup: callers look up the flat key first, and this only for
 * a dotted key that missed.
 */
export function testPathIn(attributes: Attributes, path: PathRead, test: (value: AttrValue) => boolean): boolean {
  const value = attributes[path.key];
  if (typeof value !== "object" || value === null || !Object.hasOwn(attributes, path.key)) return false;
  return testPath(value, path.rest, test);
}
