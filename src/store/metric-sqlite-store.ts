/**
 * Metrics in the `--db` file, on the span store's connection (see SqliteStoreOptions.companion).
 * The working set is the same in-memory collection as the memory store's, loaded from the file when
 * it opens; every change to it is journaled and written in batches (at most ~100 ms after it, and on
 * close), so the file holds exactly what memory holds, within the same bounds.
 *
 * With `commits` (the span store's group commit), the batches ride its transactions, and a caller
 * that awaits `committed()` (an export answered once its points are in the file) gets a commit of the
 * exports themselves: one row each in `mt_received`, read again in order when the file opens, and
 * deleted by the next batch, which holds what they changed. Writing a batch touches a page or two of
 * every series it changed (their rows are kept by series), ~86 pages of 16 KiB for an export of 100
 * series: a batch per export made an import of such exports, sent one after another, commit 1.4 MB
 * each and checkpoint every third, three times the CPU of a memory store.
 */
import { deserialize, serialize } from "node:v8";
import type { MetricDescriptor, ReceivedMetric } from "../domain/metric.js";
import { FlushTimer } from "./flush-timer.js";
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
import { FileReadBack } from "./read-back.js";
import type { GroupCommit } from "./sqlite-group-commit.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-schema.js";
import { failedTo } from "./store-unavailable.js";

export interface SqliteMetricStoreOptions extends MetricBounds {
  /** Longest a change waits before it is written (default 100 ms). */
  flushIntervalMs?: number;
  /** Pending entry writes that trigger a write at once (default 20,000). */
  flushEntries?: number;
  /** The span store's group commit: writes go out in its transactions, and `committed()` awaits one. */
  commits?: GroupCommit;
}

const DEFAULT_FLUSH_INTERVAL_MS = 100;
const DEFAULT_FLUSH_ENTRIES = 20_000;

/** An export taken since the series' rows were last written, and the clock it was read at. */
interface ReceivedExport {
  nowMs: number;
  metrics: readonly ReceivedMetric[];
}

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
  /** The counts changed with no other change (every point of an insert was dropped). */
  countsChanged = false;
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

  isEmpty(): boolean {
    return (
      !this.countsChanged &&
      this.entries.size === 0 &&
      this.series.size === 0 &&
      this.removedSeries.size === 0 &&
      this.metrics.size === 0 &&
      this.removedMetrics.size === 0 &&
      this.keys.size === 0 &&
      this.forgotten.size === 0
    );
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
    received: prepare("SELECT now_ms, body FROM mt_received ORDER BY seq").raw(),
    saveReceived: prepare("INSERT INTO mt_received (now_ms, body) VALUES (?, ?)"),
    deleteReceived: prepare("DELETE FROM mt_received"),
    clearAll: () =>
      db.exec(
        "DELETE FROM mt_received; DELETE FROM mt_entries; DELETE FROM mt_point_keys; DELETE FROM mt_series; DELETE FROM mt_metrics; UPDATE mt_counters SET points = 0, dropped_series = 0, dropped_points = 0, dropped_keys = NULL, expired_series = 0, expired_metrics = NULL;",
      ),
  };
  const flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const flushEntries = options.flushEntries ?? DEFAULT_FLUSH_ENTRIES;
  // A timed write that fails (a full disk) leaves the exports in `mt_received`, and memory is read
  // back from the file: the next insert throws its error, as the span and log stores do, unless the
  // exports awaiting that commit were told (their senders retry).
  const flushTimer = new FlushTimer(
    flushIntervalMs,
    () => flush(),
    (error) => options.commits?.told(error) === true,
  );
  let closed = false;
  // A write that falls due during an insert waits for its end: mid-insert, a series may be halfway
  // through folding raw points into rollups, and what is written then would not be what readers see.
  let inserting = false;
  let writeDue = false;
  let pending = new PendingWrites(scheduleFlush);
  /** Numbers the rows of point keys of each write (one per series), so that a series' rows are in order. */
  let nextKeyWrite = 1;
  /** Exports since the series' rows were last written that `mt_received` does not hold yet (with `commits`). */
  let received: ReceivedExport[] = [];
  /** Whether `mt_received` holds rows, which the next write of the series' rows deletes. */
  let receivedInFile = false;
  /** The series' rows are to be written at the next commit (else only the exports received). */
  let rowsDue = false;
  /** The clock the collection reads: an export's own while it is inserted (and read again on open). */
  let clockMs: number | null = null;
  /** The file's exports are being read again: a write cannot happen before the collection is whole. */
  let loading = false;
  /**
   * What memory holds is read back from the file, after a write rolled back: the changes it held were
   * taken from the journal (see FileReadBack).
   */
  const fileRead = new FileReadBack(() => {
    flushTimer.cancel();
    rowsDue = false;
    received = [];
    pending = new PendingWrites(scheduleFlush);
    collection = load();
  });

  let collection = load();

  function newCollection(): MetricCollection {
    return new MetricCollection(options.maxSeries, pending, () => clockMs ?? Date.now());
  }

  function scheduleFlush(): void {
    if (loading || pending.changedEntries < flushEntries) flushTimer.schedule();
    else if (inserting) writeDue = true;
    else flush();
  }

  function load(): MetricCollection {
    const loaded = newCollection();
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
      series.resource = state.resource;
      // A resource's newest point of any metric is its series' newest: what tells a delta counter's quiet time.
      if (state.resource !== null) loaded.resourceExported(state.resource, state.lastMs);
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
    // The exports committed since: inserted again as they were, at their clock; what they change is
    // written with the next batch, which deletes them.
    receivedInFile = false;
    loading = true;
    try {
      for (const [nowMs, body] of sql.received.iterate() as Iterable<[number, Uint8Array]>) {
        clockMs = nowMs;
        loaded.insert(deserialize(body) as ReceivedMetric[]);
        receivedInFile = true;
      }
    } finally {
      clockMs = null;
      loading = false;
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
    if (receivedInFile) sql.deleteReceived.run();
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

  /** Writes the series' rows and commits them: in the group's commit when there is one. */
  function flush(): void {
    flushTimer.cancel();
    if (closed) return;
    rowsDue = true;
    if (options.commits !== undefined) options.commits.commit();
    else writePending();
  }

  /**
   * The group's commit writes the series' rows when they are due, else only the exports received
   * since the last commit: those rows are all a caller awaiting `committed()` needs.
   */
  function writePending(): void {
    if (closed || fileRead.unread) return;
    if (!rowsDue) {
      for (const { nowMs, metrics } of received) sql.saveReceived.run(nowMs, serialize(metrics));
      if (received.length > 0) receivedInFile = true;
      received = [];
      return;
    }
    flushTimer.cancel();
    rowsDue = false;
    // The rows hold what these exports changed.
    received = [];
    if (pending.isEmpty() && !receivedInFile) return;
    const writes = pending;
    pending = new PendingWrites(scheduleFlush);
    collection.setJournal(pending);
    // The file gets the entries as readers see them: settling adds its changes to these writes.
    for (const series of writes.entries.keys()) series.settle(writes);
    try {
      write(writes);
    } catch (error) {
      // Alone, nobody else reads the file back (the group calls rolledBack).
      if (options.commits === undefined) fileRead.readOrLater();
      throw failedTo("write", error);
    }
    receivedInFile = false;
  }

  options.commits?.join({
    hasPending: () => received.length > 0,
    write: writePending,
    rolledBack: () => fileRead.read(),
  });

  function assertOpen(): void {
    if (closed) throw new Error("the metric store is closed");
    fileRead.beforeUse();
  }

  return {
    kind: "sqlite",
    insert(metrics) {
      assertOpen();
      flushTimer.throwDeferred();
      const nowMs = Date.now();
      inserting = true;
      clockMs = nowMs;
      let result: ReturnType<typeof collection.insert>;
      try {
        result = collection.insert(metrics);
      } finally {
        inserting = false;
        clockMs = null;
      }
      if (options.commits !== undefined) received.push({ nowMs, metrics });
      if (writeDue) {
        writeDue = false;
        flush();
      }
      // Counts change even when every point was dropped.
      if (result.accepted === 0 && result.droppedPoints > 0) {
        pending.countsChanged = true;
        flushTimer.schedule();
      }
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
      return queryMetric(record, query, (resource) => collection.resourceSeenMs(resource));
    },
    commit() {
      assertOpen();
      flush();
    },
    committed(mark) {
      assertOpen();
      if (options.commits !== undefined) return options.commits.committed(mark);
      try {
        flush();
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    },
    commitMark: () => options.commits?.mark(),
    clear() {
      assertOpen();
      flushTimer.cancel();
      db.transaction(sql.clearAll)();
      received = [];
      receivedInFile = false;
      rowsDue = false;
      pending = new PendingWrites(scheduleFlush);
      collection = newCollection();
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
