/**
 * Unicode's bidirectional controls, as the inside of a regular expression's character class: the
 * embeddings and overrides (U+202A–U+202E), the isolates (U+2066–U+2069) and the marks (U+200E, U+200F,
 * U+061C). Shown as they are, they reorder what a terminal prints after them, so telemetry could make
 * a line read as something else.
 */
export const BIDI_CONTROLS = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";

const UNSAFE = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f\\u2028\\u2029${BIDI_CONTROLS}]`, "g");

/**
 * Text that came with a request (a path, a header, a service name) made safe for the terminal: a
 * control character is shown as an escape (`\x1b`), never passed through, so nobody who can send a
 * request (a web page can POST to any path) can recolour, retitle or clear the developer's terminal,
 * or write a line that looks like another one. Newlines are kept: callers print one line per event.
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
