import { count } from "./count-text.js";

const UNITS = ["KiB", "MiB", "GiB", "TiB"] as const;

/**
 * A number of bytes (not negative) as a person reads it, in binary units with one decimal, none when
 * whole: 512 → "512 B", 1536 → "1.5 KiB", 33,554,432 → "32 MiB", 2^30 → "1 GiB". The unit is chosen
 * after rounding (1,048,575 is "1 MiB", not "1024 KiB"). `exact` adds the count of bytes when a unit
 * rounds it, for a limit a person may compare a size in bytes with: "32 MiB (33,554,432 bytes)". Every
 * byte size the product tells a person (the CLI's lines, the receivers' and importers' messages) goes
 * through it.
 */
export function byteSize(bytes: number, options: { exact?: boolean } = {}): string {
  const whole = Math.round(bytes);
  if (whole < 1024) return `${count(whole)} B`;
  // Tenths of the unit, moved up a unit while they would read 1024 or more.
  let tenths = Math.round((whole / 1024) * 10);
  let unit = 0;
  while (unit < UNITS.length - 1 && tenths >= 10240) {
    unit += 1;
    tenths = Math.round((whole / 1024 ** (unit + 1)) * 10);
  }
  const digits = tenths % 10 === 0 ? count(tenths / 10) : `${count(Math.floor(tenths / 10))}.${tenths % 10}`;
  const text = `${digits} ${UNITS[unit]}`;
  return options.exact === true ? `${text} (${count(whole)} bytes)` : text;
}
