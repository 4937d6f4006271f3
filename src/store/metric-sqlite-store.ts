/**
 * Metrics in the `--db` file, on the span store's connection (see SqliteStoreOptions.companion).
 * The working set is the same in-memory collection as the memory store's, loaded from the file when
 * it opens; every change to it is journaled and written in batches (one transaction at most every
 * ~100 ms, and on close), so the file holds exactly what memory holds, within the same bounds.
 */
import type { MetricDescriptor } from "../domain/metric.js";
import { MetricCollection, type MetricJournal, MetricRecord } from "./metric-collection.js";
import { queryMetric } from "./metric-query.js";
import type { MetricSeries, Tier } from "./metric-series.js";
import {
  decodeEntry,
  decodePointKeys,
  decodeSeriesState,
  encodeEntry,
  encodePointKeys,
  encodeSeriesState,
  toSignedNs,
} from "./metric-sqlite-codec.js";
import { migrateMetrics } from "./metric-sqlite-schema.js";
import { DEFAULT_MAX_METRIC_SERIES, type ExpiredMetric, type MetricBounds, type MetricStore } from "./metric-store.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-schema.js";

export interface SqliteMetricStoreOptions extends MetricBounds {
  /** Longest a change waits before it is written (default 100 ms). */
  flushIntervalMs?: number;
  /** Pending entry writes that trigger a write at once (default 20,000). */
  flushEntries?: number;
}

const DEFAULT_FLUSH_INTERVAL_MS = 100;
const DEFAULT_FLUSH_ENTRIES = 20_000;

/** Point keys received since the last write, of one series: (time, start, source) triples. */
type NewKeys = (bigint | number)[];

/** What is waiting to be written. */
class PendingWrites implements MetricJournal {
  /** Keys of changed entries per tier, per series. */
  entries = new Map<MetricSeries, Set<number>[]>();
  changedEntries = 0;
  series = new Set<MetricSeries>();
  removedSeries = new Set<number>();
  metrics = new Set<MetricRecord>();
  removedMetrics = new Set<string>();
  keys = new Map<MetricSeries, NewKeys>();
  /** Series that let point keys go since the last write. */
  forgotten = new Set<MetricSeries>();
  constructor(private readonly onChange: () => void) {}

  pointKeyAdded(series: MetricSeries, time: bigint, start: bigint, source: number): void {
    let keys = this.keys.get(series);
    if (keys === undefined) {
      keys = [];
      this.keys.set(series, keys);
    }
    keys.push(time, start, source);
  }
  pointKeysForgotten(series: MetricSeries): void {
    this.forgotten.add(series);
  }

  entryChanged(series: MetricSeries, tier: number, key: number): void {
    let keys = this.entries.get(series);
    if (keys === undefined) {
      keys = series.tiers.map(() => new Set<number>());
      this.entries.set(series, keys);
    }
    (keys[tier] as Set<number>).add(key);
    this.changedEntries++;
    this.onChange();
  }
  seriesChanged(series: MetricSeries): void {
    this.series.add(series);
  }
  seriesRemoved(series: MetricSeries): void {
    this.series.delete(series);
    this.entries.delete(series);
    this.keys.delete(series);
    this.forgotten.delete(series);
    this.removedSeries.add(series.id);
  }
  metricChanged(record: MetricRecord): void {
    this.removedMetrics.delete(record.descriptor.name);
    this.metrics.add(record);
  }
  metricRemoved(name: string): void {
    for (const record of this.metrics) if (record.descriptor.name === name) this.metrics.delete(record);
    this.removedMetrics.add(name);
  }
}

export function createSqliteMetricStore(
  db: SqliteDatabase,
  options: SqliteMetricStoreOptions = { maxSeries: DEFAULT_MAX_METRIC_SERIES },
): MetricStore {
  migrateMetrics(db);
  // The span store turns on bigint results for the whole connection; these values are all small.
  const prepare = (sql: string): SqliteStatement => db.prepare(sql).safeIntegers(false);
  const sql = {
    metrics: prepare("SELECT name, descriptor, attribute_keys, last_time_ns FROM mt_metrics").raw(),
    series: prepare("SELECT id, metric, service, attributes, descriptor, state FROM mt_series").raw(),
    entries: prepare("SELECT series_id, tier, key, body FROM mt_entries ORDER BY series_id, tier, key").raw(),
    counters: prepare(
      "SELECT points, dropped_series, dropped_points, expired_series FROM mt_counters WHERE id = 1",
    ).raw(),
    // Shifted nanoseconds need all 64 bits.
    pointKeys: prepare("SELECT series_id, write_seq, keys FROM mt_point_keys").raw(),
    saveKeys: prepare("INSERT INTO mt_point_keys (series_id, write_seq, through_ns, keys) VALUES (?, ?, ?, ?)"),
    saveMetric: prepare(
      `INSERT INTO mt_metrics (name, descriptor, attribute_keys, last_time_ns) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET descriptor = excluded.descriptor, attribute_keys = excluded.attribute_keys,
         last_time_ns = excluded.last_time_ns`,
    ),
    deleteMetric: prepare("DELETE FROM mt_metrics WHERE name = ?"),
    saveSeries: prepare(
      `INSERT INTO mt_series (id, metric, service, attributes, descriptor, state) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET descriptor = excluded.descriptor, state = excluded.state`,
    ),
    deleteSeries: prepare("DELETE FROM mt_series WHERE id = ?"),
    deleteSeriesEntries: prepare("DELETE FROM mt_entries WHERE series_id = ?"),
    deleteSeriesKeys: prepare("DELETE FROM mt_point_keys WHERE series_id = ?"),
    deleteKeysThrough: prepare("DELETE FROM mt_point_keys WHERE series_id = ? AND through_ns <= ?"),
    saveEntry: prepare(
      `INSERT INTO mt_entries (series_id, tier, key, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (series_id, tier, key) DO UPDATE SET body = excluded.body`,
    ),
    deleteEntriesBelow: prepare("DELETE FROM mt_entries WHERE series_id = ? AND tier = ? AND key < ?"),
    saveCounters: prepare(
      "UPDATE mt_counters SET points = ?, dropped_series = ?, dropped_points = ?, expired_series = ? WHERE id = 1",
    ),
    expiredMetrics: prepare("SELECT expired_metrics FROM mt_counters WHERE id = 1").pluck(),
    saveExpiredMetrics: prepare("UPDATE mt_counters SET expired_metrics = ? WHERE id = 1"),
    droppedKeys: prepare("SELECT dropped_keys FROM mt_counters WHERE id = 1").pluck(),
    saveDroppedKeys: prepare("UPDATE mt_counters SET dropped_keys = ? WHERE id = 1"),
    clearAll: () =>
      db.exec(
        "DELETE FROM mt_entries; DELETE FROM mt_point_keys; DELETE FROM mt_series; DELETE FROM mt_metrics; UPDATE mt_counters SET points = 0, dropped_series = 0, dropped_points = 0, dropped_keys = NULL, expired_series = 0, expired_metrics = NULL;",
      ),
  };
  const flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const flushEntries = options.flushEntries ?? DEFAULT_FLUSH_ENTRIES;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  // A write that falls due during an insert waits for its end: mid-insert, a series may be halfway
  // through folding raw points into rollups, and what is written then would not be what readers see.
  let inserting = false;
  let writeDue = false;
  let pending = new PendingWrites(scheduleFlush);
  /** Numbers the rows of point keys of each write (one per series), so that a series' rows are in order. */
  let nextKeyWrite = 1;
  let collection = load();

  function scheduleFlush(): void {
    if (pending.changedEntries < flushEntries) timer ??= setTimeout(flush, flushIntervalMs);
    else if (inserting) writeDue = true;
    else flush();
  }

  function load(): MetricCollection {
    const loaded = new MetricCollection(options.maxSeries, pending);
    const records = new Map<string, MetricRecord>();
    for (const [name, descriptor, keys, lastNs] of sql.metrics.all() as [string, string, string, string][]) {
      const record = new MetricRecord(JSON.parse(descriptor) as MetricDescriptor);
      for (const key of JSON.parse(keys) as string[]) record.attributeKeys.add(key);
      record.lastTimeUnixNano = BigInt(lastNs);
      records.set(name, record);
      loaded.addRecord(record);
    }
    const byId = new Map<number, MetricSeries>();
    // Series whose state does not say when their counting began: read from their entries once loaded.
    const countedFromEntries: MetricSeries[] = [];
    const rows = sql.series.all() as [number, string, string, string, string, string][];
    for (const [id, metric, service, attributes, descriptor, stateText] of rows) {
      const record = records.get(metric);
      if (record === undefined) continue;
      const state = decodeSeriesState(stateText);
      const series = loaded.createSeries(
        record,
        service,
        JSON.parse(attributes),
        JSON.parse(descriptor) as MetricDescriptor,
        state.reading,
        id,
      );
      series.lastMs = state.lastMs;
      series.pointKeys.restoreForgotten(state.forgottenThrough);
      series.exemplars = state.exemplars;
      series.bounds = state.bounds;
      (series.tiers[0] as Tier).firstKey = state.nextRawKey;
      if (state.countedFromMs !== null) series.countedFromMs = state.countedFromMs;
      else countedFromEntries.push(series);
      if (state.lastMs > loaded.newestMs) loaded.newestMs = state.lastMs;
      byId.set(id, series);
    }
    for (const [seriesId, level, key, body] of sql.entries.iterate() as Iterable<[number, number, number, string]>) {
      const series = byId.get(seriesId);
      const tier = series?.tiers[level];
      if (series === undefined || tier === undefined) continue;
      // Raw keys are contiguous from the oldest kept: the first one read is where they start.
      if (level === 0 && tier.size === 0) tier.firstKey = key;
      tier.appendFields(decodeEntry(body), series.bounds);
    }
    for (const series of countedFromEntries) series.countedFromMs = series.earliestIncreaseMs();
    for (const [seriesId, written, blob] of sql.pointKeys.iterate() as Iterable<[number, number, Uint8Array]>) {
      const keys = byId.get(seriesId)?.pointKeys;
      if (keys !== undefined) decodePointKeys(blob, (time, start, source) => keys.receive(time, start, source));
      if (written >= nextKeyWrite) nextKeyWrite = written + 1;
    }
    const [points, droppedSeries, droppedPoints, expiredSeries] = sql.counters.get() as [
      number,
      number,
      number,
      number,
    ];
    loaded.counts = { points, droppedSeries, droppedPoints, expiredSeries };
    const expired = sql.expiredMetrics.get() as string | null | undefined;
    if (typeof expired === "string") {
      for (const metric of JSON.parse(expired) as (Omit<ExpiredMetric, "lastTimeUnixNano"> & {
        lastTimeUnixNano: string;
      })[])
        loaded.rememberExpired({ ...metric, lastTimeUnixNano: BigInt(metric.lastTimeUnixNano) });
      loaded.takeExpired();
    }
    const droppedKeys = sql.droppedKeys.get() as Uint8Array | null;
    if (droppedKeys !== null && droppedKeys !== undefined) {
      const copy = droppedKeys.buffer.slice(droppedKeys.byteOffset, droppedKeys.byteOffset + droppedKeys.byteLength);
      loaded.restoreDroppedKeys(new Int32Array(copy));
    }
    return loaded;
  }

  const write = db.transaction((writes: PendingWrites) => {
    for (const name of writes.removedMetrics) sql.deleteMetric.run(name);
    for (const record of writes.metrics) {
      const d = record.descriptor;
      sql.saveMetric.run(
        d.name,
        JSON.stringify(d),
        JSON.stringify([...record.attributeKeys]),
        record.lastTimeUnixNano.toString(),
      );
    }
    for (const id of writes.removedSeries) {
      sql.deleteSeries.run(id);
      sql.deleteSeriesEntries.run(id);
      sql.deleteSeriesKeys.run(id);
    }
    for (const series of writes.series) {
      sql.saveSeries.run(
        series.id,
        series.metric,
        series.service,
        JSON.stringify(series.attributes),
        JSON.stringify(series.descriptor),
        encodeSeriesState(series),
      );
    }
    for (const [series, keys] of writes.entries) {
      series.tiers.forEach((tier, level) => {
        // Entries leave a tier only from its oldest end: one range delete covers them.
        sql.deleteEntriesBelow.run(
          series.id,
          level,
          tier.size === 0 ? Number.MAX_SAFE_INTEGER : tier.keyAt(tier.begin),
        );
        for (const key of keys[level] as Set<number>) {
          const i = tier.indexOf(key);
          if (i >= 0) sql.saveEntry.run(series.id, level, key, encodeEntry(tier.fieldsAt(i, series.bounds)));
        }
      });
    }
    writeKeys(writes);
    const { points, droppedSeries, droppedPoints, expiredSeries } = collection.counts;
    sql.saveCounters.run(points, droppedSeries, droppedPoints, expiredSeries);
    const expired = collection.takeExpired();
    if (expired !== null) {
      sql.saveExpiredMetrics.run(
        JSON.stringify(expired.map((m) => ({ ...m, lastTimeUnixNano: m.lastTimeUnixNano.toString() }))),
      );
    }
    const droppedKeys = collection.takeDroppedKeys();
    if (droppedKeys !== null) sql.saveDroppedKeys.run(Buffer.from(droppedKeys.buffer));
  });

  /**
   * The point keys received since the last write, less those already let go, in one row per series;
   * then the rows whose keys were all let go deleted.
   */
  function writeKeys(writes: PendingWrites): void {
    for (const [series, keys] of writes.keys) {
      const encoded = encodePointKeys(keys, series.pointKeys.forgottenThrough);
      if (encoded !== null) sql.saveKeys.run(series.id, nextKeyWrite++, toSignedNs(encoded.through), encoded.blob);
    }
    for (const series of writes.forgotten) {
      sql.deleteKeysThrough.run(series.id, toSignedNs(series.pointKeys.forgottenThrough));
    }
  }

  function flush(): void {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (closed) return;
    const writes = pending;
    pending = new PendingWrites(scheduleFlush);
    collection.setJournal(pending);
    // The file gets the entries as readers see them: settling adds its changes to these writes.
    for (const series of writes.entries.keys()) series.settle(writes);
    write(writes);
  }

  function assertOpen(): void {
    if (closed) throw new Error("the metric store is closed");
  }

  return {
    kind: "sqlite",
    insert(metrics) {
      assertOpen();
      inserting = true;
      let result: ReturnType<typeof collection.insert>;
      try {
        result = collection.insert(metrics);
      } finally {
        inserting = false;
      }
      if (writeDue) {
        writeDue = false;
        flush();
      }
      // Counts change even when every point was dropped.
      if (result.accepted === 0 && result.droppedPoints > 0) timer ??= setTimeout(flush, flushIntervalMs);
      return result;
    },
    catalog(query) {
      assertOpen();
      return collection.catalog(query);
    },
    metric(name) {
      assertOpen();
      return collection.metrics.get(name)?.info();
    },
    query(query) {
      assertOpen();
      const record = collection.metrics.get(query.name);
      if (record === undefined) return undefined;
      collection.settle(record);
      return queryMetric(record, query);
    },
    commit() {
      assertOpen();
      flush();
    },
    clear() {
      assertOpen();
      if (timer !== null) clearTimeout(timer);
      timer = null;
      db.transaction(sql.clearAll)();
      pending = new PendingWrites(scheduleFlush);
      collection = new MetricCollection(options.maxSeries, pending);
    },
    stats() {
      assertOpen();
      return collection.stats();
    },
    close() {
      if (closed) return;
      flush();
      closed = true;
    },
  };
}
