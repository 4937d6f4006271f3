import { editJsonTokens, numberEnd } from "./json-tokens.js";

/**
 * JSON whose integers keep every digit. JSON.parse reads every number as a double, so an integer past
 * 2^53 comes back changed (Python's json.dumps writes 9007199254740993 and 1234567890123456789 exactly;
 * JSON.parse makes them 9007199254740992 and 1234567890123456800).
 *
 * The representation follows the span side's bound (otlp/attributes.ts `int64Attr`): an integer is a
 * number while it is a safe integer, and beyond that something that keeps its digits. Attributes can
 * use a decimal string there because OTLP's typed wire says what they were; an SDK's variables are
 * untyped JSON, where a string of digits is a string, so here the digits are kept as a `bigint` in
 * memory and written back as the same bare digits in JSON text (stored detail, the REST answer).
 * Readers in JavaScript use `parseJsonExact`; any other JSON reader (Python, jq) gets the exact number.
 * Only integer tokens change: a number with a fraction or an exponent stays a double, as sent.
 */

/** A digit run this long may be an unsafe integer (the largest safe one has 16 digits); shorter never is. */
const LONG_DIGIT_RUN = /\d{16}/;

/**
 * JSON.parse, except that integers outside the safe range become bigints with their exact digits.
 * Text without a run of 16 digits takes JSON.parse alone. Throws JSON.parse's SyntaxError.
 */
export function parseJsonExact(text: string): unknown {
  if (!LONG_DIGIT_RUN.test(text)) return JSON.parse(text);
  const marked = markLargeIntegers(text);
  if (marked === null) return JSON.parse(text);
  return JSON.parse(marked.text, (_key, value: unknown) =>
    typeof value === "string" && value.startsWith(marked.mark) ? BigInt(value.slice(marked.mark.length)) : value,
  );
}

/** JSON.stringify for values `parseJsonExact` returns: a bigint is written as its bare digits. */
export function stringifyJsonExact(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    // JSON.stringify refuses a bigint (TypeError); parsed JSON has no cycles, the other cause.
    if (!(error instanceof TypeError)) throw error;
    const out: string[] = [];
    writeExact(value, out);
    return out.join("");
  }
}

function writeExact(value: unknown, out: string[]): void {
  if (typeof value === "bigint") {
    out.push(value.toString());
  } else if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(",");
      const item: unknown = value[i];
      // As JSON.stringify: an array item that JSON cannot hold is null.
      if (item === undefined || typeof item === "function" || typeof item === "symbol") out.push("null");
      else writeExact(item, out);
    }
    out.push("]");
  } else if (value !== null && typeof value === "object") {
    out.push("{");
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
      if (!first) out.push(",");
      first = false;
      out.push(JSON.stringify(key), ":");
      writeExact(item, out);
    }
    out.push("}");
  } else {
    out.push(JSON.stringify(value) ?? "null");
  }
}

/**
 * `text` with each integer token outside strings that is not a safe integer turned into a string
 * `mark` + digits, or null when it has none. The mark starts with U+0000, which a JSON string holds
 * only when written as the escape \u0000; when the text has that escape the mark also carries a
 * random part, so no string the sender wrote can pass for one.
 */
function markLargeIntegers(text: string): { text: string; mark: string } | null {
  const nonce = text.includes("\\u0000") ? `${Math.random().toString(36).slice(2)}:` : "";
  // In the text the mark's U+0000 is written as its escape: JSON forbids it bare inside a string.
  const written = `\\u0000${nonce}`;
  const marked = editJsonTokens(text, (all, start) => {
    const end = numberEnd(all, start);
    const token = all.slice(start, end);
    const large = /^-?[1-9]\d{15,}$/.test(token) && !Number.isSafeInteger(Number(token));
    return { end, replacement: large ? `"${written}${token}"` : null };
  });
  return marked === null ? null : { text: marked, mark: `\u0000${nonce}` };
}
