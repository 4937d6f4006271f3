/**
 * An integer with thousands separators ("350,000"), as `toLocaleString("en-US")` writes it, without
 * it: the first `toLocaleString` call of a process loads ICU's number formatting, ~50 ms that the
 * server's start-up lines (and the browser opening after them) would wait for. Every count the
 * product writes goes through it: the CLI's lines, and the messages of the receivers and stores
 * (OTLP partial successes, import reasons).
 */
export function count(n: number): string {
  const sign = n < 0 ? "-" : "";
  const digits = String(Math.trunc(Math.abs(n)));
  let out = "";
  for (let end = digits.length; end > 0; end -= 3) {
    const group = digits.slice(Math.max(0, end - 3), end);
    out = out === "" ? group : `${group},${out}`;
  }
  return sign + out;
}
