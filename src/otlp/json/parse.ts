import { editJsonTokens, numberEnd } from "../../domain/json-tokens.js";
import { JsonSyntaxError, syntaxErrorPosition } from "./syntax-error.js";

export { JsonSyntaxError } from "./syntax-error.js";

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
    throw new JsonSyntaxError((error as Error).message, positionInText(text, exact, error as Error));
  }
}

/**
 * Where JSON.parse stopped in `text`. When long integers were quoted before parsing, offsets after them
 * moved, so the text as given is parsed again (only on this error path) for the offset in it.
 */
function positionInText(text: string, parsed: string, error: Error): number | null {
  let message = error.message;
  if (parsed !== text) {
    try {
      JSON.parse(text);
    } catch (original) {
      message = (original as Error).message;
    }
  }
  return syntaxErrorPosition(text, message);
}

/** `text` with every NaN/Infinity/-Infinity token outside a string quoted, or null when it has none (the SDK protocol's JSON bodies use it too). */
export function quoteNonFiniteTokens(text: string): string | null {
  if (!text.includes("NaN") && !text.includes("Infinity")) return null;
  return editJsonTokens(text, (all, start) => {
    const token = NON_FINITE_TOKENS.find((word) => all.startsWith(word, start));
    if (token === undefined) return { end: numberEnd(all, start), replacement: null };
    return { end: start + token.length, replacement: `"${token}"` };
  });
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
  return editJsonTokens(text, (all, start) => {
    const end = numberEnd(all, start);
    const token = all.slice(start, end);
    return { end, replacement: LONG_INTEGER.test(token) ? `"${token}"` : null };
  });
}

/** An integer of 16 to 20 digits, without a leading zero, fraction or exponent. */
const LONG_INTEGER = /^-?[1-9]\d{15,19}$/;
