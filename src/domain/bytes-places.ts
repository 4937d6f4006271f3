/**
 * Where in an attribute map the values sent as OTLP `bytes` are. They are kept as base64 strings,
 * which alone could not be told from text; a place names one so that it can be shown and exported as
 * bytes again. A place is the key of an attribute whose own value was bytes, or, for a value inside a
 * list or a map, that key followed by the steps inward: an index in a list, a key in a map
 * (`["payload", 2, "id"]`). A map with no bytes anywhere, the common case, has no places at all
 * (`undefined`), and one whose bytes are all its own values has only keys, as before nested ones
 * were named. Pure.
 */
import type { Attributes, AttrValue } from "./span.js";

/** A step into a value: an index in a list or a key in a map. */
export type ValueStep = string | number;

/** A key (its value was bytes), or a key and the steps to a bytes value inside its value (two steps or more). */
export type BytesPlace = string | readonly ValueStep[];

/** The value at `path` inside `value`, or undefined when there is none. */
function valueAt(value: AttrValue | undefined, path: readonly ValueStep[], from: number): AttrValue | undefined {
  let at = value;
  for (let i = from; i < path.length && at !== undefined; i++) {
    const step = path[i] as ValueStep;
    if (at === null || typeof at !== "object") return undefined;
    if (Array.isArray(at)) at = typeof step === "number" ? at[step] : undefined;
    else at = typeof step === "string" && Object.hasOwn(at, step) ? at[step] : undefined;
  }
  return at;
}

/** Whether `place` names a string value of `attributes` (a base64 text, as bytes are kept). */
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

/** The paths (inside a log record's body) that lead to a string of `body`, copied; undefined when none does. */
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
