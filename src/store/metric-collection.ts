/**
 * Every stored metric and its series, in memory: the working set of both metric stores (the SQLite
 * store writes what changes here through a SeriesJournal and loads it back on open). Owns the
 * series cap, the counts, the catalog and which series a point belongs to.
 */
import { count as countText } from "../domain/count-text.js";
import { type MetricDescriptor, metricUnit, movesByOne, type ReceivedMetric } from "../domain/metric.js";
import { nanosToMs, newObservation, newReadingState, type ReadingState, readPoint } from "../domain/metric-reading.js";
import { pointsInUnit, unitFactor } from "../domain/metric-unit-conversion.js";
import { ascending } from "../domain/order.js";
import type { Attributes } from "../domain/span.js";
import { DUPLICATE, FORGOT } from "./metric-point-keys.js";
import { type EntryJournal, MetricSeries } from "./metric-series.js";
import { SeriesIndex, sameAttributes, seriesHash } from "./metric-series-index.js";
import {
  type ExpiredMetric,
  emptyMetricInsertResult,
  MAX_ATTRIBUTE_KEYS,
  MAX_EXPIRED_METRICS,
  type MetricCatalog,
  type MetricCatalogQuery,
  type MetricInfo,
  type MetricInsertResult,
  type MetricStoreStats,
} from "./metric-store.js";

/** A series whose newest point is this much older than the newest point stored is removed. */
export const SERIES_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Refused series are told apart up to this many (by a hash of their key). */
const MAX_TRACKED_DROPPED_SERIES = 100_000;
const MAX_REPORTED_ERRORS = 5;
/** How far ahead of this machine's clock the retention clock may run. */
const MAX_CLOCK_AHEAD_MS = 60 * 60 * 1000;

/** One metric name: its descriptor as first stored (description and unit as last sent) and its series. */
export class MetricRecord {
  readonly series = new SeriesIndex();
  readonly attributeKeys = new Set<string>();
  lastTimeUnixNano = 0n;

  constructor(public descriptor: MetricDescriptor) {}

  /**
   * `service`: the page or the API looks at that service's series only: the newest point and the
   * temporality are then that service's (a metric sent by several services: one that stopped 15 minutes
   * ago said "last point just now", and "cumulative" for its delta series, the whole metric's).
   */
  info(service?: string): MetricInfo {
    const services = new Map<string, { series: number; lastMs: number }>();
    const temporalities = new Set<"delta" | "cumulative">();
    for (const s of this.series.values()) {
      const seen = services.get(s.service);
      if (seen === undefined) services.set(s.service, { series: 1, lastMs: s.lastMs });
      else {
        seen.series++;
        if (s.lastMs > seen.lastMs) seen.lastMs = s.lastMs;
      }
      const temporality = s.descriptor.temporality;
      if (temporality !== undefined && (service === undefined || s.service === service)) temporalities.add(temporality);
    }
    const names = [...services.keys()].sort();
    const own = service === undefined ? undefined : services.get(service);
    let descriptor = this.descriptor;
    const only = temporalities.size === 1 ? [...temporalities][0] : undefined;
    if (only !== undefined && only !== descriptor.temporality) descriptor = { ...descriptor, temporality: only };
    const info: MetricInfo = {
      descriptor,
      services: names,
      seriesPerService: names.map((name) => (services.get(name) as { series: number }).series),
      lastTimeUnixNanoPerService: names.map((name) =>
        this.newestNanos((services.get(name) as { lastMs: number }).lastMs),
      ),
      attributeKeys: [...this.attributeKeys].sort(),
      seriesCount: this.series.size,
      lastTimeUnixNano: own === undefined ? this.lastTimeUnixNano : this.newestNanos(own.lastMs),
      level: this.isLevel(),
    };
    if (temporalities.size > 1) info.temporalities = [...temporalities].sort();
    return info;
  }

  /**
   * A series' newest point (unix ms) in nanoseconds: to the millisecond, or exact when it is the
   * metric's newest point (series keep their newest time in milliseconds).
   */
  private newestNanos(ms: number): bigint {
    if (!Number.isFinite(ms)) return 0n;
    const nanos = BigInt(Math.floor(ms)) * 1_000_000n;
    return this.lastTimeUnixNano - nanos >= 0n && this.lastTimeUnixNano - nanos < 1_000_000n
      ? this.lastTimeUnixNano
      : nanos;
  }

  /**
   * A TraceKit SDK gauge whose every series' recent points (its raw entries, by time) move by one:
   * a level that inc() and dec() move, not a histogram's samples (see movesByOne).
   */
  private isLevel(): boolean {
    if (this.descriptor.kind !== "gauge" || !this.descriptor.tracekit) return false;
    let any = false;
    for (const series of this.series.values()) {
      const values = series.recentValues();
      if (values.length < 2) continue;
      if (!movesByOne(values)) return false;
      any = true;
    }
    return any;
  }
}

/** Whether points are read the same way under both descriptors (keeping the older spares a write per point). */
function sameReading(a: MetricDescriptor, b: MetricDescriptor): boolean {
  return (
    a.kind === b.kind && a.temporality === b.temporality && a.monotonic === b.monotonic && a.tracekit === b.tracekit
  );
}

/**
 * The series a point goes to when it is the one that followed `previous` in the last export: an
 * exporter sends its series in the same order every time, so most points are found without hashing
 * their attributes (still confirmed by comparing them).
 */
function followingSeries(
  previous: MetricSeries | undefined,
  service: string,
  attributes: Attributes,
): MetricSeries | undefined {
  const next = previous === undefined ? null : previous.followedBy;
  return next !== null && !next.removed && next.service === service && sameAttributes(next.attributes, attributes)
    ? next
    : undefined;
}

function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Told about every change to stored metrics, for a store that writes them elsewhere. */
export interface MetricJournal extends EntryJournal {
  /** The series received a point with this key (see PointKeys). */
  pointKeyAdded(series: MetricSeries, time: bigint, start: bigint, source: number): void;
  /** The series let its oldest point keys go: those at or before `pointKeys.forgottenThrough` are gone. */
  pointKeysForgotten(series: MetricSeries): void;
  /** Its reading state, exemplars or newest time changed (or it is new). */
  seriesChanged(series: MetricSeries): void;
  seriesRemoved(series: MetricSeries): void;
  /** Its descriptor, attribute keys or newest time changed (or it is new). */
  metricChanged(record: MetricRecord): void;
  metricRemoved(name: string): void;
}

export interface MetricCounts {
  points: number;
  droppedSeries: number;
  droppedPoints: number;
  expiredSeries: number;
}

export class MetricCollection {
  readonly metrics = new Map<string, MetricRecord>();
  seriesCount = 0;
  counts: MetricCounts = { points: 0, droppedSeries: 0, droppedPoints: 0, expiredSeries: 0 };
  /** Metrics retention removed whole, by name, oldest removal first (at most MAX_EXPIRED_METRICS). */
  readonly expired = new Map<string, ExpiredMetric>();
  /** Whether `expired` changed since `takeExpired` (a store file keeps it). */
  private expiredChanged = false;
  /** Newest point stored, unix ms: the clock of series retention (senders' clocks, not ours). */
  newestMs = Number.NEGATIVE_INFINITY;
  private nextSeriesId = 1;
  /** Every point is read into this one object: a series copies what it keeps. */
  private readonly scratch = newObservation();
  private droppedKeys = new Set<number>();
  /** Whether `droppedKeys` gained one since `takeDroppedKeys` (a store file keeps them). */
  private droppedKeysChanged = false;
  private sweptAtMs = Number.NEGATIVE_INFINITY;
  /**
   * Per resource (a point source: a hash of its attributes), the time of the newest point it sent of
   * any metric, unix ms: an app exporting other metrics after a delta counter's last point was alive
   * meanwhile, and its counter recorded nothing (an OpenTelemetry SDK sends no delta point then).
   */
  private readonly resourceNewestMs = new Map<number, number>();
  /** The last resource hashed into a point source, and its hash: the metrics of one resource share it. */
  private lastResource: Attributes | undefined;
  private lastSource = 0;

  constructor(
    readonly maxSeries: number,
    private journal: MetricJournal | null = null,
    private readonly now: () => number = Date.now,
  ) {}

  insert(received: readonly ReceivedMetric[]): MetricInsertResult {
    const result = emptyMetricInsertResult();
    // Retention first, so that a series past its day makes room for the points that outlive it.
    this.advanceClock(received);
    for (const metric of received) {
      const { descriptor } = metric;
      let record = this.metrics.get(descriptor.name);
      if (record !== undefined && record.descriptor.kind !== descriptor.kind) {
        const count = metric.data.points.length;
        result.rejected += count;
        if (result.errors.length < MAX_REPORTED_ERRORS) {
          result.errors.push(
            `metric "${descriptor.name}" is stored as a ${record.descriptor.kind}; ${countText(count)} ${descriptor.kind} point(s) refused`,
          );
        }
        continue;
      }
      const before = result.accepted;
      const unit = metricUnit(metric);
      // Points in another unit than the metric's (one service in ms, another in s) are converted to
      // it; a unit that measures something else, or an exponential histogram, is refused as a kind is.
      // A TraceKit SDK's points say their unit in a tag each (metricUnit), which names their series:
      // each is converted by its own, its tag then the metric's unit.
      const unitTagged = descriptor.tracekit && descriptor.unit === "";
      // A TraceKit SDK's first batch takes its first point's unit as the metric's, as its record will.
      const storedUnit = record?.descriptor.unit || (unitTagged ? unit : "");
      const data = pointsInUnit(metric.data, storedUnit, unit, unitTagged);
      const refused = metric.data.points.length - (data?.points.length ?? 0);
      if (refused > 0) {
        result.rejected += refused;
        if (result.errors.length < MAX_REPORTED_ERRORS) {
          const why =
            metric.data.kind === "exponentialHistogram" && unitFactor(storedUnit, unit) !== null
              ? ": an exponential histogram's buckets cannot be converted exactly"
              : "";
          const sent = unitTagged ? "a unit of another measure" : unit;
          result.errors.push(
            `metric "${descriptor.name}" is stored in ${storedUnit}; ${countText(refused)} point(s) in ${sent} refused${why}`,
          );
        }
      }
      if (data === null) continue;
      // A TraceKit SDK sends each recorded value as a point stamped in milliseconds: two in one
      // millisecond are two values, so its points have no key to be told apart by.
      const source = descriptor.tracekit ? null : this.sourceOf(metric.resource);
      // Only a resource the sender named tells when that app last exported (see resourceSeenMs).
      const resource = metric.resource === undefined ? null : source;
      let resourceNewest = Number.NEGATIVE_INFINITY;
      let previous: MetricSeries | undefined;
      for (const point of data.points) {
        let series = followingSeries(previous, metric.service, point.attributes);
        const hash = series === undefined ? seriesHash(metric.service, point.attributes) : 0;
        if (series === undefined) series = record?.series.find(metric.service, point.attributes, hash);
        if (series === undefined) {
          if (this.seriesCount >= this.maxSeries) {
            this.refuse(descriptor.name, hash);
            result.droppedPoints++;
            continue;
          }
          if (record === undefined) {
            record = new MetricRecord({ ...descriptor, unit });
            this.metrics.set(descriptor.name, record);
            // Back again: no longer one that retention removed.
            if (this.expired.delete(descriptor.name)) this.expiredChanged = true;
          }
          series = this.createSeries(record, metric.service, point.attributes, descriptor, newReadingState());
        }
        if (previous !== undefined) previous.followedBy = series;
        previous = series;
        if (source !== null) {
          const received = series.pointKeys.receive(point.timeUnixNano, point.startTimeUnixNano, source);
          if (received === DUPLICATE) {
            result.duplicates++;
            continue;
          }
          if (this.journal !== null) {
            if (received === FORGOT) this.journal.pointKeysForgotten(series);
            this.journal.pointKeyAdded(series, point.timeUnixNano, point.startTimeUnixNano, source);
          }
        }
        if (!sameReading(series.descriptor, descriptor)) series.descriptor = descriptor;
        const observation = readPoint(descriptor, series.reading, point, this.scratch, source ?? 0);
        if (observation !== null) series.add(observation, this.journal);
        series.addExemplars(point.exemplars);
        const ms = observation?.timeMs ?? nanosToMs(point.timeUnixNano);
        if (ms >= series.lastMs) {
          series.lastMs = ms;
          series.resource = resource;
        }
        if (ms > resourceNewest) resourceNewest = ms;
        this.journal?.seriesChanged(series);
        if (point.timeUnixNano > (record as MetricRecord).lastTimeUnixNano) {
          (record as MetricRecord).lastTimeUnixNano = point.timeUnixNano;
        }
        result.accepted++;
      }
      if (resource !== null) this.resourceExported(resource, resourceNewest);
      if (record !== undefined && result.accepted > before) {
        if (descriptor.description !== "") record.descriptor.description = descriptor.description;
        // The first unit sent stays the metric's: later points are converted to it, or taken as they are.
        if (unit !== "" && record.descriptor.unit.trim() === "") record.descriptor.unit = unit;
        result.changedNames.push(descriptor.name);
        this.journal?.metricChanged(record);
      }
    }
    if (result.droppedPoints > 0) result.errors.push(this.seriesBoundMessage());
    this.counts.points += result.accepted;
    this.counts.droppedPoints += result.droppedPoints;
    result.changedNames = [...new Set(result.changedNames)];
    return result;
  }

  /** Why points of new series were refused, and how to keep them (the exporter's partial success says it). */
  private seriesBoundMessage(): string {
    return (
      `data points of new series refused: the store holds at most ${countText(this.maxSeries)} metric series ` +
      "(start tracekit-local with a higher --max-metric-series to keep more)"
    );
  }

  /** The source of the points of a metric from `resource`: a hash of its attributes (0 without one). */
  private sourceOf(resource: Attributes | undefined): number {
    if (resource === undefined) return 0;
    if (resource !== this.lastResource) {
      this.lastResource = resource;
      this.lastSource = seriesHash("", resource);
    }
    return this.lastSource;
  }

  /** Notes that `resource` sent a point taken at `ms` (also one loaded from a file). */
  resourceExported(resource: number, ms: number): void {
    if (!(ms <= (this.resourceNewestMs.get(resource) ?? Number.NEGATIVE_INFINITY)))
      this.resourceNewestMs.set(resource, ms);
  }

  /** The time of the newest point `resource` sent, of any metric (unix ms); -Infinity when none is known. */
  resourceSeenMs(resource: number): number {
    return this.resourceNewestMs.get(resource) ?? Number.NEGATIVE_INFINITY;
  }

  /**
   * Moves the retention clock to the newest point received, but never past an hour from now: one
   * point from a sender whose clock runs far ahead must not age everything else out.
   */
  private advanceClock(received: readonly ReceivedMetric[]): void {
    let newestNs = 0n;
    for (const metric of received) {
      for (const point of metric.data.points) if (point.timeUnixNano > newestNs) newestNs = point.timeUnixNano;
    }
    const newest = nanosToMs(newestNs);
    if (newest <= this.newestMs) return;
    this.newestMs = Math.min(newest, this.now() + MAX_CLOCK_AHEAD_MS);
    this.sweepIfDue();
  }

  /** Adds a series (new, or loaded from a file), counting it against the cap. */
  createSeries(
    record: MetricRecord,
    service: string,
    attributes: Attributes,
    descriptor: MetricDescriptor,
    reading: ReadingState,
    id = this.nextSeriesId,
  ): MetricSeries {
    const hash = seriesHash(service, attributes);
    const series = new MetricSeries(id, record.descriptor.name, hash, service, attributes, descriptor, reading);
    this.nextSeriesId = Math.max(this.nextSeriesId, id + 1);
    record.series.add(series);
    for (const k of Object.keys(attributes)) {
      if (record.attributeKeys.size >= MAX_ATTRIBUTE_KEYS) break;
      record.attributeKeys.add(k);
    }
    this.seriesCount++;
    return series;
  }

  /**
   * Folds what the metric's series hold past their raw capacity into their rollups (see FOLD_BATCH):
   * done before anything reads their entries.
   */
  settle(record: MetricRecord): void {
    for (const series of record.series.values()) series.settle(this.journal);
  }

  /** Where changes are reported from now on. */
  setJournal(journal: MetricJournal | null): void {
    this.journal = journal;
  }

  /** Adds a metric loaded from a file. */
  addRecord(record: MetricRecord): void {
    this.metrics.set(record.descriptor.name, record);
  }

  /** Counts a refused series once (told apart by its metric and hash). */
  private refuse(metric: string, seriesHash: number): void {
    if (this.droppedKeys.size >= MAX_TRACKED_DROPPED_SERIES) return;
    const hash = (Math.imul(hashOf(metric), 31) + seriesHash) | 0;
    if (this.droppedKeys.has(hash)) return;
    this.droppedKeys.add(hash);
    this.droppedKeysChanged = true;
    this.counts.droppedSeries++;
  }

  /** The refused series' keys when some came since the last call (to write), else null. */
  takeDroppedKeys(): Int32Array | null {
    if (!this.droppedKeysChanged) return null;
    this.droppedKeysChanged = false;
    return Int32Array.from(this.droppedKeys);
  }

  /** The refused series' keys a store file kept: a series refused before a restart is not counted again. */
  restoreDroppedKeys(keys: Int32Array): void {
    for (const key of keys) this.droppedKeys.add(key);
  }

  /** Removes series that stopped reporting a day before the newest point (checked once a minute of data time). */
  private sweepIfDue(): void {
    if (this.newestMs - this.sweptAtMs < 60_000) return;
    this.sweptAtMs = this.newestMs;
    const cutoff = this.newestMs - SERIES_RETENTION_MS;
    for (const [resource, ms] of this.resourceNewestMs) if (ms < cutoff) this.resourceNewestMs.delete(resource);
    for (const [name, record] of this.metrics) {
      const seriesCount = record.series.size;
      for (const series of [...record.series.values()]) {
        if (series.lastMs >= cutoff) continue;
        record.series.delete(series);
        series.removed = true;
        this.seriesCount--;
        this.counts.expiredSeries++;
        this.journal?.seriesRemoved(series);
      }
      if (record.series.size === 0) {
        this.metrics.delete(name);
        this.journal?.metricRemoved(name);
        this.rememberExpired({
          name,
          seriesCount,
          lastTimeUnixNano: record.lastTimeUnixNano,
          newestMs: this.newestMs,
        });
      }
    }
  }

  /** Remembers a metric retention removed (the oldest removal is forgotten past the bound). */
  rememberExpired(metric: ExpiredMetric): void {
    this.expired.delete(metric.name);
    this.expired.set(metric.name, metric);
    if (this.expired.size > MAX_EXPIRED_METRICS) this.expired.delete(this.expired.keys().next().value as string);
    this.expiredChanged = true;
  }

  /** The removed metrics when they changed since the last call (to write), else null. */
  takeExpired(): ExpiredMetric[] | null {
    if (!this.expiredChanged) return null;
    this.expiredChanged = false;
    return [...this.expired.values()];
  }

  catalog(query: MetricCatalogQuery): MetricCatalog {
    const q = query.q?.toLowerCase();
    const metrics: MetricInfo[] = [];
    for (const record of this.metrics.values()) {
      const { name, description } = record.descriptor;
      if (q !== undefined && !name.toLowerCase().includes(q) && !description.toLowerCase().includes(q)) continue;
      const info = record.info(query.service);
      if (query.service !== undefined && !info.services.includes(query.service)) continue;
      metrics.push(info);
    }
    metrics.sort((a, b) => ascending(a.descriptor.name, b.descriptor.name));
    return {
      metrics,
      maxSeries: this.maxSeries,
      droppedSeries: this.counts.droppedSeries,
      droppedPoints: this.counts.droppedPoints,
      expiredSeries: this.counts.expiredSeries,
      retentionMs: SERIES_RETENTION_MS,
      expiredMetrics: [...this.expired.values()].reverse(),
    };
  }

  clear(): void {
    this.metrics.clear();
    this.resourceNewestMs.clear();
    this.seriesCount = 0;
    this.counts = { points: 0, droppedSeries: 0, droppedPoints: 0, expiredSeries: 0 };
    this.expired.clear();
    this.expiredChanged = true;
    this.droppedKeys = new Set();
    this.droppedKeysChanged = false;
    this.newestMs = Number.NEGATIVE_INFINITY;
    this.sweptAtMs = Number.NEGATIVE_INFINITY;
  }

  stats(): MetricStoreStats {
    return {
      metrics: this.metrics.size,
      series: this.seriesCount,
      points: this.counts.points,
      maxSeries: this.maxSeries,
      droppedSeries: this.counts.droppedSeries,
      droppedPoints: this.counts.droppedPoints,
      expiredSeries: this.counts.expiredSeries,
    };
  }
}
