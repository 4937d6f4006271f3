import { BIDI_CONTROLS } from "../domain/control-text.js";

// Unicode's bidirectional controls (domain/control-text.ts), shown as they are, reorder what a terminal
// prints after them, so telemetry could make a line read as something else.
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
