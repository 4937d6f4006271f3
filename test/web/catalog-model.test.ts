import { describe, expect, it } from "vitest";
import {
  catalogRowFacts,
  catalogServices,
  chartChoiceLabel,
  chartLabel,
  filterCatalog,
  groupByChoices,
  kindLabel,
  kindTitle,
  lastPointNanos,
  metricHeaderFacts,
  servicesSummary,
  tracekitReading,
  unitBadge,
} from "../../web/src/features/metrics/catalog-model";
import { catalogEntry } from "./metric-fixtures";

const catalog = [
  catalogEntry({
    name: "http.server.request.duration",
    chart: "distribution",
    description: "Duration of HTTP server requests",
    services: ["api"],
  }),
  catalogEntry({ name: "db.client.connections", chart: "value", services: ["api", "worker"] }),
  catalogEntry({ name: "app.jobs", chart: "rate", monotonic: true, services: ["worker"] }),
];

describe("filterCatalog", () => {
  it("matches every word against name and description, by name", () => {
    expect(filterCatalog(catalog, undefined, undefined).map((m) => m.name)).toEqual([
      "app.jobs",
      "db.client.connections",
      "http.server.request.duration",
    ]);
    expect(filterCatalog(catalog, "HTTP requests", undefined).map((m) => m.name)).toEqual([
      "http.server.request.duration",
    ]);
    expect(filterCatalog(catalog, "nothing", undefined)).toEqual([]);
  });

  it("keeps a service's metrics only", () => {
    expect(filterCatalog(catalog, "", "worker").map((m) => m.name)).toEqual(["app.jobs", "db.client.connections"]);
    expect(catalogServices(catalog)).toEqual(["api", "worker"]);
  });
});

describe("how a metric is described", () => {
  it("names its kind as SDKs do", () => {
    expect(kindLabel(catalogEntry({ kind: "sum", monotonic: true }))).toBe("counter");
    expect(kindLabel(catalogEntry({ kind: "sum", monotonic: false, chart: "value" }))).toBe("up-down counter");
    expect(kindLabel(catalogEntry({ kind: "exponentialHistogram", chart: "distribution" }))).toBe("exp. histogram");
    expect(kindLabel(catalogEntry({ kind: "gauge", chart: "value" }))).toBe("gauge");
    expect(kindLabel(catalogEntry({ kind: "sum", tracekit: true }))).toBe("TraceKit counter");
    expect(kindLabel(catalogEntry({ kind: "gauge", chart: "distribution", tracekit: true }))).toBe("TraceKit samples");
    expect(chartLabel("distribution")).toBe("p50 · p95 · p99");
    expect(chartChoiceLabel(catalogEntry({ kind: "sum" }), "value")).toBe("Total");
    expect(chartChoiceLabel(catalogEntry({ kind: "gauge", tracekit: true }), "value")).toBe("Value");
    expect(chartChoiceLabel(catalogEntry({ kind: "gauge" }), "distribution")).toBe("Distribution");
  });

  it("offers the service and the metric's attribute keys to group by", () => {
    expect(groupByChoices(catalogEntry({ attributeKeys: ["status", "http.route", "service.name"] }))).toEqual([
      "service.name",
      "http.route",
      "status",
    ]);
  });

  it("says how TraceKit points were read", () => {
    expect(tracekitReading(catalogEntry({ kind: "sum" }))).toBeNull();
    expect(tracekitReading(catalogEntry({ kind: "sum", tracekit: true }))).toMatch(/increment/);
    expect(tracekitReading(catalogEntry({ kind: "gauge", chart: "distribution", tracekit: true }))).toMatch(
      /samples of a distribution/,
    );
    // Switched to values, it does not ask to be switched to values.
    const histogram = catalogEntry({ kind: "gauge", chart: "distribution", tracekit: true });
    expect(tracekitReading(histogram, "value")).toMatch(/shown here as values/);
    expect(tracekitReading(histogram, "value")).not.toMatch(/show it as values/);
    const counter = catalogEntry({ kind: "sum", tracekit: true });
    expect(tracekitReading(counter, "value")).toMatch(/the total is the increments added up/);
    const level = catalogEntry({ kind: "gauge", chart: "value", tracekit: true });
    expect(tracekitReading(level)).toMatch(/read as a level/);
    expect(tracekitReading(level, "distribution")).toMatch(/shown here as samples of a distribution/);
  });
});

describe("unitBadge", () => {
  it("names the unit as the values are written, and says the unit as sent in its tooltip", () => {
    expect(unitBadge("Cel")).toEqual({ text: "°C", title: "unit as sent: Cel" });
    expect(unitBadge("By")).toEqual({ text: "bytes", title: "unit as sent: By" });
    expect(unitBadge("{request}")).toEqual({ text: "requests", title: "unit as sent: {request}" });
    expect(unitBadge("ms")).toEqual({ text: "ms", title: "unit as sent: ms" });
    expect(unitBadge("1")).toBeNull();
    expect(unitBadge("")).toBeNull();
  });
});

describe("catalogRowFacts", () => {
  const otel = catalogEntry({
    name: "http.server.request.duration",
    services: ["otel-grpc", "otel-http", "otel-json"],
    seriesPerService: [4, 2, 3],
    seriesCount: 9,
  });

  it("counts every series and names the first service, without a service filter", () => {
    expect(catalogRowFacts(otel, undefined)).toEqual({
      series: "9 series",
      service: "otel-grpc",
      more: 2,
      title: "otel-grpc: 4 series\notel-http: 2 series\notel-json: 3 series",
    });
  });

  it("counts and names the filtered service's series, not the whole metric's", () => {
    expect(catalogRowFacts(otel, "otel-json")).toMatchObject({
      series: "3 of 9 series",
      service: "otel-json",
      more: 0,
    });
    // Every series is that service's: nothing to set apart.
    const only = catalogEntry({ services: ["shop"], seriesPerService: [5], seriesCount: 5 });
    expect(catalogRowFacts(only, "shop")).toMatchObject({ series: "5 series", service: "shop", more: 0 });
    // A filter the metric was not sent by (a link to another service): the whole metric, as without one.
    expect(catalogRowFacts(otel, "billing")).toMatchObject({ series: "9 series", service: "otel-grpc", more: 2 });
  });

  it("names the filtered service beside the whole metric's count when the answer has no counts per service", () => {
    const older = catalogEntry({ services: ["a", "b"], seriesCount: 6 });
    expect(catalogRowFacts(older, "b")).toEqual({ series: "6 series", service: "b", more: 1, title: "a\nb" });
  });
});

describe("metricHeaderFacts", () => {
  const otel = catalogEntry({
    name: "http.server.request.duration",
    services: ["otel-grpc", "otel-http", "otel-json"],
    seriesPerService: [4, 2, 3],
    seriesCount: 9,
  });

  it("names every service and counts every series without a service filter", () => {
    expect(metricHeaderFacts(otel, undefined)).toEqual({
      services: "otel-grpc, otel-http, otel-json",
      series: "9 series",
      title: "otel-grpc: 4 series\notel-http: 2 series\notel-json: 3 series",
    });
  });

  it("names the filtered service and counts its series, as the catalog row does", () => {
    expect(metricHeaderFacts(otel, "otel-json")).toMatchObject({ services: "otel-json", series: "3 of 9 series" });
    expect(metricHeaderFacts(otel, "billing")).toMatchObject({
      services: "otel-grpc, otel-http, otel-json",
      series: "9 series",
    });
    // Without counts per service the count is the whole metric's: so are the services named beside it.
    const older = catalogEntry({ services: ["a", "b"], seriesCount: 6 });
    expect(metricHeaderFacts(older, "b")).toMatchObject({ services: "a, b", series: "6 series" });
  });
});

describe("servicesSummary", () => {
  it("names the first service by name in full and counts the rest", () => {
    expect(servicesSummary(["web", "checkout-api", "email-worker"])).toEqual({ first: "checkout-api", more: 2 });
    expect(servicesSummary(["shop"])).toEqual({ first: "shop", more: 0 });
    expect(servicesSummary([])).toEqual({ first: "", more: 0 });
  });
});

describe("lastPointNanos", () => {
  const requests = catalogEntry({
    services: ["gateway", "orders"],
    lastTimeUnixNano: "1700000900000000000",
    lastTimeUnixNanoPerService: ["1700000900000000000", "1700000000000000000"],
  });

  it("says the filtered service's newest point, not the whole metric's", () => {
    expect(lastPointNanos(requests, "orders")).toBe("1700000000000000000");
    expect(lastPointNanos(requests, "gateway")).toBe("1700000900000000000");
  });

  it("says the whole metric's without a filter, for a service that did not send it, or from an older answer", () => {
    expect(lastPointNanos(requests, undefined)).toBe("1700000900000000000");
    expect(lastPointNanos(requests, "billing")).toBe("1700000900000000000");
    const older = catalogEntry({ services: ["gateway", "orders"], lastTimeUnixNano: "1700000900000000000" });
    expect(lastPointNanos(older, "orders")).toBe("1700000900000000000");
  });
});

describe("kindTitle", () => {
  it("says the temporality the answer gives, or each of them when the series differ", () => {
    expect(kindTitle(catalogEntry({ kind: "sum", temporality: "delta" }))).toBe("OTLP sum, delta");
    expect(kindTitle(catalogEntry({ kind: "sum", temporality: "delta", temporalities: ["cumulative", "delta"] }))).toBe(
      "OTLP sum, cumulative and delta",
    );
    expect(kindTitle(catalogEntry({ kind: "gauge", chart: "value" }))).toBe("OTLP gauge");
  });
});
