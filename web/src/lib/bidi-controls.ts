/**
 * Unicode's bidirectional controls in telemetry text. An RLO in a span name ("GET /users/‮gnp.exe")
 * makes the page show "GET /users/exe.png": what a developer reads is not what was stored. The views
 * draw each control as a visible mark instead, isolated so that it reorders nothing (see UserText).
 * Pure.
 */

/** Each control and the short name its mark shows. */
const CONTROL_NAMES: Readonly<Record<string, string>> = {
  "\u202A": "LRE",
  "\u202B": "RLE",
  "\u202C": "PDF",
  "\u202D": "LRO",
  "\u202E": "RLO",
  "\u2066": "LRI",
  "\u2067": "RLI",
  "\u2068": "FSI",
  "\u2069": "PDI",
  "\u200E": "LRM",
  "\u200F": "RLM",
  "\u061C": "ALM",
};

const CONTROL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
const CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

export function hasBidiControls(text: string): boolean {
  return CONTROL.test(text);
}

/** A run of ordinary text (`control` null), or one control character with its short name. */
export interface TextPiece {
  text: string;
  control: string | null;
}

/** `text` cut into ordinary runs and single controls, in order; joined, the pieces are `text` again. */
export function bidiPieces(text: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let from = 0;
  for (const found of text.matchAll(CONTROLS)) {
    if (found.index > from) pieces.push({ text: text.slice(from, found.index), control: null });
    pieces.push({ text: found[0], control: CONTROL_NAMES[found[0]] ?? "?" });
    from = found.index + found[0].length;
  }
  if (from < text.length || pieces.length === 0) pieces.push({ text: text.slice(from), control: null });
  return pieces;
}

/** `text` with each control written as its mark ("⟨RLO⟩"): for tooltips, which can hold only text. */
export function showBidiControls(text: string): string {
  return hasBidiControls(text) ? text.replace(CONTROLS, (c) => `⟨${CONTROL_NAMES[c] ?? "?"}⟩`) : text;
}
