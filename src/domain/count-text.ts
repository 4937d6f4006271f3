/**
 * A count with thousands separators ("350,000"), rounded to a whole number, as
 * `Math.round(n).toLocaleString("en-US")` writes it, without it: the first `toLocaleString` call of a
 * process (or a page) loads ICU's number formatting, ~50 ms that the server's start-up lines (and the
 * browser opening after them), or a page's first render, would wait for. Every count the product
 * writes goes through it: the CLI's lines, the messages of the receivers and stores (OTLP partial
 * successes, import reasons), the MCP tools' text and the web app (as `formatCount`).
 */
export function count(n: number): string {
  const rounded = Math.round(n);
  // Past 2^53 String() writes an exponent ("1e+21"), which only the locale's formatting groups.
  if (!Number.isSafeInteger(rounded)) return rounded.toLocaleString("en-US");
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+$)/g, ",");
  return rounded < 0 ? `-${digits}` : digits;
}

/** A count and its noun, singular for one: "1 trace", "12 traces", "1,000 log records". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${Math.round(n) === 1 ? one : many}`;
}
