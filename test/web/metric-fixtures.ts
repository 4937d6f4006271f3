import type {
  MetricCatalogEntryJson,
  MetricChart,
  MetricKind,
  MetricQueryResponse,
  MetricSeriesJson,
} from "../../src/protocol";

const KIND_OF: Record<MetricChart, MetricKind> = {
  rate: "sum",
  value: "gauge",
  distribution: "histogram",
  quantiles: "summary",
};

export function catalogEntry(patch: Partial<MetricCatalogEntryJson> = {}): MetricCatalogEntryJson {
  const chart = patch.chart ?? "rate";
  return {
    name: "http.server.requests",
    kind: KIND_OF[chart],
    chart,
    unit: "{request}",
    description: "",
    services: ["checkout"],
    attributeKeys: ["http.route"],
    seriesCount: 1,
    lastTimeUnixNano: "1700000000000000000",
    ...patch,
  };
}

export function series(
  label: string,
  values: (number | null)[],
  patch: Partial<MetricSeriesJson> = {},
): MetricSeriesJson {
  return { label, attributes: label === "" ? {} : { "http.route": label }, values, ...patch };
}

/** A query answer of `steps` one-minute steps starting at 1,700,000,000,000 ms. */
export function queryResponse(
  metric: Partial<MetricCatalogEntryJson>,
  seriesList: MetricSeriesJson[],
  patch: Partial<MetricQueryResponse> = {},
  steps = 4,
): MetricQueryResponse {
  const from = 1_700_000_000_000;
  const stepMs = 60_000;
  return {
    metric: catalogEntry(metric),
    fromUnixMs: from,
    toUnixMs: from + steps * stepMs,
    stepMs,
    times: Array.from({ length: steps }, (_, i) => from + i * stepMs),
    groupBy: null,
    series: seriesList,
    exemplars: [],
    ...patch,
  };
}

export const PALETTE = ["c0", "c1", "c2", "c3"];
