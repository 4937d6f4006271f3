import { describe, expect, it } from "vitest";
import type { ServiceStatsJson } from "../../src/protocol";
import { setupSnippets } from "../../web/src/features/onboarding/setup-snippets";
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

describe("setupSnippets", () => {
  it("uses this instance's real address in every set-up", () => {
    const snippets = setupSnippets("http://localhost:4321");
    expect(snippets.map((s) => s.id)).toEqual(["tracekit", "node", "python", "any"]);
    for (const snippet of snippets) {
      const text = snippet.intro + snippet.steps.map((s) => s.code).join("\n");
      expect(text).toContain("http://localhost:4321");
    }
  });
});
