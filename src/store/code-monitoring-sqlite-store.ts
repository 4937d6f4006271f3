import type { Breakpoint, SdkEvent, Snapshot, SnapshotSummary } from "../domain/code-monitoring.js";
import { captureTime, locationKey } from "../domain/code-monitoring.js";
import { parseJsonExact } from "../domain/exact-json.js";
import { storedSdkPause } from "../domain/sdk-pause.js";
import { migrateCodeMonitoring } from "./code-monitoring-sqlite-schema.js";
import {
  type CodeMonitoringBounds,
  type CodeMonitoringStore,
  DEFAULT_CODE_MONITORING_BOUNDS,
  type SnapshotDetail,
  snapshotJson,
} from "./code-monitoring-store.js";
import { decodeSnapshotCursor, encodeSnapshotCursor } from "./snapshot-cursor.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-schema.js";
import { reading } from "./store-unavailable.js";

/** Unix ms within what a Date can hold (±100,000,000 days). */
const MAX_TIME_MS = 8.64e15;

/**
 * Whether a time read from the file is one this server writes: whole unix ms a Date can hold. A
 * hand-edited one ("1700000000000.5", 1e300) would make a time no Date or BigInt can take, and
 * reading the state at start or for the page would throw; it reads as unknown instead.
 */
function isStoredTime(ms: unknown): ms is number {
  // Strictly within: a change is stamped a millisecond after a time it follows (code-monitoring.ts).
  return Number.isSafeInteger(ms) && Math.abs(ms as number) < MAX_TIME_MS;
}

/** A time kept as a setting (unix ms as text), or null for none ("", from before it was kept) or not one (isStoredTime). */
function storedTime(value: unknown): number | null {
  const ms = typeof value === "string" && value !== "" ? Number(value) : Number.NaN;
  return isStoredTime(ms) ? ms : null;
}

/**
 * Code monitoring in the `--db` file, on the span store's connection (see SqliteStoreOptions.companion).
 * Every write is its own small transaction, on disk when the call returns: captures are rare next to spans.
 */
export function createSqliteCodeMonitoringStore(
  db: SqliteDatabase,
  bounds: CodeMonitoringBounds = DEFAULT_CODE_MONITORING_BOUNDS,
): CodeMonitoringStore {
  migrateCodeMonitoring(db);
  // The span store turns on bigint results for the whole connection; these values are all small.
  const prepare = (sql: string): SqliteStatement => db.prepare(sql).safeIntegers(false);
  const sql = {
    breakpoints: prepare("SELECT body FROM cm_breakpoints ORDER BY rowid").pluck(),
    breakpointById: prepare("SELECT body FROM cm_breakpoints WHERE id = ?").pluck(),
    breakpointByLocation: prepare("SELECT body FROM cm_breakpoints WHERE location_key = ?").pluck(),
    saveBreakpoint: prepare(
      `INSERT INTO cm_breakpoints (id, location_key, body) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET location_key = excluded.location_key, body = excluded.body`,
    ),
    deleteBreakpoint: prepare("DELETE FROM cm_breakpoints WHERE id = ?"),
    countBreakpoints: prepare("SELECT count(*) FROM cm_breakpoints").pluck(),
    setting: prepare("SELECT value FROM cm_settings WHERE key = ?").pluck(),
    setSetting: prepare("UPDATE cm_settings SET value = ? WHERE key = ?"),
    insertSnapshot: prepare(
      `INSERT INTO cm_snapshots (id, service, breakpoint_id, label, trace_id, summary, detail, bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    countSnapshots: prepare("SELECT count(*), coalesce(sum(bytes), 0) FROM cm_snapshots").raw(),
    oldestSnapshots: prepare("SELECT seq, bytes FROM cm_snapshots ORDER BY seq LIMIT ?").raw(),
    deleteSnapshotsUpTo: prepare("DELETE FROM cm_snapshots WHERE seq <= ?"),
    listSnapshots: prepare(
      `SELECT seq, summary FROM cm_snapshots
       WHERE seq < @before AND (@service IS NULL OR service = @service)
         AND (@breakpointId IS NULL OR breakpoint_id = @breakpointId)
         AND (@traceId IS NULL OR trace_id = @traceId) AND (@label IS NULL OR label = @label)
       ORDER BY seq DESC LIMIT @limit`,
    ).raw(),
    snapshotById: prepare("SELECT summary, detail FROM cm_snapshots WHERE id = ?").raw(),
    snapshotsOfTrace: prepare("SELECT summary FROM cm_snapshots WHERE trace_id = ? ORDER BY seq").pluck(),
    insertEvent: prepare("INSERT INTO cm_sdk_events (body) VALUES (?)"),
    trimEvents: prepare("DELETE FROM cm_sdk_events WHERE seq <= (SELECT max(seq) FROM cm_sdk_events) - ?"),
    listEvents: prepare("SELECT body FROM cm_sdk_events ORDER BY seq DESC LIMIT ?").pluck(),
    countEvents: prepare("SELECT count(*) FROM cm_sdk_events").pluck(),
    sdkPauses: prepare("SELECT service, body FROM cm_sdk_pauses").raw(),
    saveSdkPause: prepare(
      "INSERT INTO cm_sdk_pauses (service, body) VALUES (?, ?) ON CONFLICT (service) DO UPDATE SET body = excluded.body",
    ),
    deleteSdkPause: prepare("DELETE FROM cm_sdk_pauses WHERE service = ?"),
    lastCaptures: prepare("SELECT service, at FROM cm_last_captures").raw(),
    saveLastCapture: prepare(
      "INSERT INTO cm_last_captures (service, at) VALUES (?, ?) ON CONFLICT (service) DO UPDATE SET at = excluded.at",
    ),
    deleteLastCapture: prepare("DELETE FROM cm_last_captures WHERE service = ?"),
    checkIns: prepare("SELECT service, at FROM cm_check_ins").raw(),
    saveCheckIn: prepare(
      "INSERT INTO cm_check_ins (service, at) VALUES (?, ?) ON CONFLICT (service) DO UPDATE SET at = excluded.at",
    ),
    deleteCheckIn: prepare("DELETE FROM cm_check_ins WHERE service = ?"),
    clearCaptured: () => db.exec("DELETE FROM cm_snapshots; DELETE FROM cm_sdk_events;"),
  };

  const [storedCount, storedBytes] = sql.countSnapshots.get() as [number, number];
  let snapshotCount = storedCount;
  let retainedBytes = storedBytes;
  let evictedSnapshots = Number(sql.setting.get("evicted_snapshots"));
  let killSwitch = sql.setting.get("kill_switch") === "true";
  let killSwitchChangedAt = storedTime(sql.setting.get("kill_switch_changed_at"));
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new Error("the code-monitoring store is closed");
  }

  /** The (service, unix ms) rows of a table of per-service times; a row whose time is not one (isStoredTime) is left out. */
  function serviceTimes(statement: SqliteStatement): { service: string; at: number }[] {
    assertOpen();
    return (reading(() => statement.all()) as [string, number][]).flatMap(([service, at]) =>
      isStoredTime(at) ? [{ service, at }] : [],
    );
  }

  /** A stored breakpoint; one written before `calledFrom` or `heardAt` was kept reads with none. */
  function parseBreakpoint(body: unknown): Breakpoint | undefined {
    if (body === undefined) return undefined;
    const stored = JSON.parse(body as string) as Omit<Breakpoint, "calledFrom" | "heardAt"> & Partial<Breakpoint>;
    return { ...stored, heardAt: stored.heardAt ?? null, calledFrom: stored.calledFrom ?? null };
  }

  /**
   * A stored list row. A capture time an earlier version kept as the SDK sent it (with its zone's
   * offset, say) reads as a capture is kept now, in UTC (captureTime gives a time it made back unchanged).
   */
  function parseSummary(text: string): SnapshotSummary {
    const summary = JSON.parse(text) as SnapshotSummary;
    const capturedAt = captureTime(summary.capturedAt, summary.receivedAt ?? Number.NaN);
    return capturedAt === summary.capturedAt ? summary : { ...summary, capturedAt };
  }

  function saveBreakpoint(breakpoint: Breakpoint): void {
    assertOpen();
    sql.saveBreakpoint.run(breakpoint.id, locationKey(breakpoint), JSON.stringify(breakpoint));
  }

  /** Evicts from the oldest while a bound is passed (never the newest); returns how many went. */
  function evictPastBounds(): number {
    let count = snapshotCount;
    let bytes = retainedBytes;
    while (count > 1 && (count > bounds.maxSnapshots || bytes > bounds.maxSnapshotBytes)) {
      const batch = Math.min(Math.max(count - bounds.maxSnapshots, 1), count - 1, 256);
      let lastSeq = 0;
      for (const [seq, size] of reading(() => sql.oldestSnapshots.all(batch)) as [number, number][]) {
        if (count <= 1 || (count <= bounds.maxSnapshots && bytes <= bounds.maxSnapshotBytes)) break;
        lastSeq = seq;
        count--;
        bytes -= size;
      }
      sql.deleteSnapshotsUpTo.run(lastSeq);
    }
    const evicted = snapshotCount - count;
    snapshotCount = count;
    retainedBytes = bytes;
    return evicted;
  }

  const insertSnapshot = db.transaction((snapshot: Snapshot, counted: Breakpoint | undefined) => {
    const { summary, detail } = snapshotJson(snapshot);
    const bytes = summary.length + detail.length;
    sql.insertSnapshot.run(
      snapshot.id,
      snapshot.service,
      snapshot.breakpointId,
      snapshot.label,
      snapshot.traceId,
      summary,
      detail,
      bytes,
    );
    snapshotCount++;
    retainedBytes += bytes;
    if (counted !== undefined) saveBreakpoint(counted);
    const evicted = evictPastBounds();
    if (evicted > 0) sql.setSetting.run(String(evictedSnapshots + evicted), "evicted_snapshots");
    return evicted;
  });

  const insertEvents = db.transaction((events: readonly SdkEvent[]) => {
    for (const event of events) sql.insertEvent.run(JSON.stringify(event));
    sql.trimEvents.run(bounds.maxSdkEvents);
  });

  return {
    listBreakpoints() {
      assertOpen();
      return reading(() => sql.breakpoints.all()).map((body) => parseBreakpoint(body) as Breakpoint);
    },
    getBreakpoint(id) {
      assertOpen();
      return parseBreakpoint(reading(() => sql.breakpointById.get(id)));
    },
    findBreakpoint(key) {
      assertOpen();
      return parseBreakpoint(reading(() => sql.breakpointByLocation.get(key)));
    },
    saveBreakpoint,
    deleteBreakpoint(id) {
      assertOpen();
      return sql.deleteBreakpoint.run(id).changes > 0;
    },

    killSwitch: () => killSwitch,
    killSwitchChangedAt: () => killSwitchChangedAt,
    setKillSwitch(enabled, changedAt) {
      assertOpen();
      db.transaction(() => {
        sql.setSetting.run(String(enabled), "kill_switch");
        if (changedAt !== undefined) sql.setSetting.run(String(changedAt), "kill_switch_changed_at");
      })();
      killSwitch = enabled;
      if (changedAt !== undefined) killSwitchChangedAt = changedAt;
    },

    insertSnapshot(snapshot, counted) {
      assertOpen();
      const before = { snapshotCount, retainedBytes };
      try {
        evictedSnapshots += insertSnapshot(snapshot, counted) as number;
      } catch (error) {
        // The transaction rolled back; so do the counts it moved.
        ({ snapshotCount, retainedBytes } = before);
        throw error;
      }
    },
    listSnapshots(query) {
      assertOpen();
      const before = query.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeSnapshotCursor(query.cursor);
      const rows = reading(() =>
        sql.listSnapshots.all({
          before,
          service: query.service ?? null,
          breakpointId: query.breakpointId ?? null,
          traceId: query.traceId ?? null,
          label: query.label ?? null,
          limit: query.limit + 1,
        }),
      ) as [number, string][];
      const page = rows.slice(0, query.limit);
      const snapshots = page.map(([, summary]) => parseSummary(summary));
      const last = page[page.length - 1];
      return rows.length > query.limit && last !== undefined
        ? { snapshots, nextCursor: encodeSnapshotCursor(last[0]) }
        : { snapshots };
    },
    getSnapshot(id) {
      assertOpen();
      const row = reading(() => sql.snapshotById.get(id)) as [string, string] | undefined;
      if (row === undefined) return undefined;
      return { ...parseSummary(row[0]), ...(parseJsonExact(row[1]) as SnapshotDetail) };
    },
    snapshotsOfTrace(traceId) {
      assertOpen();
      return reading(() => sql.snapshotsOfTrace.all(traceId)).map((summary) => parseSummary(summary as string));
    },

    insertSdkEvents(events) {
      assertOpen();
      if (events.length > 0) insertEvents(events);
    },
    listSdkEvents(limit) {
      assertOpen();
      return reading(() => sql.listEvents.all(limit)).map((body) => JSON.parse(body as string) as SdkEvent);
    },

    listSdkPauses() {
      assertOpen();
      // A row this server would not write (a pause that cannot be told, or is not JSON) is left out.
      return (reading(() => sql.sdkPauses.all()) as [string, string][]).flatMap(([service, body]) => {
        const pause = storedSdkPause(parsedOrNull(body));
        return pause === null ? [] : [{ service, pause }];
      });
    },
    saveSdkPause(service, pause) {
      assertOpen();
      sql.saveSdkPause.run(service, JSON.stringify(pause));
    },
    deleteSdkPause(service) {
      assertOpen();
      sql.deleteSdkPause.run(service);
    },

    listLastCaptures: () => serviceTimes(sql.lastCaptures),
    saveLastCapture(service, at) {
      assertOpen();
      sql.saveLastCapture.run(service, at);
    },
    deleteLastCapture(service) {
      assertOpen();
      sql.deleteLastCapture.run(service);
    },

    listCheckIns: () => serviceTimes(sql.checkIns),
    saveCheckIn(service, at) {
      assertOpen();
      sql.saveCheckIn.run(service, at);
    },
    deleteCheckIn(service) {
      assertOpen();
      sql.deleteCheckIn.run(service);
    },

    clearCaptured() {
      assertOpen();
      db.transaction(sql.clearCaptured)();
      snapshotCount = 0;
      retainedBytes = 0;
    },
    stats() {
      assertOpen();
      return reading(() => ({
        breakpoints: Number(sql.countBreakpoints.get()),
        snapshots: snapshotCount,
        evictedSnapshots,
        sdkEvents: Number(sql.countEvents.get()),
      }));
    },
    close() {
      closed = true;
    },
  };
}

function parsedOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
