import { AppError } from "../domain/errors.js";

/** `since` / `until` query parameters (unix milliseconds) as an inclusive window in nanoseconds. */
export interface TimeWindow {
  sinceUnixNano?: bigint;
  untilUnixNano?: bigint;
}

const MAX_UNIX_NANO = 2n ** 64n - 1n;
const NANOS_PER_MS = 1_000_000n;

function unixMs(name: string, raw: string): bigint {
  const ns = /^\d{1,15}$/.test(raw) ? BigInt(raw) * NANOS_PER_MS : -1n;
  if (ns < 0n || ns > MAX_UNIX_NANO) {
    throw new AppError(
      400,
      "invalid_query",
      `${name} must be a unix time in whole milliseconds, not "${raw.slice(0, 40)}"`,
    );
  }
  return ns;
}

const DURATION_UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * The milliseconds of a `window` such as `15m`, `90s`, `6h` or `7d` (what the pages keep in their
 * address); anything else is a 400 saying what to write.
 */
export function windowDurationMs(key: string, value: string): number {
  const match = /^(\d{1,6})([smhd])$/.exec(value);
  const ms = match ? Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] as number) : 0;
  if (ms <= 0) {
    throw new AppError(
      400,
      "invalid_query",
      `${key} must be a duration such as 90s, 15m, 6h or 7d, not "${value.slice(0, 64)}"`,
    );
  }
  return ms;
}

/**
 * Reads `since` and `until`, or `window`, a duration ending `now` (`window=1h`, as the pages' addresses
 * say it; `all` is no window, and so is one reaching before 1970); a bad value, `since` after `until`, or `window` beside either is a 400
 * saying why.
 */
export function parseTimeWindow(params: URLSearchParams, now: number = Date.now()): TimeWindow {
  const recent = params.get("window");
  if (recent !== null) {
    if (params.has("since") || params.has("until")) {
      throw new AppError(
        400,
        "invalid_query",
        "window (a duration ending now) replaces since and until: give one or the other",
      );
    }
    if (recent === "all") return {};
    const sinceMs = now - windowDurationMs("window", recent);
    // A window reaching back to 1970 or before holds everything stored: no start, as `all`.
    return sinceMs <= 0 ? {} : { sinceUnixNano: BigInt(sinceMs) * NANOS_PER_MS };
  }
  const window: TimeWindow = {};
  const since = params.get("since");
  if (since) window.sinceUnixNano = unixMs("since", since);
  const until = params.get("until");
  // `until` names a millisecond: everything within it is included.
  if (until) window.untilUnixNano = unixMs("until", until) + (NANOS_PER_MS - 1n);
  if (
    window.sinceUnixNano !== undefined &&
    window.untilUnixNano !== undefined &&
    window.sinceUnixNano > window.untilUnixNano
  ) {
    throw new AppError(400, "invalid_query", `since (${since}) is after until (${until})`);
  }
  return window;
}
