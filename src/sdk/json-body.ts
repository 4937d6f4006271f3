import { AppError } from "../domain/errors.js";
import { parseJsonExact } from "../domain/exact-json.js";
import { quoteNonFiniteTokens } from "../otlp/json/parse.js";

/** Deepest nesting accepted in SDK JSON: far beyond real variables, and shallow enough to serialize safely. */
export const MAX_JSON_DEPTH = 64;

const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Parses a JSON request body (SDK or UI), bounded in depth. Python's json.dumps writes non-finite floats as the bare tokens
 * NaN, Infinity and -Infinity, which JSON forbids; those become the strings "NaN", "Infinity" and
 * "-Infinity" instead of costing the developer the whole snapshot.
 *
 * With `exactIntegers` (a capture's variables and request context), an integer past 2^53 keeps its
 * digits as a bigint (see domain/exact-json.ts): Python writes them exactly, and JSON.parse would
 * change an order id.
 */
export function parseJsonBody(body: Uint8Array, options: { exactIntegers?: boolean } = {}): unknown {
  const text = decoder.decode(body);
  if (text.trim() === "") throw new AppError(400, "invalid_json", "the body is empty; send a JSON object");
  const parse = options.exactIntegers === true ? parseJsonExact : JSON.parse;
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    const quoted = quoteNonFiniteTokens(text);
    if (quoted === null) throw new AppError(400, "invalid_json", `the body is not JSON: ${(error as Error).message}`);
    try {
      value = parse(quoted);
    } catch (again) {
      throw new AppError(400, "invalid_json", `the body is not JSON: ${(again as Error).message}`);
    }
  }
  assertDepth(value, MAX_JSON_DEPTH);
  return value;
}

/** Throws a 400 when `value` nests deeper than `max` (checked without recursion). */
export function assertDepth(value: unknown, max: number): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== "object") continue;
    if (depth > max) {
      throw new AppError(400, "too_deep", `the JSON nests deeper than ${max} levels; capture a shallower value`);
    }
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
}
