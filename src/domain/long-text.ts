/**
 * Telemetry text can be huge (a 1 MB span name, status message or stack trace): what shows of it is
 * its beginning. What lists and feeds carry (trace summaries, error groups) is cut here too, so a huge
 * name costs them no more than a line's worth; the trace itself keeps every value whole.
 */

/** The most characters of a name or message that a trace summary or an error group carries. */
export const LIST_TEXT = 4_096;
/** The most characters of an error group's stack trace (the frames of an ordinary one all fit). */
export const LIST_STACK_TEXT = 32_768;

/** `text`'s first `limit` characters (one fewer rather than half of a surrogate pair). */
export function textPrefix(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const last = text.charCodeAt(limit - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit);
}

/**
 * The 1-based number of the character at UTF-16 index `index` of `text`, as a reader counts them: a
 * character past U+FFFF (an emoji, a CJK extension) is one, not the two code units JavaScript counts.
 */
export function characterNumber(text: string, index: number): number {
  let number = 1;
  for (let at = 0; at < index && at < text.length; number++) at += (text.codePointAt(at) as number) > 0xffff ? 2 : 1;
  return number;
}
