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
