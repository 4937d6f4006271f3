/** A duration as every page of the web app and every MCP answer write it. Pure. */

/** 0.0004 ms → "400ns", 0.42 → "420µs", 12.3 → "12.3ms", 1534 → "1.53s", 95_000 → "1m 35s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms === 0) return "0ms";
  // A value that rounds up to the next unit is written in it: 999.6 → "1s", not "1000ms".
  // Spans shorter than a microsecond are real (a cache hit, an SDK's own timing): nanoseconds, not "1µs".
  if (ms < 0.001) {
    const nanos = Math.max(1, Math.round(ms * 1e6));
    if (nanos < 1000) return `${nanos}ns`;
  }
  if (ms < 1) {
    const micros = Math.max(1, Math.round(ms * 1000));
    if (micros < 1000) return `${micros}µs`;
  }
  if (ms < 10) return `${trim(ms.toFixed(2))}ms`;
  if (ms < 100) return `${trim(ms.toFixed(1))}ms`;
  if (ms < 1000 && Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${trim((ms / 1000).toFixed(2))}s`;
  if (ms < 60_000 && Number((ms / 1000).toFixed(1)) < 60) return `${trim((ms / 1000).toFixed(1))}s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes < 60) return seconds === 0 ? `${minutes}m` : `${minutes}m ${seconds}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  // Days from two on, as ages read ("2d ago"); minutes no longer matter.
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}

/**
 * A duration to the millisecond, for where the rounded form hides too much (a span's start and
 * length in its details): 5_025_678 → "1h 23m 45.678s", 90_500 → "1m 30.5s", 1534 → "1.534s";
 * under a second as formatDuration writes it.
 */
export function formatDurationExact(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return formatDuration(ms);
  return clockText(ms, 3);
}

/**
 * A time label on a scale whose marks are `stepMs` apart, with just the precision that step needs,
 * so neighbouring labels differ: 4_000_000 by 10 min → "1h 6m 40s" (not "1h 6m"), 3_600_720 by
 * 100 ms → "1h 0m 0.72s" (not "1h"), 7.5 by 2.5 → "7.5ms". Zero is "0ms".
 */
export function formatTimeLabel(ms: number, stepMs: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms === 0) return "0ms";
  const step = stepMs > 0 && Number.isFinite(stepMs) ? stepMs : ms;
  if (ms >= 1000) return clockText(ms, Math.min(6, decimalsOf(step / 1000)));
  if (ms >= 1) return `${trim(ms.toFixed(Math.min(3, decimalsOf(step))))}ms`;
  if (ms >= 0.001) return `${trim((ms * 1000).toFixed(Math.min(3, decimalsOf(step * 1000))))}µs`;
  return formatDuration(ms);
}

/** The fewest decimals (up to 6) that write every multiple of `value` exactly: 2.5 → 1, 0.001 → 3. */
function decimalsOf(value: number): number {
  for (let d = 0; d < 6; d++) {
    const scaled = value * 10 ** d;
    const whole = Math.round(scaled);
    // Not 0: a step under a unit of this place (1e-7 s) is no multiple of it.
    if (whole !== 0 && Math.abs(scaled - whole) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 6;
}

/**
 * Hours, minutes and seconds (the seconds with up to `decimals` places, trailing zeros dropped),
 * from the largest non-zero part down to the last non-zero one: "1h", "1h 0m 0.72s", "2m 5s".
 */
function clockText(ms: number, decimals: number): string {
  const units = 10 ** decimals;
  const total = Math.round((ms / 1000) * units);
  const wholeSeconds = Math.floor(total / units);
  const fraction = total - wholeSeconds * units;
  const hours = Math.floor(wholeSeconds / 3600);
  const minutes = Math.floor((wholeSeconds % 3600) / 60);
  const seconds = wholeSeconds % 60;
  const secondText =
    fraction === 0 ? `${seconds}` : `${seconds}.${String(fraction).padStart(decimals, "0").replace(/0+$/, "")}`;
  const parts: [number, string][] = [
    [hours, `${hours}h`],
    [minutes, `${minutes}m`],
    [seconds + fraction, `${secondText}s`],
  ];
  const first = parts.findIndex(([value]) => value !== 0);
  if (first < 0) return "0s";
  let last = parts.length - 1;
  while (last > first && parts[last]![0] === 0) last--;
  return parts
    .slice(first, last + 1)
    .map(([, text]) => text)
    .join(" ");
}

function trim(fixed: string): string {
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}
