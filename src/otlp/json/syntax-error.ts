/**
 * Where JSON.parse stopped in a text that is not JSON, so that a document laid out over many lines can
 * be reported at its line and column. V8 says so in its message in one of two ways: "… in JSON at
 * position N" (Node 22 adds "(line L column C)"), or, for a token that cannot start or follow what came
 * before, "Unexpected token 'x', …"excerpt"… is not valid JSON", with no position but the text around
 * the token (up to ten characters either side, or the whole text when it is short).
 */
import { OtlpDecodeError } from "../errors.js";

/** A body that is not JSON, with where the parser stopped (a UTF-16 offset into the text), when known. */
export class JsonSyntaxError extends OtlpDecodeError {
  constructor(
    reason: string,
    readonly position: number | null,
  ) {
    super(`body is not valid JSON (${printable(reason)})`);
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f\u2028\u2029]/g;

/**
 * V8's excerpt is the text as it is: its line breaks would break the line the message is printed on,
 * so they (and other control characters) are written as escapes.
 */
function printable(reason: string): string {
  return reason.replace(CONTROLS, (char) => {
    if (char === "\n") return "\\n";
    if (char === "\r") return "\\r";
    if (char === "\t") return "\\t";
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/**
 * Where JSON.parse stopped in `text`, from its error `message`; null when the message does not say.
 * Cut short, the text stops where its content does, before the white space (blank lines) it may end
 * with: V8 says "Unexpected end of JSON input", or names the end of the text ("Expected ',' or ']' after
 * array element in JSON at position <length>"), which would be a line past the last one with content.
 */
export function syntaxErrorPosition(text: string, message: string): number | null {
  if (/Unexpected end of JSON input/.test(message)) return text.trimEnd().length;
  const match = /at position (\d+)/.exec(message);
  const position = match !== null ? Number(match[1]) : unexpectedTokenPosition(text, message);
  return position !== null && position >= text.length ? text.trimEnd().length : position;
}

/** "Unexpected token 'x', " then the excerpt in quotes, with "..." where it is cut from a longer text. */
const UNEXPECTED_TOKEN = /^Unexpected token '([\s\S])', (?:\.\.\.)?"([\s\S]*)"(?:\.\.\.)? is not valid JSON/;

/** How many places the excerpt is looked for, and how many of its token's places are tried. */
const MAX_EXCERPTS = 16;
const MAX_TRIES = 32;

/**
 * The offset of the unexpected token in `text`, found from the excerpt around it. The excerpt may occur
 * more than once (in a string value, say), and the token more than once in it, so each place it may be
 * is tried in order: the text up to and including the token is parsed again, and the first place where
 * that fails on this token is the one. Up to any place before it, the text is a valid start of JSON,
 * whose parse fails only for its end.
 */
function unexpectedTokenPosition(text: string, message: string): number | null {
  const match = UNEXPECTED_TOKEN.exec(message);
  if (match === null) return null;
  const token = match[1] as string;
  const excerpt = match[2] as string;
  const places = new Set<number>();
  let found = 0;
  for (let at = text.indexOf(excerpt); at !== -1 && found < MAX_EXCERPTS; at = text.indexOf(excerpt, at + 1)) {
    found++;
    for (let i = excerpt.indexOf(token); i !== -1; i = excerpt.indexOf(token, i + 1)) places.add(at + i);
  }
  const ordered = [...places].sort((a, b) => a - b).slice(0, MAX_TRIES);
  return ordered.find((place) => failsAtToken(text.slice(0, place + 1), token)) ?? null;
}

function failsAtToken(start: string, token: string): boolean {
  try {
    JSON.parse(start);
    return false;
  } catch (error) {
    return (error as Error).message.startsWith(`Unexpected token '${token}'`);
  }
}
