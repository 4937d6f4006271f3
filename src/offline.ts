import { existsSync } from "node:fs";
import { createIngest } from "./ingest/ingest.js";
import { createLogIngest } from "./ingest/logs.js";
import { createMetricIngest } from "./ingest/metrics.js";
import { createLiveHub } from "./live/hub.js";
import { DEFAULT_MAX_LOGS, type LogStore } from "./store/log-store.js";
import { type OpenedStores, openStores, StoreOpenError } from "./store/open-store.js";
import type { Store } from "./store/store.js";
import { DEFAULT_MAX_SPANS } from "./store/store.js";
import { createImporter, type Importer } from "./transfer/import.js";

/** What a file held when it was opened, before its bounds applied (its eviction counts are kept in the file). */
export interface HeldCounts {
  spans: number;
  logs: number;
  evictedTraces: number;
  evictedSpans: number;
  evictedLogs: number;
}

/** Code-monitoring snapshots and metric series: kept, but not in an OTLP traces-and-logs export. */
export interface OtherCounts {
  snapshots: number;
  metricSeries: number;
}

/** A `--db` file (or memory, for tests) opened without a server, for `import --db` and `export --db`. */
export interface OfflineData {
  store: Store;
  logs: LogStore;
  importer: Importer;
  /**
   * What the file held before this open applied its bounds: a bound below that evicts at once, so
   * what `store.stats()` says after the open already counts those evictions.
   */
  held: HeldCounts;
  /** What the file holds that is neither a trace nor a log record, which an export leaves out. */
  otherCounts(): OtherCounts;
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
  /**
   * The retention bounds the file is kept to. One left out keeps at least what the file holds (and at
   * least the server's default): a file a server kept with a larger --max-spans or --max-logs is not
   * cut down by a write that did not ask for it.
   */
  maxSpans?: number;
  maxLogs?: number;
  /** False to refuse a file that does not exist yet (export). */
  create: boolean;
  /**
   * True for a reader (export): no retention bound is applied, so a file a server kept with a larger
   * --max-spans or --max-logs than the defaults is read whole and left as it was.
   */
  unbounded?: boolean;
}): Promise<OfflineData> {
  const { dbPath } = options;
  if (!options.create && dbPath !== null && !existsSync(dbPath)) throw new StoreOpenError(`no such file ${dbPath}`);
  // What the file holds is read as it opens, before a bound applies: each bound is chosen then (the
  // file opened once), and what it held is kept for the CLI's note of what a bound given evicted.
  const held: HeldCounts = { spans: 0, logs: 0, evictedTraces: 0, evictedSpans: 0, evictedLogs: 0 };
  const unbounded = options.unbounded === true;
  const opened = await openFile({
    dbPath,
    maxSpans(file) {
      Object.assign(held, file);
      if (unbounded) return Number.MAX_SAFE_INTEGER;
      return options.maxSpans ?? Math.max(DEFAULT_MAX_SPANS, file.spans);
    },
    maxLogs(file) {
      Object.assign(held, file);
      if (unbounded) return Number.MAX_SAFE_INTEGER;
      return options.maxLogs ?? Math.max(DEFAULT_MAX_LOGS, file.logs);
    },
  });
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
    held,
    otherCounts: () => ({ snapshots: codeMonitoring.stats().snapshots, metricSeries: metrics.stats().series }),
    close() {
      hub.close();
      codeMonitoring.close();
      logs.close();
      metrics.close();
      store.close();
    },
  };
}

async function openFile(options: Parameters<typeof openStores>[0]): Promise<OpenedStores> {
  try {
    return await openStores(options);
  } catch (error) {
    if (error instanceof StoreOpenError && error.busy) {
      throw new StoreOpenError(
        `${error.message}; a running tracekit-local holds it: leave out --db to go through that server (--port / --url), or stop it first`,
      );
    }
    throw error;
  }
}
