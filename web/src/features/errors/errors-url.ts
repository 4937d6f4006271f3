/** The Errors page's URL state: `?service=…&window=1h&sort=count`. */
import { readWindowKey } from "../../components/TimeWindowSelect";

export type ErrorSort = "lastSeen" | "count";

export interface ErrorFilters {
  service?: string | undefined;
  window: string;
  sort: ErrorSort;
  /** Only the groups where errors start, not those that passed an error from below along. */
  starts: boolean;
}

export function readErrorFilters(query: Record<string, string | undefined>): ErrorFilters {
  return {
    window: readWindowKey(query.window),
    sort: query.sort === "count" ? "count" : "lastSeen",
    starts: query.starts === "1",
    ...(query.service ? { service: query.service } : {}),
  };
}

export function errorsSearch(filters: ErrorFilters): string {
  const params = new URLSearchParams();
  if (filters.service) params.set("service", filters.service);
  if (filters.window !== "all") params.set("window", filters.window);
  if (filters.sort !== "lastSeen") params.set("sort", filters.sort);
  if (filters.starts) params.set("starts", "1");
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}
