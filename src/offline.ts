import { existsSync } from "node:fs";
import { createIngest } from "./ingest/ingest.js";
import { createLogIngest } from "./ingest/logs.js";
import { createMetricIngest } from "./ingest/metrics.js";
import { createLiveHub } from "./live/hub.js";
import type { LogStore } from "./store/log-store.js";
import { openStores, StoreOpenError } from "./store/open-store.js";
import type { Store } from "./store/store.js";
import { DEFAULT_MAX_SPANS } from "./store/store.js";
import { createImporter, type Importer } from "./transfer/import.js";

/** A `--db` file (or memory, for tests) opened without a server, for `import --db` and `export --db`. */
export interface OfflineData {
  store: Store;
  logs: LogStore;
  importer: Importer;
  /** Flushes everything written and releases the file. */
  close(): void;
}

/**
 * Opens the stores of a `--db` file as a server would, with the same write path (ingest without
 * live clients). The SQLite store holds the file exclusively, so this fails while a server has it
 * open: the message says to go through that server instead.
 */
export async function openOffline(options: {
  /** null: the memory stores. */
  dbPath: string | null;
  maxSpans?: number;
  /** False to refuse a file that does not exist yet (export). */
  create: boolean;
  /**
   * True for a reader (export): no retention bound is applied, so a file a server kept with a larger
   * --max-spans or --max-logs than the defaults is read whole and left as it was.
   */
  unbounded?: boolean;
}): Promise<OfflineData> {
  if (!options.create && options.dbPath !== null && !existsSync(options.dbPath)) {
    throw new StoreOpenError(`no such file ${options.dbPath}`);
  }
  let opened: Awaited<ReturnType<typeof openStores>>;
  try {
    opened = await openStores(
      options.unbounded === true
        ? { dbPath: options.dbPath, maxSpans: Number.MAX_SAFE_INTEGER, maxLogs: Number.MAX_SAFE_INTEGER }
        : { dbPath: options.dbPath, maxSpans: options.maxSpans ?? DEFAULT_MAX_SPANS },
    );
  } catch (error) {
    if (error instanceof StoreOpenError && error.busy) {
      throw new StoreOpenError(
        `${error.message}; a running tracekit-local holds it: leave out --db to go through that server (--port / --url), or stop it first`,
      );
    }
    throw error;
  }
  const { store, logs, metrics, codeMonitoring } = opened;
  const hub = createLiveHub({ getSummaries: (ids) => store.getSummaries(ids), getLatest: () => [] });
  const importer = createImporter({
    ingest: createIngest(store, hub),
    logIngest: createLogIngest(logs, hub),
    metricIngest: createMetricIngest(metrics, hub),
  });
  return {
    store,
    logs,
    importer,
    close() {
      hub.close();
      codeMonitoring.close();
      logs.close();
      metrics.close();
      store.close();
    },
  };
}
