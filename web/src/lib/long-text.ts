import { textPrefix } from "../../../src/domain/long-text";

/**
 * Telemetry text can be huge (a 1 MB span name or status message). Rows and titles show at most a
 * line's worth, so they never carry more than this into the page; details cut at LONG_TEXT and
 * offer "show all", a stack trace at STACK_TEXT (its frames are many short lines).
 */
export const ROW_TEXT = 300;
export const LONG_TEXT = 2000;
export const STACK_TEXT = 10_000;

/** `text` cut to `limit` characters (never half of a surrogate pair), with an ellipsis when something was left out. */
export function clipText(text: string, limit: number = ROW_TEXT): string {
  return text.length > limit ? `${textPrefix(text, limit)}…` : text;
}
