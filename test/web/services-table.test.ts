import { describe, expect, it } from "vitest";
import type { ServiceStatsJson } from "../../src/protocol";
import { sortServices } from "../../web/src/features/services/services-table";

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
