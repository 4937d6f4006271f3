import { describe, expect, it } from "vitest";
import type { ServiceStatsJson } from "../../src/protocol";
import {
  nextServiceSort,
  readServiceSort,
  serviceSortParams,
  sortServices,
} from "../../web/src/features/services/services-table";

const stats = (name: string, errorRate: number, p95Ms: number): ServiceStatsJson => ({
  name,
  spanCount: 10,
  errorCount: Math.round(errorRate * 10),
  traceCount: 5,
  errorRate,
  p50Ms: 1,
  p95Ms,
  p99Ms: p95Ms,
  basis: "entry",
  requestCount: 10,
  requestErrorCount: Math.round(errorRate * 10),
  ratePerSec: 1,
});

describe("sortServices", () => {
  const services = [stats("web", 0.1, 50), stats("api", 0.3, 20), stats("db", 0.1, 90)];
  it("sorts by name or by a number, ties by name, without touching the input", () => {
    expect(sortServices(services, "name", false).map((s) => s.name)).toEqual(["api", "db", "web"]);
    expect(sortServices(services, "errorRate", true).map((s) => s.name)).toEqual(["api", "db", "web"]);
    expect(sortServices(services, "p95Ms", true).map((s) => s.name)).toEqual(["db", "web", "api"]);
    expect(sortServices(services, "p95Ms", false).map((s) => s.name)).toEqual(["api", "web", "db"]);
    expect(services.map((s) => s.name)).toEqual(["web", "api", "db"]);
  });
});

describe("the table's order in the URL", () => {
  it("reads what serviceSortParams writes, the default as nothing", () => {
    expect(serviceSortParams({ key: "name", descending: false })).toEqual({});
    expect(serviceSortParams({ key: "p95Ms", descending: true })).toEqual({ sort: "p95Ms" });
    expect(serviceSortParams({ key: "p95Ms", descending: false })).toEqual({ sort: "p95Ms", order: "asc" });
    expect(serviceSortParams({ key: "name", descending: true })).toEqual({ sort: "name", order: "desc" });
    expect(readServiceSort({})).toEqual({ key: "name", descending: false });
    expect(readServiceSort({ sort: "p95Ms" })).toEqual({ key: "p95Ms", descending: true });
    expect(readServiceSort({ sort: "p95Ms", order: "asc" })).toEqual({ key: "p95Ms", descending: false });
    expect(readServiceSort({ sort: "name", order: "desc" })).toEqual({ key: "name", descending: true });
    expect(readServiceSort({ sort: "toString" })).toEqual({ key: "name", descending: false });
  });

  it("sorts a new column in its first order and a second click the other way", () => {
    const byName = readServiceSort({});
    const byP95 = nextServiceSort(byName, "p95Ms");
    expect(byP95).toEqual({ key: "p95Ms", descending: true });
    expect(nextServiceSort(byP95, "p95Ms")).toEqual({ key: "p95Ms", descending: false });
    expect(nextServiceSort(byP95, "name")).toEqual({ key: "name", descending: false });
  });
});
