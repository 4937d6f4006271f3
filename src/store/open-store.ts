import { resolve } from "node:path";
import type { PeerNames } from "../domain/service-map.js";
import { createMemoryCodeMonitoringStore } from "./code-monitoring-memory-store.js";
import type { CodeMonitoringBounds, CodeMonitoringStore } from "./code-monitoring-store.js";
import { createMemoryLogStore } from "./log-memory-store.js";
import { DEFAULT_MAX_LOGS, type HeldLogs, type LogStore } from "./log-store.js";
import { createMemoryStore } from "./memory-store.js";
import { createMemoryMetricStore } from "./metric-memory-store.js";
import { DEFAULT_MAX_METRIC_SERIES, type MetricBounds, type MetricStore } from "./metric-store.js";
import type { ServiceColorStore } from "./service-color-store.js";
import type { GroupCommit } from "./sqlite-group-commit.js";
import type { StatisticsFill } from "./sqlite-operation-stats.js";
import type { SqliteDatabase } from "./sqlite-schema.js";
import type { SqliteStoreOptions } from "./sqlite-store.js";
import { type BoundFromHeld, chooseBound, type HeldSpans, type Store } from "./store.js";

export class StoreOpenError extends Error {
  override name = "StoreOpenError";

  /** `busy`: another process holds the file (SQLite's lock), which may let go of it soon. */
  constructor(
    message: string,
    readonly busy = false,
  ) {
    super(message);
  }
}

export interface OpenedStores {
  /** Spans and traces. */
  store: Store;
  /** Breakpoints, the kill switch, snapshots and SDK events; closed by `store.close()` when it shares the file. */
  codeMonitoring: CodeMonitoringStore;
  /** Log records; closed by `store.close()` when it shares the file (flushed first). */
  logs: LogStore;
  /** Metric series; closed by `store.close()` when it shares the file. */
  metrics: MetricStore;
  /** The service colour assignment kept in the file (closed by `store.close()`); null without one. */
  serviceColors: ServiceColorStore | null;
}

/**
 * The memory stores, or the SQLite stores for a path (all in the one file). better-sqlite3 is a
 * native addon loaded only here, so the memory default works on a machine where the addon could not be built.
 */
export async function openStores(options: {
  dbPath: string | null;
  /** A bound, or how to choose it from what the file holds (memory stores hold nothing as they open). */
  maxSpans: BoundFromHeld<HeldSpans>;
  maxLogs?: BoundFromHeld<HeldLogs>;
  codeMonitoring?: CodeMonitoringBounds;
  metrics?: MetricBounds;
  /** Told when a file from an older version gets its per-operation statistics filled in (once). */
  onStatisticsFill?: (fill: StatisticsFill) => void;
  /** With a `dbPath`: told once the file is open and ours (this process holds it), before it is read back. */
  onOpen?: () => void;
  /** With a `dbPath`: see SqliteStoreOptions.onOpenEviction. */
  onOpenEviction?: SqliteStoreOptions["onOpenEviction"];
  /** Tests only: see SqliteStoreOptions.onDatabasePragma. */
  onDatabasePragma?: (pragma: (statement: string) => unknown) => void;
  /** `--service-name-mapping`: how `peer=` queries name the peers spans call, as the service map does. */
  peerNames?: PeerNames;
  /**
   * Reads a file back in slices that give the event loop back (see load-steps.ts), and stops at a
   * pause once `stopped()` says so (rejecting with a LoadStoppedError, the file closed).
   */
  inSlices?: { stopped(): boolean };
}): Promise<OpenedStores> {
  const maxLogs = options.maxLogs ?? DEFAULT_MAX_LOGS;
  if (options.dbPath === null) {
    return {
      store: createMemoryStore({
        maxSpans: chooseBound(options.maxSpans, { spans: 0, evictedTraces: 0, evictedSpans: 0 }),
        ...(options.peerNames === undefined ? {} : { peerNames: options.peerNames }),
      }),
      codeMonitoring: createMemoryCodeMonitoringStore(options.codeMonitoring),
      logs: createMemoryLogStore({ maxLogs: chooseBound(maxLogs, { logs: 0, evictedLogs: 0 }) }),
      metrics: createMemoryMetricStore(options.metrics),
      serviceColors: null,
    };
  }
  let sqlite: typeof import("./sqlite-store.js");
  let codeMonitoringSqlite: typeof import("./code-monitoring-sqlite-store.js");
  let logSqlite: typeof import("./log-sqlite-store.js");
  let metricSqlite: typeof import("./metric-sqlite-store.js");
  let serviceColorSqlite: typeof import("./service-color-sqlite-store.js");
  try {
    sqlite = await import("./sqlite-store.js");
    codeMonitoringSqlite = await import("./code-monitoring-sqlite-store.js");
    logSqlite = await import("./log-sqlite-store.js");
    metricSqlite = await import("./metric-sqlite-store.js");
    serviceColorSqlite = await import("./service-color-sqlite-store.js");
    await sqlite.loadSqliteDriver();
  } catch (error) {
    // One line (the CLI prints a start's first): the fix, and the README's for a build that cannot
    // download Node's headers, with this Node's installation named, whose include/node/ holds them.
    throw new StoreOpenError(
      `--db needs the better-sqlite3 native addon, which is not installed or did not build (${firstLine(error)}). ` +
        `Reinstall with: npm i -g ${REINSTALL}; offline or behind a proxy, build it with this Node's headers: ` +
        `npm_config_nodedir="${resolve(process.execPath, "../..")}" npm i -g ${REINSTALL}`,
    );
  }
  let codeMonitoring: CodeMonitoringStore | undefined;
  let logs: LogStore | undefined;
  let metrics: MetricStore | undefined;
  let serviceColors: ServiceColorStore | undefined;
  const storeOptions: SqliteStoreOptions = {
    path: options.dbPath,
    maxSpans: options.maxSpans,
    ...(options.onStatisticsFill === undefined ? {} : { onStatisticsFill: options.onStatisticsFill }),
    ...(options.onOpen === undefined ? {} : { onOpen: options.onOpen }),
    ...(options.onOpenEviction === undefined ? {} : { onOpenEviction: options.onOpenEviction }),
    ...(options.onDatabasePragma === undefined ? {} : { onDatabasePragma: options.onDatabasePragma }),
    ...(options.peerNames === undefined ? {} : { peerNames: options.peerNames }),
    companion: companions(
      (db) => {
        codeMonitoring = codeMonitoringSqlite.createSqliteCodeMonitoringStore(db, options.codeMonitoring);
        return codeMonitoring;
      },
      (db, commits) => {
        logs = logSqlite.createSqliteLogStore(db, { maxLogs, commits });
        return logs;
      },
      (db, commits) => {
        metrics = metricSqlite.createSqliteMetricStore(db, {
          ...(options.metrics ?? { maxSeries: DEFAULT_MAX_METRIC_SERIES }),
          commits,
        });
        return metrics;
      },
      (db) => {
        serviceColors = serviceColorSqlite.createSqliteServiceColorStore(db);
        return serviceColors;
      },
    ),
  };
  const store =
    options.inSlices === undefined
      ? sqlite.createSqliteStore(storeOptions)
      : await sqlite.openSqliteStore(storeOptions, options.inSlices.stopped);
  return {
    store,
    codeMonitoring: codeMonitoring as CodeMonitoringStore,
    logs: logs as LogStore,
    metrics: metrics as MetricStore,
    serviceColors: serviceColors as ServiceColorStore,
  };
}

/**
 * Several stores on the span store's one connection, through its single companion hook: opened in
 * order (those already open are closed again if a later one fails), closed in reverse.
 */
export function companions(
  ...openers: ((db: SqliteDatabase, commits: GroupCommit) => { close(): void })[]
): (db: SqliteDatabase, commits: GroupCommit) => { close(): void } {
  return (db, commits) => {
    const opened: { close(): void }[] = [];
    const closeAll = () => {
      let failure: unknown = null;
      for (const companion of opened.reverse()) {
        try {
          companion.close();
        } catch (error) {
          failure ??= error;
        }
      }
      if (failure !== null) throw failure;
    };
    try {
      for (const open of openers) opened.push(open(db, commits));
    } catch (error) {
      try {
        closeAll();
      } catch {
        // The open already failed; that error is the one to report.
      }
      throw error;
    }
    return { close: closeAll };
  };
}

const REINSTALL = "@tracekit/local-ui --allow-scripts=better-sqlite3,@tracekit/local-ui";

function firstLine(error: unknown): string {
  const line = String((error as Error)?.message ?? error).split("\n")[0] ?? "unknown error";
  // The bindings package ends its line with "Tried:" and lists the paths on the next ones.
  return line.replace(/\.?\s*Tried:\s*$/, "");
}
