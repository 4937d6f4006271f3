import type { ServiceStatsJson } from "../../../../src/protocol";
import { compareText } from "../../lib/format";

export type ServiceSortKey =
  | "name"
  | "ratePerSec"
  | "traceCount"
  | "spanCount"
  | "errorRate"
  | "p50Ms"
  | "p95Ms"
  | "p99Ms";

const SORT_KEYS: readonly ServiceSortKey[] = [
  "name",
  "ratePerSec",
  "traceCount",
  "spanCount",
  "errorRate",
  "p50Ms",
  "p95Ms",
  "p99Ms",
];

export interface ServiceSort {
  key: ServiceSortKey;
  descending: boolean;
}

/** The order a column sorts in first: names ascending, numbers descending (the biggest problem first). */
function firstDescending(key: ServiceSortKey): boolean {
  return key !== "name";
}

/**
 * The table's order from the page's URL (`?sort=p95Ms`, `&order=asc` or `desc` where it is not the
 * column's first order); by name when absent or unknown.
 */
export function readServiceSort(query: Record<string, string | undefined>): ServiceSort {
  const key = SORT_KEYS.find((k) => k === query.sort) ?? "name";
  const order = query.order;
  return { key, descending: order === "desc" ? true : order === "asc" ? false : firstDescending(key) };
}

/** The URL's `sort` and `order` for an order; the default (by name, ascending) written as nothing. */
export function serviceSortParams(sort: ServiceSort): { sort?: string; order?: string } {
  if (sort.key === "name" && !sort.descending) return {};
  if (sort.descending === firstDescending(sort.key)) return { sort: sort.key };
  return { sort: sort.key, order: sort.descending ? "desc" : "asc" };
}

/** The order after a click on a column's header: that column's first order, or the other way round. */
export function nextServiceSort(current: ServiceSort, key: ServiceSortKey): ServiceSort {
  return { key, descending: current.key === key ? !current.descending : firstDescending(key) };
}

/** Sorted copy: names ascending by default, numbers descending (the biggest problem first). */
export function sortServices(
  services: readonly ServiceStatsJson[],
  key: ServiceSortKey,
  descending: boolean,
): ServiceStatsJson[] {
  const sign = descending ? -1 : 1;
  return [...services].sort((a, b) => {
    const byKey = key === "name" ? compareText(a.name, b.name) : a[key] - b[key];
    return byKey !== 0 ? sign * byKey : compareText(a.name, b.name);
  });
}
