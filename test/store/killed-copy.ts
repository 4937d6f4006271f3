import { copyFileSync, existsSync } from "node:fs";

/**
 * A copy of a SQLite file as a process killed right now would leave it: the database and its WAL as
 * they are on disk (what the process holds in memory is not there). Opening the copy replays the WAL.
 */
export function copyAsKilled(path: string, copy: string): string {
  copyFileSync(path, copy);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
  return copy;
}
