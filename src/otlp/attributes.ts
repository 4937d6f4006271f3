/**
 * The AnyValue → AttrValue mapping both OTLP decoders share (it is the public REST contract):
 * int64 stays a number only while exact, non-finite doubles become strings (JSON has no NaN),
 * bytes become base64 (a span, event, link or log record names which of its values were bytes: `bytes`).
 */
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

/** Keeps `keys` the attribute keys whose value (the last one, when a key repeats) was OTLP bytes. */
export function noteBytesKey(keys: string[], key: string, bytes: boolean): void {
  const at = keys.indexOf(key);
  if (bytes && at === -1) keys.push(key);
  else if (!bytes && at !== -1) keys.splice(at, 1);
}
