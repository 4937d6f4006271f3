import { OtlpDecodeError } from "../errors.js";

const NON_FINITE_TOKENS = ["-Infinity", "Infinity", "NaN"] as const;

/**
 * JSON.parse for OTLP/JSON bodies, also accepting the bare tokens `NaN`, `Infinity` and `-Infinity`
 * outside strings. Python's `json.dumps` writes a non-finite float that way (the TraceKit Python SDK
 * does so for such an attribute); read strictly, one such value loses the whole request. The tokens
 * become the strings the protobuf JSON mapping uses for the same doubles ("NaN", "Infinity",
 * "-Infinity"), which `doubleValue` already reads. Valid JSON never takes the slower second pass.
 */
export function parseOtlpJson(body: Uint8Array): unknown {
  return parseOtlpJsonText(new TextDecoder("utf-8", { fatal: false }).decode(body));
}

/** `parseOtlpJson` for text already decoded (a line of a JSON Lines file). */
export function parseOtlpJsonText(text: string): unknown {
  const exact = LONG_INTEGER_RE.test(text) ? (quoteLongIntegers(text) ?? text) : text;
  try {
    return JSON.parse(exact);
  } catch (error) {
    const quoted = quoteNonFiniteTokens(exact);
    if (quoted !== null) {
      try {
        return JSON.parse(quoted);
      } catch {
        // The body is broken in some other way too: report the first error, which is about the body as sent.
      }
    }
    throw new OtlpDecodeError(`body is not valid JSON (${(error as Error).message})`);
  }
}

/** `text` with every NaN/Infinity/-Infinity token outside a string quoted, or null when it has none (the SDK protocol's JSON bodies use it too). */
export function quoteNonFiniteTokens(text: string): string | null {
  if (!text.includes("NaN") && !text.includes("Infinity")) return null;
  const parts: string[] = [];
  let copiedTo = 0;
  let inString = false;
  let found = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    // Only where a value can start: N, I, or a minus sign.
    if (c !== 0x4e && c !== 0x49 && c !== 0x2d) continue;
    const token = NON_FINITE_TOKENS.find((t) => text.startsWith(t, i));
    if (token === undefined) continue;
    parts.push(text.slice(copiedTo, i), `"${token}"`);
    i += token.length - 1;
    copiedTo = i + 1;
    found = true;
  }
  if (!found) return null;
  parts.push(text.slice(copiedTo));
  return parts.join("");
}

/**
 * An integer literal of 16 to 20 digits outside a string (a value can start after `:`, `,` or `[`); a
 * cheap test that spares the scan below nearly every body, whose long numbers (times) are strings.
 */
const LONG_INTEGER_RE = /[:,[]\s*-?[1-9]\d{15}/;

/**
 * `text` with every integer literal of 16 to 20 digits outside a string quoted, or null when it has none.
 * OTLP/JSON allows 64-bit integers (times, intValue, counts) as numbers as well as strings; JSON.parse
 * would round such a number past 2^53 to a double (1700000000987654321 → 1700000000987654400), while
 * each reader of those fields takes the decimal string exactly. A double field reads the string to the
 * same double JSON.parse makes. Longer literals are no 64-bit integer and stay numbers.
 */
export function quoteLongIntegers(text: string): string | null {
  const parts: string[] = [];
  let copiedTo = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) continue;
    // A number token: it is quoted when it is all digits (no fraction or exponent), without a leading zero.
    const start = i;
    const first = c === 0x2d ? i + 1 : i;
    let digitsEnd = first;
    while (digitsEnd < text.length && isDigit(text.charCodeAt(digitsEnd))) digitsEnd++;
    let end = digitsEnd;
    while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
    const digits = digitsEnd - first;
    if (end === digitsEnd && digits >= 16 && digits <= 20 && text.charCodeAt(first) !== 0x30) {
      parts.push(text.slice(copiedTo, start), `"${text.slice(start, end)}"`);
      copiedTo = end;
    }
    i = end - 1;
  }
  if (parts.length === 0) return null;
  parts.push(text.slice(copiedTo));
  return parts.join("");
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A digit, `.`, `e`, `E`, `+` or `-`: the characters a JSON number is made of. */
function isNumberChar(c: number): boolean {
  return isDigit(c) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}
