/**
 * Every stored metric and its series, in memory: the working set of both metric stores (the SQLite
 * store writes what changes here through a SeriesJournal and loads it back on open). Owns the
 * series cap, the counts, the catalog and which series a point belongs to.
 */
import type { MetricDescriptor, ReceivedMetric } from "../domain/metric.js";
import { nanosToMs, newReadingState, type ReadingState, readPoint } from "../domain/metric-reading.js";
import type { Attributes } from "../domain/span.js";
import { MetricSeries, type SeriesJournal } from "./metric-series.js";
import {
  MAX_ATTRIBUTE_KEYS,
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

/** One metric name: its descriptor as first stored (description and unit as last sent) and its series. */
export class MetricRecord {
  readonly series = new Map<string, MetricSeries>();
  readonly attributeKeys = new Set<string>();
  lastTimeUnixNano = 0n;

  constructor(public descriptor: MetricDescriptor) {}

  info(): MetricInfo {
    const services = new Set<string>();
    for (const s of this.series.values()) services.add(s.service);
    return {
      descriptor: this.descriptor,
      services: [...services].sort(),
      attributeKeys: [...this.attributeKeys].sort(),
      seriesCount: this.series.size,
      lastTimeUnixNano: this.lastTimeUnixNano,
    };
  }
}

/** The identity of a series within its metric: service and attribute set, independent of key order. */
export function seriesKey(service: string, attributes: Attributes): string {
  const keys = Object.keys(attributes);
  if (keys.length > 1) keys.sort();
  let key = service;
  for (const k of keys) key += `\u0000${k}\u0001${JSON.stringify(attributes[k])}`;
  return key;
}

function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export interface MetricCounts {
  points: number;
  droppedSeries: number;
  droppedPoints: number;
}

export class MetricCollection {
  readonly metrics = new Map<string, MetricRecord>();
  seriesCount = 0;
  counts: MetricCounts = { points: 0, droppedSeries: 0, droppedPoints: 0 };
  /** Newest point stored, unix ms: the clock of series retention (senders' clocks, not ours). */
  newestMs = Number.NEGATIVE_INFINITY;
  private nextSeriesId = 1;
  private droppedKeys = new Set<number>();
  private sweptAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly maxSeries: number,
    private readonly journal: SeriesJournal | null = null,
    private readonly onSeriesRemoved: (series: MetricSeries) => void = () => {},
  ) {}

  insert(received: readonly ReceivedMetric[]): MetricInsertResult {
    const result: MetricInsertResult = { accepted: 0, droppedPoints: 0, rejected: 0, errors: [], changedNames: [] };
    for (const metric of received) {
      const { descriptor } = metric;
      let record = this.metrics.get(descriptor.name);
      if (record !== undefined && record.descriptor.kind !== descriptor.kind) {
        const count = metric.data.points.length;
        result.rejected += count;
        if (result.errors.length < MAX_REPORTED_ERRORS) {
          result.errors.push(
            `metric "${descriptor.name}" is stored as a ${record.descriptor.kind}; ${count} ${descriptor.kind} point(s) refused`,
          );
        }
        continue;
      }
      const before = result.accepted;
      for (const point of metric.data.points) {
        const key = seriesKey(metric.service, point.attributes);
        let series = record?.series.get(key);
        if (series === undefined) {
          if (this.seriesCount >= this.maxSeries) {
            this.refuse(`${descriptor.name}\u0002${key}`);
            result.droppedPoints++;
            continue;
          }
          if (record === undefined) {
            record = new MetricRecord({ ...descriptor });
            this.metrics.set(descriptor.name, record);
          }
          series = this.createSeries(record, key, metric.service, point.attributes, descriptor, newReadingState());
        }
        series.descriptor = descriptor;
        const observation = readPoint(descriptor, series.reading, point);
        if (observation !== null) series.add(observation, this.journal);
        series.addExemplars(point.exemplars);
        const ms = nanosToMs(point.timeUnixNano);
        if (ms > series.lastMs) series.lastMs = ms;
        if (ms > this.newestMs) this.newestMs = ms;
        if (point.timeUnixNano > (record as MetricRecord).lastTimeUnixNano) {
          (record as MetricRecord).lastTimeUnixNano = point.timeUnixNano;
        }
        result.accepted++;
      }
      if (record !== undefined && result.accepted > before) {
        if (descriptor.description !== "") record.descriptor.description = descriptor.description;
        if (descriptor.unit !== "") record.descriptor.unit = descriptor.unit;
        result.changedNames.push(descriptor.name);
      }
    }
    this.counts.points += result.accepted;
    this.counts.droppedPoints += result.droppedPoints;
    result.changedNames = [...new Set(result.changedNames)];
    this.sweepIfDue();
    return result;
  }

  /** Adds a series (new, or loaded from a file), counting it against the cap. */
  createSeries(
    record: MetricRecord,
    key: string,
    service: string,
    attributes: Attributes,
    descriptor: MetricDescriptor,
    reading: ReadingState,
    id = this.nextSeriesId,
  ): MetricSeries {
    const series = new MetricSeries(id, record.descriptor.name, service, attributes, descriptor, reading);
    this.nextSeriesId = Math.max(this.nextSeriesId, id + 1);
    record.series.set(key, series);
    for (const k of Object.keys(attributes)) {
      if (record.attributeKeys.size >= MAX_ATTRIBUTE_KEYS) break;
      record.attributeKeys.add(k);
    }
    this.seriesCount++;
    return series;
  }

  /** Adds a metric loaded from a file. */
  addRecord(record: MetricRecord): void {
    this.metrics.set(record.descriptor.name, record);
  }

  private refuse(key: string): void {
    if (this.droppedKeys.size >= MAX_TRACKED_DROPPED_SERIES) return;
    const hash = hashOf(key);
    if (this.droppedKeys.has(hash)) return;
    this.droppedKeys.add(hash);
    this.counts.droppedSeries++;
  }

  /** Removes series that stopped reporting a day before the newest point (checked once a minute of data time). */
  private sweepIfDue(): void {
    if (this.newestMs - this.sweptAtMs < 60_000) return;
    this.sweptAtMs = this.newestMs;
    const cutoff = this.newestMs - SERIES_RETENTION_MS;
    for (const [name, record] of this.metrics) {
      for (const [key, series] of record.series) {
        if (series.lastMs >= cutoff) continue;
        record.series.delete(key);
        this.seriesCount--;
        this.onSeriesRemoved(series);
      }
      if (record.series.size === 0) this.metrics.delete(name);
    }
  }

  catalog(query: MetricCatalogQuery): MetricCatalog {
    const q = query.q?.toLowerCase();
    const metrics: MetricInfo[] = [];
    for (const record of this.metrics.values()) {
      const { name, description } = record.descriptor;
      if (q !== undefined && !name.toLowerCase().includes(q) && !description.toLowerCase().includes(q)) continue;
      const info = record.info();
      if (query.service !== undefined && !info.services.includes(query.service)) continue;
      metrics.push(info);
    }
    metrics.sort((a, b) =>
      a.descriptor.name < b.descriptor.name ? -1 : a.descriptor.name > b.descriptor.name ? 1 : 0,
    );
    return {
      metrics,
      maxSeries: this.maxSeries,
      droppedSeries: this.counts.droppedSeries,
      droppedPoints: this.counts.droppedPoints,
    };
  }

  clear(): void {
    this.metrics.clear();
    this.seriesCount = 0;
    this.counts = { points: 0, droppedSeries: 0, droppedPoints: 0 };
    this.droppedKeys = new Set();
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
    };
  }
}
