import { describe, expect, it } from "vitest";
import { RecentRunServices, RUN_SERVICE_MEMORY_MS, tagRuns } from "../../src/domain/run-path.js";

describe("the runs services sent under", () => {
  it("names a service's last run for a minute after its last request under it", () => {
    const runs = new RecentRunServices();
    expect(runs.any()).toBe(false);
    expect(runs.runOf("shop", 0)).toBeUndefined();
    runs.note("shop", "r1", 1_000);
    expect(runs.any()).toBe(true);
    expect(runs.runOf("shop", 1_000 + RUN_SERVICE_MEMORY_MS - 1)).toBe("r1");
    expect(runs.runOf("shop", 1_000 + RUN_SERVICE_MEMORY_MS)).toBeUndefined();
    expect(runs.runOf("billing", 1_000)).toBeUndefined();
    // The command run again: its service is the newer run's.
    runs.note("shop", "r2", 2_000);
    expect(runs.runOf("shop", 2_000)).toBe("r2");
    runs.note("billing", "r2", 2_500);
    expect(runs.runOf("billing", 2_500)).toBe("r2");
  });

  it("tags items by their service, keeps a run id a resource has, and shares one copy per resource", () => {
    const shared = { "service.name": "shop" };
    const items: { service: string; resource?: Record<string, string> }[] = [
      { service: "shop", resource: shared },
      { service: "shop", resource: shared },
      { service: "shop", resource: { "service.name": "shop", "tracekit.run.id": "own" } },
      { service: "billing", resource: { "service.name": "billing" } },
      { service: "shop" },
    ];
    const services = tagRuns(items, (service) => (service === "shop" ? "r1" : undefined));
    expect([...services]).toEqual(["shop"]);
    expect(items[0]?.resource).toEqual({ "service.name": "shop", "tracekit.run.id": "r1" });
    expect(items[1]?.resource).toBe(items[0]?.resource);
    expect(shared).toEqual({ "service.name": "shop" });
    expect(items[2]?.resource?.["tracekit.run.id"]).toBe("own");
    expect(items[3]?.resource).toEqual({ "service.name": "billing" });
    expect(items[4]?.resource).toEqual({ "tracekit.run.id": "r1" });
  });
});
