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

/** Reads `since` and `until`; a bad value, or `since` after `until`, is a 400 saying why. */
export function parseTimeWindow(params: URLSearchParams): TimeWindow {
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
