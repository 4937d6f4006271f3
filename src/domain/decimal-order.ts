/**
 * Exact order of numbers written in decimal. An int64 attribute past 2^53 is kept as its decimal text
 * (otlp/attributes.ts), and a double cannot tell 9007199254740993 from 9007199254740992: a query's
 * comparison past that bound reads the digits instead.
 */

/** Plain decimal notation: a sign, digits, a fraction; no exponent, no hex. */
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

interface DecimalParts {
  negative: boolean;
  digits: string;
  fraction: string;
}

function decimalParts(text: string): DecimalParts | undefined {
  const match = DECIMAL.exec(text.trim());
  if (match === null) return undefined;
  const digits = match[2] ?? "";
  const fraction = match[3] ?? "";
  if (digits === "" && fraction === "") return undefined;
  return { negative: match[1] === "-", digits, fraction };
}

function scaled(parts: DecimalParts, places: number): bigint {
  const magnitude = BigInt(`${parts.digits}${parts.fraction.padEnd(places, "0")}` || "0");
  return parts.negative ? -magnitude : magnitude;
}

/**
 * -1, 0 or 1 as the number `a` is written is below, equal to or above `b`, exactly, or undefined when
 * either is not plain decimal notation (`1e3`, `0x10`, `Infinity`): the caller compares doubles then.
 */
export function compareDecimalTexts(a: string, b: string): -1 | 0 | 1 | undefined {
  const left = decimalParts(a);
  const right = decimalParts(b);
  if (left === undefined || right === undefined) return undefined;
  const places = Math.max(left.fraction.length, right.fraction.length);
  const difference = scaled(left, places) - scaled(right, places);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}
