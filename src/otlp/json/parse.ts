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
  try {
    return JSON.parse(text);
  } catch (error) {
    const quoted = quoteNonFiniteTokens(text);
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
