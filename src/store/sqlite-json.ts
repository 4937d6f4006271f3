/** JSON for the SQLite stores' text columns, with the non-finite numbers OTLP doubles can hold. */
import type { Attributes, AttrValue } from "../domain/span.js";

// JSON cannot hold NaN or ±Infinity (OTLP doubles can be either): such values are boxed under a
// key no OTLP attribute can have, and the column is prefixed so only those rows pay for a reviver.
const BOXED_NUMBER_KEY = "\u0000number";
const BOXED_PREFIX = "!";

export function hasNonFiniteNumber(value: AttrValue, depth: number): boolean {
  if (typeof value === "number") return !Number.isFinite(value);
  if (value === null || typeof value !== "object" || depth > 64) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (hasNonFiniteNumber(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) if (hasNonFiniteNumber(value[key] as AttrValue, depth + 1)) return true;
  return false;
}

export function attributesHaveNonFinite(attributes: Attributes): boolean {
  for (const key in attributes) {
    const value = attributes[key] as AttrValue;
    if (typeof value === "object" && value !== null) {
      if (hasNonFiniteNumber(value, 0)) return true;
    } else if (typeof value === "number" && !Number.isFinite(value)) {
      return true;
    }
  }
  return false;
}

function boxNonFinite(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? { [BOXED_NUMBER_KEY]: String(value) } : value;
}

function unboxNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const boxed = (value as Record<string, unknown>)[BOXED_NUMBER_KEY];
    if (typeof boxed === "string" && Object.keys(value).length === 1) return Number(boxed);
  }
  return value;
}

export function encodeJson(value: unknown, nonFinite: boolean): string {
  return nonFinite ? BOXED_PREFIX + JSON.stringify(value, boxNonFinite) : JSON.stringify(value);
}

export function decodeJson<T>(text: string): T {
  return (text.startsWith(BOXED_PREFIX) ? JSON.parse(text.slice(1), unboxNonFinite) : JSON.parse(text)) as T;
}

/** True when JSON.stringify writes every character of `text` as is (no quote, backslash, control or surrogate). */
export function isJsonVerbatim(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}
