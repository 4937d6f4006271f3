/** The LLM page's URL state: `?service=…&window=1h`. */
export const LLM_WINDOWS: readonly { key: string; label: string; ms: number | null }[] = [
  { key: "15m", label: "Last 15 minutes", ms: 15 * 60_000 },
  { key: "1h", label: "Last hour", ms: 3_600_000 },
  { key: "6h", label: "Last 6 hours", ms: 6 * 3_600_000 },
  { key: "24h", label: "Last 24 hours", ms: 24 * 3_600_000 },
  { key: "all", label: "Everything stored", ms: null },
];

export interface LlmFilters {
  service?: string | undefined;
  window: string;
}

export function readLlmFilters(query: Record<string, string | undefined>): LlmFilters {
  const window = LLM_WINDOWS.some((w) => w.key === query.window) ? (query.window as string) : "all";
  return { window, ...(query.service ? { service: query.service } : {}) };
}

export function llmSearch(filters: LlmFilters): string {
  const params = new URLSearchParams();
  if (filters.service) params.set("service", filters.service);
  if (filters.window !== "all") params.set("window", filters.window);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}
