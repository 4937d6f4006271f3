/** The LLM page's URL state: `?service=…&window=1h&measure=tokens`. */
import { readWindowKey } from "../../components/TimeWindowSelect";
import { type LlmMeasure, MEASURES } from "./llm-chart-model";

export interface LlmFilters {
  service?: string | undefined;
  window: string;
  /** What the charts draw; cost unless the URL says otherwise. */
  measure: LlmMeasure;
}

const DEFAULT_MEASURE: LlmMeasure = "usd";

export function readLlmFilters(query: Record<string, string | undefined>): LlmFilters {
  const measure = MEASURES.find((m) => m.value === query.measure)?.value ?? DEFAULT_MEASURE;
  return { window: readWindowKey(query.window), measure, ...(query.service ? { service: query.service } : {}) };
}

export function llmSearch(filters: LlmFilters): string {
  const params = new URLSearchParams();
  if (filters.service) params.set("service", filters.service);
  if (filters.window !== "all") params.set("window", filters.window);
  if (filters.measure !== DEFAULT_MEASURE) params.set("measure", filters.measure);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}
