/** JSON for the SQLite stores' text columns, with the numbers OTLP doubles can hold that JSON cannot. */
import type { Attributes, AttrValue } from "../domain/span.js";

// JSON cannot hold NaN or ±Infinity (OTLP doubles can be either), and JSON.stringify writes -0 as 0:
// such values are boxed under a key no OTLP attribute can have, and the column is prefixed so only
// those rows pay for a reviver. (Rows written before -0 was boxed read back as they were, with 0.)
const BOXED_NUMBER_KEY = "\u0000number";
const BOXED_PREFIX = "!";

/** A number JSON.stringify would not write back as itself. */
function isBoxed(value: number): boolean {
  return !Number.isFinite(value) || Object.is(value, -0);
}

export function hasBoxedNumber(value: AttrValue, depth: number): boolean {
  if (typeof value === "number") return isBoxed(value);
  if (value === null || typeof value !== "object" || depth > 64) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (hasBoxedNumber(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) if (hasBoxedNumber(value[key] as AttrValue, depth + 1)) return true;
  return false;
}

export function attributesHaveBoxedNumber(attributes: Attributes): boolean {
  for (const key in attributes) {
    const value = attributes[key] as AttrValue;
    if (typeof value === "object" && value !== null) {
      if (hasBoxedNumber(value, 0)) return true;
    } else if (typeof value === "number" && isBoxed(value)) {
      return true;
    }
  }
  return false;
}

function boxNumber(_key: string, value: unknown): unknown {
  if (typeof value !== "number" || !isBoxed(value)) return value;
  // String(-0) is "0".
  return { [BOXED_NUMBER_KEY]: Object.is(value, -0) ? "-0" : String(value) };
}

function unboxNumber(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const boxed = (value as Record<string, unknown>)[BOXED_NUMBER_KEY];
    if (typeof boxed === "string" && Object.keys(value).length === 1) return Number(boxed);
  }
  return value;
}

/** `boxed`: the value holds a number JSON cannot write (hasBoxedNumber, attributesHaveBoxedNumber). */
export function encodeJson(value: unknown, boxed: boolean): string {
  return boxed ? BOXED_PREFIX + JSON.stringify(value, boxNumber) : JSON.stringify(value);
}

export function decodeJson<T>(text: string): T {
  return (text.startsWith(BOXED_PREFIX) ? JSON.parse(text.slice(1), unboxNumber) : JSON.parse(text)) as T;
}

/** True when JSON.stringify writes every character of `text` as is (no quote, backslash, control or surrogate). */
export function isJsonVerbatim(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}
