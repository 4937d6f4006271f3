/** The LLM page's URL state: `?service=…&window=1h`. */
import { readWindowKey } from "../../components/TimeWindowSelect";

export interface LlmFilters {
  service?: string | undefined;
  window: string;
}

export function readLlmFilters(query: Record<string, string | undefined>): LlmFilters {
  return { window: readWindowKey(query.window), ...(query.service ? { service: query.service } : {}) };
}

export function llmSearch(filters: LlmFilters): string {
  const params = new URLSearchParams();
  if (filters.service) params.set("service", filters.service);
  if (filters.window !== "all") params.set("window", filters.window);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}
