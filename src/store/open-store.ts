import { createMemoryStore } from "./memory-store.js";
import type { Store } from "./store.js";

export class StoreOpenError extends Error {
  override name = "StoreOpenError";
}

/**
 * The memory store, or the SQLite store for a path. better-sqlite3 is a native addon loaded only
 * here, so the memory default works on a machine where the addon could not be built.
 */
export async function openStore(options: { dbPath: string | null; maxSpans: number }): Promise<Store> {
  if (options.dbPath === null) return createMemoryStore({ maxSpans: options.maxSpans });
  let sqlite: typeof import("./sqlite-store.js");
  try {
    sqlite = await import("./sqlite-store.js");
    await sqlite.loadSqliteDriver();
  } catch (error) {
    throw new StoreOpenError(
      `--db needs the better-sqlite3 native addon, which is not installed or did not build (${firstLine(error)}). ` +
        "Reinstall with: npm i -g @tracekit/local-ui --allow-scripts=better-sqlite3",
    );
  }
  return sqlite.createSqliteStore({ path: options.dbPath, maxSpans: options.maxSpans });
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split("\n")[0] ?? "unknown error";
}
