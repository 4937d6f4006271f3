import type { ServicesResponse } from "../../../../src/protocol";
import { formatAbsolute, formatClock, formatCount, formatDuration, stampDate } from "../../lib/format";

/** A unit a column of rates is written in: per second, minute, hour or day. */
export interface RateUnit {
  /** The suffix after each number: "/s", "/min"… */
  suffix: string;
  /** The unit in words, for headers and tooltips: "per second"… */
  words: string;
  /** Events per second × this = events per unit. */
  perSecond: number;
}

const PER_SECOND: RateUnit = { suffix: "/s", words: "per second", perSecond: 1 };
const PER_MINUTE: RateUnit = { suffix: "/min", words: "per minute", perSecond: 60 };
const PER_HOUR: RateUnit = { suffix: "/h", words: "per hour", perSecond: 3600 };
const PER_DAY: RateUnit = { suffix: "/day", words: "per day", perSecond: 86_400 };
const RATE_UNITS: readonly RateUnit[] = [PER_SECOND, PER_MINUTE, PER_HOUR, PER_DAY];

/**
 * One unit for a whole column, so its rows compare at a glance: the largest unit in which the
 * busiest row reads at least 1 (8/s beside 0.28/s, never 8/s beside 17/min). Slower rows then
 * read as fractions of that unit.
 */
export function rateUnitFor(ratesPerSecond: Iterable<number>): RateUnit {
  let busiest = 0;
  for (const rate of ratesPerSecond) if (rate > busiest) busiest = rate;
  if (busiest === 0) return PER_SECOND;
  return RATE_UNITS.find((unit) => busiest * unit.perSecond >= 1) ?? PER_DAY;
}

/**
 * A rate in the column's unit: whole numbers from 10, one decimal from 1, two significant digits
 * below (0.28/s, 0.047/s) so slow rows stay distinct, "< 0.001/s" for the vanishingly slow and "–"
 * for none.
 */
export function formatRateIn(perSecond: number, unit: RateUnit): string {
  if (!(perSecond > 0)) return "–";
  const value = perSecond * unit.perSecond;
  if (value >= 10) return `${formatCount(value)}${unit.suffix}`;
  if (value >= 1) return `${value.toFixed(1)}${unit.suffix}`;
  if (value >= 0.001) return `${value.toPrecision(2)}${unit.suffix}`;
  return `< 0.001${unit.suffix}`;
}

/** A rate in its own natural unit (12/s, 0.4/min → 24/min, 3.0/day), for one number on its own. */
export function formatRate(perSecond: number): string {
  if (!(perSecond > 0)) return "–";
  // Below one a second, per minute; below one in ten minutes, per hour; then per day.
  let unit = PER_DAY;
  if (perSecond >= 1) unit = PER_SECOND;
  else if (perSecond * 60 >= 0.1) unit = PER_MINUTE;
  else if (perSecond * 3600 >= 1) unit = PER_HOUR;
  const value = perSecond * unit.perSecond;
  if (unit === PER_DAY && value < 0.1) return "< 0.1/day";
  return `${value >= 10 ? formatCount(value) : value.toFixed(1)}${unit.suffix}`;
}

/**
 * What the page's rates are per, in a line: over everything stored, the time its spans cover less
 * its idle stretches (a burst of 14 requests in 1.5 s reads 9.3/s however long ago it was: the line
 * says so); over a window, the window. Null before anything is stored.
 */
export function rateBasisNote(basis: ServicesResponse["rateBasis"], everything: boolean): string | null {
  if (basis.fromMs === null || basis.toMs === null) return null;
  const length = formatDuration(basis.seconds * 1000);
  if (!everything) return `Rates are per the window's ${length}, idle time included.`;
  // Times of day when both ends fall on one day, else dates too.
  const at = stampDate(basis.fromMs, basis.toMs) === "none" ? formatClock : formatAbsolute;
  const idle = basis.idleSeconds > 0 ? `, less ${formatDuration(basis.idleSeconds * 1000)} in which nothing ran` : "";
  const span = `${at(basis.fromMs)} – ${at(basis.toMs)}${idle}`;
  // The server takes rates over a second at least: spans covering less would read as bursts of thousands a second.
  const coveredMs = basis.toMs - basis.fromMs - basis.idleSeconds * 1000;
  if (coveredMs < basis.seconds * 1000 - 0.5) {
    return `Rates are per ${length}, the least they are taken over: the stored spans cover only ${formatDuration(coveredMs)} (${span}).`;
  }
  return `Rates are per the ${length} the stored spans cover (${span}), not per the time since.`;
}
