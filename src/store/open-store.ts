import { createMemoryCodeMonitoringStore } from "./code-monitoring-memory-store.js";
import type { CodeMonitoringBounds, CodeMonitoringStore } from "./code-monitoring-store.js";
import { createMemoryLogStore } from "./log-memory-store.js";
import { DEFAULT_MAX_LOGS, type LogStore } from "./log-store.js";
import { createMemoryStore } from "./memory-store.js";
import type { Store } from "./store.js";

export class StoreOpenError extends Error {
  override name = "StoreOpenError";
}

export interface OpenedStores {
  /** Spans and traces. */
  store: Store;
  /** Breakpoints, the kill switch, snapshots and SDK events; closed by `store.close()` when it shares the file. */
  codeMonitoring: CodeMonitoringStore;
  /** Log records; closed by `store.close()` when it shares the file. */
  logs: LogStore;
}

/**
 * The memory stores, or the SQLite stores for a path (both in the one file). better-sqlite3 is a
 * native addon loaded only here, so the memory default works on a machine where the addon could not be built.
 */
export async function openStores(options: {
  dbPath: string | null;
  maxSpans: number;
  maxLogs?: number;
  codeMonitoring?: CodeMonitoringBounds;
}): Promise<OpenedStores> {
  const maxLogs = options.maxLogs ?? DEFAULT_MAX_LOGS;
  if (options.dbPath === null) {
    return {
      store: createMemoryStore({ maxSpans: options.maxSpans }),
      codeMonitoring: createMemoryCodeMonitoringStore(options.codeMonitoring),
      logs: createMemoryLogStore({ maxLogs }),
    };
  }
  let sqlite: typeof import("./sqlite-store.js");
  let codeMonitoringSqlite: typeof import("./code-monitoring-sqlite-store.js");
  try {
    sqlite = await import("./sqlite-store.js");
    codeMonitoringSqlite = await import("./code-monitoring-sqlite-store.js");
    await sqlite.loadSqliteDriver();
  } catch (error) {
    throw new StoreOpenError(
      `--db needs the better-sqlite3 native addon, which is not installed or did not build (${firstLine(error)}). ` +
        "Reinstall with: npm i -g @tracekit/local-ui --allow-scripts=better-sqlite3",
    );
  }
  let codeMonitoring: CodeMonitoringStore | undefined;
  const store = sqlite.createSqliteStore({
    path: options.dbPath,
    maxSpans: options.maxSpans,
    companion: (db) => {
      codeMonitoring = codeMonitoringSqlite.createSqliteCodeMonitoringStore(db, options.codeMonitoring);
      return codeMonitoring;
    },
  });
  return { store, codeMonitoring: codeMonitoring as CodeMonitoringStore, logs: createMemoryLogStore({ maxLogs }) };
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split("\n")[0] ?? "unknown error";
}
