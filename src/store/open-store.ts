import { createMemoryCodeMonitoringStore } from "./code-monitoring-memory-store.js";
import type { CodeMonitoringBounds, CodeMonitoringStore } from "./code-monitoring-store.js";
import { createMemoryStore } from "./memory-store.js";
import { createMemoryMetricStore } from "./metric-memory-store.js";
import type { MetricBounds, MetricStore } from "./metric-store.js";
import type { SqliteDatabase } from "./sqlite-schema.js";
import type { Store } from "./store.js";

export class StoreOpenError extends Error {
  override name = "StoreOpenError";
}

export interface OpenedStores {
  /** Spans and traces. */
  store: Store;
  /** Breakpoints, the kill switch, snapshots and SDK events; closed by `store.close()` when it shares the file. */
  codeMonitoring: CodeMonitoringStore;
  /** Metric series; closed by `store.close()` when it shares the file. */
  metrics: MetricStore;
}

/**
 * The memory stores, or the SQLite stores for a path (both in the one file). better-sqlite3 is a
 * native addon loaded only here, so the memory default works on a machine where the addon could not be built.
 */
export async function openStores(options: {
  dbPath: string | null;
  maxSpans: number;
  codeMonitoring?: CodeMonitoringBounds;
  metrics?: MetricBounds;
}): Promise<OpenedStores> {
  if (options.dbPath === null) {
    return {
      store: createMemoryStore({ maxSpans: options.maxSpans }),
      codeMonitoring: createMemoryCodeMonitoringStore(options.codeMonitoring),
      metrics: createMemoryMetricStore(options.metrics),
    };
  }
  let sqlite: typeof import("./sqlite-store.js");
  let codeMonitoringSqlite: typeof import("./code-monitoring-sqlite-store.js");
  let metricSqlite: typeof import("./metric-sqlite-store.js");
  try {
    sqlite = await import("./sqlite-store.js");
    codeMonitoringSqlite = await import("./code-monitoring-sqlite-store.js");
    metricSqlite = await import("./metric-sqlite-store.js");
    await sqlite.loadSqliteDriver();
  } catch (error) {
    throw new StoreOpenError(
      `--db needs the better-sqlite3 native addon, which is not installed or did not build (${firstLine(error)}). ` +
        "Reinstall with: npm i -g @tracekit/local-ui --allow-scripts=better-sqlite3",
    );
  }
  let codeMonitoring: CodeMonitoringStore | undefined;
  let metrics: MetricStore | undefined;
  const store = sqlite.createSqliteStore({
    path: options.dbPath,
    maxSpans: options.maxSpans,
    companion: (db) =>
      openCompanions(db, [
        (db) => {
          codeMonitoring = codeMonitoringSqlite.createSqliteCodeMonitoringStore(db, options.codeMonitoring);
          return codeMonitoring;
        },
        (db) => {
          metrics = metricSqlite.createSqliteMetricStore(db, options.metrics);
          return metrics;
        },
      ]),
  });
  return {
    store,
    codeMonitoring: codeMonitoring as CodeMonitoringStore,
    metrics: metrics as MetricStore,
  };
}

type Companion = { close(): void };

/**
 * Several stores sharing the span store's connection as its one companion: opened in order,
 * closed in reverse (each even if another fails); if one fails to open, those open are closed.
 */
function openCompanions(db: SqliteDatabase, opens: readonly ((db: SqliteDatabase) => Companion)[]): Companion {
  const opened: Companion[] = [];
  const closeAll = () => {
    let failure: unknown;
    for (const companion of opened.splice(0).reverse()) {
      try {
        companion.close();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  };
  try {
    for (const open of opens) opened.push(open(db));
  } catch (error) {
    closeAll();
    throw error;
  }
  return { close: closeAll };
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split("\n")[0] ?? "unknown error";
}
