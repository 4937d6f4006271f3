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

function trim(fixed: string): string {
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}
