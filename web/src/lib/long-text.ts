/**
 * Telemetry text can be huge (a 1 MB span name or status message). Rows and titles show at most a
 * line's worth, so they never carry more than this into the page; details cut at LONG_TEXT and
 * offer "show all".
 */
export const ROW_TEXT = 300;
export const LONG_TEXT = 2000;

/** `text` cut to `limit` characters, with an ellipsis when something was left out. */
export function clipText(text: string, limit: number = ROW_TEXT): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}
