/** Metrics: store results → the protocol's JSON shapes (bigint nanoseconds → decimal strings). */
import { chartOf, chartsOf } from "./domain/metric.js";
import type {
  MetricCatalogEntryJson,
  MetricCatalogResponse,
  MetricExemplarJson,
  MetricQueryResponse,
} from "./protocol.js";
import type { MetricCatalog, MetricExemplarResult, MetricInfo, MetricQueryResult } from "./store/metric-store.js";

export function metricInfoToJson(info: MetricInfo): MetricCatalogEntryJson {
  const d = info.descriptor;
  const json: MetricCatalogEntryJson = {
    name: d.name,
    kind: d.kind,
    chart: chartOf(d, info.level),
    charts: chartsOf(d, info.level),
    unit: d.unit,
    description: d.description,
    services: info.services,
    seriesPerService: info.seriesPerService,
    lastTimeUnixNanoPerService: info.lastTimeUnixNanoPerService.map(String),
    attributeKeys: info.attributeKeys,
    seriesCount: info.seriesCount,
    lastTimeUnixNano: info.lastTimeUnixNano.toString(),
  };
  if (d.monotonic !== undefined) json.monotonic = d.monotonic;
  if (d.temporality !== undefined) json.temporality = d.temporality;
  if (info.temporalities !== undefined) json.temporalities = info.temporalities;
  if (d.tracekit) json.tracekit = true;
  return json;
}

export function metricCatalogToJson(catalog: MetricCatalog): MetricCatalogResponse {
  return {
    metrics: catalog.metrics.map(metricInfoToJson),
    maxSeries: catalog.maxSeries,
    droppedSeries: catalog.droppedSeries,
    droppedPoints: catalog.droppedPoints,
    expiredSeries: catalog.expiredSeries,
    retentionMs: catalog.retentionMs,
    expiredMetrics: catalog.expiredMetrics.map((m) => ({
      name: m.name,
      seriesCount: m.seriesCount,
      lastTimeUnixNano: m.lastTimeUnixNano.toString(),
      newestUnixMs: m.newestMs,
    })),
  };
}

function exemplarToJson(e: MetricExemplarResult): MetricExemplarJson {
  return {
    timeUnixNano: e.timeUnixNano.toString(),
    value: e.value,
    traceId: e.traceId,
    spanId: e.spanId,
    seriesLabel: e.seriesLabel,
    attributes: e.attributes,
  };
}

export function metricQueryToJson(result: MetricQueryResult): MetricQueryResponse {
  const json: MetricQueryResponse = {
    metric: metricInfoToJson(result.metric),
    chart: result.chart,
    fromUnixMs: result.fromMs,
    toUnixMs: result.toMs,
    stepMs: result.stepMs,
    times: result.times,
    groupBy: result.groupBy,
    series: result.series,
    exemplars: result.exemplars.map(exemplarToJson),
  };
  if (result.omittedSeries > 0) json.omittedSeries = result.omittedSeries;
  if (result.heatmap !== undefined) json.heatmap = result.heatmap;
  if (result.windowPercentiles !== undefined) json.windowPercentiles = result.windowPercentiles;
  if (result.stat !== undefined) json.stat = result.stat;
  if (result.startsAtData === true) json.startsAtData = true;
  if (result.firstPointMs !== undefined) json.firstPointUnixMs = result.firstPointMs;
  return json;
}
