/**
 * Where in an attribute map the values sent as OTLP `bytes` are. They are kept as base64 strings,
 * which alone could not be told from text; a place names one so that it can be shown and exported as
 * bytes again. A place is the key of an attribute whose own value was bytes, or, for a value inside a
 * list or a map, that key followed by the steps inward: an index in a list, a key in a map
 * (`["payload", 2, "id"]`). A map with no bytes anywhere, the common case, has no places at all
 * (`undefined`), and one whose bytes are all its own values has only keys, as before nested ones
 * were named.
 *
 * An OTLP int64 past ±(2^53 − 1) is kept as its decimal digits (a JSON number would round it), which
 * alone could not be told from text either: the same list names it, by a place whose last step is
 * INT_MARK (`["big", -1]` for an attribute's own value, `["ids", 0, -1]` inside a list), so that it is
 * exported as an intValue again. Such places never reach the REST API (`bytesOnly`). Pure.
 */
import type { Attributes, AttrValue } from "./span.js";

/** A step into a value: an index in a list or a key in a map. */
export type ValueStep = string | number;

/** A key (its value was bytes), or a key and the steps to a bytes value inside its value (two steps or more). */
export type BytesPlace = string | readonly ValueStep[];

/**
 * The last step of a place that names an int64 kept as its digits, not bytes. No index is negative,
 * so it cannot be read as a step into a list.
 */
export const INT_MARK = -1;

/** Whether `place` names an int64 kept as its digits (it ends in INT_MARK). */
export function isIntPlace(place: BytesPlace): place is readonly ValueStep[] {
  return typeof place !== "string" && place[place.length - 1] === INT_MARK;
}

/** The value at `path` inside `value` (an int place's mark is no step), or undefined when there is none. */
function valueAt(value: AttrValue | undefined, path: readonly ValueStep[], from: number): AttrValue | undefined {
  let at = value;
  const end = path[path.length - 1] === INT_MARK ? path.length - 1 : path.length;
  for (let i = from; i < end && at !== undefined; i++) {
    const step = path[i] as ValueStep;
    if (at === null || typeof at !== "object") return undefined;
    if (Array.isArray(at)) at = typeof step === "number" ? at[step] : undefined;
    else at = typeof step === "string" && Object.hasOwn(at, step) ? at[step] : undefined;
  }
  return at;
}

/** Whether `place` names a string value of `attributes` (a base64 text, as bytes are kept, or an int64's digits). */
export function placeHolds(attributes: Attributes, place: BytesPlace): boolean {
  if (typeof place === "string") return Object.hasOwn(attributes, place) && typeof attributes[place] === "string";
  const key = place[0];
  if (typeof key !== "string" || !Object.hasOwn(attributes, key)) return false;
  return typeof valueAt(attributes[key], place, 1) === "string";
}

/** The places that still name a string of `attributes`, copied; undefined when none does. */
export function keptPlaces(places: readonly BytesPlace[], attributes: Attributes): BytesPlace[] | undefined {
  if (places.length === 0) return undefined;
  const kept = places.filter((place) => placeHolds(attributes, place));
  return kept.length === 0 ? undefined : kept;
}

/**
 * The paths (inside a log record's body) that lead to a string of `body`, copied; undefined when none
 * does. `[INT_MARK]` alone is the body itself, an int64 kept as its digits.
 */
export function keptBodyPaths(paths: readonly (readonly ValueStep[])[], body: AttrValue): ValueStep[][] | undefined {
  const kept = paths.filter((path) => path.length > 0 && typeof valueAt(body, path, 0) === "string");
  return kept.length === 0 ? undefined : kept.map((path) => [...path]);
}

/** The value at `path` (steps into lists and maps) inside `value`, or undefined when there is none. */
export function valueAtPath(value: AttrValue, path: readonly ValueStep[]): AttrValue | undefined {
  return valueAt(value, path, 0);
}

/** Whether `places` holds `key` itself: its value was bytes. */
export function isBytesKey(places: readonly BytesPlace[] | undefined, key: string): boolean {
  return places?.includes(key) === true;
}

/** The paths inside `key`'s value to the bytes in it (each without the key); empty when none. */
export function placesInside(places: readonly BytesPlace[] | undefined, key: string): ValueStep[][] {
  const inside: ValueStep[][] = [];
  if (places === undefined) return inside;
  for (const place of places) if (typeof place !== "string" && place[0] === key) inside.push(place.slice(1));
  return inside;
}

/**
 * The places of bytes values alone (those of int64s left out): the same list when it names no int64,
 * the common case; undefined when it names nothing else.
 */
export function bytesOnly<T extends BytesPlace>(places: readonly T[] | undefined): T[] | undefined {
  if (places === undefined || !places.some(isIntPlace)) return places as T[] | undefined;
  const bytes = places.filter((place) => !isIntPlace(place));
  return bytes.length === 0 ? undefined : bytes;
}

/** Whether two place lists name the same places (their order is not data). */
export function samePlaces(a: readonly BytesPlace[] | undefined, b: readonly BytesPlace[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  const text = (place: BytesPlace) => JSON.stringify(place);
  const ys = new Set(y.map(text));
  return x.every((place) => ys.has(text(place)));
}

/** A path inside a value as text: `[2].id` (the key of a map step as JSON when it is not a plain name). */
export function pathText(path: readonly ValueStep[]): string {
  let text = "";
  for (const step of path) {
    if (typeof step === "number") text += `[${step}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(step)) text += text === "" ? step : `.${step}`;
    else text += `[${JSON.stringify(step)}]`;
  }
  return text;
}
