/** The metric catalog as the page lists it: search, service filter, and how each metric is read. Pure. */
import { unitLabel, unitName } from "../../../../src/domain/metric-units";
import type { MetricCatalogEntryJson, MetricChart } from "../../../../src/protocol";
import { compareText, formatCount } from "../../lib/format";

/** Metrics whose name or description holds every word of `q`, of `service` when given, by name. */
export function filterCatalog(
  metrics: readonly MetricCatalogEntryJson[],
  q: string | undefined,
  service: string | undefined,
): MetricCatalogEntryJson[] {
  const words = (q ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  return metrics
    .filter((m) => {
      if (service && !m.services.includes(service)) return false;
      if (words.length === 0) return true;
      const text = `${m.name}\n${m.description}`.toLowerCase();
      return words.every((w) => text.includes(w));
    })
    .sort((a, b) => compareText(a.name, b.name));
}

/** Every service that sent a metric, by name. */
export function catalogServices(metrics: readonly MetricCatalogEntryJson[]): string[] {
  const names = new Set<string>();
  for (const m of metrics) for (const s of m.services) names.add(s);
  return [...names].sort(compareText);
}

/**
 * A catalog row's services, short: the first by name in full, and how many more ("+4"); the row's
 * title lists them all. A row is too narrow for a list, which would be cut to its first letters.
 */
export function servicesSummary(services: readonly string[]): { first: string; more: number } {
  const sorted = [...services].sort(compareText);
  return { first: sorted[0] ?? "", more: Math.max(0, sorted.length - 1) };
}

/**
 * When the metric's newest point came (unix ns, as sent): under a service filter, that service's. The
 * whole metric's said "just now" in the row and header of a service that stopped 15 minutes ago while
 * another went on sending it.
 */
export function lastPointNanos(metric: MetricCatalogEntryJson, service: string | undefined): string {
  const i = service === undefined ? -1 : metric.services.indexOf(service);
  return (i < 0 ? undefined : metric.lastTimeUnixNanoPerService?.[i]) ?? metric.lastTimeUnixNano;
}

/** A catalog row's series and services, under the page's service filter. */
export interface CatalogRowFacts {
  /** "9 series", or under a service filter "3 of 9 series" (that service's, of all). */
  series: string;
  /** The service named in full: the filter's, else the first by name. */
  service: string;
  /** Services not named ("+2"); none under a service filter. */
  more: number;
  /** Every service with its series, for the series count's title. */
  title: string;
}

/**
 * What a catalog row says of the metric's series: all of them and its services (servicesSummary), or
 * under a service filter that service's series and its name: a row of the otel-json filter said
 * "9 series · otel-grpc +2", the whole metric's. Its title names every service's series either way.
 */
export function catalogRowFacts(metric: MetricCatalogEntryJson, service: string | undefined): CatalogRowFacts {
  const counts = metric.seriesPerService;
  const perService = metric.services.map((name, i) => ({ name, series: counts?.[i] }));
  const title = [...perService]
    .sort((a, b) => compareText(a.name, b.name))
    .map((s) => (s.series === undefined ? s.name : `${s.name}: ${formatCount(s.series)} series`))
    .join("\n");
  const total = metric.seriesCount;
  const own = service === undefined ? undefined : perService.find((s) => s.name === service);
  if (own === undefined) {
    const summary = servicesSummary(metric.services);
    return { series: `${formatCount(total)} series`, service: summary.first, more: summary.more, title };
  }
  // An older answer without the counts: the whole metric's, with the others counted beside the name.
  if (own.series === undefined)
    return { series: `${formatCount(total)} series`, service: own.name, more: metric.services.length - 1, title };
  const series =
    own.series < total ? `${formatCount(own.series)} of ${formatCount(total)} series` : `${formatCount(total)} series`;
  return { series, service: own.name, more: 0, title };
}

/**
 * What the selected metric's header says of its services and series, as its catalog row does
 * (catalogRowFacts): under a service filter that service and its series ("otel-json · 3 of 9 series"),
 * not every service and the whole metric's count while the chart draws that service's lines only.
 * Without a filter (or one the metric was not sent by) it has room to name them all.
 */
export function metricHeaderFacts(
  metric: MetricCatalogEntryJson,
  service: string | undefined,
): { services: string; series: string; title: string } {
  const facts = catalogRowFacts(metric, service);
  const services = facts.more === 0 ? facts.service : metric.services.join(", ");
  return { services, series: facts.series, title: facts.title };
}

/**
 * The kind badge's title: the OTLP kind and how its points are sent, each way when its series differ
 * (one service exports a counter with delta temporality, another cumulative). The answer's `metric`
 * is the filtered service's: it said "cumulative" for a service's delta series, the first stored.
 */
export function kindTitle(metric: MetricCatalogEntryJson): string {
  const temporality = metric.temporalities?.join(" and ") ?? metric.temporality;
  return `OTLP ${metric.kind}${temporality ? `, ${temporality}` : ""}`;
}

/** What the metric is, in the words of the SDKs that make them. */
export function kindLabel(metric: MetricCatalogEntryJson): string {
  if (metric.tracekit) {
    if (metric.kind === "sum") return "TraceKit counter";
    if (metric.chart === "distribution") return "TraceKit samples";
  }
  switch (metric.kind) {
    case "sum":
      return metric.monotonic === false ? "up-down counter" : "counter";
    case "exponentialHistogram":
      return "exp. histogram";
    default:
      return metric.kind;
  }
}

const CHART_LABELS: Record<MetricChart, string> = {
  rate: "rate",
  value: "value",
  distribution: "p50 · p95 · p99",
  quantiles: "quantiles",
};

/**
 * A metric's unit as the page names it beside the metric (a catalog row, the header's badge, a card):
 * as its axes and values write it ("°C" for `Cel`, "bytes" for `By`), the unit as sent in its tooltip;
 * null for none (nor UCUM's `1`).
 */
export function unitBadge(raw: string): { text: string; title: string } | null {
  const text = unitName(raw);
  return text === "" ? null : { text, title: `unit as sent: ${unitLabel(raw)}` };
}

export function chartLabel(chart: MetricChart): string {
  return CHART_LABELS[chart];
}

/** A button of the chart switch: a counter's "value" is its running total. */
export function chartChoiceLabel(metric: MetricCatalogEntryJson, chart: MetricChart): string {
  if (chart === "value") return metric.kind === "sum" ? "Total" : "Value";
  return chart === "rate" ? "Rate" : chart === "distribution" ? "Distribution" : "Quantiles";
}

/** The group-by picker's choices: the service, then the metric's attribute keys. */
export function groupByChoices(metric: MetricCatalogEntryJson): string[] {
  const keys = metric.attributeKeys.filter((k) => k !== "service.name").sort(compareText);
  return ["service.name", ...keys];
}

/**
 * How a TraceKit SDK's points were read, for the note above its chart (null for other metrics): a counter's
 * points are increments although they say cumulative; its histograms arrive as one gauge point per value.
 * `shown`: the chart on screen, when the page switched from the metric's own (`metric.chart`).
 */
export function tracekitReading(metric: MetricCatalogEntryJson, shown: MetricChart = metric.chart): string | null {
  if (!metric.tracekit) return null;
  if (metric.kind === "sum" && shown === "value")
    return "Sent by a TraceKit SDK: each point is one increment of the counter (the SDK marks them cumulative, but means delta), so the total is the increments added up.";
  if (metric.kind === "sum")
    return "Sent by a TraceKit SDK: each point is one increment of the counter (the SDK marks them cumulative, but means delta), so each step's rate is the increments in it per second.";
  if (metric.chart === "distribution" && shown !== "distribution")
    return "Sent by a TraceKit SDK as gauge points, one per recorded value, shown here as values (a plain gauge). Read as a TraceKit histogram, they are samples of a distribution.";
  if (metric.chart === "distribution")
    return "Sent by a TraceKit SDK as gauge points, one per recorded value: they are read as samples of a distribution (a TraceKit histogram). If this is a plain gauge, show it as values.";
  if (metric.kind === "gauge" && shown === "distribution")
    return "Sent by a TraceKit SDK as gauge points, one per change (inc() and dec()), shown here as samples of a distribution: each point one sample.";
  if (metric.kind === "gauge")
    return "Sent by a TraceKit SDK as gauge points, one per change: its points move by one (inc() and dec()), so it is read as a level. The line is the value at each step's end; the band behind it the least and greatest value in the step, so a burst between two steps shows.";
  return "Sent by a TraceKit SDK.";
}
