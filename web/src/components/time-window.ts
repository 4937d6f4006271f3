/** The "how far back" choice of the LLM and map pages: `?window=1h`, everything stored by default. */
export const TIME_WINDOWS: readonly { key: string; label: string; ms: number | null }[] = [
  { key: "15m", label: "Last 15 minutes", ms: 15 * 60_000 },
  { key: "1h", label: "Last hour", ms: 3_600_000 },
  { key: "6h", label: "Last 6 hours", ms: 6 * 3_600_000 },
  { key: "24h", label: "Last 24 hours", ms: 24 * 3_600_000 },
  { key: "all", label: "Everything stored", ms: null },
];

/** The window the URL's `window` names, "all" when it names none. */
export function readWindowKey(value: string | undefined): string {
  return TIME_WINDOWS.some((w) => w.key === value) ? (value as string) : "all";
}

/** The window's start as unix ms, or undefined for everything stored. */
export function windowSince(key: string, now = Date.now()): number | undefined {
  const ms = TIME_WINDOWS.find((w) => w.key === key)?.ms;
  return ms ? now - ms : undefined;
}
