import type { LogRecord } from "../domain/log.js";
import type { LiveHub } from "../live/hub.js";
import { logToJson } from "../protocol-json.js";
import type { LogInsertOptions, LogInsertResult, LogStore } from "../store/log-store.js";
import type { ServiceColors } from "./service-colors.js";

export interface LogIngest {
  /**
   * Stores the records (unless their request may be and was sent before: see LogInsertOptions) and
   * pushes those stored to live clients.
   */
  logs(records: readonly LogRecord[], options?: LogInsertOptions): LogInsertResult;
  /** Resolves once every record accepted so far is in the store's file (at once without one); see Ingest.committed. */
  committed(mark?: number): Promise<void>;
  commitMark(): number | undefined;
}

/**
 * The log write path: store, then push to live clients. The hub coalesces what arrives within a tick
 * into one `logs` message and keeps at most its bound of records per tick (the newest), so a flood of
 * records costs the WebSocket one bounded message per tick; the message counts the records it left
 * out (`omitted`), and pages read those from GET /api/logs.
 */
export function createLogIngest(store: LogStore, hub: LiveHub, serviceColors?: ServiceColors): LogIngest {
  return {
    logs(records, options) {
      if (records.length === 0) return { stored: [], duplicates: 0 };
      serviceColors?.seeAll(records);
      const result = store.insertLogs(records, options);
      hub.publishItems("logs", result.stored, (items, omitted) =>
        omitted > 0
          ? { type: "logs", logs: items.map(logToJson), omitted }
          : { type: "logs", logs: items.map(logToJson) },
      );
      return result;
    },
    committed(mark) {
      return store.committed?.(mark) ?? Promise.resolve();
    },
    commitMark: () => store.commitMark?.(),
  };
}
