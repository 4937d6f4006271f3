import type { HealthResponse } from "../../../src/protocol";
import { formatCount } from "../lib/format";

type Storage = Pick<HealthResponse["storage"], "kind" | "path" | "maxSpans">;

/** A path's last part, its separators either way (the server may run on Windows). */
function fileName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

/**
 * What the top bar says of where the data is kept (`text`), and its title. The path is the server's
 * `--db` as a whole path: /api/health gives it to this app's own page, and to no page of another origin,
 * which then reads "in a file".
 */
export function storeLabel(storage: Storage): { text: string; title: string } {
  if (storage.kind === "memory") {
    return {
      text: "in memory",
      title: `Kept in memory, up to ${formatCount(storage.maxSpans)} spans: gone when tracekit-local stops (start it with --db FILE to keep data across restarts)`,
    };
  }
  if (storage.path === undefined) {
    return { text: "in a file", title: "Kept in the SQLite file given with --db: it stays across restarts" };
  }
  return {
    text: `in ${fileName(storage.path)}`,
    title: `Kept in the SQLite file ${storage.path} (--db): it stays across restarts`,
  };
}

/** What Clear deletes. */
const CLEARED = "every trace, log record, metric and captured snapshot";

/** The --db file as Clear names it: its path, once health gave it. */
function dbFileName(storage: Storage): string {
  return storage.path === undefined ? "the --db file" : storage.path;
}

/** Clear's tooltip: what it deletes, and from which file with `--db` (they go for good). */
export function clearTitle(storage: Storage | null): string {
  const what = `Start afresh: delete ${CLEARED}`;
  return storage?.kind !== "sqlite" ? what : `${what}, from ${dbFileName(storage)} for good`;
}

/**
 * Clear's question. It empties every signal, not the traces alone, and with `--db` the file too, for
 * good: a restart brings nothing back, so the question names the file (null: not known yet).
 */
export function clearQuestion(storage: Storage | null): string {
  const file =
    storage?.kind !== "sqlite"
      ? ""
      : ` They are deleted from ${dbFileName(storage)} for good: a restart does not bring them back.`;
  return (
    `Delete everything stored in tracekit-local: ${CLEARED}?${file} ` +
    "Breakpoints stay, and their capture counts start again from 0."
  );
}
