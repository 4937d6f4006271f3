/**
 * A string value that holds a JSON object or array (a request body, or a list or map an SDK sent as
 * text), indented for reading. The text is laid out again as it is, token by token, not parsed and
 * written back: numbers keep every digit and spelling (`12345678901234567890`, `1.0`), keys their
 * order and repeats. A string with escapes reads as JSON.stringify writes it (`\u00e9` as é, as
 * Python's json.dumps escapes every character past ASCII; quotes and control characters stay escaped). Pure.
 */

import { numberEnd, stringEnd } from "../../../src/domain/json-tokens";

/** Values up to this long are checked for JSON when first shown; longer ones only when asked. */
export const EAGER_JSON_CHARS = 64 * 1024;

const INDENT = "  ";

/** Deeper nesting is shown as sent: each line repeats the indent, so output grows with the square of the depth. */
export const MAX_INDENT_DEPTH = 100;

/** Indented text may be at most this many times the text as sent (plus 64 Ki characters); past that it is shown as sent. */
const MAX_GROWTH = 16;

function isBlank(code: number): boolean {
  // JSON white space: space, tab, line feed, carriage return.
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** Whether `text` starts with `{` or `[` and ends with its `}` or `]` (blanks around aside): cheap, no parse. */
export function looksLikeJson(text: string): boolean {
  let start = 0;
  let end = text.length - 1;
  while (start <= end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end))) end--;
  if (end <= start) return false;
  const first = text[start];
  const last = text[end];
  return (first === "{" && last === "}") || (first === "[" && last === "]");
}

/** Whether `text` is a JSON object or array (blanks around aside). */
export function parsesAsJson(text: string): boolean {
  if (!looksLikeJson(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * `text` indented two spaces a level when it is a JSON object or array; null when it is not (or does not
 * parse), or when indenting would nest deeper than MAX_INDENT_DEPTH or grow the text past MAX_GROWTH times.
 */
export function indentJson(text: string): string | null {
  return parsesAsJson(text) ? indentParsedJson(text) : null;
}

/**
 * indentJson for a text already known to parse as a JSON object or array (parsesAsJson): null only when
 * indenting would nest too deeply or grow too long.
 */
export function indentParsedJson(text: string): string | null {
  const trimmed = text.trim();
  const out: string[] = [];
  const limit = MAX_GROWTH * trimmed.length + 64 * 1024;
  let length = 0;
  let depth = 0;
  const newline = () => {
    length += 1 + INDENT.length * depth;
    return `\n${INDENT.repeat(depth)}`;
  };
  for (let i = 0; i < trimmed.length; ) {
    if (depth > MAX_INDENT_DEPTH || length > limit) return null;
    const c = trimmed[i] as string;
    const code = trimmed.charCodeAt(i);
    if (isBlank(code)) {
      i++;
    } else if (c === '"') {
      const end = stringEnd(trimmed, i);
      const token = trimmed.slice(i, end);
      out.push(token.includes("\\") ? JSON.stringify(JSON.parse(token) as string) : token);
      i = end;
    } else if (c === "{" || c === "[") {
      let next = i + 1;
      while (next < trimmed.length && isBlank(trimmed.charCodeAt(next))) next++;
      if (trimmed[next] === (c === "{" ? "}" : "]")) {
        // An empty object or list stays on its line.
        out.push(c === "{" ? "{}" : "[]");
        i = next + 1;
      } else {
        depth++;
        out.push(c, newline());
        i++;
      }
    } else if (c === "}" || c === "]") {
      depth--;
      out.push(newline(), c);
      i++;
    } else if (c === ",") {
      out.push(",", newline());
      i++;
    } else if (c === ":") {
      out.push(": ");
      i++;
    } else {
      // true, null, false or a number (the text parsed, so it is one of them).
      const end = c === "t" || c === "n" ? i + 4 : c === "f" ? i + 5 : numberEnd(trimmed, i);
      out.push(trimmed.slice(i, end));
      i = end;
    }
  }
  return out.join("");
}
