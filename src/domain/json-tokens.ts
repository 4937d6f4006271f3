/**
 * Rewriting a JSON text's bare value tokens before JSON.parse reads it, strings left as they are: the
 * readers that take what JSON.parse would refuse (`NaN`) or round (an integer past 2^53) quote those
 * tokens first, each with its own rule.
 */

/** What `edit` made of the token at a start: where it ends, and its replacement (null: kept as it is). */
export interface TokenEdit {
  end: number;
  replacement: string | null;
}

/**
 * `text` with tokens replaced as `edit` says, or null when it replaced none. `edit` is called at each
 * character outside a string where a number or a bare word may start (`-`, a digit, `N`, `I`), and its
 * `end` is where the walk goes on: a number read whole, so a fraction's or exponent's digits never
 * start a token of their own.
 */
export function editJsonTokens(text: string, edit: (text: string, start: number) => TokenEdit): string | null {
  const parts: string[] = [];
  let copiedTo = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i) - 1;
      continue;
    }
    if (c !== MINUS && c !== LETTER_N && c !== LETTER_I && (c < ZERO || c > NINE)) continue;
    const { end, replacement } = edit(text, i);
    if (replacement !== null) {
      parts.push(text.slice(copiedTo, i), replacement);
      copiedTo = end;
    }
    i = Math.max(i, end - 1);
  }
  if (parts.length === 0) return null;
  parts.push(text.slice(copiedTo));
  return parts.join("");
}

/** Where the string whose opening quote is at `start` ends: after its closing quote, over escaped characters (the text's end when it has none). */
export function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return text.length;
}

/** Where the token starting at `start` ends when read as a number: its first character and every digit, `.`, `e`, `E`, `+` or `-` after it. */
export function numberEnd(text: string, start: number): number {
  let end = start + 1;
  while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
  return end;
}

function isNumberChar(c: number): boolean {
  return (c >= ZERO && c <= NINE) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const LETTER_N = 0x4e;
const LETTER_I = 0x49;
