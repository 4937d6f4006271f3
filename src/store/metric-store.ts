import type { DistributionStat, MetricChart, MetricDescriptor, ReceivedMetric } from "../domain/metric.js";
import type { Attributes } from "../domain/span.js";

/** One metric as the catalog lists it. */
export interface MetricInfo {
  descriptor: MetricDescriptor;
  services: string[];
  /** How many of its series each of `services` has, in their order. */
  seriesPerService: number[];
  /** The time of each of `services`' newest point, in their order. */
  lastTimeUnixNanoPerService: bigint[];
  /**
   * Its series' temporalities, when they differ (one service exports with delta temporality, another
   * cumulative); `descriptor.temporality` is then the one first stored, else theirs.
   */
  temporalities?: ("delta" | "cumulative")[];
  /** Data-point attribute keys seen on its series (at most MAX_ATTRIBUTE_KEYS). */
  attributeKeys: string[];
  seriesCount: number;
  /** Time of the newest point (of the service's series, when asked for one service's). */
  lastTimeUnixNano: bigint;
  /** A TraceKit SDK gauge whose points move by one (inc() and dec(): see movesByOne), charted as values. */
  level: boolean;
}

export interface MetricCatalogQuery {
  /** Case-insensitive text in the name or description. */
  q?: string;
  /** Only metrics this service sent. */
  service?: string;
}

export interface MetricCatalog {
  /** By name. */
  metrics: MetricInfo[];
  maxSeries: number;
  droppedSeries: number;
  droppedPoints: number;
  /** Series removed by retention (see SERIES_RETENTION_MS), and how long that is. */
  expiredSeries: number;
  retentionMs: number;
  /** The metrics retention removed whole (their every series), newest removal first; see ExpiredMetric. */
  expiredMetrics: ExpiredMetric[];
}

/**
 * A metric that retention removed: every series' newest point was more than the retention window older
 * than the newest metric point stored. Kept (up to MAX_EXPIRED_METRICS) until the metric arrives again,
 * so a link to it can say where it went.
 */
export interface ExpiredMetric {
  name: string;
  /** Its series when they were removed. */
  seriesCount: number;
  /** Its newest point's time. */
  lastTimeUnixNano: bigint;
  /** The newest metric point stored when it was removed, unix ms (the retention clock). */
  newestMs: number;
}

/** The most removed metrics a store remembers by name (the count of removed series goes on). */
export const MAX_EXPIRED_METRICS = 100;

export interface MetricQuery {
  name: string;
  /**
   * The window [fromMs, toMs), unix ms: steps start at fromMs (or on the grid before it, `alignSteps`),
   * and the last one may end past toMs.
   */
  fromMs: number;
  toMs: number;
  stepMs: number;
  /**
   * Steps on the clock's grid, at multiples of the step (as Grafana asks Prometheus for them), from the
   * one holding fromMs to the one holding toMs: a window ending now is then cut the same way at every
   * request inside a step, so a step that has ended reads the same each time (cut from fromMs, a burst
   * read 1.75 KiB/s, then 268 B/s, then 597 B/s on three reloads). A rollup (its interval on the same
   * grid) then falls whole in one step when the step is a multiple of its width.
   */
  alignSteps?: boolean;
  service?: string;
  /** A data-point attribute key, or `service.name`. */
  groupBy?: string;
  /** Attribute (or `service.name`) equals value, as text; all must hold. */
  where: readonly (readonly [string, string])[];
  /** One of the metric's charts (see chartsOf); its default when absent. */
  chart?: MetricChart;
  /**
   * A distribution chart of several groups draws one statistic per group: with it, each series carries
   * only that one (its mean and counts always), and the answer is a fraction of the size. All when absent.
   */
  stat?: DistributionStat;
  /**
   * A window ending now, whose metric is younger than it: the steps start just before the oldest point
   * (on the steps' grid, at least MIN_DATA_STEPS of `stepMs` long) instead of showing mostly empty time.
   */
  startAtData?: boolean;
  /**
   * `stepMs` is the least step: a longer one when the series' points come further apart (an SDK that
   * exports every 60 s), so each step holds a point and lines join up (at most an eighth of the window).
   */
  stepFromData?: boolean;
}

/** One line of a chart: see MetricSeriesJson in protocol.ts. */
export interface MetricSeriesResult {
  label: string;
  attributes: Attributes;
  values: (number | null)[];
  increases?: (number | null)[];
  /** See MetricSeriesJson. */
  counted?: { fromUnixMs: number; toUnixMs: number };
  p50?: (number | null)[];
  p95?: (number | null)[];
  p99?: (number | null)[];
  atLeast?: { p50?: boolean[]; p95?: boolean[]; p99?: boolean[] };
  counts?: (number | null)[];
  min?: (number | null)[];
  max?: (number | null)[];
  quantiles?: Record<string, (number | null)[]>;
}

export interface MetricExemplarResult {
  timeUnixNano: bigint;
  value: number;
  traceId: string | null;
  spanId: string | null;
  seriesLabel: string;
  attributes: Attributes;
}

/** p50, p95 and p99 of every value in a window (null when not known); atLeast: only lower bounds. */
export interface WindowPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  atLeast?: { p50?: true; p95?: true; p99?: true };
}

export interface MetricQueryResult {
  metric: MetricInfo;
  chart: MetricChart;
  /** The one percentile (or the mean) each series carries, when `stat` applied (a distribution of several groups). */
  stat?: DistributionStat;
  /** Where the steps start (times[0]). */
  fromMs: number;
  /** The window's end (the query's toMs): the last step ends there or runs past it. */
  toMs: number;
  stepMs: number;
  /** The steps start at the metric's first point, not at the window's start (`startAtData`). */
  startsAtData?: boolean;
  /** With `startsAtData`: when the data begins (unix ms): see MetricSeries.oldestMs. */
  firstPointMs?: number;
  /** Start of each step. */
  times: number[];
  groupBy: string | null;
  series: MetricSeriesResult[];
  /** Groups past MAX_QUERY_SERIES, left out (the first by label are kept). */
  omittedSeries: number;
  /** With the window's least and greatest value when every distribution in it knows them (see windowExtremes). */
  heatmap?: { bounds: number[]; counts: number[][]; min?: number; max?: number };
  /** "distribution" only, when the window holds values: see MetricQueryResponse.windowPercentiles. */
  windowPercentiles?: WindowPercentiles;
  /** Newest first, at most MAX_QUERY_EXEMPLARS. */
  exemplars: MetricExemplarResult[];
}

export interface MetricInsertResult {
  /** Data points kept. */
  accepted: number;
  /** Points of new series past the series cap, dropped (and counted in stats). */
  droppedPoints: number;
  /**
   * Points their series had already received (the same time, start time and resource), or older than
   * the points it tells apart: not counted again. See PointKeys.
   */
  duplicates: number;
  /** Points refused because their metric is stored as another kind, and why. */
  rejected: number;
  errors: string[];
  /** Names of the metrics that received points, each once. */
  changedNames: string[];
}

/** A result with nothing in it yet, for an insert to fill. */
export function emptyMetricInsertResult(): MetricInsertResult {
  return { accepted: 0, duplicates: 0, droppedPoints: 0, rejected: 0, errors: [], changedNames: [] };
}

export interface MetricStoreStats {
  metrics: number;
  series: number;
  /** Data points accepted since start (or the last clear). */
  points: number;
  maxSeries: number;
  /** Distinct series refused past the cap (counted exactly up to 100,000), and their points. */
  droppedSeries: number;
  droppedPoints: number;
  /** Series removed by retention: their newest point was a day older than the newest point stored. */
  expiredSeries: number;
}

/**
 * Where metric series live: one bounded time series per (metric, service, attribute set). Recent
 * points are kept raw, older ones in coarser rollups, and each series holds a fixed number of them,
 * so memory stays bounded however long the app runs; past `maxSeries`, points of new series are
 * dropped and counted. Implementations never hand out their internals.
 */
export interface MetricStore {
  readonly kind: "memory" | "sqlite";
  insert(metrics: readonly ReceivedMetric[]): MetricInsertResult;
  catalog(query: MetricCatalogQuery): MetricCatalog;
  /** One metric's catalog entry; undefined when no metric has this name. */
  metric(name: string): MetricInfo | undefined;
  /** undefined when no metric has this name. */
  query(query: MetricQuery): MetricQueryResult | undefined;
  /** Writes and commits every point accepted so far to the store's file; absent without a file. Throws when it failed. */
  commit?(): void;
  /**
   * Resolves once every point accepted so far is committed to the store's file; absent without a file.
   * Requests that complete together share one commit, which may hold only the exports as received (the
   * SQLite store writes the series they changed in a later batch). With a `commitMark()` (see
   * Store.committed), rejects when a commit failed since it was taken.
   */
  committed?(mark?: number): Promise<void>;
  commitMark?(): number | undefined;
  clear(): void;
  stats(): MetricStoreStats;
  close(): void;
}

export interface MetricBounds {
  maxSeries: number;
}

/**
 * The default bound on stored series. bench/metrics.mjs fills every series' raw points and rollups
 * (the most a series can hold, reached after a day of exports) with a mix of 40 % histograms and 60 %
 * counters and gauges: ~72–80 MB of RSS per 1,000 series (6.4 KB of each are its point keys). 2,000
 * full series (~160 MB) beside the default span bound (~250 MB) keep the process near 400 MB; apps with
 * a few services stay well below it.
 */
export const DEFAULT_MAX_METRIC_SERIES = 2_000;

export const MAX_QUERY_STEPS = 2_000;
export const MAX_QUERY_SERIES = 500;
export const MAX_QUERY_EXEMPLARS = 100;
export const MAX_ATTRIBUTE_KEYS = 100;
