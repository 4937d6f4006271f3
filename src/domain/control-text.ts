/**
 * Telemetry text made safe to hand on as plain text (a terminal line, an MCP answer): control
 * characters (NUL, BEL, a terminal's ESC sequences, the C1 controls) never pass through, and neither
 * do Unicode's bidirectional controls, which would make the text after them read reordered. Both are
 * invisible: bidi controls are dropped, and each run of control characters becomes one space. Pure.
 */

/** The bidi controls, as a regular expression's character class: embeddings and overrides, isolates, and the marks (LRM, RLM, ALM). */
export const BIDI_CONTROLS = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";

const BIDI = new RegExp(`[${BIDI_CONTROLS}]+`, "g");

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROLS_BUT_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]+/g;

/** Text on one line: line breaks and tabs, like every other control character, become a space. */
export function oneLineText(text: string): string {
  return text.replace(BIDI, "").replace(CONTROLS, " ");
}

/**
 * Text whose lines are kept (a record's body in full): line breaks (CR LF, CR, LS and PS read as LF)
 * and tabs stay; every other control character goes as `oneLineText` takes them.
 */
export function multiLineText(text: string): string {
  return text
    .replace(BIDI, "")
    .replace(/\r\n?|[\u2028\u2029]/g, "\n")
    .replace(CONTROLS_BUT_BREAKS, " ");
}
