/**
 * Ascending order of two strings by code point (the same on every machine, whatever its locale, and
 * with no locale data to load), or of two numbers or bigints. For `sort`; `ascending(b, a)` descends.
 */
export function ascending<T extends string | number | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
