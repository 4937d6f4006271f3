import { describe, expect, it } from "vitest";
import {
  KEY_METRICS,
  keyMetricSearch,
  keyMetricsPresent,
  keyMetricTitle,
  latestPerService,
} from "../../web/src/features/services/key-metrics";
import { catalogEntry, queryResponse, series } from "./metric-fixtures";

describe("key metrics of the Services table", () => {
  it("fills each column with the first of its metrics the catalog holds", () => {
    const catalog = [
      catalogEntry({ name: "http.server.duration", chart: "distribution" }),
      catalogEntry({ name: "http.server.request.duration", chart: "distribution" }),
      catalogEntry({ name: "http.server.active_requests", chart: "value" }),
      catalogEntry({ name: "other" }),
    ];
    expect(keyMetricsPresent(catalog).map((k) => k.name)).toEqual([
      "http.server.request.duration",
      "http.server.active_requests",
    ]);
    expect(keyMetricsPresent([catalogEntry({ name: "http.server.duration" })]).map((k) => k.name)).toEqual([
      "http.server.duration",
    ]);
    expect(keyMetricsPresent([])).toEqual([]);
  });

  it("reads the latest value of each service's group", () => {
    const p95 = KEY_METRICS[0] as (typeof KEY_METRICS)[number];
    const response = queryResponse(
      { name: p95.name, chart: "distribution", unit: "s" },
      [
        { ...series("api", [1, 1, 1, 1], { p95: [0.2, 0.3, null, null] }), attributes: { "service.name": "api" } },
        { ...series("web", [1, 1, 1, 1], { p95: [null, null, null, null] }), attributes: { "service.name": "web" } },
      ],
      { groupBy: "service.name" },
    );
    expect([...latestPerService(p95, response)]).toEqual([["api", 0.3]]);
    const active = KEY_METRICS[2] as (typeof KEY_METRICS)[number];
    const gauge = queryResponse({ name: active.name, chart: "value" }, [
      { ...series("api", [3, 4, 2, null]), attributes: { "service.name": "api" } },
    ]);
    expect([...latestPerService(active, gauge)]).toEqual([["api", 2]]);
  });
});

describe("the key metrics' window", () => {
  it("asks for the page's window in one step, so a percentile is over all of it", () => {
    expect(new URLSearchParams(keyMetricSearch(3_600_000)).get("window")).toBe("3600s");
    expect(new URLSearchParams(keyMetricSearch(3_600_000)).get("step")).toBe("3600000");
    expect(new URLSearchParams(keyMetricSearch(null)).get("step")).toBe(String(7 * 86_400_000));
    expect(new URLSearchParams(keyMetricSearch(null)).get("groupBy")).toBe("service.name");
  });

  it("says the window in a percentile's title", () => {
    const [p95] = KEY_METRICS;
    expect(keyMetricTitle(p95 as (typeof KEY_METRICS)[number], "Last 15 minutes")).toMatch(
      /, over the last 15 minutes$/,
    );
    expect(keyMetricTitle(p95 as (typeof KEY_METRICS)[number], "Everything stored")).toMatch(
      /, over everything stored$/,
    );
  });
});
