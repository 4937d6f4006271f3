/** Telemetry text can be huge (a 1 MB span name, status message or stack trace): what shows of it is its beginning. */

/** `text`'s first `limit` characters (one fewer rather than half of a surrogate pair). */
export function textPrefix(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const last = text.charCodeAt(limit - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit);
}
